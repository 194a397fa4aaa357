//===- Reduction.cpp - Reduce* and the normalizations to linalg -----------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

using Kind = ReduceKind;

/// Reduces `x` over `reduced` dims into a tensor of the kept dims. Integer
/// tensors (bool included) support Sum, Max, Min and Prod; `isUnsigned`
/// picks the unsigned comparisons.
Value reduceDims(OpBuilder &b, Location loc, Value x, ArrayRef<bool> reduced,
                 Kind kind, bool isUnsigned = false) {
  auto xt = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  Type et = xt.getElementType();
  SmallVector<OpFoldResult> kept;
  SmallVector<AffineExpr> oe;
  SmallVector<IteratorType> iters;
  for (int64_t i = 0; i < xt.getRank(); ++i) {
    iters.push_back(reduced[i] ? IteratorType::reduction
                               : IteratorType::parallel);
    if (!reduced[i]) {
      kept.push_back(dimOf(b, loc, x, i));
      oe.push_back(getAffineDimExpr(i, ctx));
    }
  }
  auto rt = tensorType(kept, et);
  double inf = std::numeric_limits<double>::infinity();
  double initV = kind == Kind::Max    ? -inf
                 : kind == Kind::Min  ? inf
                 : kind == Kind::Prod ? 1.0
                                      : 0.0;
  Value init;
  if (auto it = dyn_cast<IntegerType>(et)) {
    unsigned w = it.getWidth();
    APInt v = kind == Kind::Prod ? APInt(w, 1) : APInt(w, 0);
    if (kind == Kind::Max)
      v = isUnsigned || w == 1 ? APInt::getMinValue(w)
                               : APInt::getSignedMinValue(w);
    if (kind == Kind::Min)
      v = isUnsigned || w == 1 ? APInt::getMaxValue(w)
                               : APInt::getSignedMaxValue(w);
    Value c = arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
    init = linalg::FillOp::create(b, loc, c, emptyTensor(b, loc, kept, et))
               .getResult(0);
  } else {
    init = filledTensor(b, loc, rt, initV, kept);
  }
  bool isInt = isa<IntegerType>(et), isBool = et.isInteger(1);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(xt.getRank()),
                                 AffineMap::get(xt.getRank(), 0, oe, ctx)};
  return linalg::GenericOp::create(
             b, loc, rt, x, init, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value v = a[0], acc = a[1], r;
               if (isInt) {
                 switch (kind) {
                 case Kind::Max:
                   r = isBool ? (Value)arith::OrIOp::create(nb, l, v, acc)
                       : isUnsigned
                           ? (Value)arith::MaxUIOp::create(nb, l, v, acc)
                           : (Value)arith::MaxSIOp::create(nb, l, v, acc);
                   break;
                 case Kind::Min:
                   r = isBool ? (Value)arith::AndIOp::create(nb, l, v, acc)
                       : isUnsigned
                           ? (Value)arith::MinUIOp::create(nb, l, v, acc)
                           : (Value)arith::MinSIOp::create(nb, l, v, acc);
                   break;
                 case Kind::Prod:
                   r = arith::MulIOp::create(nb, l, v, acc);
                   break;
                 case Kind::SumSquare:
                   r = arith::AddIOp::create(
                       nb, l, arith::MulIOp::create(nb, l, v, v), acc);
                   break;
                 default:
                   r = arith::AddIOp::create(nb, l, v, acc);
                 }
                 linalg::YieldOp::create(nb, l, r);
                 return;
               }
               switch (kind) {
               case Kind::Max:
                 r = floatMax(nb, l, v, acc);
                 break;
               case Kind::Min:
                 r = floatMin(nb, l, v, acc);
                 break;
               case Kind::Prod:
                 r = arith::MulFOp::create(nb, l, v, acc);
                 break;
               case Kind::SumSquare:
               case Kind::L2:
                 r = math::FmaOp::create(nb, l, v, v, acc);
                 break;
               case Kind::L1:
                 r = arith::AddFOp::create(nb, l,
                                           math::AbsFOp::create(nb, l, v), acc);
                 break;
               case Kind::LogSumExp:
                 r = arith::AddFOp::create(nb, l, math::ExpOp::create(nb, l, v),
                                           acc);
                 break;
               default:
                 r = arith::AddFOp::create(nb, l, v, acc);
               }
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

} // namespace

