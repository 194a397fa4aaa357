//===- QuantizedConv.cpp - ConvInteger and QLinearConv to linalg ----------===//
//
// The integer product of a quantized conv, sum (x - x_zp) (w - w_zp) in
// i32, takes one of two forms:
//
// - With no groups, a 2-D window and constant weights (what quantizers
//   write, and what fold-qdq makes of a QDQ conv): an mcc.qmatmul, so that
//   the int8 kernels (int8-matmul-kernels) run it. The input, padded with
//   its zero point (so that padding adds nothing), is stored channels-last
//   and unrolled into rows of its windows (im2col): row (n, oh, ow) holds
//   the window's taps (kh, kw) times channels c, c innermost, so each row
//   copies runs of contiguous channels. The weights are transposed at
//   compile time into the matching [KH * KW * C, M] matrix (per output
//   channel zero points become the matmul's per column ones). A 1x1 conv
//   with stride 1 and no padding reads the channels-last input directly.
//   The result [N, OH, OW, M] goes back to [N, M, OH, OW], the i32 bias
//   added on the way.
// - Otherwise (groups, depthwise, other ranks, weights computed at run
//   time): the i32 onnx.Conv of the widened operands, which the Conv
//   pattern lowers.
//
//===----------------------------------------------------------------------===//

#include "passes/common/ConstantData.h"
#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "dialects/mcc/MccDialect.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// A zero point (one element, any rank, or absent: 0) as an i8 scalar.
Value zeroPointScalar(OpBuilder &b, Location loc, Value zp) {
  if (!zp)
    return arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
  auto zt = cast<RankedTensorType>(zp.getType());
  SmallVector<Value> origin(zt.getRank(),
                            arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, zp, origin);
}

