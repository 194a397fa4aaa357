//===- ShapeInference.cpp - Result types of onnx ops ----------------------===//
//
// One rule per op family. A rule runs when the operands it needs are ranked
// (and, for shape-carrying operands such as Reshape's `shape`, constant) and
// sets every result type; otherwise the op keeps its imported types. Errors
// are for models that contradict themselves (e.g. broadcasting 3 against 4).
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mcc::onnx;

namespace {

using Shape = SmallVector<int64_t>;
constexpr int64_t kDyn = ShapedType::kDynamic;

RankedTensorType ranked(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

Type elemOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

/// Gives an unranked result `i` the element type `elem`: ops whose result
/// type is fixed (the integer contractions) must not keep the importer's
/// guess, the first operand's type, when their shape is still unknown.
void setElement(Operation *op, unsigned i, Type elem) {
  Value r = op->getResult(i);
  if (elem && isa<UnrankedTensorType>(r.getType()))
    r.setType(UnrankedTensorType::get(elem));
}

/// Sets result `i` to `shape`, keeping static dims the result already had
/// (declared in the model) where inference could not tell.
void setResult(Operation *op, unsigned i, ArrayRef<int64_t> shape, Type elem) {
  Shape merged(shape);
  if (auto old = dyn_cast<RankedTensorType>(op->getResult(i).getType());
      old && old.getRank() == int64_t(shape.size()))
    for (auto [m, o] : llvm::zip(merged, old.getShape()))
      if (m == kDyn)
        m = o;
  op->getResult(i).setType(RankedTensorType::get(merged, elem));
}

/// The most entries a shape value may have to be followed: a rank. A
/// model whose shape input has more (the import fuzzer's session-20
/// finding: a graph input of 1.86e9 elements fed to Reshape as its shape
/// made shape inference allocate 15 GB) gets no static rank from it.
constexpr int64_t kMaxShapeLength = 64;

/// A 1-D (or scalar) integer tensor's static length, if any (and at most
/// kMaxShapeLength).
std::optional<int64_t> lengthOf(Value v) {
  auto t = ranked(v);
  if (!t || t.getRank() > 1 || (t.getRank() == 1 && t.isDynamicDim(0)) ||
      (t.getRank() == 1 && t.getDimSize(0) > kMaxShapeLength))
    return std::nullopt;
  return t.getRank() == 0 ? 1 : t.getDimSize(0);
}

/// Follows a 1-D integer tensor that carries a shape (Reshape's, Expand's...)
/// through what exporters build shapes from: Shape of a ranked tensor,
/// Gather with constant indices, Concat, Unsqueeze/Squeeze/Cast/Identity.
/// Element d of Shape(x) is `shapeDim(x, d)`, a constant's elements
/// `constant(values)`, anything else `unknown`. nullopt when not even the
/// length is known.
template <typename E>
std::optional<SmallVector<E>>
walkShapeValue(Value v, function_ref<E(Value, int64_t)> shapeDim,
               function_ref<E(int64_t)> constant, E unknown, int depth = 0) {
  auto unknownAll = [&]() -> std::optional<SmallVector<E>> {
    if (auto n = lengthOf(v))
      return SmallVector<E>(*n, unknown);
    return std::nullopt;
  };
  auto recurse = [&](Value in) {
    return walkShapeValue<E>(in, shapeDim, constant, unknown, depth + 1);
  };
  if (auto c = getConstantInts(v)) {
    SmallVector<E> out;
    for (int64_t x : *c)
      out.push_back(constant(x));
    return out;
  }
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return unknownAll();
  if (auto shape = dyn_cast<ONNXShapeOp>(def)) {
    auto t = ranked(shape.getData());
    if (!t)
      return unknownAll();
    int64_t r = t.getRank();
    int64_t b = std::clamp<int64_t>(normalizeAxis(shape.getStart(), r), 0, r);
    int64_t e =
        shape.getEnd()
            ? std::clamp<int64_t>(normalizeAxis(*shape.getEnd(), r), 0, r)
            : r;
    SmallVector<E> out;
    for (int64_t d = b; d < e; ++d)
      out.push_back(shapeDim(shape.getData(), d));
    return out;
  }
  if (auto concat = dyn_cast<ONNXConcatOp>(def)) {
    SmallVector<E> out;
    for (Value in : concat.getInputs()) {
      auto part = recurse(in);
      if (!part)
        return unknownAll();
      llvm::append_range(out, *part);
    }
    return out;
  }
  if (isa<ONNXCastOp, ONNXUnsqueezeOp, ONNXSqueezeOp, ONNXIdentityOp>(def)) {
    auto in = recurse(def->getOperand(0));
    if (in && lengthOf(v) && int64_t(in->size()) == *lengthOf(v))
      return in;
    return unknownAll();
  }
  if (auto gather = dyn_cast<ONNXGatherOp>(def)) {
    auto data = recurse(gather.getData());
    auto idx = getConstantInts(gather.getIndices());
    if (!data || !idx)
      return unknownAll();
    SmallVector<E> out;
    for (int64_t i : *idx) {
      i = normalizeAxis(i, data->size());
      if (i < 0 || i >= int64_t(data->size()))
        return unknownAll();
      out.push_back((*data)[i]);
    }
    return out;
  }
  return unknownAll();
}

/// The values of a shape-carrying tensor as far as compile time knows
/// them (kDyn where not).
std::optional<Shape> shapeValues(Value v) {
  return walkShapeValue<int64_t>(
      v, [](Value x, int64_t d) { return ranked(x).getDimSize(d); },
      [](int64_t c) { return c; }, kDyn);
}

/// Which tensor dim each element of a shape value is, where it is one
/// (Shape(x)[d]): what lets Reshape(x, [Shape(x)[0], -1]) know its -1
/// although x's batch is symbolic.
using DimSymbol = std::optional<std::pair<Value, int64_t>>;
std::optional<SmallVector<DimSymbol>> dimSymbols(Value v) {
  return walkShapeValue<DimSymbol>(
      v,
      [](Value x, int64_t d) -> DimSymbol {
        return std::pair{x, d};
      },
      [](int64_t) -> DimSymbol { return std::nullopt; }, std::nullopt);
}

/// The results of `op`'s region `r` (the operands of its onnx.Yield).
ValueRange yieldedBy(Operation *op, unsigned r) {
  Region &region = op->getRegion(r);
  if (region.empty() || region.front().empty())
    return {};
  if (auto y = dyn_cast<ONNXYieldOp>(region.front().getTerminator()))
    return y.getOutputs();
  return {};
}

/// Numpy-style multidirectional broadcast of shapes.
FailureOr<Shape> broadcastShapes(Operation *op, ArrayRef<Shape> shapes) {
  Shape out;
  for (ArrayRef<int64_t> s : shapes) {
    if (s.size() > out.size())
      out.insert(out.begin(), s.size() - out.size(), 1);
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = out[out.size() - s.size() + i];
      int64_t d = s[i];
      if (d == 1)
        continue;
      if (o == 1 || o == kDyn) {
        // A dynamic dim broadcast against a static one must equal it.
        o = d == kDyn ? o == 1 ? kDyn : o : d;
        continue;
      }
      if (d != kDyn && d != o)
        return op->emitError("operand shapes cannot be broadcast together: ")
               << o << " vs " << d;
    }
  }
  return out;
}

/// The broadcast of the operands' shapes; failure if one is unranked.
FailureOr<Shape> broadcast(Operation *op, ValueRange operands) {
  SmallVector<Shape> shapes;
  for (Value v : operands) {
    auto t = ranked(v);
    if (!t)
      return failure();
    shapes.emplace_back(t.getShape());
  }
  return broadcastShapes(op, shapes);
}

/// Output size of a windowed dimension (conv, pool).
int64_t windowOut(int64_t in, int64_t k, int64_t stride, int64_t dil,
                  int64_t padTotal, bool ceilMode) {
  if (in == kDyn)
    return kDyn;
  int64_t eff = dil * (k - 1) + 1;
  int64_t num = in + padTotal - eff;
  if (num < 0)
    return -1;
  return (ceilMode ? (num + stride - 1) / stride : num / stride) + 1;
}

/// Resolves pads for conv/pool given auto_pad; `pads` is [begin..., end...].
SmallVector<int64_t> resolvePads(StringRef autoPad, ArrayRef<int64_t> in,
                                 ArrayRef<int64_t> k, ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dil,
                                 SmallVector<int64_t> pads) {
  size_t n = in.size();
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (autoPad == "VALID")
    pads.assign(2 * n, 0);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      if (in[i] == kDyn)
        continue;
      int64_t out = (in[i] + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] +
                                               dil[i] * (k[i] - 1) + 1 - in[i]);
      int64_t small = total / 2, big = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : big;
      pads[i + n] = autoPad == "SAME_UPPER" ? big : small;
    }
  }
  return pads;
}