/// reduceDims with the reduced dims kept as 1s (keepdims).
Value lowering::reduceKeep(OpBuilder &b, Location loc, Value x,
                           ArrayRef<bool> reduced, ReduceKind kind,
                           bool isUnsigned) {
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> keep(xt.getShape());
  for (int64_t d = 0; d < xt.getRank(); ++d)
    if (reduced[d])
      keep[d] = 1;
  return reshapeTo(b, loc, reduceDims(b, loc, x, reduced, kind, isUnsigned),
                   RankedTensorType::get(keep, xt.getElementType()));
}

namespace {

/// The number of elements of `x` each reduction over `reduced` combines,
/// as a scalar of float type `et` (computed at run time for dynamic dims).
Value groupSize(OpBuilder &b, Location loc, Value x, ArrayRef<bool> reduced,
                Type et) {
  auto xt = cast<RankedTensorType>(x.getType());
  double n = 1;
  Value dyn;
  for (int64_t d = 0; d < xt.getRank(); ++d) {
    if (!reduced[d])
      continue;
    if (!xt.isDynamicDim(d)) {
      n *= xt.getDimSize(d);
      continue;
    }
    Value v = tensor::DimOp::create(b, loc, x, d);
    dyn = dyn ? arith::MulIOp::create(b, loc, dyn, v).getResult() : v;
  }
  Value c = scalarConstant(b, loc, et, n);
  if (!dyn)
    return c;
  Value f = arith::SIToFPOp::create(
      b, loc, et,
      arith::IndexCastOp::create(b, loc, b.getI64Type(), dyn).getResult());
  return arith::MulFOp::create(b, loc, f, c);
}

/// A Reduce* whose axes are read at run time and whose shapes do not tell
/// which they are: one conditional reduction per dim (scf.if on whether an
/// axis names it, the dim becomes 1), in the base combination of `kind`
/// (sum, max, min, product) after its elementwise step (square, abs,
/// exp), then the final step (mean, sqrt, log); without keepdims the
/// reduced dims are dropped by a reshape whose dims the axes decide.
Value reduceRuntimeAxes(OpBuilder &b, Location loc, Value x, Value axes,
                        Kind kind, bool isU, bool keepdims,
                        RankedTensorType rt) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  int64_t k = cast<RankedTensorType>(axes.getType()).getDimSize(0);
  Type et = xt.getElementType();
  SmallVector<Value> mask(rank, arith::ConstantIntOp::create(b, loc, 0, 1));
  for (int64_t j = 0; j < k; ++j) {
    Value a = normalizedAxis(
        b, loc, dimValue(b, loc, indexElement(b, loc, axes, j)), rank);
    for (int64_t d = 0; d < rank; ++d)
      mask[d] = arith::OrIOp::create(
          b, loc, mask[d],
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a,
                                arith::ConstantIndexOp::create(b, loc, d)));
  }
  SmallVector<OpFoldResult> inDims = dimsOf(b, loc, x);
  auto pointwise = [&](Value v,
                       function_ref<Value(OpBuilder &, Location, Value)> f) {
    return buildElementwise(b, loc, cast<RankedTensorType>(v.getType()), v,
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return f(nb, l, a[0]);
                            });
  };
  Value v = x;
  if (kind == Kind::SumSquare || kind == Kind::L2)
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return isa<FloatType>(et) ? (Value)arith::MulFOp::create(nb, l, e, e)
                                : (Value)arith::MulIOp::create(nb, l, e, e);
    });
  else if (kind == Kind::L1)
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return math::AbsFOp::create(nb, l, e);
    });
  else if (kind == Kind::LogSumExp)
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return math::ExpOp::create(nb, l, e);
    });
  Kind base = kind == Kind::Max || kind == Kind::Min || kind == Kind::Prod
                  ? kind
                  : Kind::Sum;
  for (int64_t d = 0; d < rank; ++d) {
    SmallVector<int64_t> shape(cast<RankedTensorType>(v.getType()).getShape());
    shape[d] = ShapedType::kDynamic;
    auto td = RankedTensorType::get(shape, et);
    auto cast = [&](OpBuilder &nb, Location l, Value t) -> Value {
      return t.getType() == td
                 ? t
                 : tensor::CastOp::create(nb, l, td, t).getResult();
    };
    SmallVector<bool> one(rank, false);
    one[d] = true;
    Value cur = v;
    v = scf::IfOp::create(
            b, loc, mask[d],
            [&](OpBuilder &nb, Location l) {
              scf::YieldOp::create(
                  nb, l, cast(nb, l, reduceKeep(nb, l, cur, one, base, isU)));
            },
            [&](OpBuilder &nb, Location l) {
              scf::YieldOp::create(nb, l, cast(nb, l, cur));
            })
            .getResult(0);
  }
  if (kind == Kind::Mean) {
    // Divide by the product of the reduced dims.
    Value n = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < rank; ++d)
      n = arith::MulIOp::create(
          b, loc, n,
          arith::SelectOp::create(b, loc, mask[d], dimValue(b, loc, inDims[d]),
                                  arith::ConstantIndexOp::create(b, loc, 1)));
    Value f = arith::SIToFPOp::create(
        b, loc, et, arith::IndexCastOp::create(b, loc, b.getI64Type(), n));
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return arith::DivFOp::create(nb, l, e, f);
    });
  } else if (kind == Kind::L2) {
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return math::SqrtOp::create(nb, l, e);
    });
  } else if (kind == Kind::LogSum || kind == Kind::LogSumExp) {
    v = pointwise(v, [&](OpBuilder &nb, Location l, Value e) -> Value {
      return math::LogOp::create(nb, l, e);
    });
  }
  if (keepdims)
    return v.getType() == rt ? v : tensor::CastOp::create(b, loc, rt, v);
  return reshapeTo(b, loc, v, rt, keptDims(b, loc, inDims, mask, rt.getRank()));
}

