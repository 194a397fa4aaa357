//===- TensorData.h - ONNX tensors as MLIR attributes -----------*- C++ -*-===//
//
// Private to lib/import (it sees protobuf).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_IMPORT_TENSORDATA_H
#define MCC_LIB_IMPORT_TENSORDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

namespace onnx {
class TensorProto;
} // namespace onnx

namespace mcc {

/// An initializer (or a tensor attribute) as an attribute: small ones and
/// integer ones up to 4096 elements dense (shape arithmetic folds on
/// them), others a resource blob. Its data comes from the proto's typed
/// fields, raw_data, or external data beneath `modelDir`. Errors name the
/// tensor: unknown dtype, negative dims or more than 2^48 elements, a data
/// size that does not fit the shape, external data that cannot be read.
llvm::Expected<mlir::ElementsAttr> importTensor(mlir::MLIRContext &ctx,
                                                const ::onnx::TensorProto &t,
                                                llvm::StringRef modelDir);

} // namespace mcc

#endif // MCC_LIB_IMPORT_TENSORDATA_H
