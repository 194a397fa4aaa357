//===- FoldQdq.cpp - fold-qdq: integer contractions from QDQ pairs --------===//
//
// Quantizers that write the QDQ format (onnxruntime's quantize_static with
// QuantFormat.QDQ) leave every contraction in float between
// DequantizeLinear ops: MatMul(DQ(a_q), DQ(w_q)). Executed literally, the
// 8-bit weights are widened to float on every call and the matmul runs at
// float speed. With one scale per tensor for the activations and per
// tensor or per output column for the weights, the scales factor out of
// the sum:
//
//   sum_k sa (a_q - za) * sw[n] (w_q - zw[n])
//     = (sa * sw[n]) * MatMulInteger(a_q, w_q, za, zw)[..., n]
//
// so the contraction becomes MatMulInteger (the int8 kernels' op), a Cast
// and one multiply by the combined scale (folded at compile time when
// both are constants). The integer sum is exact; the float one it
// replaces rounded at every step. A QuantizeLinear after it, and the
// DequantizeLinear that reads the next layer's input, stay: elementwise
// fusion merges the cast, the multiply and the quantization into the
// kernel's reader, and the next contraction takes the 8-bit tensor
// directly. Gemm (alpha 1, no transposed A, bias with beta 1) folds the
// same way, its weights transposed at compile time when transB is set.
// Conv without groups (any pads, strides, dilations) folds into
// ConvInteger with the weights' scale and zero point per tensor or per
// output channel: the combined scale and the bias are then shaped
// [M, 1, ...] to broadcast along the channels.
//
// DequantizeLinear ops of constants left over (a depthwise conv's weights,
// a bias) become the f32 constants they compute.
//
// Must not fire: weights that are not constants (attention's activation
// products: the float kernel is faster than the generic integer loops
// they would get), per-row weight scales (axis 0 of a [K, N] matrix: they
// do not factor out), per-input-channel conv weight scales, blocked
// scales, non-f32 results, and grouped convs (depthwise): they have no
// int8 kernel yet, and the generic i32 conv they would get ran
// MobileNetV2's depthwise layers 5x slower than the float ones (their
// DQ and Q fuse into the float conv's neighbours instead).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"

#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
#include <cstring>

