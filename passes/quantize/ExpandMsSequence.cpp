//===- ExpandMsSequence.cpp - onnxruntime's quantized sequence-model ops -===//
//
// expand-ms-ops for the sequence-model ops that onnxruntime's
// quantize_dynamic writes:
//
// - DynamicQuantizeLSTM: an LSTM whose W and R are 8-bit, stored transposed
//   ([dirs, input, 4 * hidden]) with scales per direction or per gate
//   column. The weights are dequantized and transposed into ONNX's layout
//   at compile time; the LSTM runs in float. onnxruntime quantizes X and
//   the hidden state at every step as well, so outputs differ from it by
//   that quantization's error (small next to the weights').
// - QAttention: the fused attention of onnxruntime's transformer
//   optimizer (com.microsoft Attention) with its QKV projection quantized:
//   MatMulInteger, one scale and the bias, then heads split, scaled
//   scores, the mask (key end positions [B], a raw [B, S] or [B, S, S]
//   mask: masked scores get mask_filter_value added), causal masking with
//   `unidirectional` (later keys get the lowest float, as onnxruntime
//   does), Softmax, the weighted values and the heads merged.
// - QEmbedLayerNormalization: BERT's embeddings (EmbedLayerNormalization)
//   with 8-bit tables: word[ids] + position[0..S) (+ segment[ids]),
//   LayerNormalization, and mask_index as the ones in each mask row.
//
//===----------------------------------------------------------------------===//

#include "passes/quantize/MsExpander.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::ms;

namespace {

/// W [dirs, rows, 4H] quantized with a scale and zero point per direction
/// or per (direction, column): the f32 weights [dirs, 4H, rows] (ONNX's
/// LSTM layout), or nullopt with an error emitted.
std::optional<SmallVector<float>>
dequantizeTransposed(Operation *op, StringRef name, Value w, Value scale,
                     Value zp, int64_t dirs, int64_t rows, int64_t cols) {
  // Read element by element: a splat constant could claim any size.
  if (double(dirs) * double(rows) * double(cols) > double(int64_t(1) << 31)) {
    op->emitError(name) << " has more than 2^31 weights";
    return std::nullopt;
  }
  auto q = constantInts(w), z = constantInts(zp);
  std::optional<SmallVector<float>> s = constantFloats(scale);
  if (!q || !z || !s) {
    op->emitError(name) << ", its scale and zero point must be constants";
    return std::nullopt;
  }
  int64_t n = int64_t(s->size());
  if ((n != dirs && n != dirs * cols) || int64_t(z->size()) != n ||
      int64_t(q->size()) != dirs * rows * cols) {
    op->emitError(name) << "'s scale and zero point must have one element per "
                           "direction or per direction and column ("
                        << dirs << " or " << dirs * cols << "), got " << n;
    return std::nullopt;
  }
  SmallVector<float> f(dirs * cols * rows);
  for (int64_t d = 0; d < dirs; ++d)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int64_t p = n == dirs ? d : d * cols + c;
        f[(d * cols + c) * rows + r] =
            float((*q)[(d * rows + r) * cols + c] - (*z)[p]) * (*s)[p];
      }
  return f;
}

/// 0, 1, ..., S - 1 (i64) for the sequence dim (1) of `input`.
Value sequencePositions(Expander &e, Value input) {
  Type i64 = e.b.getI64Type();
  Value shape =
      e.make<ONNXShapeOp>(i64, {input}, {e.attr("start", 1), e.attr("end", 2)});
  Value len = e.make<ONNXSqueezeOp>(i64, {shape, e.i64s({0})});
  return e.make<ONNXRangeOp>(i64, {e.i64Scalar(0), len, e.i64Scalar(1)});
}

} // namespace

