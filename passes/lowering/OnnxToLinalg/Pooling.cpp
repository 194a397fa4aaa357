//===- Pooling.cpp - Max/Average/Global pooling to linalg -----------------===//
//
// A window op is a linalg.generic over (n, c, out spatial..., window...);
// the window loops take their bounds from a shape-only tensor.empty operand.
// AveragePool divides by a per-position count computed at compile time, so
// count_include_pad=0 costs nothing at run time.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

using utils::IteratorType;

Window lowering::resolveWindow(OpBuilder &b, Location loc, Value x,
                               RankedTensorType rt, ArrayRef<int64_t> kernel,
                               ArrayAttr stridesA, ArrayAttr dilA,
                               ArrayAttr padsA, StringRef autoPad,
                               bool ceilMode) {
  Window w;
  int64_t ns = kernel.size();
  MLIRContext *ctx = b.getContext();
  for (int64_t k : kernel)
    w.kernel.push_back(b.getIndexAttr(k));
  w.strides = getIntArray(stridesA);
  w.dil = getIntArray(dilA);
  if (w.strides.empty())
    w.strides.assign(ns, 1);
  if (w.dil.empty())
    w.dil.assign(ns, 1);
  SmallVector<int64_t> pads = getIntArray(padsA);
  SmallVector<OpFoldResult> xd = dimsOf(b, loc, x);
  w.out = {xd[0], xd[1]};
  AffineExpr s0, s1, s2;
  bindSymbols(ctx, s0, s1, s2);
  auto apply = [&](AffineExpr e, ArrayRef<OpFoldResult> ops) {
    return affine::makeComposedFoldedAffineApply(b, loc, e, ops);
  };
  auto maxZero = [&](AffineExpr e, ArrayRef<OpFoldResult> ops) {
    return affine::makeComposedFoldedAffineMax(
        b, loc, AffineMap::get(0, ops.size(), {s0 * 0, e}, ctx), ops);
  };
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  for (int64_t i = 0; i < ns; ++i) {
    OpFoldResult in = xd[2 + i];
    int64_t ext = w.dil[i] * (kernel[i] - 1) + 1, st = w.strides[i];
    OpFoldResult lo = b.getIndexAttr(0), hiExplicit = b.getIndexAttr(0), out;
    if (same) {
      out = apply(s0.ceilDiv(st), {in});
    } else {
      if (!pads.empty() && autoPad != "VALID") {
        lo = b.getIndexAttr(pads[i]);
        hiExplicit = b.getIndexAttr(pads[i + ns]);
      }
      AffineExpr num = s0 + s1 - ext;
      out = apply((ceilMode ? num.ceilDiv(st) : num.floorDiv(st)) + 1,
                  {apply(s0 + s1, {in, lo}), hiExplicit});
    }
    if (!rt.isDynamicDim(2 + i))
      out = b.getIndexAttr(rt.getDimSize(2 + i));
    // What the windows read beyond the input's end.
    OpFoldResult need = maxZero((s1 - 1) * st + ext - s0, {in, out});
    if (same) {
      OpFoldResult small = apply(s0.floorDiv(2), {need});
      lo = autoPad == "SAME_UPPER" ? small : apply(s0 - s0.floorDiv(2), {need});
    }
    w.lo.push_back(lo);
    w.hi.push_back(maxZero(s0 - s1, {need, lo}));
    w.out.push_back(out);
  }
  return w;
}

namespace {

/// The windowed reduction over a padded input.
Value windowReduce(OpBuilder &b, Location loc, Value x, RankedTensorType rt,
                   const Window &w, Value init,
                   function_ref<Value(OpBuilder &, Location, Value, Value)> f) {
  MLIRContext *ctx = b.getContext();
  int64_t ns = w.kernel.size(), nl = 2 + 2 * ns;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, ke, oe = {d(0), d(1)};
  for (int64_t i = 0; i < ns; ++i) {
    xe.push_back(d(2 + i) * w.strides[i] + d(2 + ns + i) * w.dil[i]);
    ke.push_back(d(2 + ns + i));
    oe.push_back(d(2 + i));
  }
  Value window = emptyTensor(b, loc, w.kernel, rt.getElementType());
  SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                 AffineMap::get(nl, 0, ke, ctx),
                                 AffineMap::get(nl, 0, oe, ctx)};
  SmallVector<IteratorType> iters(2 + ns, IteratorType::parallel);
  iters.append(ns, IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, rt, ValueRange{x, window}, init, maps, iters,
             [&](OpBuilder &nb, Location nl2, ValueRange a) {
               linalg::YieldOp::create(nb, nl2, f(nb, nl2, a[0], a[2]));
             })
      .getResult(0);
}

