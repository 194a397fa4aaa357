//===- LegacyForms.cpp - Older opsets' ops in the newest form -------------===//

#include "lib/import/LegacyForms.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"

#include "onnx.pb.h"

#include <cstring>

using namespace mlir;
using mcc::LegacyNode;
namespace onnxd = mcc::onnx;

/// The values of `v` when an onnx.Constant of f32 defines it.
static std::optional<SmallVector<float>> constantFloats(Value v) {
  auto c = v.getDefiningOp<onnxd::ONNXConstantOp>();
  if (!c || !c.getValue() || !c.getValue()->getElementType().isF32())
    return std::nullopt;
  ElementsAttr e = *c.getValue();
  if (auto d = dyn_cast<DenseElementsAttr>(e))
    return SmallVector<float>(d.getValues<float>());
  auto r = dyn_cast<DenseResourceElementsAttr>(e);
  AsmResourceBlob *blob = r ? r.getRawHandle().getBlob() : nullptr;
  if (!blob || blob->getData().size() != e.getNumElements() * sizeof(float))
    return std::nullopt;
  SmallVector<float> out(e.getNumElements());
  std::memcpy(out.data(), blob->getData().data(), blob->getData().size());
  return out;
}

/// BatchNormalization with spatial=0 (opsets 7-8): scale, B, mean and var
/// hold one value per element of [C, D1, ...], not per channel. The
/// normalization written out, each parameter broadcast numpy's way.
static LogicalResult perElementBatchNorm(const LegacyNode &n,
                                         ArrayRef<Value> operands,
                                         ArrayRef<NamedAttribute> attrs,
                                         Value &replacement) {
  for (int i = 1; i < n.node.output_size(); ++i)
    if (!n.node.output(i).empty())
      return n.unsupported("spatial=0 with the training outputs (mean, "
                           "variance, saved statistics)");
  Type elem = getElementTypeOrSelf(operands[0].getType());
  if (!isa<FloatType>(elem))
    return n.unsupported("spatial=0 needs a float input");
  double epsilon = 1e-5;
  for (NamedAttribute a : attrs)
    if (a.getName() == "epsilon")
      if (auto f = dyn_cast<FloatAttr>(a.getValue()))
        epsilon = f.getValueAsDouble();
  Value eps = onnxd::createConstant(
      n.builder, n.loc,
      DenseElementsAttr::get(RankedTensorType::get({}, elem),
                             n.builder.getFloatAttr(elem, epsilon)));
  auto make = [&](StringRef name, ValueRange args) -> Value {
    OperationState st(n.loc, ("onnx." + name).str());
    st.addOperands(args);
    st.addTypes(UnrankedTensorType::get(elem));
    Operation *op = n.builder.create(st);
    return succeeded(onnxd::inferShapes(op)) ? op->getResult(0) : Value();
  };
  // X, scale, B, mean, var: ((X - mean) / sqrt(var + eps)) * scale + B.
  Value v = make("Sub", {operands[0], operands[3]});
  Value sd = v ? make("Add", {operands[4], eps}) : Value();
  sd = sd ? make("Sqrt", {sd}) : Value();
  v = sd ? make("Div", {v, sd}) : Value();
  v = v ? make("Mul", {v, operands[1]}) : Value();
  v = v ? make("Add", {v, operands[2]}) : Value();
  if (!v)
    return failure();
  replacement = v;
  return success();
}