/// Which dims of `xt` a Reduce* op may reduce: one candidate when the
/// axes are known, an empty one for a no-op (empty axes with
/// noop_with_empty_axes). Axes that are not constants follow from the
/// declared result type `rt`: with keepdims every dim that became 1
/// (reducing a dim of 1 changes nothing); without, each choice of dims
/// whose removal gives `rt` (several when sizes repeat: [3,2,2] -> [3,2]),
/// and the lowering picks one at run time from the axes' values.
FailureOr<SmallVector<SmallVector<bool>>>
reducedDims(Value axesV, RankedTensorType xt, RankedTensorType rt,
            bool keepdims, bool noopEmpty) {
  using Candidates = SmallVector<SmallVector<bool>>;
  int64_t rank = xt.getRank();
  std::optional<SmallVector<int64_t>> axes;
  if (isNoValue(axesV))
    axes.emplace();
  else if (auto c = getConstantInts(axesV))
    axes = *c;
  else if (auto at = dyn_cast<RankedTensorType>(axesV.getType());
           at && at.hasStaticShape() && at.getNumElements() == 0)
    axes.emplace();
  if (axes) {
    if (axes->empty() && noopEmpty)
      return Candidates{SmallVector<bool>{}};
    SmallVector<bool> reduced(rank, axes->empty());
    for (int64_t a : *axes) {
      a = normalizeAxis(a, rank);
      if (a < 0 || a >= rank)
        return failure();
      reduced[a] = true;
    }
    return Candidates{reduced};
  }
  if (noopEmpty || !xt.hasStaticShape() || !rt.hasStaticShape())
    return failure(); // the axes might be empty at run time
  if (keepdims) {
    if (rt.getRank() != rank)
      return failure();
    SmallVector<bool> reduced(rank, false);
    for (int64_t d = 0; d < rank; ++d) {
      if (rt.getDimSize(d) == xt.getDimSize(d))
        continue;
      if (rt.getDimSize(d) != 1)
        return failure();
      reduced[d] = true;
    }
    return Candidates{reduced};
  }
  int64_t drop = rank - rt.getRank();
  if (drop < 0 || rank > 16)
    return failure();
  Candidates found;
  for (uint32_t mask = 0; mask < (1u << rank); ++mask) {
    if (llvm::popcount(mask) != drop)
      continue;
    SmallVector<int64_t> kept;
    SmallVector<bool> reduced(rank, false);
    for (int64_t d = 0; d < rank; ++d) {
      if (mask & (1u << d))
        reduced[d] = xt.getDimSize(d) != 1; // dropping a 1 changes nothing
      else
        kept.push_back(xt.getDimSize(d));
    }
    if (ArrayRef<int64_t>(kept) != rt.getShape() ||
        llvm::is_contained(found, reduced))
      continue;
    found.push_back(reduced);
  }
  if (found.empty() || found.size() > 8)
    return failure();
  return found;
}