/// MaxPool (no Indices output).
struct MaxPoolLowering : OpConversionPattern<ONNXMaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!isNoValue(op.getIndices()))
      return unsupported(rewriter, op,
                         "the Indices output is not supported yet");
    if (!rt || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Window w = resolveWindow(
        rewriter, loc, adaptor.getX(), rt, getIntArray(op.getKernelShape()),
        op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
        op.getAutoPad(), op.getCeilMode());
    // The lowest value of the element type pads and starts the max.
    Type et = rt.getElementType();
    bool isU = isUnsignedInt(op.getX().getType());
    double lowest = -std::numeric_limits<double>::infinity();
    if (auto it = dyn_cast<IntegerType>(et))
      lowest = isU ? 0 : -std::ldexp(1.0, it.getWidth() - 1);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, lowest);
    Value init = filledTensor(rewriter, loc, rt, lowest, w.out);
    Value r = windowReduce(
        rewriter, loc, x, rt, w, init,
        [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          if (isa<FloatType>(et))
            return floatMax(b, l, v, acc);
          return isU ? (Value)arith::MaxUIOp::create(b, l, v, acc)
                     : (Value)arith::MaxSIOp::create(b, l, v, acc);
        });
    replaceFirstResult(rewriter, op, r);
    return success();
  }
};

/// sum / count for AveragePool with dynamic dims: the count of window
/// cells inside the input (plus, with count_include_pad, those inside the
/// explicit pads; the ceil-mode overhang never counts), per output
/// position, computed at run time from the (static) kernel.
Value divideByCount(OpBuilder &b, Location loc, Value sum, Value x,
                    RankedTensorType rt, const Window &w,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> pads,
                    bool includePad) {
  int64_t ns = kernel.size();
  SmallVector<Value> lo, lower, upper;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  for (int64_t i = 0; i < ns; ++i) {
    Value in = dimValue(b, loc, dimOf(b, loc, x, 2 + i));
    Value l = dimValue(b, loc, w.lo[i]), h = dimValue(b, loc, w.hi[i]);
    if (includePad && !pads.empty())
      h = arith::MinSIOp::create(
          b, loc, h, arith::ConstantIndexOp::create(b, loc, pads[i + ns]));
    lo.push_back(l);
    lower.push_back(
        includePad ? arith::SubIOp::create(b, loc, zero, l).getResult() : zero);
    upper.push_back(
        includePad ? arith::AddIOp::create(b, loc, in, h).getResult() : in);
  }
  Type et = rt.getElementType();
  return buildElementwise(
      b, loc, rt, sum, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value cnt = arith::ConstantIndexOp::create(nb, l, 1);
        for (int64_t i = 0; i < ns; ++i) {
          Value o = linalg::IndexOp::create(nb, l, 2 + i);
          Value base = arith::SubIOp::create(
              nb, l,
              arith::MulIOp::create(
                  nb, l, o,
                  arith::ConstantIndexOp::create(nb, l, w.strides[i])),
              lo[i]);
          Value c = arith::ConstantIndexOp::create(nb, l, 0);
          for (int64_t kk = 0; kk < kernel[i]; ++kk) {
            Value pos = arith::AddIOp::create(
                nb, l, base,
                arith::ConstantIndexOp::create(nb, l, kk * w.dil[i]));
            Value inside = arith::AndIOp::create(
                nb, l,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, pos,
                                      lower[i]),
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, pos,
                                      upper[i]));
            c = arith::AddIOp::create(
                nb, l, c,
                arith::IndexCastOp::create(
                    nb, l, nb.getIndexType(),
                    arith::ExtUIOp::create(nb, l, nb.getI64Type(), inside)));
          }
          cnt = arith::MulIOp::create(
              nb, l, cnt,
              arith::MaxSIOp::create(nb, l, c,
                                     arith::ConstantIndexOp::create(nb, l, 1)));
        }
        Value f = arith::SIToFPOp::create(
            nb, l, et, arith::IndexCastOp::create(nb, l, nb.getI64Type(), cnt));
        return arith::DivFOp::create(nb, l, a[0], f);
      });
}