LogicalResult mcc::adaptLegacyForm(const LegacyNode &n,
                                   SmallVectorImpl<Value> &operands,
                                   SmallVectorImpl<NamedAttribute> &attrs,
                                   Value &replacement) {
  if (n.opType == "BatchNormalization" && n.opset < 9 && operands.size() >= 5 &&
      llvm::any_of(n.node.attribute(), [](const ::onnx::AttributeProto &a) {
        return a.name() == "spatial" && a.i() == 0;
      }))
    return perElementBatchNorm(n, operands, attrs, replacement);
  // Before opset 13, Softmax, LogSoftmax and Hardmax flattened their input
  // at `axis` (default 1) and normalized over every dim from it.
  if (n.opset < 13 && (n.opType == "Softmax" || n.opType == "LogSoftmax" ||
                       n.opType == "Hardmax")) {
    if (llvm::none_of(attrs,
                      [](NamedAttribute a) { return a.getName() == "axis"; }))
      attrs.push_back(
          n.builder.getNamedAttr("axis", n.builder.getI64IntegerAttr(1)));
    attrs.push_back(n.builder.getNamedAttr(onnxd::kFlattenedAxisAttr,
                                           n.builder.getUnitAttr()));
  }
  if (n.opType == "Resize" &&
      (n.node.op_type() == "Upsample" || n.opset < 11)) {
    // (X, scales) -> (X, roi, scales); output = input * scale from the
    // corner (asymmetric), nearest pixels floored as in the reference and
    // onnxruntime for upsampling; "bilinear" (Upsample-7) is linear.
    if (operands.size() == 2)
      operands.insert(operands.begin() + 1, n.noValue());
    StringRef mode = "nearest";
    for (auto it = attrs.begin(); it != attrs.end();)
      if (it->getName() == "mode") {
        if (auto m = dyn_cast<StringAttr>(it->getValue()))
          mode = m.getValue() == "bilinear" ? "linear" : m.getValue();
        it = attrs.erase(it);
      } else {
        ++it;
      }
    // Nearest pixels then were floored when upsampling and ceiled when
    // downsampling, per axis (onnxruntime's "simple" mode): one
    // nearest_mode serves constant scales all >= 1 or all <= 1.
    StringRef nearest = "floor";
    if (mode == "nearest" && operands.size() > 2)
      if (std::optional<SmallVector<float>> sc = constantFloats(operands[2])) {
        bool down = llvm::any_of(*sc, [](float f) { return f < 1; });
        if (down && llvm::any_of(*sc, [](float f) { return f > 1; }))
          return n.unsupported("nearest resizing before opset 11 with scales "
                               "both above and below 1");
        if (down)
          nearest = "ceil";
      }
    attrs.push_back(
        n.builder.getNamedAttr("mode", n.builder.getStringAttr(mode)));
    attrs.push_back(
        n.builder.getNamedAttr("coordinate_transformation_mode",
                               n.builder.getStringAttr("asymmetric")));
    attrs.push_back(n.builder.getNamedAttr("nearest_mode",
                                           n.builder.getStringAttr(nearest)));
  }
  // Before opset 7, binary ops broadcast B against A only with
  // broadcast=1, aligned at `axis` (default: the trailing dims). That is
  // numpy's broadcasting when B's dims end where A's do; other axes are
  // refused rather than read the numpy way.
  if (n.opset < 7) {
    const ::onnx::AttributeProto *bcast = nullptr, *axis = nullptr;
    for (const auto &a : n.node.attribute()) {
      if (a.name() == "broadcast")
        bcast = &a;
      else if (a.name() == "axis" && n.opType != "Gemm")
        axis = &a;
    }
    if (bcast && bcast->i() != 0 && axis && operands.size() == 2) {
      auto at = dyn_cast<RankedTensorType>(operands[0].getType());
      auto bt = dyn_cast<RankedTensorType>(operands[1].getType());
      int64_t ax = axis->i();
      if (at && ax < 0)
        ax += at.getRank();
      if (!at || !bt || ax != at.getRank() - bt.getRank())
        return n.unsupported("broadcast=1 along axis " + Twine(axis->i()) +
                             " (the pre-opset-7 form) is supported only "
                             "where B's dimensions end with A's; re-export "
                             "the model at opset 7 or later");
    }
  }
  // PRelu before opset 7 broadcast a [C] slope along the channels of an
  // [N, C, ...] input (PyTorch still exports that form at opset 6); numpy
  // broadcasting would align it with the last dim: unsqueeze it to
  // [C, 1, ...].
  if (n.opType == "PRelu" && n.opset < 7 && operands.size() == 2) {
    auto x = dyn_cast<RankedTensorType>(operands[0].getType());
    auto slope = dyn_cast<RankedTensorType>(operands[1].getType());
    if (x && slope && x.getRank() > 2 && slope.getRank() == 1 &&
        slope.getDimSize(0) == x.getDimSize(1) && slope.getDimSize(0) != 1) {
      SmallVector<int64_t> axes, shape = {slope.getDimSize(0)};
      for (int64_t d = 1; d + 1 < x.getRank(); ++d) {
        axes.push_back(d);
        shape.push_back(1);
      }
      Value axesValue = onnxd::createConstant(
          n.builder, n.loc,
          DenseElementsAttr::get(RankedTensorType::get({int64_t(axes.size())},
                                                       n.builder.getI64Type()),
                                 ArrayRef<int64_t>(axes)));
      OperationState us(n.loc, "onnx.Unsqueeze");
      us.addOperands({operands[1], axesValue});
      us.addTypes(RankedTensorType::get(shape, slope.getElementType()));
      operands[1] = n.builder.create(us)->getResult(0);
    }
  }
  return success();
}
