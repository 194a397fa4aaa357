//===- Generate.cpp - Index-computed ops: Range ... TopK to linalg --------===//
//
// Ops whose every output element is a function of its index: Range (start
// + i * delta, run-time start/delta, the length from the result type),
// EyeLike, OneHot (run-time depth: the result type fixes it),
// DepthToSpace / SpaceToDepth (affine floordiv/mod indexing maps), CumSum
// and CumProd (a masked reduction over the axis; a run-time axis picks its
// variant)
// TopK (each element's rank among its row, then the k first ranks) and the
// Hann/Hamming/Blackman windows.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// Element 0 of a one-element tensor, as a scalar.
Value scalarOf(OpBuilder &b, Location loc, Value t) {
  auto tt = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(tt.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

Value indexAsI64(OpBuilder &b, Location loc, Value i) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
}

struct RangeLowering : OpConversionPattern<ONNXRangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXRangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() != 1)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Value start = scalarOf(rewriter, loc, adaptor.getStart());
    Value delta = scalarOf(rewriter, loc, adaptor.getDelta());
    Type et = rt.getElementType();
    // The length: max(0, ceil((limit - start) / delta)).
    OpFoldResult len = rewriter.getIndexAttr(rt.getDimSize(0));
    if (rt.isDynamicDim(0)) {
      Value limit = scalarOf(rewriter, loc, adaptor.getLimit());
      Value n;
      if (isa<FloatType>(et)) {
        checkShape(rewriter, loc,
                   arith::CmpFOp::create(rewriter, loc,
                                         arith::CmpFPredicate::ONE, delta,
                                         scalarConstant(rewriter, loc, et, 0)),
                   "delta is 0");
        Type f64 = rewriter.getF64Type();
        Value q = arith::DivFOp::create(
            rewriter, loc,
            arith::SubFOp::create(rewriter, loc,
                                  toFloat(rewriter, loc, limit, f64),
                                  toFloat(rewriter, loc, start, f64)),
            toFloat(rewriter, loc, delta, f64));
        n = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                    math::CeilOp::create(rewriter, loc, q));
      } else {
        Value zero = scalarConstant(rewriter, loc, et, 0);
        Value nonzero = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::ne, delta, zero);
        checkShape(rewriter, loc, nonzero, "delta is 0");
        Value safe =
            arith::SelectOp::create(rewriter, loc, nonzero, delta,
                                    scalarConstant(rewriter, loc, et, 1));
        n = arith::CeilDivSIOp::create(
            rewriter, loc, arith::SubIOp::create(rewriter, loc, limit, start),
            safe);
        if (n.getType() != rewriter.getI64Type())
          n = arith::ExtSIOp::create(rewriter, loc, rewriter.getI64Type(), n);
      }
      n = arith::MaxSIOp::create(rewriter, loc, n,
                                 arith::ConstantIntOp::create(
                                     rewriter, loc, rewriter.getI64Type(), 0));
      len =
          arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), n)
              .getResult();
    }
    rewriter.replaceOp(
        op, generateFromIndices(
                rewriter, loc, rt,
                [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                  Value i = indexAsI64(b, l, iv[0]);
                  if (isa<FloatType>(et))
                    return arith::AddFOp::create(
                        b, l, start,
                        arith::MulFOp::create(
                            b, l, arith::SIToFPOp::create(b, l, et, i), delta));
                  if (et.getIntOrFloatBitWidth() < 64)
                    i = arith::TruncIOp::create(b, l, et, i);
                  return arith::AddIOp::create(
                      b, l, start, arith::MulIOp::create(b, l, i, delta));
                },
                {len}));
    return success();
  }
};

struct EyeLikeLowering : OpConversionPattern<ONNXEyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXEyeLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() != 2)
      return unsupported(rewriter, op, "needs a 2-D input");
    int64_t k = op.getK();
    Type et = rt.getElementType();
    rewriter.replaceOp(
        op, generateFromIndices(
                rewriter, op.getLoc(), rt,
                [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                  Value diff = arith::SubIOp::create(
                      b, l, indexAsI64(b, l, iv[1]), indexAsI64(b, l, iv[0]));
                  Value on = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, diff,
                      arith::ConstantIntOp::create(b, l, b.getI64Type(), k));
                  return arith::SelectOp::create(b, l, on,
                                                 scalarConstant(b, l, et, 1),
                                                 scalarConstant(b, l, et, 0));
                },
                dimsOf(rewriter, op.getLoc(), adaptor.getInput())));
    return success();
  }
};

