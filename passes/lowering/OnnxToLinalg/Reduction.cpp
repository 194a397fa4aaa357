//===- Reduction.cpp - Reduce* and Softmax to linalg ----------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

enum class Kind { Sum, Mean, Max, Min, Prod, SumSquare, L2 };

/// Reduces `x` over `reduced` dims into a tensor of the kept dims.
Value reduceDims(OpBuilder &b, Location loc, Value x, ArrayRef<bool> reduced,
                 Kind kind) {
  auto xt = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  Type et = xt.getElementType();
  SmallVector<int64_t> kept;
  SmallVector<AffineExpr> oe;
  SmallVector<IteratorType> iters;
  for (int64_t i = 0; i < xt.getRank(); ++i) {
    iters.push_back(reduced[i] ? IteratorType::reduction
                               : IteratorType::parallel);
    if (!reduced[i]) {
      kept.push_back(xt.getDimSize(i));
      oe.push_back(getAffineDimExpr(i, ctx));
    }
  }
  auto rt = RankedTensorType::get(kept, et);
  double inf = std::numeric_limits<double>::infinity();
  double initV = kind == Kind::Max    ? -inf
                 : kind == Kind::Min  ? inf
                 : kind == Kind::Prod ? 1.0
                                      : 0.0;
  Value init = filledTensor(b, loc, rt, initV);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(xt.getRank()),
                                 AffineMap::get(xt.getRank(), 0, oe, ctx)};
  return linalg::GenericOp::create(
             b, loc, rt, x, init, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value v = a[0], acc = a[1], r;
               switch (kind) {
               case Kind::Max:
                 r = arith::MaximumFOp::create(nb, l, v, acc);
                 break;
               case Kind::Min:
                 r = arith::MinimumFOp::create(nb, l, v, acc);
                 break;
               case Kind::Prod:
                 r = arith::MulFOp::create(nb, l, v, acc);
                 break;
               case Kind::SumSquare:
               case Kind::L2:
                 r = math::FmaOp::create(nb, l, v, v, acc);
                 break;
               default:
                 r = arith::AddFOp::create(nb, l, v, acc);
               }
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

template <typename OpTy, Kind K>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getData().getType());
    if (!rt || !xt || !xt.hasStaticShape() ||
        !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsStaticFloat);
    SmallVector<int64_t> axes;
    if (!isNoValue(op.getAxes())) {
      auto c = getConstantInts(op.getAxes());
      if (!c)
        return unsupported(rewriter, op, "axes must be a constant");
      axes = *c;
    }
    Location loc = op.getLoc();
    if (axes.empty() && op.getNoopWithEmptyAxes()) {
      rewriter.replaceOp(op, adaptor.getData());
      return success();
    }
    SmallVector<bool> reduced(xt.getRank(), axes.empty());
    int64_t count = 1;
    for (int64_t a : axes)
      reduced[normalizeAxis(a, xt.getRank())] = true;
    for (int64_t i = 0; i < xt.getRank(); ++i)
      if (reduced[i])
        count *= xt.getDimSize(i);
    Value r = reduceDims(rewriter, loc, adaptor.getData(), reduced, K);
    auto kt = cast<RankedTensorType>(r.getType());
    if (K == Kind::Mean || K == Kind::L2)
      r = buildElementwise(
          rewriter, loc, kt, r,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (K == Kind::L2)
              return math::SqrtOp::create(b, l, a[0]);
            return arith::DivFOp::create(
                b, l, a[0], scalarConstant(b, l, a[0].getType(), count));
          });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, rt));
    return success();
  }
};

/// Softmax / LogSoftmax along one axis (opset >= 13 semantics):
/// max, exp(x - max), sum, then divide (or subtract the log of the sum).
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsStaticFloat);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value x = adaptor.getInput();
    // [.., 1, ..] views so the reductions broadcast back along the axis.
    SmallVector<int64_t> keep(rt.getShape());
    keep[axis] = 1;
    auto keepT = RankedTensorType::get(keep, rt.getElementType());
    Value mx = reshapeTo(
        rewriter, loc, reduceDims(rewriter, loc, x, reduced, Kind::Max), keepT);
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
    Value sum =
        reshapeTo(rewriter, loc,
                  reduceDims(rewriter, loc, sumIn, reduced, Kind::Sum), keepT);
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

