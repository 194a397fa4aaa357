//===- FuseEpilogues.cpp - Elementwise epilogues into their contraction ---===//
//
// linalg-fuse-elementwise-ops merges elementwise chains, but not into a
// contraction (a generic with reductions): conv → ReLU stayed two loop
// nests, the second re-reading the whole conv output from memory. Here the
// elementwise consumer is tiled by rows (every dim but the last in tiles of
// 1, as an scf.forall) and the contraction, with the op that initializes
// its accumulator (the bias broadcast), is fused into each tile: a row is
// computed, then its epilogue runs while the row is in L1.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_FUSECONTRACTIONEPILOGUES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// The contraction whose only use is `op`'s input, or null.
linalg::GenericOp fusibleContraction(linalg::GenericOp op) {
  for (OpOperand *in : op.getDpsInputOperands()) {
    auto c = in->get().getDefiningOp<linalg::GenericOp>();
    if (c && c.getNumReductionLoops() > 0 && c.getNumDpsInits() == 1 &&
        c->getResult(0).hasOneUse() &&
        op.getMatchingIndexingMap(in).isIdentity())
      return c;
  }
  return {};
}

/// After fusion, the accumulator's init tile is a slice of a tensor.empty
/// while the epilogue writes the same slice of the loop's output. Using the
/// output slice for both keeps the row in one buffer: init, accumulate and
/// epilogue all in place, no per-tile allocation when bufferized.
void accumulateInOutput(scf::ForallOp loop) {
  Block *body = loop.getBody();
  SmallVector<tensor::ExtractSliceOp> outputSlices, emptySlices;
  for (auto slice : body->getOps<tensor::ExtractSliceOp>()) {
    if (llvm::is_contained(loop.getRegionIterArgs(), slice.getSource()))
      outputSlices.push_back(slice);
    else if (slice.getSource().getDefiningOp<tensor::EmptyOp>())
      emptySlices.push_back(slice);
  }
  for (tensor::ExtractSliceOp e : emptySlices)
    for (tensor::ExtractSliceOp o : outputSlices)
      if (e.getType() == o.getType() &&
          e.getMixedOffsets() == o.getMixedOffsets() &&
          e.getMixedSizes() == o.getMixedSizes() &&
          e.getMixedStrides() == o.getMixedStrides() &&
          llvm::all_of(o->getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return !def || def->getBlock() != body || def->isBeforeInBlock(e);
          })) {
        if (e->isBeforeInBlock(o))
          o->moveBefore(e);
        e.getResult().replaceAllUsesWith(o.getResult());
        e.erase();
        break;
      }
}

struct FuseContractionEpilogues
    : mcc::impl::FuseContractionEpiloguesBase<FuseContractionEpilogues> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, linalg::GenericOp>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (op->getNumResults() != 1 || !type || !type.hasStaticShape() ||
          type.getRank() < 2 || !mcc::isElementwiseGeneric(op))
        return;
      // Nothing to tile in an empty loop nest (a reduction over a 0-sized
      // dim; tiling it would divide by zero).
      if (linalg::GenericOp c = fusibleContraction(op);
          c && !llvm::is_contained(c.getStaticLoopRanges(), 0) &&
          !llvm::is_contained(op.getStaticLoopRanges(), 0))
        work.push_back({op, c});
    });
    IRRewriter rewriter(&getContext());
    for (auto [epilogue, contraction] : work) {
      // Fuse the contraction and what initializes its accumulator; never
      // the producers of its inputs (a padded input would be recomputed
      // per row).
      llvm::SmallPtrSet<Operation *, 2> fusible = {contraction};
      if (Operation *init = contraction.getDpsInits()[0].getDefiningOp();
          init && isa<linalg::LinalgOp>(init))
        fusible.insert(init);
      scf::SCFTileAndFuseOptions options;
      SmallVector<OpFoldResult> sizes(epilogue.getNumLoops(),
                                      rewriter.getIndexAttr(1));
      sizes.back() = rewriter.getIndexAttr(0);
      options.tilingOptions.setTileSizes(sizes).setLoopType(
          scf::SCFTilingOptions::LoopType::ForallOp);
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            if (!fusible.contains(producer.getOwner()))
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      rewriter.setInsertionPoint(epilogue);
      auto result = scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
      if (failed(result) || !result->fusedProducers.contains(contraction))
        continue; // leave it as it was (the tiled copy is dead code)
      for (OpResult r : epilogue->getResults())
        if (Value repl = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, repl);
      if (auto loop =
              dyn_cast<scf::ForallOp>(result->loops.front().getOperation()))
        accumulateInOutput(loop);
    }
    // The untiled ops are dead now; canonicalization would remove them too.
    for (auto [epilogue, contraction] : work)
      for (Operation *op :
           {epilogue.getOperation(), contraction.getOperation()})
        if (op->use_empty())
          rewriter.eraseOp(op);
  }
};

} // namespace