/// AveragePool, with or without the padding in the count.
struct AveragePoolLowering : OpConversionPattern<ONNXAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!rt || !xt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Location loc = op.getLoc();
    Window w = resolveWindow(
        rewriter, loc, adaptor.getX(), rt, getIntArray(op.getKernelShape()),
        op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
        op.getAutoPad(), op.getCeilMode());
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, 0.0);
    Value sum = windowReduce(rewriter, loc, x, rt, w,
                             filledTensor(rewriter, loc, rt, 0.0, w.out),
                             [](OpBuilder &b, Location l, Value v, Value acc) {
                               return arith::AddFOp::create(b, l, v, acc);
                             });
    // Divisor per output position: the window cells inside the input (plus,
    // with count_include_pad, those inside the explicit pads only; the
    // ceil-mode overhang never counts).
    int64_t ns = w.kernel.size();
    SmallVector<int64_t> kernel = getIntArray(op.getKernelShape());
    SmallVector<int64_t> pads = getIntArray(op.getPadsAttr());
    bool includePad = op.getCountIncludePad();
    if (!xt.hasStaticShape() || !rt.hasStaticShape()) {
      rewriter.replaceOp(op, divideByCount(rewriter, loc, sum, adaptor.getX(),
                                           rt, w, kernel, pads, includePad));
      return success();
    }
    SmallVector<int64_t> spatial(rt.getShape().drop_front(2));
    SmallVector<int64_t> explicitLo(ns), explicitHi(ns), lo(ns);
    for (int64_t i = 0; i < ns; ++i) {
      lo[i] = *getConstantIntValue(w.lo[i]);
      int64_t hi = *getConstantIntValue(w.hi[i]);
      explicitLo[i] = includePad ? lo[i] : 0;
      explicitHi[i] =
          includePad ? (pads.empty() ? hi : std::min(hi, pads[i + ns])) : 0;
    }
    int64_t total = 1;
    for (int64_t s : spatial)
      total *= s;
    SmallVector<float> counts(total);
    for (int64_t flat = 0; flat < total; ++flat) {
      int64_t rem = flat, cnt = 1;
      for (int64_t i = ns - 1; i >= 0; --i) {
        int64_t o = rem % spatial[i];
        rem /= spatial[i];
        int64_t in = xt.getDimSize(2 + i);
        int64_t c = 0;
        for (int64_t kk = 0; kk < kernel[i]; ++kk) {
          int64_t pos = o * w.strides[i] + kk * w.dil[i] - lo[i];
          if (pos >= -explicitLo[i] && pos < in + explicitHi[i])
            ++c;
        }
        cnt *= std::max<int64_t>(c, 1);
      }
      counts[flat] = float(cnt);
    }
    SmallVector<int64_t> cshape = {1, 1};
    llvm::append_range(cshape, spatial);
    auto ct = RankedTensorType::get(cshape, rewriter.getF32Type());
    Value cnt = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(ct, ArrayRef<float>(counts)));
    Value r = buildElementwise(
        rewriter, loc, rt, ValueRange{sum, cnt},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value c = a[1];
          if (c.getType() != a[0].getType())
            c = arith::TruncFOp::create(b, l, a[0].getType(), c);
          return arith::DivFOp::create(b, l, a[0], c);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// LpPool: (sum over the window of |x|^p)^(1/p), padding contributing 0.
struct LpPoolLowering : OpConversionPattern<ONNXLpPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLpPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!rt || !xt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Location loc = op.getLoc();
    Window w = resolveWindow(
        rewriter, loc, adaptor.getX(), rt, getIntArray(op.getKernelShape()),
        op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
        op.getAutoPad(), op.getCeilMode());
    double p = double(op.getP());
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, 0.0);
    Value sum = windowReduce(
        rewriter, loc, x, rt, w, filledTensor(rewriter, loc, rt, 0.0, w.out),
        [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          Value a = math::AbsFOp::create(b, l, v);
          Value e = p == 1 ? a
                    : p == 2
                        ? (Value)arith::MulFOp::create(b, l, a, a)
                        : (Value)math::PowFOp::create(
                              b, l, a, scalarConstant(b, l, a.getType(), p));
          return arith::AddFOp::create(b, l, e, acc);
        });
    Value r = buildElementwise(
        rewriter, loc, rt, sum,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (p == 1)
            return a[0];
          if (p == 2)
            return math::SqrtOp::create(b, l, a[0]);
          return math::PowFOp::create(
              b, l, a[0], scalarConstant(b, l, a[0].getType(), 1.0 / p));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// GlobalAveragePool / GlobalMaxPool: reduce all spatial dims.
template <typename OpTy, bool IsMax>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    Value x = adaptor.getOperands()[0];
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    if (!rt || !xt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsFloat);
    Location loc = op.getLoc();
    Window w;
    int64_t ns = xt.getRank() - 2;
    SmallVector<OpFoldResult> xd = dimsOf(rewriter, loc, x);
    w.kernel.assign(xd.begin() + 2, xd.end());
    w.strides.assign(ns, 1);
    w.dil.assign(ns, 1);
    SmallVector<OpFoldResult> out = {xd[0], xd[1]};
    out.append(ns, rewriter.getIndexAttr(1));
    Value count = arith::SIToFPOp::create(
        rewriter, loc, rt.getElementType(),
        arith::IndexCastOp::create(
            rewriter, loc, rewriter.getI64Type(),
            dimValue(rewriter, loc, mulDims(rewriter, loc, w.kernel))));
    double initV = IsMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value r = windowReduce(
        rewriter, loc, x, rt, w, filledTensor(rewriter, loc, rt, initV, out),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          if (IsMax)
            return floatMax(b, l, v, acc);
          return arith::AddFOp::create(b, l, v, acc);
        });
    if (!IsMax)
      r = buildElementwise(
          rewriter, loc, rt, r,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], count);
          });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void lowering::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering, LpPoolLowering,
               GlobalPoolLowering<ONNXGlobalAveragePoolOp, false>,
               GlobalPoolLowering<ONNXGlobalMaxPoolOp, true>>(
      patterns.getContext());
}
