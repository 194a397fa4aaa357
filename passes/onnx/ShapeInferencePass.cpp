//===- ShapeInferencePass.cpp - onnx-shape-inference ----------------------===//

#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace mcc {
#define GEN_PASS_DEF_ONNXSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;

namespace {
struct OnnxShapeInferencePass
    : mcc::impl::OnnxShapeInferenceBase<OnnxShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (failed(forward(func)))
      return signalPassFailure();
    // Declared output shapes flow back through unary ops to producers that
    // forward inference could not type; then forward again from them.
    for (int round = 0; round < 4; ++round) {
      bool changed = false;
      for (Operation &op : llvm::reverse(func.getBody().front()))
        if (isa_and_nonnull<onnx::ONNXDialect>(op.getDialect()))
          changed |= onnx::inferShapesBackward(&op);
      if (!changed)
        break;
      if (failed(forward(func)))
        return signalPassFailure();
    }
    // Drop constants that folding left without users.
    for (Operation &op :
         llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
      if (isa<onnx::ONNXConstantOp, onnx::ONNXNoValueOp>(op) && op.use_empty())
        op.erase();
    auto ret = func.getBody().front().getTerminator();
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ret->getOperandTypes()));
  }

  /// Infers result types and folds constants, in one forward walk.
  LogicalResult forward(func::FuncOp func) {
    return forward(func.getBody().front());
  }

  LogicalResult forward(Block &block) {
    // An If on a constant (exporters branch on static shapes) is replaced
    // by the taken branch's ops; the walk then starts over to see them.
    while (true) {
      bool inlined = false;
      if (failed(forwardOnce(block, inlined)))
        return failure();
      if (!inlined)
        return success();
    }
  }

  /// Replaces an If whose condition is a constant by its taken branch.
  static bool inlineConstantIf(onnx::ONNXIfOp ifOp) {
    DenseElementsAttr c = onnx::getDenseConstant(ifOp.getCond());
    if (!c || c.getNumElements() != 1)
      return false;
    bool taken = *c.getValues<bool>().begin();
    Block &branch =
        (taken ? ifOp.getThenBranch() : ifOp.getElseBranch()).front();
    auto yield = cast<onnx::ONNXYieldOp>(branch.getTerminator());
    SmallVector<Value> out(yield.getOutputs());
    yield.erase();
    ifOp->getBlock()->getOperations().splice(ifOp->getIterator(),
                                             branch.getOperations());
    for (auto [r, v] : llvm::zip(ifOp->getResults(), out))
      r.replaceAllUsesWith(v);
    ifOp->erase();
    return true;
  }

  LogicalResult forwardOnce(Block &block, bool &inlined) {
    OpBuilder builder(&getContext());
    bool failedAny = false;
    // ONNX graphs are topologically sorted: one forward walk sees every
    // operand's final type before its users.
    for (Operation *next = block.empty() ? nullptr : &block.front(); next;) {
      Operation &op = *next;
      next = op.getNextNode();
      if (op.getDialect() == nullptr ||
          !isa<onnx::ONNXDialect>(op.getDialect()))
        continue;
      // An onnxruntime op becomes ai.onnx ops here, where its operands
      // have their shapes (a channels-last pool needs the rank); the walk
      // goes on with the first of them.
      if (op.getName().getStringRef().starts_with("onnx.ms.")) {
        Operation *prev = op.getPrevNode();
        if (failed(expandMsOp(&op))) {
          failedAny = true;
          continue;
        }
        op.erase();
        next = prev ? prev->getNextNode() : &block.front();
        continue;
      }
      if (auto ifOp = dyn_cast<onnx::ONNXIfOp>(op);
          ifOp && inlineConstantIf(ifOp)) {
        inlined = true;
        return success();
      }
      if (op.getNumRegions() && failed(inferRegions(&op))) {
        failedAny = true;
        continue;
      }
      if (failed(onnx::inferShapes(&op))) {
        failedAny = true;
        continue;
      }
      if (isa<onnx::ONNXConstantOp>(op) || op.getNumRegions())
        continue;
      SmallVector<DenseElementsAttr> folded;
      if (failed(onnx::foldConstants(&op, folded)))
        continue;
      builder.setInsertionPoint(&op);
      for (auto [res, value] : llvm::zip(op.getResults(), folded))
        res.replaceAllUsesWith(
            onnx::createConstant(builder, op.getLoc(), value));
      op.erase();
    }
    return failure(failedAny);
  }

  /// Types inside an If's branches or a Loop's/Scan's body. A body's
  /// carried arguments start as the initial values' types and widen to
  /// what the body yields for them (a dim that changes between iterations
  /// becomes dynamic); a Scan body's slices are its inputs without the
  /// scanned dim.
  LogicalResult inferRegions(Operation *op) {
    auto setArg = [](Block &b, unsigned i, Type t) -> bool {
      if (i >= b.getNumArguments() || b.getArgument(i).getType() == t)
        return false;
      b.getArgument(i).setType(t);
      return true;
    };
    auto yielded = [](Block &b) -> ValueRange {
      if (auto y = dyn_cast<onnx::ONNXYieldOp>(b.getTerminator()))
        return y.getOutputs();
      return {};
    };
    for (int round = 0; round < 4; ++round) {
      bool changed = false;
      if (auto loop = dyn_cast<onnx::ONNXLoopOp>(op)) {
        Block &body = loop.getBody().front();
        ValueRange y = yielded(body);
        for (auto [i, v] : llvm::enumerate(loop.getVInitial())) {
          Type t = v.getType();
          if (round > 0 && 1 + i < y.size())
            t = onnx::joinTypes(body.getArgument(2 + i).getType(),
                                y[1 + i].getType());
          changed |= setArg(body, 2 + i, t);
        }
      } else if (auto scan = dyn_cast<onnx::ONNXScanOp>(op)) {
        Block &body = scan.getBody().front();
        ValueRange y = yielded(body);
        ValueRange ins = scan.getInitialStateAndScanInputs();
        int64_t nState = int64_t(ins.size()) - scan.getNumScanInputs();
        SmallVector<int64_t> axes =
            onnx::getIntArray(scan.getScanInputAxesAttr());
        for (auto [i, v] : llvm::enumerate(ins)) {
          Type t = v.getType();
          if (int64_t(i) < nState) {
            if (round > 0 && i < y.size())
              t = onnx::joinTypes(body.getArgument(i).getType(),
                                  y[i].getType());
          } else if (auto rt = dyn_cast<RankedTensorType>(t)) {
            int64_t k = i - nState;
            int64_t a = k < int64_t(axes.size())
                            ? onnx::normalizeAxis(axes[k], rt.getRank())
                            : 0;
            if (a < 0 || a >= rt.getRank())
              return op->emitError("Scan input axis out of range");
            SmallVector<int64_t> shape(rt.getShape());
            shape.erase(shape.begin() + a);
            t = RankedTensorType::get(shape, rt.getElementType());
          }
          changed |= setArg(body, i, t);
        }
      }
      if (round > 0 && !changed)
        break;
      for (Region &r : op->getRegions())
        if (!r.empty() && failed(forward(r.front())))
          return failure();
    }
    return success();
  }
};
} // namespace