namespace mcc {
#define GEN_PASS_DEF_FOLDQDQ
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;

namespace {

/// One element, any rank, static.
bool isScalarLike(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getNumElements() == 1;
}

bool isByteInt(Type t) {
  auto st = dyn_cast<ShapedType>(t);
  return st && st.getElementType().isInteger(8);
}

/// A DequantizeLinear of 8-bit integers into f32, not blocked.
ONNXDequantizeLinearOp byteDequantize(Value v) {
  auto dq = v.getDefiningOp<ONNXDequantizeLinearOp>();
  if (!dq || dq.getBlockSize() != 0 || !isByteInt(dq.getX().getType()))
    return {};
  auto yt = dyn_cast<RankedTensorType>(dq.getY().getType());
  if (!yt || !yt.getElementType().isF32() ||
      !cast<ShapedType>(dq.getXScale().getType()).getElementType().isF32())
    return {};
  return dq;
}

/// The weights of `dq` (a constant [K, N], or [N, K] when `transposed`),
/// with scale and zero point per tensor or per output column. Returns the
/// [K, N] weights (transposed at compile time if needed) or null.
Value columnWeights(OpBuilder &b, ONNXDequantizeLinearOp dq, bool transposed) {
  auto cst = dq.getX().getDefiningOp<ONNXConstantOp>();
  auto wt = dyn_cast<RankedTensorType>(dq.getX().getType());
  if (!cst || !cst.getValue() || !wt || wt.getRank() != 2 ||
      !wt.hasStaticShape())
    return {};
  // Per column: the axis of N (1, or 0 in a transposed [N, K]).
  int64_t axis = dq.getAxis() < 0 ? dq.getAxis() + 2 : dq.getAxis();
  for (Value p : SmallVector<Value>{dq.getXScale(), dq.getXZeroPoint()}) {
    if (isNoValue(p) || isScalarLike(p))
      continue;
    auto pt = dyn_cast<RankedTensorType>(p.getType());
    if (!pt || pt.getRank() != 1 || axis != (transposed ? 0 : 1))
      return {};
  }
  if (!transposed)
    return dq.getX();
  auto bytes = elementsToBytes(*cst.getValue());
  if (!bytes)
    return {};
  int64_t n = wt.getDimSize(0), k = wt.getDimSize(1);
  SmallVector<char> t(k * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      t[j * n + i] = (*bytes)[i * k + j];
  auto type = RankedTensorType::get({k, n}, wt.getElementType());
  b.setInsertionPoint(dq);
  return createConstant(b, dq.getLoc(),
                        makeResourceAttr(type, t, 1, "transposed_weights"));
}

/// sa * sw as one f32 tensor of sw's shape: a constant when both are.
Value combinedScale(OpBuilder &b, Location loc, Value sa, Value sw) {
  auto swType = cast<RankedTensorType>(sw.getType());
  auto ca = sa.getDefiningOp<ONNXConstantOp>();
  auto cw = sw.getDefiningOp<ONNXConstantOp>();
  if (ca && cw && ca.getValue() && cw.getValue()) {
    auto a = elementsToFloats(*ca.getValue());
    auto w = elementsToFloats(*cw.getValue());
    if (a && w && a->size() == 1) {
      SmallVector<float> s(*w);
      for (float &v : s)
        v *= (*a)[0];
      return createConstant(b, loc, makeResourceAttr(swType, s, "qdq_scale"));
    }
  }
  // The broadcast of the two: the one of higher rank.
  auto saType = cast<RankedTensorType>(sa.getType());
  Type t = saType.getRank() > swType.getRank() ? saType : swType;
  return ONNXMulOp::create(b, loc, TypeRange{t}, ValueRange{sw, sa},
                           ArrayRef<NamedAttribute>{});
}

/// MatMul or Gemm `op` reading DQ(a) and DQ(w): the folded form, or
/// failure (nothing changed).
LogicalResult fold(Operation *op, Value aIn, Value wIn, bool transB,
                   Value bias) {
  ONNXDequantizeLinearOp da = byteDequantize(aIn), dw = byteDequantize(wIn);
  if (!da || !dw || !isScalarLike(da.getXScale()) ||
      (!isNoValue(da.getXZeroPoint()) && !isScalarLike(da.getXZeroPoint())))
    return failure();
  auto rt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  auto at = dyn_cast<RankedTensorType>(da.getX().getType());
  if (!rt || !rt.getElementType().isF32() || !at || at.getRank() < 2)
    return failure();
  OpBuilder b(op);
  Value w = columnWeights(b, dw, transB);
  if (!w)
    return failure();
  b.setInsertionPoint(op);
  Location loc = op->getLoc();
  MLIRContext *ctx = op->getContext();
  Value none = ONNXNoValueOp::create(b, loc, b.getNoneType());
  auto i32T = RankedTensorType::get(rt.getShape(), b.getI32Type());
  auto f32T = RankedTensorType::get(rt.getShape(), b.getF32Type());
  Value za = isNoValue(da.getXZeroPoint()) ? none : da.getXZeroPoint();
  Value zw = isNoValue(dw.getXZeroPoint()) ? none : dw.getXZeroPoint();
  Value acc = ONNXMatMulIntegerOp::create(b, loc, TypeRange{i32T},
                                          ValueRange{da.getX(), w, za, zw},
                                          ArrayRef<NamedAttribute>{});
  NamedAttribute toF32(StringAttr::get(ctx, "to"),
                       b.getI64IntegerAttr(getOnnxDType(b.getF32Type())));
  Value f = ONNXCastOp::create(b, loc, TypeRange{f32T}, ValueRange{acc},
                               ArrayRef<NamedAttribute>{toF32});
  Value scale = combinedScale(b, loc, da.getXScale(), dw.getXScale());
  Value y = ONNXMulOp::create(b, loc, TypeRange{f32T}, ValueRange{f, scale},
                              ArrayRef<NamedAttribute>{});
  if (bias)
    y = ONNXAddOp::create(b, loc, TypeRange{f32T}, ValueRange{y, bias},
                          ArrayRef<NamedAttribute>{});
  op->getResult(0).replaceAllUsesWith(y);
  op->erase();
  return success();
}

/// `v` ([M] or one element) reshaped to [M, 1, ...] of rank `rank`, so
/// that it broadcasts along dim 1 of a rank `rank + 1` tensor: a new
/// constant when `v` is one, else an onnx.Reshape.
Value perChannel(OpBuilder &b, Location loc, Value v, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  if (isScalarLike(v))
    return v;
  SmallVector<int64_t> shape(rank, 1);
  shape[0] = t.getDimSize(0);
  auto to = RankedTensorType::get(shape, t.getElementType());
  if (auto c = v.getDefiningOp<ONNXConstantOp>())
    if (c.getValue() && t.getElementType().isF32())
      if (auto f = elementsToFloats(*c.getValue()))
        return createConstant(b, loc, makeResourceAttr(to, *f, "qdq_channel"));
  auto st = RankedTensorType::get({rank}, b.getI64Type());
  Value s = createConstant(b, loc, DenseElementsAttr::get(st, ArrayRef(shape)));
  return ONNXReshapeOp::create(b, loc, TypeRange{to}, ValueRange{v, s},
                               ArrayRef<NamedAttribute>{});
}

/// Conv reading DQ(x) (per tensor) and DQ(w) (constant weights, per
/// tensor or per output channel): ConvInteger, Cast, the combined scale
/// and the bias per channel. Failure changes nothing.
LogicalResult foldConv(ONNXConvOp conv) {
  ONNXDequantizeLinearOp dx = byteDequantize(conv.getX()),
                         dw = byteDequantize(conv.getW());
  if (!dx || !dw || !isScalarLike(dx.getXScale()) ||
      (!isNoValue(dx.getXZeroPoint()) && !isScalarLike(dx.getXZeroPoint())))
    return failure();
  auto rt = dyn_cast<RankedTensorType>(conv.getY().getType());
  auto wt = dyn_cast<RankedTensorType>(dw.getX().getType());
  if (!rt || !rt.getElementType().isF32() || rt.getRank() < 3 || !wt ||
      !wt.hasStaticShape() || !dw.getX().getDefiningOp<ONNXConstantOp>() ||
      conv.getGroup() != 1)
    return failure();
  int64_t m = wt.getDimSize(0);
  int64_t axis = dw.getAxis() < 0 ? dw.getAxis() + wt.getRank() : dw.getAxis();
  for (Value p : SmallVector<Value>{dw.getXScale(), dw.getXZeroPoint()}) {
    if (isNoValue(p) || isScalarLike(p))
      continue;
    auto pt = dyn_cast<RankedTensorType>(p.getType());
    if (!pt || pt.getRank() != 1 || pt.getDimSize(0) != m || axis != 0)
      return failure();
  }
  OpBuilder b(conv);
  Location loc = conv.getLoc();
  MLIRContext *ctx = conv.getContext();
  Value none = ONNXNoValueOp::create(b, loc, b.getNoneType());
  auto i32T = RankedTensorType::get(rt.getShape(), b.getI32Type());
  Value zx = isNoValue(dx.getXZeroPoint()) ? none : dx.getXZeroPoint();
  Value zw = isNoValue(dw.getXZeroPoint()) ? none : dw.getXZeroPoint();
  // ConvInteger has Conv's attributes, names and meanings.
  Value acc = ONNXConvIntegerOp::create(
      b, loc, TypeRange{i32T}, ValueRange{dx.getX(), dw.getX(), zx, zw},
      conv->getAttrs());
  auto f32T = RankedTensorType::get(rt.getShape(), b.getF32Type());
  NamedAttribute toF32(StringAttr::get(ctx, "to"),
                       b.getI64IntegerAttr(getOnnxDType(b.getF32Type())));
  Value f = ONNXCastOp::create(b, loc, TypeRange{f32T}, ValueRange{acc},
                               ArrayRef<NamedAttribute>{toF32});
  Value scale =
      perChannel(b, loc, combinedScale(b, loc, dx.getXScale(), dw.getXScale()),
                 rt.getRank() - 1);
  Value y = ONNXMulOp::create(b, loc, TypeRange{f32T}, ValueRange{f, scale},
                              ArrayRef<NamedAttribute>{});
  if (!isNoValue(conv.getB()))
    y = ONNXAddOp::create(
        b, loc, TypeRange{f32T},
        ValueRange{y, perChannel(b, loc, conv.getB(), rt.getRank() - 1)},
        ArrayRef<NamedAttribute>{});
  conv.getY().replaceAllUsesWith(y);
  conv.erase();
  return success();
}

/// The integers of constant `v` (8-bit or 32-bit, dense or a resource
/// blob), read with `v`'s signedness.
std::optional<SmallVector<int64_t>> constantInts(Value v) {
  auto cst = v.getDefiningOp<ONNXConstantOp>();
  if (!cst || !cst.getValue())
    return std::nullopt;
  return elementsToInts(*cst.getValue());
}

/// The constants of a DequantizeLinear: its integers, its scales and,
/// when it has one, its zero points.
struct ConstantDq {
  SmallVector<int64_t> x;
  SmallVector<float> scale;
  std::optional<SmallVector<int64_t>> zp;
};

/// nullopt when the input, scale or a present zero point is not a constant.
std::optional<ConstantDq> readConstantDq(ONNXDequantizeLinearOp dq) {
  auto x = constantInts(dq.getX());
  auto sc = dq.getXScale().getDefiningOp<ONNXConstantOp>();
  std::optional<SmallVector<float>> scale;
  if (sc && sc.getValue())
    scale = elementsToFloats(*sc.getValue());
  if (!x || !scale)
    return std::nullopt;
  ConstantDq c{std::move(*x), std::move(*scale), std::nullopt};
  if (!isNoValue(dq.getXZeroPoint())) {
    c.zp = constantInts(dq.getXZeroPoint());
    if (!c.zp)
      return std::nullopt;
  }
  return c;
}

/// A DequantizeLinear of constants (weights fold-qdq left in float: a
/// depthwise conv's, a bias; MatMulNBits' unpacked blocks) as the f32
/// constant it computes, so that the float kernels see constant weights as
/// in a float model (channels-last and register tiling recognize a conv by
/// them) and no run repeats it. 4-, 8- or 32-bit integers; per tensor, per
/// axis or blocked along the axis. Failure changes nothing.
LogicalResult foldConstantDequantize(ONNXDequantizeLinearOp dq) {
  auto xt = dyn_cast<RankedTensorType>(dq.getX().getType());
  auto yt = dyn_cast<RankedTensorType>(dq.getY().getType());
  auto st = dyn_cast<RankedTensorType>(dq.getXScale().getType());
  if (!xt || !xt.hasStaticShape() || !yt || !yt.getElementType().isF32() ||
      !st || !st.hasStaticShape() ||
      !(xt.getElementType().isInteger(4) || xt.getElementType().isInteger(8) ||
        xt.getElementType().isInteger(32)))
    return failure();
  std::optional<ConstantDq> cst = readConstantDq(dq);
  if (!cst)
    return failure();
  auto &x = cst->x;
  auto &scale = cst->scale;
  auto &zp = cst->zp;
  // Element i = (outer, a, in) over (dims before the axis, the axis, dims
  // after) reads parameter a per axis, or (outer, a / block, in) of the
  // [outer, ceil(dim / block), in] parameters when blocked.
  int64_t rank = xt.getRank(), n = scale.size();
  int64_t axis = dq.getAxis() < 0 ? dq.getAxis() + rank : dq.getAxis();
  int64_t block = dq.getBlockSize(), dim = 1, inner = 1;
  bool perTensor = n == 1 && block == 0;
  if (!perTensor) {
    if (axis < 0 || axis >= rank || block < 0)
      return failure();
    dim = xt.getDimSize(axis);
    for (int64_t d = axis + 1; d < rank; ++d)
      inner *= xt.getDimSize(d);
    SmallVector<int64_t> want = {dim};
    if (block != 0) {
      // The scale has the input's shape, ceil(dim / block) along the axis.
      want.assign(xt.getShape().begin(), xt.getShape().end());
      want[axis] = (dim + block - 1) / block;
    }
    if (st.getShape() != ArrayRef<int64_t>(want))
      return failure();
  }
  if (zp && zp->size() != scale.size())
    return failure();
  int64_t blocks = block == 0 ? 1 : (dim + block - 1) / block;
  SmallVector<float> y(x.size());
  for (int64_t i = 0; i < int64_t(y.size()); ++i) {
    int64_t in = i % inner, a = (i / inner) % dim, outer = i / inner / dim;
    int64_t p = perTensor    ? 0
                : block == 0 ? a
                             : (outer * blocks + a / block) * inner + in;
    y[i] = float(x[i] - (zp ? (*zp)[p] : 0)) * scale[p];
  }
  OpBuilder b(dq);
  Value c = createConstant(
      b, dq.getLoc(),
      makeResourceAttr(RankedTensorType::get(xt.getShape(), b.getF32Type()), y,
                       "dequantized"));
  dq.getY().replaceAllUsesWith(c);
  dq.erase();
  return success();
}

/// MatMul(a, DQ(w)) with f32 activations and constant 4- or 8-bit weights
/// [K, N] dequantized in blocks along K (a multiple of 8, or one block:
/// per column or per tensor): mcc.wmatmul, the weights kept as they are.
/// For int4-matmul-kernels: at most `maxRows` rows (static) and weights
/// spanning at most 16 levels. For int8-matmul-kernels: more rows (or a
/// symbolic count) where the MatMul allows 8-bit activations
/// (kInt8ActivationsAttr, or all with `int8Everywhere`) and every weight
/// minus its zero point fits a signed byte. Failure changes nothing.
LogicalResult foldWeightOnly(ONNXMatMulOp mm, int64_t maxRows,
                             bool int8Everywhere) {
  auto dq = mm.getB().getDefiningOp<ONNXDequantizeLinearOp>();
  if (!dq)
    return failure();
  auto at = dyn_cast<RankedTensorType>(mm.getA().getType());
  auto rt = dyn_cast<RankedTensorType>(mm.getY().getType());
  auto xt = dyn_cast<RankedTensorType>(dq.getX().getType());
  if (!at || !rt || !xt || at.getRank() < 2 || rt.getRank() != at.getRank() ||
      !at.getElementType().isF32() || !rt.getElementType().isF32() ||
      xt.getRank() != 2 || !xt.hasStaticShape() ||
      !(xt.getElementType().isInteger(4) || xt.getElementType().isInteger(8)))
    return failure();
  int64_t k = xt.getDimSize(0), n = xt.getDimSize(1);
  if (k == 0 || n == 0 || at.getDimSize(at.getRank() - 1) != k)
    return failure();
  bool fewRows = at.hasStaticShape() && rt.hasStaticShape();
  if (fewRows) {
    int64_t rows = 1;
    for (int64_t d : at.getShape().drop_back())
      rows *= d;
    fewRows = rows <= maxRows;
  }
  bool int8 = !fewRows && (int8Everywhere || mm->hasAttr(kInt8ActivationsAttr));
  if (!fewRows && !int8)
    return failure();
  std::optional<ConstantDq> c = readConstantDq(dq);
  if (!c || int64_t(c->x.size()) != k * n ||
      (c->zp && c->zp->size() != c->scale.size()))
    return failure();
  auto &q = c->x;
  auto &scale = c->scale;
  auto &zp = c->zp;
  // Parameter p of weight (r, c) as [blocks, N]: blocked along K, per
  // column (axis 1) or per tensor.
  int64_t axis = dq.getAxis() < 0 ? dq.getAxis() + 2 : dq.getAxis();
  int64_t block = dq.getBlockSize(), blocks = 1;
  std::function<int64_t(int64_t, int64_t)> param;
  if (block > 0 && axis == 0) {
    blocks = (k + block - 1) / block;
    if (int64_t(scale.size()) != blocks * n)
      return failure();
    param = [n](int64_t j, int64_t c) { return j * n + c; };
  } else if (block == 0 && scale.size() == 1) {
    block = k;
    param = [](int64_t, int64_t) { return 0; };
  } else if (block == 0 && axis == 1 && int64_t(scale.size()) == n) {
    block = k;
    param = [](int64_t, int64_t c) { return c; };
  } else {
    return failure();
  }
  if (blocks > 1 && block % 8 != 0)
    return failure();
  if (int8) {
    for (int64_t r = 0; r < k; ++r)
      for (int64_t col = 0; col < n; ++col) {
        int64_t v = q[r * n + col] - (zp ? (*zp)[param(r / block, col)] : 0);
        if (v < -128 || v > 127)
          return failure();
      }
  } else {
    auto [lo, hi] = std::minmax_element(q.begin(), q.end());
    if (*hi - *lo > 15)
      return failure();
  }
  // The operands as [K, N] and [blocks, N] bytes, read per the weights'
  // signedness.
  SmallVector<char> w(q.begin(), q.end());
  SmallVector<float> s(blocks * n);
  SmallVector<char> z(blocks * n, 0);
  for (int64_t j = 0; j < blocks; ++j)
    for (int64_t c = 0; c < n; ++c) {
      s[j * n + c] = scale[param(j, c)];
      if (zp)
        z[j * n + c] = char((*zp)[param(j, c)]);
    }
  OpBuilder b(mm);
  Location loc = mm.getLoc();
  Type i8 = b.getI8Type();
  auto pt = RankedTensorType::get({blocks, n}, i8);
  Value wc = createConstant(
      b, loc,
      makeResourceAttr(RankedTensorType::get({k, n}, i8), w, 1, "wq_weights"));
  Value ws = createConstant(
      b, loc,
      makeResourceAttr(RankedTensorType::get({blocks, n}, b.getF32Type()), s,
                       "wq_scales"));
  Value wz =
      createConstant(b, loc, makeResourceAttr(pt, z, 1, "wq_zero_points"));
  // The result's rows are the activations'.
  SmallVector<Value> sizes;
  for (auto [i, d] : llvm::enumerate(rt.getShape()))
    if (ShapedType::isDynamic(d))
      sizes.push_back(tensor::DimOp::create(b, loc, mm.getA(), i));
  Value init = tensor::EmptyOp::create(b, loc, rt, sizes);
  auto op = WMatMulOp::create(
      b, loc, rt, mm.getA(), wc, ws, wz, init, b.getI64IntegerAttr(block),
      xt.getElementType().isUnsignedInteger() ? b.getUnitAttr() : UnitAttr(),
      int8 ? b.getUnitAttr() : UnitAttr());
  mm.getY().replaceAllUsesWith(op.getResult());
  mm.erase();
  if (dq.getY().use_empty())
    dq.erase();
  return success();
}

struct FoldQdqPass : mcc::impl::FoldQdqBase<FoldQdqPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<ONNXMatMulOp, ONNXGemmOp, ONNXConvOp>(op))
        ops.push_back(op);
    });
    func::FuncOp func = getOperation();
    for (Operation *op : ops) {
      Location loc = op->getLoc();
      if (auto conv = dyn_cast<ONNXConvOp>(op)) {
        if (succeeded(foldConv(conv)))
          mcc::recordDecision(
              func, loc, "fold-qdq",
              "QDQ Conv: 8-bit ConvInteger, scales applied after");
        continue;
      }
      if (auto mm = dyn_cast<ONNXMatMulOp>(op)) {
        if (succeeded(fold(mm, mm.getA(), mm.getB(), false, Value())))
          mcc::recordDecision(func, loc, "fold-qdq",
                              "QDQ MatMul: 8-bit MatMulInteger, scales applied "
                              "after");
        else if (succeeded(foldWeightOnly(mm, weightOnlyRows, int8Activations)))
          mcc::recordDecision(func, loc, "fold-qdq",
                              "weight-only quantized MatMul: mcc.wmatmul");
        continue;
      }
      auto gemm = cast<ONNXGemmOp>(op);
      if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
          (!isNoValue(gemm.getC()) && gemm.getBeta().convertToFloat() != 1.0f))
        continue;
      if (succeeded(fold(gemm, gemm.getA(), gemm.getB(), gemm.getTransB() != 0,
                         isNoValue(gemm.getC()) ? Value() : gemm.getC())))
        mcc::recordDecision(
            func, loc, "fold-qdq",
            "QDQ Gemm: 8-bit MatMulInteger, scales applied after");
    }
    // What the contractions left: dequantized constants.
    SmallVector<ONNXDequantizeLinearOp> dqs;
    getOperation().walk([&](ONNXDequantizeLinearOp dq) {
      if (!dq.getY().use_empty())
        dqs.push_back(dq);
    });
    for (ONNXDequantizeLinearOp dq : dqs)
      (void)foldConstantDequantize(dq);
  }
};

} // namespace
