//===- Elementwise.cpp - Elementwise onnx ops to linalg.generic -----------===//
//
// Every elementwise op becomes one linalg.generic with numpy broadcasting in
// its indexing maps; linalg's elementwise fusion later merges chains of them.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

bool isFloatLike(Type t) { return isa<FloatType>(t); }

/// Scalar helpers for the bodies.
Value cst(OpBuilder &b, Location loc, Type t, double v) {
  return scalarConstant(b, loc, t, v);
}
Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  Value d = arith::AddFOp::create(b, loc, cst(b, loc, t, 1.0), e);
  return arith::DivFOp::create(b, loc, cst(b, loc, t, 1.0), d);
}

/// x > 0 ? x : alpha * (exp(x) - 1), shared by Elu and Selu.
Value elu(OpBuilder &b, Location loc, Value x, double alpha) {
  Type t = x.getType();
  Value neg = arith::MulFOp::create(b, loc, math::ExpM1Op::create(b, loc, x),
                                    cst(b, loc, t, alpha));
  Value isPos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                      cst(b, loc, t, 0.0));
  return arith::SelectOp::create(b, loc, isPos, x, neg);
}

/// The elementwise ops whose body depends only on the op and its scalars.
/// Returns null for an element type the op does not support.
Value scalarBody(Operation *op, OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  bool f = isFloatLike(t);
  // Unsigned ONNX types arrive signless; the op's own types say which.
  bool u = llvm::any_of(op->getOperandTypes(), isUnsignedInt);
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<ONNXAddOp>([&](auto) -> Value {
        return f ? (Value)arith::AddFOp::create(b, loc, a[0], a[1])
                 : (Value)arith::AddIOp::create(b, loc, a[0], a[1]);
      })
      .Case<ONNXSubOp>([&](auto) -> Value {
        return f ? (Value)arith::SubFOp::create(b, loc, a[0], a[1])
                 : (Value)arith::SubIOp::create(b, loc, a[0], a[1]);
      })
      .Case<ONNXMulOp>([&](auto) -> Value {
        return f ? (Value)arith::MulFOp::create(b, loc, a[0], a[1])
                 : (Value)arith::MulIOp::create(b, loc, a[0], a[1]);
      })
      .Case<ONNXDivOp>([&](auto) -> Value {
        if (f)
          return arith::DivFOp::create(b, loc, a[0], a[1]);
        return u ? (Value)arith::DivUIOp::create(b, loc, a[0], a[1])
                 : (Value)arith::DivSIOp::create(b, loc, a[0], a[1]);
      })
      .Case<ONNXModOp>([&](ONNXModOp o) -> Value {
        if (u)
          return arith::RemUIOp::create(b, loc, a[0], a[1]);
        // fmod = 1: C's fmod, the sign of the dividend.
        Value r = f ? (Value)arith::RemFOp::create(b, loc, a[0], a[1])
                    : (Value)arith::RemSIOp::create(b, loc, a[0], a[1]);
        if (o.getFmod())
          return r;
        // fmod = 0: the sign of the divisor (Python's %).
        Value zero = cst(b, loc, t, 0);
        auto less = [&](Value x, Value y) -> Value {
          return f ? (Value)arith::CmpFOp::create(
                         b, loc, arith::CmpFPredicate::OLT, x, y)
                   : (Value)arith::CmpIOp::create(
                         b, loc, arith::CmpIPredicate::slt, x, y);
        };
        Value rNonZero = f ? (Value)arith::CmpFOp::create(
                                 b, loc, arith::CmpFPredicate::ONE, r, zero)
                           : (Value)arith::CmpIOp::create(
                                 b, loc, arith::CmpIPredicate::ne, r, zero);
        Value fix = arith::AndIOp::create(
            b, loc, rNonZero,
            arith::XOrIOp::create(b, loc, less(r, zero), less(a[1], zero)));
        Value sum = f ? (Value)arith::AddFOp::create(b, loc, r, a[1])
                      : (Value)arith::AddIOp::create(b, loc, r, a[1]);
        return arith::SelectOp::create(b, loc, fix, sum, r);
      })
      .Case<ONNXPowOp>([&](auto) -> Value {
        // Integer bases or exponents: computed in double, the result in
        // the base's type (numpy's int ** int).
        bool uBase = isUnsignedInt(op->getOperand(0).getType());
        bool uExp = isUnsignedInt(op->getOperand(1).getType());
        Type ft = f ? t : b.getF64Type();
        auto toF = [&](Value v, bool isU) -> Value {
          Type vt = v.getType();
          if (vt == ft)
            return v;
          if (isa<FloatType>(vt))
            return vt.getIntOrFloatBitWidth() < ft.getIntOrFloatBitWidth()
                       ? (Value)arith::ExtFOp::create(b, loc, ft, v)
                       : (Value)arith::TruncFOp::create(b, loc, ft, v);
          return isU ? (Value)arith::UIToFPOp::create(b, loc, ft, v)
                     : (Value)arith::SIToFPOp::create(b, loc, ft, v);
        };
        Value r =
            math::PowFOp::create(b, loc, toF(a[0], uBase), toF(a[1], uExp));
        if (f)
          return r;
        return uBase ? (Value)arith::FPToUIOp::create(b, loc, t, r)
                     : (Value)arith::FPToSIOp::create(b, loc, t, r);
      })
      .Case<ONNXReluOp>([&](auto) -> Value {
        return f ? floatMax(b, loc, a[0], cst(b, loc, t, 0.0))
                 : (Value)arith::MaxSIOp::create(b, loc, a[0],
                                                 cst(b, loc, t, 0));
      })
      .Case<ONNXLeakyReluOp>([&](ONNXLeakyReluOp o) -> Value {
        Value neg = arith::MulFOp::create(
            b, loc, a[0], cst(b, loc, t, o.getAlpha().convertToDouble()));
        Value isNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            a[0], cst(b, loc, t, 0.0));
        return arith::SelectOp::create(b, loc, isNeg, neg, a[0]);
      })
      .Case<ONNXSigmoidOp>([&](auto) { return sigmoid(b, loc, a[0]); })
      .Case<ONNXHardSigmoidOp>([&](ONNXHardSigmoidOp o) -> Value {
        Value y = math::FmaOp::create(
            b, loc, a[0], cst(b, loc, t, o.getAlpha().convertToDouble()),
            cst(b, loc, t, o.getBeta().convertToDouble()));
        return floatMin(b, loc, floatMax(b, loc, y, cst(b, loc, t, 0.0)),
                        cst(b, loc, t, 1.0));
      })
      .Case<ONNXHardSwishOp>([&](auto) -> Value {
        Value y = math::FmaOp::create(b, loc, a[0], cst(b, loc, t, 1.0 / 6),
                                      cst(b, loc, t, 0.5));
        y = floatMin(b, loc, floatMax(b, loc, y, cst(b, loc, t, 0.0)),
                     cst(b, loc, t, 1.0));
        return arith::MulFOp::create(b, loc, a[0], y);
      })
      .Case<ONNXTanhOp>(
          [&](auto) { return math::TanhOp::create(b, loc, a[0]); })
      .Case<ONNXErfOp>([&](auto) { return math::ErfOp::create(b, loc, a[0]); })
      .Case<ONNXExpOp>([&](auto) { return math::ExpOp::create(b, loc, a[0]); })
      .Case<ONNXLogOp>([&](auto) { return math::LogOp::create(b, loc, a[0]); })
      .Case<ONNXSqrtOp>(
          [&](auto) { return math::SqrtOp::create(b, loc, a[0]); })
      .Case<ONNXSinOp>([&](auto) { return math::SinOp::create(b, loc, a[0]); })
      .Case<ONNXCosOp>([&](auto) { return math::CosOp::create(b, loc, a[0]); })
      .Case<ONNXFloorOp>(
          [&](auto) { return math::FloorOp::create(b, loc, a[0]); })
      .Case<ONNXCeilOp>(
          [&](auto) { return math::CeilOp::create(b, loc, a[0]); })
      .Case<ONNXAbsOp>([&](auto) -> Value {
        return f ? (Value)math::AbsFOp::create(b, loc, a[0])
                 : (Value)math::AbsIOp::create(b, loc, a[0]);
      })
      .Case<ONNXNegOp>([&](auto) -> Value {
        return f ? (Value)arith::NegFOp::create(b, loc, a[0])
                 : (Value)arith::SubIOp::create(b, loc, cst(b, loc, t, 0),
                                                a[0]);
      })
      .Case<ONNXReciprocalOp>([&](auto) -> Value {
        return arith::DivFOp::create(b, loc, cst(b, loc, t, 1.0), a[0]);
      })
      .Case<ONNXEluOp>([&](ONNXEluOp o) -> Value {
        return elu(b, loc, a[0], o.getAlpha().convertToDouble());
      })
      .Case<ONNXSeluOp>([&](ONNXSeluOp o) -> Value {
        return arith::MulFOp::create(
            b, loc, elu(b, loc, a[0], o.getAlpha().convertToDouble()),
            cst(b, loc, t, o.getGamma().convertToDouble()));
      })
      .Case<ONNXCeluOp>([&](ONNXCeluOp o) -> Value {
        // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
        Value alpha = cst(b, loc, t, o.getAlpha().convertToDouble());
        Value em1 = math::ExpM1Op::create(
            b, loc, arith::DivFOp::create(b, loc, a[0], alpha));
        Value zero = cst(b, loc, t, 0.0);
        return arith::AddFOp::create(
            b, loc, floatMax(b, loc, a[0], zero),
            floatMin(b, loc, arith::MulFOp::create(b, loc, alpha, em1), zero));
      })
      .Case<ONNXSoftplusOp>([&](auto) -> Value {
        return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, a[0]));
      })
      .Case<ONNXGeluOp>([&](ONNXGeluOp o) -> Value {
        Value half = cst(b, loc, t, 0.5), one = cst(b, loc, t, 1.0);
        Value inner;
        if (o.getApproximate() == "tanh") {
          // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
          Value x3 = arith::MulFOp::create(
              b, loc, a[0], arith::MulFOp::create(b, loc, a[0], a[0]));
          Value s =
              math::FmaOp::create(b, loc, x3, cst(b, loc, t, 0.044715), a[0]);
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, s,
                                    cst(b, loc, t, 0.7978845608028654)));
        } else {
          inner = math::ErfOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, a[0],
                                    cst(b, loc, t, 0.7071067811865476)));
        }
        Value y = arith::AddFOp::create(b, loc, one, inner);
        return arith::MulFOp::create(
            b, loc, arith::MulFOp::create(b, loc, half, a[0]), y);
      })
      .Case<ONNXEqualOp, ONNXLessOp, ONNXGreaterOp, ONNXLessOrEqualOp,
            ONNXGreaterOrEqualOp>([&](Operation *o) -> Value {
        using FP = arith::CmpFPredicate;
        using IP = arith::CmpIPredicate;
        auto [fp, ip] = llvm::TypeSwitch<Operation *, std::pair<FP, IP>>(o)
                            .Case<ONNXEqualOp>([](auto) {
                              return std::pair{FP::OEQ, IP::eq};
                            })
                            .Case<ONNXLessOp>([&](auto) {
                              return std::pair{FP::OLT, u ? IP::ult : IP::slt};
                            })
                            .Case<ONNXGreaterOp>([&](auto) {
                              return std::pair{FP::OGT, u ? IP::ugt : IP::sgt};
                            })
                            .Case<ONNXLessOrEqualOp>([&](auto) {
                              return std::pair{FP::OLE, u ? IP::ule : IP::sle};
                            })
                            .Default([&](auto) {
                              return std::pair{FP::OGE, u ? IP::uge : IP::sge};
                            });
        return f ? (Value)arith::CmpFOp::create(b, loc, fp, a[0], a[1])
                 : (Value)arith::CmpIOp::create(b, loc, ip, a[0], a[1]);
      })
      .Case<ONNXAndOp>(
          [&](auto) { return arith::AndIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXOrOp>(
          [&](auto) { return arith::OrIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXXorOp>(
          [&](auto) { return arith::XOrIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXNotOp>([&](auto) {
        return arith::XOrIOp::create(b, loc, a[0], cst(b, loc, t, 1));
      })
      .Case<ONNXWhereOp>([&](auto) {
        return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
      })
      .Case<ONNXBitwiseAndOp>(
          [&](auto) { return arith::AndIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXBitwiseOrOp>(
          [&](auto) { return arith::OrIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXBitwiseXorOp>(
          [&](auto) { return arith::XOrIOp::create(b, loc, a[0], a[1]); })
      .Case<ONNXBitwiseNotOp>([&](auto) {
        return arith::XOrIOp::create(b, loc, a[0], cst(b, loc, t, -1));
      })
      .Case<ONNXBitShiftOp>([&](ONNXBitShiftOp o) -> Value {
        // Shifts by a negative amount or by the width or more give 0 (-1
        // for a negative signed value shifted right), not poison. Signed
        // right shifts are arithmetic.
        unsigned w = t.getIntOrFloatBitWidth();
        Value outside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                              a[1], cst(b, loc, t, w));
        Value zero = cst(b, loc, t, 0);
        if (o.getDirection() == "LEFT")
          return arith::SelectOp::create(
              b, loc, outside, zero, arith::ShLIOp::create(b, loc, a[0], a[1]));
        if (u)
          return arith::SelectOp::create(
              b, loc, outside, zero,
              arith::ShRUIOp::create(b, loc, a[0], a[1]));
        Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          a[0], zero);
        Value fill =
            arith::SelectOp::create(b, loc, neg, cst(b, loc, t, -1), zero);
        return arith::SelectOp::create(
            b, loc, outside, fill, arith::ShRSIOp::create(b, loc, a[0], a[1]));
      })
      .Case<ONNXSoftsignOp>([&](auto) -> Value {
        Value den = arith::AddFOp::create(b, loc, cst(b, loc, t, 1.0),
                                          math::AbsFOp::create(b, loc, a[0]));
        return arith::DivFOp::create(b, loc, a[0], den);
      })
      .Case<ONNXSignOp>([&](auto) -> Value {
        Value zero = cst(b, loc, t, 0);
        if (f) {
          Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                            a[0], zero);
          Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            a[0], zero);
          Value r =
              arith::SelectOp::create(b, loc, pos, cst(b, loc, t, 1.0), zero);
          r = arith::SelectOp::create(b, loc, neg, cst(b, loc, t, -1.0), r);
          // NaN stays NaN.
          Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                            a[0], a[0]);
          return arith::SelectOp::create(b, loc, nan, a[0], r);
        }
        Value pos = arith::CmpIOp::create(
            b, loc, u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
            a[0], zero);
        Value r = arith::SelectOp::create(b, loc, pos, cst(b, loc, t, 1), zero);
        if (u)
          return r;
        Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          a[0], zero);
        return arith::SelectOp::create(b, loc, neg, cst(b, loc, t, -1), r);
      })
      .Case<ONNXSinhOp>(
          [&](auto) { return math::SinhOp::create(b, loc, a[0]); })
      .Case<ONNXCoshOp>(
          [&](auto) { return math::CoshOp::create(b, loc, a[0]); })
      .Case<ONNXTanOp>([&](auto) { return math::TanOp::create(b, loc, a[0]); })
      .Case<ONNXAsinOp>(
          [&](auto) { return math::AsinOp::create(b, loc, a[0]); })
      .Case<ONNXAcosOp>(
          [&](auto) { return math::AcosOp::create(b, loc, a[0]); })
      .Case<ONNXAtanOp>(
          [&](auto) { return math::AtanOp::create(b, loc, a[0]); })
      .Case<ONNXAsinhOp>(
          [&](auto) { return math::AsinhOp::create(b, loc, a[0]); })
      .Case<ONNXAcoshOp>(
          [&](auto) { return math::AcoshOp::create(b, loc, a[0]); })
      .Case<ONNXAtanhOp>(
          [&](auto) { return math::AtanhOp::create(b, loc, a[0]); })
      .Case<ONNXRoundOp>(
          [&](auto) { return math::RoundEvenOp::create(b, loc, a[0]); })
      .Case<ONNXIsNaNOp>([&](auto) -> Value {
        return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a[0],
                                     a[0]);
      })
      .Case<ONNXIsInfOp>([&](ONNXIsInfOp o) -> Value {
        double inf = std::numeric_limits<double>::infinity();
        Value r = arith::ConstantIntOp::create(b, loc, 0, 1);
        if (o.getDetectPositive())
          r = arith::OrIOp::create(
              b, loc, r,
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0],
                                    cst(b, loc, t, inf)));
        if (o.getDetectNegative())
          r = arith::OrIOp::create(
              b, loc, r,
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0],
                                    cst(b, loc, t, -inf)));
        return r;
      })
      .Case<ONNXShrinkOp>([&](ONNXShrinkOp o) -> Value {
        // x < -lambd: x + bias; x > lambd: x - bias; else 0.
        double lambd = o.getLambd().convertToDouble();
        double bias = o.getBias().convertToDouble();
        Value x = a[0];
        Value lo, hi, up, down;
        if (f) {
          lo = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                     cst(b, loc, t, -lambd));
          hi = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                     cst(b, loc, t, lambd));
          up = arith::AddFOp::create(b, loc, x, cst(b, loc, t, bias));
          down = arith::SubFOp::create(b, loc, x, cst(b, loc, t, bias));
        } else {
          lo = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x,
                                     cst(b, loc, t, -lambd));
          hi = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x,
                                     cst(b, loc, t, lambd));
          up = arith::AddIOp::create(b, loc, x, cst(b, loc, t, bias));
          down = arith::SubIOp::create(b, loc, x, cst(b, loc, t, bias));
        }
        Value r = arith::SelectOp::create(b, loc, hi, down, cst(b, loc, t, 0));
        return arith::SelectOp::create(b, loc, lo, up, r);
      })
      .Case<ONNXThresholdedReluOp>([&](ONNXThresholdedReluOp o) -> Value {
        Value gt = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, a[0],
            cst(b, loc, t, o.getAlpha().convertToDouble()));
        return arith::SelectOp::create(b, loc, gt, a[0], cst(b, loc, t, 0.0));
      })
      .Case<ONNXSwishOp>([&](ONNXSwishOp o) -> Value {
        Value ax = arith::MulFOp::create(
            b, loc, a[0], cst(b, loc, t, o.getAlpha().convertToDouble()));
        return arith::MulFOp::create(b, loc, a[0], sigmoid(b, loc, ax));
      })
      .Case<ONNXSwiGLUOp>([&](ONNXSwiGLUOp o) -> Value {
        Value ax = arith::MulFOp::create(
            b, loc, a[0], cst(b, loc, t, o.getAlpha().convertToDouble()));
        return arith::MulFOp::create(
            b, loc, arith::MulFOp::create(b, loc, a[0], sigmoid(b, loc, ax)),
            a[1]);
      })
      .Case<ONNXMishOp>([&](auto) -> Value {
        Value sp =
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, a[0]));
        return arith::MulFOp::create(b, loc, a[0],
                                     math::TanhOp::create(b, loc, sp));
      })
      .Default([](Operation *) { return Value(); });
}