/// `w` ([M, C, KH, KW] bytes) as the [KH * KW * C, M] matrix whose row
/// (kh * KW + kw) * C + c holds tap (kh, kw) of channel c.
Value windowMatrix(OpBuilder &b, Location loc, ElementsAttr w) {
  auto bytes = elementsToBytes(w);
  if (!bytes)
    return Value();
  ArrayRef<int64_t> s = cast<ShapedType>(w.getType()).getShape();
  int64_t m = s[0], c = s[1], kh = s[2], kw = s[3];
  SmallVector<char> t(m * c * kh * kw);
  for (int64_t o = 0; o < m; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          t[((y * kw + x) * c + i) * m + o] =
              (*bytes)[((o * c + i) * kh + y) * kw + x];
  auto type = RankedTensorType::get({kh * kw * c, m}, b.getI8Type());
  return arith::ConstantOp::create(
      b, loc, type,
      cast<TypedAttr>(makeResourceAttr(type, t, 1, "conv_window_weights")));
}

/// The i32 product of `op` (ConvInteger or QLinearConv) as im2col and
/// mcc.qmatmul, plus `bias` (i32 [M]) when given, as [N, M, OH, OW]; null
/// when the conv does not fit (see the file comment).
template <typename OpTy>
Value convAsQMatMul(OpBuilder &b, OpTy op, RankedTensorType accT, Value x,
                    Value xZp, Value w, Value wZp, Value bias) {
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  ElementsAttr wAttr = constantElements(w);
  if (op.getGroup() != 1 || xt.getRank() != 4 || wt.getRank() != 4 ||
      !wt.hasStaticShape() || !wAttr || !xt.getElementType().isInteger(8) ||
      !wt.getElementType().isInteger(8) || xt.getDimSize(1) != wt.getDimSize(1))
    return Value();
  if (wZp && !isPerTensor(wZp) &&
      cast<RankedTensorType>(wZp.getType()).getShape() !=
          ArrayRef<int64_t>{wt.getDimSize(0)})
    return Value();
  if (bias && cast<RankedTensorType>(bias.getType()).getShape() !=
                  ArrayRef<int64_t>{wt.getDimSize(0)})
    return Value();
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  int64_t m = wt.getDimSize(0), c = wt.getDimSize(1), kh = wt.getDimSize(2),
          kw = wt.getDimSize(3);
  Value matrix = windowMatrix(b, loc, wAttr);
  if (!matrix)
    return Value();
  Window win = resolveWindow(b, loc, x, accT, {kh, kw}, op.getStridesAttr(),
                             op.getDilationsAttr(), op.getPadsAttr(),
                             op.getAutoPad(), false);
  win.out[1] = b.getIndexAttr(m);
  win.out = withDeclaredDims(b, loc, win.out, accT);
  Value zx = zeroPointScalar(b, loc, xZp);
  Value padded = padSpatial(b, loc, x, win.lo, win.hi, zx);
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };

  // Channels-last: [N, H', W', C].
  SmallVector<OpFoldResult> pd = dimsOf(b, loc, padded);
  SmallVector<OpFoldResult> nhwc = {pd[0], pd[2], pd[3], pd[1]};
  Type i8 = b.getI8Type();
  auto copy = [](OpBuilder &nb, Location l, ValueRange a) {
    linalg::YieldOp::create(nb, l, a[0]);
  };
  Value last =
      linalg::GenericOp::create(
          b, loc, tensorType(nhwc, i8), padded, emptyTensor(b, loc, nhwc, i8),
          SmallVector<AffineMap>{
              AffineMap::get(4, 0, {d(0), d(3), d(1), d(2)}, ctx),
              b.getMultiDimIdentityMap(4)},
          SmallVector<IteratorType>(4, IteratorType::parallel), copy)
          .getResult(0);

  // Rows of windows: [N, OH, OW, KH * KW * C].
  // (A 1x1 window with stride 1 reads every padded position once.)
  bool direct = kh == 1 && kw == 1 &&
                llvm::all_of(win.strides, [](int64_t s) { return s == 1; });
  Value a = last;
  if (!direct) {
    SmallVector<OpFoldResult> rows = {win.out[0],         win.out[2],
                                      win.out[3],         b.getIndexAttr(kh),
                                      b.getIndexAttr(kw), b.getIndexAttr(c)};
    AffineMap read =
        AffineMap::get(6, 0,
                       {d(0), d(1) * win.strides[0] + d(3) * win.dil[0],
                        d(2) * win.strides[1] + d(4) * win.dil[1], d(5)},
                       ctx);
    Value windows =
        linalg::GenericOp::create(
            b, loc, tensorType(rows, i8), last, emptyTensor(b, loc, rows, i8),
            SmallVector<AffineMap>{read, b.getMultiDimIdentityMap(6)},
            SmallVector<IteratorType>(6, IteratorType::parallel), copy)
            .getResult(0);
    a = tensor::CollapseShapeOp::create(
        b, loc, windows,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4, 5}});
  }

  auto zeroTensor = [&]() -> Value {
    auto t = RankedTensorType::get({}, i8);
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(t, b.getI8IntegerAttr(0)));
  };
  SmallVector<OpFoldResult> outRows = {win.out[0], win.out[2], win.out[3],
                                       b.getIndexAttr(m)};
  Value init = emptyTensor(b, loc, outRows, b.getI32Type());
  auto q = QMatMulOp::create(b, loc, init.getType(), a, matrix,
                             xZp ? xZp : zeroTensor(), wZp ? wZp : zeroTensor(),
                             init);
  if (isUnsignedInt(op.getX().getType()))
    q.setAUnsigned(true);
  if (isUnsignedInt(op.getW().getType()))
    q.setBUnsigned(true);

  // Back to [N, M, OH, OW], plus the bias.
  SmallVector<Value> ins = {q.getResult()};
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {d(0), d(2), d(3), d(1)}, ctx)};
  if (bias) {
    ins.push_back(bias);
    maps.push_back(AffineMap::get(4, 0, {d(1)}, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(4));
  return linalg::GenericOp::create(
             b, loc, tensorType(win.out, b.getI32Type()), ins,
             emptyTensor(b, loc, win.out, b.getI32Type()), maps,
             SmallVector<IteratorType>(4, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange v) {
               Value r = v[0];
               if (v.size() > 2)
                 r = arith::AddIOp::create(nb, l, r, v[1]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// The i32 product of `op`: convAsQMatMul where it fits, else the i32
/// onnx.Conv (lowered by the Conv pattern) of (x - x_zp) and (w - w_zp),
/// the latter per tensor or per output channel, started from `bias` when
/// given.
template <typename OpTy>
FailureOr<Value> integerConv(ConversionPatternRewriter &rewriter, OpTy op,
                             RankedTensorType accT, Value x, Value xZp, Value w,
                             Value wZp, Value bias) {
  if (Value q = convAsQMatMul(rewriter, op, accT, x, xZp, w, wZp, bias))
    return reshapeTo(rewriter, op.getLoc(), q, accT);
  Location loc = op.getLoc();
  bool xU = isUnsignedInt(op.getX().getType());
  bool wU = isUnsignedInt(op.getW().getType());
  auto x32 = widenMinusZeroPoint(rewriter, loc, x, xU, xZp, xU, 1);
  auto w32 = widenMinusZeroPoint(rewriter, loc, w, wU, wZp, wU, 0);
  if (failed(x32) || failed(w32))
    return failure();
  if (!bias)
    bias = ONNXNoValueOp::create(rewriter, loc, rewriter.getNoneType());
  return ONNXConvOp::create(rewriter, loc, accT, *x32, *w32, bias,
                            op.getAutoPadAttr(), op.getDilationsAttr(),
                            op.getGroupAttr(), op.getKernelShapeAttr(),
                            op.getPadsAttr(), op.getStridesAttr())
      .getResult();
}

/// ConvInteger: integerConv without bias.
struct ConvIntegerLowering : OpConversionPattern<ONNXConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Value xZp =
        isNoValue(op.getXZeroPoint()) ? Value() : adaptor.getXZeroPoint();
    Value wZp =
        isNoValue(op.getWZeroPoint()) ? Value() : adaptor.getWZeroPoint();
    if (xZp && !perTensorParam(rewriter, loc, xZp, "x_zero_point"))
      return unsupported(rewriter, op, kZeroPointShapes);
    auto conv = integerConv(rewriter, op, rt, adaptor.getX(), xZp,
                            adaptor.getW(), wZp, Value());
    if (failed(conv))
      return unsupported(rewriter, op, kZeroPointShapes);
    rewriter.replaceOp(op, *conv);
    return success();
  }
};

/// QLinearConv: the i32 conv of ConvInteger plus the i32 bias, requantized
/// with x_scale * w_scale / y_scale (w_scale per tensor or per output
/// channel) and y_zero_point.
struct QLinearConvLowering : OpConversionPattern<ONNXQLinearConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQLinearConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    Value xs = adaptor.getXScale(), xz = adaptor.getXZeroPoint();
    Value ys = adaptor.getYScale(), yz = adaptor.getYZeroPoint();
    if (!perTensorParam(rewriter, loc, xs, "x_scale") ||
        !perTensorParam(rewriter, loc, xz, "x_zero_point") ||
        !perTensorParam(rewriter, loc, ys, "y_scale") ||
        !perTensorParam(rewriter, loc, yz, "y_zero_point"))
      return unsupported(rewriter, op, "x and y scales must be per tensor");
    auto acc =
        integerConv(rewriter, op,
                    RankedTensorType::get(rt.getShape(), rewriter.getI32Type()),
                    adaptor.getX(), xz, adaptor.getW(), adaptor.getWZeroPoint(),
                    isNoValue(op.getB()) ? Value() : adaptor.getB());
    if (failed(acc))
      return unsupported(rewriter, op, kZeroPointShapes);
    auto y = requantizeTensor(rewriter, loc, rt, *acc, xs, adaptor.getWScale(),
                              ys, yz, isUnsignedInt(op.getY().getType()),
                              {-1, 1, -1, -1});
    if (failed(y))
      return unsupported(rewriter, op, kZeroPointShapes);
    rewriter.replaceOp(op, *y);
    return success();
  }
};

} // namespace

void lowering::populateQuantizedConvPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvIntegerLowering, QLinearConvLowering>(patterns.getContext());
}