/// OneHot: out[..., j, ...] = values[indices[...] == j] (negative indices
/// count from depth); the depth is the result's size along the axis.
struct OneHotLowering : OpConversionPattern<ONNXOneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXOneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value indices = adaptor.getIndices(), values = adaptor.getValues();
    // The depth: the result's size along the axis, else the input's value.
    Value depthI;
    if (!rt.isDynamicDim(axis)) {
      depthI = arith::ConstantIntOp::create(
          rewriter, loc, rewriter.getI64Type(), rt.getDimSize(axis));
    } else {
      Value d = scalarOf(rewriter, loc, adaptor.getDepth());
      depthI = isa<FloatType>(d.getType())
                   ? (Value)arith::FPToSIOp::create(rewriter, loc,
                                                    rewriter.getI64Type(), d)
               : d.getType().isInteger(64)
                   ? d
                   : (Value)arith::ExtSIOp::create(rewriter, loc,
                                                   rewriter.getI64Type(), d);
    }
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, indices);
    dims.insert(dims.begin() + axis,
                arith::IndexCastOp::create(rewriter, loc,
                                           rewriter.getIndexType(), depthI)
                    .getResult());
    Value off = tensor::ExtractOp::create(
        rewriter, loc, values,
        ValueRange{arith::ConstantIndexOp::create(rewriter, loc, 0)});
    Value on = tensor::ExtractOp::create(
        rewriter, loc, values,
        ValueRange{arith::ConstantIndexOp::create(rewriter, loc, 1)});
    bool idxU = isUnsignedInt(op.getIndices().getType());
    rewriter.replaceOp(
        op, generateFromIndices(
                rewriter, loc, rt,
                [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                  SmallVector<Value> at;
                  for (int64_t d = 0; d < rank; ++d)
                    if (d != axis)
                      at.push_back(iv[d]);
                  Value idx = tensor::ExtractOp::create(b, l, indices, at);
                  Type i64 = b.getI64Type();
                  if (isa<FloatType>(idx.getType()))
                    idx = arith::FPToSIOp::create(b, l, i64, idx);
                  else if (idx.getType() != i64)
                    idx = idxU ? (Value)arith::ExtUIOp::create(b, l, i64, idx)
                               : (Value)arith::ExtSIOp::create(b, l, i64, idx);
                  Value dep = depthI;
                  Value neg = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::slt, idx,
                      arith::ConstantIntOp::create(b, l, i64, 0));
                  idx = arith::SelectOp::create(
                      b, l, neg, arith::AddIOp::create(b, l, idx, dep), idx);
                  Value hit =
                      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx,
                                            indexAsI64(b, l, iv[axis]));
                  return arith::SelectOp::create(b, l, hit, on, off);
                },
                withDeclaredDims(rewriter, loc, dims, rt)));
    return success();
  }
};

/// DepthToSpace / SpaceToDepth with run-time dims: the same index
/// arithmetic as the static maps, in a gather.
template <typename OpTy, bool ToSpace>
LogicalResult dynamicRearrange(OpTy op, typename OpTy::Adaptor adaptor,
                               ConversionPatternRewriter &rewriter,
                               RankedTensorType rt, int64_t bs, bool crd) {
  Location loc = op.getLoc();
  Value x = adaptor.getInput();
  SmallVector<OpFoldResult> xd = dimsOf(rewriter, loc, x);
  AffineExpr s0;
  bindSymbols(rewriter.getContext(), s0);
  auto apply = [&](AffineExpr e, OpFoldResult v) {
    return affine::makeComposedFoldedAffineApply(rewriter, loc, e, {v});
  };
  SmallVector<OpFoldResult> dims =
      ToSpace
          ? SmallVector<OpFoldResult>{xd[0], apply(s0.floorDiv(bs * bs), xd[1]),
                                      apply(s0 * bs, xd[2]),
                                      apply(s0 * bs, xd[3])}
          : SmallVector<OpFoldResult>{xd[0], apply(s0 * (bs * bs), xd[1]),
                                      apply(s0.floorDiv(bs), xd[2]),
                                      apply(s0.floorDiv(bs), xd[3])};
  Value oc = dimValue(rewriter, loc, dims[1]),
        ic = dimValue(rewriter, loc, xd[1]);
  Value r = generateFromIndices(
      rewriter, loc, rt,
      [&](OpBuilder &b, Location l, ValueRange iv) {
        auto c = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(b, l, v);
        };
        auto add = [&](Value p, Value q) -> Value {
          return arith::AddIOp::create(b, l, p, q);
        };
        auto mul = [&](Value p, Value q) -> Value {
          return arith::MulIOp::create(b, l, p, q);
        };
        auto div = [&](Value p, Value q) -> Value {
          return arith::DivUIOp::create(b, l, p, q);
        };
        auto rem = [&](Value p, Value q) -> Value {
          return arith::RemUIOp::create(b, l, p, q);
        };
        Value n = iv[0], ch = iv[1], h = iv[2], w = iv[3];
        SmallVector<Value> at;
        if (ToSpace) {
          Value i = rem(h, c(bs)), j = rem(w, c(bs));
          Value blk = add(mul(i, c(bs)), j);
          Value src =
              crd ? add(mul(ch, c(bs * bs)), blk) : add(mul(blk, oc), ch);
          at = {n, src, div(h, c(bs)), div(w, c(bs))};
        } else {
          Value safeIc = arith::MaxSIOp::create(b, l, ic, c(1));
          Value blk = crd ? rem(ch, c(bs * bs)) : div(ch, safeIc);
          Value src = crd ? div(ch, c(bs * bs)) : rem(ch, safeIc);
          at = {n, src, add(mul(h, c(bs)), div(blk, c(bs))),
                add(mul(w, c(bs)), rem(blk, c(bs)))};
        }
        return tensor::ExtractOp::create(b, l, x, at).getResult();
      },
      withDeclaredDims(rewriter, loc, dims, rt));
  rewriter.replaceOp(op, r);
  return success();
}

