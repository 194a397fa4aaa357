//===- Shape.cpp - Data movement and constants to tensor/linalg -----------===//
//
// Reshapes become collapse/expand views, slicing and concatenation become
// extract/insert_slice (no copies once bufferized in place), Transpose is
// linalg.transpose and Gather a generic that reads with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// Elements of a static 0-D or 1-D tensor (axes, pads...), if static.
std::optional<int64_t> staticLength(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() > 1 || !t.hasStaticShape())
    return std::nullopt;
  return t.getNumElements();
}

/// The result dims of Reshape: the shape's values, 0 copying the input's
/// dim (unless allowzero), -1 the element count the others leave; checked
/// against the input's element count at run time.
SmallVector<OpFoldResult> reshapeDims(OpBuilder &b, Location loc,
                                      ONNXReshapeOp op, Value in, Value shape,
                                      int64_t rank) {
  SmallVector<OpFoldResult> inDims = dimsOf(b, loc, in);
  OpFoldResult numel = mulDims(b, loc, inDims);
  SmallVector<OpFoldResult> dims;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value minusOne = arith::ConstantIndexOp::create(b, loc, -1);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // Dims copied from the input (a 0) are sizes, never the -1 to infer:
  // kept as they are, a later reshape sees they are the input's dims.
  SmallVector<bool> copied(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    OpFoldResult v = indexElement(b, loc, shape, i);
    if (!op.getAllowzero()) {
      if (auto c = getConstantIntValue(v); c && *c == 0) {
        v = i < int64_t(inDims.size()) ? inDims[i] : b.getIndexAttr(0);
        copied[i] = true;
      } else if (!c && i < int64_t(inDims.size()))
        v = arith::SelectOp::create(
                b, loc,
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      dimValue(b, loc, v), zero),
                dimValue(b, loc, inDims[i]), dimValue(b, loc, v))
                .getResult();
    }
    dims.push_back(v);
  }
  // Whether dim i may be the -1 to infer.
  auto mayInfer = [&](int64_t i) {
    auto c = getConstantIntValue(dims[i]);
    return !copied[i] && (!c || *c == -1);
  };
  bool anyInfer = llvm::any_of(llvm::seq<int64_t>(0, rank), mayInfer);
  if (!anyInfer) {
    if (llvm::any_of(dims,
                     [](OpFoldResult d) { return !getConstantIntValue(d); }))
      checkSameDim(b, loc, mulDims(b, loc, dims), numel,
                   "the shape does not fit the input's element count");
    return dims;
  }
  // -1: the input's elements over the product of the other dims.
  Value known = one;
  for (auto [i, d] : llvm::enumerate(dims)) {
    Value v = dimValue(b, loc, d);
    if (!mayInfer(i)) {
      known = arith::MulIOp::create(b, loc, known, v);
      continue;
    }
    Value isInfer =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, minusOne);
    known = arith::MulIOp::create(
        b, loc, known, arith::SelectOp::create(b, loc, isInfer, one, v));
  }
  Value total = dimValue(b, loc, numel);
  Value hasInfer = arith::ConstantIntOp::create(b, loc, 0, 1);
  for (auto [i, d] : llvm::enumerate(dims))
    if (mayInfer(i))
      hasInfer = arith::OrIOp::create(
          b, loc, hasInfer,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                dimValue(b, loc, d), minusOne));
  // A -1 needs the others to divide the element count; without one they
  // must make it (checked below, once the dims are final).
  checkShape(
      b, loc,
      arith::OrIOp::create(
          b, loc,
          arith::XOrIOp::create(b, loc, hasInfer,
                                arith::ConstantIntOp::create(b, loc, 1, 1)),
          arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, known,
                                    zero),
              arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq,
                  arith::RemSIOp::create(
                      b, loc, total,
                      arith::MaxSIOp::create(b, loc, known, one)),
                  zero))),
      "the shape does not fit the input's element count");
  // (Checked above, but the graph computes it unchecked: never divide by 0.)
  Value divisor = arith::SelectOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, known, zero), one,
      known);
  Value inferred = arith::DivSIOp::create(b, loc, total, divisor);
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (!mayInfer(i))
      continue;
    Value v = dimValue(b, loc, d);
    d = arith::SelectOp::create(b, loc,
                                arith::CmpIOp::create(b, loc,
                                                      arith::CmpIPredicate::eq,
                                                      v, minusOne),
                                inferred, v)
            .getResult();
  }
  checkSameDim(b, loc, mulDims(b, loc, dims), numel,
               "the shape does not fit the input's element count");
  return dims;
}

