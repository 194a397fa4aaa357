//===- ExpandMsOps.cpp - expand-ms-ops: onnxruntime's quantized ops -------===//
//
// onnxruntime's quantizers write com.microsoft ops next to the ai.onnx
// ones: QOperator models (QLinearAdd, QLinearConcat, QLinearGlobalAveragePool
// ... between QLinearConv layers), dynamically quantized ones
// (DynamicQuantizeMatMul, MatMulIntegerToFloat), weight-only 4-bit ones
// (MatMulNBits, GatherBlockQuantized). Each means "dequantize, run the
// float op, quantize", and that is what this pass writes, in ai.onnx ops:
//
//   QLinearAdd(a, sa, za, b, sb, zb, sc, zc)
//     = QuantizeLinear(Add(DQ(a, sa, za), DQ(b, sb, zb)), sc, zc)
//
// so that everything after it (shape inference, fold-qdq, the integer
// kernels, elementwise fusion) sees one form for QDQ and QOperator models.
// onnxruntime computes several of them through float too (QLinearAdd,
// QLinearSigmoid by lookup table); where it rounds differently, results
// differ by at most one quantum. The matmul forms keep their integer
// product (MatMulInteger) and scale it once. MatMulNBits' packed weights
// are unpacked at compile time into one 8-bit value per weight with a
// blocked DequantizeLinear (fold-qdq folds it into f32 weights).
//
// onnx-shape-inference calls the same rewrite when its walk reaches such
// an op, so that the op sees its operands' shapes: no expansion needs
// them but the channels-last pools (onnxruntime's NHWC form), which need
// the rank. The pass itself (for tests) expands every op as it stands.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/quantize/MsExpander.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mcc {
#define GEN_PASS_DEF_EXPANDMSOPS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::ms;

