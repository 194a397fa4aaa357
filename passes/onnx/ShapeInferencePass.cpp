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
    OpBuilder builder(&getContext());
    bool failedAny = false;
    // ONNX graphs are topologically sorted: one forward walk sees every
    // operand's final type before its users.
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (op.getDialect() == nullptr ||
          !isa<onnx::ONNXDialect>(op.getDialect()))
        continue;
      if (failed(onnx::inferShapes(&op))) {
        failedAny = true;
        continue;
      }
      if (isa<onnx::ONNXConstantOp>(op))
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
};
} // namespace
