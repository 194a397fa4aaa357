//===- Select.cpp - Ops whose output size depends on input values ---------===//
//
// NonZero and Compress: a reduction counts what is kept (the result's
// size, which the shape function computes by running just that), then a
// sequential loop writes the kept elements in order, carrying the next
// position. The result dims are run-time values even for static inputs.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// `v != 0` for any element type (float NaN counts as nonzero).
Value isNonZero(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                 scalarConstant(b, loc, t, 0));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                               arith::ConstantIntOp::create(b, loc, t, 0));
}

/// How many elements of `x` are nonzero, as an index; with `limit`, only
/// the first `limit` elements of a 1-D `x` count.
Value countNonZero(OpBuilder &b, Location loc, Value x, Value limit = {}) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t rank = t.getRank();
  auto it = RankedTensorType::get({}, b.getI64Type());
  Value init = filledTensor(b, loc, it, 0);
  Value count =
      linalg::GenericOp::create(
          b, loc, it, x, init,
          SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, {}, b.getContext())},
          SmallVector<IteratorType>(rank, IteratorType::reduction),
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value keep = isNonZero(nb, l, a[0]);
            if (limit)
              keep = arith::AndIOp::create(
                  nb, l, keep,
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                        linalg::IndexOp::create(nb, l, 0),
                                        limit));
            Value one = arith::ExtUIOp::create(nb, l, nb.getI64Type(), keep);
            linalg::YieldOp::create(
                nb, l, Value(arith::AddIOp::create(nb, l, a[1], one)));
          })
          .getResult(0);
  return arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      tensor::ExtractOp::create(b, loc, count, ValueRange{}));
}

/// One step of an ordered fill carrying (output, next position): when
/// `keep`, the output with `write(out, pos)` applied and the position
/// advanced; else both unchanged.
scf::IfOp appendIf(
    OpBuilder &b, Location loc, Value keep, ValueRange iters,
    function_ref<Value(OpBuilder &, Location, Value out, Value pos)> write) {
  return scf::IfOp::create(
      b, loc, keep,
      [&](OpBuilder &tb, Location tl) {
        Value one = arith::ConstantIndexOp::create(tb, tl, 1);
        scf::YieldOp::create(
            tb, tl,
            ValueRange{write(tb, tl, iters[0], iters[1]),
                       arith::AddIOp::create(tb, tl, iters[1], one)});
      },
      [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, iters); });
}

/// NonZero: [rank, count] of the nonzero elements' indices, in row-major
/// order (numpy.nonzero stacked).
struct NonZeroLowering : OpConversionPattern<ONNXNonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXNonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    Value x = adaptor.getX();
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    if (!rt || !xt || xt.getRank() == 0 || rt.getRank() != 2)
      return unsupported(rewriter, op, "needs an input of rank 1 or more");
    Location loc = op.getLoc();
    int64_t rank = xt.getRank();
    Value count = countNonZero(rewriter, loc, x);
    SmallVector<OpFoldResult> dims = {rewriter.getIndexAttr(rank), count};
    Value out = emptyOfType(rewriter, loc, rt,
                            withDeclaredDims(rewriter, loc, dims, rt));
    SmallVector<Value> ubs;
    for (OpFoldResult d : dimsOf(rewriter, loc, x))
      ubs.push_back(dimValue(rewriter, loc, d));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, SmallVector<Value>(rank, zero), ubs,
        SmallVector<Value>(rank, one), ValueRange{out, zero},
        [&](OpBuilder &b, Location l, ValueRange ivs,
            ValueRange iters) -> scf::ValueVector {
          Value keep = isNonZero(b, l, tensor::ExtractOp::create(b, l, x, ivs));
          auto ifOp = appendIf(
              b, l, keep, iters,
              [&](OpBuilder &tb, Location tl, Value acc, Value pos) {
                for (int64_t d = 0; d < rank; ++d)
                  acc = tensor::InsertOp::create(
                      tb, tl,
                      arith::IndexCastOp::create(tb, tl, tb.getI64Type(),
                                                 ivs[d]),
                      acc,
                      ValueRange{arith::ConstantIndexOp::create(tb, tl, d),
                                 pos});
                return acc;
              });
          return {ifOp.getResult(0), ifOp.getResult(1)};
        });
    rewriter.replaceOp(op, nest.results[0]);
    return success();
  }
};

/// Compress: the slices along `axis` (of the flattened input without one)
/// whose condition is true, in order; the condition may be shorter than
/// the axis (the rest is dropped) but not longer.
struct CompressLowering : OpConversionPattern<ONNXCompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    Value x = adaptor.getInput(), cond = adaptor.getCondition();
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    auto ct = dyn_cast<RankedTensorType>(cond.getType());
    if (!rt || !xt || !ct || ct.getRank() != 1 || xt.getRank() == 0)
      return unsupported(rewriter, op, "needs a 1-D condition");
    Location loc = op.getLoc();
    if (!op.getAxis()) { // along the flattened input
      SmallVector<OpFoldResult> all = {
          mulDims(rewriter, loc, dimsOf(rewriter, loc, x))};
      x = reshapeTo(rewriter, loc, x, tensorType(all, xt.getElementType()),
                    all);
      xt = cast<RankedTensorType>(x.getType());
    }
    int64_t rank = xt.getRank();
    int64_t axis = op.getAxis() ? normalizeAxis(*op.getAxis(), rank) : 0;
    if (axis < 0 || axis >= rank || rt.getRank() != rank)
      return unsupported(rewriter, op, "axis out of range");
    Value len = dimValue(rewriter, loc, dimOf(rewriter, loc, x, axis));
    Value clen = dimValue(rewriter, loc, dimOf(rewriter, loc, cond, 0));
    checkShape(rewriter, loc,
               arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sle,
                                     clen, len),
               "the condition is longer than the axis");
    Value n = arith::MinSIOp::create(rewriter, loc, clen, len);
    Value count = countNonZero(rewriter, loc, cond, n);
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x);
    dims[axis] = count;
    Value out = emptyOfType(rewriter, loc, rt,
                            withDeclaredDims(rewriter, loc, dims, rt));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    // One slice of x along the axis, and where it goes in the output.
    SmallVector<OpFoldResult> sizes = dimsOf(rewriter, loc, x);
    sizes[axis] = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<int64_t> sliceShape(xt.getShape());
    sliceShape.erase(sliceShape.begin() + axis);
    auto sliceT = RankedTensorType::get(sliceShape, xt.getElementType());
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, n, one, ValueRange{out, zero},
        [&](OpBuilder &b, Location l, Value j, ValueRange iters) {
          Value keep = tensor::ExtractOp::create(b, l, cond, ValueRange{j});
          auto ifOp = appendIf(
              b, l, keep, iters,
              [&](OpBuilder &tb, Location tl, Value acc, Value pos) -> Value {
                SmallVector<OpFoldResult> from(rank, tb.getIndexAttr(0)),
                    to(rank, tb.getIndexAttr(0));
                from[axis] = j;
                to[axis] = pos;
                Value s = tensor::ExtractSliceOp::create(tb, tl, sliceT, x,
                                                         from, sizes, strides);
                return tensor::InsertSliceOp::create(tb, tl, s, acc, to, sizes,
                                                     strides);
              });
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateSelectPatterns(RewritePatternSet &patterns) {
  patterns.add<NonZeroLowering, CompressLowering>(patterns.getContext());
}