/// ArgMax / ArgMin: one generic with two accumulators (best value, its
/// index from linalg.index); ties keep the first index unless
/// select_last_index.
template <typename OpTy, bool IsMax>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getData().getType());
    if (!rt || !xt || !xt.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Type et = xt.getElementType();
    bool isFloat = isa<FloatType>(et);
    if (!isFloat && !et.isSignlessInteger())
      return unsupported(rewriter, op,
                         "this element type is not supported yet (float and "
                         "signless integer tensors are)");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = xt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool last = op.getSelectLastIndex() != 0;
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> oe;
    SmallVector<utils::IteratorType> iters;
    for (int64_t i = 0; i < rank; ++i) {
      iters.push_back(i == axis ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
      if (i != axis) {
        kept.push_back(xt.getDimSize(i));
        oe.push_back(getAffineDimExpr(i, ctx));
      }
    }
    auto valT = RankedTensorType::get(kept, et);
    auto idxT = RankedTensorType::get(kept, rewriter.getI64Type());
    Value worst;
    if (isFloat) {
      double inf = std::numeric_limits<double>::infinity();
      worst = filledTensor(rewriter, loc, valT, IsMax ? -inf : inf);
    } else {
      unsigned w = et.getIntOrFloatBitWidth();
      APInt v =
          IsMax ? APInt::getSignedMinValue(w) : APInt::getSignedMaxValue(w);
      Value c = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getIntegerAttr(et, v));
      worst = linalg::FillOp::create(
                  rewriter, loc, c,
                  tensor::EmptyOp::create(rewriter, loc, kept, et).getResult())
                  .getResult(0);
    }
    Value zeros = filledTensor(rewriter, loc, idxT, 0.0);
    AffineMap outMap = AffineMap::get(rank, 0, oe, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valT, idxT}, adaptor.getData(),
        ValueRange{worst, zeros},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                               outMap},
        iters, [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0], best = a[1], bestIdx = a[2];
          Value better;
          if (isFloat) {
            using P = arith::CmpFPredicate;
            P p = IsMax ? (last ? P::OGE : P::OGT) : (last ? P::OLE : P::OLT);
            better = arith::CmpFOp::create(b, l, p, x, best);
          } else {
            using P = arith::CmpIPredicate;
            P p = IsMax ? (last ? P::sge : P::sgt) : (last ? P::sle : P::slt);
            better = arith::CmpIOp::create(b, l, p, x, best);
          }
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, best),
                         arith::SelectOp::create(b, l, better, i, bestIdx)});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1), rt));
    return success();
  }
};

/// LayerNormalization over dims [axis, rank): (x - mean) / sqrt(var + eps)
/// * scale + bias, in the input's float type; Mean and InvStdDev (kept
/// dims of size 1) when they are used.
struct LayerNormLowering : OpConversionPattern<ONNXLayerNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLayerNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsStaticFloat);
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    bool wantStats =
        !op.getMean().use_empty() || !op.getInvStdDev().use_empty();
    if (wantStats && !et.isF32())
      return unsupported(rewriter, op,
                         "the Mean and InvStdDev outputs need float32 input");
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    SmallVector<int64_t> keep(rt.getShape());
    for (int64_t d = axis; d < rank; ++d) {
      reduced[d] = true;
      keep[d] = 1;
    }
    auto keepT = RankedTensorType::get(keep, et);
    Value x = adaptor.getX();
    double n = 1;
    for (int64_t d = axis; d < rank; ++d)
      n *= rt.getDimSize(d);
    auto divideByN = [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(b, l, a[0], scalarConstant(b, l, et, n));
    };
    // reduceDims sums; the mean divides by the group size.
    Value mean = buildElementwise(
        rewriter, loc, keepT,
        reshapeTo(rewriter, loc,
                  reduceDims(rewriter, loc, x, reduced, Kind::Sum), keepT),
        divideByN);
    Value centered =
        buildElementwise(rewriter, loc, rt, ValueRange{x, mean},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::SubFOp::create(b, l, a[0], a[1]);
                         });
    Value var = reshapeTo(
        rewriter, loc,
        reduceDims(rewriter, loc, centered, reduced, Kind::SumSquare), keepT);
    double eps = op.getEpsilon().convertToDouble();
    // 1 / sqrt(sum((x - mean)^2) / n + eps), per normalized group.
    Value invStd = buildElementwise(
        rewriter, loc, keepT, var,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v =
              arith::DivFOp::create(b, l, a[0], scalarConstant(b, l, et, n));
          return math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, v, scalarConstant(b, l, et, eps)));
        });
    SmallVector<Value> ins = {centered, invStd, adaptor.getScale()};
    bool hasBias = !isNoValue(op.getB());
    if (hasBias)
      ins.push_back(adaptor.getB());
    Value y = buildElementwise(
        rewriter, loc, rt, ins,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value r = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2]);
          return hasBias ? (Value)arith::AddFOp::create(b, l, r, a[3]) : r;
        });
    SmallVector<Value> results = {y, Value(), Value()};
    if (!op.getMean().use_empty())
      results[1] = mean;
    if (!op.getInvStdDev().use_empty())
      results[2] = invStd;
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ReduceLowering<ONNXReduceSumOp, Kind::Sum>,
           ReduceLowering<ONNXReduceMeanOp, Kind::Mean>,
           ReduceLowering<ONNXReduceMaxOp, Kind::Max>,
           ReduceLowering<ONNXReduceMinOp, Kind::Min>,
           ReduceLowering<ONNXReduceProdOp, Kind::Prod>,
           ReduceLowering<ONNXReduceSumSquareOp, Kind::SumSquare>,
           ReduceLowering<ONNXReduceL2Op, Kind::L2>,
           SoftmaxLowering<ONNXSoftmaxOp, false>,
           SoftmaxLowering<ONNXLogSoftmaxOp, true>, LayerNormLowering,
           ArgLowering<ONNXArgMaxOp, true>, ArgLowering<ONNXArgMinOp, false>>(
          patterns.getContext());
}
