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

/// The elementwise generic that is the only user of `producer`'s result,
/// reading it with the identity map, writing the same shape with the
/// identity map, with a body computable on vectors; or null. (Which maps
/// its other inputs may have is the caller's question.) With
/// `unitBroadcasts`, inputs may also be read through maps with constant 0
/// results (a per-channel [C, 1, 1] operand in channels-last order).
mlir::linalg::GenericOp soleVectorizableConsumer(mlir::Operation *producer,
                                                 bool unitBroadcasts = false);

/// Emits `op`'s body on vectors of `lanes` elements, its input arguments
/// already mapped (in `map`) to vectors; values defined above the body
/// are broadcast. Returns the yielded vector.
mlir::Value applyBodyOnVectors(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::linalg::GenericOp op, mlir::IRMapping &map,
                               int64_t lanes);

} // namespace mcc

#endif // MCC_PASSES_COMMON_VECTORBODY_H