/// Reshape, Flatten, Squeeze, Unsqueeze: a view with the inferred shape
/// (dims computed at run time where the types do not know them).
template <typename OpTy>
struct ReshapeLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    Value in = adaptor.getOperands()[0];
    auto it = dyn_cast<RankedTensorType>(in.getType());
    if (!rt || !it)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    if (it.hasStaticShape() && rt.hasStaticShape()) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, in, rt));
      return success();
    }
    FailureOr<SmallVector<OpFoldResult>> dims =
        resultDims(op, adaptor, rewriter, in, rt);
    if (failed(dims))
      return failure();
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, in, rt,
                                 withDeclaredDims(rewriter, loc, *dims, rt)));
    return success();
  }

  FailureOr<SmallVector<OpFoldResult>>
  resultDims(OpTy op, typename OpTy::Adaptor adaptor,
             ConversionPatternRewriter &rewriter, Value in,
             RankedTensorType rt) const {
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> inDims = dimsOf(rewriter, loc, in);
    int64_t rank = inDims.size();
    if constexpr (std::is_same_v<OpTy, ONNXReshapeOp>) {
      return reshapeDims(rewriter, loc, op, in, adaptor.getShape(),
                         rt.getRank());
    } else if constexpr (std::is_same_v<OpTy, ONNXFlattenOp>) {
      int64_t axis = normalizeAxis(op.getAxis(), rank);
      return SmallVector<OpFoldResult>{
          mulDims(rewriter, loc, ArrayRef(inDims).take_front(axis)),
          mulDims(rewriter, loc, ArrayRef(inDims).drop_front(axis))};
    } else if constexpr (std::is_same_v<OpTy, ONNXSqueezeOp>) {
      if (isNoValue(op.getAxes()))
        return unsupported(rewriter, op,
                           "Squeeze without axes needs static shapes (which "
                           "dims are 1 decides the result's rank)");
      std::optional<int64_t> n = staticLength(adaptor.getAxes());
      if (!n)
        return unsupported(rewriter, op, "axes must have a static length");
      SmallVector<Value> dropped;
      Value f = arith::ConstantIntOp::create(rewriter, loc, 0, 1);
      dropped.assign(rank, f);
      for (int64_t j = 0; j < *n; ++j) {
        Value a = normalizedAxis(
            rewriter, loc,
            dimValue(rewriter, loc,
                     indexElement(rewriter, loc, adaptor.getAxes(), j)),
            rank);
        for (int64_t d = 0; d < rank; ++d)
          dropped[d] = arith::OrIOp::create(
              rewriter, loc, dropped[d],
              arith::CmpIOp::create(
                  rewriter, loc, arith::CmpIPredicate::eq, a,
                  arith::ConstantIndexOp::create(rewriter, loc, d)));
      }
      // A squeezed dim must be 1.
      for (int64_t d = 0; d < rank; ++d) {
        Value isOne = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq,
            dimValue(rewriter, loc, inDims[d]),
            arith::ConstantIndexOp::create(rewriter, loc, 1));
        checkShape(rewriter, loc,
                   arith::OrIOp::create(
                       rewriter, loc,
                       arith::XOrIOp::create(
                           rewriter, loc, dropped[d],
                           arith::ConstantIntOp::create(rewriter, loc, 1, 1)),
                       isOne),
                   "squeezes dimension " + Twine(d) + ", which is not 1");
      }
      return keptDims(rewriter, loc, inDims, dropped, rt.getRank());
    } else {
      // Unsqueeze: output dim p is 1 where an axis names p, else the next
      // input dim.
      std::optional<int64_t> n = staticLength(adaptor.getAxes());
      if (!n)
        return unsupported(rewriter, op, "axes must have a static length");
      int64_t outRank = rt.getRank();
      SmallVector<Value> axes;
      for (int64_t j = 0; j < *n; ++j)
        axes.push_back(normalizedAxis(
            rewriter, loc,
            dimValue(rewriter, loc,
                     indexElement(rewriter, loc, adaptor.getAxes(), j)),
            outRank));
      SmallVector<OpFoldResult> dims;
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value next = arith::ConstantIndexOp::create(rewriter, loc, 0);
      for (int64_t p = 0; p < outRank; ++p) {
        Value isNew = arith::ConstantIntOp::create(rewriter, loc, 0, 1);
        for (Value a : axes)
          isNew = arith::OrIOp::create(
              rewriter, loc, isNew,
              arith::CmpIOp::create(
                  rewriter, loc, arith::CmpIPredicate::eq, a,
                  arith::ConstantIndexOp::create(rewriter, loc, p)));
        Value d = rank ? selectDim(rewriter, loc, inDims, next) : one;
        dims.push_back(
            arith::SelectOp::create(rewriter, loc, isNew, one, d).getResult());
        next = arith::SelectOp::create(
            rewriter, loc, isNew, next,
            arith::AddIOp::create(rewriter, loc, next, one));
      }
      return dims;
    }
  }
};

