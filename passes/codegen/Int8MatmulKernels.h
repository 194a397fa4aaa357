//===- Int8MatmulKernels.h - int8-matmul-kernels, shared parts -*- C++ -*-===//
//
// What the pass's two kernel generators share: the target's instructions,
// weights packed into K-groups, and the reads and products of one
// reduction step. Int8MatmulKernels.cpp makes mcc.qmatmul kernels (and
// runs the pass), Int8WMatMulKernel.cpp those of an mcc.wmatmul whose
// activations may be quantized to 8 bits.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_CODEGEN_INT8MATMULKERNELS_H
#define MCC_PASSES_CODEGEN_INT8MATMULKERNELS_H

#include "dialects/mcc/MccDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace mcc::int8 {

/// What the target offers: i32 lanes per vector, VNNI (`vpdpbusd`,
/// `vpdpwssd`), and whether the dot ops are lowered to plain vector code
/// instead of the instructions (tests on hosts without them).
struct Isa {
  int64_t lanes = 0;
  bool vnni = false;
  bool portable = false;
};

/// Constant weights minus their zero points, [k][n] row-major.
struct Weights {
  int64_t k = 0, n = 0;
  llvm::SmallVector<int32_t> values;
};

/// Panels [N / width][ceil(K / group)][width] of `group` values per i32
/// (16-bit pairs or 8-bit quads, the first K value in the low bits),
/// zero-padded.
llvm::SmallVector<int32_t> packPanels(const Weights &w, int64_t width,
                                      int64_t group);

/// An i32 constant tensor of `shape` holding `data` (a resource blob).
mlir::Value int32Constant(mlir::OpBuilder &b, mlir::Location loc,
                          llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<int32_t> data, llvm::StringRef name);

/// `a` ([M, K]) padded with `pad` (a scalar) to `k` columns.
mlir::Value padColumns(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a,
                       int64_t k, mlir::Value pad);

/// acc + the products of the quads of `a` and `w` (i32 vectors, each lane
/// four bytes: unsigned in `a`, signed in `w`).
mlir::Value dotQuads(mlir::OpBuilder &b, mlir::Location loc, Isa isa,
                     mlir::Value acc, mlir::Value a, mlir::Value w);

/// The four bytes of `acts` ([M, K'] i8) at row `row`, column 4 * `step`,
/// as one i32.
mlir::Value readQuad(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acts,
                     mlir::Value row, mlir::Value step);

/// Replaces an mcc.wmatmul with `int8_activations` and constant weights
/// by a kernel on `vpdpbusd` (its activations quantized per row), or
/// fails (nothing changed): no VNNI, weights that do not fit signed bytes
/// once their zero point is off, or blocks that are not whole quads.
llvm::LogicalResult emitWMatMulKernel(mlir::RewriterBase &rewriter,
                                      WMatMulOp op, Isa isa, int64_t rows);

} // namespace mcc::int8

#endif // MCC_PASSES_CODEGEN_INT8MATMULKERNELS_H
