//===- Importer.h - ONNX protobuf to the onnx dialect -----------*- C++ -*-===//

#ifndef MCC_LIB_IMPORT_IMPORTER_H
#define MCC_LIB_IMPORT_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mcc {

struct ImportOptions {
  /// Shapes that replace the model's declared input shapes (for symbolic
  /// dims), by input name.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
};

/// Reads the ONNX model at `path` into a module holding one func.func
/// (`@main_graph`) of onnx ops. Errors are emitted as MLIR diagnostics on
/// `ctx` (every one of them, e.g. all unknown ops) and yield null.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path,
                                                 mlir::MLIRContext &ctx,
                                                 const ImportOptions &options);

/// The same for a model already in memory (`bytes`); `path` names it in
/// messages, and its folder is where external data is looked up.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBytes(llvm::StringRef bytes,
                                                  llvm::StringRef path,
                                                  mlir::MLIRContext &ctx,
                                                  const ImportOptions &options);

/// Name of the function the importer creates.
inline constexpr llvm::StringLiteral kMainGraphName = "main_graph";
/// Argument/result attribute carrying the ONNX value name.
inline constexpr llvm::StringLiteral kOnnxNameAttr = "onnx.name";
/// Argument/result attribute carrying the symbolic dim names ("" = static).
inline constexpr llvm::StringLiteral kOnnxDimNamesAttr = "onnx.dim_names";

} // namespace mcc

#endif // MCC_LIB_IMPORT_IMPORTER_H
