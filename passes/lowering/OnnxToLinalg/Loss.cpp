//===- Loss.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ------===//
//
// loss[n, d...] = -x[n, t, d...] * w[t] with t = target[n, d...], weight w
// (1 when absent), and weight 0 where t == ignore_index; reduction 'none'
// keeps that tensor, 'sum' sums it, 'mean' divides the sum by the sum of
// the weights (the count of targets not ignored when there is no weight).
// SoftmaxCrossEntropyLoss is the same over log_softmax(scores, axis 1),
// which it can also return.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// log_softmax of `x` along dim 1.
Value logSoftmaxDim1(OpBuilder &b, Location loc, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = t.getRank();
  Type et = t.getElementType();
  SmallVector<OpFoldResult> kept;
  SmallVector<AffineExpr> keptExprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != 1) {
      kept.push_back(dimOf(b, loc, x, d));
      keptExprs.push_back(getAffineDimExpr(d, ctx));
    }
  auto rowT = tensorType(kept, et);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap row = AffineMap::get(rank, 0, keptExprs, ctx);
  SmallVector<IteratorType> red(rank, IteratorType::parallel);
  red[1] = IteratorType::reduction;
  auto reduce = [&](ValueRange ins, double init, ScalarBody body) {
    SmallVector<AffineMap> maps(ins.size(), id);
    for (auto [i, in] : llvm::enumerate(ins))
      if (cast<RankedTensorType>(in.getType()).getRank() != rank)
        maps[i] = row;
    maps.push_back(row);
    return linalg::GenericOp::create(
               b, loc, rowT, ins, filledTensor(b, loc, rowT, init, kept), maps,
               red,
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 linalg::YieldOp::create(nb, l, body(nb, l, a));
               })
        .getResult(0);
  };
  Value mx = reduce(x, -std::numeric_limits<double>::infinity(),
                    [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                      return arith::MaximumFOp::create(nb, l, a[0], a[1]);
                    });
  Value sum = reduce({x, mx}, 0.0,
                     [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       Value e = math::ExpOp::create(
                           nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
                       return arith::AddFOp::create(nb, l, e, a[2]);
                     });
  return linalg::GenericOp::create(
             b, loc, t, ValueRange{x, mx, sum},
             emptyOfType(b, loc, t, dimsOf(b, loc, x)),
             SmallVector<AffineMap>{id, row, row, id},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange a) {
               Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::SubFOp::create(
                       nb, l, d, math::LogOp::create(nb, l, a[2]))));
             })
      .getResult(0);
}

