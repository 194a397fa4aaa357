//===- ReassociateReductions.cpp - Float sums that LLVM may vectorize -----===//
//
// A linalg reduction (LayerNorm's mean and variance, Softmax's sum, ReduceSum
// and friends) lowers to a loop that adds into one scalar accumulator.
// Floating-point addition is not associative, so without permission LLVM
// keeps that order: one dependent add per element, 4 cycles each, while a
// vectorized max reduction next to it ran 16 elements a cycle. The combiner
// of such a reduction (out = out + x, out * x, fma(a, b, out)) is marked
// `reassoc`: LLVM then keeps vector partial sums and adds them at the end,
// an order at least as accurate as the sequential one.
//
// Contractions that register-tile-contractions turned into kernels are
// gone by then; the ones left (order-contraction-loops) keep their
// reductions outside the vectorized row, where the flag changes nothing.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace mcc {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// Adds `reassoc` to the fastmath flags of `op`.
void allowReassociation(arith::ArithFastMathInterface op) {
  arith::FastMathFlags flags = op.getFastMathFlagsAttr().getValue();
  op->setAttr(op.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(
                  op->getContext(), flags | arith::FastMathFlags::reassoc));
}

struct ReassociateReductions
    : mcc::impl::ReassociateReductionsBase<ReassociateReductions> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 0)
        return;
      Block &body = op.getRegion().front();
      auto yield = cast<linalg::YieldOp>(body.getTerminator());
      for (auto [i, v] : llvm::enumerate(yield.getValues())) {
        BlockArgument out = op.getRegionOutputArgs()[i];
        Operation *combiner = v.getDefiningOp();
        if (!combiner || !isa<FloatType>(v.getType()) ||
            !isa<arith::AddFOp, arith::MulFOp, math::FmaOp>(combiner))
          continue;
        // out must be the accumulated operand (the addend of an fma).
        bool accumulates =
            isa<math::FmaOp>(combiner)
                ? combiner->getOperand(2) == out
                : llvm::is_contained(combiner->getOperands(), Value(out));
        if (accumulates)
          allowReassociation(cast<arith::ArithFastMathInterface>(combiner));
      }
    });
  }
};

} // namespace