namespace {

/// QLinearAdd / QLinearMul: both operands dequantized, the float op, the
/// result quantized.
template <typename MsOp, typename FloatOp> LogicalResult expandBinary(MsOp op) {
  Expander e(op);
  Value a = e.dequantize(op.getA(), op.getAScale(), op.getAZeroPoint());
  Value b = e.dequantize(op.getB(), op.getBScale(), op.getBZeroPoint());
  Value y = e.make<FloatOp>(e.b.getF32Type(), {a, b});
  return e.quantizeInto(y, op.getCScale(), op.getCZeroPoint(),
                        elementType(op.getA()));
}

/// QLinearSigmoid / QLinearLeakyRelu: one operand, the op's attributes.
template <typename MsOp, typename FloatOp> LogicalResult expandUnary(MsOp op) {
  Expander e(op);
  Value x = e.dequantize(op.getX(), op.getXScale(), op.getXZeroPoint());
  Value y = e.make<FloatOp>(e.b.getF32Type(), {x}, op->getAttrs());
  return e.quantizeInto(y, op.getYScale(), op.getYZeroPoint(),
                        elementType(op.getX()));
}

/// QLinearAveragePool / QLinearGlobalAveragePool: the float pool, between
/// transposes when the activations are channels-last.
template <typename MsOp, typename FloatOp> LogicalResult expandPool(MsOp op) {
  Expander e(op);
  Value x = e.dequantize(op.getX(), op.getXScale(), op.getXZeroPoint());
  bool last = op.getChannelsLast() != 0;
  SmallVector<int64_t> toFirst, toLast;
  if (last) {
    auto t = dyn_cast<RankedTensorType>(op.getX().getType());
    if (!t || t.getRank() < 3)
      return op.emitError("channels_last needs an input of known rank >= 3 "
                          "(declare its shape in the model or give "
                          "--input-shape)");
    int64_t r = t.getRank();
    toFirst = {0, r - 1};
    toLast = {0};
    for (int64_t d = 1; d + 1 < r; ++d) {
      toFirst.push_back(d);
      toLast.push_back(d + 1);
    }
    toLast.push_back(1);
    x = e.make<ONNXTransposeOp>(e.b.getF32Type(), {x},
                                {e.attr("perm", e.b.getI64ArrayAttr(toFirst))});
  }
  Value y =
      e.make<FloatOp>(e.b.getF32Type(), {x}, attrsBut(op, "channels_last"));
  if (last)
    y = e.make<ONNXTransposeOp>(e.b.getF32Type(), {y},
                                {e.attr("perm", e.b.getI64ArrayAttr(toLast))});
  return e.quantizeInto(y, op.getYScale(), op.getYZeroPoint(),
                        elementType(op.getX()));
}

/// QLinearConcat(sy, zy, x0, s0, z0, x1, s1, z1, ...).
LogicalResult expand(ONNXMsQLinearConcatOp op) {
  Expander e(op);
  OperandRange in = op.getInputs();
  if (in.empty() || in.size() % 3 != 0)
    return op.emitError("needs its inputs as (tensor, scale, zero point) "
                        "triples, got ")
           << in.size() << " inputs after Y_scale and Y_zero_point";
  SmallVector<Value> parts;
  for (size_t i = 0; i < in.size(); i += 3)
    parts.push_back(e.dequantize(in[i], in[i + 1], in[i + 2]));
  Value y = e.make<ONNXConcatOp>(e.b.getF32Type(), parts,
                                 {e.attr("axis", op.getAxis())});
  return e.quantizeInto(y, op.getYScale(), op.getYZeroPoint(),
                        elementType(op.getYZeroPoint()));
}

/// QLinearSoftmax: Softmax-13 along `axis`; before opset 13 the input is
/// seen as a matrix split at `axis` (Flatten, Softmax of its rows, back).
LogicalResult expand(ONNXMsQLinearSoftmaxOp op) {
  Expander e(op);
  Type f32 = e.b.getF32Type();
  Value x = e.dequantize(op.getX(), op.getXScale(), op.getXZeroPoint());
  Value y;
  if (op.getOpset() >= 13) {
    y = e.make<ONNXSoftmaxOp>(f32, {x}, {e.attr("axis", op.getAxis())});
  } else {
    Value flat =
        e.make<ONNXFlattenOp>(f32, {x}, {e.attr("axis", op.getAxis())});
    Value s = e.make<ONNXSoftmaxOp>(f32, {flat}, {e.attr("axis", -1)});
    Value shape = e.make<ONNXShapeOp>(e.b.getI64Type(), {x});
    y = e.make<ONNXReshapeOp>(f32, {s, shape});
  }
  return e.quantizeInto(y, op.getYScale(), op.getYZeroPoint(),
                        elementType(op.getX()));
}

/// QGemm: Gemm of the dequantized operands; C (int32, scale alpha * sa *
/// sb, zero point 0) scaled to float; the result quantized when y_scale
/// is given.
LogicalResult expand(ONNXMsQGemmOp op) {
  Expander e(op);
  Type f32 = e.b.getF32Type();
  Value a = e.dequantize(op.getA(), op.getAScale(), op.getAZeroPoint());
  // A per-column scale of B lies along its last dim, or its first when B
  // is transposed.
  Value w = e.dequantize(op.getB(), op.getBScale(), op.getBZeroPoint(),
                         {e.attr("axis", op.getTransB() ? 0 : 1)});
  float alpha = op.getAlpha().convertToFloat();
  Value c = e.none();
  if (!isNoValue(op.getC())) {
    Value scale = e.make<ONNXMulOp>(f32, {op.getAScale(), op.getBScale()});
    if (alpha != 1.0f) {
      auto at = RankedTensorType::get({}, f32);
      scale = e.make<ONNXMulOp>(
          f32, {scale, e.constant(DenseElementsAttr::get(at, alpha))});
    }
    c = e.make<ONNXMulOp>(f32, {e.castTo(op.getC(), f32), scale});
  }
  SmallVector<NamedAttribute> attrs = {
      e.attr("alpha", e.b.getF32FloatAttr(alpha)),
      e.attr("transA", op.getTransA()), e.attr("transB", op.getTransB())};
  if (isNoValue(op.getYScale())) {
    return e.replaceWith<ONNXGemmOp>(f32, {a, w, c}, attrs);
  }
  Value y = e.make<ONNXGemmOp>(f32, {a, w, c}, attrs);
  Type elem = isNoValue(op.getYZeroPoint()) ? elementType(op.getA())
                                            : elementType(op.getYZeroPoint());
  return e.quantizeInto(y, op.getYScale(), op.getYZeroPoint(), elem);
}

/// The i32 product `acc` in float: times sa * sb, plus the bias.
LogicalResult scaleProduct(Expander &e, Value acc, Value sa, Value sb,
                           Value bias) {
  Type elem = elementType(sa);
  Value scale = e.make<ONNXMulOp>(elem, {sa, sb});
  Value y = e.castTo(acc, elem);
  if (isNoValue(bias))
    return e.replaceWith<ONNXMulOp>(elem, {y, scale});
  y = e.make<ONNXMulOp>(elem, {y, scale});
  return e.replaceWith<ONNXAddOp>(elem, {y, bias});
}

/// MatMulIntegerToFloat: MatMulInteger, then the scales and the bias.
LogicalResult expand(ONNXMsMatMulIntegerToFloatOp op) {
  Expander e(op);
  Value acc = e.make<ONNXMatMulIntegerOp>(
      e.b.getI32Type(),
      {op.getA(), op.getB(), op.getAZeroPoint(), op.getBZeroPoint()});
  return scaleProduct(e, acc, op.getAScale(), op.getBScale(), op.getBias());
}

/// DynamicQuantizeMatMul: A quantized to uint8 as DynamicQuantizeLinear
/// does it, then as MatMulIntegerToFloat.
LogicalResult expand(ONNXMsDynamicQuantizeMatMulOp op) {
  Expander e(op);
  Type u8 = IntegerType::get(e.ctx, 8, IntegerType::Unsigned);
  Type f32 = e.b.getF32Type();
  auto q = ONNXDynamicQuantizeLinearOp::create(
      e.b, e.loc,
      TypeRange{UnrankedTensorType::get(u8), RankedTensorType::get({}, f32),
                RankedTensorType::get({}, u8)},
      ValueRange{op.getA()}, ArrayRef<NamedAttribute>{});
  Value acc = e.make<ONNXMatMulIntegerOp>(
      e.b.getI32Type(),
      {q->getResult(0), op.getB(), q->getResult(2), op.getBZeroPoint()});
  return scaleProduct(e, acc, q->getResult(1), op.getBScale(), op.getBias());
}

/// MatMulNBits: B holds `bits`-bit weights of W [N, K], K packed in blocks
/// of `block_size` (low bits first) with one scale and zero point per
/// block. Y = A * W^T + bias, with W unpacked here to one uint8 per weight
/// under a blocked DequantizeLinear; with float zero points (no integer
/// form), W dequantized here to f32.
LogicalResult expand(ONNXMsMatMulNBitsOp op) {
  Expander e(op);
  int64_t n = op.getN(), k = op.getK(), bits = op.getBits(),
          block = op.getBlockSize();
  if (bits != 2 && bits != 4 && bits != 8)
    return op.emitError("bits must be 2, 4 or 8, got ") << bits;
  if (block < 16 || (block & (block - 1)) != 0)
    return op.emitError("block_size must be a power of two >= 16, got ")
           << block;
  if (n <= 0 || k <= 0 || n > (int64_t(1) << 24) || k > (int64_t(1) << 24))
    return op.emitError("N and K must be in [1, 2^24], got N=")
           << n << ", K=" << k;
  if (op.getWeightPrepacked() != 0)
    return op.emitError("weights prepacked for an execution provider "
                        "(weight_prepacked=1) are not supported");
  if (!elementType(op.getA()).isF32())
    return op.emitError("only float32 A is supported");
  int64_t blocks = (k + block - 1) / block;
  int64_t blob = block * bits / 8;
  auto bt = dyn_cast<RankedTensorType>(op.getB().getType());
  auto bc = op.getB().getDefiningOp<ONNXConstantOp>();
  std::optional<SmallVector<int8_t>> packed;
  if (bc && bc.getValue())
    packed = elementsToBytes(*bc.getValue());
  if (!packed)
    return op.emitError("B must be a constant (an initializer)");
  if (!bt || bt.getShape() != ArrayRef<int64_t>{n, blocks, blob})
    return op.emitError("B must be [N, ceil(K / block_size), block_size * "
                        "bits / 8] = [")
           << n << ", " << blocks << ", " << blob << "]";
  // One byte per weight: a splat B could claim any size.
  if (int64_t(packed->size()) != n * blocks * blob ||
      n * blocks * block > (int64_t(1) << 32))
    return op.emitError("B's ")
           << packed->size() << " bytes do not hold N * K weights of " << bits
           << " bits (at most 2^32 weights)";
  std::optional<SmallVector<float>> scales = constantFloats(op.getScales());
  if (!scales || int64_t(scales->size()) != n * blocks)
    return op.emitError("scales must be a float32 constant of N * ceil(K / "
                        "block_size) = ")
           << n * blocks << " elements";
  // Zero points: packed like the weights, a row per column of W; absent,
  // the middle of the range. Float ones (HQQ-style quantizers): [N,
  // blocks] values subtracted before scaling, below.
  int64_t mask = (int64_t(1) << bits) - 1;
  SmallVector<uint8_t> zp(n * blocks, uint8_t(1 << (bits - 1)));
  std::optional<SmallVector<float>> floatZp;
  if (!isNoValue(op.getZeroPoints()) &&
      isa<FloatType>(elementType(op.getZeroPoints()))) {
    floatZp = constantFloats(op.getZeroPoints());
    if (!floatZp || int64_t(floatZp->size()) != n * blocks)
      return op.emitError("float zero_points must be a constant of N * "
                          "ceil(K / block_size) = ")
             << n * blocks << " elements";
  } else if (!isNoValue(op.getZeroPoints())) {
    std::optional<SmallVector<int64_t>> z = constantInts(op.getZeroPoints());
    int64_t rowBytes = (blocks * bits + 7) / 8;
    if (!z || !elementType(op.getZeroPoints()).isUnsignedInteger(8))
      return op.emitError("zero_points must be a uint8 or float constant");
    if (int64_t(z->size()) != n * rowBytes)
      return op.emitError("zero_points must have N * ceil(ceil(K / "
                          "block_size) * bits / 8) = ")
             << n * rowBytes << " elements";
    for (int64_t c = 0; c < n; ++c)
      for (int64_t j = 0; j < blocks; ++j) {
        int64_t bit = j * bits;
        zp[c * blocks + j] =
            uint8_t(((*z)[c * rowBytes + bit / 8] >> (bit % 8)) & mask);
      }
  }
  // g_idx names each k's block; only the plain order (k / block_size) is
  // supported (what act-order quantizers write otherwise).
  if (!isNoValue(op.getGIdx())) {
    std::optional<SmallVector<int64_t>> g = constantInts(op.getGIdx());
    if (!g || int64_t(g->size()) != k)
      return op.emitError("g_idx must be a constant of K elements");
    for (int64_t i = 0; i < k; ++i)
      if ((*g)[i] != i / block)
        return op.emitError("g_idx other than k / block_size (act-order "
                            "weights) is not supported");
  }
  // W^T as [K, N] (the padding of the last block dropped), zero points and
  // scales as [blocks, N]: the layout of the QDQ form MatMulNBitsQuantizer
  // also writes, which fold-qdq folds into f32 weights or the 4-bit
  // kernels' op. (Sliced and transposed at run time, the weights cost a
  // batch-1 BERT 15x its float time.)
  int64_t perByte = 8 / bits, width = blocks * block;
  MLIRContext *ctx = e.ctx;
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  Type f32 = e.b.getF32Type();
  auto finish = [&](Value weights) -> LogicalResult {
    // accuracy_level 4: the model allows A quantized to 8 bits (fold-qdq
    // reads the mark).
    SmallVector<NamedAttribute> marks;
    if (op.getAccuracyLevel() == 4)
      marks.push_back(e.attr(kInt8ActivationsAttr, e.b.getUnitAttr()));
    if (isNoValue(op.getBias()))
      return e.replaceWith<ONNXMatMulOp>(f32, {op.getA(), weights}, marks);
    Value y = e.make<ONNXMatMulOp>(f32, {op.getA(), weights}, marks);
    return e.replaceWith<ONNXAddOp>(f32, {y, op.getBias()});
  };
  auto unpacked = [&](int64_t c, int64_t r) {
    int64_t i = c * width + r;
    int64_t byte = uint8_t((*packed)[i / perByte]);
    return (byte >> ((i % perByte) * bits)) & mask;
  };
  if (floatZp) {
    // No integer form: W^T dequantized here, (w - zp) * scale.
    SmallVector<float> wf(k * n);
    for (int64_t c = 0; c < n; ++c)
      for (int64_t r = 0; r < k; ++r) {
        int64_t p = c * blocks + r / block;
        wf[r * n + c] = (float(unpacked(c, r)) - (*floatZp)[p]) * (*scales)[p];
      }
    return finish(e.constant(makeResourceAttr(
        RankedTensorType::get({k, n}, f32), wf, "nbits_dequantized")));
  }
  SmallVector<char> w(k * n);
  for (int64_t c = 0; c < n; ++c)
    for (int64_t r = 0; r < k; ++r)
      w[r * n + c] = char(unpacked(c, r));
  SmallVector<float> st(blocks * n);
  SmallVector<char> zt(blocks * n);
  for (int64_t c = 0; c < n; ++c)
    for (int64_t j = 0; j < blocks; ++j) {
      st[j * n + c] = (*scales)[c * blocks + j];
      zt[j * n + c] = char(zp[c * blocks + j]);
    }
  Value wq = e.constant(makeResourceAttr(RankedTensorType::get({k, n}, u8), w,
                                         1, "nbits_weights"));
  Value ws = e.constant(makeResourceAttr(
      RankedTensorType::get({blocks, n}, f32), st, "nbits_scales"));
  Value wz = e.constant(makeResourceAttr(RankedTensorType::get({blocks, n}, u8),
                                         zt, 1, "nbits_zero_points"));
  return finish(e.dequantize(wq, ws, wz,
                             {e.attr("axis", 0), e.attr("block_size", block)}));
}

/// A constant uint8 tensor whose last dim packs two 4-bit values per byte
/// (low nibble first), unpacked to one value per byte and cut to `last`
/// values along that dim; null when `v` is not such a constant.
Value unpackNibbles(Expander &e, Value v, int64_t last) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  auto c = v.getDefiningOp<ONNXConstantOp>();
  std::optional<SmallVector<int8_t>> packed;
  if (c && c.getValue())
    packed = elementsToBytes(*c.getValue());
  if (!t || !t.hasStaticShape() || t.getRank() == 0 || !packed ||
      int64_t(packed->size()) != t.getNumElements() ||
      last > 2 * t.getShape().back())
    return {};
  int64_t in = t.getShape().back(), rows = in ? t.getNumElements() / in : 0;
  SmallVector<char> out(rows * last);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < last; ++j)
      out[r * last + j] =
          char((uint8_t((*packed)[r * in + j / 2]) >> (4 * (j % 2))) & 15);
  SmallVector<int64_t> shape(t.getShape());
  shape.back() = last;
  return e.constant(makeResourceAttr(
      RankedTensorType::get(shape, t.getElementType()), out, 1, "unpacked"));
}

