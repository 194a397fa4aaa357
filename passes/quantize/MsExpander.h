//===- MsExpander.h - expand-ms-ops' shared builder -------------*- C++ -*-===//
//
// Private to passes/quantize: the builder every com.microsoft expansion
// uses, and the expansions that live outside ExpandMsOps.cpp
// (ExpandMsSequence.cpp: the recurrent and attention ops).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_QUANTIZE_MSEXPANDER_H
#define MCC_PASSES_QUANTIZE_MSEXPANDER_H

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"

namespace mcc::ms {

using namespace mlir;
using namespace mcc::onnx;

inline Type elementType(Value v) {
  return cast<TensorType>(v.getType()).getElementType();
}

/// Builds the ai.onnx ops that replace one com.microsoft op, at its place
/// and location. New results are unranked (shape inference types them).
class Expander {
public:
  explicit Expander(Operation *op)
      : op(op), b(op), loc(op->getLoc()), ctx(op->getContext()) {}

  template <typename OpTy>
  Value make(Type elem, ValueRange operands,
             ArrayRef<NamedAttribute> attrs = {}) {
    return OpTy::create(b, loc, TypeRange{UnrankedTensorType::get(elem)},
                        operands, attrs)
        ->getResult(0);
  }

  /// The last op, computing `elem`: it takes the replaced op's (first)
  /// result type (which may be the model's declared one) and replaces it. A
  /// declared element type other than `elem` is the model's error.
  template <typename OpTy>
  LogicalResult replaceWith(Type elem, ValueRange operands,
                            ArrayRef<NamedAttribute> attrs = {}) {
    Type declared = elementType(op->getResult(0));
    if (declared != elem)
      return op->emitError("its result is declared ")
             << declared << " but computes " << elem;
    Value v = OpTy::create(b, loc, TypeRange{op->getResult(0).getType()},
                           operands, attrs)
                  ->getResult(0);
    op->getResult(0).replaceAllUsesWith(v);
    return success();
  }

  NamedAttribute attr(StringRef name, int64_t v) {
    return NamedAttribute(StringAttr::get(ctx, name), b.getI64IntegerAttr(v));
  }
  NamedAttribute attr(StringRef name, Attribute v) {
    return NamedAttribute(StringAttr::get(ctx, name), v);
  }

  Value none() { return ONNXNoValueOp::create(b, loc, b.getNoneType()); }

  /// `zp`, or a scalar 0 of `elem` where it is absent (QuantizeLinear
  /// would otherwise produce uint8).
  Value zeroPoint(Value zp, Type elem) {
    if (!isNoValue(zp))
      return zp;
    return createConstant(
        b, loc,
        cast<ElementsAttr>(b.getZeroAttr(RankedTensorType::get({}, elem))));
  }

  Value dequantize(Value x, Value scale, Value zp,
                   ArrayRef<NamedAttribute> attrs = {}) {
    return make<ONNXDequantizeLinearOp>(b.getF32Type(), {x, scale, zp}, attrs);
  }

  /// QuantizeLinear of `y` as the op's result, to `elem`.
  LogicalResult quantizeInto(Value y, Value scale, Value zp, Type elem) {
    return replaceWith<ONNXQuantizeLinearOp>(elem,
                                             {y, scale, zeroPoint(zp, elem)});
  }

  Value castTo(Value v, Type to) {
    return make<ONNXCastOp>(to, {v}, {attr("to", getOnnxDType(to))});
  }

  Value constant(ElementsAttr value) { return createConstant(b, loc, value); }

  /// A 1-D i64 constant (shapes, axes, slice bounds).
  Value i64s(ArrayRef<int64_t> v) {
    return constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, b.getI64Type()), v));
  }
  Value i64Scalar(int64_t v) {
    return constant(
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), v));
  }

  Operation *op;
  OpBuilder b;
  Location loc;
  MLIRContext *ctx;
};

/// The op's attributes but `drop`, for the float op that takes the rest.
inline SmallVector<NamedAttribute> attrsBut(Operation *op, StringRef drop) {
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute a : op->getAttrs())
    if (a.getName() != drop)
      attrs.push_back(a);
  return attrs;
}

/// The integers of a constant operand, or nullopt.
inline std::optional<SmallVector<int64_t>> constantInts(Value v) {
  auto c = v.getDefiningOp<ONNXConstantOp>();
  if (!c || !c.getValue())
    return std::nullopt;
  return elementsToInts(*c.getValue());
}

/// The f32 values of a constant operand, or nullopt.
inline std::optional<SmallVector<float>> constantFloats(Value v) {
  auto c = v.getDefiningOp<ONNXConstantOp>();
  if (!c || !c.getValue())
    return std::nullopt;
  return elementsToFloats(*c.getValue());
}

LogicalResult expandDynamicQuantizeLSTM(ONNXMsDynamicQuantizeLSTMOp op);
LogicalResult expandQAttention(ONNXMsQAttentionOp op);
LogicalResult
expandQEmbedLayerNormalization(ONNXMsQEmbedLayerNormalizationOp op);

} // namespace mcc::ms

#endif // MCC_PASSES_QUANTIZE_MSEXPANDER_H
