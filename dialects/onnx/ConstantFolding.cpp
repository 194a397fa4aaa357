//===- ConstantFolding.cpp - Compile-time evaluation of shape arithmetic --===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape). mcc evaluates those chains at compile time so that the
// lowering sees static shapes. Only small integer tensors (and reshapes of any
// dense constant) are evaluated: weights are never touched here.
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mcc::onnx;

namespace {

constexpr int64_t kMaxFoldElems = 4096;

using Ints = SmallVector<int64_t>;

RankedTensorType staticResult(Operation *op, unsigned i = 0) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(i).getType());
  return t && t.hasStaticShape() && t.getNumElements() <= kMaxFoldElems
             ? t
             : RankedTensorType();
}

DenseElementsAttr makeInts(RankedTensorType t, ArrayRef<int64_t> v) {
  auto it = cast<IntegerType>(t.getElementType());
  SmallVector<APInt> vals;
  for (int64_t x : v)
    vals.push_back(APInt(it.getWidth(), uint64_t(x), /*isSigned=*/true,
                         /*implicitTrunc=*/true));
  return DenseElementsAttr::get(t, vals);
}

/// Strides of a row-major shape.
Ints strides(ArrayRef<int64_t> shape) {
  Ints s(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Index into a broadcast operand of shape `in` for output multi-index `idx`.
int64_t broadcastIndex(ArrayRef<int64_t> idx, ArrayRef<int64_t> in) {
  Ints st = strides(in);
  int64_t off = 0, lead = idx.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    off += (in[i] == 1 ? 0 : idx[lead + i]) * st[i];
  return off;
}

Ints unflatten(int64_t flat, ArrayRef<int64_t> shape) {
  Ints idx(shape.size());
  for (int64_t i = int64_t(shape.size()) - 1; i >= 0; --i) {
    idx[i] = shape[i] ? flat % shape[i] : 0;
    flat = shape[i] ? flat / shape[i] : 0;
  }
  return idx;
}

/// The result of rearranging a small constant: each element of `rt` is the
/// element of `data` at the multi-index `source` maps its own to (nullopt:
/// outside `data`, so nothing folds).
FailureOr<DenseElementsAttr>
rearrange(DenseElementsAttr data, RankedTensorType rt,
          function_ref<std::optional<Ints>(ArrayRef<int64_t>)> source) {
  auto dt = cast<RankedTensorType>(data.getType());
  auto values = SmallVector<Attribute>(data.getValues<Attribute>());
  Ints inStrides = strides(dt.getShape());
  SmallVector<Attribute> out;
  for (int64_t i = 0; i < rt.getNumElements(); ++i) {
    std::optional<Ints> at = source(unflatten(i, rt.getShape()));
    if (!at || at->size() != size_t(dt.getRank()))
      return failure();
    int64_t src = 0;
    for (int64_t d = 0; d < dt.getRank(); ++d) {
      if ((*at)[d] < 0 || (*at)[d] >= dt.getDimSize(d))
        return failure();
      src += (*at)[d] * inStrides[d];
    }
    out.push_back(values[src]);
  }
  return DenseElementsAttr::get(rt, out);
}

/// Elementwise integer ops (shape arithmetic: Add ... Where) whose operands
/// are all small integer constants, broadcast numpy-style.
FailureOr<DenseElementsAttr> foldIntElementwise(Operation *op) {
  auto rt = staticResult(op);
  if (!rt || !isa<IntegerType>(rt.getElementType()) ||
      op->getNumOperands() == 0 || op->getNumOperands() > 3)
    return failure();
  SmallVector<Ints> vals;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : op->getOperands()) {
    auto c = getDenseConstant(v);
    auto iv = getDenseInts(c);
    if (!iv)
      return failure();
    vals.push_back(std::move(*iv));
    shapes.push_back(cast<ShapedType>(c.getType()).getShape());
  }
  Ints out;
  for (int64_t i = 0; i < rt.getNumElements(); ++i) {
    Ints idx = unflatten(i, rt.getShape());
    SmallVector<int64_t, 3> a;
    for (auto [v, s] : llvm::zip(vals, shapes))
      a.push_back(v[broadcastIndex(idx, s)]);
    int64_t x = a[0], y = a.size() > 1 ? a[1] : 0;
    if (isa<ONNXDivOp, ONNXModOp>(op) && y == 0)
      return failure(); // leave the division by zero to run time
    std::optional<int64_t> r =
        TypeSwitch<Operation *, std::optional<int64_t>>(op)
            .Case<ONNXAddOp>([&](auto) { return x + y; })
            .Case<ONNXSubOp>([&](auto) { return x - y; })
            .Case<ONNXMulOp>([&](auto) { return x * y; })
            .Case<ONNXDivOp>([&](auto) { return x / y; })
            .Case<ONNXModOp>([&](ONNXModOp m) -> std::optional<int64_t> {
              if (m.getFmod())
                return x % y; // C semantics: sign of the dividend
              int64_t q = x % y;
              return q != 0 && ((q < 0) != (y < 0)) ? q + y : q;
            })
            .Case<ONNXMaxOp>(
                [&](auto) { return *std::max_element(a.begin(), a.end()); })
            .Case<ONNXMinOp>(
                [&](auto) { return *std::min_element(a.begin(), a.end()); })
            .Case<ONNXEqualOp>([&](auto) { return int64_t(x == y); })
            .Case<ONNXLessOp>([&](auto) { return int64_t(x < y); })
            .Case<ONNXLessOrEqualOp>([&](auto) { return int64_t(x <= y); })
            .Case<ONNXGreaterOp>([&](auto) { return int64_t(x > y); })
            .Case<ONNXGreaterOrEqualOp>([&](auto) { return int64_t(x >= y); })
            .Case<ONNXAndOp>([&](auto) { return int64_t(x && y); })
            .Case<ONNXOrOp>([&](auto) { return int64_t(x || y); })
            .Case<ONNXXorOp>([&](auto) { return int64_t(bool(x) != bool(y)); })
            .Case<ONNXNotOp>([&](auto) { return int64_t(!x); })
            .Case<ONNXNegOp>([&](auto) { return -x; })
            .Case<ONNXAbsOp>([&](auto) { return x < 0 ? -x : x; })
            .Case<ONNXWhereOp>([&](auto) { return x ? a[1] : a[2]; })
            .Default([](Operation *) { return std::nullopt; });
    if (!r)
      return failure();
    out.push_back(*r);
  }
  return makeInts(rt, out);
}

FailureOr<DenseElementsAttr> foldGather(ONNXGatherOp op) {
  auto rt = staticResult(op);
  auto data = getDenseConstant(op.getData());
  auto idxA = getDenseConstant(op.getIndices());
  auto idx = getDenseInts(idxA);
  if (!rt || !data || !idx)
    return failure();
  auto ds = cast<ShapedType>(data.getType()).getShape();
  int64_t axis = normalizeAxis(op.getAxis(), ds.size());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= ds[i];
  for (size_t i = axis + 1; i < ds.size(); ++i)
    inner *= ds[i];
  auto values = SmallVector<Attribute>(data.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : *idx) {
      if (j < 0)
        j += ds[axis];
      if (j < 0 || j >= ds[axis])
        return op.emitError("Gather index ") << j << " out of range", failure();
      for (int64_t k = 0; k < inner; ++k)
        out.push_back(values[(o * ds[axis] + j) * inner + k]);
    }
  return DenseElementsAttr::get(rt, out);
}

FailureOr<DenseElementsAttr> foldConcat(ONNXConcatOp op) {
  auto rt = staticResult(op);
  if (!rt)
    return failure();
  int64_t axis = normalizeAxis(op.getAxis(), rt.getRank());
  SmallVector<DenseElementsAttr> parts;
  for (Value v : op.getInputs()) {
    auto c = getDenseConstant(v);
    if (!c)
      return failure();
    parts.push_back(c);
  }
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= rt.getDimSize(i);
  SmallVector<Attribute> out;
  SmallVector<SmallVector<Attribute>> vals;
  for (auto p : parts)
    vals.emplace_back(p.getValues<Attribute>());
  for (int64_t o = 0; o < outer; ++o)
    for (auto [p, v] : llvm::zip(parts, vals)) {
      int64_t chunk = p.getNumElements() / std::max<int64_t>(outer, 1);
      for (int64_t k = 0; k < chunk; ++k)
        out.push_back(v[o * chunk + k]);
    }
  return DenseElementsAttr::get(rt, out);
}

/// Slice of a small constant, any rank: every output element's source is
/// start + i * step along the sliced axes (the result's static shape says
/// how many), i along the others.
FailureOr<DenseElementsAttr> foldSlice(ONNXSliceOp op) {
  auto rt = staticResult(op);
  auto data = getDenseConstant(op.getData());
  auto starts = getConstantInts(op.getStarts());
  auto dt =
      data ? dyn_cast<RankedTensorType>(data.getType()) : RankedTensorType();
  if (!rt || !dt || !starts || rt.getRank() != dt.getRank())
    return failure();
  int64_t rank = dt.getRank();
  Ints axes;
  if (isNoValue(op.getAxes())) {
    for (int64_t i = 0; i < int64_t(starts->size()); ++i)
      axes.push_back(i);
  } else if (auto a = getConstantInts(op.getAxes())) {
    axes = *a;
  } else {
    return failure();
  }
  Ints steps(starts->size(), 1);
  if (!isNoValue(op.getSteps())) {
    auto st = getConstantInts(op.getSteps());
    if (!st || st->size() != starts->size())
      return failure();
    steps = *st;
  }
  if (axes.size() != starts->size())
    return failure();
  Ints first(rank, 0), step(rank, 1);
  for (auto [a, s0, st] : llvm::zip(axes, *starts, steps)) {
    int64_t axis = normalizeAxis(a, rank);
    if (axis < 0 || axis >= rank || st == 0)
      return failure();
    int64_t n = dt.getDimSize(axis);
    int64_t s = s0 < 0 ? s0 + n : s0;
    first[axis] = st > 0 ? std::clamp<int64_t>(s, 0, n)
                         : std::clamp<int64_t>(s, -1, n - 1);
    step[axis] = st;
  }
  // A source outside the data: a result shape that does not match.
  return rearrange(data, rt, [&](ArrayRef<int64_t> idx) {
    Ints at(rank);
    for (int64_t d = 0; d < rank; ++d)
      at[d] = first[d] + idx[d] * step[d];
    return std::optional<Ints>(at);
  });
}

/// Transpose of a small constant (PyTorch's pad export transposes its pad
/// table before flattening it).
FailureOr<DenseElementsAttr> foldTranspose(ONNXTransposeOp op) {
  auto rt = staticResult(op);
  auto data = getDenseConstant(op.getData());
  auto dt =
      data ? dyn_cast<RankedTensorType>(data.getType()) : RankedTensorType();
  if (!rt || !dt || rt.getRank() != dt.getRank())
    return failure();
  int64_t rank = dt.getRank();
  Ints perm;
  if (auto p = op.getPerm())
    perm = getIntArray(*p);
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (int64_t(perm.size()) != rank ||
      llvm::any_of(perm, [&](int64_t p) { return p < 0 || p >= rank; }))
    return failure();
  return rearrange(data, rt, [&](ArrayRef<int64_t> idx) {
    Ints at(rank);
    for (int64_t d = 0; d < rank; ++d)
      at[perm[d]] = idx[d];
    return std::optional<Ints>(at);
  });
}

/// Cast and CastLike (operand 0 is the input; the result type says to what).
FailureOr<DenseElementsAttr> foldCast(Operation *op) {
  auto rt = staticResult(op);
  auto in = getDenseConstant(op->getOperand(0));
  if (!rt || !in)
    return failure();
  Type to = rt.getElementType();
  // To bool, anything non-zero is true (not its lowest bit: Cast(2) to
  // bool truncated to false once, which took the wrong branch of an If).
  if (to.isInteger(1)) {
    Ints out;
    if (auto v = getDenseInts(in))
      for (int64_t x : *v)
        out.push_back(x != 0);
    else if (isa<FloatType>(in.getElementType()))
      for (APFloat f : in.getValues<APFloat>())
        out.push_back(!f.isZero());
    else
      return failure();
    return makeInts(rt, out);
  }
  if (auto v = getDenseInts(in)) {
    if (isa<IntegerType>(to))
      return makeInts(rt, *v);
    if (auto ft = dyn_cast<FloatType>(to)) {
      SmallVector<APFloat> out;
      for (int64_t x : *v) {
        APFloat f{double(x)};
        bool lost;
        f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
        out.push_back(f);
      }
      return DenseElementsAttr::get(rt, out);
    }
  }
  if (isa<FloatType>(in.getElementType()) && isa<IntegerType>(to)) {
    Ints out;
    for (APFloat f : in.getValues<APFloat>())
      out.push_back(int64_t(f.convertToDouble()));
    return makeInts(rt, out);
  }
  if (isa<FloatType>(in.getElementType()) && isa<FloatType>(to)) {
    SmallVector<APFloat> out;
    for (APFloat f : in.getValues<APFloat>()) {
      bool lost;
      f.convert(cast<FloatType>(to).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      out.push_back(f);
    }
    return DenseElementsAttr::get(rt, out);
  }
  return failure();
}

} // namespace

LogicalResult
mcc::onnx::foldConstants(Operation *op,
                         SmallVectorImpl<DenseElementsAttr> &results) {
  auto one = [&](FailureOr<DenseElementsAttr> r) {
    if (failed(r))
      return failure();
    results.push_back(*r);
    return success();
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ONNXShapeOp>([&](ONNXShapeOp op) {
        auto in = dyn_cast<RankedTensorType>(op.getData().getType());
        auto rt = staticResult(op);
        if (!in || !in.hasStaticShape() || !rt)
          return failure();
        int64_t r = in.getRank();
        int64_t s = std::clamp<int64_t>(
            op.getStart() < 0 ? op.getStart() + r : op.getStart(), 0, r);
        return one(makeInts(rt, in.getShape().slice(s, rt.getNumElements())));
      })
      .Case<ONNXRangeOp>([&](ONNXRangeOp op) {
        auto start = getDenseConstant(op.getStart());
        auto delta = getDenseConstant(op.getDelta());
        auto rt = staticResult(op);
        if (!start || !delta || !rt || !getDenseConstant(op.getLimit()) ||
            start.getNumElements() != 1 || delta.getNumElements() != 1 ||
            start.getElementType() != rt.getElementType() ||
            delta.getElementType() != rt.getElementType())
          return failure();
        int64_t n = rt.getNumElements();
        if (isa<FloatType>(rt.getElementType())) {
          double s0 = (*start.getValues<APFloat>().begin()).convertToDouble();
          double d = (*delta.getValues<APFloat>().begin()).convertToDouble();
          SmallVector<APFloat> v;
          auto ft = cast<FloatType>(rt.getElementType());
          for (int64_t i = 0; i < n; ++i) {
            APFloat x(s0 + double(i) * d);
            bool lost;
            x.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                      &lost);
            v.push_back(x);
          }
          return one(DenseElementsAttr::get(rt, v));
        }
        int64_t s0 = (*start.getValues<APInt>().begin()).getSExtValue();
        int64_t d = (*delta.getValues<APInt>().begin()).getSExtValue();
        SmallVector<int64_t> v;
        for (int64_t i = 0; i < n; ++i)
          v.push_back(s0 + i * d);
        return one(makeInts(rt, v));
      })
      .Case<ONNXSizeOp>([&](ONNXSizeOp op) {
        auto in = dyn_cast<RankedTensorType>(op.getData().getType());
        auto rt = staticResult(op);
        if (!in || !in.hasStaticShape() || !rt)
          return failure();
        return one(makeInts(rt, {in.getNumElements()}));
      })
      .Case<ONNXIdentityOp, ONNXSqueezeOp, ONNXUnsqueezeOp, ONNXReshapeOp,
            ONNXFlattenOp>([&](Operation *op) {
        auto rt = staticResult(op);
        auto in = getDenseConstant(op->getOperand(0));
        if (!rt || !in)
          return failure();
        return one(in.reshape(rt));
      })
      .Case<ONNXAddOp, ONNXSubOp, ONNXMulOp, ONNXDivOp, ONNXModOp, ONNXMaxOp,
            ONNXMinOp, ONNXEqualOp, ONNXLessOp, ONNXLessOrEqualOp,
            ONNXGreaterOp, ONNXGreaterOrEqualOp, ONNXAndOp, ONNXOrOp, ONNXXorOp,
            ONNXNotOp, ONNXNegOp, ONNXAbsOp, ONNXWhereOp>(
          [&](Operation *op) { return one(foldIntElementwise(op)); })
      .Case<ONNXGatherOp>([&](auto op) { return one(foldGather(op)); })
      .Case<ONNXConcatOp>([&](auto op) { return one(foldConcat(op)); })
      .Case<ONNXSliceOp>([&](auto op) { return one(foldSlice(op)); })
      .Case<ONNXTransposeOp>([&](auto op) { return one(foldTranspose(op)); })
      .Case<ONNXCastOp, ONNXCastLikeOp>(
          [&](Operation *op) { return one(foldCast(op)); })
      .Case<ONNXConstantOfShapeOp>([&](ONNXConstantOfShapeOp op) {
        auto rt = staticResult(op);
        if (!rt)
          return failure();
        if (auto v = op.getValue()) {
          auto dense = dyn_cast<DenseElementsAttr>(*v);
          if (!dense)
            return failure();
          return one(
              DenseElementsAttr::get(rt, dense.getValues<Attribute>()[0]));
        }
        return one(DenseElementsAttr::get(
            rt, FloatAttr::get(rt.getElementType(), 0.0)));
      })
      .Default([](Operation *) { return failure(); });
}
