//===- FuseElementwise.cpp - Elementwise fusion that spares contractions --===//
//
// Upstream linalg-fuse-elementwise-ops fuses an elementwise producer into
// any consumer generic, a conv included: a ReLU then runs inside the conv's
// reduction, once per output channel for every input element, and the conv
// no longer matches a multiply-accumulate kernel. This is the same set of
// patterns with one more rule: the consumer must have no reduction loops.
// The ReLU instead becomes the epilogue of the contraction that produces
// its input (register-tile-contractions, fuse-contraction-epilogues).
// Nor is an expensive producer fused into a consumer that reads it
// through a broadcast (it would be recomputed per consumer element).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mcc {
#define GEN_PASS_DEF_FUSEELEMENTWISEOPS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// A generic whose body is a few plain arith ops (no division, no math
/// function): cheap to recompute per element of a broadcast.
bool isCheap(Operation *producer) {
  auto g = dyn_cast<linalg::GenericOp>(producer);
  if (!g)
    return false;
  Block &body = g.getRegion().front();
  if (body.getOperations().size() > 4)
    return false;
  return llvm::all_of(body.without_terminator(), [](Operation &op) {
    return op.getDialect()->getNamespace() == "arith" &&
           !isa<arith::DivFOp, arith::DivSIOp, arith::DivUIOp, arith::RemFOp>(
               op);
  });
}

struct FuseElementwiseOps
    : mcc::impl::FuseElementwiseOpsBase<FuseElementwiseOps> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (!producer || !producer->hasOneUse() || !consumer ||
          consumer.getNumReductionLoops() != 0)
        return false;
      // A producer read through a broadcast would run once per consumer
      // element instead of once per own element: an SE block's sigmoid
      // of [1, C, 1, 1] fused into the scaling Mul ran H x W times per
      // channel, scalar. Only cheap producers are worth duplicating.
      if (consumer.getMatchingIndexingMap(fused).isPermutation())
        return true;
      return isCheap(producer);
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