/// Whether the run-time `axes` (a static 1-D integer tensor) reduce the
/// dims `reduced` of a rank-`rank` tensor of shape `shape` (axes on dims
/// of size 1 may be there or not).
Value axesSelect(OpBuilder &b, Location loc, Value axes, ArrayRef<bool> reduced,
                 ArrayRef<int64_t> shape) {
  auto at = cast<RankedTensorType>(axes.getType());
  int64_t rank = shape.size();
  Type it = at.getElementType();
  SmallVector<Value> norm;
  for (int64_t j = 0; j < at.getNumElements(); ++j) {
    Value a = tensor::ExtractOp::create(
        b, loc, axes, ValueRange{arith::ConstantIndexOp::create(b, loc, j)});
    Value zero = arith::ConstantIntOp::create(b, loc, it, 0);
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, zero);
    norm.push_back(arith::SelectOp::create(
        b, loc, neg,
        arith::AddIOp::create(b, loc, a,
                              arith::ConstantIntOp::create(b, loc, it, rank)),
        a));
  }
  auto is = [&](Value v, int64_t d) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                                 arith::ConstantIntOp::create(b, loc, it, d));
  };
  Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (Value v : norm) { // every axis is a reduced dim or a dim of size 1
    Value any = arith::ConstantIntOp::create(b, loc, 0, 1);
    for (int64_t d = 0; d < rank; ++d)
      if (reduced[d] || shape[d] == 1)
        any = arith::OrIOp::create(b, loc, any, is(v, d));
    ok = arith::AndIOp::create(b, loc, ok, any);
  }
  for (int64_t d = 0; d < rank; ++d) { // every reduced dim is an axis
    if (!reduced[d])
      continue;
    Value any = arith::ConstantIntOp::create(b, loc, 0, 1);
    for (Value v : norm)
      any = arith::OrIOp::create(b, loc, any, is(v, d));
    ok = arith::AndIOp::create(b, loc, ok, any);
  }
  return ok;
}

