//===- EmptyArguments.cpp - Zero-element buffers at the function boundary -===//
//
// The bare-pointer calling convention cannot describe a memref with no
// elements (its strides are not canonical), so convert-func-to-llvm would
// leave a function with one untranslated. Such an argument carries no
// data: it becomes a memref<1xT> (still one pointer in the ABI, never
// read or written), and its uses get a stack memref of the original type.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mcc {
#define GEN_PASS_DEF_RETYPEEMPTYARGUMENTS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

struct RetypeEmptyArguments
    : mcc::impl::RetypeEmptyArgumentsBase<RetypeEmptyArguments> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    OpBuilder b(&entry, entry.begin());
    SmallVector<Type> inputs(func.getArgumentTypes());
    bool changed = false;
    for (BlockArgument arg : entry.getArguments()) {
      auto t = dyn_cast<MemRefType>(arg.getType());
      if (!t || !t.hasStaticShape() || t.getNumElements() != 0)
        continue;
      Value stand = memref::AllocaOp::create(
          b, func.getLoc(),
          MemRefType::get(t.getShape(), t.getElementType()));
      if (stand.getType() != t)
        stand = memref::CastOp::create(b, func.getLoc(), t, stand);
      arg.replaceAllUsesWith(stand);
      auto one = MemRefType::get({1}, t.getElementType());
      arg.setType(one);
      inputs[arg.getArgNumber()] = one;
      changed = true;
    }
    if (changed)
      func.setType(FunctionType::get(&getContext(), inputs,
                                     func.getResultTypes()));
  }
};

} // namespace