/// Element types the lowering handles: floats and integers.
bool supportedElementTypes(Operation *op) {
  auto ok = [](Type t) {
    auto st = dyn_cast<ShapedType>(t);
    if (!st)
      return isa<NoneType>(t);
    Type e = st.getElementType();
    return isa<FloatType, IntegerType>(e);
  };
  return llvm::all_of(op->getOperandTypes(), ok) &&
         llvm::all_of(op->getResultTypes(), ok);
}

/// One op with a scalar body: all operands are elementwise inputs.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    if (!supportedElementTypes(op))
      return unsupported(rewriter, op,
                         "this element type is not supported yet (float and "
                         "signless integer tensors are)");
    bool bad = false;
    // float16/bfloat16 math runs in float32 and is rounded once at the end
    // (LLVM would round after every step), as onnxruntime and the ONNX
    // reference compute it.
    Type et = rt.getElementType();
    bool promote = (et.isF16() || et.isBF16()) &&
                   llvm::all_of(op->getOperandTypes(), [&](Type t) {
                     return cast<ShapedType>(t).getElementType() == et;
                   });
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> in(args);
          if (promote)
            for (Value &v : in)
              v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
          Value v = scalarBody(op, b, loc, in);
          if (!v) {
            bad = true;
            return args[0];
          }
          if (promote && v.getType().isF32())
            v = arith::TruncFOp::create(b, loc, et, v);
          return v;
        });
    if (bad)
      return unsupported(rewriter, op,
                         "this element type is not supported yet");
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Max/Min/Sum/Mean over any number of inputs.
template <typename OpTy> struct VariadicLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    bool f = isa<FloatType>(rt.getElementType());
    bool u = isUnsignedInt(op->getResult(0).getType());
    if (!f && std::is_same_v<OpTy, ONNXMeanOp>)
      return unsupported(rewriter, op, kNeedsFloat);
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value acc = args[0];
          for (Value v : args.drop_front()) {
            if constexpr (std::is_same_v<OpTy, ONNXMaxOp>)
              acc = f   ? floatMax(b, loc, acc, v)
                    : u ? (Value)arith::MaxUIOp::create(b, loc, acc, v)
                        : (Value)arith::MaxSIOp::create(b, loc, acc, v);
            else if constexpr (std::is_same_v<OpTy, ONNXMinOp>)
              acc = f   ? floatMin(b, loc, acc, v)
                    : u ? (Value)arith::MinUIOp::create(b, loc, acc, v)
                        : (Value)arith::MinSIOp::create(b, loc, acc, v);
            else
              acc = f ? (Value)arith::AddFOp::create(b, loc, acc, v)
                      : (Value)arith::AddIOp::create(b, loc, acc, v);
          }
          if constexpr (std::is_same_v<OpTy, ONNXMeanOp>)
            acc = arith::DivFOp::create(
                b, loc, acc, cst(b, loc, acc.getType(), args.size()));
          return acc;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Clip(x, min?, max?): absent bounds are unbounded.
