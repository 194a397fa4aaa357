//===- Softmax.cpp - Softmax, LogSoftmax and Hardmax to linalg ------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using Kind = ReduceKind;

/// The dims Softmax, LogSoftmax and Hardmax normalize over: `axis` from
/// opset 13; before it (kFlattenedAxisAttr), the input was flattened to
/// 2-D at `axis` and normalized over everything from it on.
SmallVector<bool> normalizedDims(Operation *op, int64_t axis, int64_t rank) {
  SmallVector<bool> reduced(rank, false);
  bool legacy = op->hasAttr(kFlattenedAxisAttr);
  for (int64_t d = axis; d < rank; ++d)
    reduced[d] = d == axis || legacy;
  return reduced;
}

/// Softmax / LogSoftmax over normalizedDims: max, exp(x - max), sum, then
/// divide (or subtract the log of the sum).
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced = normalizedDims(op, axis, rank);
    Value x = adaptor.getInput();
    // [.., 1, ..] views so the reductions broadcast back along the axis.
    Value mx = reduceKeep(rewriter, loc, x, reduced, Kind::Max);
    Value e = buildElementwise(
        rewriter, loc, rt, ValueRange{x, mx},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value d = arith::SubFOp::create(b, l, a[0], a[1]);
          return IsLog ? d : (Value)math::ExpOp::create(b, l, d);
        });
    Value sumIn = e;
    if (IsLog)
      sumIn = buildElementwise(rewriter, loc, rt, e,
                               [](OpBuilder &b, Location l, ValueRange a) {
                                 return math::ExpOp::create(b, l, a[0]);
                               });
    Value sum = reduceKeep(rewriter, loc, sumIn, reduced, Kind::Sum);
    Value r =
        buildElementwise(rewriter, loc, rt, ValueRange{e, sum},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           if (IsLog)
                             return arith::SubFOp::create(
                                 b, l, a[0], math::LogOp::create(b, l, a[1]));
                           return arith::DivFOp::create(b, l, a[0], a[1]);
                         });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
struct HardmaxLowering : OpConversionPattern<ONNXHardmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXHardmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced = normalizedDims(op, axis, rank);
    Value x = adaptor.getInput();
    Value mx = reduceKeep(rewriter, loc, x, reduced, Kind::Max);
    // Positions in the normalized dims, row-major (one dim from opset 13).
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> sizes;
    Value size = arith::ConstantIntOp::create(rewriter, loc, i64, 1);
    for (int64_t d = axis; d < rank; ++d)
      if (reduced[d]) {
        sizes.push_back(arith::IndexCastOp::create(
            rewriter, loc, i64,
            dimValue(rewriter, loc, dimOf(rewriter, loc, x, d))));
        size = arith::MulIOp::create(rewriter, loc, size, sizes.back());
      }
    auto position = [&](OpBuilder &b, Location l) -> Value {
      Value i = arith::ConstantIntOp::create(b, l, i64, 0);
      for (int64_t d = axis, k = 0; d < rank; ++d)
        if (reduced[d])
          i = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, i, sizes[k++]),
              arith::IndexCastOp::create(b, l, i64,
                                         linalg::IndexOp::create(b, l, d)));
      return i;
    };
    // The first position holding the max: min over the normalized dims
    // of (x == max ? position : size).
    auto idxT = RankedTensorType::get(rt.getShape(), i64);
    Value where =
        buildElementwise(rewriter, loc, idxT, ValueRange{x, mx},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value i = position(b, l);
                           Value eq = arith::CmpFOp::create(
                               b, l, arith::CmpFPredicate::OEQ, a[0], a[1]);
                           return arith::SelectOp::create(b, l, eq, i, size);
                         });
    Value first = reduceKeep(rewriter, loc, where, reduced, Kind::Min);
    Value y = buildElementwise(
        rewriter, loc, rt, ValueRange{where, first},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = position(b, l);
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, a[1]);
          Type t = rt.getElementType();
          return arith::SelectOp::create(b, l, hit, scalarConstant(b, l, t, 1),
                                         scalarConstant(b, l, t, 0));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateSoftmaxPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering<ONNXSoftmaxOp, false>,
               SoftmaxLowering<ONNXLogSoftmaxOp, true>, HardmaxLowering>(
      patterns.getContext());
}
