//===- SchemaVersions.cpp - When each ai.onnx op changed ------------------===//

#include "dialects/onnx/SchemaVersions.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <iterator>

namespace {
struct OpVersions {
  llvm::StringLiteral name;
  llvm::StringLiteral versions; // space-separated, ascending
};

const OpVersions kVersions[] = {
#define ONNX_SCHEMA(name, since, nin, vin, nout, vout, required, versions)     \
  {#name, versions},
#include "dialects/onnx/OnnxSchema.inc"
#undef ONNX_SCHEMA
};
} // namespace

int64_t mcc::onnx::onnxVersionAt(llvm::StringRef opType, int64_t opset) {
  // The table is sorted by name (the generator sorts it).
  auto it = llvm::partition_point(
      kVersions, [&](const OpVersions &v) { return v.name < opType; });
  if (it == std::end(kVersions) || it->name != opType)
    return 0;
  int64_t inForce = 0;
  for (llvm::StringRef v : llvm::split(llvm::StringRef(it->versions), ' ')) {
    int64_t n = 0;
    if (!v.getAsInteger(10, n) && n <= opset)
      inForce = n;
  }
  return inForce;
}