struct ClipLowering : OpConversionPattern<ONNXClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    bool f = isa<FloatType>(rt.getElementType());
    bool u = isUnsignedInt(op->getResult(0).getType());
    SmallVector<Value> inputs = {adaptor.getInput()};
    bool hasMin = !isNoValue(op.getMin()), hasMax = !isNoValue(op.getMax());
    if (hasMin)
      inputs.push_back(adaptor.getMin());
    if (hasMax)
      inputs.push_back(adaptor.getMax());
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, inputs,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value v = args[0];
          auto mx = [&](Value x, Value y) -> Value {
            return f   ? floatMax(b, loc, x, y)
                   : u ? (Value)arith::MaxUIOp::create(b, loc, x, y)
                       : (Value)arith::MaxSIOp::create(b, loc, x, y);
          };
          auto mn = [&](Value x, Value y) -> Value {
            return f   ? floatMin(b, loc, x, y)
                   : u ? (Value)arith::MinUIOp::create(b, loc, x, y)
                       : (Value)arith::MinSIOp::create(b, loc, x, y);
          };
          if (hasMin)
            v = mx(v, args[1]);
          if (hasMax)
            v = mn(v, args[hasMin ? 2 : 1]);
          return v;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of
/// the last two dims, zeros elsewhere.
struct TriluLowering : OpConversionPattern<ONNXTriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() < 2)
      return unsupported(rewriter, op, "needs an input of rank 2 or more");
    bool upper = op.getUpper() != 0;
    int64_t rank = rt.getRank();
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    MLIRContext *ctx = rewriter.getContext();
    auto id = rewriter.getMultiDimIdentityMap(rank);
    // k (a 1-element tensor, possibly known only at run time) is read by
    // every iteration through a map to its element 0.
    SmallVector<Value> ins = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {id};
    bool hasK = !isNoValue(op.getK());
    if (hasK) {
      auto kt = dyn_cast<RankedTensorType>(op.getK().getType());
      if (!kt || kt.getRank() > 1)
        return unsupported(rewriter, op,
                           "k must be a scalar or 1-element tensor");
      ins.push_back(adaptor.getK());
      SmallVector<AffineExpr> zeros(kt.getRank(),
                                    getAffineConstantExpr(0, ctx));
      maps.push_back(AffineMap::get(rank, 0, zeros, ctx));
    }
    maps.push_back(id);
    Value init = emptyOfType(rewriter, loc, rt,
                             dimsOf(rewriter, loc, adaptor.getInput()));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, rt, ins, init, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = linalg::IndexOp::create(b, l, rank - 2);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Value diff = arith::IndexCastOp::create(
              b, l, b.getI64Type(), arith::SubIOp::create(b, l, j, i));
          Value k = hasK ? a[1]
                         : (Value)arith::ConstantOp::create(
                               b, l, b.getI64IntegerAttr(0));
          Value keep = arith::CmpIOp::create(b, l,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, k);
          Value zero = arith::ConstantOp::create(b, l, b.getZeroAttr(et));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, keep, a[0], zero)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Expand: numpy broadcast of the input to the (constant) target shape.
