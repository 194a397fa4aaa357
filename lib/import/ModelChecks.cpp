//===- ModelChecks.cpp - What a model must satisfy before import ----------===//
//
// Checks on the protobuf that no single node can make: the opset imports
// and that each graph defines each value once. A value written twice would
// silently take the second producer's result (the importer maps names to
// values) and hide the first. And the checks of one node that need only
// its op's schema: opset history, arity, required attributes.
//
//===----------------------------------------------------------------------===//

#include "lib/import/ModelChecks.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/SchemaVersions.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

#include "onnx.pb.h"

#include <string>

using namespace llvm;

namespace {

/// How a producer is named in messages.
std::string describe(const ::onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  return "node '" + name + "' (" + node.op_type() + ")";
}

/// Appends a line per value `graph` defines twice, then checks the
/// subgraphs of its nodes (each a scope of its own).
void checkGraph(const ::onnx::GraphProto &graph, const Twine &where,
                std::string &errors) {
  StringMap<std::string> producers;
  auto define = [&](const std::string &name, const std::string &by) {
    if (name.empty())
      return;
    auto [it, inserted] = producers.try_emplace(name, by);
    if (!inserted)
      errors += (where + "value '" + name + "' is produced twice: by " +
                 it->second + " and by " + by + "\n")
                    .str();
  };
  for (const auto &vi : graph.input())
    define(vi.name(), "graph input '" + vi.name() + "'");
  for (const auto &t : graph.initializer()) {
    auto it = producers.find(t.name());
    // IR < 4: initializers are listed among the inputs too.
    if (it != producers.end() && it->second.rfind("graph input", 0) == 0)
      continue;
    define(t.name(), "initializer '" + t.name() + "'");
  }
  for (int i = 0; i < graph.node_size(); ++i) {
    const ::onnx::NodeProto &node = graph.node(i);
    std::string by = describe(node, i);
    for (const std::string &out : node.output())
      define(out, by);
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        checkGraph(a.g(), where + "in " + by + "'s " + a.name() + ": ", errors);
      for (const auto &g : a.graphs())
        checkGraph(g, where + "in " + by + "'s " + a.name() + ": ", errors);
    }
  }
}

} // namespace

Error mcc::checkModel(const ::onnx::ModelProto &model, int64_t newestOpset) {
  std::string errors;
  bool hasDefault = false;
  for (const auto &imp : model.opset_import()) {
    if (!imp.domain().empty() && imp.domain() != "ai.onnx")
      continue; // nodes of other domains are reported where they appear
    hasDefault = true;
    int64_t v = imp.version();
    if (v > newestOpset)
      errors += "the model imports ai.onnx opset " + std::to_string(v) +
                ", newer than mcc knows: opset " + std::to_string(newestOpset) +
                " is the newest supported\n";
    else if (v < 1)
      errors += "the model imports ai.onnx opset " + std::to_string(v) +
                ", which does not exist\n";
  }
  if (!hasDefault && model.graph().node_size() > 0)
    errors += "the model imports no ai.onnx opset\n";
  checkGraph(model.graph(), "", errors);
  if (errors.empty())
    return Error::success();
  errors.pop_back();
  return createStringError(inconvertibleErrorCode(), errors);
}

std::optional<mcc::NodeProblem>
mcc::checkNode(const ::onnx::NodeProto &node, StringRef opType, int64_t opset) {
  const mcc::onnx::OnnxSchemaInfo *schema = mcc::onnx::lookupOnnxSchema(opType);
  auto invalid = [](const Twine &m) { return NodeProblem{false, m.str()}; };
  // Opset 6 is the oldest whose ops mcc honors (PyTorch still exports it;
  // the importer handles what its ops mean differently: legacy broadcasts,
  // PRelu's slope). At an older opset a node is imported only when its op
  // has not changed between that opset and 6.
  constexpr int64_t kOldestOpset = 6;
  if (opset < kOldestOpset) {
    int64_t then = mcc::onnx::onnxVersionAt(opType, opset);
    int64_t since = mcc::onnx::onnxVersionAt(opType, kOldestOpset);
    if (then == 0)
      return NodeProblem{
          true, ("not an operator of ai.onnx opset " + Twine(opset)).str()};
    if (then != since)
      return NodeProblem{true, ("ai.onnx opset " + Twine(opset) +
                                " is older than mcc supports for " + opType +
                                " (it changed at opset " + Twine(since) +
                                "); re-export the model at opset " +
                                Twine(kOldestOpset) + " or later")
                                   .str()};
  }
  // A variadic input or output with fewer values than the schema's minimum
  // (Concat, Sum or Max of nothing, a Split into nothing).
  auto [vinMin, voutMin] = mcc::onnx::minVariadicArity(opType);
  if (schema->variadicInput >= 0 &&
      node.input_size() < schema->variadicInput + vinMin)
    return invalid("needs at least " + Twine(schema->variadicInput + vinMin) +
                   " inputs");
  if (schema->variadicOutput >= 0 &&
      node.output_size() < schema->variadicOutput + voutMin)
    return invalid("needs at least " + Twine(schema->variadicOutput + voutMin) +
                   " outputs");
  for (StringRef required :
       llvm::split(StringRef(schema->requiredAttributes), ' ')) {
    if (required.empty() || llvm::any_of(node.attribute(), [&](const auto &a) {
          return a.name() == required;
        }))
      continue;
    return invalid("missing required attribute '" + required + "'");
  }
  return std::nullopt;
}
