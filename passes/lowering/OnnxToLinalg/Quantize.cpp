//===- Quantize.cpp - QuantizeLinear, DequantizeLinear and friends --------===//
//
// QuantizeLinear: y = saturate(rint(x / scale) + zero_point) for integer
// types (int2 ... uint16), the float8/float4 conversion of x / scale for
// the small float types. DequantizeLinear: y = (x - zero_point) * scale.
// Scales and zero points are per tensor, per axis (1-D along `axis`) or
// blocked (`block_size` elements of `axis` share one), read through the
// indexing map. DynamicQuantizeLinear computes its uint8 scale and zero
// point from the tensor's range. Arithmetic in float32 (float64 never
// appears in these ops).
//
// A constant float32 scale (every QDQ model's) is divided by as a
// multiplication with its reciprocal, corrected by one fused
// multiply-add (Markstein's step): q0 = x * (1/s), q = q0 + (x - q0 * s)
// * (1/s). `vdivps` costs ten times an FMA's throughput and QDQ models
// requantize every activation (ResNet-50's residual blocks three times
// per element). The corrected quotient equals x / s except where it is
// subnormal; after rounding to an integer no difference is left (checked
// exhaustively over every float x for four scales, and on a million x
// for each of 2000 scales from 1e-8 to 1e3).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "dialects/mcc/MccDialect.h"
#include "passes/common/ConstantData.h"

#include <cmath>

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// The indexing map reading a scale or zero point `param` for an element
/// of `x` (rank `rank`). A 1-D parameter whose length is known only at run
/// time is per axis; when it turns out to have one element, it is
/// expanded along the axis first (`param` is replaced).
FailureOr<AffineMap> paramMap(OpBuilder &b, Location loc, Value &param, Value x,
                              int64_t rank, int64_t axis, int64_t block) {
  MLIRContext *ctx = b.getContext();
  auto pt = cast<RankedTensorType>(param.getType());
  if (!block && pt.getRank() == 1 && pt.isDynamicDim(0)) {
    SmallVector<Value> ops = {param};
    broadcastPrefix(b, loc, ops, {1}, {}, {dimOf(b, loc, x, axis)});
    param = ops[0];
    return AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx), ctx);
  }
  if (pt.hasStaticShape() && pt.getNumElements() == 1 &&
      (pt.getRank() <= 1 || !block)) {
    SmallVector<AffineExpr> zeros(pt.getRank(), getAffineConstantExpr(0, ctx));
    return AffineMap::get(rank, 0, zeros, ctx);
  }
  // Otherwise the parameter's dims must cover x's at run time: a static
  // [3] scale read along a symbolic axis of 300000 read far past its end.
  if (!block) {
    if (pt.getRank() != 1)
      return failure();
    checkSameDim(b, loc, dimOf(b, loc, param, 0), dimOf(b, loc, x, axis),
                 "a per-axis scale or zero point needs one element per "
                 "index of axis " +
                     Twine(axis));
    return AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx), ctx);
  }
  if (pt.getRank() != rank)
    return failure();
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult want = dimOf(b, loc, x, d);
    if (d == axis)
      want = affine::makeComposedFoldedAffineApply(
          b, loc, AffineMap::get(0, 1, b.getAffineSymbolExpr(0).ceilDiv(block)),
          {want});
    checkSameDim(b, loc, dimOf(b, loc, param, d), want,
                 "a blocked scale or zero point needs dimension " + Twine(d) +
                     " of " +
                     (d == axis ? Twine("ceil(input's / block_size)")
                                : Twine("the input's")));
  }
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(d == axis ? getAffineDimExpr(d, ctx).floorDiv(block)
                              : getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// A quantized scalar (any integer or small float) as float32.
Value quantizedToF32(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type t = v.getType();
  if (isSmallFloat(t))
    return decodeSmallFloat(b, loc, v);
  if (isa<IntegerType>(t))
    return isUnsigned
               ? (Value)arith::UIToFPOp::create(b, loc, b.getF32Type(), v)
               : (Value)arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
  return toFloat(b, loc, v, b.getF32Type());
}

/// The reciprocals of a constant f32 `scale` (same shape), or null when
/// it is not one or a reciprocal would not be a normal float.
Value reciprocalScale(OpBuilder &b, Location loc, Value scale) {
  ElementsAttr attr = mcc::constantElements(scale);
  auto st = dyn_cast<RankedTensorType>(scale.getType());
  if (!attr || !st || !st.getElementType().isF32())
    return Value();
  std::optional<SmallVector<float>> values = mcc::elementsToFloats(attr);
  if (!values)
    return Value();
  SmallVector<float> r;
  for (float s : *values) {
    float v = 1.0f / s;
    if (!std::isnormal(s) || !std::isnormal(v))
      return Value();
    r.push_back(v);
  }
  return mcc::createResourceConstant(b, loc, st, r, "mcc_rcp_scale");
}

/// x / s from x, s and r = 1/s: x * r with one correction step, which
/// gives the quotient to the last bit except in the subnormal range (see
/// the file comment). An infinite or NaN x keeps x * r (the correction
/// would be NaN).
Value divideByReciprocal(OpBuilder &b, Location loc, Value x, Value s,
                         Value r) {
  Value q0 = arith::MulFOp::create(b, loc, x, r);
  Value rem =
      math::FmaOp::create(b, loc, arith::NegFOp::create(b, loc, q0), s, x);
  Value q1 = math::FmaOp::create(b, loc, rem, r, q0);
  Value bad = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, q1, q1);
  return arith::SelectOp::create(b, loc, bad, q0, q1);
}