struct ExpandLowering : OpConversionPattern<ONNXExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto it = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!rt || !it)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    // Each result dim is the shape's value, or the input's where the shape
    // says 1 (numpy broadcasting both ways).
    int64_t rank = rt.getRank(), lead = rank - it.getRank();
    SmallVector<OpFoldResult> dims;
    int64_t k =
        cast<RankedTensorType>(adaptor.getShape().getType()).getDimSize(0);
    for (int64_t i = 0; i < rank; ++i) {
      OpFoldResult in = i >= lead
                            ? dimOf(rewriter, loc, adaptor.getInput(), i - lead)
                            : rewriter.getIndexAttr(1);
      if (i < rank - k) {
        dims.push_back(in);
        continue;
      }
      OpFoldResult s =
          indexElement(rewriter, loc, adaptor.getShape(), i - (rank - k));
      if (auto c = getConstantIntValue(s)) {
        dims.push_back(*c == 1 ? in : s);
        continue;
      }
      Value sv = dimValue(rewriter, loc, s);
      dims.push_back(arith::SelectOp::create(
                         rewriter, loc,
                         arith::CmpIOp::create(
                             rewriter, loc, arith::CmpIPredicate::eq, sv,
                             arith::ConstantIndexOp::create(rewriter, loc, 1)),
                         dimValue(rewriter, loc, in), sv)
                         .getResult());
    }
    for (int64_t i = rank - k; i < rank; ++i)
      checkNonNegative(rewriter, loc, dims[i],
                       "the shape makes dimension " + Twine(i) +
                           " of the result negative");
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, rt, adaptor.getInput(),
                [](OpBuilder &, Location, ValueRange a) { return a[0]; }, {},
                dims));
    return success();
  }
};

