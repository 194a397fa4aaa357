//===- OnnxDialect.h - The onnx dialect -------------------------*- C++ -*-===//
//
// Ops generated from the ONNX schema (OnnxOps.td) plus the dialect's shape
// inference and constant folding entry points.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_DIALECTS_ONNX_ONNXDIALECT_H
#define MCC_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

#include "dialects/onnx/OnnxDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

namespace mcc::onnx {

/// Name of the module attribute holding the model's opset imports
/// (a dictionary from domain to version; the default domain is "ai.onnx").
inline constexpr llvm::StringLiteral kOpsetImportAttr = "onnx.opset_import";

/// On a Softmax, LogSoftmax or Hardmax of a model before opset 13: the
/// op normalizes over every dim from `axis` on (its input flattened to
/// 2-D at `axis`), not over `axis` alone. The importer sets it.
inline constexpr llvm::StringLiteral kFlattenedAxisAttr = "onnx.flattened_axis";

/// Fails (after emitting an error at the op) when an attribute is out of
/// the range its operands allow: an axis beyond the rank, a perm that is
/// no permutation, a Conv group or kernel_shape that contradicts the
/// weights. Ops whose operands are not yet ranked pass. inferShapes runs
/// it first.
mlir::LogicalResult checkAttributes(mlir::Operation *op);

/// An error naming the op when a static result would have more than 2^48
/// elements (huge pads, repeats, scales); run after shape inference.
mlir::LogicalResult checkResultSizes(mlir::Operation *op);

/// Refines the result types of `op` from its operand types and attributes.
/// Returns failure (after emitting an error at the op) when the operands
/// contradict each other; ops without a rule, or whose operands are not yet
/// ranked, are left unchanged and succeed.
mlir::LogicalResult inferShapes(mlir::Operation *op);
/// The other direction, for unary ops whose result has the shape of their
/// input (Sqrt, Cast, ...): a static result type gives a producer that
/// inference could not type (a Reduce* with run-time axes) its shape.
/// Returns whether it changed a type.
bool inferShapesBackward(mlir::Operation *op);

/// The type both `a` and `b` have: the same element type and rank, with
/// the dims they disagree on dynamic (unranked for different ranks). What
/// an If result or a Loop-carried value can be.
mlir::Type joinTypes(mlir::Type a, mlir::Type b);

/// Evaluates `op` when all its operands are constants and the op is cheap to
/// evaluate at compile time (the shape arithmetic that exporters emit:
/// Shape, Gather, Unsqueeze, Concat, Cast, ...). Fills one attribute per
/// result and returns success, or returns failure when it does not apply.
mlir::LogicalResult
foldConstants(mlir::Operation *op,
              llvm::SmallVectorImpl<mlir::DenseElementsAttr> &results);

/// The constant value behind `v` if it is produced by onnx.Constant holding a
/// dense (non-resource) attribute, else null.
mlir::DenseElementsAttr getDenseConstant(mlir::Value v);

/// The MLIR element type for an ONNX TensorProto.DataType code, or null for
/// types mcc does not represent (string).
mlir::Type getTypeForOnnxDType(mlir::MLIRContext *ctx, int32_t dtype);

/// The ONNX TensorProto.DataType code of an MLIR element type, 0 if none.
int32_t getOnnxDType(mlir::Type type);

/// Static facts about an ONNX operator schema (generated, OnnxSchema.inc).
struct OnnxSchemaInfo {
  llvm::StringLiteral name;
  int64_t sinceVersion;
  int numInputs, variadicInput, numOutputs, variadicOutput;
  /// The attributes a node must have, space-separated.
  llvm::StringLiteral requiredAttributes;
};
/// Schema facts for ai.onnx op `opType`, or null if the op is not in the
/// schema mcc was generated from.
const OnnxSchemaInfo *lookupOnnxSchema(llvm::StringRef opType);

/// The newest ai.onnx opset of the schema the ops were generated from.
int64_t getGeneratedOpsetVersion();

/// Creates `onnx.Constant` holding `value` (the `value` attribute form; the
/// importer normalizes the other forms to it).
ONNXConstantOp createConstant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::ElementsAttr value);

/// Integer contents of a dense integer constant (unsigned types widened
/// without sign), or nullopt.
std::optional<llvm::SmallVector<int64_t>>
getDenseInts(mlir::DenseElementsAttr a);
/// Integer contents of an onnx.Constant operand, or nullopt.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value v);
/// Contents of an I64ArrayAttr (empty when absent).
llvm::SmallVector<int64_t> getIntArray(mlir::ArrayAttr a);
/// ONNX axis in [-rank, rank) to [0, rank).
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// The ONNX node a location the importer made names:
/// NameLoc(node, NameLoc(op_type, file:index)), the first such node of a
/// fused location; nullopt for any other location.
struct NodeLocation {
  std::string name;   ///< the node's name
  std::string opType; ///< its op type
  std::string file;   ///< the model file; empty when unknown
};
std::optional<NodeLocation> findNode(mlir::Location loc);

/// Adds every (node, op type) that `loc` names, anywhere inside it (all
/// parts of a fused location), to `nodes`, in order. The names live in the
/// context.
void collectNodes(
    mlir::Location loc,
    llvm::SetVector<std::pair<llvm::StringRef, llvm::StringRef>> &nodes);

/// "node 'conv1' (Conv)" for a location the importer made,
/// NameLoc(node, NameLoc(op_type, file:index)) (the first such node of a
/// fused location), or "" for any other location. `file`, when given, gets
/// the model file the location names.
std::string describeNode(mlir::Location loc, std::string *file = nullptr);

/// ConvTranspose's spatial geometry: per spatial dim the begin padding
/// and the output size (from pads, or auto_pad and output_shape, as the
/// ONNX reference computes them). Needs static input and weight shapes.
struct ConvTransposeGeometry {
  llvm::SmallVector<int64_t> padBegin, out, kernel, strides, dilations;
};
mlir::FailureOr<ConvTransposeGeometry>
getConvTransposeGeometry(ONNXConvTransposeOp op);

/// One operand's Einsum subscripts: its letters, '.' standing for the
/// ellipsis (at most one).
struct EinsumTerm {
  llvm::SmallVector<char> letters;
  bool ellipsis = false;
};
mlir::FailureOr<EinsumTerm> parseEinsumTerm(llvm::StringRef s);

/// True when `v` is an absent optional operand (a `none` value).
inline bool isNoValue(mlir::Value v) {
  return !v || llvm::isa<mlir::NoneType>(v.getType());
}

} // namespace mcc::onnx

#endif // MCC_DIALECTS_ONNX_ONNXDIALECT_H