/// The NLL of `logp` [N, C, d...] at `target` [N, d...]; replaces `op`'s
/// first result (and `extra` as its second, when given).
LogicalResult lowerNll(Operation *op, ConversionPatternRewriter &rewriter,
                       Value logp, Value target, Value weight,
                       std::optional<int64_t> ignoreIndex, StringRef reduction,
                       Value extra) {
  auto xt = cast<RankedTensorType>(logp.getType());
  auto tt = cast<RankedTensorType>(target.getType());
  auto rt = resultType(op);
  if (!rt || xt.getRank() < 2 || tt.getRank() != xt.getRank() - 1)
    return unsupported(rewriter, op,
                       "needs a target of one rank less than the input");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return unsupported(rewriter, op, "unknown reduction '" + reduction + "'");
  Location loc = op->getLoc();
  Type et = xt.getElementType();
  int64_t rank = tt.getRank();
  SmallVector<OpFoldResult> td = dimsOf(rewriter, loc, target);
  for (int64_t d = 0; d < rank; ++d)
    checkSameDim(
        rewriter, loc, td[d], dimOf(rewriter, loc, logp, d == 0 ? 0 : d + 1),
        "the target's dimension " + Twine(d) + " differs from the input's");
  Value lastClass = arith::SubIOp::create(
      rewriter, loc, dimValue(rewriter, loc, dimOf(rewriter, loc, logp, 1)),
      arith::ConstantIndexOp::create(rewriter, loc, 1));
  auto lossT = RankedTensorType::get(tt.getShape(), et);
  AffineMap id = rewriter.getMultiDimIdentityMap(rank);
  // Two results per position: the weighted loss and its weight.
  auto body = [&](OpBuilder &b, Location l, ValueRange a) {
    Value t = a[0];
    Type it = t.getType();
    Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), t);
    // Clamp so an ignored (possibly out-of-range) target reads in bounds.
    idx = arith::MaxSIOp::create(b, l, idx,
                                 arith::ConstantIndexOp::create(b, l, 0));
    idx = arith::MinSIOp::create(b, l, idx, lastClass);
    SmallVector<Value> at;
    for (int64_t d = 0; d < rank; ++d) {
      at.push_back(linalg::IndexOp::create(b, l, d));
      if (d == 0)
        at.push_back(idx);
    }
    Value x = tensor::ExtractOp::create(b, l, logp, at);
    Value w = weight ? (Value)tensor::ExtractOp::create(b, l, weight, idx)
                     : scalarConstant(b, l, et, 1.0);
    if (ignoreIndex) {
      Value ignored = arith::CmpIOp::create(
          b, l, arith::CmpIPredicate::eq, t,
          arith::ConstantIntOp::create(b, l, it, *ignoreIndex));
      w = arith::SelectOp::create(b, l, ignored, scalarConstant(b, l, et, 0.0),
                                  w);
    }
    Value loss = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, x, w));
    linalg::YieldOp::create(b, l, ValueRange{loss, w});
  };
  Value empty = emptyOfType(rewriter, loc, lossT, td);
  auto perPos = linalg::GenericOp::create(
      rewriter, loc, TypeRange{lossT, lossT}, target, ValueRange{empty, empty},
      SmallVector<AffineMap>(3, id),
      SmallVector<IteratorType>(rank, IteratorType::parallel), body);
  Value loss = perPos.getResult(0);
  auto replace = [&](Value v) {
    SmallVector<Value> repl = {v};
    if (op->getNumResults() > 1)
      repl.push_back(extra);
    rewriter.replaceOp(op, repl);
    return success();
  };
  if (reduction == "none")
    return replace(loss);
  // Sum of the losses (and of the weights, for the mean) over everything.
  auto scalarT = RankedTensorType::get({}, et);
  AffineMap toScalar = AffineMap::get(rank, 0, {}, rewriter.getContext());
  auto sumAll = [&](Value v) {
    return linalg::GenericOp::create(
               rewriter, loc, scalarT, v,
               filledTensor(rewriter, loc, scalarT, 0),
               SmallVector<AffineMap>{id, toScalar},
               SmallVector<IteratorType>(rank, IteratorType::reduction),
               [](OpBuilder &b, Location l, ValueRange a) {
                 linalg::YieldOp::create(
                     b, l, Value(arith::AddFOp::create(b, l, a[0], a[1])));
               })
        .getResult(0);
  };
  Value r = sumAll(loss);
  if (reduction == "mean")
    r = buildElementwise(rewriter, loc, scalarT,
                         ValueRange{r, sumAll(perPos.getResult(1))},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::DivFOp::create(b, l, a[0], a[1]);
                         });
  return replace(reshapeTo(rewriter, loc, r, rt));
}

struct NllLowering : OpConversionPattern<ONNXNegativeLogLikelihoodLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXNegativeLogLikelihoodLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value weight = isNoValue(op.getWeight()) ? Value() : adaptor.getWeight();
    return lowerNll(op, rewriter, adaptor.getInput(), adaptor.getTarget(),
                    weight, op.getIgnoreIndex(), op.getReduction(), Value());
  }
};

struct SoftmaxCrossEntropyLowering
    : OpConversionPattern<ONNXSoftmaxCrossEntropyLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSoftmaxCrossEntropyLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto st = dyn_cast<RankedTensorType>(adaptor.getScores().getType());
    if (!st || st.getRank() < 2)
      return unsupported(rewriter, op, "needs scores of rank 2 or more");
    Value logp = logSoftmaxDim1(rewriter, op.getLoc(), adaptor.getScores());
    Value weight = isNoValue(op.getWeights()) ? Value() : adaptor.getWeights();
    bool wantLogProb =
        !isNoValue(op.getLogProb()) && !op.getLogProb().use_empty();
    return lowerNll(op, rewriter, logp, adaptor.getLabels(), weight,
                    op.getIgnoreIndex(), op.getReduction(),
                    wantLogProb ? logp : Value());
  }
};

} // namespace

void lowering::populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<NllLowering, SoftmaxCrossEntropyLowering>(patterns.getContext());
}
