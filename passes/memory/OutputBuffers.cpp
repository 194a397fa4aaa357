//===- OutputBuffers.cpp - Dynamic results computed in the caller's buffer ===//
//
// buffer-results-to-out-params hoists a static result's allocation into the
// caller's buffer; a dynamically sized one keeps its own allocation and a
// copy into the out-parameter at the end. The runtime only calls the graph
// with output buffers of exactly the size the shape function computed, the
// size the allocation has, so the allocation can be the out-parameter.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mcc {
#define GEN_PASS_DEF_DYNAMICRESULTSINPLACE
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

struct DynamicResultsInPlace
    : mcc::impl::DynamicResultsInPlaceBase<DynamicResultsInPlace> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
    if (!ret)
      return;
    // copy(%alloc, %outArg) right before the return, %alloc a dynamically
    // sized memref.alloc of the out-parameter's type used nowhere after.
    for (Operation *op = ret->getPrevNode(); op;) {
      auto copy = dyn_cast<memref::CopyOp>(op);
      op = op->getPrevNode();
      if (!copy)
        break;
      auto arg = dyn_cast<BlockArgument>(copy.getTarget());
      auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
      if (!arg || arg.getOwner() != &entry || !alloc ||
          alloc.getType() != arg.getType() ||
          alloc.getType().hasStaticShape() ||
          llvm::any_of(arg.getUsers(),
                       [&](Operation *u) { return u != copy; }) ||
          llvm::any_of(alloc->getUsers(), [&](Operation *u) {
            return u != copy && isa<memref::DeallocOp>(u);
          }))
        continue;
      copy.erase();
      alloc.getResult().replaceAllUsesWith(arg);
      alloc.erase();
    }
  }
};

} // namespace
