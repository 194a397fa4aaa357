//===- VectorBody.h - An elementwise generic's body on vectors --*- C++ -*-===//
//
// Kernels that apply a conv's elementwise consumer (ReLU, residual add,
// HardSwish, ...) in registers, before their one store, clone that
// generic's body with vector types.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_COMMON_VECTORBODY_H
#define MCC_PASSES_COMMON_VECTORBODY_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

namespace mcc {

/// The body of `op` computable on vectors: every op elementwise-mappable
/// (or a scalar constant) with one int or float result, the output
/// argument unused.
bool isVectorizableBody(mlir::linalg::GenericOp op);

/// Emits `op`'s body on vectors of `lanes` elements, its input arguments
/// already mapped (in `map`) to vectors; values defined above the body
/// are broadcast. Returns the yielded vector.
mlir::Value applyBodyOnVectors(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::linalg::GenericOp op, mlir::IRMapping &map,
                               int64_t lanes);

} // namespace mcc

#endif // MCC_PASSES_COMMON_VECTORBODY_H