template <typename OpTy, Kind K>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!rt || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
    bool isFloat = isa<FloatType>(rt.getElementType());
    bool intKind = K == Kind::Sum || K == Kind::Max || K == Kind::Min ||
                   K == Kind::Prod || K == Kind::SumSquare;
    if (!isFloat && !intKind)
      return unsupported(rewriter, op,
                         "this reduction supports float tensors only");
    Location loc = op.getLoc();
    auto candidates = reducedDims(op.getAxes(), xt, rt, op.getKeepdims(),
                                  op.getNoopWithEmptyAxes());
    if (failed(candidates)) {
      auto at = isNoValue(op.getAxes())
                    ? RankedTensorType()
                    : dyn_cast<RankedTensorType>(adaptor.getAxes().getType());
      if (!at || at.getRank() != 1 || at.isDynamicDim(0) ||
          op.getNoopWithEmptyAxes())
        return unsupported(rewriter, op,
                           "axes must be a constant, or a tensor of static "
                           "length that is never empty");
      rewriter.replaceOp(
          op, reduceRuntimeAxes(
                  rewriter, loc, adaptor.getData(), adaptor.getAxes(), K,
                  isUnsignedInt(op.getData().getType()), op.getKeepdims(), rt));
      return success();
    }
    if (candidates->front().empty()) { // noop_with_empty_axes
      rewriter.replaceOp(op, adaptor.getData());
      return success();
    }
    bool isU = isUnsignedInt(op.getData().getType());
    auto build = [&](OpBuilder &b, ArrayRef<bool> reduced) -> Value {
      Value x = adaptor.getData();
      Value count;
      if (K == Kind::Mean)
        count = groupSize(b, loc, x, reduced, rt.getElementType());
      Value r = reduceDims(b, loc, x, reduced, K, isU);
      auto kt = cast<RankedTensorType>(r.getType());
      if (K == Kind::Mean || K == Kind::L2 || K == Kind::LogSum ||
          K == Kind::LogSumExp)
        r = buildElementwise(
            b, loc, kt, r,
            [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
              if (K == Kind::L2)
                return math::SqrtOp::create(nb, l, a[0]);
              if (K == Kind::LogSum || K == Kind::LogSumExp)
                return math::LogOp::create(nb, l, a[0]);
              return arith::DivFOp::create(nb, l, a[0], count);
            });
      return reshapeTo(b, loc, r, rt);
    };
    // Several reductions fit the declared shape: the axes' values choose
    // (the last one when none matches: the axes contradict the model).
    std::function<Value(OpBuilder &, ArrayRef<SmallVector<bool>>)> choose =
        [&](OpBuilder &b, ArrayRef<SmallVector<bool>> cs) -> Value {
      if (cs.size() == 1)
        return build(b, cs.front());
      Value cond =
          axesSelect(b, loc, adaptor.getAxes(), cs.front(), xt.getShape());
      auto ifOp = scf::IfOp::create(
          b, loc, cond,
          [&](OpBuilder &tb, Location l) {
            scf::YieldOp::create(tb, l, build(tb, cs.front()));
          },
          [&](OpBuilder &eb, Location l) {
            scf::YieldOp::create(eb, l, choose(eb, cs.drop_front()));
          });
      return ifOp.getResult(0);
    };
    rewriter.replaceOp(op, choose(rewriter, *candidates));
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
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!rt || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
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
    SmallVector<OpFoldResult> kept;
    SmallVector<AffineExpr> oe;
    SmallVector<utils::IteratorType> iters;
    for (int64_t i = 0; i < rank; ++i) {
      iters.push_back(i == axis ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
      if (i != axis) {
        kept.push_back(dimOf(rewriter, loc, adaptor.getData(), i));
        oe.push_back(getAffineDimExpr(i, ctx));
      }
    }
    auto valT = tensorType(kept, et);
    auto idxT = tensorType(kept, rewriter.getI64Type());
    Value worst;
    if (isFloat) {
      double inf = std::numeric_limits<double>::infinity();
      worst = filledTensor(rewriter, loc, valT, IsMax ? -inf : inf, kept);
    } else {
      unsigned w = et.getIntOrFloatBitWidth();
      APInt v =
          IsMax ? APInt::getSignedMinValue(w) : APInt::getSignedMaxValue(w);
      Value c = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getIntegerAttr(et, v));
      worst = linalg::FillOp::create(rewriter, loc, c,
                                     emptyTensor(rewriter, loc, kept, et))
                  .getResult(0);
    }
    Value zeros = filledTensor(rewriter, loc, idxT, 0.0, kept);
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
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
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
    for (int64_t d = axis; d < rank; ++d)
      reduced[d] = true;
    Value x = adaptor.getX();
    Value n = groupSize(rewriter, loc, x, reduced, et);
    auto divideByN = [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(b, l, a[0], n);
    };
    // reduceDims sums; the mean divides by the group size.
    Value sum = reduceKeep(rewriter, loc, x, reduced, Kind::Sum);
    auto keepT = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(rewriter, loc, keepT, sum, divideByN);
    Value centered =
        buildElementwise(rewriter, loc, rt, ValueRange{x, mean},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::SubFOp::create(b, l, a[0], a[1]);
                         });
    Value var = reduceKeep(rewriter, loc, centered, reduced, Kind::SumSquare);
    double eps = op.getEpsilon().convertToDouble();
    // 1 / sqrt(sum((x - mean)^2) / n + eps), per normalized group.
    Value invStd = buildElementwise(
        rewriter, loc, keepT, var,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = arith::DivFOp::create(b, l, a[0], n);
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

/// Normalizes `x` over the `reduced` dims: (x - mean) / sqrt(var + eps),
/// or x / sqrt(mean(x^2) + eps) without centering (RMS).
Value normalizeOver(OpBuilder &b, Location loc, Value x, ArrayRef<bool> reduced,
                    double eps, bool center) {
  auto t = cast<RankedTensorType>(x.getType());
  Type et = t.getElementType();
  Value n = groupSize(b, loc, x, reduced, et);
  auto meanOf = [&](Value v, Kind kind) {
    Value sum = reduceKeep(b, loc, v, reduced, kind);
    return buildElementwise(b, loc, cast<RankedTensorType>(sum.getType()), sum,
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return arith::DivFOp::create(nb, l, a[0], n);
                            });
  };
  if (center) {
    Value mean = meanOf(x, Kind::Sum);
    x = buildElementwise(b, loc, t, ValueRange{x, mean},
                         [](OpBuilder &nb, Location l, ValueRange a) {
                           return arith::SubFOp::create(nb, l, a[0], a[1]);
                         });
  }
  Value var = meanOf(x, Kind::SumSquare);
  return buildElementwise(
      b, loc, t, ValueRange{x, var},
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = math::RsqrtOp::create(
            nb, l,
            arith::AddFOp::create(nb, l, a[1], scalarConstant(nb, l, et, eps)));
        return arith::MulFOp::create(nb, l, a[0], r);
      });
}