/// rint(q) + zp clamped to the integer type `to` (signed or not).
Value saturateToInt(OpBuilder &b, Location loc, Value q, Value zp, Type to,
                    bool isUnsigned) {
  unsigned w = to.getIntOrFloatBitWidth();
  double lo = isUnsigned ? 0 : -std::ldexp(1.0, w - 1);
  double hi = isUnsigned ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
  Type f32 = b.getF32Type();
  Value r = math::RoundEvenOp::create(b, loc, q);
  if (zp)
    r = arith::AddFOp::create(b, loc, r, zp);
  r = arith::MaximumFOp::create(b, loc, r, scalarConstant(b, loc, f32, lo));
  r = arith::MinimumFOp::create(b, loc, r, scalarConstant(b, loc, f32, hi));
  Value i = arith::FPToSIOp::create(b, loc, b.getI32Type(), r);
  return w < 32 ? (Value)arith::TruncIOp::create(b, loc, to, i) : i;
}

struct QuantizeLinearLowering : OpConversionPattern<ONNXQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Type to = rt.getElementType();
    bool toU = isUnsignedInt(op.getY().getType());
    Location loc = op.getLoc();
    if (!isSmallFloat(to) && !isa<IntegerType>(to))
      return unsupported(rewriter, op, "this output type is not supported yet");
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value x = adaptor.getX(), scale = adaptor.getYScale();
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    auto sm = paramMap(rewriter, loc, scale, x, rank, axis, op.getBlockSize());
    if (failed(sm))
      return unsupported(rewriter, op, "unexpected scale shape");
    maps.push_back(*sm);
    SmallVector<Value> ins = {x, scale};
    // Integer outputs of a constant scale: its reciprocals ride along.
    Value rcp =
        isa<IntegerType>(to) ? reciprocalScale(rewriter, loc, scale) : Value();
    if (rcp) {
      ins.push_back(rcp);
      maps.push_back(*sm);
    }
    int64_t zpArg = ins.size();
    bool hasZp = !isNoValue(op.getYZeroPoint());
    // Float8 zero points are 0 by definition (the reference ignores them).
    bool useZp = hasZp && !(isSmallFloat(to) && !isa<Float4E2M1FNType>(to));
    if (useZp) {
      Value zp = adaptor.getYZeroPoint();
      auto zm = paramMap(rewriter, loc, zp, x, rank, axis, op.getBlockSize());
      if (failed(zm))
        return unsupported(rewriter, op, "unexpected zero point shape");
      ins.push_back(zp);
      maps.push_back(*zm);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    bool saturate = op.getSaturate() != 0;
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, ins,
        emptyOfType(rewriter, loc, rt, dimsOf(rewriter, loc, x)), maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value xf = quantizedToF32(b, l, a[0], false);
          Value sf = quantizedToF32(b, l, a[1], false);
          Value q = rcp ? divideByReciprocal(b, l, xf, sf, a[2])
                        : (Value)arith::DivFOp::create(b, l, xf, sf);
          Value zp = useZp ? quantizedToF32(b, l, a[zpArg], toU) : Value();
          Value y;
          if (isSmallFloat(to)) {
            if (zp)
              q = arith::AddFOp::create(b, l, q, zp);
            y = encodeSmallFloat(b, l, q, to, saturate);
          } else {
            y = saturateToInt(b, l, q, zp, to, toU);
          }
          linalg::YieldOp::create(b, l, y);
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

struct DequantizeLinearLowering : OpConversionPattern<ONNXDequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Type xe = cast<ShapedType>(op.getX().getType()).getElementType();
    bool xU = isUnsignedInt(xe);
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Location loc = op.getLoc();
    Value x = adaptor.getX(), scale = adaptor.getXScale();
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    auto sm = paramMap(rewriter, loc, scale, x, rank, axis, op.getBlockSize());
    if (failed(sm))
      return unsupported(rewriter, op, "unexpected scale shape");
    maps.push_back(*sm);
    SmallVector<Value> ins = {x, scale};
    bool useZp = !isNoValue(op.getXZeroPoint()) && !isSmallFloat(xe);
    if (useZp) {
      Value zp = adaptor.getXZeroPoint();
      auto zm = paramMap(rewriter, loc, zp, x, rank, axis, op.getBlockSize());
      if (failed(zm))
        return unsupported(rewriter, op, "unexpected zero point shape");
      ins.push_back(zp);
      maps.push_back(*zm);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Type to = rt.getElementType();
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, ins,
        emptyOfType(rewriter, loc, rt, dimsOf(rewriter, loc, x)), maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = quantizedToF32(b, l, a[0], xU);
          if (useZp)
            x = arith::SubFOp::create(b, l, x, quantizedToF32(b, l, a[2], xU));
          Value y =
              arith::MulFOp::create(b, l, x, quantizedToF32(b, l, a[1], false));
          linalg::YieldOp::create(b, l, toFloat(b, l, y, to));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// DynamicQuantizeLinear: scale = (max(0, max x) - min(0, min x)) / 255,
/// zero point = saturate(rint(-min(0, min x) / scale)), y as QuantizeLinear.
struct DynamicQuantizeLowering
    : OpConversionPattern<ONNXDynamicQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!rt || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t rank = xt.getRank();
    Type f32 = rewriter.getF32Type(), u8 = rt.getElementType();
    auto scalarT = RankedTensorType::get({}, f32);
    AffineMap all = rewriter.getMultiDimIdentityMap(rank);
    AffineMap none = AffineMap::get(rank, 0, {}, getContext());
    // Min and max in one pass, both starting at 0 (the range includes 0);
    // with signed zeros unordered, LLVM vectorizes it (IEEE minimum and
    // maximum kept it scalar: 0.54 ms per BERT activation, now 0.10).
    auto mm = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarT, scalarT}, adaptor.getX(),
        ValueRange{filledTensor(rewriter, loc, scalarT, 0),
                   filledTensor(rewriter, loc, scalarT, 0)},
        SmallVector<AffineMap>{all, none, none},
        SmallVector<IteratorType>(rank, IteratorType::reduction),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l,
                                  ValueRange{floatMin(b, l, a[0], a[1]),
                                             floatMax(b, l, a[0], a[2])});
        });
    auto u8T = RankedTensorType::get({}, u8);
    auto params = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarT, u8T},
        ValueRange{mm.getResult(0), mm.getResult(1)},
        ValueRange{Value(tensor::EmptyOp::create(rewriter, loc,
                                                 ArrayRef<int64_t>{}, f32)),
                   Value(tensor::EmptyOp::create(rewriter, loc,
                                                 ArrayRef<int64_t>{}, u8))},
        SmallVector<AffineMap>(4, AffineMap::get(0, 0, {}, getContext())),
        SmallVector<IteratorType>{},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value scale = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, a[1], a[0]),
              scalarConstant(b, l, f32, 255.0));
          Value zp =
              saturateToInt(b, l,
                            arith::DivFOp::create(
                                b, l, arith::NegFOp::create(b, l, a[0]), scale),
                            Value(), u8, true);
          linalg::YieldOp::create(b, l, ValueRange{scale, zp});
        });
    Value scale = params.getResult(0), zp = params.getResult(1);
    auto y = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{adaptor.getX(), scale, zp},
        emptyOfType(rewriter, loc, rt, dimsOf(rewriter, loc, adaptor.getX())),
        SmallVector<AffineMap>{all, none, none, all},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value q = arith::DivFOp::create(b, l, a[0], a[1]);
          Value z = arith::UIToFPOp::create(b, l, f32, a[2]);
          linalg::YieldOp::create(b, l, saturateToInt(b, l, q, z, u8, true));
        });
    auto want = [&](unsigned i, Value v) {
      auto t = resultType(op, i);
      return t ? reshapeTo(rewriter, loc, v, t) : v;
    };
    rewriter.replaceOp(op, {y.getResult(0), want(1, scale), want(2, zp)});
    return success();
  }
};

} // namespace

