//===- FuseElementwise.cpp - Elementwise fusion that spares contractions --===//
//
// Upstream linalg-fuse-elementwise-ops fuses an elementwise producer into
// any consumer generic, a conv included: a ReLU then runs inside the conv's
// reduction, once per output channel for every input element, and the conv
// no longer matches a multiply-accumulate kernel. This is the same set of
// patterns with one more rule: the consumer must have no reduction loops.
// The ReLU instead becomes the epilogue of the contraction that produces
// its input (register-tile-contractions, fuse-contraction-epilogues).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mcc {
#define GEN_PASS_DEF_FUSEELEMENTWISEOPS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

struct FuseElementwiseOps
    : mcc::impl::FuseElementwiseOpsBase<FuseElementwiseOps> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      return producer && producer->hasOneUse() && consumer &&
             consumer.getNumReductionLoops() == 0;
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
