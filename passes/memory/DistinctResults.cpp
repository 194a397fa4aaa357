//===- DistinctResults.cpp - Every returned tensor its own value ----------===//
//
// Two graph outputs can be the same value (y1 = Identity(r), y2 =
// Identity(r) fold to `return %r, %r`). Each output is a separate caller
// buffer, and upstream buffer-results-to-out-params crashes when one buffer
// is returned twice. Later occurrences of a value in the return get a copy.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace mcc {
#define GEN_PASS_DEF_DISTINCTRETURNVALUES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

struct DistinctReturnValues
    : mcc::impl::DistinctReturnValuesBase<DistinctReturnValues> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (seen.insert(v).second || !type)
          continue;
        Value init = tensor::EmptyOp::create(
            b, ret.getLoc(), tensor::getMixedSizes(b, ret.getLoc(), v),
            type.getElementType());
        operand.set(
            linalg::CopyOp::create(b, ret.getLoc(), v, init).getResult(0));
      }
    });
  }
};

} // namespace
