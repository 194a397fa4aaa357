//===- ModelChecks.h - What a model must satisfy before import --*- C++ -*-===//
//
// Private to lib/import (it sees protobuf).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_IMPORT_MODELCHECKS_H
#define MCC_LIB_IMPORT_MODELCHECKS_H

#include "llvm/Support/Error.h"

namespace onnx {
class ModelProto;
} // namespace onnx

namespace mcc {

/// The opset a model imports (not newer than mcc knows; older ones are
/// checked per node, see OnnxImporter.cpp) and the single-assignment form of
/// its graphs: every value name is defined once per graph (by a graph input, an
/// initializer or one node output; an initializer may repeat an input of the
/// same name, as IR < 4 models do). Each violation is one line of the returned
/// error, naming the value and its producers.
llvm::Error checkModel(const onnx::ModelProto &model, int64_t newestOpset);

} // namespace mcc

#endif // MCC_LIB_IMPORT_MODELCHECKS_H
