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

/// The ranked result type of `op`'s result `i`, static or with dynamic
/// dims (null if unranked), unsigned integer elements made signless. The
/// patterns that take it build their sizes with the helpers below.
mlir::RankedTensorType resultType(mlir::Operation *op, unsigned i = 0);

//===- Dynamic dims (Dims.cpp)
//---------------------------------------------===//
//
// A dim is an OpFoldResult: an index attribute where the type knows it, an
// index value (tensor.dim, arithmetic on them) where only the run knows it.
// Conditions the inputs must satisfy at run time (matching broadcast dims,
// a matmul's inner dims) are cf.assert ops; the shape function
// (create-shape-function) checks them before the graph runs, with the
// assert's message, and the graph itself drops them.

/// The dims of a ranked tensor value.
llvm::SmallVector<mlir::OpFoldResult> dimsOf(mlir::OpBuilder &b,
                                             mlir::Location loc, mlir::Value v);
/// Dim `i` of a ranked tensor value.
mlir::OpFoldResult dimOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         int64_t i);
/// `dims` with every static entry of `declared` (a result type shape
/// inference refined) in place of the computed one, checked at run time
/// where the computed one is dynamic.
llvm::SmallVector<mlir::OpFoldResult>
withDeclaredDims(mlir::OpBuilder &b, mlir::Location loc,
                 llvm::ArrayRef<mlir::OpFoldResult> dims,
                 mlir::RankedTensorType declared);
/// A dim as an index value.
mlir::Value dimValue(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::OpFoldResult d);
/// Whether two dims are known to be equal (same constant, or proven
/// equal from how they were computed).
bool sameDim(mlir::OpFoldResult a, mlir::OpFoldResult c);
/// The tensor type with `dims` (static entries as sizes, others dynamic).
mlir::RankedTensorType tensorType(llvm::ArrayRef<mlir::OpFoldResult> dims,
                                  mlir::Type elem);
/// tensor.empty of `dims`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<mlir::OpFoldResult> dims,
                        mlir::Type elem);
/// tensor.empty of `type`, its dynamic dims taken from `dims` (all of
/// the type's dims; the static ones are the type's).
mlir::Value emptyOfType(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::OpFoldResult> dims);
/// The dims of a static type, or of `type` with dynamic dims taken from
/// `like` (same rank) otherwise.
llvm::SmallVector<mlir::OpFoldResult> dimsFor(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::RankedTensorType type,
                                              mlir::Value like);
/// Asserts at run time that `cond` (i1) holds; `what` says what the inputs
/// got wrong ("dimension 1 of A and B cannot be broadcast"); the message
/// gets the node from `loc`. A constant true condition emits nothing.
void checkShape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value cond,
                const llvm::Twine &what);
/// checkShape(a == c) unless the dims are known equal.
void checkSameDim(mlir::OpBuilder &b, mlir::Location loc, mlir::OpFoldResult a,
                  mlir::OpFoldResult c, const llvm::Twine &what);

/// Asserts in the shape function that `dim`, computed from run-time data
/// (pads, repeats, sizes), is not negative; nothing when that is known.
void checkNonNegative(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::OpFoldResult dim, const llvm::Twine &what);

/// `idx` (an integer read from tensor data) as a position in [0, dim),
/// negative values counting from the end (unless `negative` is false, when
/// they are out of range): an mcc.check_index, which fails
/// the run with "node '<name>' (<op>): <what>", the value and the bound
/// when the index is outside. 0 on failure, so a read through it needs
/// `nonEmptyDim` as its guard unless the dim is known to be positive.
mlir::Value checkedIndex(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value idx, mlir::Value dim,
                         const llvm::Twine &what, bool negative = true);
/// Null when `d` is a static positive dim, else `d != 0` (i1): where a
/// read through a checked index must be skipped (an empty dim has no
/// valid index, and a failed check's 0 is none either).
mlir::Value nonEmptyDim(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::OpFoldResult d);
/// `tensor.extract %t[at]`, or, when `guard` is non-null, the same under
/// scf.if guard with 0 (of the element type) otherwise.
mlir::Value guardedExtract(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value t, mlir::ValueRange at,
                           mlir::Value guard);
/// The AND of the non-null conditions (null when there are none).
mlir::Value allOf(mlir::OpBuilder &b, mlir::Location loc,
                  llvm::ArrayRef<mlir::Value> conds);

