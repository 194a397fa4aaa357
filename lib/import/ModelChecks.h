//===- ModelChecks.h - What a model must satisfy before import --*- C++ -*-===//
//
// Private to lib/import (it sees protobuf).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_IMPORT_MODELCHECKS_H
#define MCC_LIB_IMPORT_MODELCHECKS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace onnx {
class ModelProto;
class NodeProto;
} // namespace onnx

namespace mcc {

/// The opset a model imports (not newer than mcc knows; older ones are
/// checked per node, see OnnxImporter.cpp) and the single-assignment form of
/// its graphs: every value name is defined once per graph (by a graph input, an
/// initializer or one node output; an initializer may repeat an input of the
/// same name, as IR < 4 models do). Each violation is one line of the returned
/// error, naming the value and its producers.
llvm::Error checkModel(const ::onnx::ModelProto &model, int64_t newestOpset);

/// Why a node cannot be imported, from its op's schema alone.
struct NodeProblem {
  bool unsupported; ///< a valid model mcc does not take (else: invalid)
  std::string message;
};

/// What the schema table decides about `node` (its op `opType`, which has
/// a schema) at `opset`: below opset 6 (the oldest mcc honors) the op must
/// not have changed since; variadic inputs and outputs have the schema's
/// minimum count; every required attribute is there.
std::optional<NodeProblem> checkNode(const ::onnx::NodeProto &node,
                                     llvm::StringRef opType, int64_t opset);

} // namespace mcc

#endif // MCC_LIB_IMPORT_MODELCHECKS_H