LogicalResult inferWindowed(Operation *op, Value x, ArrayRef<int64_t> kernel,
                            int64_t channels, ArrayAttr stridesA,
                            ArrayAttr dilA, ArrayAttr padsA, StringRef autoPad,
                            bool ceilMode, Type elem = {}) {
  auto xt = ranked(x);
  size_t n = kernel.size();
  if (xt.getRank() != int64_t(n) + 2)
    return op->emitError("input rank ")
           << xt.getRank() << " does not match a kernel of rank " << n;
  SmallVector<int64_t> strides = getIntArray(stridesA), dil = getIntArray(dilA);
  if (strides.empty())
    strides.assign(n, 1);
  if (dil.empty())
    dil.assign(n, 1);
  auto spatial = xt.getShape().drop_front(2);
  SmallVector<int64_t> pads =
      resolvePads(autoPad, spatial, kernel, strides, dil, getIntArray(padsA));
  Shape out = {xt.getDimSize(0), channels};
  for (size_t i = 0; i < n; ++i) {
    int64_t o = windowOut(spatial[i], kernel[i], strides[i], dil[i],
                          pads[i] + pads[i + n], ceilMode);
    if (o < 0 && o != kDyn)
      return op->emitError("window larger than the padded input in spatial "
                           "dimension ")
             << i;
    out.push_back(o);
  }
  setResult(op, 0, out, elem ? elem : xt.getElementType());
  return success();
}

/// ArgMax/ArgMin: the axis dropped (or kept as 1), int64 indices.
LogicalResult inferArgReduce(Operation *op, Value data, int64_t axis,
                             int64_t keepdims) {
  auto t = ranked(data);
  if (!t)
    return success();
  axis = normalizeAxis(axis, t.getRank());
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (i != axis)
      out.push_back(t.getDimSize(i));
    else if (keepdims)
      out.push_back(1);
  setResult(op, 0, out, IntegerType::get(op->getContext(), 64));
  return success();
}

LogicalResult inferSameAsInput(Operation *op) {
  auto t = ranked(op->getOperand(0));
  if (!t)
    return success();
  setResult(op, 0, t.getShape(), t.getElementType());
  return success();
}

LogicalResult inferBroadcast(Operation *op, ValueRange operands, Type elem) {
  auto shape = broadcast(op, operands);
  if (failed(shape)) {
    if (llvm::all_of(operands, [](Value v) { return ranked(v); }))
      return failure();
    // Shape unknown yet, element type known (i1 for comparisons): an
    // unranked result of the right type still verifies.
    if (!isa<RankedTensorType>(op->getResult(0).getType()))
      op->getResult(0).setType(UnrankedTensorType::get(elem));
    return success();
  }
  setResult(op, 0, *shape, elem);
  return success();
}

LogicalResult inferReduce(Operation *op, Value data, Value axesV,
                          int64_t keepdims, int64_t noopEmpty) {
  auto t = ranked(data);
  if (!t)
    return success();
  SmallVector<int64_t> axes;
  if (!isNoValue(axesV)) {
    auto c = getConstantInts(axesV);
    auto at = ranked(axesV);
    bool empty = at && at.hasStaticShape() && at.getNumElements() == 0;
    if (!c && !empty) {
      // Axes read at run time: the rank is known, the dims are not.
      std::optional<int64_t> n = lengthOf(axesV);
      if (n && (keepdims || t.getRank() >= *n) && !noopEmpty)
        setResult(op, 0, Shape(keepdims ? t.getRank() : t.getRank() - *n, kDyn),
                  t.getElementType());
      return success();
    }
    if (c)
      axes = *c;
  }
  if (axes.empty() && noopEmpty) {
    setResult(op, 0, t.getShape(), t.getElementType());
    return success();
  }
  int64_t rank = t.getRank();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    a = normalizeAxis(a, rank);
    if (a < 0 || a >= rank)
      return op->emitError("reduction axis out of range");
    reduced[a] = true;
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced[i])
      out.push_back(t.getDimSize(i));
    else if (keepdims)
      out.push_back(1);
  setResult(op, 0, out, t.getElementType());
  return success();
}

/// MatMul's broadcast product shape; the result elements are `elem`, else
/// A's (the integer forms name theirs).
LogicalResult inferMatMul(Operation *op, Value a, Value b, Type elem = {}) {
  auto at = ranked(a), bt = ranked(b);
  if (!elem && at)
    elem = at.getElementType();
  if (!at || !bt) {
    setElement(op, 0, elem);
    return success();
  }
  // (The importer fuzzer's third finding: a scalar operand indexed its
  // shape before the start.)
  if (at.getRank() == 0 || bt.getRank() == 0)
    return op->emitError("MatMul operands must have rank 1 or more");
  Shape as(at.getShape()), bs(bt.getShape());
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (k1 != kDyn && k2 != kDyn && k1 != k2)
    return op->emitError("MatMul inner dimensions differ: ")
           << k1 << " vs " << k2;
  // Batch dims broadcast.
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  Shape batch;
  size_t r = std::max(ab.size(), bb.size());
  for (size_t i = 0; i < r; ++i) {
    int64_t x = i + ab.size() >= r ? ab[i + ab.size() - r] : 1;
    int64_t y = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    if (x != 1 && y != 1 && x != kDyn && y != kDyn && x != y)
      return op->emitError("MatMul batch dimensions cannot broadcast");
    batch.push_back(x == 1 ? y : x);
  }
  if (!aVec)
    batch.push_back(as[as.size() - 2]);
  if (!bVec)
    batch.push_back(bs.back());
  setResult(op, 0, batch, elem);
  return success();
}

LogicalResult inferReshape(ONNXReshapeOp op) {
  auto t = ranked(op.getData());
  auto target = shapeValues(op.getShape());
  if (!t || !target)
    return success();
  Shape out;
  int64_t known = 1, inferIdx = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !op.getAllowzero())
      d = i < size_t(t.getRank()) ? t.getDimSize(i) : 0;
    if (d == -1) {
      if (inferIdx >= 0)
        return op.emitError("Reshape shape has more than one -1");
      inferIdx = i;
    } else if (d == kDyn) {
      known = kDyn;
    } else if (d < 0) {
      return op.emitError("Reshape shape has the negative entry ") << d;
    } else if (known != kDyn && llvm::MulOverflow(known, d, known)) {
      // (The fuzzer's first finding: a huge constant shape overflowed.)
      return op.emitError("Reshape shape multiplies to more elements than "
                          "64 bits count");
    }
    out.push_back(d);
  }
  if (inferIdx >= 0 && (!t.hasStaticShape() || known == kDyn)) {
    // Dynamic dims that the target repeats (a 0 copying one, or
    // Shape(data)[i]) cancel out; the static rest gives the -1.
    SmallVector<bool> open(t.getRank());
    for (int64_t i = 0; i < t.getRank(); ++i)
      open[i] = t.isDynamicDim(i);
    auto syms = dimSymbols(op.getShape());
    int64_t staticTarget = 1;
    bool ok = syms.has_value() && syms->size() == target->size();
    for (auto [j, d] : llvm::enumerate(*target)) {
      if (!ok || int64_t(j) == inferIdx)
        continue;
      if (d == 0 && !op.getAllowzero() && j < size_t(t.getRank()) &&
          t.isDynamicDim(j) && open[j]) {
        open[j] = false;
      } else if (d == kDyn) {
        auto sym = (*syms)[j];
        ok = sym && sym->first == op.getData() && open[sym->second];
        if (ok)
          open[sym->second] = false;
      } else if (d == 0 && !op.getAllowzero()) {
        staticTarget *= j < size_t(t.getRank()) ? t.getDimSize(j) : 0;
      } else {
        staticTarget *= d;
      }
    }
    int64_t staticIn = 1;
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (!t.isDynamicDim(i))
        staticIn *= t.getDimSize(i);
    if (ok && llvm::none_of(open, [](bool b) { return b; }) &&
        staticTarget > 0 && staticIn % staticTarget == 0)
      out[inferIdx] = staticIn / staticTarget;
    else
      out[inferIdx] = kDyn;
    setResult(op, 0, out, t.getElementType());
    return success();
  }
  if (inferIdx >= 0) {
    if (!t.hasStaticShape() || known == kDyn)
      out[inferIdx] = kDyn;
    else if (known == 0 || t.getNumElements() % known != 0)
      return op.emitError("Reshape cannot infer -1: ")
             << t.getNumElements() << " elements into " << known;
    else
      out[inferIdx] = t.getNumElements() / known;
  } else if (t.hasStaticShape() && known != kDyn &&
             known != t.getNumElements()) {
    return op.emitError("Reshape from ")
           << t.getNumElements() << " elements to " << known;
  }
  setResult(op, 0, out, t.getElementType());
  return success();
}