bool lowering::isPerTensor(Value v) {
  auto t = cast<ShapedType>(v.getType());
  return t.hasStaticShape() && t.getNumElements() == 1;
}

bool lowering::perTensorParam(OpBuilder &b, Location loc, Value &v,
                              const Twine &what) {
  if (isPerTensor(v))
    return true;
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 1 || !t.isDynamicDim(0))
    return false;
  checkSameDim(b, loc, dimOf(b, loc, v, 0), b.getIndexAttr(1),
               what + " must have one element");
  v = tensor::CastOp::create(b, loc,
                             RankedTensorType::get({1}, t.getElementType()), v);
  return true;
}

/// Whether `v` is a ranked 1-D tensor (per axis).
static bool isVector(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 1;
}

FailureOr<Value> lowering::widenMinusZeroPoint(OpBuilder &b, Location loc,
                                               Value x, bool xU, Value zp,
                                               bool zpU, int64_t zpDim) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t rank = t.getRank();
  SmallVector<Value> ins = {x};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  if (zp) {
    if (!isPerTensor(zp) && (zpDim < 0 || zpDim >= rank))
      return failure();
    auto m = paramMap(b, loc, zp, x, rank, zpDim, 0);
    if (failed(m))
      return failure();
    ins.push_back(zp);
    maps.push_back(*m);
  }
  Type i32 = b.getI32Type();
  auto ext = [&](OpBuilder &nb, Location l, Value v, bool u) -> Value {
    return u ? (Value)arith::ExtUIOp::create(nb, l, i32, v)
             : (Value)arith::ExtSIOp::create(nb, l, i32, v);
  };
  return buildElementwise(
      b, loc, RankedTensorType::get(t.getShape(), i32), ins,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v = ext(nb, l, a[0], xU);
        if (a.size() > 1)
          v = arith::SubIOp::create(nb, l, v, ext(nb, l, a[1], zpU));
        return v;
      },
      maps);
}