LogicalResult ms::expandDynamicQuantizeLSTM(ONNXMsDynamicQuantizeLSTMOp op) {
  Expander e(op);
  auto wt = dyn_cast<RankedTensorType>(op.getW().getType());
  auto rt = dyn_cast<RankedTensorType>(op.getR().getType());
  if (!wt || !rt || wt.getRank() != 3 || rt.getRank() != 3 ||
      !wt.hasStaticShape() || !rt.hasStaticShape())
    return op.emitError("W and R must be static [num_directions, input or "
                        "hidden size, 4 * hidden_size] tensors");
  int64_t dirs = wt.getDimSize(0), input = wt.getDimSize(1),
          gates = wt.getDimSize(2), hidden = rt.getDimSize(1);
  if (rt.getDimSize(0) != dirs || rt.getDimSize(2) != gates ||
      gates != 4 * hidden ||
      (op.getHiddenSize() && int64_t(*op.getHiddenSize()) != hidden))
    return op.emitError("W ")
           << wt << " and R " << rt
           << " do not agree on [num_directions, ., 4 * hidden_size]";
  auto w = dequantizeTransposed(op, "W", op.getW(), op.getWScale(),
                                op.getWZeroPoint(), dirs, input, gates);
  if (!w)
    return failure();
  auto r = dequantizeTransposed(op, "R", op.getR(), op.getRScale(),
                                op.getRZeroPoint(), dirs, hidden, gates);
  if (!r)
    return failure();
  Type f32 = e.b.getF32Type();
  Value wf = e.constant(makeResourceAttr(
      RankedTensorType::get({dirs, gates, input}, f32), *w, "lstm_w"));
  Value rf = e.constant(makeResourceAttr(
      RankedTensorType::get({dirs, gates, hidden}, f32), *r, "lstm_r"));
  // The attributes are LSTM's (layout 0: the op has no batch-first form).
  auto lstm = ONNXLSTMOp::create(
      e.b, e.loc, op->getResultTypes(),
      ValueRange{op.getX(), wf, rf, op.getB(), op.getSequenceLens(),
                 op.getInitialH(), op.getInitialC(), op.getP()},
      op->getAttrs());
  for (auto [from, to] : llvm::zip(op->getResults(), lstm->getResults()))
    from.replaceAllUsesWith(to);
  return success();
}

