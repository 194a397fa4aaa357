//===- AttributeChecks.cpp - Attribute values that contradict the operands ===//
//
// An attribute out of its range would otherwise be read as something else:
// a Softmax over axis 7 of a rank-2 input normalized nothing and returned
// ones. These checks run with shape inference, once the operands' ranks
// are known (at import, or later in onnx-shape-inference), and name the
// node through the op's location.
//
//===----------------------------------------------------------------------===//

#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mcc::onnx;

namespace {

int64_t rankOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getRank() : -1;
}

/// `axis` (attribute `name`) in [lo, hi] for an operand of rank `rank`.
LogicalResult checkAxis(Operation *op, StringRef name, int64_t axis,
                        int64_t rank, int64_t lo, int64_t hi) {
  if (rank < 0 || (axis >= lo && axis <= hi))
    return success();
  return op->emitError() << name << " " << axis << " is out of range for "
                         << "an input of rank " << rank << " (valid: " << lo
                         << " to " << hi << ")";
}

/// `axis` in [-rank, rank), the range of most ops.
LogicalResult checkAxis(Operation *op, int64_t axis, Value v) {
  int64_t r = rankOf(v);
  return checkAxis(op, "axis", axis, r, -r, r - 1);
}

/// QuantizeLinear's and DequantizeLinear's axis, which only a scale of
/// more than one element (per axis or blocked) reads: in [-rank, rank)
/// then (an out-of-range one indexed past the input's dims).
template <typename OpTy>
LogicalResult checkQuantizeAxis(OpTy op, Value x, Value scale) {
  auto st = dyn_cast<RankedTensorType>(scale.getType());
  if (!st || st.getRank() == 0 ||
      (st.hasStaticShape() && st.getNumElements() == 1))
    return success();
  return checkAxis(op, op.getAxis(), x);
}

LogicalResult checkPerm(ONNXTransposeOp op) {
  int64_t r = rankOf(op.getData());
  SmallVector<int64_t> perm = getIntArray(op.getPermAttr());
  if (r < 0 || perm.empty())
    return success();
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t p : perm)
    if (p < 0 || p >= r || !seen.insert(p).second)
      return op.emitError() << "perm is not a permutation of 0 to " << r - 1;
  return success();
}

LogicalResult checkConv(ONNXConvOp op) {
  int64_t g = op.getGroup();
  if (g < 1)
    return op.emitError() << "group " << g << " must be at least 1";
  auto wt = dyn_cast<RankedTensorType>(op.getW().getType());
  if (!wt || wt.getRank() < 2)
    return success();
  if (!wt.isDynamicDim(0) && wt.getDimSize(0) % g != 0)
    return op.emitError() << "group " << g << " does not divide the "
                          << wt.getDimSize(0) << " output channels";
  SmallVector<int64_t> k = getIntArray(op.getKernelShapeAttr());
  if (k.empty())
    return success();
  if (int64_t(k.size()) != wt.getRank() - 2)
    return op.emitError() << "kernel_shape has " << k.size()
                          << " entries, the weights " << wt.getRank() - 2
                          << " spatial dims";
  for (auto [i, d] : llvm::enumerate(k))
    if (!wt.isDynamicDim(i + 2) && wt.getDimSize(i + 2) != d)
      return op.emitError()
             << "kernel_shape " << d << " at dim " << i
             << " contradicts the weights' " << wt.getDimSize(i + 2);
  return success();
}

/// A convolution's or pool's window attributes against the input's
/// spatial rank: kernel_shape, strides and dilations one entry per
/// spatial dim and positive, pads two per dim and not negative (a Conv
/// with two pads for two spatial dims padded one axis by 2^29: the
/// compile fuzzer's finding).
template <typename OpT> LogicalResult checkWindow(OpT op, Value input) {
  int64_t r = rankOf(input);
  if (r < 0)
    return success();
  // [N, C, spatial...] (a scalar Conv input: the compile fuzzer's finding).
  if (r < 3)
    return op.emitError() << "the input has rank " << r
                          << ", 3 or more expected (N, C, spatial dims)";
  int64_t n = r - 2;
  auto check = [&](StringRef name, ArrayAttr attr, int64_t count,
                   int64_t least) -> LogicalResult {
    SmallVector<int64_t> v = getIntArray(attr);
    if (v.empty())
      return success();
    if (int64_t(v.size()) != count)
      return op.emitError()
             << name << " has " << v.size() << " entries, " << count
             << " expected for " << n << " spatial dims";
    for (int64_t x : v)
      if (x < least)
        return op.emitError() << name << " " << x << " is less than " << least;
    return success();
  };
  if (failed(check("kernel_shape", op.getKernelShapeAttr(), n, 1)) ||
      failed(check("strides", op.getStridesAttr(), n, 1)) ||
      failed(check("dilations", op.getDilationsAttr(), n, 1)) ||
      failed(check("pads", op.getPadsAttr(), 2 * n, 0)))
    return failure();
  return success();
}

} // namespace

