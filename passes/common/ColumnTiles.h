//===- ColumnTiles.h - Register-tiled matmul kernels, their frame -*- C++ -*-=//
//
// The kernel generators for mcc's contraction ops (int8-matmul-kernels,
// int4-matmul-kernels) differ in how a register tile accumulates; the
// frame around it is shared: an scf.forall over (column tiles, row
// blocks) of the [M, N] result, the tile's rows clamped to M, its
// elementwise consumer applied to the accumulators, and the tile's rows
// stored (masked when N is not a multiple of the tile width), so the
// consumer's result is written once and the contraction's never.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_COMMON_COLUMNTILES_H
#define MCC_PASSES_COMMON_COLUMNTILES_H

#include "mlir/IR/PatternMatch.h"

namespace mcc {

/// `v` collapsed to a matrix (all leading dims into the rows).
mlir::Value toMatrix(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

struct ColumnTiledKernel {
  /// The contraction replaced (its one result is [..., N], sized by `init`).
  mlir::Operation *op = nullptr;
  mlir::Value init;
  int64_t n = 0;       ///< columns
  int64_t lanes = 0;   ///< elements per vector
  int64_t vectors = 0; ///< vectors per tile row: the tile is vectors*lanes wide
  int64_t rows = 0;    ///< rows per register tile
  /// Builds what every tile reads (packed weights, prepared activations),
  /// at the point where the kernel goes: before the consumer it absorbs.
  std::function<void(mlir::OpBuilder &, mlir::Location)> prologue;
  /// The accumulators of one tile, rows x vectors values (row-major), each
  /// a vector of `lanes`. `tile` is the column tile's index, `n0` its first
  /// column, `rowOf[i]` the row of tile row i (clamped to the last row: a
  /// short last block computes copies of it and does not store them).
  std::function<llvm::SmallVector<mlir::Value>(
      mlir::OpBuilder &, mlir::Location, mlir::Value tile, mlir::Value n0,
      llvm::ArrayRef<mlir::Value> rowOf)>
      tileBody;
};

/// Replaces `k.op` (and its elementwise consumer, when that reads other
/// operands only per tensor or per column) by the kernel.
void emitColumnTiledKernel(mlir::RewriterBase &rewriter,
                           const ColumnTiledKernel &k);

} // namespace mcc

#endif // MCC_PASSES_COMMON_COLUMNTILES_H
