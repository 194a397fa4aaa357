//===- EmptyOutputs.cpp - Skip loop nests that have nothing to write ------===//
//
// A linalg op's loops run over its iteration domain; when one parallel dim
// is 0 the output is empty, but the loops around it still count through
// every other dim. Dims come from the inputs and from run-time data, so a
// [2^40, 0] tensor is a hostile input away: each op whose outputs have
// dynamic dims is guarded by "all of them non-zero" (a compare per dim,
// once per op, not per iteration). Ops inside loops are left alone: the
// loop around them already ran.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mcc {
#define GEN_PASS_DEF_GUARDEMPTYOUTPUTS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// "Every dynamic dim of every output is non-zero", or null when there is
/// no dynamic dim.
Value outputsNonEmpty(OpBuilder &b, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  Value all;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto t = dyn_cast<MemRefType>(init.get().getType());
    if (!t)
      continue;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d))
        continue;
      Value n = memref::DimOp::create(b, loc, init.get(), d);
      Value ne =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, n,
                                arith::ConstantIndexOp::create(b, loc, 0));
      all = all ? arith::AndIOp::create(b, loc, all, ne).getResult() : ne;
    }
  }
  return all;
}

struct GuardEmptyOutputs : mcc::impl::GuardEmptyOutputsBase<GuardEmptyOutputs> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() &&
          !op->getParentOfType<LoopLikeOpInterface>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      OpBuilder b(op);
      Value nonEmpty = outputsNonEmpty(b, op);
      if (!nonEmpty)
        continue;
      auto ifOp = scf::IfOp::create(b, op.getLoc(), nonEmpty,
                                    /*withElseRegion=*/false);
      op->moveBefore(ifOp.thenBlock()->getTerminator());
    }
  }
};

} // namespace