/// saturate(rint(acc * (sa * sb / sy)) + zy) in the integer type `to`:
/// the multiplier in the scales' type, the product in float64 (as numpy
/// promotes int32 * float).
static Value requantize(OpBuilder &b, Location l, Value acc, Value sa, Value sb,
                        Value sy, Value zy, Type to, bool yU) {
  Type f64 = b.getF64Type();
  Value mult =
      arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, sa, sb), sy);
  Value d = arith::MulFOp::create(b, l, arith::SIToFPOp::create(b, l, f64, acc),
                                  toFloat(b, l, mult, f64));
  Value zp = yU ? (Value)arith::UIToFPOp::create(b, l, f64, zy)
                : (Value)arith::SIToFPOp::create(b, l, f64, zy);
  d = math::RoundEvenOp::create(b, l, arith::AddFOp::create(b, l, d, zp));
  unsigned w = to.getIntOrFloatBitWidth();
  double lo = yU ? 0 : -std::ldexp(1.0, w - 1);
  double hi = yU ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
  d = arith::MaximumFOp::create(b, l, d, scalarConstant(b, l, f64, lo));
  d = arith::MinimumFOp::create(b, l, d, scalarConstant(b, l, f64, hi));
  return arith::TruncIOp::create(
      b, l, to, arith::FPToSIOp::create(b, l, b.getI32Type(), d));
}