/// DepthToSpace / SpaceToDepth as one generic whose input map is affine.
template <typename OpTy, bool ToSpace>
struct BlockRearrangeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!rt || !xt || rt.getRank() != 4 || xt.getRank() != 4)
      return unsupported(rewriter, op, "needs a 4-D input");
    int64_t bs = op.getBlocksize();
    bool crd = op.getMode() == "CRD";
    if (!xt.hasStaticShape() || !rt.hasStaticShape())
      return dynamicRearrange<OpTy, ToSpace>(op, adaptor, rewriter, rt, bs,
                                             crd);
    MLIRContext *ctx = this->getContext();
    AffineExpr n, c, h, w;
    bindDims(ctx, n, c, h, w);
    SmallVector<AffineExpr> in;
    if (ToSpace) { // out [N, C/b^2, H*b, W*b]
      int64_t oc = rt.getDimSize(1);
      AffineExpr i = h % bs, j = w % bs;
      AffineExpr ic = crd ? c * (bs * bs) + i * bs + j : (i * bs + j) * oc + c;
      in = {n, ic, h.floorDiv(bs), w.floorDiv(bs)};
    } else { // out [N, C*b^2, H/b, W/b]
      int64_t ic = xt.getDimSize(1);
      AffineExpr blk = crd ? c % (bs * bs) : c.floorDiv(ic);
      AffineExpr src = crd ? c.floorDiv(bs * bs) : c % ic;
      in = {n, src, h * bs + blk.floorDiv(bs), w * bs + blk % bs};
    }
    auto g = linalg::GenericOp::create(
        rewriter, op.getLoc(), rt, adaptor.getInput(),
        Value(tensor::EmptyOp::create(rewriter, op.getLoc(), rt.getShape(),
                                      rt.getElementType())),
        SmallVector<AffineMap>{AffineMap::get(4, 0, in, ctx),
                               rewriter.getMultiDimIdentityMap(4)},
        SmallVector<IteratorType>(4, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// y[.., i, ..] = sum (or product) over k of x[.., k, ..] for k <= i along
/// `axis` (k < i exclusive; k >= i / k > i reversed).
Value cumulateAlong(OpBuilder &b, Location loc, Value x, int64_t axis,
                    bool exclusive, bool reverse, bool product) {
  auto t = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = t.getRank();
  SmallVector<AffineExpr> in;
  for (int64_t d = 0; d < rank; ++d)
    in.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  iters.push_back(IteratorType::reduction);
  Type et = t.getElementType();
  double unit = product ? 1.0 : 0.0;
  return linalg::GenericOp::create(
             b, loc, t, x, filledTensor(b, loc, t, unit, dimsOf(b, loc, x)),
             SmallVector<AffineMap>{
                 AffineMap::get(rank + 1, 0, in, ctx),
                 b.getMultiDimIdentityMap(rank + 1).dropResult(rank)},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value i = linalg::IndexOp::create(nb, l, axis);
               Value k = linalg::IndexOp::create(nb, l, rank);
               using P = arith::CmpIPredicate;
               P p = reverse ? (exclusive ? P::ugt : P::uge)
                             : (exclusive ? P::ult : P::ule);
               Value take = arith::CmpIOp::create(nb, l, p, k, i);
               Value v = arith::SelectOp::create(
                   nb, l, take, a[0], scalarConstant(nb, l, et, unit));
               bool f = isa<FloatType>(et);
               Value r = product
                             ? f ? (Value)arith::MulFOp::create(nb, l, v, a[1])
                                 : (Value)arith::MulIOp::create(nb, l, v, a[1])
                         : f ? (Value)arith::AddFOp::create(nb, l, v, a[1])
                             : (Value)arith::AddIOp::create(nb, l, v, a[1]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

template <typename OpTy, bool Product>
struct CumulateLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() == 0)
      return unsupported(rewriter, op, "needs an input of rank 1 or more");
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    bool excl = op.getExclusive() != 0, rev = op.getReverse() != 0;
    Value x = adaptor.getX();
    if (auto axis = getConstantInts(op.getAxis()); axis && axis->size() == 1) {
      rewriter.replaceOp(op, cumulateAlong(rewriter, loc, x,
                                           normalizeAxis((*axis)[0], rank),
                                           excl, rev, Product));
      return success();
    }
    // A run-time axis: one variant per dim, chosen by the axis' value.
    Value axis = scalarOf(rewriter, loc, adaptor.getAxis());
    Type at = axis.getType();
    std::function<Value(OpBuilder &, int64_t)> choose =
        [&](OpBuilder &b, int64_t d) -> Value {
      if (d == rank - 1)
        return cumulateAlong(b, loc, x, d, excl, rev, Product);
      Value is = arith::OrIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, axis,
                                arith::ConstantIntOp::create(b, loc, at, d)),
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, axis,
              arith::ConstantIntOp::create(b, loc, at, d - rank)));
      return scf::IfOp::create(
                 b, loc, is,
                 [&](OpBuilder &tb, Location l) {
                   scf::YieldOp::create(
                       tb, l, cumulateAlong(tb, l, x, d, excl, rev, Product));
                 },
                 [&](OpBuilder &eb, Location l) {
                   scf::YieldOp::create(eb, l, choose(eb, d + 1));
                 })
          .getResult(0);
    };
    rewriter.replaceOp(op, choose(rewriter, 0));
    return success();
  }
};

