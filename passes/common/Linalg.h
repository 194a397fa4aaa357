//===- Linalg.h - Small questions asked of linalg ops by several passes ---===//

#ifndef MCC_PASSES_COMMON_LINALG_H
#define MCC_PASSES_COMMON_LINALG_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mcc {

/// One output, only parallel loops, every operand indexed by a projected
/// permutation: an elementwise op, possibly broadcasting its inputs.
inline bool isElementwiseGeneric(mlir::linalg::GenericOp op) {
  return op.getNumDpsInits() == 1 &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(), [](mlir::AffineMap m) {
           return m.isProjectedPermutation();
         });
}

} // namespace mcc

#endif // MCC_PASSES_COMMON_LINALG_H