FailureOr<Value> lowering::requantizeTensor(OpBuilder &b, Location loc,
                                            RankedTensorType rt, Value acc,
                                            Value sa, Value sb, Value sy,
                                            Value zy, bool yU,
                                            ArrayRef<int64_t> axes) {
  int64_t rank = rt.getRank();
  SmallVector<Value> ins = {acc, sa, sb, sy, zy};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  for (auto [i, axis] : llvm::enumerate(axes)) {
    Value &v = ins[i + 1];
    if (!isPerTensor(v) && (axis < 0 || axis >= rank))
      return failure();
    auto m = paramMap(b, loc, v, acc, rank, axis, 0);
    if (failed(m))
      return failure();
    maps.push_back(*m);
  }
  Type to = rt.getElementType();
  return buildElementwise(
      b, loc, rt, ins,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return requantize(nb, l, a[0], a[1], a[2], a[3], a[4], to, yU);
      },
      maps);
}

namespace {

/// The i32 product of (A - a_zp) and (B - b_zp), through onnx.MatMul on
/// i32 (lowered by the MatMul pattern), for any dims; zero points per
/// tensor, A's per row, B's per column.
FailureOr<Value> integerMatMul(ConversionPatternRewriter &rewriter,
                               Operation *op, Value a, Value aZp, Value b,
                               Value bZp) {
  Location loc = op->getLoc();
  auto shapeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  bool aU = isUnsignedInt(op->getOperand(0).getType());
  auto a32 = widenMinusZeroPoint(rewriter, loc, a, aU, aZp, aU,
                                 shapeOf(a).getRank() - 2);
  unsigned bIdx = isa<ONNXMatMulIntegerOp>(op) ? 1 : 3;
  bool bU = isUnsignedInt(op->getOperand(bIdx).getType());
  auto b32 = widenMinusZeroPoint(rewriter, loc, b, bU, bZp, bU,
                                 shapeOf(b).getRank() - 1);
  auto rt = resultType(op);
  if (failed(a32) || failed(b32) || !rt)
    return failure();
  auto i32T = RankedTensorType::get(rt.getShape(), rewriter.getI32Type());
  return ONNXMatMulOp::create(rewriter, loc, i32T, *a32, *b32).getResult();
}

/// The i32 product as mcc.qmatmul, for any dims, when B is a matrix and
/// the zero points are per tensor (B's may be per column): the form
/// quantizers write, and the one int8-matmul-kernels compiles. Null when
/// the operands do not fit it (a vector A, batched B, per-row A zero
/// points).
Value qmatmul(ConversionPatternRewriter &rewriter, Operation *op, Value a,
              Value aZp, Value b, Value bZp) {
  Location loc = op->getLoc();
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  auto rt = resultType(op);
  if (!rt || at.getRank() < 2 || bt.getRank() != 2 ||
      !at.getElementType().isInteger(8) || !bt.getElementType().isInteger(8) ||
      (aZp && !isPerTensor(aZp)))
    return Value();
  if (bZp && !isPerTensor(bZp)) {
    if (!isVector(bZp))
      return Value();
    checkSameDim(rewriter, loc, dimOf(rewriter, loc, bZp, 0),
                 dimOf(rewriter, loc, b, 1),
                 "b_zero_point needs one element per column of B");
  }
  int64_t r = at.getRank();
  checkSameDim(rewriter, loc, dimOf(rewriter, loc, a, r - 1),
               dimOf(rewriter, loc, b, 0),
               "the inner dimensions of A and B differ");
  auto zero = [&]() -> Value {
    auto t = RankedTensorType::get({}, rewriter.getI8Type());
    return arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(t, rewriter.getI8IntegerAttr(0)));
  };
  SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, a);
  dims.back() = dimOf(rewriter, loc, b, 1);
  auto declared = RankedTensorType::get(rt.getShape(), rewriter.getI32Type());
  dims = withDeclaredDims(rewriter, loc, dims, declared);
  Value init = emptyTensor(rewriter, loc, dims, rewriter.getI32Type());
  auto q = QMatMulOp::create(rewriter, loc, init.getType(), a, b,
                             aZp ? aZp : zero(), bZp ? bZp : zero(), init);
  if (isUnsignedInt(op->getOperand(0).getType()))
    q.setAUnsigned(true);
  unsigned bIdx = isa<ONNXMatMulIntegerOp>(op) ? 1 : 3;
  if (isUnsignedInt(op->getOperand(bIdx).getType()))
    q.setBUnsigned(true);
  return reshapeTo(rewriter, loc, q.getResult(), declared);
}