/// Transpose with `perm` (default: reverse).
struct TransposeLowering : OpConversionPattern<ONNXTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    SmallVector<int64_t> perm = getIntArray(op.getPermAttr());
    if (perm.empty())
      for (int64_t i = rt.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    SmallVector<OpFoldResult> in = dimsOf(rewriter, op.getLoc(),
                                          adaptor.getData()),
                              dims;
    for (int64_t p : perm)
      dims.push_back(in[p]);
    Value init = emptyOfType(rewriter, op.getLoc(), rt, dims);
    auto t = linalg::TransposeOp::create(rewriter, op.getLoc(),
                                         adaptor.getData(), init, perm);
    rewriter.replaceOp(op, t.getResult());
    return success();
  }
};

/// Concat: insert each input into an empty result.
struct ConcatLowering : OpConversionPattern<ONNXConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    ValueRange inputs = adaptor.getInputs();
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, inputs.front());
    dims[axis] = rewriter.getIndexAttr(0);
    for (auto [k, in] : llvm::enumerate(inputs)) {
      dims[axis] =
          addDims(rewriter, loc, dims[axis], dimOf(rewriter, loc, in, axis));
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && k > 0)
          checkSameDim(rewriter, loc, dimOf(rewriter, loc, in, d),
                       dimOf(rewriter, loc, inputs.front(), d),
                       "input " + Twine(k) +
                           " differs from input 0 in "
                           "dimension " +
                           Twine(d));
    }
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    Value acc = emptyOfType(rewriter, loc, rt, dims);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value in : inputs) {
      auto it = cast<RankedTensorType>(in.getType());
      if (it.hasStaticShape() && it.getNumElements() == 0)
        continue; // nothing to insert (and a slice may not start at the end)
      SmallVector<OpFoldResult> offs(rank, rewriter.getIndexAttr(0)),
          strides(rank, rewriter.getIndexAttr(1));
      offs[axis] = offset;
      acc = tensor::InsertSliceOp::create(rewriter, loc, in, acc, offs,
                                          dimsOf(rewriter, loc, in), strides);
      offset = addDims(rewriter, loc, offset, dimOf(rewriter, loc, in, axis));
    }
    if (acc.getType() != rt)
      acc = tensor::CastOp::create(rewriter, loc, rt, acc);
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// Split: one extract_slice per output.
struct SplitLowering : OpConversionPattern<ONNXSplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    Location loc = op.getLoc();
    Value in = adaptor.getInput();
    auto it = dyn_cast<RankedTensorType>(in.getType());
    if (!it)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t rank = it.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    unsigned n = op->getNumResults();
    SmallVector<OpFoldResult> inDims = dimsOf(rewriter, loc, in);
    // The pieces' sizes: the split input's values, or equal chunks of
    // ceil(dim / n) (the last one smaller).
    SmallVector<OpFoldResult> sizes;
    if (!isNoValue(op.getSplit())) {
      for (unsigned i = 0; i < n; ++i) {
        sizes.push_back(indexElement(rewriter, loc, adaptor.getSplit(), i));
        checkNonNegative(rewriter, loc, sizes.back(),
                         "split size " + Twine(i) + " is negative");
      }
    } else {
      AffineExpr s0;
      bindSymbols(getContext(), s0);
      OpFoldResult chunk = affine::makeComposedFoldedAffineApply(
          rewriter, loc, s0.ceilDiv(n), {inDims[axis]});
      for (unsigned i = 0; i < n; ++i) {
        AffineExpr c0, d0;
        bindSymbols(getContext(), c0, d0);
        sizes.push_back(affine::makeComposedFoldedAffineMin(
            rewriter, loc,
            AffineMap::get(0, 2, {c0, d0 - c0 * int64_t(i)}, getContext()),
            {chunk, inDims[axis]}));
      }
    }
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (unsigned i = 0; i < n; ++i) {
      auto rt = resultType(op, i);
      if (!rt || rt.getRank() != rank)
        return unsupported(rewriter, op, kNeedsRanked);
      SmallVector<OpFoldResult> offs(rank, rewriter.getIndexAttr(0)),
          strides(rank, rewriter.getIndexAttr(1)), dims(inDims);
      offs[axis] = offset;
      dims[axis] = sizes[i];
      dims = withDeclaredDims(rewriter, loc, dims, rt);
      offset = addDims(rewriter, loc, offset, sizes[i]);
      if (rt.hasStaticShape() && rt.getNumElements() == 0) {
        // a slice may not start at the end
        results.push_back(tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                                  rt.getElementType()));
        continue;
      }
      results.push_back(tensor::ExtractSliceOp::create(rewriter, loc, rt, in,
                                                       offs, dims, strides));
    }
    if (!isNoValue(op.getSplit()) || !it.hasStaticShape())
      checkSameDim(rewriter, loc, offset, inDims[axis],
                   "the split sizes do not add up to the dimension");
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Slice with constant starts/ends/axes/steps on a static input: a static
/// extract_slice. Otherwise the starts, sizes and steps are computed when
/// the op runs (normalized and clamped as the ONNX reference does): an
/// extract_slice with run-time offsets and sizes for positive constant
/// steps, else a generic reading data[start_d + i * step_d].
struct SliceLowering : OpConversionPattern<ONNXSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto it = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!rt || !it)
      return unsupported(rewriter, op, kNeedsRanked);
    auto st = dyn_cast<RankedTensorType>(op.getStarts().getType());
    if (!st || !st.hasStaticShape() || st.getRank() != 1)
      return unsupported(rewriter, op, "starts must have a static length");
    int64_t rank = it.getRank(), k = st.getDimSize(0);
    auto starts = getConstantInts(op.getStarts());
    auto ends = getConstantInts(op.getEnds());
    auto axesC = isNoValue(op.getAxes())
                     ? std::optional<SmallVector<int64_t>>(
                           llvm::to_vector(llvm::seq<int64_t>(0, k)))
                     : getConstantInts(op.getAxes());
    auto stepsC =
        isNoValue(op.getSteps())
            ? std::optional<SmallVector<int64_t>>(SmallVector<int64_t>(k, 1))
            : getConstantInts(op.getSteps());
    if (stepsC && llvm::is_contained(*stepsC, 0))
      return unsupported(rewriter, op, "a step of 0 is not allowed");
    bool positive =
        stepsC && llvm::all_of(*stepsC, [](int64_t x) { return x > 0; });
    if (starts && ends && axesC && positive && it.hasStaticShape() &&
        rt.hasStaticShape())
      return staticSlice(op, adaptor, rewriter, rt, it, *starts, *axesC,
                         *stepsC);
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc, i64, v);
    };
    auto elem = [&](Value t, int64_t j) -> Value {
      return arith::IndexCastOp::create(
          rewriter, loc, i64,
          dimValue(rewriter, loc, indexElement(rewriter, loc, t, j)));
    };
    auto sel = [&](Value cond, Value a, Value b) -> Value {
      return arith::SelectOp::create(rewriter, loc, cond, a, b);
    };
    auto cmp = [&](arith::CmpIPredicate p, Value a, Value b) -> Value {
      return arith::CmpIOp::create(rewriter, loc, p, a, b);
    };
    auto clamp = [&](Value v, Value lo, Value hi) -> Value {
      return arith::MinSIOp::create(
          rewriter, loc, arith::MaxSIOp::create(rewriter, loc, v, lo), hi);
    };
    using P = arith::CmpIPredicate;
    SmallVector<OpFoldResult> inDims = dimsOf(rewriter, loc, adaptor.getData());
    SmallVector<Value> start(rank), step(rank), size(rank);
    for (int64_t d = 0; d < rank; ++d) {
      start[d] = c(0);
      step[d] = c(1);
      size[d] = arith::IndexCastOp::create(rewriter, loc, i64,
                                           dimValue(rewriter, loc, inDims[d]));
    }
    for (int64_t j = 0; j < k; ++j) {
      Value a = axesC ? c(normalizeAxis((*axesC)[j], rank))
                      : elem(adaptor.getAxes(), j);
      a = sel(cmp(P::slt, a, c(0)),
              arith::AddIOp::create(rewriter, loc, a, c(rank)), a);
      Value s = elem(adaptor.getStarts(), j), e = elem(adaptor.getEnds(), j);
      Value stp = stepsC ? c((*stepsC)[j]) : elem(adaptor.getSteps(), j);
      checkShape(rewriter, loc, cmp(P::ne, stp, c(0)), "a step is 0");
      for (int64_t d = 0; d < rank; ++d) {
        if (axesC && normalizeAxis((*axesC)[j], rank) != d)
          continue;
        Value dim = arith::IndexCastOp::create(
            rewriter, loc, i64, dimValue(rewriter, loc, inDims[d]));
        auto wrap = [&](Value v) {
          return sel(cmp(P::slt, v, c(0)),
                     arith::AddIOp::create(rewriter, loc, v, dim), v);
        };
        Value pos = cmp(P::sgt, stp, c(0));
        Value dimM1 = arith::SubIOp::create(rewriter, loc, dim, c(1));
        Value sd = clamp(wrap(s), c(0), sel(pos, dim, dimM1));
        Value ed = clamp(wrap(e), sel(pos, c(0), c(-1)), sel(pos, dim, dimM1));
        // ceil((end - start) / step), or (start - end) / -step.
        Value span = sel(pos, arith::SubIOp::create(rewriter, loc, ed, sd),
                         arith::SubIOp::create(rewriter, loc, sd, ed));
        // (A step of 0 fails the check; the graph must not divide by it.)
        Value absStep = arith::MaxSIOp::create(
            rewriter, loc,
            sel(pos, stp, arith::SubIOp::create(rewriter, loc, c(0), stp)),
            c(1));
        Value n = arith::MaxSIOp::create(
            rewriter, loc, c(0),
            arith::CeilDivSIOp::create(rewriter, loc, span, absStep));
        Value here =
            axesC ? Value(arith::ConstantIntOp::create(rewriter, loc, 1, 1))
                  : cmp(P::eq, a, c(d));
        start[d] = sel(here, sd, start[d]);
        step[d] = sel(here, stp, step[d]);
        size[d] = sel(here, n, size[d]);
      }
    }
    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(arith::IndexCastOp::create(
                         rewriter, loc, rewriter.getIndexType(), size[d])
                         .getResult());
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    Value data = adaptor.getData();
    // A view when every dim's step is a known positive constant.
    bool unitSteps =
        stepsC && llvm::all_of(*stepsC, [](int64_t x) { return x == 1; });
    if (positive && (axesC || unitSteps)) {
      SmallVector<OpFoldResult> offs, strides;
      for (int64_t d = 0; d < rank; ++d) {
        offs.push_back(arith::IndexCastOp::create(
                           rewriter, loc, rewriter.getIndexType(), start[d])
                           .getResult());
        int64_t sc = 1;
        for (int64_t j = 0; axesC && j < k; ++j)
          if (normalizeAxis((*axesC)[j], rank) == d)
            sc = (*stepsC)[j];
        strides.push_back(rewriter.getIndexAttr(sc));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, rt, data, offs,
                                                          dims, strides);
      return success();
    }
    Value g = generateFromIndices(
        rewriter, loc, rt,
        [&](OpBuilder &b, Location l, ValueRange iv) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), iv[d]);
            Value x = arith::AddIOp::create(
                b, l, start[d], arith::MulIOp::create(b, l, i, step[d]));
            at.push_back(arith::IndexCastOp::create(b, l, b.getIndexType(), x));
          }
          return tensor::ExtractOp::create(b, l, data, at).getResult();
        },
        dims);
    rewriter.replaceOp(op, g);
    return success();
  }

  static LogicalResult staticSlice(ONNXSliceOp op, OpAdaptor adaptor,
                                   ConversionPatternRewriter &rewriter,
                                   RankedTensorType rt, RankedTensorType it,
                                   ArrayRef<int64_t> starts,
                                   ArrayRef<int64_t> axes,
                                   ArrayRef<int64_t> steps) {
    int64_t rank = rt.getRank();
    SmallVector<int64_t> offs(rank, 0), strides(rank, 1);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t ax = normalizeAxis(axes[i], rank);
      int64_t dim = it.getDimSize(ax);
      int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
      offs[ax] = std::clamp<int64_t>(s, 0, dim);
      strides[ax] = steps[i];
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, rt, adaptor.getData(), ValueRange{}, ValueRange{}, ValueRange{},
        offs, rt.getShape(), strides);
    return success();
  }
};