/// TopK with k from the result type: each element's rank in its row
/// (elements before it in the order: larger, or equal with a smaller
/// index; reversed for smallest), then output r takes the element of rank
/// r. O(n^2) per row, meant for the short rows TopK sees in practice.
struct TopKLowering : OpConversionPattern<ONNXTopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto vt = resultType(op, 0);
    auto it = resultType(op, 1);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!vt || !it || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> xd = dimsOf(rewriter, loc, adaptor.getX());
    MLIRContext *ctx = getContext();
    int64_t rank = xt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool largest = op.getLargest() != 0;
    bool isU = isUnsignedInt(op.getX().getType());
    Type et = xt.getElementType();
    Value x = adaptor.getX();
    // rank[.., i, ..] = #{k : x[k] before x[i]}; loops (dims..., k).
    SmallVector<AffineExpr> other;
    for (int64_t d = 0; d < rank; ++d)
      other.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank + 1, ctx);
    AffineMap self = id.dropResult(rank);
    AffineMap atK = AffineMap::get(rank + 1, 0, other, ctx);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    auto i64T = RankedTensorType::get(xt.getShape(), rewriter.getI64Type());
    // The result dims: the input's, k along the axis (k <= the axis' size).
    SmallVector<OpFoldResult> kd(xd);
    kd[axis] = indexElement(rewriter, loc, adaptor.getK(), 0);
    checkShape(rewriter, loc,
               arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule,
                                     dimValue(rewriter, loc, kd[axis]),
                                     dimValue(rewriter, loc, xd[axis])),
               "k is larger than the axis");
    kd = withDeclaredDims(rewriter, loc, kd, vt);
    auto before = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
      // Whether `a` sorts strictly before `c` by value.
      if (isa<FloatType>(et))
        return arith::CmpFOp::create(b, l,
                                     largest ? arith::CmpFPredicate::OGT
                                             : arith::CmpFPredicate::OLT,
                                     a, c);
      using P = arith::CmpIPredicate;
      P p = largest ? (isU ? P::ugt : P::sgt) : (isU ? P::ult : P::slt);
      return arith::CmpIOp::create(b, l, p, a, c);
    };
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, i64T, ValueRange{x, x},
            filledTensor(rewriter, loc, i64T, 0, xd),
            SmallVector<AffineMap>{self, atK, self}, iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value k = linalg::IndexOp::create(b, l, rank);
              Value eq = isa<FloatType>(et)
                             ? (Value)arith::CmpFOp::create(
                                   b, l, arith::CmpFPredicate::OEQ, a[1], a[0])
                             : (Value)arith::CmpIOp::create(
                                   b, l, arith::CmpIPredicate::eq, a[1], a[0]);
              Value earlier = arith::AndIOp::create(
                  b, l, eq,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, k, i));
              Value ahead =
                  arith::OrIOp::create(b, l, before(b, l, a[1], a[0]), earlier);
              Value r = arith::AddIOp::create(
                  b, l, a[2],
                  arith::ExtUIOp::create(b, l, b.getI64Type(), ahead));
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    // out[.., r, ..] = the x (and index) whose rank is r; loops (dims.., k).
    SmallVector<Value> inits = {filledTensor(rewriter, loc, vt, 0, kd),
                                filledTensor(rewriter, loc, it, 0, kd)};
    auto pick = linalg::GenericOp::create(
        rewriter, loc, TypeRange{vt, it}, ValueRange{x, ranks}, inits,
        SmallVector<AffineMap>{atK, atK, self, self}, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value r = indexAsI64(b, l, linalg::IndexOp::create(b, l, axis));
          Value k = indexAsI64(b, l, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], r);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, a[0], a[2]),
                         arith::SelectOp::create(b, l, hit, k, a[3])});
        });
    rewriter.replaceOp(op, pick.getResults());
    return success();
  }
};

