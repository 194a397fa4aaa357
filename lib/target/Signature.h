//===- Signature.h - A model's inputs and outputs, for every target -*- C++
//-*-===//

#ifndef MCC_LIB_TARGET_SIGNATURE_H
#define MCC_LIB_TARGET_SIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mcc {

struct TensorSignature {
  std::string name;
  int32_t dtype = 0;          // ONNX TensorProto.DataType
  std::vector<int64_t> shape; // -1 for a symbolic dim
  std::vector<std::string> dimNames;
};

struct ModelSignature {
  std::string name;
  std::vector<TensorSignature> inputs, outputs;
};

/// Reads the signature of the imported graph function (its types and the
/// onnx.name / onnx.dim_names attributes the importer attaches). Fails with
/// a diagnostic on a type the runtime ABI cannot describe.
mlir::FailureOr<ModelSignature> extractSignature(mlir::func::FuncOp func,
                                                 llvm::StringRef modelName);

} // namespace mcc

#endif // MCC_LIB_TARGET_SIGNATURE_H
