//===- OrderLoops.cpp - Contraction loops ordered for the vectorizer ------===//
//
// A contraction generic as the lowering emits it (conv: n, g, m, oh, ow, c,
// kh, kw; matmul: m, n, k) runs its reductions innermost: every output
// element is a short scalar dot product that LLVM does not vectorize (no
// reassociation), and for convs the innermost trip count is the kernel
// width. This pass moves the output's fastest dim innermost and the
// reductions just outside it (conv: n, g, m, oh, c, kh, kw, ow; matmul:
// m, k, n), so the inner loop is an axpy over one output row that stays in
// L1: unit-stride in the output, unit-stride or strided in the input, an
// invariant weight. It applies only when no input walks that dim across
// rows (a transposed matmul operand would turn into a gather).
//
// This is the scalar-code baseline; register tiling with packed operands
// (issue 4) replaces it for the ops it covers.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_ORDERCONTRACTIONLOOPS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

constexpr int64_t kMinInnerTrips = 4;

/// The new loop order (old dim indices), or empty when the op is left as
/// it is.
SmallVector<unsigned> chooseOrder(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return {};
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() || outMap.getNumResults() == 0)
    return {};
  unsigned inner =
      cast<AffineDimExpr>(outMap.getResults().back()).getPosition();
  // A symbolic inner dim is taken as long enough (attention's scores over
  // a symbolic sequence: the scalar dot products stored their sum at every
  // step).
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (!ShapedType::isDynamic(ranges[inner]) && ranges[inner] < kMinInnerTrips)
    return {};
  // No input may use `inner` anywhere but in its last (contiguous) index.
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    for (unsigned r = 0; r + 1 < m.getNumResults(); ++r)
      if (m.getResult(r).isFunctionOfDim(inner))
        return {};
  }
  auto iters = op.getIteratorTypesArray();
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (d != inner && iters[d] == utils::IteratorType::parallel)
      order.push_back(d);
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      order.push_back(d);
  order.push_back(inner);
  bool identity = true;
  for (unsigned i = 0; i < order.size(); ++i)
    identity &= order[i] == i;
  return identity ? SmallVector<unsigned>{} : order;
}

struct OrderContractionLoops
    : mcc::impl::OrderContractionLoopsBase<OrderContractionLoops> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> order = chooseOrder(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
