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

namespace {

using utils::IteratorType;

struct Window {
  SmallVector<int64_t> kernel, strides, dil, lo, hi;
};

/// Strides, dilations and the begin/end pads that produce the inferred
/// output size (covers auto_pad and ceil_mode: extra end padding for a
/// ceil-mode window is only ever read as the pad value).
Window resolveWindow(RankedTensorType xt, RankedTensorType rt,
                     ArrayRef<int64_t> kernel, ArrayAttr stridesA,
                     ArrayAttr dilA, ArrayAttr padsA, StringRef autoPad) {
  Window w;
  int64_t ns = kernel.size();
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = getIntArray(stridesA);
  w.dil = getIntArray(dilA);
  if (w.strides.empty())
    w.strides.assign(ns, 1);
  if (w.dil.empty())
    w.dil.assign(ns, 1);
  SmallVector<int64_t> pads = getIntArray(padsA);
  w.lo.assign(ns, 0);
  w.hi.assign(ns, 0);
  for (int64_t i = 0; i < ns; ++i) {
    int64_t in = xt.getDimSize(2 + i), out = rt.getDimSize(2 + i);
    int64_t need = std::max<int64_t>(
        0, (out - 1) * w.strides[i] + w.dil[i] * (kernel[i] - 1) + 1 - in);
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t small = need / 2;
      w.lo[i] = autoPad == "SAME_UPPER" ? small : need - small;
    } else if (!pads.empty() && autoPad != "VALID") {
      w.lo[i] = pads[i];
    }
    w.hi[i] = std::max<int64_t>(0, need - w.lo[i]);
  }
  return w;
}

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
  Value window = tensor::EmptyOp::create(b, loc, w.kernel, rt.getElementType());
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
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getX().getType());
    if (!isNoValue(op.getIndices()))
      return unsupported(rewriter, op,
                         "the Indices output is not supported yet");
    if (!rt || !xt || !xt.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    Window w = resolveWindow(xt, rt, getIntArray(op.getKernelShape()),
                             op.getStridesAttr(), op.getDilationsAttr(),
                             op.getPadsAttr(), op.getAutoPad());
    // The lowest value of the element type pads and starts the max.
    Type et = rt.getElementType();
    bool isU = isUnsignedInt(op.getX().getType());
    double lowest = -std::numeric_limits<double>::infinity();
    if (auto it = dyn_cast<IntegerType>(et))
      lowest = isU ? 0 : -std::ldexp(1.0, it.getWidth() - 1);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, lowest);
    Value init = filledTensor(rewriter, loc, rt, lowest);
    Value r = windowReduce(
        rewriter, loc, x, rt, w, init,
        [&](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          if (isa<FloatType>(et))
            return arith::MaximumFOp::create(b, l, v, acc);
          return isU ? (Value)arith::MaxUIOp::create(b, l, v, acc)
                     : (Value)arith::MaxSIOp::create(b, l, v, acc);
        });
    replaceFirstResult(rewriter, op, r);
    return success();
  }
};

/// AveragePool, with or without the padding in the count.
struct AveragePoolLowering : OpConversionPattern<ONNXAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getX().getType());
    if (!rt || !xt || !xt.hasStaticShape() ||
        !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsStaticFloat);
    Location loc = op.getLoc();
    Window w = resolveWindow(xt, rt, getIntArray(op.getKernelShape()),
                             op.getStridesAttr(), op.getDilationsAttr(),
                             op.getPadsAttr(), op.getAutoPad());
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, 0.0);
    Value sum = windowReduce(rewriter, loc, x, rt, w,
                             filledTensor(rewriter, loc, rt, 0.0),
                             [](OpBuilder &b, Location l, Value v, Value acc) {
                               return arith::AddFOp::create(b, l, v, acc);
                             });
    // Divisor per output position: the window cells inside the input (plus,
    // with count_include_pad, those inside the explicit pads only; the
    // ceil-mode overhang never counts).
    int64_t ns = w.kernel.size();
    SmallVector<int64_t> spatial(rt.getShape().drop_front(2));
    SmallVector<int64_t> explicitLo(ns), explicitHi(ns);
    SmallVector<int64_t> pads = getIntArray(op.getPadsAttr());
    bool includePad = op.getCountIncludePad();
    for (int64_t i = 0; i < ns; ++i) {
      explicitLo[i] = includePad ? w.lo[i] : 0;
      explicitHi[i] =
          includePad
              ? (pads.empty() ? w.hi[i] : std::min(w.hi[i], pads[i + ns]))
              : 0;
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
        for (int64_t kk = 0; kk < w.kernel[i]; ++kk) {
          int64_t pos = o * w.strides[i] + kk * w.dil[i] - w.lo[i];
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
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getX().getType());
    if (!rt || !xt || !xt.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticFloat);
    Location loc = op.getLoc();
    Window w = resolveWindow(xt, rt, getIntArray(op.getKernelShape()),
                             op.getStridesAttr(), op.getDilationsAttr(),
                             op.getPadsAttr(), op.getAutoPad());
    double p = double(op.getP());
    Value x = padSpatial(rewriter, loc, adaptor.getX(), w.lo, w.hi, 0.0);
    Value sum = windowReduce(
        rewriter, loc, x, rt, w, filledTensor(rewriter, loc, rt, 0.0),
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
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (!rt || !xt || !xt.hasStaticShape() ||
        !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, kNeedsStaticFloat);
    Location loc = op.getLoc();
    Window w;
    int64_t ns = xt.getRank() - 2, count = 1;
    for (int64_t i = 0; i < ns; ++i) {
      w.kernel.push_back(xt.getDimSize(2 + i));
      count *= xt.getDimSize(2 + i);
    }
    w.strides.assign(ns, 1);
    w.dil.assign(ns, 1);
    double initV = IsMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value r =
        windowReduce(rewriter, loc, adaptor.getOperands()[0], rt, w,
                     filledTensor(rewriter, loc, rt, initV),
                     [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
                       if (IsMax)
                         return arith::MaximumFOp::create(b, l, v, acc);
                       return arith::AddFOp::create(b, l, v, acc);
                     });
    if (!IsMax)
      r = buildElementwise(
          rewriter, loc, rt, r,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(
                b, l, a[0], scalarConstant(b, l, a[0].getType(), count));
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
