//===- Signature.cpp - A model's inputs and outputs -----------------------===//

#include "lib/target/Signature.h"

#include "dialects/onnx/OnnxDialect.h"

using namespace mlir;

static FailureOr<mcc::TensorSignature>
tensorSignature(func::FuncOp func, Type type, DictionaryAttr attrs,
                StringRef what, unsigned index) {
  mcc::TensorSignature sig;
  if (auto name = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr())
    sig.name = name.str();
  else
    sig.name = (what + std::to_string(index)).str();
  auto rt = dyn_cast<RankedTensorType>(type);
  if (!rt)
    return func.emitError() << what << " '" << sig.name
                            << "' has no known rank after shape inference",
           failure();
  sig.dtype = mcc::onnx::getOnnxDType(rt.getElementType());
  if (!sig.dtype)
    return func.emitError() << what << " '" << sig.name
                            << "' has an element type the runtime cannot "
                               "describe: "
                            << rt.getElementType(),
           failure();
  auto names = attrs ? attrs.getAs<ArrayAttr>("onnx.dim_names") : ArrayAttr();
  for (auto [i, d] : llvm::enumerate(rt.getShape())) {
    sig.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    std::string dn;
    if (names && i < names.size())
      dn = cast<StringAttr>(names[i]).str();
    sig.dimNames.push_back(ShapedType::isDynamic(d) ? dn : "");
  }
  return sig;
}

FailureOr<mcc::ModelSignature> mcc::extractSignature(func::FuncOp func,
                                                     StringRef modelName) {
  ModelSignature sig;
  sig.name = modelName.str();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto t = tensorSignature(func, func.getArgumentTypes()[i],
                             func.getArgAttrDict(i), "input", i);
    if (failed(t))
      return failure();
    sig.inputs.push_back(*t);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto t = tensorSignature(func, func.getResultTypes()[i],
                             func.getResultAttrDict(i), "output", i);
    if (failed(t))
      return failure();
    sig.outputs.push_back(*t);
  }
  return sig;
}
