//===- LegacyForms.h - Older opsets' ops in the newest form -----*- C++ -*-===//
//
// The onnx dialect has each op in its newest form. A node of an older
// opset whose op meant something else then is imported as that meaning:
// attributes that became inputs are moved by the importer's table; what
// needs more (defaults that changed, inputs inserted, operands reshaped,
// forms refused) is here.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_IMPORT_LEGACYFORMS_H
#define MCC_LIB_IMPORT_LEGACYFORMS_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace onnx {
class NodeProto;
} // namespace onnx

namespace mcc {

/// One ai.onnx node being imported.
struct LegacyNode {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const ::onnx::NodeProto &node;
  llvm::StringRef opType; ///< the op it is imported as (Upsample: Resize)
  int64_t opset;          ///< the model's ai.onnx opset
  llvm::function_ref<mlir::Value()> noValue;
  /// Reports a form mcc does not support (naming the node) and fails.
  llvm::function_ref<llvm::LogicalResult(const llvm::Twine &)> unsupported;
};

/// Rewrites `operands` and `attrs` (the newest op's, attributes already
/// moved to inputs) to what the node meant at its opset: Softmax,
/// LogSoftmax and Hardmax before 13, Upsample and Resize before 11,
/// broadcast=1 binary ops and PRelu before 7. Where no form of the newest
/// op means it (BatchNormalization with spatial=0 before 9), builds other
/// ops and sets `replacement` to the node's (only) result instead. Fails
/// after reporting a form that has no equivalent.
llvm::LogicalResult
adaptLegacyForm(const LegacyNode &n,
                llvm::SmallVectorImpl<mlir::Value> &operands,
                llvm::SmallVectorImpl<mlir::NamedAttribute> &attrs,
                mlir::Value &replacement);

} // namespace mcc

#endif // MCC_LIB_IMPORT_LEGACYFORMS_H
