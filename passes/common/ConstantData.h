//===- ConstantData.h - Reading and making weight constants -----*- C++ -*-===//
//
// Passes that rewrite weights at compile time (BatchNorm folding, packing)
// read them from dense or dense_resource attributes and write the result
// as a new dense_resource blob (no per-element attributes).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_COMMON_CONSTANTDATA_H
#define MCC_PASSES_COMMON_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mcc {

/// The f32 contents of `attr` (dense, splat or resource), or nullopt for
/// other element types or a resource whose blob is gone.
std::optional<llvm::SmallVector<float>>
elementsToFloats(mlir::ElementsAttr attr);

/// The bytes of an 8-bit integer `attr` (dense, splat or resource), or
/// nullopt for other element types or a resource whose blob is gone.
std::optional<llvm::SmallVector<int8_t>>
elementsToBytes(mlir::ElementsAttr attr);

/// The integers of an integer `attr` (dense of any width, or an 8- or
/// 32-bit resource; unsigned types widened without sign), or nullopt.
std::optional<llvm::SmallVector<int64_t>>
elementsToInts(mlir::ElementsAttr attr);

/// The contents of the constant `v` (an arith.constant of dense or
/// dense_resource elements), or null.
mlir::ElementsAttr constantElements(mlir::Value v);

/// The DenseResourceElementsAttr holding `data` (raw elements of `type`).
mlir::ElementsAttr makeResourceAttr(mlir::RankedTensorType type,
                                    llvm::ArrayRef<char> data, size_t align,
                                    llvm::StringRef name);

/// An arith.constant holding `data` as a dense_resource blob named `name`
/// (uniqued by the context).
mlir::Value createResourceConstant(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::RankedTensorType type,
                                   llvm::ArrayRef<float> data,
                                   llvm::StringRef name);

/// The DenseResourceElementsAttr holding `data`.
mlir::ElementsAttr makeResourceAttr(mlir::RankedTensorType type,
                                    llvm::ArrayRef<float> data,
                                    llvm::StringRef name);

} // namespace mcc

#endif // MCC_PASSES_COMMON_CONSTANTDATA_H