/// float16/bfloat16 normalize in float32 (the ops' stash_type).
Type computeType(Type et) {
  return et.getIntOrFloatBitWidth() < 32 ? Float32Type::get(et.getContext())
                                         : et;
}

/// y = x * scale (+ bias), scale and bias cast to x's element type and
/// broadcast numpy-style.
Value scaleShift(OpBuilder &b, Location loc, Value x, Value scale, Value bias) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<Value> ins = {x, castElements(b, loc, scale, t.getElementType())};
  if (bias)
    ins.push_back(castElements(b, loc, bias, t.getElementType()));
  return buildElementwise(
      b, loc, t, ins, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = arith::MulFOp::create(nb, l, a[0], a[1]);
        return a.size() > 2 ? (Value)arith::AddFOp::create(nb, l, r, a[2]) : r;
      });
}

/// A per-channel [C] vector as [1, C, 1, ...] for an N, C, ... tensor.
Value alongChannels(OpBuilder &b, Location loc, Value v, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = t.getDimSize(0);
  return reshapeTo(b, loc, v, RankedTensorType::get(shape, t.getElementType()));
}

struct RMSNormLowering : OpConversionPattern<ONNXRMSNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXRMSNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Location loc = op.getLoc();
    Type et = rt.getElementType(), ct = computeType(et);
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    for (int64_t d = axis; d < rank; ++d)
      reduced[d] = true;
    Value x = castElements(rewriter, loc, adaptor.getX(), ct);
    Value y = normalizeOver(rewriter, loc, x, reduced,
                            op.getEpsilon().convertToDouble(), false);
    y = scaleShift(rewriter, loc, y, adaptor.getScale(), Value());
    rewriter.replaceOp(op, castElements(rewriter, loc, y, et));
    return success();
  }
};

/// InstanceNormalization: per (n, c) over the spatial dims.
struct InstanceNormLowering : OpConversionPattern<ONNXInstanceNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXInstanceNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() < 3)
      return unsupported(rewriter, op, "needs an input of rank 3 or more");
    Location loc = op.getLoc();
    Type et = rt.getElementType(), ct = computeType(et);
    int64_t rank = rt.getRank();
    SmallVector<bool> reduced(rank, true);
    reduced[0] = reduced[1] = false;
    Value x = castElements(rewriter, loc, adaptor.getInput(), ct);
    Value y = normalizeOver(rewriter, loc, x, reduced,
                            op.getEpsilon().convertToDouble(), true);
    y = scaleShift(rewriter, loc, y,
                   alongChannels(rewriter, loc, adaptor.getScale(), rank),
                   alongChannels(rewriter, loc, adaptor.getB(), rank));
    rewriter.replaceOp(op, castElements(rewriter, loc, y, et));
    return success();
  }
};

