//===- Linear.cpp - Conv, Gemm and MatMul to linalg -----------------------===//
//
// Conv of any spatial rank is one linalg.generic: over (n, m, out
// spatial..., c, kernel...) without groups, (n, c, out spatial...,
// kernel...) when depthwise, else over (n, g, m, out spatial..., c,
// kernel...) on views that make the group explicit ([N, G, C/G, ...] input,
// [G, M/G, C/G, ...] weights). The bias is the initial value of the
// accumulator, so it costs no extra pass over memory.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// Accumulator init: `bias` broadcast along `dim` of `type`, or zeros.
Value biasInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias,
               int64_t dim, ArrayRef<OpFoldResult> dims = {}) {
  if (!bias)
    return filledTensor(b, loc, type, 0.0, dims);
  auto bt = cast<RankedTensorType>(bias.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> exprs;
  if (bt.getRank() == 1) {
    exprs.push_back(bt.getDimSize(0) == 1 && type.getDimSize(dim) != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(dim, ctx));
    Value init = emptyOfType(b, loc, type, dims);
    SmallVector<AffineMap> maps = {
        AffineMap::get(type.getRank(), 0, exprs, ctx),
        b.getMultiDimIdentityMap(type.getRank())};
    return linalg::GenericOp::create(
               b, loc, type, bias, init, maps,
               SmallVector<IteratorType>(type.getRank(),
                                         IteratorType::parallel),
               [](OpBuilder &nb, Location nl, ValueRange a) {
                 linalg::YieldOp::create(nb, nl, a[0]);
               })
        .getResult(0);
  }
  return buildElementwise(
      b, loc, type, bias,
      [](OpBuilder &, Location, ValueRange a) { return a[0]; }, {}, dims);
}

/// Multiply-accumulate body shared by the contractions.
void macBody(OpBuilder &b, Location loc, ValueRange a) {
  Value r;
  if (isa<FloatType>(a[2].getType()))
    r = math::FmaOp::create(b, loc, a[0], a[1], a[2]);
  else
    r = arith::AddIOp::create(b, loc, a[2],
                              arith::MulIOp::create(b, loc, a[0], a[1]));
  linalg::YieldOp::create(b, loc, r);
}

/// Conv with groups, pads, strides and dilations, any spatial rank.
struct ConvLowering : OpConversionPattern<ONNXConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto wt = dyn_cast<RankedTensorType>(adaptor.getW().getType());
    // (i32: the Conv that ConvInteger and QLinearConv build.)
    if (!rt || !xt || !wt || xt.getRank() < 3 || wt.getRank() != xt.getRank() ||
        !(isa<FloatType>(rt.getElementType()) ||
          rt.getElementType().isInteger(32)))
      return unsupported(rewriter, op, "supports ranked float tensors only");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t ns = xt.getRank() - 2, g = op.getGroup();
    SmallVector<OpFoldResult> xd = dimsOf(rewriter, loc, adaptor.getX());
    SmallVector<OpFoldResult> wd = dimsOf(rewriter, loc, adaptor.getW());
    if (g <= 0)
      return unsupported(rewriter, op, "group must be positive");
    // Static channel counts decide the loop structure (depthwise or not);
    // unknown ones take the general grouped form.
    int64_t c = xt.getDimSize(1), m = wt.getDimSize(0);
    auto perGroup = [&](int64_t v) {
      return ShapedType::isDynamic(v) ? v : g == 1 ? v : v / g;
    };
    int64_t cg = perGroup(c), mg = perGroup(m);
    checkSameDim(rewriter, loc, xd[1],
                 mulDims(rewriter, loc, {wd[1], rewriter.getIndexAttr(g)}),
                 "the input's channels do not match the weights' (times "
                 "group)");
    SmallVector<int64_t> strides = getIntArray(op.getStridesAttr());
    SmallVector<int64_t> dil = getIntArray(op.getDilationsAttr());
    if (strides.empty())
      strides.assign(ns, 1);
    if (dil.empty())
      dil.assign(ns, 1);
    // Pads and output sizes, as shape inference computes them (auto_pad
    // SAME: the output is ceil(in / stride), pads make it so).
    SmallVector<OpFoldResult> lo(ns), hi(ns), outDims = {xd[0], wd[0]};
    SmallVector<int64_t> pads = getIntArray(op.getPadsAttr());
    StringRef autoPad = op.getAutoPad();
    AffineExpr s0, s1, s2;
    bindSymbols(ctx, s0, s1, s2);
    auto apply = [&](AffineExpr e, ArrayRef<OpFoldResult> ops) {
      return affine::makeComposedFoldedAffineApply(rewriter, loc, e, ops);
    };
    for (int64_t i = 0; i < ns; ++i) {
      OpFoldResult in = xd[2 + i], kk = wd[2 + i];
      // The window's extent: dil * (k - 1) + 1.
      OpFoldResult ext = apply(s0 * dil[i] - dil[i] + 1, {kk});
      if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        OpFoldResult out = apply(s0.ceilDiv(strides[i]), {in});
        OpFoldResult total = affine::makeComposedFoldedAffineMax(
            rewriter, loc,
            AffineMap::get(0, 3, {s0 * 0, (s1 - 1) * strides[i] + s2 - s0},
                           ctx),
            {in, out, ext});
        OpFoldResult small = apply(s0.floorDiv(2), {total});
        OpFoldResult big = apply(s0 - s0.floorDiv(2), {total});
        lo[i] = autoPad == "SAME_UPPER" ? small : big;
        hi[i] = autoPad == "SAME_UPPER" ? big : small;
      } else if (!pads.empty() && autoPad != "VALID") {
        lo[i] = rewriter.getIndexAttr(pads[i]);
        hi[i] = rewriter.getIndexAttr(pads[i + ns]);
      } else {
        lo[i] = hi[i] = rewriter.getIndexAttr(0);
      }
      outDims.push_back(apply((s0 + s1 - s2).floorDiv(strides[i]) + 1,
                              {apply(s0 + s1, {in, lo[i]}), hi[i], ext}));
    }
    outDims = withDeclaredDims(rewriter, loc, outDims, rt);
    Value x = padSpatial(rewriter, loc, adaptor.getX(), lo, hi, 0.0);
    auto pxt = cast<RankedTensorType>(x.getType());

    Type et = rt.getElementType();
    Value bias = isNoValue(op.getB()) ? Value() : adaptor.getB();
    Value init = biasInit(rewriter, loc, rt, bias, 1, outDims);
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // Window index of spatial dim i: out * stride + tap * dilation.
    auto window = [&](int64_t i, AffineExpr out, AffineExpr tap) {
      return out * strides[i] + tap * dil[i];
    };

    // No groups, or one channel per group (depthwise): a generic on the
    // 4-D tensors themselves, so that activations stay [N, C, spatial...]
    // between convs and a layout pass can permute them.
    if (g == 1 || (cg == 1 && mg == 1)) {
      bool depthwise = g != 1;
      // Loops: n, m, o_0.., [c,] k_0..   (depthwise: m is the channel).
      int64_t o0 = 2, k0 = 2 + ns + (depthwise ? 0 : 1), nl = k0 + ns;
      SmallVector<AffineExpr> xe = {d(0), depthwise ? d(1) : d(2 + ns)},
                              we = {d(1)}, oe = {d(0), d(1)};
      if (!depthwise)
        we.push_back(d(2 + ns));
      for (int64_t i = 0; i < ns; ++i) {
        xe.push_back(window(i, d(o0 + i), d(k0 + i)));
        we.push_back(d(k0 + i));
        oe.push_back(d(o0 + i));
      }
      Value w = adaptor.getW();
      if (depthwise) { // [C, 1, k...] -> [C, k...]
        SmallVector<ReassociationIndices> wr = {{0, 1}};
        for (int64_t i = 0; i < ns; ++i)
          wr.push_back({2 + i});
        w = tensor::CollapseShapeOp::create(rewriter, loc, w, wr);
      }
      SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                     AffineMap::get(nl, 0, we, ctx),
                                     AffineMap::get(nl, 0, oe, ctx)};
      SmallVector<IteratorType> iters(2 + ns, IteratorType::parallel);
      iters.append(nl - 2 - ns, IteratorType::reduction);
      auto conv = linalg::GenericOp::create(rewriter, loc, rt, ValueRange{x, w},
                                            init, maps, iters, macBody);
      rewriter.replaceOp(op, conv.getResult(0));
      return success();
    }

    // Other groupings: views with the group explicit.
    int64_t n = xt.getDimSize(0);
    SmallVector<int64_t> xs = {n, g, cg}, ws = {g, mg, wt.getDimSize(1)},
                         os = {n, g, mg};
    llvm::append_range(xs, pxt.getShape().drop_front(2));
    llvm::append_range(ws, wt.getShape().drop_front(2));
    llvm::append_range(os, rt.getShape().drop_front(2));
    auto withGroups = [&](ArrayRef<OpFoldResult> dims) {
      SmallVector<OpFoldResult> r = {dims[0], rewriter.getIndexAttr(g),
                                     apply(s0.floorDiv(g), {dims[1]})};
      llvm::append_range(r, dims.drop_front(2));
      return r;
    };
    SmallVector<OpFoldResult> wg = {rewriter.getIndexAttr(g),
                                    apply(s0.floorDiv(g), {wd[0]}), wd[1]};
    llvm::append_range(wg, ArrayRef(wd).drop_front(2));
    SmallVector<ReassociationIndices> xr = {{0}, {1, 2}}, wr = {{0, 1}, {2}},
                                      orr = {{0}, {1, 2}};
    for (int64_t i = 0; i < ns; ++i) {
      xr.push_back({3 + i});
      wr.push_back({3 + i});
      orr.push_back({3 + i});
    }
    Value xv = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(xs, et), x, xr,
        withGroups(dimsOf(rewriter, loc, x)));
    Value wv = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(ws, et), adaptor.getW(), wr, wg);
    auto ot = RankedTensorType::get(os, et);
    Value ov = tensor::ExpandShapeOp::create(rewriter, loc, ot, init, orr,
                                             withGroups(outDims));

    // Loops: n, g, m, o_0.., c, k_0..
    int64_t nl = 3 + ns + 1 + ns;
    SmallVector<AffineExpr> xe = {d(0), d(1), d(3 + ns)},
                            we = {d(1), d(2), d(3 + ns)},
                            oe = {d(0), d(1), d(2)};
    for (int64_t i = 0; i < ns; ++i) {
      xe.push_back(window(i, d(3 + i), d(4 + ns + i)));
      we.push_back(d(4 + ns + i));
      oe.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(nl, 0, xe, ctx),
                                   AffineMap::get(nl, 0, we, ctx),
                                   AffineMap::get(nl, 0, oe, ctx)};
    SmallVector<IteratorType> iters(3 + ns, IteratorType::parallel);
    iters.append(1 + ns, IteratorType::reduction);
    auto conv = linalg::GenericOp::create(rewriter, loc, ot, ValueRange{xv, wv},
                                          ov, maps, iters, macBody);
    Value r =
        tensor::CollapseShapeOp::create(rewriter, loc, conv.getResult(0), orr);
    if (r.getType() != rt)
      r = tensor::CastOp::create(rewriter, loc, rt, r);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Gemm: alpha * op(A) * op(B) + beta * C.