LogicalResult ms::expandQAttention(ONNXMsQAttentionOp op) {
  Expander e(op);
  OpBuilder &b = e.b;
  if (!isNoValue(op.getPast()))
    return op.emitError("past (a key/value cache) is not supported");
  if (op.getDoRotary().value_or(0) != 0)
    return op.emitError("do_rotary is not supported");
  auto it = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto wt = dyn_cast<RankedTensorType>(op.getWeight().getType());
  int64_t heads = op.getNumHeads();
  if (!it || it.getRank() != 3)
    return op.emitError("input must be [batch, sequence, hidden]");
  if (!wt || wt.getRank() != 2 || !wt.hasStaticShape() ||
      wt.getDimSize(1) % 3 != 0)
    return op.emitError("weight must be a static [hidden, 3 * hidden] matrix");
  int64_t hidden = wt.getDimSize(1) / 3;
  if (heads <= 0 || hidden % heads != 0)
    return op.emitError("num_heads (")
           << heads << ") must divide the hidden size " << hidden;
  int64_t head = hidden / heads;
  Type f32 = b.getF32Type(), i64 = b.getI64Type(), i1 = b.getI1Type();
  auto scalar = [&](float v) {
    return e.constant(
        DenseElementsAttr::get(RankedTensorType::get({}, f32), v));
  };
  auto perm = [&](ArrayRef<int64_t> p) {
    return e.attr("perm", b.getI64ArrayAttr(p));
  };

  // The QKV projection: integer product, one scale, the bias.
  Value none = e.none();
  Value izp = isNoValue(op.getInputZeroPoint()) ? none : op.getInputZeroPoint();
  Value wzp =
      isNoValue(op.getWeightZeroPoint()) ? none : op.getWeightZeroPoint();
  Value acc = e.make<ONNXMatMulIntegerOp>(
      b.getI32Type(), {op.getInput(), op.getWeight(), izp, wzp});
  Value scale =
      e.make<ONNXMulOp>(f32, {op.getInputScale(), op.getWeightScale()});
  Value qkv = e.make<ONNXMulOp>(f32, {e.castTo(acc, f32), scale});
  qkv = e.make<ONNXAddOp>(f32, {qkv, op.getBias()});

  // Q, K, V as [B, N, S, h] (K as [B, N, h, S] for the scores).
  Value splitShape = e.i64s({0, 0, heads, head});
  auto part = [&](int64_t i) {
    Value p = e.make<ONNXSliceOp>(f32, {qkv, e.i64s({i * hidden}),
                                        e.i64s({(i + 1) * hidden}), e.i64s({2}),
                                        none});
    return e.make<ONNXReshapeOp>(f32, {p, splitShape});
  };
  Value q = e.make<ONNXTransposeOp>(f32, {part(0)}, {perm({0, 2, 1, 3})});
  Value kt = e.make<ONNXTransposeOp>(f32, {part(1)}, {perm({0, 2, 3, 1})});
  Value v = e.make<ONNXTransposeOp>(f32, {part(2)}, {perm({0, 2, 1, 3})});

  float s = op.getScale() ? op.getScale()->convertToFloat() : 0.0f;
  if (s == 0.0f)
    s = 1.0f / std::sqrt(float(head));
  Value scores =
      e.make<ONNXMulOp>(f32, {e.make<ONNXMatMulOp>(f32, {q, kt}), scalar(s)});
  // onnxruntime's default for masked scores.
  float filter = op.getMaskFilterValue()
                     ? op.getMaskFilterValue()->convertToFloat()
                     : -10000.0f;
  Value zero = scalar(0.0f), masked = scalar(filter);
  // Key positions 0..S-1 (S from the input's shape).
  auto positions = [&]() { return sequencePositions(e, op.getInput()); };
  if (!isNoValue(op.getMaskIndex())) {
    auto mt = dyn_cast<RankedTensorType>(op.getMaskIndex().getType());
    if (!mt || mt.getRank() < 1 || mt.getRank() > 3)
      return op.emitError("mask_index must be [batch] (key end positions), "
                          "[batch, sequence] or [batch, sequence, sequence]");
    if (mt.getRank() == 1 && !mt.isDynamicDim(0) && !it.isDynamicDim(0) &&
        mt.getDimSize(0) != it.getDimSize(0))
      return op.emitError("mask_index of [2 * batch] (end and start "
                          "positions) is not supported");
    Value keep;
    if (mt.getRank() == 1) {
      Value ends = e.make<ONNXUnsqueezeOp>(
          i64, {e.castTo(op.getMaskIndex(), i64), e.i64s({1})});
      Value keys = e.make<ONNXUnsqueezeOp>(i64, {positions(), e.i64s({0})});
      keep = e.make<ONNXLessOp>(i1, {keys, ends}); // [B, S]
    } else {
      Value zeroI = e.constant(DenseElementsAttr::get(
          RankedTensorType::get({}, b.getI32Type()), int32_t(0)));
      keep = e.make<ONNXGreaterOp>(i1, {op.getMaskIndex(), zeroI});
    }
    Value add = e.make<ONNXWhereOp>(f32, {keep, zero, masked});
    // [B, 1, 1, S] or [B, 1, S, S]: broadcast over heads (and queries).
    add = mt.getRank() == 3
              ? e.make<ONNXUnsqueezeOp>(f32, {add, e.i64s({1})})
              : e.make<ONNXUnsqueezeOp>(f32, {add, e.i64s({1, 2})});
    scores = e.make<ONNXAddOp>(f32, {scores, add});
  }
  if (op.getUnidirectional() != 0) {
    Value pos = positions();
    Value later = e.make<ONNXGreaterOp>(
        i1, {e.make<ONNXUnsqueezeOp>(i64, {pos, e.i64s({0})}),
             e.make<ONNXUnsqueezeOp>(i64, {pos, e.i64s({1})})}); // [S, S]
    // onnxruntime drops later keys outright (the lowest float, not
    // mask_filter_value added): a query whose earlier keys are all
    // padding still attends to them only.
    Value lowest = scalar(-std::numeric_limits<float>::max());
    scores = e.make<ONNXWhereOp>(f32, {later, lowest, scores});
  }
  Value probs = e.make<ONNXSoftmaxOp>(f32, {scores}, {e.attr("axis", -1)});
  Value ctxv = e.make<ONNXMatMulOp>(f32, {probs, v});
  ctxv = e.make<ONNXTransposeOp>(f32, {ctxv}, {perm({0, 2, 1, 3})});
  // present: K and V ([B, N, S, h] each) stacked, when the model reads it.
  Value present = op->getResult(1);
  if (!isa<NoneType>(present.getType()) && !present.use_empty()) {
    Value k = e.make<ONNXTransposeOp>(f32, {kt}, {perm({0, 1, 3, 2})});
    Value stacked = ONNXConcatOp::create(
        b, e.loc, present.getType(),
        ValueRange{e.make<ONNXUnsqueezeOp>(f32, {k, e.i64s({0})}),
                   e.make<ONNXUnsqueezeOp>(f32, {v, e.i64s({0})})},
        ArrayRef<NamedAttribute>{e.attr("axis", 0)});
    present.replaceAllUsesWith(stacked);
  }
  return e.replaceWith<ONNXReshapeOp>(f32, {ctxv, e.i64s({0, 0, hidden})});
}