/// Pad as a generic over the output that maps each index back into the
/// input: reflect (mirror without the edge), edge (clamp), wrap (modulo),
/// or constant (the value outside; negative pads crop).
Value padByIndex(OpBuilder &b, Location loc, Value x, RankedTensorType rt,
                 ArrayRef<Value> lo, StringRef mode, Value pv,
                 ArrayRef<OpFoldResult> dims) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = rt.getRank();
  SmallVector<Value> inDims;
  for (OpFoldResult d : dimsOf(b, loc, x))
    inDims.push_back(dimValue(b, loc, d));
  // An input that may be empty is read only where the output is inside it
  // (its buffer may be null).
  bool guardRead = !xt.hasStaticShape() && mode == "constant";
  return linalg::GenericOp::create(
             b, loc, rt, ValueRange{}, emptyOfType(b, loc, rt, dims),
             SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               auto c = [&](int64_t v) -> Value {
                 return arith::ConstantIndexOp::create(nb, l, v);
               };
               auto mod = [&](Value v, Value m) -> Value { // non-negative
                 Value r = arith::RemSIOp::create(nb, l, v, m);
                 Value neg = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::slt, r, c(0));
                 return arith::SelectOp::create(
                     nb, l, neg, arith::AddIOp::create(nb, l, r, m), r);
               };
               auto sub = [&](Value a, Value b) -> Value {
                 return arith::SubIOp::create(nb, l, a, b);
               };
               SmallVector<Value> at;
               Value inside = arith::ConstantIntOp::create(nb, l, 1, 1);
               for (int64_t d = 0; d < rank; ++d) {
                 Value n = inDims[d];
                 Value last = arith::MaxSIOp::create(nb, l, sub(n, c(1)), c(0));
                 Value i = sub(linalg::IndexOp::create(nb, l, d), lo[d]);
                 if (mode == "edge") {
                   i = arith::MaxSIOp::create(nb, l, i, c(0));
                   i = arith::MinSIOp::create(nb, l, i, last);
                 } else if (mode == "wrap") {
                   i = mod(i, arith::MaxSIOp::create(nb, l, n, c(1)));
                 } else if (mode == "reflect") {
                   // Period 2 (n - 1); a dim of 1 reflects onto itself.
                   Value period = arith::MaxSIOp::create(
                       nb, l, arith::MulIOp::create(nb, l, last, c(2)), c(1));
                   Value j = mod(i, period);
                   Value back = arith::CmpIOp::create(
                       nb, l, arith::CmpIPredicate::sge, j, n);
                   i = arith::SelectOp::create(nb, l, back, sub(period, j), j);
                   i = arith::MinSIOp::create(nb, l, i, last);
                 } else {
                   Value ok = arith::AndIOp::create(
                       nb, l,
                       arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge,
                                             i, c(0)),
                       arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                             i, n));
                   inside = arith::AndIOp::create(nb, l, inside, ok);
                   i = arith::MaxSIOp::create(nb, l, i, c(0));
                   i = arith::MinSIOp::create(nb, l, i, last);
                 }
                 at.push_back(i);
               }
               Value v;
               if (xt.hasStaticShape() && xt.getNumElements() == 0) {
                 v = pv;
               } else if (guardRead) {
                 v = scf::IfOp::create(
                         nb, l, inside,
                         [&](OpBuilder &tb, Location tl) {
                           scf::YieldOp::create(
                               tb, tl,
                               Value(tensor::ExtractOp::create(tb, tl, x, at)));
                         },
                         [&](OpBuilder &eb, Location el) {
                           scf::YieldOp::create(eb, el, pv);
                         })
                         .getResult(0);
               } else {
                 v = tensor::ExtractOp::create(nb, l, x, at);
               }
               if (mode == "constant")
                 v = arith::SelectOp::create(nb, l, inside, v, pv);
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