struct GemmLowering : OpConversionPattern<ONNXGemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op, "supports float tensors only");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value a = adaptor.getA(), b = adaptor.getB();
    bool ta = op.getTransA(), tb = op.getTransB();
    checkSameDim(rewriter, loc, dimOf(rewriter, loc, a, ta ? 0 : 1),
                 dimOf(rewriter, loc, b, tb ? 1 : 0),
                 "the inner dimensions of A and B differ");
    SmallVector<OpFoldResult> dims =
        withDeclaredDims(rewriter, loc,
                         {dimOf(rewriter, loc, a, ta ? 1 : 0),
                          dimOf(rewriter, loc, b, tb ? 0 : 1)},
                         rt);
    Value init = filledTensor(rewriter, loc, rt, 0.0, dims);
    if (!isNoValue(op.getC()) && beta != 0.0) {
      Type et = rt.getElementType();
      init = buildElementwise(
          rewriter, loc, rt, adaptor.getC(),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            if (beta == 1.0)
              return a[0];
            return arith::MulFOp::create(b, l, a[0],
                                         scalarConstant(b, l, et, beta));
          },
          {}, dims);
    }
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // Loops: m, n, k.
    AffineMap am =
        AffineMap::get(3, 0,
                       op.getTransA() ? SmallVector<AffineExpr>{d(2), d(0)}
                                      : SmallVector<AffineExpr>{d(0), d(2)},
                       ctx);
    AffineMap bm =
        AffineMap::get(3, 0,
                       op.getTransB() ? SmallVector<AffineExpr>{d(1), d(2)}
                                      : SmallVector<AffineExpr>{d(2), d(1)},
                       ctx);
    AffineMap om = AffineMap::get(3, 0, {d(0), d(1)}, ctx);
    auto mm = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{a, b}, init,
        SmallVector<AffineMap>{am, bm, om},
        SmallVector<IteratorType>{IteratorType::parallel,
                                  IteratorType::parallel,
                                  IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0];
          if (alpha != 1.0)
            x = arith::MulFOp::create(b, l, x,
                                      scalarConstant(b, l, x.getType(), alpha));
          macBody(b, l, ValueRange{x, a[1], a[2]});
        });
    rewriter.replaceOp(op, mm.getResult(0));
    return success();
  }
};