LogicalResult
ms::expandQEmbedLayerNormalization(ONNXMsQEmbedLayerNormalizationOp op) {
  Expander e(op);
  OpBuilder &b = e.b;
  Type f32 = b.getF32Type(), i64 = b.getI64Type(), i32 = b.getI32Type();
  auto it = dyn_cast<RankedTensorType>(op.getInputIds().getType());
  if (!it || it.getRank() != 2)
    return op.emitError("input_ids must be [batch, sequence]");
  bool segments = !isNoValue(op.getSegmentIds());
  if (segments != !isNoValue(op.getSegmentEmbedding()))
    return op.emitError("segment_ids and segment_embedding come together");
  auto table = [&](Value q, Value scale, Value zp) {
    return e.dequantize(q, scale, isNoValue(zp) ? e.none() : zp);
  };
  // word[ids] + position[0..S) (+ segment[segment_ids]).
  Value sum = e.make<ONNXGatherOp>(
      f32, {table(op.getWordEmbeddingQuant(), op.getWordEmbeddingScale(),
                  op.getWordEmbeddingZeroPoint()),
            op.getInputIds()});
  Value positions = sequencePositions(e, op.getInputIds());
  sum = e.make<ONNXAddOp>(
      f32, {sum, e.make<ONNXGatherOp>(
                     f32, {table(op.getPositionEmbeddingQuant(),
                                 op.getPositionEmbeddingScale(),
                                 op.getPositionEmbeddingZeroPoint()),
                           positions})});
  if (segments)
    sum = e.make<ONNXAddOp>(
        f32, {sum, e.make<ONNXGatherOp>(
                       f32, {table(op.getSegmentEmbedding(),
                                   op.getSegmentEmbeddingScale(),
                                   op.getSegmentEmbeddingZeroPoint()),
                             op.getSegmentIds()})});
  Value gamma =
      table(op.getGammaQuant(), op.getGammaScale(), op.getGammaZeroPoint());
  Value beta =
      table(op.getBetaQuant(), op.getBetaScale(), op.getBetaZeroPoint());
  // mask_index: the ones in each mask row (onnxruntime counts == 1), or
  // zeros without a mask.
  Value maskIndex;
  if (!isNoValue(op.getMask())) {
    Value one =
        e.constant(DenseElementsAttr::get(RankedTensorType::get({}, i32), 1));
    Value ones =
        e.castTo(e.make<ONNXEqualOp>(b.getI1Type(), {op.getMask(), one}), i32);
    maskIndex = ONNXReduceSumOp::create(
        b, e.loc, op->getResult(1).getType(), ValueRange{ones, e.i64s({1})},
        ArrayRef<NamedAttribute>{e.attr("keepdims", 0)});
  } else {
    Value batch = e.make<ONNXShapeOp>(i64, {op.getInputIds()},
                                      {e.attr("start", 0), e.attr("end", 1)});
    maskIndex = ONNXConstantOfShapeOp::create(
        b, e.loc, op->getResult(1).getType(), ValueRange{batch},
        ArrayRef<NamedAttribute>{
            e.attr("value", DenseElementsAttr::get(
                                RankedTensorType::get({1}, i32), int32_t(0)))});
  }
  op->getResult(1).replaceAllUsesWith(maskIndex);
  // LayerNormalization's mean and inverse deviation are not asked for.
  Type declared = elementType(op->getResult(0));
  if (declared != f32)
    return op.emitError("its result is declared ")
           << declared << " but computes " << f32;
  Type none = b.getNoneType();
  auto ln = ONNXLayerNormalizationOp::create(
      b, e.loc, TypeRange{op->getResult(0).getType(), none, none},
      ValueRange{sum, gamma, beta},
      ArrayRef<NamedAttribute>{e.attr("axis", -1),
                               e.attr("epsilon", op.getEpsilonAttr())});
  op->getResult(0).replaceAllUsesWith(ln->getResult(0));
  return success();
}
