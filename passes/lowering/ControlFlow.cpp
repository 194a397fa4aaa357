//===- ControlFlow.cpp - If, Loop and Scan to scf on tensors --------------===//
//
// Runs before convert-onnx-to-linalg: the region ops become scf ops whose
// bodies keep their onnx ops (the conversion lowers them where they are).
//
//   If   -> scf.if on the condition's element.
//   Loop -> scf.while carrying (iteration, condition, values..., stacked
//           scan outputs...): runs while iteration < M and the condition
//           holds; scan outputs go into [M, slice...] buffers, sliced to
//           the iterations run.
//   Scan -> scf.for over the scanned length carrying (states..., outputs);
//           each input's slice is extracted along its axis (reversed
//           directions count from the end), each output's slice inserted.
//
// Values whose type differs between the entry and the yields are carried
// as their join (shape inference typed the bodies so); tensor.cast bridges.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mcc {
#define GEN_PASS_DEF_CONVERTONNXCONTROLFLOW
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;

namespace {

Value castTo(OpBuilder &b, Location loc, Value v, Type t) {
  return v.getType() == t ? v
                          : tensor::CastOp::create(b, loc, t, v).getResult();
}

/// The single element of a rank-0 or one-element tensor.
Value elementOf(OpBuilder &b, Location loc, Value t) {
  auto tt = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(tt.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

/// Moves `block`'s ops before `before`, its arguments replaced by `args`;
/// returns what its onnx.Yield yielded (the yield itself is erased).
SmallVector<Value> inlineBody(Block &block, Operation *before,
                              ValueRange args) {
  for (auto [arg, v] : llvm::zip(block.getArguments(), args))
    arg.replaceAllUsesWith(v);
  auto yield = cast<ONNXYieldOp>(block.getTerminator());
  SmallVector<Value> out(yield.getOutputs());
  yield.erase();
  before->getBlock()->getOperations().splice(before->getIterator(),
                                             block.getOperations());
  return out;
}

/// A rank-0 tensor of `v` (an index or i1 scalar) with element type `et`.
Value scalarTensor(OpBuilder &b, Location loc, Value v, Type et) {
  if (v.getType() != et)
    v = isa<IndexType>(v.getType())
            ? arith::IndexCastOp::create(b, loc, et, v).getResult()
            : v;
  return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, et),
                                        v);
}

LogicalResult lowerIf(ONNXIfOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  for (Type t : op->getResultTypes())
    if (!isa<RankedTensorType>(t))
      return op.emitError("cannot lower this op: an If output needs a known "
                          "rank");
  Value cond = elementOf(b, loc, op.getCond());
  auto ifOp = scf::IfOp::create(b, loc, op->getResultTypes(), cond,
                                /*addThenBlock=*/true, /*addElseBlock=*/true);
  for (auto [from, to] :
       {std::pair{&op.getThenBranch(), &ifOp.getThenRegion()},
        std::pair{&op.getElseBranch(), &ifOp.getElseRegion()}}) {
    Block &dest = to->front();
    if (!dest.empty())
      dest.getTerminator()->erase();
    b.setInsertionPointToEnd(&dest);
    Operation *anchor = scf::YieldOp::create(b, loc);
    SmallVector<Value> out = inlineBody(from->front(), anchor, {});
    b.setInsertionPoint(anchor);
    SmallVector<Value> casted;
    for (auto [v, t] : llvm::zip(out, op->getResultTypes()))
      casted.push_back(castTo(b, loc, v, t));
    anchor->setOperands(casted);
  }
  op->replaceAllUsesWith(ifOp.getResults());
  op.erase();
  return success();
}

/// A scan output's buffer, [n at `axis`, slice...]: allocated before the
/// loop when the slice's shape is static, else empty (0 along every
/// dynamic slice dim) until the first iteration knows the slice (see
/// allocateOnFirst).
Value scanBuffer(OpBuilder &b, Location loc, RankedTensorType slice,
                 int64_t axis, Value n) {
  SmallVector<OpFoldResult> dims;
  for (int64_t d : slice.getShape())
    dims.push_back(b.getIndexAttr(ShapedType::isDynamic(d) ? 0 : d));
  dims.insert(dims.begin() + axis, n);
  Value e = tensor::EmptyOp::create(b, loc, dims, slice.getElementType());
  SmallVector<int64_t> shape(slice.getShape());
  shape.insert(shape.begin() + axis, ShapedType::kDynamic);
  return castTo(b, loc, e,
                RankedTensorType::get(shape, slice.getElementType()));
}

/// In the loop body: a buffer whose slice shape was unknown before the
/// loop is allocated at the first iteration from the slice's dims.
Value allocateOnFirst(OpBuilder &b, Location loc, Value acc, Value slice,
                      int64_t axis, Value n, Value isFirst) {
  auto st = cast<RankedTensorType>(slice.getType());
  if (st.hasStaticShape())
    return acc;
  return scf::IfOp::create(
             b, loc, isFirst,
             [&](OpBuilder &tb, Location l) {
               SmallVector<OpFoldResult> dims =
                   tensor::getMixedSizes(tb, l, slice);
               dims.insert(dims.begin() + axis, n);
               Value e =
                   tensor::EmptyOp::create(tb, l, dims, st.getElementType());
               scf::YieldOp::create(tb, l, castTo(tb, l, e, acc.getType()));
             },
             [&](OpBuilder &eb, Location l) {
               scf::YieldOp::create(eb, l, acc);
             })
      .getResult(0);
}

/// The sizes of a slice of `acc` along `axis` (1 there, the slice's dims
/// elsewhere).
SmallVector<OpFoldResult> sliceSizes(OpBuilder &b, Location loc, Value slice,
                                     int64_t axis) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, slice);
  sizes.insert(sizes.begin() + axis, b.getIndexAttr(1));
  return sizes;
}