/// CenterCropPad: each dim of the (declared) result is the input's centre
/// crop or zero-padded centre: start (in - out) / 2, or the input placed at
/// (out - in) / 2.
struct CenterCropPadLowering : OpConversionPattern<ONNXCenterCropPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCenterCropPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getInputData().getType());
    if (!rt || !xt || xt.getRank() != rt.getRank())
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    // The result dims: the shape's values on the axes, the input's elsewhere.
    SmallVector<OpFoldResult> dims =
        dimsOf(rewriter, loc, adaptor.getInputData());
    SmallVector<int64_t> axes = getIntArray(op.getAxesAttr());
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    for (auto [j, a] : llvm::enumerate(axes)) {
      dims[normalizeAxis(a, rank)] =
          indexElement(rewriter, loc, adaptor.getShape(), j);
      checkNonNegative(rewriter, loc, dims[normalizeAxis(a, rank)],
                       "shape entry " + Twine(j) + " is negative");
    }
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    SmallVector<Value> lo;
    for (int64_t d = 0; d < rank; ++d) {
      // padByIndex reads input index (o - lo): a crop starts at
      // (in - out) / 2, a pad places the input at (out - in) / 2.
      OpFoldResult in = dimOf(rewriter, loc, adaptor.getInputData(), d);
      AffineExpr i, o;
      bindSymbols(getContext(), i, o);
      Value crop =
          dimValue(rewriter, loc,
                   affine::makeComposedFoldedAffineApply(
                       rewriter, loc, -((i - o).floorDiv(2)), {in, dims[d]}));
      Value pad =
          dimValue(rewriter, loc,
                   affine::makeComposedFoldedAffineApply(
                       rewriter, loc, (o - i).floorDiv(2), {in, dims[d]}));
      Value isCrop = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::sge, dimValue(rewriter, loc, in),
          dimValue(rewriter, loc, dims[d]));
      lo.push_back(arith::SelectOp::create(rewriter, loc, isCrop, crop, pad));
    }
    rewriter.replaceOp(
        op, padByIndex(
                rewriter, loc, adaptor.getInputData(), rt, lo, "constant",
                scalarConstant(rewriter, loc, rt.getElementType(), 0), dims));
    return success();
  }
};