/// GroupNormalization (opset 21): channels in num_groups groups, each
/// normalized over its channels and the spatial dims; scale and bias per
/// channel.
struct GroupNormLowering : OpConversionPattern<ONNXGroupNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGroupNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto st = dyn_cast<RankedTensorType>(adaptor.getScale().getType());
    if (!rt || rt.getRank() < 2 || !st || st.getRank() != 1)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t groups = op.getNumGroups(), c = rt.getDimSize(1);
    if (groups <= 0 || (!ShapedType::isDynamic(c) && c % groups))
      return unsupported(rewriter, op,
                         "the channels must divide into num_groups");
    if (!ShapedType::isDynamic(c) && !st.isDynamicDim(0) &&
        st.getDimSize(0) != c)
      return unsupported(rewriter, op,
                         "scale and bias must have one value per channel "
                         "(opset 21)");
    Location loc = op.getLoc();
    Type et = rt.getElementType(), ct = computeType(et);
    int64_t rank = rt.getRank();
    Value x = castElements(rewriter, loc, adaptor.getX(), ct);
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x);
    // [N, C, spatial...] as [N, groups, C / groups * spatial].
    OpFoldResult rest = dims[1];
    for (int64_t d = 2; d < rank; ++d)
      rest = affine::makeComposedFoldedAffineApply(
          rewriter, loc,
          getAffineSymbolExpr(0, getContext()) *
              getAffineSymbolExpr(1, getContext()),
          {rest, dims[d]});
    Value cv = dimValue(rewriter, loc, dims[1]);
    Value g = arith::ConstantIndexOp::create(rewriter, loc, groups);
    checkShape(
        rewriter, loc,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                              arith::RemUIOp::create(rewriter, loc, cv, g),
                              arith::ConstantIndexOp::create(rewriter, loc, 0)),
        "the channels do not divide into num_groups");
    checkSameDim(rewriter, loc, dimOf(rewriter, loc, adaptor.getScale(), 0),
                 dims[1], "scale must have one value per channel");
    rest = affine::makeComposedFoldedAffineApply(
        rewriter, loc, getAffineSymbolExpr(0, getContext()).floorDiv(groups),
        {rest});
    SmallVector<OpFoldResult> gdims = {dims[0], rewriter.getIndexAttr(groups),
                                       rest};
    Value y = normalizeOver(
        rewriter, loc,
        reshapeTo(rewriter, loc, x, tensorType(gdims, ct), gdims),
        {false, false, true}, op.getEpsilon().convertToDouble(), true);
    y = reshapeTo(rewriter, loc, y, RankedTensorType::get(rt.getShape(), ct),
                  dims);
    y = scaleShift(rewriter, loc, y,
                   alongChannels(rewriter, loc, adaptor.getScale(), rank),
                   alongChannels(rewriter, loc, adaptor.getBias(), rank));
    rewriter.replaceOp(op, castElements(rewriter, loc, y, et));
    return success();
  }
};

/// MeanVarianceNormalization: (x - mean) / sqrt(var + 1e-9) over `axes`.
struct MeanVarianceNormLowering
    : OpConversionPattern<ONNXMeanVarianceNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMeanVarianceNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Type et = rt.getElementType(), ct = computeType(et);
    SmallVector<bool> reduced(rt.getRank(), false);
    for (int64_t a : getIntArray(op.getAxesAttr()))
      reduced[normalizeAxis(a, rt.getRank())] = true;
    Value x = castElements(rewriter, loc, adaptor.getX(), ct);
    Value y = normalizeOver(rewriter, loc, x, reduced, 1e-9, true);
    rewriter.replaceOp(op, castElements(rewriter, loc, y, et));
    return success();
  }
};