/// ReverseSequence: along the time axis, the first seq_lens[b] entries of
/// each batch entry reversed, the rest copied.
struct ReverseSequenceLowering : OpConversionPattern<ONNXReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t ta = op.getTimeAxis(), ba = op.getBatchAxis();
    Value x = adaptor.getInput(), lens = adaptor.getSequenceLens();
    rewriter.replaceOp(
        op,
        generateFromIndices(
            rewriter, op.getLoc(), rt,
            [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
              Value len = arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  tensor::ExtractOp::create(b, l, lens, ValueRange{iv[ba]}));
              Value t = iv[ta];
              Value rev = arith::SubIOp::create(
                  b, l,
                  arith::SubIOp::create(
                      b, l, len, arith::ConstantIndexOp::create(b, l, 1)),
                  t);
              Value inside = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::slt, t, len);
              SmallVector<Value> at(iv);
              at[ta] = arith::SelectOp::create(b, l, inside, rev, t);
              return tensor::ExtractOp::create(b, l, x, at);
            },
            dimsOf(rewriter, op.getLoc(), x)));
    return success();
  }
};

/// DFT along `axis` (1 .. rank-2) of x [..., n, 1 or 2]: one generic over
/// the output with the input bins as a reduction, angles from (k n mod N)
/// in f64. Forward, inverse (divided by N), onesided forward (the first
/// N/2 + 1 bins) and onesided inverse (a real signal from Hermitian bins:
/// bins 1 .. N/2-1 count twice).
Value dftAlong(OpBuilder &b, Location loc, Value x, RankedTensorType rt,
               int64_t axis, int64_t n, bool inverse, bool onesided) {
  auto xt = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = rt.getRank();
  bool complexIn = xt.getShape().back() == 2;
  int64_t bins = std::min<int64_t>(xt.getDimSize(axis), n);
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  iters.push_back(IteratorType::reduction);
  Type et = rt.getElementType();
  // A dummy [bins] operand gives the reduction dim its size.
  Value binT =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{bins}, b.getF64Type());
  SmallVector<AffineExpr> outE;
  for (int64_t d = 0; d < rank; ++d)
    outE.push_back(getAffineDimExpr(d, ctx));
  bool irfft = inverse && onesided;
  auto accT = RankedTensorType::get(rt.getShape(), b.getF64Type());
  Value sum =
      linalg::GenericOp::create(
          b, loc, accT, binT, filledTensor(b, loc, accT, 0),
          SmallVector<AffineMap>{
              AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx), ctx),
              AffineMap::get(rank + 1, 0, outE, ctx)},
          iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Type f64 = nb.getF64Type(), i64 = nb.getI64Type();
            auto idx = [&](int64_t d) -> Value {
              return linalg::IndexOp::create(nb, l, d);
            };
            auto asI64 = [&](Value v) -> Value {
              return arith::IndexCastOp::create(nb, l, i64, v);
            };
            auto c = [&](double v) { return scalarConstant(nb, l, f64, v); };
            Value k = idx(rank), out = idx(axis), part = idx(rank - 1);
            SmallVector<Value> at;
            for (int64_t d = 0; d < rank - 1; ++d)
              at.push_back(d == axis ? k : idx(d));
            at.push_back(arith::ConstantIndexOp::create(nb, l, 0));
            Value re =
                toFloat(nb, l, tensor::ExtractOp::create(nb, l, x, at), f64);
            Value im = c(0);
            if (complexIn) {
              at.back() = arith::ConstantIndexOp::create(nb, l, 1);
              im = toFloat(nb, l, tensor::ExtractOp::create(nb, l, x, at), f64);
            }
            Value prod = arith::RemSIOp::create(
                nb, l, arith::MulIOp::create(nb, l, asI64(k), asI64(out)),
                arith::ConstantIntOp::create(nb, l, i64, n));
            Value theta = arith::MulFOp::create(
                nb, l, arith::SIToFPOp::create(nb, l, f64, prod),
                c(2 * M_PI / double(n)));
            Value cs = math::CosOp::create(nb, l, theta);
            Value sn = math::SinOp::create(nb, l, theta);
            auto mul = [&](Value p, Value q) {
              return arith::MulFOp::create(nb, l, p, q).getResult();
            };
            // Forward: (re + i im)(cos - i sin); inverse: (cos + i sin).
            double sgn = inverse ? -1.0 : 1.0;
            Value outRe = arith::AddFOp::create(nb, l, mul(re, cs),
                                                mul(c(sgn), mul(im, sn)));
            Value outIm = arith::SubFOp::create(nb, l, mul(im, cs),
                                                mul(c(sgn), mul(re, sn)));
            Value v = outRe;
            if (!irfft) {
              Value isIm = arith::CmpIOp::create(
                  nb, l, arith::CmpIPredicate::eq, part,
                  arith::ConstantIndexOp::create(nb, l, 1));
              v = arith::SelectOp::create(nb, l, isIm, outIm, outRe);
            } else {
              // Bins strictly between 0 and N/2 stand for their mirror.
              Value ki = asI64(k);
              Value twice = arith::AndIOp::create(
                  nb, l,
                  arith::CmpIOp::create(
                      nb, l, arith::CmpIPredicate::sgt, ki,
                      arith::ConstantIntOp::create(nb, l, i64, 0)),
                  arith::CmpFOp::create(
                      nb, l, arith::CmpFPredicate::OLT,
                      mul(c(2), arith::SIToFPOp::create(nb, l, f64, ki)),
                      c(double(n))));
              v = arith::SelectOp::create(nb, l, twice, mul(c(2), v), v);
            }
            if (inverse)
              v = arith::DivFOp::create(nb, l, v, c(double(n)));
            linalg::YieldOp::create(
                nb, l, Value(arith::AddFOp::create(nb, l, v, a[1])));
          })
          .getResult(0);
  return castElements(b, loc, sum, et);
}

