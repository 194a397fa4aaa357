//===- SchemaVersions.cpp - When each ai.onnx op changed ------------------===//

#include "dialects/onnx/SchemaVersions.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <iterator>

namespace {
struct OpVersions {
  llvm::StringLiteral name;
  llvm::StringLiteral versions; // space-separated, ascending
  int vinMin, voutMin;
  llvm::StringLiteral requiredInputs; // by position, "-" for optional
};

const OpVersions kVersions[] = {
#define ONNX_SCHEMA(name, since, nin, vin, nout, vout, required, versions,     \
                    vinMin, voutMin, requiredInputs)                           \
  {name, versions, vinMin, voutMin, requiredInputs},
#include "dialects/onnx/OnnxSchema.inc"
#undef ONNX_SCHEMA
};
} // namespace

/// The entry of `opType`, or null. The table is sorted by name (the
/// generator sorts it).
static const OpVersions *lookup(llvm::StringRef opType) {
  auto it = llvm::partition_point(
      kVersions, [&](const OpVersions &v) { return v.name < opType; });
  return it == std::end(kVersions) || it->name != opType ? nullptr : it;
}

std::pair<int, int> mcc::onnx::minVariadicArity(llvm::StringRef opType) {
  const OpVersions *it = lookup(opType);
  return it ? std::pair{it->vinMin, it->voutMin} : std::pair{0, 0};
}

llvm::StringRef mcc::onnx::requiredInputs(llvm::StringRef opType) {
  const OpVersions *it = lookup(opType);
  return it ? llvm::StringRef(it->requiredInputs) : llvm::StringRef();
}

int64_t mcc::onnx::onnxVersionAt(llvm::StringRef opType, int64_t opset) {
  const OpVersions *it = lookup(opType);
  if (!it)
    return 0;
  int64_t inForce = 0;
  for (llvm::StringRef v : llvm::split(llvm::StringRef(it->versions), ' ')) {
    int64_t n = 0;
    if (!v.getAsInteger(10, n) && n <= opset)
      inForce = n;
  }
  return inForce;
}

std::optional<int> mcc::onnx::resultTypeOperand(llvm::StringRef opType) {
  static const std::pair<llvm::StringLiteral, int> kFrom[] = {
#define ONNX_RESULT_TYPE_FROM(name, input) {name, input},
#include "dialects/onnx/OnnxSchema.inc"
#undef ONNX_RESULT_TYPE_FROM
  };
  for (const auto &[name, input] : kFrom)
    if (name == opType)
      return input;
  return std::nullopt;
}