LogicalResult inferSlice(ONNXSliceOp op) {
  auto t = ranked(op.getData());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  auto starts = getConstantInts(op.getStarts()),
       ends = getConstantInts(op.getEnds());
  auto constAxes =
      isNoValue(op.getAxes()) ? std::nullopt : getConstantInts(op.getAxes());
  auto constSteps =
      isNoValue(op.getSteps()) ? std::nullopt : getConstantInts(op.getSteps());
  if (!starts || !ends || (!isNoValue(op.getAxes()) && !constAxes) ||
      (!isNoValue(op.getSteps()) && !constSteps)) {
    // Run-time bounds: the sliced dims are known only then.
    Shape out(t.getShape());
    std::optional<int64_t> n = lengthOf(op.getStarts());
    for (int64_t d = 0; d < rank; ++d) {
      bool sliced =
          !isNoValue(op.getAxes())
              ? !constAxes || llvm::any_of(*constAxes,
                                           [&](int64_t a) {
                                             return normalizeAxis(a, rank) == d;
                                           })
              : !n || d < *n;
      if (sliced)
        out[d] = kDyn;
    }
    setResult(op, 0, out, t.getElementType());
    return success();
  }
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  if (constAxes)
    axes = *constAxes;
  else
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  if (constSteps)
    steps = *constSteps;
  Shape out(t.getShape());
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t ax = normalizeAxis(axes[i], rank);
    if (ax < 0 || ax >= rank)
      return op.emitError("Slice axis out of range");
    int64_t dim = t.getDimSize(ax);
    if (dim == kDyn) {
      out[ax] = kDyn;
      continue;
    }
    int64_t st = steps[i];
    if (st == 0)
      return op.emitError("Slice step is 0");
    auto clampIdx = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return st > 0 ? std::clamp<int64_t>(v, 0, dim)
                    : std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t s = clampIdx((*starts)[i]), e = clampIdx((*ends)[i]);
    int64_t n = st > 0 ? (e - s + st - 1) / st : (s - e + (-st) - 1) / (-st);
    out[ax] = std::max<int64_t>(0, n);
  }
  setResult(op, 0, out, t.getElementType());
  return success();
}

/// Attention: Y like Q (with V's head size), present K/V with the past
/// prepended, qk_matmul_output [B, Hq, Sq, Skv].
LogicalResult inferAttention(ONNXAttentionOp op) {
  auto q = ranked(op.getQ()), k = ranked(op.getK()), v = ranked(op.getV());
  if (!q || !k || !v || q.getRank() != k.getRank() ||
      q.getRank() != v.getRank() || (q.getRank() != 3 && q.getRank() != 4))
    return success();
  Type et = q.getElementType();
  int64_t batch = q.getDimSize(0), hq, hkv, sq, skv, dv;
  if (q.getRank() == 3) {
    if (!op.getQNumHeads() || !op.getKvNumHeads())
      return op.emitError("Attention with 3-D inputs needs q_num_heads and "
                          "kv_num_heads");
    hq = *op.getQNumHeads();
    hkv = *op.getKvNumHeads();
    sq = q.getDimSize(1);
    skv = k.getDimSize(1);
    int64_t hv = v.getDimSize(2);
    dv = hv == kDyn || hkv <= 0 ? kDyn : hv / hkv;
    setResult(op, 0, {batch, sq, dv == kDyn ? kDyn : dv * hq}, et);
  } else {
    hq = q.getDimSize(1);
    hkv = k.getDimSize(1);
    sq = q.getDimSize(2);
    skv = k.getDimSize(2);
    dv = v.getDimSize(3);
    setResult(op, 0, {batch, hq, sq, dv}, et);
  }
  int64_t past = 0;
  if (!isNoValue(op.getPastKey())) {
    auto pk = ranked(op.getPastKey());
    past = pk && pk.getRank() == 4 ? pk.getDimSize(2) : kDyn;
  }
  int64_t total = past == kDyn || skv == kDyn ? kDyn : past + skv;
  int64_t dk = q.getRank() == 4                      ? k.getDimSize(3)
               : k.getDimSize(2) == kDyn || hkv <= 0 ? kDyn
                                                     : k.getDimSize(2) / hkv;
  if (!isNoValue(op.getPresentKey()))
    setResult(op, 1, {batch, hkv, total, dk}, et);
  if (!isNoValue(op.getPresentValue()))
    setResult(op, 2, {batch, hkv, total, dv}, et);
  if (!isNoValue(op.getQkMatmulOutput()))
    setResult(op, 3, {batch, hq, sq, total}, et);
  return success();
}

/// Einsum: each output letter's size from the inputs; the ellipsis is the
/// broadcast of the inputs' ellipsis dims.
LogicalResult inferEinsum(ONNXEinsumOp op) {
  StringRef eq = op.getEquation();
  auto [lhs, rhs] = eq.split("->");
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  if (parts.size() != op.getInputs().size())
    return op.emitError("Einsum equation names ")
           << parts.size() << " inputs, the node has " << op.getInputs().size();
  std::map<char, int64_t> size;
  std::map<char, int> uses;
  SmallVector<Shape> ellipses;
  for (auto [s, v] : llvm::zip(parts, op.getInputs())) {
    auto t = parseEinsumTerm(s);
    auto vt = ranked(v);
    if (failed(t))
      return op.emitError("cannot parse the Einsum equation '") << eq << "'";
    if (!vt)
      return success();
    int64_t n = vt.getRank() - int64_t(t->letters.size()) + 1;
    if (t->ellipsis ? n < 0 : vt.getRank() != int64_t(t->letters.size()))
      return op.emitError("Einsum term '")
             << s << "' does not match rank " << vt.getRank();
    int64_t d = 0;
    for (char c : t->letters) {
      if (c == '.') {
        ellipses.emplace_back(vt.getShape().slice(d, n));
        d += n;
        continue;
      }
      ++uses[c];
      int64_t dim = vt.getDimSize(d++);
      if (!size.count(c) || size[c] == 1)
        size[c] = dim;
    }
  }
  auto ell = broadcastShapes(op, ellipses);
  if (failed(ell))
    return failure();
  EinsumTerm out;
  if (eq.contains("->")) {
    auto t = parseEinsumTerm(rhs);
    if (failed(t))
      return op.emitError("cannot parse the Einsum equation '") << eq << "'";
    out = *t;
  } else {
    if (!ellipses.empty())
      out.letters.push_back('.');
    for (auto [c, n] : uses)
      if (n == 1)
        out.letters.push_back(c);
  }
  Shape shape;
  for (char c : out.letters) {
    if (c == '.') {
      llvm::append_range(shape, *ell);
      continue;
    }
    if (!size.count(c))
      return op.emitError("Einsum output letter '")
             << StringRef(&c, 1) << "' is not an input's";
    shape.push_back(size[c]);
  }
  setResult(op, 0, shape, elemOf(op.getInputs()[0]));
  return success();
}

} // namespace

FailureOr<ConvTransposeGeometry>
mcc::onnx::getConvTransposeGeometry(ONNXConvTransposeOp op) {
  auto xt = ranked(op.getX()), wt = ranked(op.getW());
  if (!xt || !wt || !xt.hasStaticShape() || !wt.hasStaticShape() ||
      xt.getRank() < 3 || wt.getRank() != xt.getRank())
    return failure();
  int64_t n = xt.getRank() - 2;
  ConvTransposeGeometry g;
  g.kernel.assign(wt.getShape().begin() + 2, wt.getShape().end());
  auto orOnes = [&](ArrayAttr a) {
    SmallVector<int64_t> v = getIntArray(a);
    if (v.empty())
      v.assign(n, 1);
    return v;
  };
  g.strides = orOnes(op.getStridesAttr());
  g.dilations = orOnes(op.getDilationsAttr());
  SmallVector<int64_t> outPad = getIntArray(op.getOutputPaddingAttr());
  outPad.resize(n, 0);
  SmallVector<int64_t> pads = getIntArray(op.getPadsAttr());
  SmallVector<int64_t> outShape = getIntArray(op.getOutputShapeAttr());
  if (int64_t(g.strides.size()) != n || int64_t(g.dilations.size()) != n)
    return failure();
  // output_shape may list the spatial dims only or the whole shape.
  if (int64_t(outShape.size()) == n + 2)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  auto natural = [&](int64_t i) {
    return g.strides[i] * (xt.getDimSize(i + 2) - 1) + outPad[i] +
           (g.kernel[i] - 1) * g.dilations[i] + 1;
  };
  StringRef autoPad = op.getAutoPad();
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (pads.empty() && same) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t out =
          outShape.empty() ? xt.getDimSize(i + 2) * g.strides[i] : outShape[i];
      int64_t total = natural(i) - out;
      g.padBegin.push_back(autoPad == "SAME_UPPER" ? total / 2
                                                   : total - total / 2);
      g.out.push_back(out);
    }
    return g;
  }
  pads.resize(2 * n, 0);
  for (int64_t i = 0; i < n; ++i) {
    g.padBegin.push_back(pads[i]);
    g.out.push_back(outShape.empty() ? natural(i) - pads[i] - pads[i + n]
                                     : outShape[i]);
  }
  return g;
}

FailureOr<EinsumTerm> mcc::onnx::parseEinsumTerm(StringRef s) {
  EinsumTerm t;
  s = s.trim();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i).starts_with("...")) {
      if (t.ellipsis)
        return failure();
      t.ellipsis = true;
      t.letters.push_back('.');
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(s[i]))) {
      t.letters.push_back(s[i]);
    } else if (s[i] != ' ') {
      return failure();
    }
  }
  return t;
}

static LogicalResult inferByOp(Operation *op);

/// GatherND's and ScatterND's data and indices: rank 1 or more (a rank-0
/// one made the lowering read past its shape: a fuzzer finding).
static LogicalResult checkNDOperands(Operation *op, Value data, Value indices) {
  auto d = ranked(data), i = ranked(indices);
  if ((d && d.getRank() < 1) || (i && i.getRank() < 1))
    return op->emitError() << op->getName().stripDialect()
                           << " needs data and indices of rank 1 or more";
  return success();
}