struct DFTLowering : OpConversionPattern<ONNXDFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!rt || !xt || !xt.hasStaticShape() || xt.getRank() < 3 ||
        rt.getRank() != xt.getRank())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    int64_t rank = xt.getRank();
    bool inverse = op.getInverse() != 0, onesided = op.getOnesided() != 0;
    // The axis input (the importer turns older opsets' attribute into it).
    std::optional<int64_t> axis;
    if (!isNoValue(op.getAxis())) {
      if (auto a = getConstantInts(op.getAxis()); a && a->size() == 1)
        axis = normalizeAxis((*a)[0], rank);
    } else {
      axis = rank - 2;
    }
    auto lengthFor = [&](int64_t ax) -> std::optional<int64_t> {
      if (!isNoValue(op.getDftLength())) {
        auto n = getConstantInts(op.getDftLength());
        if (!n || n->size() != 1)
          return std::nullopt;
        return (*n)[0];
      }
      if (inverse && onesided)
        return 2 * (xt.getDimSize(ax) - 1);
      return xt.getDimSize(ax);
    };
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    if (axis) {
      auto n = lengthFor(*axis);
      if (!n || *n <= 0)
        return unsupported(rewriter, op, "dft_length must be a constant");
      rewriter.replaceOp(
          op, dftAlong(rewriter, loc, x, rt, *axis, *n, inverse, onesided));
      return success();
    }
    // A run-time axis: one variant per signal dim the shapes allow.
    Value a = scalarOf(rewriter, loc, adaptor.getAxis());
    SmallVector<int64_t> candidates;
    for (int64_t d = 1; d < rank - 1; ++d) {
      auto n = lengthFor(d);
      if (!n || *n <= 0)
        continue;
      int64_t outLen = onesided && !inverse ? *n / 2 + 1 : *n;
      bool fits = true;
      for (int64_t e = 0; e < rank - 1; ++e)
        fits &= rt.getDimSize(e) == (e == d ? outLen : xt.getDimSize(e));
      if (fits)
        candidates.push_back(d);
    }
    if (candidates.empty())
      return unsupported(rewriter, op, "no axis fits the declared output");
    std::function<Value(OpBuilder &, ArrayRef<int64_t>)> choose =
        [&](OpBuilder &b, ArrayRef<int64_t> cs) -> Value {
      int64_t d = cs.front();
      Value out = dftAlong(b, loc, x, rt, d, *lengthFor(d), inverse, onesided);
      if (cs.size() == 1)
        return out;
      Type at = a.getType();
      Value is = arith::OrIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a,
                                arith::ConstantIntOp::create(b, loc, at, d)),
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, a,
              arith::ConstantIntOp::create(b, loc, at, d - rank)));
      return scf::IfOp::create(
                 b, loc, is,
                 [&](OpBuilder &tb, Location l) {
                   scf::YieldOp::create(tb, l, out);
                 },
                 [&](OpBuilder &eb, Location l) {
                   scf::YieldOp::create(eb, l, choose(eb, cs.drop_front()));
                 })
          .getResult(0);
    };
    rewriter.replaceOp(op, choose(rewriter, candidates));
    return success();
  }
};