/// Pad with constant pads (and axes, when given).
struct PadLowering : OpConversionPattern<ONNXPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto pads = getConstantInts(op.getPads());
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge" &&
        mode != "wrap")
      return unsupported(rewriter, op, "unknown mode '" + mode + "'");
    auto padsT = dyn_cast<RankedTensorType>(op.getPads().getType());
    if (!pads && (!padsT || !padsT.hasStaticShape() || padsT.getRank() != 1))
      return unsupported(rewriter, op, "pads must have a static length");
    int64_t rank = rt.getRank();
    // Pads per padded axis (all axes when none are given).
    SmallVector<int64_t> axes;
    if (!isNoValue(op.getAxes())) {
      auto a = getConstantInts(op.getAxes());
      if (!a)
        return unsupported(rewriter, op, "axes must be a constant");
      for (int64_t x : *a)
        axes.push_back(normalizeAxis(x, rank));
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    int64_t nPads = pads ? pads->size() : padsT.getDimSize(0);
    if (nPads != int64_t(2 * axes.size()))
      return unsupported(rewriter, op, "needs two pads per padded axis");
    Location loc = op.getLoc();
    Value pv;
    if (!isNoValue(op.getConstantValue())) {
      if (DenseElementsAttr c = getDenseConstant(op.getConstantValue()))
        pv = arith::ConstantOp::create(
            rewriter, loc,
            signless(cast<TypedAttr>(*c.getValues<Attribute>().begin())));
      else // a run-time scalar
        pv = tensor::ExtractOp::create(
            rewriter, loc, adaptor.getConstantValue(),
            SmallVector<Value>(
                cast<RankedTensorType>(op.getConstantValue().getType())
                    .getRank(),
                arith::ConstantIndexOp::create(rewriter, loc, 0)));
    } else {
      pv = scalarConstant(rewriter, loc, rt.getElementType(), 0.0);
    }
    // Run-time pads: the result type fixes the sizes; the begin pads are
    // read when the op runs.
    SmallVector<Value> loValues(rank);
    for (int64_t d = 0; d < rank; ++d)
      loValues[d] = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (size_t i = 0; i < axes.size(); ++i)
      loValues[axes[i]] =
          pads
              ? (Value)arith::ConstantIndexOp::create(rewriter, loc, (*pads)[i])
              : (Value)arith::IndexCastOp::create(
                    rewriter, loc, rewriter.getIndexType(),
                    tensor::ExtractOp::create(
                        rewriter, loc, adaptor.getPads(),
                        ValueRange{
                            arith::ConstantIndexOp::create(rewriter, loc, i)}));
    // The result dims: the input's plus both pads.
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, adaptor.getData());
    for (size_t i = 0; i < axes.size(); ++i) {
      OpFoldResult before = indexElement(rewriter, loc, adaptor.getPads(), i);
      OpFoldResult after =
          indexElement(rewriter, loc, adaptor.getPads(), i + axes.size());
      dims[axes[i]] = addDims(rewriter, loc, dims[axes[i]],
                              addDims(rewriter, loc, before, after));
    }
    // Run-time pads may crop more than an axis has, and the other modes
    // read the input even where the output lies outside it.
    for (int64_t axis : axes) {
      checkNonNegative(rewriter, loc, dims[axis],
                       "pads make dimension " + Twine(axis) +
                           " of the result negative");
      if (mode != "constant" && !sameDim(dims[axis], rewriter.getIndexAttr(0)))
        if (Value inputHas = nonEmptyDim(
                rewriter, loc, dimOf(rewriter, loc, adaptor.getData(), axis)))
          checkShape(rewriter, loc,
                     arith::OrIOp::create(
                         rewriter, loc, inputHas,
                         arith::CmpIOp::create(
                             rewriter, loc, arith::CmpIPredicate::eq,
                             dimValue(rewriter, loc, dims[axis]),
                             arith::ConstantIndexOp::create(rewriter, loc, 0))),
                     mode + " padding of dimension " + Twine(axis) +
                         ", which is empty");
    }
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    if (!pads || mode != "constant" ||
        llvm::any_of(*pads, [](int64_t p) { return p < 0; })) {
      rewriter.replaceOp(op, padByIndex(rewriter, loc, adaptor.getData(), rt,
                                        loValues, mode, pv, dims));
      return success();
    }
    SmallVector<int64_t> lo(rank, 0), hi(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      lo[axes[i]] = (*pads)[i];
      hi[axes[i]] = (*pads)[i + axes.size()];
    }
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, rt, adaptor.getData(), getAsIndexOpFoldResult(getContext(), lo),
        getAsIndexOpFoldResult(getContext(), hi), pv);
    return success();
  }
};

