//===- Patterns.h - Shared by the onnx-to-linalg files (private) -*- C++
//-*-===//

#ifndef MCC_PASSES_LOWERING_ONNXTOLINALG_PATTERNS_H
#define MCC_PASSES_LOWERING_ONNXTOLINALG_PATTERNS_H

#include "passes/Passes.h"

#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mcc::lowering {

/// Signature of the scalar body of an elementwise generic: the block
/// arguments of the inputs (in order), returning the output element.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The static ranked result type of `op`'s result `i`, or null (the patterns
/// require shape inference to have produced static shapes). Unsigned
/// integer elements come back signless, as every lowered value has them.
mlir::RankedTensorType staticResultType(mlir::Operation *op, unsigned i = 0);

/// ONNX's unsigned integers (ui8 ...) as the signless integers arith and
/// linalg use; other types unchanged. Patterns that care about signedness
/// (division, comparison, casts) read it from the onnx op's own types.
mlir::Type signless(mlir::Type t);
/// `a` with unsigned integer elements retyped as signless (same bits).
mlir::TypedAttr signless(mlir::TypedAttr a);
/// Whether `t` (a scalar or the element type of a shaped type) is an
/// unsigned integer.
bool isUnsignedInt(mlir::Type t);

/// linalg.generic over `resultType` whose inputs broadcast numpy-style to
/// it, or are read through `inputMaps` when given.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBody body,
                             llvm::ArrayRef<mlir::AffineMap> inputMaps = {});

/// A linalg.generic over `resultType` with no inputs whose `body` gets the
/// output indices and returns the element (gathers, index-computed ops).
mlir::Value generateFromIndices(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>
        body);

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double v);

/// A tensor of `type` filled with `v`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double v);

/// Reshapes a static tensor to `type` (same element count) through a
/// collapse to 1-D and an expand; both are views after bufferization.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      mlir::RankedTensorType type);

/// A float or signed integer scalar converted to float type `to`.
mlir::Value toFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                    mlir::Type to);

/// A float tensor with its elements converted to float type `to` (itself
/// when it already has them).
mlir::Value castElements(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                         mlir::Type to);

/// float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E8M0FNU) and float4 (E2M1FN):
/// types LLVM lacks, converted with integer code on their bits.
bool isSmallFloat(mlir::Type t);
/// A float scalar `x` (converted through float32) rounded to
/// the small float type `to`, nearest even; out of range: the largest
/// finite value when `saturate`, else Inf or NaN as the format has them
/// (E8M0 rounds its exponent per `roundMode`: up, down or nearest).
mlir::Value encodeSmallFloat(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value x, mlir::Type to, bool saturate,
                             llvm::StringRef roundMode = "up");
/// A small-float scalar as float32 (exact).
mlir::Value decodeSmallFloat(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value v);

/// Pads the spatial dims (2..) of an N,C,spatial tensor with `value`.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<int64_t> padsBegin,
                       llvm::ArrayRef<int64_t> padsEnd, double value);

/// Replaces `op` by `v`; its other results (absent optional outputs such as
/// MaxPool's Indices or Dropout's mask, checked unused) are dropped.
void replaceFirstResult(mlir::ConversionPatternRewriter &rewriter,
                        mlir::Operation *op, mlir::Value v);

/// A pattern's "does not match": the reason goes to the debug log like
/// notifyMatchFailure's and, while convert-onnx-to-linalg runs, into the
/// error it reports for an op nothing could lower. Say what the user can
/// change ("mode 'reflect' is not supported yet (only 'constant')").
constexpr const char *kNeedsStaticShapes =
    "needs static shapes (pin symbolic dims with --input-shape NAME:DIMS)";
constexpr const char *kNeedsStaticFloat =
    "supports float tensors with static shapes only";
mlir::LogicalResult unsupported(mlir::ConversionPatternRewriter &rewriter,
                                mlir::Operation *op, const llvm::Twine &reason);

void populateAttentionPatterns(mlir::RewritePatternSet &patterns);
void populateEinsumPatterns(mlir::RewritePatternSet &patterns);
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLossPatterns(mlir::RewritePatternSet &patterns);
void populateGeneratePatterns(mlir::RewritePatternSet &patterns);
void populateGridSamplePatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
void populateLinearPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateQuantizePatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::RewritePatternSet &patterns);

} // namespace mcc::lowering

#endif // MCC_PASSES_LOWERING_ONNXTOLINALG_PATTERNS_H