/// LRN across channels: x / (bias + alpha / size * sum of x^2 over the
/// channel window [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
struct LRNLowering : OpConversionPattern<ONNXLRNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || rt.getRank() < 2)
      return unsupported(rewriter, op, "needs an input of rank 2 or more");
    Location loc = op.getLoc();
    int64_t size = op.getSize();
    Value channels =
        dimValue(rewriter, loc, dimOf(rewriter, loc, adaptor.getX(), 1));
    int64_t before = (size - 1) / 2;
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    Value x = adaptor.getX();
    Type et = rt.getElementType();
    int64_t rank = rt.getRank();
    // Sum of squares over the window: a reduction dim k over `size`.
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> outE;
    for (int64_t d = 0; d < rank; ++d)
      outE.push_back(getAffineDimExpr(d, ctx));
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    Value sq =
        linalg::GenericOp::create(rewriter, loc, rt,
                                  ValueRange{Value(tensor::EmptyOp::create(
                                      rewriter, loc, ArrayRef<int64_t>{size},
                                      et))},
                                  filledTensor(rewriter, loc, rt, 0,
                                               dimsOf(rewriter, loc, x)),
                                  SmallVector<AffineMap>{
                                      AffineMap::get(
                                          rank + 1, 0,
                                          getAffineDimExpr(rank, ctx), ctx),
                                      AffineMap::get(rank + 1, 0, outE, ctx)},
                                  iters,
                                  [&](OpBuilder &b, Location l, ValueRange a) {
                                    SmallVector<Value> at;
                                    for (int64_t d = 0; d < rank; ++d)
                                      at.push_back(
                                          linalg::IndexOp::create(b, l, d));
                                    Value k =
                                        linalg::IndexOp::create(b, l, rank);
                                    Value c = arith::SubIOp::create(
                                        b, l,
                                        arith::AddIOp::create(b, l, at[1], k),
                                        arith::ConstantIndexOp::create(b, l,
                                                                       before));
                                    Value inside = arith::AndIOp::create(
                                        b, l,
                                        arith::CmpIOp::create(
                                            b, l, arith::CmpIPredicate::sge, c,
                                            arith::ConstantIndexOp::create(b, l,
                                                                           0)),
                                        arith::CmpIOp::create(
                                            b, l, arith::CmpIPredicate::slt, c,
                                            channels));
                                    at[1] = arith::SelectOp::create(
                                        b, l, inside, c,
                                        arith::ConstantIndexOp::create(b, l,
                                                                       0));
                                    Value v =
                                        tensor::ExtractOp::create(b, l, x, at);
                                    v = arith::SelectOp::create(
                                        b, l, inside,
                                        arith::MulFOp::create(b, l, v, v),
                                        scalarConstant(b, l, et, 0));
                                    linalg::YieldOp::create(
                                        b, l,
                                        Value(arith::AddFOp::create(b, l, v,
                                                                    a[1])));
                                  })
            .getResult(0);
    Value y = buildElementwise(
        rewriter, loc, rt, ValueRange{x, sq},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value d = math::FmaOp::create(
              b, l, a[1], scalarConstant(b, l, et, alpha / double(size)),
              scalarConstant(b, l, et, bias));
          return arith::DivFOp::create(
              b, l, a[0],
              math::PowFOp::create(b, l, d, scalarConstant(b, l, et, beta)));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// LpNormalization (p = 1 or 2) along one axis; a zero norm gives 0.
struct LpNormLowering : OpConversionPattern<ONNXLpNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLpNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t p = op.getP();
    if (p != 1 && p != 2)
      return unsupported(rewriter, op, "p must be 1 or 2");
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value x = adaptor.getInput();
    Value norm =
        reduceKeep(rewriter, loc, x, reduced, p == 1 ? Kind::L1 : Kind::L2);
    Value y = buildElementwise(
        rewriter, loc, rt, ValueRange{x, norm},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value nrm = p == 2 ? (Value)math::SqrtOp::create(b, l, a[1]) : a[1];
          Value zero = scalarConstant(b, l, t, 0.0);
          Value isZero =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, nrm, zero);
          return arith::SelectOp::create(
              b, l, isZero, zero, arith::DivFOp::create(b, l, a[0], nrm));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ONNXReduceSumOp, Kind::Sum>,
               ReduceLowering<ONNXReduceMeanOp, Kind::Mean>,
               ReduceLowering<ONNXReduceMaxOp, Kind::Max>,
               ReduceLowering<ONNXReduceMinOp, Kind::Min>,
               ReduceLowering<ONNXReduceProdOp, Kind::Prod>,
               ReduceLowering<ONNXReduceSumSquareOp, Kind::SumSquare>,
               ReduceLowering<ONNXReduceL2Op, Kind::L2>,
               ReduceLowering<ONNXReduceL1Op, Kind::L1>,
               ReduceLowering<ONNXReduceLogSumOp, Kind::LogSum>,
               ReduceLowering<ONNXReduceLogSumExpOp, Kind::LogSumExp>,
               LayerNormLowering, ArgLowering<ONNXArgMaxOp, true>,
               ArgLowering<ONNXArgMinOp, false>, RMSNormLowering,
               InstanceNormLowering, GroupNormLowering, LpNormLowering,
               MeanVarianceNormLowering, LRNLowering>(patterns.getContext());
}