/// Dim arithmetic that folds when the dims are static.
mlir::OpFoldResult addDims(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::OpFoldResult a, mlir::OpFoldResult c);
mlir::OpFoldResult mulDims(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<mlir::OpFoldResult> dims);
/// Element `j` of a 1-D integer tensor (a shape, pads, axes...) as an
/// index, constant when the tensor is.
mlir::OpFoldResult indexElement(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value t, int64_t j);
/// `dims[idx]` for an index known only at run time (a chain of selects).
mlir::Value selectDim(mlir::OpBuilder &b, mlir::Location loc,
                      llvm::ArrayRef<mlir::OpFoldResult> dims, mlir::Value idx);
/// An ONNX axis read at run time (any integer type) in [0, rank).
mlir::Value normalizedAxis(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value axis, int64_t rank);
/// The dims of `dims` whose `dropped` flag (i1, known at run time) is
/// false, in order: `outRank` of them (checked at run time).
llvm::SmallVector<mlir::OpFoldResult>
keptDims(mlir::OpBuilder &b, mlir::Location loc,
         llvm::ArrayRef<mlir::OpFoldResult> dims,
         llvm::ArrayRef<mlir::Value> dropped, int64_t outRank);

/// Numpy broadcasting of the first `prefixRanks[k]` dims of each operand
/// (aligned at their ends). Returns the broadcast dims; `zero[k][j]` says
/// that operand k reads index 0 along its dim j (a static 1 broadcast).
/// A dynamic dim that is 1 at run time while the result's is not makes
/// that operand an expanded copy, made only in that case (scf.if), so
/// its map stays the identity. Mismatches are run-time checks. The
/// static dims of `declared` (the result type's, aligned at the end) and
/// all of `target` (the caller's dims for the result) are what the
/// operands broadcast to.
struct Broadcast {
  llvm::SmallVector<mlir::OpFoldResult> dims;
  llvm::SmallVector<llvm::SmallVector<bool>> zero;
};
Broadcast broadcastPrefix(mlir::OpBuilder &b, mlir::Location loc,
                          llvm::MutableArrayRef<mlir::Value> operands,
                          llvm::ArrayRef<int64_t> prefixRanks,
                          llvm::ArrayRef<int64_t> declared = {},
                          llvm::ArrayRef<mlir::OpFoldResult> target = {});

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
/// it, or are read through `inputMaps` when given (the result's dynamic
/// dims then come from an input whose map reads that loop dim directly).
/// `dims`, when given, are the result's (for results that are bigger
/// than their broadcast inputs: Gemm's C, an accumulator init).
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBody body,
                             llvm::ArrayRef<mlir::AffineMap> inputMaps = {},
                             llvm::ArrayRef<mlir::OpFoldResult> dims = {});

/// A linalg.generic over `resultType` with no inputs whose `body` gets the
/// output indices and returns the element (gathers, index-computed ops).
/// A dynamic `resultType` needs its `dims`.
mlir::Value generateFromIndices(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>
        body,
    llvm::ArrayRef<mlir::OpFoldResult> dims = {});

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double v);

/// Float max / min as ONNX's Relu, Clip, Max, MaxPool, ReduceMax... use
/// them: a NaN operand gives NaN, but +0 and -0 compare equal (`nsz`;
/// ONNX does not order them and onnxruntime does not either). That makes
/// a ReLU one vmaxps on x86 and a max of two unknowns three instructions,
/// where IEEE maximum's signed-zero ordering takes six.
mlir::Value floatMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::Value y);
mlir::Value floatMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::Value y);

/// Float arithmetic on scalars, for bodies that compute coordinates.
struct FloatArith {
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::Value add(mlir::Value p, mlir::Value q) const;
  mlir::Value sub(mlir::Value p, mlir::Value q) const;
  mlir::Value mul(mlir::Value p, mlir::Value q) const;
  mlir::Value div(mlir::Value p, mlir::Value q) const;
  /// p < q (ordered).
  mlir::Value lt(mlir::Value p, mlir::Value q) const;
};

/// A tensor of `type` filled with `v` (a dynamic `type` needs its `dims`).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double v,
                         llvm::ArrayRef<mlir::OpFoldResult> dims = {});

/// Reshapes a tensor to `type` (same element count) through a collapse to
/// 1-D and an expand; both are views after bufferization. With dynamic
/// dims: a collapse and expand of unit dims when the other dims correspond
/// in order, else tensor.reshape to `dims` (the target's, needed then).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      mlir::RankedTensorType type,
                      llvm::ArrayRef<mlir::OpFoldResult> dims = {});

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
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<mlir::OpFoldResult> padsBegin,
                       llvm::ArrayRef<mlir::OpFoldResult> padsEnd,
                       double value);