LogicalResult mcc::onnx::checkResultSizes(Operation *op) {
  // 2^48 elements, as for initializers (ModelChecks): a static size that
  // later byte counts and loop bounds cannot overflow.
  constexpr int64_t kMaxElements = int64_t(1) << 48;
  for (OpResult r : op->getResults()) {
    auto t = dyn_cast<RankedTensorType>(r.getType());
    if (!t)
      continue;
    int64_t n = 1;
    bool empty = llvm::is_contained(t.getShape(), 0);
    for (int64_t d : t.getShape())
      if (!empty && !ShapedType::isDynamic(d) &&
          (llvm::MulOverflow(n, d, n) || n > kMaxElements))
        return op->emitError() << "result #" << r.getResultNumber()
                               << " would have more than 2^48 elements";
  }
  return success();
}

LogicalResult mcc::onnx::checkAttributes(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ONNXSoftmaxOp, ONNXLogSoftmaxOp, ONNXHardmaxOp,
            ONNXLpNormalizationOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getInput()); })
      .Case<ONNXArgMaxOp, ONNXArgMinOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getData()); })
      .Case<ONNXGatherOp, ONNXGatherElementsOp, ONNXScatterElementsOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getData()); })
      .Case<ONNXTopKOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getX()); })
      .Case<ONNXLayerNormalizationOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getX()); })
      .Case<ONNXSplitOp>(
          [](auto o) { return checkAxis(o, o.getAxis(), o.getInput()); })
      .Case<ONNXConcatOp>([](ONNXConcatOp o) {
        return checkAxis(o, o.getAxis(), o.getInputs()[0]);
      })
      .Case<ONNXFlattenOp>([](ONNXFlattenOp o) {
        int64_t r = rankOf(o.getInput());
        return checkAxis(o, "axis", o.getAxis(), r, -r, r);
      })
      .Case<ONNXOneHotOp>([](ONNXOneHotOp o) {
        int64_t r = rankOf(o.getIndices());
        return checkAxis(o, "axis", o.getAxis(), r, -r - 1, r);
      })
      .Case<ONNXDequantizeLinearOp>([](ONNXDequantizeLinearOp o) {
        return checkQuantizeAxis(o, o.getX(), o.getXScale());
      })
      .Case<ONNXQuantizeLinearOp>([](ONNXQuantizeLinearOp o) {
        return checkQuantizeAxis(o, o.getX(), o.getYScale());
      })
      .Case<ONNXTransposeOp>(checkPerm)
      .Case<ONNXConvOp>([](ONNXConvOp o) {
        return failure(failed(checkConv(o)) ||
                       failed(checkWindow(o, o.getX())));
      })
      .Case<ONNXConvTransposeOp, ONNXMaxPoolOp, ONNXAveragePoolOp, ONNXLpPoolOp,
            ONNXConvIntegerOp>([](auto o) { return checkWindow(o, o.getX()); })
      .Case<ONNXQLinearConvOp>(
          [](ONNXQLinearConvOp o) { return checkWindow(o, o.getX()); })
      // [N, C, spatial...] (a GlobalAveragePool of a rank-1 initializer:
      // the compile fuzzer's session-21 finding, a negative count of
      // spatial dims in the lowering).
      .Case<ONNXGlobalAveragePoolOp, ONNXGlobalMaxPoolOp, ONNXGlobalLpPoolOp>(
          [](auto o) -> LogicalResult {
            int64_t r = rankOf(o.getX());
            if (r >= 0 && r < 3)
              return o.emitError()
                     << "the input has rank " << r
                     << ", 3 or more expected (N, C, spatial dims)";
            return success();
          })
      .Default([](Operation *) { return success(); });
}