LogicalResult lowerLoop(ONNXLoopOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Block &body = op.getBody().front();
  auto yield = cast<ONNXYieldOp>(body.getTerminator());
  unsigned carried = op.getVInitial().size();
  unsigned scans = op->getNumResults() - carried;
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  bool hasM = !isNoValue(op.getM());
  for (unsigned k = 0; k < scans; ++k) {
    if (!hasM)
      return op.emitError("cannot lower this op: scan outputs need the trip "
                          "count M");
    if (!isa<RankedTensorType>(yield.getOutputs()[1 + carried + k].getType()))
      return op.emitError("cannot lower this op: scan outputs need a known "
                          "rank");
  }
  Value maxTrips = hasM ? elementOf(b, loc, op.getM())
                        : arith::ConstantIntOp::create(
                              b, loc, i64, std::numeric_limits<int64_t>::max())
                              .getResult();
  Value go = isNoValue(op.getCond())
                 ? arith::ConstantIntOp::create(b, loc, 1, 1).getResult()
                 : elementOf(b, loc, op.getCond());
  // Scan outputs: [M, slice...], filled one row per iteration.
  SmallVector<Value> accs;
  Value mIndex = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      arith::MaxSIOp::create(b, loc, maxTrips,
                             arith::ConstantIntOp::create(b, loc, i64, 0)));
  for (unsigned k = 0; k < scans; ++k)
    accs.push_back(scanBuffer(
        b, loc,
        cast<RankedTensorType>(yield.getOutputs()[1 + carried + k].getType()),
        0, mIndex));
  SmallVector<Value> inits = {arith::ConstantIntOp::create(b, loc, i64, 0), go};
  SmallVector<Type> types = {i64, i1};
  for (unsigned i = 0; i < carried; ++i) {
    Type t = body.getArgument(2 + i).getType();
    inits.push_back(castTo(b, loc, op.getVInitial()[i], t));
    types.push_back(t);
  }
  for (Value acc : accs) {
    inits.push_back(acc);
    types.push_back(acc.getType());
  }
  SmallVector<Location> locs(types.size(), loc);
  auto whileOp = scf::WhileOp::create(b, loc, types, inits);
  Block *before = b.createBlock(&whileOp.getBefore(), {}, types, locs);
  Value more = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                            before->getArgument(0), maxTrips),
      before->getArgument(1));
  scf::ConditionOp::create(b, loc, more, before->getArguments());
  Block *after = b.createBlock(&whileOp.getAfter(), {}, types, locs);
  Value iter = after->getArgument(0);
  Operation *anchor = scf::YieldOp::create(b, loc);
  b.setInsertionPoint(anchor);
  SmallVector<Value> args = {scalarTensor(b, loc, iter, i64),
                             scalarTensor(b, loc, after->getArgument(1), i1)};
  for (unsigned i = 0; i < carried; ++i)
    args.push_back(after->getArgument(2 + i));
  SmallVector<Value> out = inlineBody(body, anchor, args);
  b.setInsertionPoint(anchor);
  SmallVector<Value> next = {
      arith::AddIOp::create(b, loc, iter,
                            arith::ConstantIntOp::create(b, loc, i64, 1)),
      elementOf(b, loc, out[0])};
  for (unsigned i = 0; i < carried; ++i)
    next.push_back(castTo(b, loc, out[1 + i], types[2 + i]));
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), iter);
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, iter,
                            arith::ConstantIntOp::create(b, loc, i64, 0));
  for (unsigned k = 0; k < scans; ++k) {
    Value slice = out[1 + carried + k];
    Value acc = allocateOnFirst(b, loc, after->getArgument(2 + carried + k),
                                slice, 0, mIndex, isFirst);
    auto at = cast<RankedTensorType>(acc.getType());
    SmallVector<OpFoldResult> offs(at.getRank(), b.getIndexAttr(0)),
        strides(at.getRank(), b.getIndexAttr(1));
    offs[0] = row;
    next.push_back(tensor::InsertSliceOp::create(
        b, loc, slice, acc, offs, sliceSizes(b, loc, slice, 0), strides));
  }
  anchor->setOperands(next);
  // Results: the carried values, and each scan output cut to the
  // iterations that ran.
  b.setInsertionPointAfter(whileOp);
  Value count = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           whileOp.getResult(0));
  SmallVector<Value> results;
  for (unsigned i = 0; i < carried; ++i)
    results.push_back(
        castTo(b, loc, whileOp.getResult(2 + i), op->getResultTypes()[i]));
  for (unsigned k = 0; k < scans; ++k) {
    Value acc = whileOp.getResult(2 + carried + k);
    auto at = cast<RankedTensorType>(acc.getType());
    SmallVector<OpFoldResult> offs(at.getRank(), b.getIndexAttr(0)),
        sizes = tensor::getMixedSizes(b, loc, acc),
        strides(at.getRank(), b.getIndexAttr(1));
    sizes[0] = count;
    Value r = tensor::ExtractSliceOp::create(b, loc, acc, offs, sizes, strides);
    results.push_back(castTo(b, loc, r, op->getResultTypes()[carried + k]));
  }
  op->replaceAllUsesWith(results);
  op.erase();
  return success();
}