/// ConvTranspose as a convolution: the input spread out by the strides
/// (zeros between) and padded by d*(k-1) - pad_begin in front (cropped
/// where that is negative), the weights flipped and regrouped to
/// [M, C/group, k...]; then an onnx.Conv with stride 1, lowered (and
/// register-tiled) like any other.
struct ConvTransposeLowering : OpConversionPattern<ONNXConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto geo = getConvTransposeGeometry(op);
    if (!rt || failed(geo))
      return unsupported(rewriter, op, kNeedsStaticShapes);
    auto xt = cast<RankedTensorType>(op.getX().getType());
    auto wt = cast<RankedTensorType>(op.getW().getType());
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t n = xt.getRank() - 2, group = op.getGroup();
    int64_t cin = xt.getDimSize(1), cg = cin / group, mg = wt.getDimSize(1);
    int64_t m = mg * group;
    if (cin % group || wt.getDimSize(0) != cin || rt.getDimSize(1) != m)
      return unsupported(rewriter, op, "channels do not match the weights");
    Type et = rt.getElementType();
    // Weights: W2[o, c, k] = W[(o / mg) * cg + c, o % mg, K - 1 - k].
    SmallVector<int64_t> w2Shape = {m, cg};
    llvm::append_range(w2Shape, geo->kernel);
    AffineExpr o = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx);
    SmallVector<AffineExpr> wIdx = {group == 1 ? c : o.floorDiv(mg) * cg + c,
                                    group == 1 ? o : o % mg};
    for (int64_t i = 0; i < n; ++i)
      wIdx.push_back(geo->kernel[i] - 1 - getAffineDimExpr(2 + i, ctx));
    auto w2T = RankedTensorType::get(w2Shape, et);
    Value w2 =
        linalg::GenericOp::create(
            rewriter, loc, w2T, adaptor.getW(),
            Value(tensor::EmptyOp::create(rewriter, loc, w2Shape, et)),
            SmallVector<AffineMap>{AffineMap::get(n + 2, 0, wIdx, ctx),
                                   rewriter.getMultiDimIdentityMap(n + 2)},
            SmallVector<utils::IteratorType>(n + 2,
                                             utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(b, l, a[0]);
            })
            .getResult(0);
    // Input: spread by the strides into zeros, with the padding around.
    SmallVector<int64_t> bigShape = {xt.getDimSize(0), cin}, offs = {0, 0},
                         strides = {1, 1}, crop = {0, 0},
                         padded = {xt.getDimSize(0), cin};
    for (int64_t i = 0; i < n; ++i) {
      int64_t span = (geo->kernel[i] - 1) * geo->dilations[i];
      int64_t lo = span - geo->padBegin[i];
      int64_t len = (xt.getDimSize(i + 2) - 1) * geo->strides[i] + 1;
      int64_t need = geo->out[i] + span; // the conv's input length
      int64_t hi = need - lo - len;
      bigShape.push_back(std::max<int64_t>(lo, 0) + len +
                         std::max<int64_t>(hi, 0));
      offs.push_back(std::max<int64_t>(lo, 0));
      strides.push_back(geo->strides[i]);
      crop.push_back(std::max<int64_t>(-lo, 0));
      padded.push_back(need);
    }
    auto bigT = RankedTensorType::get(bigShape, et);
    Value big = tensor::InsertSliceOp::create(
        rewriter, loc, adaptor.getX(), filledTensor(rewriter, loc, bigT, 0),
        ValueRange{}, ValueRange{}, ValueRange{}, offs, xt.getShape(), strides);
    if (ArrayRef<int64_t>(padded) != ArrayRef<int64_t>(bigShape))
      big = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(padded, et), big, ValueRange{},
          ValueRange{}, ValueRange{}, crop, padded,
          SmallVector<int64_t>(n + 2, 1));
    Value bias = isNoValue(op.getB()) ? Value(op.getB()) : adaptor.getB();
    auto conv = ONNXConvOp::create(
        rewriter, loc, rt, big, w2, bias, rewriter.getStringAttr("NOTSET"),
        rewriter.getI64ArrayAttr(geo->dilations),
        rewriter.getI64IntegerAttr(group),
        rewriter.getI64ArrayAttr(geo->kernel),
        rewriter.getI64ArrayAttr(SmallVector<int64_t>(2 * n, 0)),
        rewriter.getI64ArrayAttr(SmallVector<int64_t>(n, 1)));
    rewriter.replaceOp(op, conv.getResult());
    return success();
  }
};