LogicalResult mcc::onnx::inferShapes(Operation *op) {
  if (failed(checkAttributes(op)) || failed(inferByOp(op)))
    return failure();
  return checkResultSizes(op);
}

/// The result types one op's operands give.
static LogicalResult inferByOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Same shape and type as the first input.
      .Case<ONNXLayerNormalizationOp>(
          [](ONNXLayerNormalizationOp op) -> LogicalResult {
            auto t = ranked(op.getX());
            if (!t)
              return success();
            setResult(op, 0, t.getShape(), t.getElementType());
            int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
            SmallVector<int64_t> stats(t.getShape());
            for (int64_t d = axis; d < t.getRank(); ++d)
              stats[d] = 1;
            for (unsigned i : {1u, 2u})
              if (!isa<NoneType>(op->getResult(i).getType()))
                setResult(op, i, stats, Float32Type::get(op.getContext()));
            return success();
          })
      .Case<ONNXAttentionOp>(
          [](ONNXAttentionOp op) { return inferAttention(op); })
      .Case<ONNXNegativeLogLikelihoodLossOp, ONNXSoftmaxCrossEntropyLossOp>(
          [](Operation *op) -> LogicalResult {
            // (input/scores, target/labels, ...) {reduction}
            auto x = ranked(op->getOperand(0)), t = ranked(op->getOperand(1));
            auto red = op->getAttrOfType<StringAttr>("reduction");
            if (!x || !t)
              return success();
            if (red && red.getValue() == "none")
              setResult(op, 0, t.getShape(), x.getElementType());
            else
              setResult(op, 0, {}, x.getElementType());
            if (op->getNumResults() > 1 && !isNoValue(op->getResult(1)))
              setResult(op, 1, x.getShape(), x.getElementType());
            return success();
          })
      .Case<ONNXGatherElementsOp>([](ONNXGatherElementsOp op) {
        if (auto t = ranked(op.getIndices()))
          setResult(op, 0, t.getShape(), elemOf(op.getData()));
        return success();
      })
      .Case<ONNXScatterElementsOp>(
          [](Operation *op) { return inferSameAsInput(op); })
      .Case<ONNXTensorScatterOp>([](ONNXTensorScatterOp op) -> LogicalResult {
        // The update fits the cache: the same dims, no longer along axis;
        // write_indices one per batch (the lowering checks what is only
        // known at run time).
        auto c = ranked(op.getPastCache()), u = ranked(op.getUpdate());
        if (auto w = isNoValue(op.getWriteIndices())
                         ? RankedTensorType()
                         : ranked(op.getWriteIndices());
            w && w.getRank() != 1)
          return op.emitError("write_indices must be 1-D");
        if (c && u) {
          if (c.getRank() != u.getRank() || c.getRank() < 2)
            return op.emitError("the update must have the cache's rank "
                                "(2 or more)");
          int64_t axis =
              op.getAxis() < 0 ? op.getAxis() + c.getRank() : op.getAxis();
          if (axis < 1 || axis >= c.getRank())
            return op.emitError() << "axis " << op.getAxis()
                                  << " is not a sequence axis of the cache";
          for (int64_t d = 0; d < c.getRank(); ++d)
            if (!c.isDynamicDim(d) && !u.isDynamicDim(d) &&
                (d == axis ? u.getDimSize(d) > c.getDimSize(d)
                           : u.getDimSize(d) != c.getDimSize(d)))
              return op.emitError()
                     << "the update's dimension " << d << " ("
                     << u.getDimSize(d) << ") does not fit the cache's ("
                     << c.getDimSize(d) << ")";
        }
        return inferSameAsInput(op);
      })
      .Case<ONNXScatterNDOp>([](ONNXScatterNDOp op) -> LogicalResult {
        // Rank-0 data or indices index nothing (the fuzzer's finding: the
        // lowering read the last dim of a rank-0 indices tensor).
        if (failed(checkNDOperands(op, op.getData(), op.getIndices())))
          return failure();
        return inferSameAsInput(op);
      })
      .Case<ONNXGatherNDOp>([](ONNXGatherNDOp op) -> LogicalResult {
        if (failed(checkNDOperands(op, op.getData(), op.getIndices())))
          return failure();
        auto d = ranked(op.getData()), i = ranked(op.getIndices());
        if (!d || !i || i.getShape().back() == kDyn)
          return success();
        int64_t bd = op.getBatchDims(), k = i.getShape().back();
        if (bd < 0 || bd + k > d.getRank() || bd >= i.getRank())
          return op.emitError("GatherND indices do not fit the data");
        Shape out(i.getShape().drop_back());
        llvm::append_range(out, d.getShape().drop_front(bd + k));
        setResult(op, 0, out, d.getElementType());
        return success();
      })
      .Case<ONNXTileOp>([](ONNXTileOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        auto reps = shapeValues(op.getRepeats());
        if (!t || !reps)
          return success();
        if (int64_t(reps->size()) != t.getRank())
          return op.emitError("Tile needs one repeat per dimension");
        Shape out;
        for (auto [d, r] : llvm::zip(t.getShape(), *reps)) {
          if (d == kDyn || r == kDyn) {
            out.push_back(kDyn);
            continue;
          }
          int64_t n;
          if (r < 0 || llvm::MulOverflow(d, r, n) || n > (int64_t(1) << 48))
            return op.emitError() << "repeats make dimension " << out.size()
                                  << " of the result negative or over 2^48";
          out.push_back(n);
        }
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXResizeOp>([](ONNXResizeOp op) -> LogicalResult {
        auto t = ranked(op.getX());
        if (!t)
          return success();
        int64_t rank = t.getRank();
        SmallVector<int64_t> axes;
        if (auto a = op.getAxes())
          for (Attribute x : *a)
            axes.push_back(normalizeAxis(cast<IntegerAttr>(x).getInt(), rank));
        else
          for (int64_t d = 0; d < rank; ++d)
            axes.push_back(d);
        Shape out(t.getShape());
        auto sizes = isNoValue(op.getSizes()) ? std::nullopt
                                              : getConstantInts(op.getSizes());
        auto scales = isNoValue(op.getScales())
                          ? DenseElementsAttr()
                          : getDenseConstant(op.getScales());
        // Inference runs before the op's types are verified: integer
        // "scales" read as floats were a use-after-free (the importer
        // fuzzer's finding in session 19).
        if (scales && !isa<FloatType>(scales.getElementType()))
          return op.emitError("Resize scales must be floats");
        bool dynamicAxes =
            llvm::any_of(axes, [&](int64_t d) { return t.isDynamicDim(d); });
        // A resized dim in [0, 2^48] (a constant scale of 1e30 or NaN, a
        // negative size: the fuzzer's finding, an overflowing cast).
        auto resized = [&](int64_t d, double v) -> LogicalResult {
          if (!(v >= 0 && v <= double(int64_t(1) << 48)))
            return op.emitError()
                   << "the scales or sizes make dimension " << d
                   << " of the result " << v << ", outside [0, 2^48]";
          out[d] = int64_t(v);
          return success();
        };
        if (sizes && sizes->size() == axes.size()) {
          StringRef policy = op.getKeepAspectRatioPolicy();
          if (policy == "stretch") {
            for (auto [k, d] : llvm::enumerate(axes))
              if (failed(resized(d, double((*sizes)[k]))))
                return failure();
          } else if (dynamicAxes) {
            for (int64_t d : axes)
              out[d] = kDyn;
          } else {
            double sc = policy == "not_larger" ? 1e300 : 0;
            for (auto [k, d] : llvm::enumerate(axes)) {
              double r = double((*sizes)[k]) / double(t.getDimSize(d));
              sc = policy == "not_larger" ? std::min(sc, r) : std::max(sc, r);
            }
            for (int64_t d : axes)
              if (failed(resized(d, t.getDimSize(d) == 0
                                        ? 0.0
                                        : sc * double(t.getDimSize(d)) + 0.5)))
                return failure();
          }
        } else if (scales && scales.getNumElements() == int64_t(axes.size())) {
          for (auto [k, v] : llvm::enumerate(scales.getValues<APFloat>())) {
            if (t.isDynamicDim(axes[k])) {
              out[axes[k]] = kDyn;
              continue;
            }
            if (failed(
                    resized(axes[k], std::floor(double(t.getDimSize(axes[k])) *
                                                v.convertToDouble()))))
              return failure();
          }
        } else {
          // Run-time scales or sizes: the resized dims are known then.
          for (int64_t d : axes)
            out[d] = kDyn;
        }
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXQuantizeLinearOp>([](ONNXQuantizeLinearOp op) -> LogicalResult {
        auto t = ranked(op.getX());
        Type elem = IntegerType::get(op.getContext(), 8, IntegerType::Unsigned);
        if (!isNoValue(op.getYZeroPoint()))
          elem = elemOf(op.getYZeroPoint());
        else if (op.getOutputDtype())
          elem = getTypeForOnnxDType(op.getContext(), op.getOutputDtype());
        if (!elem)
          return op.emitError("QuantizeLinear to an unsupported data type");
        if (t)
          setResult(op, 0, t.getShape(), elem);
        return success();
      })
      .Case<ONNXDequantizeLinearOp>(
          [](ONNXDequantizeLinearOp op) -> LogicalResult {
            auto t = ranked(op.getX());
            Type elem =
                op.getOutputDtype()
                    ? getTypeForOnnxDType(op.getContext(), op.getOutputDtype())
                    : elemOf(op.getXScale());
            if (!elem)
              return op.emitError(
                  "DequantizeLinear to an unsupported data type");
            if (t)
              setResult(op, 0, t.getShape(), elem);
            return success();
          })
      .Case<ONNXDynamicQuantizeLinearOp>([](ONNXDynamicQuantizeLinearOp op) {
        auto u8 = IntegerType::get(op.getContext(), 8, IntegerType::Unsigned);
        if (auto t = ranked(op.getX()))
          setResult(op, 0, t.getShape(), u8);
        setResult(op, 1, {}, Float32Type::get(op.getContext()));
        setResult(op, 2, {}, u8);
        return success();
      })
      .Case<ONNXHannWindowOp, ONNXHammingWindowOp, ONNXBlackmanWindowOp>(
          [](Operation *op) -> LogicalResult {
            auto dt = op->getAttrOfType<IntegerAttr>("output_datatype");
            Type elem =
                getTypeForOnnxDType(op->getContext(), dt ? dt.getInt() : 1);
            if (!elem)
              return op->emitError("window of an unsupported data type");
            auto size = getConstantInts(op->getOperand(0));
            if (size && size->size() == 1)
              setResult(op, 0, {(*size)[0]}, elem);
            else if (!ranked(op->getResult(0)))
              setResult(op, 0, {kDyn}, elem);
            return success();
          })
      .Case<ONNXRNNOp, ONNXGRUOp, ONNXLSTMOp>(
          [](Operation *op) -> LogicalResult {
            auto x = ranked(op->getOperand(0)), w = ranked(op->getOperand(1));
            auto r = ranked(op->getOperand(2));
            if (!x || !w || !r || x.getRank() != 3 || w.getRank() != 3 ||
                r.getRank() != 3)
              return success();
            bool batchFirst =
                op->getAttrOfType<IntegerAttr>("layout") &&
                op->getAttrOfType<IntegerAttr>("layout").getInt() != 0;
            int64_t seq = x.getDimSize(batchFirst ? 1 : 0);
            int64_t batch = x.getDimSize(batchFirst ? 0 : 1);
            int64_t dirs = w.getDimSize(0), hidden = r.getDimSize(2);
            Type et = x.getElementType();
            Shape y = batchFirst ? Shape{batch, seq, dirs, hidden}
                                 : Shape{seq, dirs, batch, hidden};
            Shape state = batchFirst ? Shape{batch, dirs, hidden}
                                     : Shape{dirs, batch, hidden};
            for (unsigned i = 0; i < op->getNumResults(); ++i)
              if (!isNoValue(op->getResult(i)))
                setResult(op, i, i == 0 ? y : state, et);
            return success();
          })
      .Case<ONNXCenterCropPadOp>([](ONNXCenterCropPadOp op) -> LogicalResult {
        auto t = ranked(op.getInputData());
        auto shape = shapeValues(op.getShape());
        if (!t || !shape)
          return success();
        SmallVector<int64_t> axes = getIntArray(op.getAxesAttr());
        if (axes.empty())
          for (int64_t d = 0; d < t.getRank(); ++d)
            axes.push_back(d);
        if (axes.size() != shape->size())
          return op.emitError("CenterCropPad needs one size per axis");
        Shape out(t.getShape());
        for (auto [a, n] : llvm::zip(axes, *shape))
          out[normalizeAxis(a, t.getRank())] = n;
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXCumSumOp, ONNXCumProdOp>(
          [](Operation *op) { return inferSameAsInput(op); })
      .Case<ONNXEyeLikeOp>([](ONNXEyeLikeOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        Type elem = op.getDtype()
                        ? getTypeForOnnxDType(op.getContext(), *op.getDtype())
                        : elemOf(op.getInput());
        if (!elem)
          return op.emitError("EyeLike to an unsupported data type");
        if (t)
          setResult(op, 0, t.getShape(), elem);
        return success();
      })
      .Case<ONNXOneHotOp>([](ONNXOneHotOp op) -> LogicalResult {
        auto t = ranked(op.getIndices());
        auto depth = getDenseConstant(op.getDepth());
        if (!t || (depth && depth.getNumElements() != 1))
          return success();
        int64_t d = kDyn;
        if (depth) {
          Attribute d0 = *depth.getValues<Attribute>().begin();
          d = isa<FloatAttr>(d0)
                  ? int64_t(cast<FloatAttr>(d0).getValueAsDouble())
                  : cast<IntegerAttr>(d0).getInt();
        }
        Shape out(t.getShape());
        int64_t axis = normalizeAxis(op.getAxis(), t.getRank() + 1);
        out.insert(out.begin() + axis, d);
        setResult(op, 0, out, elemOf(op.getValues()));
        return success();
      })
      .Case<ONNXDepthToSpaceOp, ONNXSpaceToDepthOp>(
          [](Operation *op) -> LogicalResult {
            auto t = ranked(op->getOperand(0));
            int64_t b = op->getAttrOfType<IntegerAttr>("blocksize").getInt();
            if (!t || t.getRank() != 4 || b <= 0)
              return success();
            Shape out(t.getShape());
            bool toSpace = isa<ONNXDepthToSpaceOp>(op);
            auto scale = [&](int64_t v, bool up) {
              return v == kDyn ? kDyn : up ? v * b : v / b;
            };
            out[1] = toSpace ? (out[1] == kDyn ? kDyn : out[1] / (b * b))
                             : (out[1] == kDyn ? kDyn : out[1] * b * b);
            out[2] = scale(out[2], toSpace);
            out[3] = scale(out[3], toSpace);
            setResult(op, 0, out, t.getElementType());
            return success();
          })
      .Case<ONNXTopKOp>([](ONNXTopKOp op) -> LogicalResult {
        auto t = ranked(op.getX());
        auto k = getConstantInts(op.getK());
        if (!t || (k && k->size() != 1))
          return success();
        Shape out(t.getShape());
        out[normalizeAxis(op.getAxis(), t.getRank())] = k ? (*k)[0] : kDyn;
        setResult(op, 0, out, t.getElementType());
        setResult(op, 1, out, IntegerType::get(op.getContext(), 64));
        return success();
      })
      .Case<ONNXEinsumOp>([](ONNXEinsumOp op) { return inferEinsum(op); })
      .Case<ONNXGridSampleOp>([](ONNXGridSampleOp op) -> LogicalResult {
        auto x = ranked(op.getX()), g = ranked(op.getGrid());
        if (!x || !g || g.getRank() < 3)
          return success();
        Shape out = {x.getDimSize(0), x.getDimSize(1)};
        llvm::append_range(out, g.getShape().slice(1, g.getRank() - 2));
        setResult(op, 0, out, x.getElementType());
        return success();
      })
      .Case<ONNXArgMaxOp>([](ONNXArgMaxOp op) {
        return inferArgReduce(op, op.getData(), op.getAxis(), op.getKeepdims());
      })
      .Case<ONNXArgMinOp>([](ONNXArgMinOp op) {
        return inferArgReduce(op, op.getData(), op.getAxis(), op.getKeepdims());
      })
      .Case<ONNXSeluOp, ONNXCeluOp, ONNXTriluOp>(
          [](Operation *op) { return inferSameAsInput(op); })
      .Case<ONNXReluOp, ONNXLeakyReluOp, ONNXSigmoidOp, ONNXHardSigmoidOp,
            ONNXHardSwishOp, ONNXTanhOp, ONNXErfOp, ONNXExpOp, ONNXSqrtOp,
            ONNXNegOp, ONNXAbsOp, ONNXLogOp, ONNXReciprocalOp, ONNXFloorOp,
            ONNXCeilOp, ONNXIdentityOp, ONNXSoftmaxOp, ONNXLogSoftmaxOp,
            ONNXClipOp, ONNXGeluOp, ONNXEluOp, ONNXSoftplusOp, ONNXSinOp,
            ONNXCosOp, ONNXNotOp, ONNXLayerNormalizationOp, ONNXSoftsignOp,
            ONNXSignOp, ONNXSinhOp, ONNXCoshOp, ONNXTanOp, ONNXAsinOp,
            ONNXAcosOp, ONNXAtanOp, ONNXAsinhOp, ONNXAcoshOp, ONNXAtanhOp,
            ONNXRoundOp, ONNXShrinkOp, ONNXThresholdedReluOp, ONNXSwishOp,
            ONNXMishOp, ONNXBitwiseNotOp, ONNXRMSNormalizationOp,
            ONNXInstanceNormalizationOp, ONNXGroupNormalizationOp,
            ONNXLpNormalizationOp, ONNXHardmaxOp, ONNXRotaryEmbeddingOp,
            ONNXMeanVarianceNormalizationOp, ONNXLRNOp, ONNXReverseSequenceOp>(
          [](Operation *op) { return inferSameAsInput(op); })
      .Case<ONNXBatchNormalizationOp>(
          [](ONNXBatchNormalizationOp op) -> LogicalResult {
            auto t = ranked(op.getX());
            if (!t)
              return success();
            setResult(op, 0, t.getShape(), t.getElementType());
            for (unsigned i : {1u, 2u})
              if (!isNoValue(op->getResult(i)) && t.getRank() >= 2)
                setResult(op, i, {t.getDimSize(1)}, t.getElementType());
            return success();
          })
      .Case<ONNXDropoutOp>([](ONNXDropoutOp op) -> LogicalResult {
        if (failed(inferSameAsInput(op)))
          return failure();
        if (auto t = ranked(op.getData()); t && !isNoValue(op.getMask()))
          setResult(op, 1, t.getShape(), IntegerType::get(op.getContext(), 1));
        return success();
      })
      .Case<ONNXCastOp>([](ONNXCastOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        Type elem = getTypeForOnnxDType(op.getContext(), op.getTo());
        if (!elem)
          return op.emitError("Cast to unsupported data type ") << op.getTo();
        if (t)
          setResult(op, 0, t.getShape(), elem);
        return success();
      })
      .Case<ONNXBitCastOp>([](ONNXBitCastOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        Type elem = getTypeForOnnxDType(op.getContext(), op.getTo());
        if (!elem)
          return op.emitError("BitCast to unsupported data type ")
                 << op.getTo();
        if (t)
          setResult(op, 0, t.getShape(), elem);
        return success();
      })
      .Case<ONNXCastLikeOp>([](ONNXCastLikeOp op) -> LogicalResult {
        if (auto t = ranked(op.getInput()))
          setResult(op, 0, t.getShape(), elemOf(op.getTargetType()));
        return success();
      })
      .Case<ONNXExpandOp>([](ONNXExpandOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        auto target = shapeValues(op.getShape());
        if (!t || !target)
          return success();
        // An unknown target dim may be 1: only the input's static sizes
        // other than 1 survive it.
        Shape in(t.getShape());
        Shape tgt(*target);
        size_t rank = std::max(in.size(), tgt.size());
        in.insert(in.begin(), rank - in.size(), 1);
        tgt.insert(tgt.begin(), rank - tgt.size(), 1);
        for (size_t i = 0; i < rank; ++i)
          if (tgt[i] == kDyn && in[i] != kDyn && in[i] != 1)
            tgt[i] = in[i];
          else if (tgt[i] == kDyn)
            in[i] = 1;
        auto out = broadcastShapes(op, {in, tgt});
        if (failed(out))
          return failure();
        setResult(op, 0, *out, t.getElementType());
        return success();
      })
      .Case<ONNXRangeOp>([](ONNXRangeOp op) -> LogicalResult {
        auto start = getDenseConstant(op.getStart());
        auto limit = getDenseConstant(op.getLimit());
        auto delta = getDenseConstant(op.getDelta());
        Type elem = elemOf(op.getStart());
        // Scalars of one type (checked here: inference runs before the
        // op's verifier, and an empty or mistyped constant was read past
        // its end).
        for (DenseElementsAttr a : {start, limit, delta})
          if (a && (a.getNumElements() != 1 || a.getElementType() != elem))
            return op.emitError(
                "Range start, limit and delta must be scalars of one type");
        if (!start || !limit || !delta) {
          if (!ranked(op.getResult()))
            setResult(op, 0, {ShapedType::kDynamic}, elem);
          return success();
        }
        auto value = [](DenseElementsAttr a) {
          return isa<FloatType>(a.getElementType())
                     ? (*a.getValues<APFloat>().begin()).convertToDouble()
                     : double((*a.getValues<APInt>().begin()).getSExtValue());
        };
        double d = value(delta);
        if (d == 0)
          return op.emitError("Range with delta 0");
        int64_t n = std::max<int64_t>(
            0, int64_t(std::ceil((value(limit) - value(start)) / d)));
        setResult(op, 0, {n}, elem);
        return success();
      })
      .Case<ONNXIsNaNOp, ONNXIsInfOp>([](Operation *op) -> LogicalResult {
        if (auto t = ranked(op->getOperand(0)))
          setResult(op, 0, t.getShape(), IntegerType::get(op->getContext(), 1));
        return success();
      })
      .Case<ONNXAddOp, ONNXSubOp, ONNXMulOp, ONNXDivOp, ONNXPowOp, ONNXPReluOp,
            ONNXModOp, ONNXSwiGLUOp, ONNXBitwiseAndOp, ONNXBitwiseOrOp,
            ONNXBitwiseXorOp, ONNXBitShiftOp>(
          [](Operation *op) -> LogicalResult {
            return inferBroadcast(op, op->getOperands(),
                                  elemOf(op->getOperand(0)));
          })
      .Case<ONNXMaxOp, ONNXMinOp, ONNXSumOp, ONNXMeanOp>(
          [](Operation *op) -> LogicalResult {
            return inferBroadcast(op, op->getOperands(),
                                  elemOf(op->getOperand(0)));
          })
      .Case<ONNXEqualOp, ONNXLessOp, ONNXGreaterOp, ONNXLessOrEqualOp,
            ONNXGreaterOrEqualOp, ONNXAndOp, ONNXOrOp, ONNXXorOp>(
          [](Operation *op) {
            return inferBroadcast(op, op->getOperands(),
                                  IntegerType::get(op->getContext(), 1));
          })
      .Case<ONNXWhereOp>([](ONNXWhereOp op) -> LogicalResult {
        return inferBroadcast(op, op->getOperands(), elemOf(op.getX()));
      })
      .Case<ONNXConvTransposeOp>([](ONNXConvTransposeOp op) -> LogicalResult {
        auto g = getConvTransposeGeometry(op);
        if (failed(g))
          return success();
        auto xt = ranked(op.getX()), wt = ranked(op.getW());
        Shape out = {xt.getDimSize(0), wt.getDimSize(1) * op.getGroup()};
        llvm::append_range(out, g->out);
        setResult(op, 0, out, xt.getElementType());
        return success();
      })
      .Case<ONNXConvOp, ONNXConvIntegerOp, ONNXQLinearConvOp>(
          [](auto op) -> LogicalResult {
            // ConvInteger accumulates in int32; QLinearConv's output has its
            // zero point's type.
            Type elem = elemOf(op.getX());
            if constexpr (std::is_same_v<decltype(op), ONNXConvIntegerOp>)
              elem = IntegerType::get(op.getContext(), 32);
            if constexpr (std::is_same_v<decltype(op), ONNXQLinearConvOp>)
              elem = elemOf(op.getYZeroPoint());
            auto xt = ranked(op.getX()), wt = ranked(op.getW());
            if (!xt || !wt || !wt.hasStaticShape()) {
              setElement(op, 0, elem);
              return success();
            }
            SmallVector<int64_t> k(wt.getShape().drop_front(2));
            int64_t cin = xt.getDimSize(1);
            if (cin != kDyn && cin != wt.getDimSize(1) * op.getGroup())
              return op.emitError("Conv input has ")
                     << cin << " channels, weights expect "
                     << wt.getDimSize(1) * op.getGroup() << " (group "
                     << op.getGroup() << ")";
            return inferWindowed(op, op.getX(), k, wt.getDimSize(0),
                                 op.getStridesAttr(), op.getDilationsAttr(),
                                 op.getPadsAttr(), op.getAutoPad(), false,
                                 elem);
          })
      .Case<ONNXMaxPoolOp>([](ONNXMaxPoolOp op) -> LogicalResult {
        auto xt = ranked(op.getX());
        if (!xt)
          return success();
        if (!isNoValue(op.getIndices()))
          return op.emitError("MaxPool with an Indices output is not "
                              "supported yet");
        return inferWindowed(op, op.getX(), getIntArray(op.getKernelShape()),
                             xt.getDimSize(1), op.getStridesAttr(),
                             op.getDilationsAttr(), op.getPadsAttr(),
                             op.getAutoPad(), op.getCeilMode());
      })
      .Case<ONNXLpPoolOp>([](ONNXLpPoolOp op) -> LogicalResult {
        auto xt = ranked(op.getX());
        if (!xt)
          return success();
        return inferWindowed(op, op.getX(), getIntArray(op.getKernelShape()),
                             xt.getDimSize(1), op.getStridesAttr(),
                             op.getDilationsAttr(), op.getPadsAttr(),
                             op.getAutoPad(), op.getCeilMode());
      })
      .Case<ONNXAveragePoolOp>([](ONNXAveragePoolOp op) -> LogicalResult {
        auto xt = ranked(op.getX());
        if (!xt)
          return success();
        return inferWindowed(op, op.getX(), getIntArray(op.getKernelShape()),
                             xt.getDimSize(1), op.getStridesAttr(),
                             op.getDilationsAttr(), op.getPadsAttr(),
                             op.getAutoPad(), op.getCeilMode());
      })
      .Case<ONNXGlobalAveragePoolOp, ONNXGlobalMaxPoolOp>(
          [](Operation *op) -> LogicalResult {
            auto t = ranked(op->getOperand(0));
            if (!t)
              return success();
            Shape out(t.getShape());
            for (size_t i = 2; i < out.size(); ++i)
              out[i] = 1;
            setResult(op, 0, out, t.getElementType());
            return success();
          })
      .Case<ONNXGemmOp>([](ONNXGemmOp op) -> LogicalResult {
        auto at = ranked(op.getA()), bt = ranked(op.getB());
        if (!at || !bt)
          return success();
        if (at.getRank() != 2 || bt.getRank() != 2)
          return op.emitError("Gemm operands must be 2-D");
        int64_t m = at.getDimSize(op.getTransA() ? 1 : 0);
        int64_t k1 = at.getDimSize(op.getTransA() ? 0 : 1);
        int64_t k2 = bt.getDimSize(op.getTransB() ? 1 : 0);
        int64_t n = bt.getDimSize(op.getTransB() ? 0 : 1);
        if (k1 != kDyn && k2 != kDyn && k1 != k2)
          return op.emitError("Gemm inner dimensions differ: ")
                 << k1 << " vs " << k2;
        setResult(op, 0, {m, n}, at.getElementType());
        return success();
      })
      .Case<ONNXMatMulOp>(
          [](ONNXMatMulOp op) { return inferMatMul(op, op.getA(), op.getB()); })
      .Case<ONNXMatMulIntegerOp>([](ONNXMatMulIntegerOp op) {
        return inferMatMul(op, op.getA(), op.getB(),
                           IntegerType::get(op.getContext(), 32));
      })
      .Case<ONNXQLinearMatMulOp>([](ONNXQLinearMatMulOp op) {
        return inferMatMul(op, op.getA(), op.getB(),
                           elemOf(op.getYZeroPoint()));
      })
      .Case<ONNXFlattenOp>([](ONNXFlattenOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        if (!t)
          return success();
        int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
        if (axis < 0 || axis > t.getRank())
          return op.emitError("Flatten axis out of range");
        auto prod = [&](int64_t b, int64_t e) {
          int64_t p = 1;
          for (int64_t i = b; i < e; ++i) {
            if (t.isDynamicDim(i))
              return kDyn;
            p *= t.getDimSize(i);
          }
          return p;
        };
        setResult(op, 0, {prod(0, axis), prod(axis, t.getRank())},
                  t.getElementType());
        return success();
      })
      .Case<ONNXReshapeOp>(
          [](ONNXReshapeOp op) -> LogicalResult { return inferReshape(op); })
      .Case<ONNXTransposeOp>([](ONNXTransposeOp op) -> LogicalResult {
        auto t = ranked(op.getData());
        if (!t)
          return success();
        SmallVector<int64_t> perm = getIntArray(op.getPermAttr());
        if (perm.empty())
          for (int64_t i = t.getRank() - 1; i >= 0; --i)
            perm.push_back(i);
        if (int64_t(perm.size()) != t.getRank())
          return op.emitError("Transpose perm has ")
                 << perm.size() << " entries for rank " << t.getRank();
        Shape out;
        for (int64_t p : perm)
          out.push_back(t.getDimSize(p));
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXConcatOp>([](ONNXConcatOp op) -> LogicalResult {
        auto first = ranked(op.getInputs()[0]);
        if (!first)
          return success();
        int64_t axis = normalizeAxis(op.getAxis(), first.getRank());
        if (axis < 0 || axis >= first.getRank())
          return op.emitError("Concat axis out of range");
        Shape out(first.getShape());
        out[axis] = 0;
        for (Value v : op.getInputs()) {
          auto t = ranked(v);
          if (!t)
            return success();
          if (t.getRank() != first.getRank())
            return op.emitError("Concat inputs differ in rank");
          int64_t d = t.getDimSize(axis);
          out[axis] = (out[axis] == kDyn || d == kDyn) ? kDyn : out[axis] + d;
        }
        setResult(op, 0, out, first.getElementType());
        return success();
      })
      .Case<ONNXSplitOp>([](ONNXSplitOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        if (!t)
          return success();
        int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
        int64_t dim = t.getDimSize(axis);
        size_t n = op->getNumResults();
        SmallVector<int64_t> sizes;
        if (!isNoValue(op.getSplit())) {
          auto s = getConstantInts(op.getSplit());
          sizes = s ? SmallVector<int64_t>(*s) : SmallVector<int64_t>(n, kDyn);
        } else if (dim != kDyn) {
          int64_t chunk = (dim + n - 1) / n;
          for (size_t i = 0; i < n; ++i)
            sizes.push_back(std::min<int64_t>(chunk, dim - chunk * i));
        } else {
          sizes.assign(n, kDyn);
        }
        if (sizes.size() != n)
          return op.emitError("Split sizes do not match the output count");
        for (size_t i = 0; i < n; ++i) {
          Shape out(t.getShape());
          out[axis] = sizes[i];
          setResult(op, i, out, t.getElementType());
        }
        return success();
      })
      .Case<ONNXSliceOp>(
          [](ONNXSliceOp op) -> LogicalResult { return inferSlice(op); })
      .Case<ONNXGatherOp>([](ONNXGatherOp op) -> LogicalResult {
        auto dt = ranked(op.getData()), it = ranked(op.getIndices());
        if (!dt || !it)
          return success();
        int64_t axis = normalizeAxis(op.getAxis(), dt.getRank());
        if (axis < 0 || axis >= dt.getRank())
          return op.emitError("Gather axis out of range");
        Shape out(dt.getShape().take_front(axis));
        llvm::append_range(out, it.getShape());
        llvm::append_range(out, dt.getShape().drop_front(axis + 1));
        setResult(op, 0, out, dt.getElementType());
        return success();
      })
      .Case<ONNXSqueezeOp>([](ONNXSqueezeOp op) -> LogicalResult {
        auto t = ranked(op.getData());
        if (!t)
          return success();
        SmallVector<bool> drop(t.getRank(), false);
        if (!isNoValue(op.getAxes())) {
          auto axes = getConstantInts(op.getAxes());
          if (!axes) {
            std::optional<int64_t> n = lengthOf(op.getAxes());
            if (n && *n <= t.getRank())
              setResult(op, 0, Shape(t.getRank() - *n, kDyn),
                        t.getElementType());
            return success();
          }
          for (int64_t a : *axes) {
            a = normalizeAxis(a, t.getRank());
            if (a < 0 || a >= t.getRank())
              return op.emitError("Squeeze axis out of range");
            if (t.getDimSize(a) != 1 && !t.isDynamicDim(a))
              return op.emitError("Squeeze of a dimension of size ")
                     << t.getDimSize(a);
            drop[a] = true;
          }
        } else {
          for (int64_t i = 0; i < t.getRank(); ++i)
            drop[i] = t.getDimSize(i) == 1;
        }
        Shape out;
        for (int64_t i = 0; i < t.getRank(); ++i)
          if (!drop[i])
            out.push_back(t.getDimSize(i));
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXUnsqueezeOp>([](ONNXUnsqueezeOp op) -> LogicalResult {
        auto t = ranked(op.getData());
        auto axes = getConstantInts(op.getAxes());
        if (t && !axes) {
          if (std::optional<int64_t> n = lengthOf(op.getAxes()))
            setResult(op, 0, Shape(t.getRank() + *n, kDyn), t.getElementType());
          return success();
        }
        if (!t)
          return success();
        int64_t rank = t.getRank() + axes->size();
        SmallVector<bool> isNew(rank, false);
        for (int64_t a : *axes) {
          a = normalizeAxis(a, rank);
          if (a < 0 || a >= rank || isNew[a])
            return op.emitError("Unsqueeze axes out of range or repeated");
          isNew[a] = true;
        }
        Shape out;
        int64_t src = 0;
        for (int64_t i = 0; i < rank; ++i)
          out.push_back(isNew[i] ? 1 : t.getDimSize(src++));
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXReduceMeanOp, ONNXReduceSumOp, ONNXReduceMaxOp, ONNXReduceMinOp,
            ONNXReduceProdOp, ONNXReduceL2Op, ONNXReduceSumSquareOp,
            ONNXReduceL1Op, ONNXReduceLogSumOp, ONNXReduceLogSumExpOp>(
          [](auto op) -> LogicalResult {
            return inferReduce(op, op.getData(), op.getAxes(), op.getKeepdims(),
                               op.getNoopWithEmptyAxes());
          })
      .Case<ONNXSizeOp>([](ONNXSizeOp op) -> LogicalResult {
        setResult(op, 0, {}, IntegerType::get(op.getContext(), 64));
        return success();
      })
      .Case<ONNXShapeOp>([](ONNXShapeOp op) -> LogicalResult {
        auto t = ranked(op.getData());
        if (!t) { // a 1-D int64 tensor of unknown length
          setResult(op, 0, {ShapedType::kDynamic},
                    IntegerType::get(op.getContext(), 64));
          return success();
        }
        int64_t r = t.getRank();
        int64_t s = std::clamp<int64_t>(normalizeAxis(op.getStart(), r), 0, r);
        int64_t e =
            op.getEnd()
                ? std::clamp<int64_t>(normalizeAxis(*op.getEnd(), r), 0, r)
                : r;
        setResult(op, 0, {std::max<int64_t>(0, e - s)},
                  IntegerType::get(op.getContext(), 64));
        return success();
      })
      .Case<ONNXConstantOfShapeOp>(
          [](ONNXConstantOfShapeOp op) -> LogicalResult {
            auto shape = shapeValues(op.getInput());
            Type elem = Float32Type::get(op.getContext());
            if (auto v = op.getValue()) {
              // (Folding reads its one element.)
              if (v->getNumElements() != 1)
                return op.emitError(
                    "ConstantOfShape value must have one element");
              elem = v->getElementType();
            }
            if (shape)
              setResult(op, 0, *shape, elem);
            return success();
          })
      .Case<ONNXPadOp>([](ONNXPadOp op) -> LogicalResult {
        auto t = ranked(op.getData());
        if (!t)
          return success();
        auto pads = getConstantInts(op.getPads());
        int64_t r = t.getRank();
        if (!pads) { // run-time pads: the padded dims are known only then
          Shape out(t.getShape());
          auto axes = isNoValue(op.getAxes()) ? std::nullopt
                                              : getConstantInts(op.getAxes());
          for (int64_t d = 0; d < r; ++d)
            if (isNoValue(op.getAxes()) || !axes ||
                llvm::any_of(
                    *axes, [&](int64_t a) { return normalizeAxis(a, r) == d; }))
              out[d] = kDyn;
          setResult(op, 0, out, t.getElementType());
          return success();
        }
        SmallVector<int64_t> axes;
        if (!isNoValue(op.getAxes())) {
          auto a = getConstantInts(op.getAxes());
          if (!a)
            return success();
          axes = *a;
        } else {
          for (int64_t i = 0; i < r; ++i)
            axes.push_back(i);
        }
        if (pads->size() != 2 * axes.size())
          return op.emitError("Pad needs 2 pads per padded axis");
        Shape out(t.getShape());
        for (size_t i = 0; i < axes.size(); ++i) {
          int64_t a = normalizeAxis(axes[i], r);
          if (out[a] != kDyn)
            out[a] += (*pads)[i] + (*pads)[i + axes.size()];
        }
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXNonZeroOp>([](ONNXNonZeroOp op) -> LogicalResult {
        // [rank, count]: the count is the data's.
        if (auto t = ranked(op.getX()))
          setResult(op, 0, {t.getRank(), kDyn},
                    IntegerType::get(op.getContext(), 64));
        return success();
      })
      .Case<ONNXCompressOp>([](ONNXCompressOp op) -> LogicalResult {
        auto t = ranked(op.getInput());
        if (!t)
          return success();
        if (!op.getAxis()) {
          setResult(op, 0, {kDyn}, t.getElementType());
          return success();
        }
        int64_t a = normalizeAxis(*op.getAxis(), t.getRank());
        if (a < 0 || a >= t.getRank())
          return op.emitError("Compress axis out of range");
        Shape out(t.getShape());
        out[a] = kDyn;
        setResult(op, 0, out, t.getElementType());
        return success();
      })
      .Case<ONNXAffineGridOp>([](ONNXAffineGridOp op) -> LogicalResult {
        // size = [N, C, spatial...] -> [N, spatial..., spatial rank].
        auto size = shapeValues(op.getSize());
        auto theta = ranked(op.getTheta());
        if (!size || size->size() < 3 || !theta)
          return success();
        Shape out = {(*size)[0]};
        out.append(size->begin() + 2, size->end());
        out.push_back(int64_t(size->size()) - 2);
        setResult(op, 0, out, theta.getElementType());
        return success();
      })
      .Case<ONNXIfOp>([](ONNXIfOp op) -> LogicalResult {
        ValueRange t = yieldedBy(op, 1), e = yieldedBy(op, 0);
        if (t.size() != op->getNumResults() || e.size() != t.size())
          return op.emitError("If branches yield ")
                 << t.size() << " and " << e.size() << " values for "
                 << op->getNumResults() << " outputs";
        for (unsigned i = 0; i < t.size(); ++i)
          op->getResult(i).setType(joinTypes(t[i].getType(), e[i].getType()));
        return success();
      })
      .Case<ONNXLoopOp>([](ONNXLoopOp op) -> LogicalResult {
        // Carried values as the body's arguments (widened to what the
        // body yields); scan outputs stacked along a new dim 0 of
        // run-time length.
        Block &body = op.getBody().front();
        ValueRange y = yieldedBy(op, 0);
        unsigned carried = op.getVInitial().size();
        if (y.size() != 1 + op->getNumResults() ||
            body.getNumArguments() != 2 + carried)
          return op.emitError("Loop body does not match the node's inputs "
                              "and outputs");
        for (unsigned i = 0; i < op->getNumResults(); ++i) {
          if (i < carried) {
            op->getResult(i).setType(body.getArgument(2 + i).getType());
            continue;
          }
          auto slice = ranked(y[1 + i]);
          if (!slice)
            continue;
          Shape out = {kDyn};
          llvm::append_range(out, slice.getShape());
          setResult(op, i, out, slice.getElementType());
        }
        return success();
      })
      .Case<ONNXScanOp>([](ONNXScanOp op) -> LogicalResult {
        Block &body = op.getBody().front();
        ValueRange y = yieldedBy(op, 0);
        int64_t nScan = op.getNumScanInputs();
        ValueRange ins = op.getInitialStateAndScanInputs();
        int64_t nState = int64_t(ins.size()) - nScan;
        if (nState < 0 || y.size() != op->getNumResults())
          return op.emitError("Scan body does not match the node's inputs "
                              "and outputs");
        int64_t len = kDyn;
        if (nScan > 0)
          if (auto t = ranked(ins[nState])) {
            SmallVector<int64_t> axes = getIntArray(op.getScanInputAxesAttr());
            int64_t a = axes.empty() ? 0 : normalizeAxis(axes[0], t.getRank());
            if (a >= 0 && a < t.getRank())
              len = t.getDimSize(a);
          }
        SmallVector<int64_t> outAxes = getIntArray(op.getScanOutputAxesAttr());
        for (unsigned i = 0; i < op->getNumResults(); ++i) {
          if (int64_t(i) < nState) {
            op->getResult(i).setType(body.getArgument(i).getType());
            continue;
          }
          auto slice = ranked(y[i]);
          if (!slice)
            continue;
          Shape out(slice.getShape());
          int64_t k = i - nState;
          int64_t a = k < int64_t(outAxes.size())
                          ? normalizeAxis(outAxes[k], slice.getRank() + 1)
                          : 0;
          if (a < 0 || a > slice.getRank())
            return op.emitError("Scan output axis out of range");
          out.insert(out.begin() + a, len);
          setResult(op, i, out, slice.getElementType());
        }
        return success();
      })
      .Case<ONNXConstantOp>([](ONNXConstantOp op) -> LogicalResult {
        if (auto v = op.getValue())
          op->getResult(0).setType(v->getType());
        return success();
      })
      .Default([](Operation *) { return success(); });
}

bool mcc::onnx::inferShapesBackward(Operation *op) {
  bool unary =
      isa<ONNXCastOp, ONNXCastLikeOp, ONNXIdentityOp, ONNXSqrtOp, ONNXLogOp,
          ONNXExpOp, ONNXAbsOp, ONNXNegOp, ONNXReluOp, ONNXSigmoidOp,
          ONNXTanhOp, ONNXReciprocalOp, ONNXFloorOp, ONNXCeilOp, ONNXNotOp,
          ONNXSignOp, ONNXSoftsignOp, ONNXRoundOp, ONNXSinOp, ONNXCosOp>(op);
  // A binary op whose other operand has one element: the first one has
  // the result's shape.
  bool withScalar =
      isa<ONNXAddOp, ONNXSubOp, ONNXMulOp, ONNXDivOp, ONNXPowOp>(op) && [&] {
        auto other = ranked(op->getOperand(1));
        return other && other.hasStaticShape() && other.getNumElements() == 1;
      }();
  if (!unary && !withScalar)
    return false;
  auto rt = ranked(op->getResult(0));
  Value in = op->getOperand(0);
  auto it = dyn_cast<TensorType>(in.getType());
  if (!rt || !rt.hasStaticShape() || !it ||
      (isa<RankedTensorType>(it) && it.hasStaticShape()) ||
      !isa_and_nonnull<ONNXDialect>(
          in.getDefiningOp() ? in.getDefiningOp()->getDialect() : nullptr))
    return false;
  if (auto r = dyn_cast<RankedTensorType>(it))
    for (auto [a, b] : llvm::zip_equal(r.getShape(), rt.getShape()))
      if (a != kDyn && a != b)
        return false;
  if (isa<RankedTensorType>(it) && it.getRank() != rt.getRank())
    return false;
  in.setType(RankedTensorType::get(rt.getShape(), it.getElementType()));
  return true;
}

Type mcc::onnx::joinTypes(Type a, Type b) {
  if (a == b)
    return a;
  auto ta = dyn_cast<TensorType>(a), tb = dyn_cast<TensorType>(b);
  if (!ta || !tb || ta.getElementType() != tb.getElementType())
    return a;
  auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
  if (!ra || !rb || ra.getRank() != rb.getRank())
    return UnrankedTensorType::get(ta.getElementType());
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ra.getShape(), rb.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(shape, ra.getElementType());
}