/// GatherBlockQuantized: the table dequantized in blocks along
/// `quantize_axis`, then a Gather along `gather_axis`. int4/uint4 tables
/// (what MatMulNBitsQuantizer writes), byte ones with bits = 8, and
/// constant uint8 ones with bits = 4 (two values per byte along the last
/// dim, zero points packed the same way, 8 when absent), unpacked here.
/// An index out of range is an error here (mcc's Gather checks it), where
/// onnxruntime returns zeros for its slice.
LogicalResult expand(ONNXMsGatherBlockQuantizedOp op) {
  Expander e(op);
  Type et = elementType(op.getData());
  int64_t block = op.getBlockSize();
  bool bytes = et.isUnsignedInteger(8);
  bool nibbles = bytes && op.getBits() == 4;
  if (!et.isInteger(4) && !(bytes && (op.getBits() == 8 || nibbles)))
    return op.emitError("only int4, uint4 and (with bits=4 or 8) uint8 "
                        "tables are supported, not ")
           << et << " with bits=" << op.getBits();
  Value data = op.getData(), zp = op.getZeroPoints();
  if (nibbles) {
    auto pt = dyn_cast<RankedTensorType>(data.getType());
    auto qt = dyn_cast<RankedTensorType>(op.getScales().getType());
    if (!pt || !pt.hasStaticShape() || pt.getRank() == 0 || !qt ||
        !qt.hasStaticShape() || qt.getRank() != pt.getRank())
      return op.emitError("a packed uint8 table needs static shapes");
    data = unpackNibbles(e, data, 2 * pt.getShape().back());
    if (!data)
      return op.emitError("a packed uint8 table must be a constant (an "
                          "initializer)");
    if (!isNoValue(zp)) {
      zp = unpackNibbles(e, zp, qt.getShape().back());
      if (zp &&
          cast<RankedTensorType>(zp.getType()).getShape() != qt.getShape())
        zp = {};
      if (!zp)
        return op.emitError("packed uint8 zero points must be a constant "
                            "shaped like the scales but for ceil(blocks / 2) "
                            "bytes along the last dim");
    } else {
      zp = e.constant(
          DenseElementsAttr::get(RankedTensorType::get(qt.getShape(), et),
                                 APInt(8, 8, /*isSigned=*/false)));
    }
  }
  if (block < 16 || (block & (block - 1)) != 0)
    return op.emitError("block_size must be a power of two >= 16, got ")
           << block;
  auto dt = dyn_cast<RankedTensorType>(data.getType());
  auto st = dyn_cast<RankedTensorType>(op.getScales().getType());
  if (!dt || !st || !st.hasStaticShape() || dt.getRank() != st.getRank())
    return op.emitError("data and scales need known shapes of one rank");
  int64_t r = dt.getRank();
  int64_t qa = op.getQuantizeAxis(), ga = op.getGatherAxis();
  if (qa < -r || qa >= r || ga < -r || ga >= r)
    return op.emitError("quantize_axis ")
           << qa << " and gather_axis " << ga << " must be in [" << -r << ", "
           << r << ")";
  qa = qa < 0 ? qa + r : qa;
  ga = ga < 0 ? ga + r : ga;
  // A byte table's absent zero point is the middle of its range.
  if (isNoValue(zp) && bytes)
    zp = e.constant(
        DenseElementsAttr::get(RankedTensorType::get(st.getShape(), et),
                               APInt(8, 128, /*isSigned=*/false)));
  Type out = elementType(op.getScales());
  Value table = e.make<ONNXDequantizeLinearOp>(
      out, {data, op.getScales(), isNoValue(zp) ? e.none() : zp},
      {e.attr("axis", qa), e.attr("block_size", block)});
  return e.replaceWith<ONNXGatherOp>(out, {table, op.getIndices()},
                                     {e.attr("axis", ga)});
}

} // namespace