/// MatMulInteger: mcc.qmatmul where it fits, else the i32 onnx.MatMul of
/// the widened operands (static shapes).
struct MatMulIntegerLowering : OpConversionPattern<ONNXMatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value aZp =
        isNoValue(op.getAZeroPoint()) ? Value() : adaptor.getAZeroPoint();
    Value bZp =
        isNoValue(op.getBZeroPoint()) ? Value() : adaptor.getBZeroPoint();
    if (Value q =
            qmatmul(rewriter, op, adaptor.getA(), aZp, adaptor.getB(), bZp)) {
      rewriter.replaceOp(op, q);
      return success();
    }
    auto c =
        integerMatMul(rewriter, op, adaptor.getA(), aZp, adaptor.getB(), bZp);
    if (failed(c))
      return unsupported(rewriter, op, kZeroPointShapes);
    rewriter.replaceOp(op, *c);
    return success();
  }
};

/// QLinearMatMul: saturate(rint(C * (sa * sb / sy)) + zy), C the integer
/// product; the multiplier in the scales' type, the product in float64
/// (as numpy promotes int32 * float). A's and Y's parameters per tensor or
/// per row, B's per tensor or per column.
struct QLinearMatMulLowering : OpConversionPattern<ONNXQLinearMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQLinearMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<IntegerType>(rt.getElementType()))
      return unsupported(rewriter, op, "needs 8-bit integer types");
    Location loc = op.getLoc();
    Value c = qmatmul(rewriter, op, adaptor.getA(), adaptor.getAZeroPoint(),
                      adaptor.getB(), adaptor.getBZeroPoint());
    if (!c) {
      auto m =
          integerMatMul(rewriter, op, adaptor.getA(), adaptor.getAZeroPoint(),
                        adaptor.getB(), adaptor.getBZeroPoint());
      if (failed(m))
        return unsupported(rewriter, op, kZeroPointShapes);
      c = *m;
    }
    // Rows and columns of the result (a 1-D A or B has none of its own).
    int64_t r = rt.getRank();
    int64_t aRank = cast<RankedTensorType>(adaptor.getA().getType()).getRank();
    int64_t bRank = cast<RankedTensorType>(adaptor.getB().getType()).getRank();
    int64_t rows = aRank >= 2 ? r - (bRank >= 2 ? 2 : 1) : -1;
    int64_t cols = bRank >= 2 ? r - 1 : -1;
    auto y = requantizeTensor(
        rewriter, loc, rt, c, adaptor.getAScale(), adaptor.getBScale(),
        adaptor.getYScale(), adaptor.getYZeroPoint(),
        isUnsignedInt(op.getY().getType()), {rows, cols, rows, rows});
    if (failed(y))
      return unsupported(rewriter, op, kZeroPointShapes);
    rewriter.replaceOp(op, *y);
    return success();
  }
};

} // namespace

void lowering::populateQuantizePatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearLowering, DequantizeLinearLowering,
               DynamicQuantizeLowering, MatMulIntegerLowering,
               QLinearMatMulLowering>(patterns.getContext());
}