/// Col2Im: out[n, c, y...] = sum over the kernel offsets o (K of them;
/// the block shape may be a run-time value) of input[n, c*K + o, l] where
/// the block l starts at y + pad - o*dilation (a multiple of the stride,
/// inside the grid of blocks).
struct Col2ImLowering : OpConversionPattern<ONNXCol2ImOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCol2ImOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!rt || !xt || !xt.hasStaticShape() || xt.getRank() != 3 ||
        rt.getRank() < 3)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    int64_t nd = rt.getRank() - 2, channels = rt.getDimSize(1);
    if (channels == 0 || xt.getDimSize(1) % channels)
      return unsupported(rewriter, op, "input channels do not divide");
    int64_t kernelSize = xt.getDimSize(1) / channels;
    auto orDefault = [&](ArrayAttr a, int64_t n, int64_t v) {
      SmallVector<int64_t> r = getIntArray(a);
      if (r.empty())
        r.assign(n, v);
      return r;
    };
    SmallVector<int64_t> dil = orDefault(op.getDilationsAttr(), nd, 1);
    SmallVector<int64_t> str = orDefault(op.getStridesAttr(), nd, 1);
    SmallVector<int64_t> pads = orDefault(op.getPadsAttr(), 2 * nd, 0);
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    // The kernel dims, read once.
    SmallVector<Value> kdim;
    for (int64_t i = 0; i < nd; ++i)
      kdim.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          tensor::ExtractOp::create(
              rewriter, loc, adaptor.getBlockShape(),
              ValueRange{arith::ConstantIndexOp::create(rewriter, loc, i)})));
    Value x = adaptor.getInput();
    int64_t rank = rt.getRank();
    Type et = rt.getElementType();
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    SmallVector<AffineExpr> outE;
    for (int64_t d = 0; d < rank; ++d)
      outE.push_back(getAffineDimExpr(d, ctx));
    Value dummy = tensor::EmptyOp::create(rewriter, loc,
                                          ArrayRef<int64_t>{kernelSize}, et);
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, dummy, filledTensor(rewriter, loc, rt, 0),
        SmallVector<AffineMap>{
            AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx), ctx),
            AffineMap::get(rank + 1, 0, outE, ctx)},
        iters, [&](OpBuilder &b, Location l, ValueRange a) {
          auto c = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          using P = arith::CmpIPredicate;
          Value kf = linalg::IndexOp::create(b, l, rank);
          // Kernel offsets, row-major over the run-time kernel dims.
          SmallVector<Value> off(nd);
          Value rest = kf;
          for (int64_t i = nd - 1; i >= 0; --i) {
            off[i] = arith::RemSIOp::create(b, l, rest, kdim[i]);
            rest = arith::DivSIOp::create(b, l, rest, kdim[i]);
          }
          Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
          Value block = c(0);
          for (int64_t i = 0; i < nd; ++i) {
            int64_t size = rt.getDimSize(2 + i);
            // Blocks along this dim: (size + pads - dil*(k-1) - 1)/s + 1.
            Value span = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(
                    b, l, c(dil[i]),
                    arith::SubIOp::create(b, l, kdim[i], c(1))),
                c(1));
            Value nb = arith::AddIOp::create(
                b, l,
                arith::DivSIOp::create(
                    b, l,
                    arith::SubIOp::create(
                        b, l, c(size + pads[i] + pads[i + nd]), span),
                    c(str[i])),
                c(1));
            Value t = arith::SubIOp::create(
                b, l,
                arith::AddIOp::create(
                    b, l, linalg::IndexOp::create(b, l, 2 + i), c(pads[i])),
                arith::MulIOp::create(b, l, off[i], c(dil[i])));
            Value bi = arith::DivSIOp::create(b, l, t, c(str[i]));
            Value ok = arith::AndIOp::create(
                b, l, arith::CmpIOp::create(b, l, P::sge, t, c(0)),
                arith::CmpIOp::create(
                    b, l, P::eq, arith::RemSIOp::create(b, l, t, c(str[i])),
                    c(0)));
            ok = arith::AndIOp::create(
                b, l, ok, arith::CmpIOp::create(b, l, P::slt, bi, nb));
            valid = arith::AndIOp::create(b, l, valid, ok);
            block = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, block, nb), bi);
          }
          Value ch = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 1),
                                    c(kernelSize)),
              kf);
          Value safeBlock = arith::SelectOp::create(b, l, valid, block, c(0));
          safeBlock = arith::MinSIOp::create(
              b, l, arith::MaxSIOp::create(b, l, safeBlock, c(0)),
              c(xt.getDimSize(2) - 1));
          Value v = tensor::ExtractOp::create(
              b, l, x,
              ValueRange{linalg::IndexOp::create(b, l, 0), ch, safeBlock});
          v = arith::SelectOp::create(b, l, valid, v,
                                      scalarConstant(b, l, et, 0));
          linalg::YieldOp::create(b, l,
                                  Value(arith::AddFOp::create(b, l, v, a[1])));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Hann, Hamming and Blackman windows: out[n] = a0 - a1 cos(2 pi n / N)
