//===- PrefetchEpilogue.cpp - Prefetch what a register tile reads last ----===//
//
// A register tile accumulates over its whole reduction loop, then reads
// its epilogue operands (a residual add's other input) and stores the
// result. Those operands and the output rows are touched once, long after
// the previous tile's, so each of their lines comes from L3 or memory at
// the end of the tile, with nothing left to overlap the wait: in
// ResNet-50's 64 -> 256 1x1 convs with a residual add, the adds of the
// epilogue took a third of the kernel's samples. Here every vector
// transfer that follows a reduction loop in its block (an scf.for carrying
// vectors), up to the next loop, gets a memref.prefetch of its lines
// placed before the loop: a read prefetch for transfer_read, a write
// prefetch for transfer_write. The reduction's hundreds of cycles then
// hide the misses.
//
// Only in-bounds transfers with a minor-identity map, whose indices (and
// memref) are available before the loop or computed from such values by
// pure ops, which are cloned there.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Prefetch.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mcc {
#define GEN_PASS_DEF_PREFETCHEPILOGUEOPERANDS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// `v` as a value usable right before `loop`: itself when it is defined
/// there already, else a clone of its pure defining op (recursively),
/// inserted before `loop`; null when it is not computable there.
Value availableBefore(Value v, scf::ForOp loop, IRMapping &clones,
                      OpBuilder &b) {
  if (Value c = clones.lookupOrNull(v))
    return c;
  Block *block = loop->getBlock();
  if (v.getParentBlock() != block)
    return v; // from an enclosing region: dominates the loop
  Operation *def = v.getDefiningOp();
  if (!def)
    return v; // an argument of the loop's own block
  if (def->isBeforeInBlock(loop))
    return v;
  if (def->getNumRegions() != 0 || def->getNumResults() != 1 || !isPure(def))
    return {};
  for (Value operand : def->getOperands())
    if (!availableBefore(operand, loop, clones, b))
      return {};
  Operation *clone = b.clone(*def, clones);
  return clone->getResult(0);
}

/// Prefetches the lines of one transfer before `loop`.
void prefetchBefore(VectorTransferOpInterface transfer, bool isWrite,
                    scf::ForOp loop, IRMapping &clones, OpBuilder &b) {
  auto memrefType = dyn_cast<MemRefType>(transfer.getShapedType());
  VectorType vecType = transfer.getVectorType();
  if (!memrefType || memrefType.getRank() == 0 || !vecType.hasStaticShape() ||
      vecType.getRank() != 1 ||
      !transfer.getPermutationMap().isMinorIdentity() || transfer.getMask() ||
      !llvm::all_of(transfer.getInBoundsValues(), [](bool b) { return b; }))
    return;
  Value base = availableBefore(transfer.getBase(), loop, clones, b);
  if (!base)
    return;
  SmallVector<Value> indices;
  for (Value i : transfer.getIndices()) {
    indices.push_back(availableBefore(i, loop, clones, b));
    if (!indices.back())
      return;
  }
  mcc::prefetchLines(b, transfer->getLoc(), base, indices, vecType, isWrite,
                     /*localityHint=*/3);
}

struct PrefetchEpilogueOperands
    : mcc::impl::PrefetchEpilogueOperandsBase<PrefetchEpilogueOperands> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (llvm::any_of(loop.getResultTypes(),
                       [](Type t) { return isa<VectorType>(t); }))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      OpBuilder b(loop);
      IRMapping clones;
      for (Operation *op = loop->getNextNode(); op; op = op->getNextNode()) {
        if (isa<LoopLikeOpInterface>(op))
          break;
        if (auto r = dyn_cast<vector::TransferReadOp>(op))
          prefetchBefore(r, /*isWrite=*/false, loop, clones, b);
        else if (auto w = dyn_cast<vector::TransferWriteOp>(op))
          prefetchBefore(w, /*isWrite=*/true, loop, clones, b);
      }
    }
  }
};

} // namespace