LogicalResult lowerScan(ONNXScanOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Block &body = op.getBody().front();
  auto yield = cast<ONNXYieldOp>(body.getTerminator());
  ValueRange ins = op.getInitialStateAndScanInputs();
  int64_t nScan = op.getNumScanInputs();
  int64_t nState = int64_t(ins.size()) - nScan;
  int64_t nOut = op->getNumResults() - nState;
  if (nScan < 1 || nState < 0)
    return op.emitError("cannot lower this op: needs at least one scan input");
  auto attr = [](std::optional<ArrayAttr> a, int64_t n) {
    SmallVector<int64_t> v = a ? getIntArray(*a) : SmallVector<int64_t>();
    v.resize(n, 0);
    return v;
  };
  SmallVector<int64_t> inAxes = attr(op.getScanInputAxes(), nScan),
                       inDirs = attr(op.getScanInputDirections(), nScan),
                       outAxes = attr(op.getScanOutputAxes(), nOut),
                       outDirs = attr(op.getScanOutputDirections(), nOut);
  for (int64_t k = 0; k < nOut; ++k)
    if (!isa<RankedTensorType>(yield.getOutputs()[nState + k].getType()))
      return op.emitError("cannot lower this op: scan outputs need a known "
                          "rank");
  auto inputAxis = [&](int64_t j) {
    auto t = cast<RankedTensorType>(ins[nState + j].getType());
    return normalizeAxis(inAxes[j], t.getRank());
  };
  Value len = tensor::DimOp::create(b, loc, ins[nState], inputAxis(0));
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value lastIdx = arith::SubIOp::create(b, loc, len, one);
  // Outputs: [len at the axis, slice...].
  SmallVector<Value> inits;
  for (int64_t i = 0; i < nState; ++i)
    inits.push_back(castTo(b, loc, ins[i], body.getArgument(i).getType()));
  for (int64_t k = 0; k < nOut; ++k) {
    auto st = cast<RankedTensorType>(yield.getOutputs()[nState + k].getType());
    int64_t a = normalizeAxis(outAxes[k], st.getRank() + 1);
    inits.push_back(scanBuffer(b, loc, st, a, len));
  }
  auto forOp = scf::ForOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, 0), len, one, inits);
  Block *loopBody = forOp.getBody();
  if (!loopBody->empty() && loopBody->back().hasTrait<OpTrait::IsTerminator>())
    loopBody->back().erase();
  b.setInsertionPointToEnd(loopBody);
  Operation *anchor = scf::YieldOp::create(b, loc);
  b.setInsertionPoint(anchor);
  Value t = forOp.getInductionVar();
  Value rev = arith::SubIOp::create(b, loc, lastIdx, t);
  // The body's arguments: the states, then each input's slice at t.
  SmallVector<Value> args(forOp.getRegionIterArgs().take_front(nState));
  for (int64_t j = 0; j < nScan; ++j) {
    Value x = ins[nState + j];
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t a = inputAxis(j);
    SmallVector<OpFoldResult> offs(xt.getRank(), b.getIndexAttr(0)),
        sizes = tensor::getMixedSizes(b, loc, x),
        strides(xt.getRank(), b.getIndexAttr(1));
    offs[a] = inDirs[j] ? rev : t;
    sizes[a] = b.getIndexAttr(1);
    auto sliceT =
        cast<RankedTensorType>(body.getArgument(nState + j).getType());
    SmallVector<int64_t> shape(xt.getShape());
    shape.erase(shape.begin() + a);
    Value s = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(shape, xt.getElementType()), x, offs,
        sizes, strides);
    args.push_back(castTo(b, loc, s, sliceT));
  }
  SmallVector<Value> out = inlineBody(body, anchor, args);
  b.setInsertionPoint(anchor);
  SmallVector<Value> next;
  for (int64_t i = 0; i < nState; ++i)
    next.push_back(castTo(b, loc, out[i], inits[i].getType()));
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t,
                            arith::ConstantIndexOp::create(b, loc, 0));
  for (int64_t k = 0; k < nOut; ++k) {
    Value slice = out[nState + k];
    auto st = cast<RankedTensorType>(slice.getType());
    int64_t a = normalizeAxis(outAxes[k], st.getRank() + 1);
    Value acc = allocateOnFirst(b, loc, forOp.getRegionIterArgs()[nState + k],
                                slice, a, len, isFirst);
    auto at = cast<RankedTensorType>(acc.getType());
    SmallVector<OpFoldResult> offs(at.getRank(), b.getIndexAttr(0)),
        strides(at.getRank(), b.getIndexAttr(1));
    offs[a] = outDirs[k] ? rev : t;
    next.push_back(tensor::InsertSliceOp::create(
        b, loc, slice, acc, offs, sliceSizes(b, loc, slice, a), strides));
  }
  anchor->setOperands(next);
  b.setInsertionPointAfter(forOp);
  SmallVector<Value> results;
  for (auto [r, t2] : llvm::zip(forOp.getResults(), op->getResultTypes()))
    results.push_back(castTo(b, loc, r, t2));
  op->replaceAllUsesWith(results);
  op.erase();
  return success();
}

struct ConvertOnnxControlFlowPass
    : mcc::impl::ConvertOnnxControlFlowBase<ConvertOnnxControlFlowPass> {
  void runOnOperation() override {
    // Innermost first: a body is final when its op moves it.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<ONNXIfOp, ONNXLoopOp, ONNXScanOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult r = TypeSwitch<Operation *, LogicalResult>(op)
                            .Case<ONNXIfOp>(lowerIf)
                            .Case<ONNXLoopOp>(lowerLoop)
                            .Case<ONNXScanOp>(lowerScan);
      if (failed(r))
        return signalPassFailure();
    }
  }
};

} // namespace