/// Cast (and CastLike, whose target type is its second operand's) between
/// float and integer types of any width.
template <typename OpTy> struct CastLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !supportedElementTypes(op))
      return unsupported(rewriter, op,
                         "this cast (element types) is not supported yet");
    Type to = rt.getElementType();
    bool fromU = isUnsignedInt(op->getOperand(0).getType());
    bool toU = isUnsignedInt(op->getResult(0).getType());
    bool saturate = op.getSaturate() != 0;
    StringRef roundMode = op.getRoundMode();
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, adaptor.getOperands().front(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          Type from = x.getType();
          if (from == to)
            return x;
          // float8/float4 go through float32 as integer code.
          if (isSmallFloat(from)) {
            x = decodeSmallFloat(b, loc, x);
            from = x.getType();
            if (from == to)
              return x;
          }
          if (isSmallFloat(to)) {
            if (isa<IntegerType>(from))
              x = fromU || from.isInteger(1)
                      ? (Value)arith::UIToFPOp::create(b, loc, b.getF32Type(),
                                                       x)
                      : (Value)arith::SIToFPOp::create(b, loc, b.getF32Type(),
                                                       x);
            return encodeSmallFloat(b, loc, x, to, saturate, roundMode);
          }
          // Floats to integers narrower than a byte wrap (as the reference
          // does): convert to a signed i32, then keep the low bits, so -9
          // becomes 7 in uint4 too (fptoui of a negative is poison).
          if (isa<FloatType>(from) && isa<IntegerType>(to) &&
              to.getIntOrFloatBitWidth() < 8 && !to.isInteger(1))
            return arith::TruncIOp::create(
                b, loc, to, arith::FPToSIOp::create(b, loc, b.getI32Type(), x));
          if (to.isInteger(1))
            return isa<FloatType>(from)
                       ? (Value)arith::CmpFOp::create(b, loc,
                                                      arith::CmpFPredicate::UNE,
                                                      x, cst(b, loc, from, 0.0))
                       : (Value)arith::CmpIOp::create(b, loc,
                                                      arith::CmpIPredicate::ne,
                                                      x, cst(b, loc, from, 0));
          if (isa<FloatType>(from) && isa<FloatType>(to))
            return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
                       ? (Value)arith::ExtFOp::create(b, loc, to, x)
                       : (Value)arith::TruncFOp::create(b, loc, to, x);
          if (isa<FloatType>(from))
            return toU ? (Value)arith::FPToUIOp::create(b, loc, to, x)
                       : (Value)arith::FPToSIOp::create(b, loc, to, x);
          if (isa<FloatType>(to))
            return from.isInteger(1) || fromU
                       ? (Value)arith::UIToFPOp::create(b, loc, to, x)
                       : (Value)arith::SIToFPOp::create(b, loc, to, x);
          unsigned fw = from.getIntOrFloatBitWidth(),
                   tw = to.getIntOrFloatBitWidth();
          if (fw < tw)
            return from.isInteger(1) || fromU
                       ? (Value)arith::ExtUIOp::create(b, loc, to, x)
                       : (Value)arith::ExtSIOp::create(b, loc, to, x);
          return arith::TruncIOp::create(b, loc, to, x);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// BitCast between element types of one width (bool is a byte).
struct BitCastLowering : OpConversionPattern<ONNXBitCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXBitCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Type to = rt.getElementType();
    auto width = [](Type t) {
      return t.isInteger(1) ? 8u : t.getIntOrFloatBitWidth();
    };
    Type from =
        signless(cast<ShapedType>(op.getInput().getType()).getElementType());
    if (width(from) != width(to))
      return unsupported(rewriter, op,
                         "only same-width element types are supported");
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value x = a[0];
          if (x.getType().isInteger(1))
            return arith::ExtUIOp::create(b, loc, to, x);
          if (to.isInteger(1))
            return arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::ne, x,
                arith::ConstantIntOp::create(b, loc, x.getType(), 0));
          return arith::BitcastOp::create(b, loc, to, x);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Identity forwards its input.