/// Constant: the attribute itself (dense or a resource blob).
struct ConstantLowering : OpConversionPattern<ONNXConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = op.getValue();
    if (!value)
      return unsupported(rewriter, op,
                         "only the value attribute form is supported");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, signless(cast<TypedAttr>(*value)));
    return success();
  }
};

/// ConstantOfShape with a static result: a filled tensor.
struct ConstantOfShapeLowering : OpConversionPattern<ONNXConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Value c;
    if (auto v = op.getValue()) {
      auto dense = dyn_cast<DenseElementsAttr>(*v);
      if (!dense)
        return unsupported(rewriter, op, "value must be dense");
      c = arith::ConstantOp::create(
          rewriter, loc,
          signless(cast<TypedAttr>(*dense.getValues<Attribute>().begin())));
    } else {
      c = scalarConstant(rewriter, loc, rt.getElementType(), 0.0);
    }
    SmallVector<OpFoldResult> dims;
    for (int64_t j = 0; j < rt.getRank(); ++j) {
      dims.push_back(indexElement(rewriter, loc, adaptor.getInput(), j));
      checkNonNegative(rewriter, loc, dims.back(),
                       "shape entry " + Twine(j) + " is negative");
    }
    Value init = emptyOfType(rewriter, loc, rt,
                             withDeclaredDims(rewriter, loc, dims, rt));
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, c, init);
    return success();
  }
};

