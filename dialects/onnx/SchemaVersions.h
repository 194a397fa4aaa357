//===- SchemaVersions.h - When each ai.onnx op changed ----------*- C++ -*-===//
//
// For the importer (kept out of OnnxDialect.h, which every pass includes).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_DIALECTS_ONNX_SCHEMAVERSIONS_H
#define MCC_DIALECTS_ONNX_SCHEMAVERSIONS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace mcc::onnx {

/// The version of ai.onnx op `opType` in force at `opset`: the newest opset
/// at or before it where the op changed; 0 when the op did not exist yet
/// (or is unknown).
int64_t onnxVersionAt(llvm::StringRef opType, int64_t opset);

/// The names of the inputs before any variadic one, by position, with "-"
/// for an optional input: "data shape" for Reshape.
llvm::StringRef requiredInputs(llvm::StringRef opType);

/// How many values the variadic input and the variadic output of `opType`
/// take at least (0 where it has none).
std::pair<int, int> minVariadicArity(llvm::StringRef opType);

/// For a com.microsoft op (onnx.ms.*): the input whose element type its
/// result has, -1 where no input shares it; nullopt for other ops.
std::optional<int> resultTypeOperand(llvm::StringRef opType);

} // namespace mcc::onnx

#endif // MCC_DIALECTS_ONNX_SCHEMAVERSIONS_H
