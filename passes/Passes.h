//===- Passes.h - Every mcc pass --------------------------------*- C++ -*-===//

#ifndef MCC_PASSES_PASSES_H
#define MCC_PASSES_PASSES_H

#include "dialects/mcc/MccDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringSet.h"

#include <memory>

namespace mcc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Marks the batch-1 copy of a graph that peel-batch calls per sample (a
/// pure function of its arguments with static results).
inline constexpr llvm::StringLiteral kSampleAttr = "mcc.sample";

/// On a register tile's reduction loops (register-tile-contractions), for
/// prefetch-weights to fetch the next tile's panel as well: a dictionary of
/// `tile` (the tile index's position in the packed weights the loop reads)
/// and `passes` (the extents of the kernel's last scf.forall dims, its
/// passes over one panel, which the fetch is spread over).
inline constexpr llvm::StringLiteral kNextPanelAttr = "mcc.next_panel";

/// On an onnx.MatMul whose weights are weight-only quantized: the model
/// allows its activations quantized to 8 bits (MatMulNBits' accuracy_level
/// 4, set by expand-ms-ops), which fold-qdq turns into mcc.wmatmul's
/// `int8_activations`.
inline constexpr llvm::StringLiteral kInt8ActivationsAttr =
    "mcc.int8_activations";

/// Names of the onnx ops that convert-onnx-to-linalg lowers (derived from
/// its patterns), for reporting every unsupported op before compiling.
llvm::StringSet<> getLowerableOnnxOps(mlir::MLIRContext *ctx);

/// Writes the ai.onnx ops that compute com.microsoft op `op` (onnx.ms.*)
/// before it and replaces its result (expand-ms-ops' rewrite; `op` is left
/// for the caller to erase), or fails with an error naming the node.
llvm::LogicalResult expandMsOp(mlir::Operation *op);

} // namespace mcc

#endif // MCC_PASSES_PASSES_H