/// MatMul with numpy semantics: 1-D promotion and broadcast batch dims.
struct MatMulLowering : OpConversionPattern<ONNXMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto at = dyn_cast<RankedTensorType>(adaptor.getA().getType());
    auto bt = dyn_cast<RankedTensorType>(adaptor.getB().getType());
    if (!rt || !at || !bt ||
        !(isa<FloatType>(rt.getElementType()) ||
          rt.getElementType().isSignlessInteger()))
      return unsupported(rewriter, op, "needs ranked float or integer tensors");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Value a = adaptor.getA(), b = adaptor.getB();
    Type et = rt.getElementType();
    // Promote 1-D operands to matrices; the result drops those dims again.
    if (at.getRank() == 1)
      a = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({1, at.getDimSize(0)}, et), a,
          ArrayRef<ReassociationIndices>{{0, 1}},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 dimOf(rewriter, loc, a, 0)});
    if (bt.getRank() == 1)
      b = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({bt.getDimSize(0), 1}, et), b,
          ArrayRef<ReassociationIndices>{{0, 1}},
          ArrayRef<OpFoldResult>{dimOf(rewriter, loc, b, 0),
                                 rewriter.getIndexAttr(1)});
    int64_t ra = cast<RankedTensorType>(a.getType()).getRank();
    int64_t rb = cast<RankedTensorType>(b.getType()).getRank();
    checkSameDim(rewriter, loc, dimOf(rewriter, loc, a, ra - 1),
                 dimOf(rewriter, loc, b, rb - 2),
                 "the inner dimensions of A and B differ");
    // Batch dims broadcast; then m, n.
    SmallVector<Value> operands = {a, b};
    Broadcast bc = broadcastPrefix(rewriter, loc, operands, {ra - 2, rb - 2});
    a = operands[0];
    b = operands[1];
    int64_t batch = bc.dims.size();
    SmallVector<OpFoldResult> dims = bc.dims;
    dims.push_back(dimOf(rewriter, loc, a, ra - 2));
    dims.push_back(dimOf(rewriter, loc, b, rb - 1));
    auto full = tensorType(dims, et);
    // Loops: batch..., m, n, k.
    int64_t nl = batch + 3;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    auto operandMap = [&](int64_t k, int64_t rank, AffineExpr r, AffineExpr c) {
      SmallVector<AffineExpr> e;
      int64_t lead = batch - (rank - 2);
      for (int64_t j = 0; j < rank - 2; ++j)
        e.push_back(bc.zero[k][j] ? getAffineConstantExpr(0, ctx)
                                  : d(lead + j));
      e.push_back(r);
      e.push_back(c);
      return AffineMap::get(nl, 0, e, ctx);
    };
    SmallVector<AffineExpr> oe;
    for (int64_t i = 0; i < batch + 2; ++i)
      oe.push_back(d(i));
    SmallVector<AffineMap> maps = {
        operandMap(0, ra, d(batch), d(batch + 2)),
        operandMap(1, rb, d(batch + 2), d(batch + 1)),
        AffineMap::get(nl, 0, oe, ctx)};
    SmallVector<IteratorType> iters(batch + 2, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    Value init = filledTensor(rewriter, loc, full, 0.0, dims);
    Value r = linalg::GenericOp::create(rewriter, loc, full, ValueRange{a, b},
                                        init, maps, iters, macBody)
                  .getResult(0);
    // Drop the dims the 1-D promotion added.
    if (at.getRank() == 1 || bt.getRank() == 1) {
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i < batch; ++i)
        groups.push_back({i});
      // Both 1-D: no batch, a scalar result.
      if (at.getRank() != 1 || bt.getRank() != 1)
        groups.push_back({batch, batch + 1});
      r = tensor::CollapseShapeOp::create(rewriter, loc, r, groups);
    }
    if (r.getType() != rt)
      r = tensor::CastOp::create(rewriter, loc, rt, r);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void lowering::populateLinearPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ConvLowering, ConvTransposeLowering, GemmLowering, MatMulLowering>(
          patterns.getContext());
}