LogicalResult mcc::expandMsOp(Operation *op) {
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([](ONNXMsQLinearAddOp o) {
        return expandBinary<ONNXMsQLinearAddOp, ONNXAddOp>(o);
      })
      .Case([](ONNXMsQLinearMulOp o) {
        return expandBinary<ONNXMsQLinearMulOp, ONNXMulOp>(o);
      })
      .Case([](ONNXMsQLinearSigmoidOp o) {
        return expandUnary<ONNXMsQLinearSigmoidOp, ONNXSigmoidOp>(o);
      })
      .Case([](ONNXMsQLinearLeakyReluOp o) {
        return expandUnary<ONNXMsQLinearLeakyReluOp, ONNXLeakyReluOp>(o);
      })
      .Case([](ONNXMsQLinearAveragePoolOp o) {
        return expandPool<ONNXMsQLinearAveragePoolOp, ONNXAveragePoolOp>(o);
      })
      .Case([](ONNXMsQLinearGlobalAveragePoolOp o) {
        return expandPool<ONNXMsQLinearGlobalAveragePoolOp,
                          ONNXGlobalAveragePoolOp>(o);
      })
      .Case<ONNXMsQLinearConcatOp, ONNXMsQLinearSoftmaxOp, ONNXMsQGemmOp,
            ONNXMsMatMulIntegerToFloatOp, ONNXMsDynamicQuantizeMatMulOp,
            ONNXMsMatMulNBitsOp, ONNXMsGatherBlockQuantizedOp>(
          [](auto o) { return expand(o); })
      .Case([](ONNXMsDynamicQuantizeLSTMOp o) {
        return ms::expandDynamicQuantizeLSTM(o);
      })
      .Case([](ONNXMsQAttentionOp o) { return ms::expandQAttention(o); })
      .Case([](ONNXMsQEmbedLayerNormalizationOp o) {
        return ms::expandQEmbedLayerNormalization(o);
      })
      .Default([](Operation *o) {
        return o->emitError("no expansion into ai.onnx ops for this "
                            "com.microsoft op yet");
      });
}

namespace {

struct ExpandMsOpsPass : mcc::impl::ExpandMsOpsBase<ExpandMsOpsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (op->getName().getStringRef().starts_with("onnx.ms."))
        ops.push_back(op);
    });
    bool failed = false;
    for (Operation *op : ops) {
      if (mlir::failed(expandMsOp(op))) {
        failed = true;
        continue;
      }
      op->erase();
    }
    if (failed)
      signalPassFailure();
  }
};

} // namespace