/// Shape: a constant for static dims (normally folded away before
/// lowering), else the dims read when the graph runs.
struct ShapeLowering : OpConversionPattern<ONNXShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<DenseElementsAttr> folded;
    if (succeeded(foldConstants(op, folded))) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded[0]);
      return success();
    }
    auto t = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    auto rt = resultType(op);
    if (!t || !rt || !rt.hasStaticShape())
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    int64_t r = t.getRank();
    int64_t b = std::clamp<int64_t>(normalizeAxis(op.getStart(), r), 0, r);
    SmallVector<Value> dims;
    for (int64_t d = b; d < b + rt.getDimSize(0); ++d)
      dims.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          dimValue(rewriter, loc, dimOf(rewriter, loc, adaptor.getData(), d))));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, rt, dims);
    return success();
  }
};

/// Size: the product of the dims, as a scalar.
struct SizeLowering : OpConversionPattern<ONNXSizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto t = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    auto rt = resultType(op);
    if (!t || !rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Value n = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getI64Type(),
        dimValue(
            rewriter, loc,
            mulDims(rewriter, loc, dimsOf(rewriter, loc, adaptor.getData()))));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, rt, n);
    return success();
  }
};

} // namespace

void lowering::populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<
      ReshapeLikeLowering<ONNXReshapeOp>, ReshapeLikeLowering<ONNXFlattenOp>,
      ReshapeLikeLowering<ONNXSqueezeOp>, ReshapeLikeLowering<ONNXUnsqueezeOp>,
      TransposeLowering, ConcatLowering, SplitLowering, SliceLowering,
      PadLowering, CenterCropPadLowering, ConstantLowering,
      ConstantOfShapeLowering, ShapeLowering, SizeLowering>(
      patterns.getContext());
}