template <typename OpTy> struct ForwardLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceFirstResult(rewriter, op, adaptor.getOperands()[0]);
    return success();
  }
};

/// Dropout: in inference (training_mode absent or false) or with ratio 0
/// the output is the input and the mask all true; training-mode dropout
/// with a ratio is random and not supported.
struct DropoutLowering : OpConversionPattern<ONNXDropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool training = false;
    if (!isNoValue(op.getTrainingMode())) {
      auto t = getConstantInts(op.getTrainingMode());
      if (!t)
        return unsupported(rewriter, op,
                           "training_mode must be a constant (training-mode "
                           "dropout is random)");
      training = !t->empty() && (*t)[0] != 0;
    }
    if (training) {
      DenseElementsAttr ratio = isNoValue(op.getRatio())
                                    ? DenseElementsAttr()
                                    : getDenseConstant(op.getRatio());
      bool zero = ratio && ratio.getNumElements() == 1 &&
                  (*ratio.getValues<APFloat>().begin()).isZero();
      if (!zero)
        return unsupported(rewriter, op,
                           "training-mode dropout (random) is not supported");
    }
    SmallVector<Value> results = {adaptor.getData(), Value()};
    if (!isNoValue(op.getMask()) && !op.getMask().use_empty()) {
      auto mt = staticResultType(op, 1);
      if (!mt)
        return unsupported(rewriter, op, kNeedsStaticShapes);
      results[1] = filledTensor(rewriter, op.getLoc(), mt, 1);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// BatchNormalization: y = (x - mean) * scale / sqrt(var + eps) + B,
/// parameters broadcast along dim 1; in training mode with the batch's
/// statistics, and the running mean/var outputs.
struct BatchNormLowering : OpConversionPattern<ONNXBatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXBatchNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()) || rt.getRank() < 2)
      return unsupported(rewriter, op, kNeedsFloat);
    bool training = op.getTrainingMode() != 0;
    if (!training)
      for (unsigned i = 1; i < op->getNumResults(); ++i)
        if (!op->getResult(i).use_empty())
          return unsupported(rewriter, op,
                             "running mean/var outputs need training_mode");
    Location loc = op.getLoc();
    // Per-channel parameters [C] viewed as [C, 1, ...] to broadcast on dim 1.
    SmallVector<int64_t> pshape(rt.getRank() - 1, 1);
    pshape[0] = rt.getDimSize(1);
    Type et = rt.getElementType();
    auto ptype = RankedTensorType::get(pshape, et);
    Value mean = adaptor.getInputMean(), var = adaptor.getInputVar();
    SmallVector<Value> results = {Value(), Value(), Value()};
    if (training) {
      // The batch's mean and (biased) variance per channel; the running
      // statistics blend them with the inputs by momentum.
      int64_t rank = rt.getRank();
      Value x = adaptor.getX();
      SmallVector<OpFoldResult> xd = dimsOf(rewriter, loc, x);
      SmallVector<OpFoldResult> others(xd);
      others.erase(others.begin() + 1);
      // Elements per channel.
      Value count = arith::SIToFPOp::create(
          rewriter, loc, et,
          arith::IndexCastOp::create(
              rewriter, loc, rewriter.getI64Type(),
              dimValue(rewriter, loc, mulDims(rewriter, loc, others))));
      auto ct = RankedTensorType::get({rt.getDimSize(1)}, et);
      SmallVector<utils::IteratorType> iters(rank,
                                             utils::IteratorType::reduction);
      iters[1] = utils::IteratorType::parallel;
      AffineMap all = rewriter.getMultiDimIdentityMap(rank);
      AffineMap chan = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1));
      auto channelMean = [&](Value v, bool square, Value center) {
        SmallVector<Value> ins = {v};
        SmallVector<AffineMap> maps = {all};
        if (center) {
          ins.push_back(center);
          maps.push_back(chan);
        }
        maps.push_back(chan);
        Value sum =
            linalg::GenericOp::create(
                rewriter, loc, ct, ins,
                filledTensor(rewriter, loc, ct, 0, {xd[1]}), maps, iters,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value x = a[0];
                  if (center)
                    x = arith::SubFOp::create(b, l, x, a[1]);
                  if (square)
                    x = arith::MulFOp::create(b, l, x, x);
                  linalg::YieldOp::create(
                      b, l, Value(arith::AddFOp::create(b, l, x, a.back())));
                })
                .getResult(0);
        return buildElementwise(rewriter, loc, ct, sum,
                                [&](OpBuilder &b, Location l, ValueRange a) {
                                  return arith::DivFOp::create(b, l, a[0],
                                                               count);
                                });
      };
      Value batchMean = channelMean(adaptor.getX(), false, Value());
      Value batchVar = channelMean(adaptor.getX(), true, batchMean);
      double m = op.getMomentum().convertToDouble();
      auto blend = [&](Value running, Value current) {
        return buildElementwise(
            rewriter, loc, ct, ValueRange{running, current},
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              return math::FmaOp::create(
                  b, l, a[0], cst(b, l, et, m),
                  arith::MulFOp::create(b, l, a[1], cst(b, l, et, 1 - m)));
            });
      };
      results[1] = blend(mean, batchMean);
      results[2] = blend(var, batchVar);
      mean = batchMean;
      var = batchVar;
    }
    SmallVector<Value> inputs = {adaptor.getX()};
    for (Value p : {adaptor.getScale(), adaptor.getB(), mean, var})
      inputs.push_back(reshapeTo(rewriter, loc, p, ptype));
    double eps = op.getEpsilon().convertToDouble();
    Value r = buildElementwise(
        rewriter, loc, rt, inputs, [&](OpBuilder &b, Location l, ValueRange a) {
          Type t = a[0].getType();
          Value var = arith::AddFOp::create(b, l, a[4], cst(b, l, t, eps));
          Value inv = math::RsqrtOp::create(b, l, var);
          Value s = arith::MulFOp::create(b, l, a[1], inv);
          Value c = arith::SubFOp::create(b, l, a[0], a[3]);
          return math::FmaOp::create(b, l, c, s, a[2]);
        });
    results[0] = r;
    for (unsigned i = 1; i < 3; ++i)
      if (isNoValue(op->getResult(i)) || op->getResult(i).use_empty())
        results[i] = Value();
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// PRelu: x < 0 ? slope * x : x, slope broadcasts.
struct PReluLowering : OpConversionPattern<ONNXPReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXPReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Value r = buildElementwise(
        rewriter, op.getLoc(), rt, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value neg = arith::MulFOp::create(b, loc, a[0], a[1]);
          Value isNeg =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0],
                                    cst(b, loc, a[0].getType(), 0.0));
          return arith::SelectOp::create(b, loc, isNeg, neg, a[0]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void lowering::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<
      ElementwiseLowering<ONNXAddOp>, ElementwiseLowering<ONNXSubOp>,
      ElementwiseLowering<ONNXMulOp>, ElementwiseLowering<ONNXDivOp>,
      ElementwiseLowering<ONNXPowOp>, ElementwiseLowering<ONNXReluOp>,
      ElementwiseLowering<ONNXLeakyReluOp>, ElementwiseLowering<ONNXSigmoidOp>,
      ElementwiseLowering<ONNXHardSigmoidOp>,
      ElementwiseLowering<ONNXHardSwishOp>, ElementwiseLowering<ONNXTanhOp>,
      ElementwiseLowering<ONNXErfOp>, ElementwiseLowering<ONNXExpOp>,
      ElementwiseLowering<ONNXLogOp>, ElementwiseLowering<ONNXSqrtOp>,
      ElementwiseLowering<ONNXSinOp>, ElementwiseLowering<ONNXCosOp>,
      ElementwiseLowering<ONNXFloorOp>, ElementwiseLowering<ONNXCeilOp>,
      ElementwiseLowering<ONNXAbsOp>, ElementwiseLowering<ONNXNegOp>,
      ElementwiseLowering<ONNXReciprocalOp>, ElementwiseLowering<ONNXEluOp>,
      ElementwiseLowering<ONNXSoftplusOp>, ElementwiseLowering<ONNXGeluOp>,
      ElementwiseLowering<ONNXSeluOp>, ElementwiseLowering<ONNXCeluOp>,
      ElementwiseLowering<ONNXEqualOp>, ElementwiseLowering<ONNXLessOp>,
      ElementwiseLowering<ONNXGreaterOp>,
      ElementwiseLowering<ONNXLessOrEqualOp>,
      ElementwiseLowering<ONNXGreaterOrEqualOp>, ElementwiseLowering<ONNXAndOp>,
      ElementwiseLowering<ONNXOrOp>, ElementwiseLowering<ONNXXorOp>,
      ElementwiseLowering<ONNXNotOp>, ElementwiseLowering<ONNXWhereOp>,
      VariadicLowering<ONNXMaxOp>, VariadicLowering<ONNXMinOp>,
      VariadicLowering<ONNXSumOp>, VariadicLowering<ONNXMeanOp>, ClipLowering,
      CastLowering<ONNXCastOp>, CastLowering<ONNXCastLikeOp>, ExpandLowering,
      TriluLowering, ElementwiseLowering<ONNXModOp>,
      ForwardLowering<ONNXIdentityOp>, DropoutLowering, BatchNormLowering,
      PReluLowering, ElementwiseLowering<ONNXBitwiseAndOp>,
      ElementwiseLowering<ONNXBitwiseOrOp>,
      ElementwiseLowering<ONNXBitwiseXorOp>,
      ElementwiseLowering<ONNXBitwiseNotOp>,
      ElementwiseLowering<ONNXBitShiftOp>, ElementwiseLowering<ONNXSoftsignOp>,
      ElementwiseLowering<ONNXSignOp>, ElementwiseLowering<ONNXSinhOp>,
      ElementwiseLowering<ONNXCoshOp>, ElementwiseLowering<ONNXTanOp>,
      ElementwiseLowering<ONNXAsinOp>, ElementwiseLowering<ONNXAcosOp>,
      ElementwiseLowering<ONNXAtanOp>, ElementwiseLowering<ONNXAsinhOp>,
      ElementwiseLowering<ONNXAcoshOp>, ElementwiseLowering<ONNXAtanhOp>,
      ElementwiseLowering<ONNXRoundOp>, ElementwiseLowering<ONNXIsNaNOp>,
      ElementwiseLowering<ONNXIsInfOp>, ElementwiseLowering<ONNXShrinkOp>,
      ElementwiseLowering<ONNXThresholdedReluOp>,
      ElementwiseLowering<ONNXSwishOp>, ElementwiseLowering<ONNXMishOp>,
      BitCastLowering, ElementwiseLowering<ONNXSwiGLUOp>>(ctx);
}