/// + a2 cos(4 pi n / N), N = size (periodic) or size - 1, computed in f64;
/// the length comes from the result type (size may be a run-time value).
template <typename OpTy> struct WindowLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() != 1)
      return unsupported(rewriter, op, kNeedsRanked);
    double a0 = 0.5, a1 = 0.5, a2 = 0; // Hann
    if constexpr (std::is_same_v<OpTy, ONNXHammingWindowOp>) {
      a0 = 25.0 / 46.0;
      a1 = 1 - a0;
    } else if constexpr (std::is_same_v<OpTy, ONNXBlackmanWindowOp>) {
      a0 = 0.42;
      a1 = 0.5;
      a2 = 0.08;
    }
    Location loc = op.getLoc();
    // The length: the result's, else the size input's value.
    OpFoldResult size = rewriter.getIndexAttr(rt.getDimSize(0));
    if (rt.isDynamicDim(0)) {
      size = indexElement(rewriter, loc, adaptor.getSize(), 0);
      checkNonNegative(rewriter, loc, size, "the size is negative");
    }
    Type f64 = rewriter.getF64Type();
    Value n = arith::SIToFPOp::create(
        rewriter, loc, f64,
        arith::SubIOp::create(
            rewriter, loc,
            arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                       dimValue(rewriter, loc, size)),
            arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(),
                                         op.getPeriodic() ? 0 : 1)));
    Type et = rt.getElementType();
    rewriter.replaceOp(
        op, generateFromIndices(
                rewriter, loc, rt,
                [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                  Value i = arith::SIToFPOp::create(b, l, f64,
                                                    indexAsI64(b, l, iv[0]));
                  auto cosOf = [&](double k) -> Value {
                    return math::CosOp::create(
                        b, l,
                        arith::DivFOp::create(
                            b, l,
                            arith::MulFOp::create(
                                b, l, i, scalarConstant(b, l, f64, k * M_PI)),
                            n));
                  };
                  Value r = arith::SubFOp::create(
                      b, l, scalarConstant(b, l, f64, a0),
                      arith::MulFOp::create(b, l, scalarConstant(b, l, f64, a1),
                                            cosOf(2)));
                  if (a2 != 0)
                    r = arith::AddFOp::create(
                        b, l, r,
                        arith::MulFOp::create(
                            b, l, scalarConstant(b, l, f64, a2), cosOf(4)));
                  if (isa<FloatType>(et))
                    return toFloat(b, l, r, et);
                  return arith::FPToSIOp::create(b, l, et, r);
                },
                {size}));
    return success();
  }
};

} // namespace

void lowering::populateGeneratePatterns(RewritePatternSet &patterns) {
  patterns.add<RangeLowering, EyeLikeLowering, OneHotLowering,
               BlockRearrangeLowering<ONNXDepthToSpaceOp, true>,
               BlockRearrangeLowering<ONNXSpaceToDepthOp, false>,
               CumulateLowering<ONNXCumSumOp, false>,
               CumulateLowering<ONNXCumProdOp, true>, TopKLowering,
               WindowLowering<ONNXHannWindowOp>,
               WindowLowering<ONNXHammingWindowOp>,
               WindowLowering<ONNXBlackmanWindowOp>, ReverseSequenceLowering,
               DFTLowering, Col2ImLowering>(patterns.getContext());
}
