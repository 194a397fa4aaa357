//===- PromoteLoopBuffers.cpp - Per-iteration buffers on the stack --------===//
//
// A buffer allocated and freed in each iteration of a loop (the row of a
// depthwise conv fused into its 1x1 consumer) would be a malloc and a free
// per iteration, in every thread. Once convert-parallel-loops-to-runtime
// has outlined the parallel loops, every loop left runs its iterations one
// after another, in one thread: a small buffer becomes a single alloca in
// its function's entry block, allocated once per call (per thread's share
// of a parallel loop) and reused by every iteration, so its few KiB stay
// hot in L1. (A fresh buffer's contents are undefined, so sharing it
// across iterations that run in order changes nothing.) The promoted
// buffers of a function are capped in total; the rest stay malloc/free.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mcc {
#define GEN_PASS_DEF_PROMOTELOOPBUFFERS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// The dealloc of `alloc` when it is its only one and in the same block.
memref::DeallocOp deallocInBlock(memref::AllocOp alloc) {
  memref::DeallocOp found;
  for (Operation *user : alloc->getUsers())
    if (auto d = dyn_cast<memref::DeallocOp>(user)) {
      if (found || d->getBlock() != alloc->getBlock())
        return {};
      found = d;
    }
  return found;
}

std::optional<int64_t> byteSize(MemRefType t) {
  if (!t.hasStaticShape() || !t.getLayout().isIdentity() ||
      t.getMemorySpace() || !t.getElementType().isIntOrFloat())
    return std::nullopt;
  return t.getNumElements() * t.getElementType().getIntOrFloatBitWidth() / 8;
}

struct PromoteLoopBuffers
    : mcc::impl::PromoteLoopBuffersBase<PromoteLoopBuffers> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    SmallVector<std::pair<memref::AllocOp, memref::DeallocOp>> allocs;
    int64_t total = 0;
    func.walk([&](memref::AllocOp alloc) {
      if (!isa<LoopLikeOpInterface>(alloc->getParentOp()))
        return;
      std::optional<int64_t> bytes = byteSize(alloc.getType());
      if (!bytes || *bytes > maxBytes || total + *bytes > maxTotalBytes)
        return;
      if (memref::DeallocOp dealloc = deallocInBlock(alloc)) {
        allocs.push_back({alloc, dealloc});
        total += *bytes;
      }
    });
    IRRewriter rewriter(&getContext());
    for (auto [alloc, dealloc] : allocs) {
      rewriter.eraseOp(dealloc);
      rewriter.setInsertionPointToStart(&entry);
      auto alloca = memref::AllocaOp::create(
          rewriter, alloc.getLoc(), alloc.getType(), alloc.getAlignmentAttr());
      rewriter.replaceOp(alloc, alloca);
    }
  }
};

} // namespace