/// The same with a pad value computed at run time (a scalar of x's
/// element type).
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<mlir::OpFoldResult> padsBegin,
                       llvm::ArrayRef<mlir::OpFoldResult> padsEnd,
                       mlir::Value value);

/// The geometry of a window op (pools, and convs with their kernel's
/// shape) over an N,C,spatial input.
struct Window {
  llvm::SmallVector<int64_t> strides, dil;
  llvm::SmallVector<mlir::OpFoldResult> kernel, lo, hi;
  llvm::SmallVector<mlir::OpFoldResult> out; // the result's dims (all of them)
};

/// Strides, dilations, the begin/end pads and the output size (covers
/// auto_pad and ceil_mode: extra end padding for a ceil-mode window is only
/// ever read as the pad value). Static dims of `rt` (the result) fold to
/// constants; out[0..1] are x's.
Window resolveWindow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::RankedTensorType rt, llvm::ArrayRef<int64_t> kernel,
                     mlir::ArrayAttr strides, mlir::ArrayAttr dilations,
                     mlir::ArrayAttr pads, llvm::StringRef autoPad,
                     bool ceilMode);

//===- Quantized contractions (Quantize.cpp) ------------------------------===//

/// Zero points and scales of shapes an integer contraction cannot take.
constexpr const char *kZeroPointShapes =
    "zero points and scales must have one element or one per row (A, Y) or "
    "column (B) or output channel (W)";
/// Whether a scale or zero point has one element (any rank).
bool isPerTensor(mlir::Value v);
/// Whether `v` is one element: statically, or 1-D of a length known at run
/// time, then checked to be 1 (and `v` cast to tensor<1x...>).
bool perTensorParam(mlir::OpBuilder &b, mlir::Location loc, mlir::Value &v,
                    const llvm::Twine &what);
/// `x` (8-bit integers) minus its zero point, as i32. A zero point is per
/// tensor or 1-D along `zpDim` (A's rows, B's columns; broadcast when its
/// length is known only at run time and turns out to be 1).
mlir::FailureOr<mlir::Value>
widenMinusZeroPoint(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                    bool xU, mlir::Value zp, bool zpU, int64_t zpDim);
/// `acc` (i32) requantized into `rt` elementwise. Each of the scales and
/// the output zero point is per tensor or 1-D along its own dim of the
/// result (`axes`: sa, sb, sy and zy's), broadcast when its length is
/// known only at run time and is 1. Fails for other shapes.
mlir::FailureOr<mlir::Value>
requantizeTensor(mlir::OpBuilder &b, mlir::Location loc,
                 mlir::RankedTensorType rt, mlir::Value acc, mlir::Value sa,
                 mlir::Value sb, mlir::Value sy, mlir::Value zy, bool yU,
                 llvm::ArrayRef<int64_t> axes);

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
constexpr const char *kNeedsRanked =
    "needs ranked tensors (shape inference could not give this op's result a "
    "rank)";
constexpr const char *kNeedsFloat = "supports float tensors only";
constexpr const char *kNeedsStaticFloat =
    "supports float tensors with static shapes only";
mlir::LogicalResult unsupported(mlir::ConversionPatternRewriter &rewriter,
                                mlir::Operation *op, const llvm::Twine &reason);

void populateAttentionPatterns(mlir::RewritePatternSet &patterns);
/// What a reduction combines (Reduction.cpp; Softmax.cpp uses it too).
enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  SumSquare,
  L2,
  L1,
  LogSum,
  LogSumExp
};

/// Reduces `x` over its `reduced` dims with those dims kept as 1s
/// (keepdims), so the result broadcasts back over `x`. Integer tensors
/// support Sum, Max, Min and Prod; `isUnsigned` picks the unsigned
/// comparisons.
mlir::Value reduceKeep(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<bool> reduced, ReduceKind kind,
                       bool isUnsigned = false);

void populateEinsumPatterns(mlir::RewritePatternSet &patterns);
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLossPatterns(mlir::RewritePatternSet &patterns);
void populateGeneratePatterns(mlir::RewritePatternSet &patterns);
void populateGridSamplePatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
void populateLinearPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateQuantizePatterns(mlir::RewritePatternSet &patterns);
void populateQuantizedConvPatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateSoftmaxPatterns(mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::RewritePatternSet &patterns);
void populateSelectPatterns(mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::RewritePatternSet &patterns);

} // namespace mcc::lowering

#endif // MCC_PASSES_LOWERING_ONNXTOLINALG_PATTERNS_H
