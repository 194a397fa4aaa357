//===- Report.cpp - What mcc --report reads off the module ----------------===//

#include "lib/driver/Report.h"

#include "dialects/onnx/OnnxDialect.h"
#include "passes/common/Decisions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mcc;

namespace {

/// The ONNX nodes a location names (every part of a fused one).
std::vector<std::string> nodeNames(Location loc) {
  llvm::SetVector<std::pair<StringRef, StringRef>> nodes;
  onnx::collectNodes(loc, nodes);
  std::vector<std::string> names;
  for (auto [node, opType] : nodes)
    names.push_back(node.str());
  return names;
}

std::vector<std::string> strings(ArrayAttr a) {
  std::vector<std::string> out;
  if (a)
    for (Attribute s : a)
      out.push_back(cast<StringAttr>(s).str());
  return out;
}

} // namespace

std::vector<report::Node> mcc::collectReportNodes(ModuleOp module) {
  std::vector<report::Node> nodes;
  module.walk([&](Operation *op) {
    if (!isa_and_nonnull<onnx::ONNXDialect>(op->getDialect()))
      return;
    std::optional<onnx::NodeLocation> n = onnx::findNode(op->getLoc());
    if (!n)
      return;
    report::Node node{n->name, n->opType, {}, ""};
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        if (auto in = onnx::findNode(def->getLoc());
            in && !llvm::is_contained(node.inputs, in->name))
          node.inputs.push_back(in->name);
    if (op->getNumResults()) {
      llvm::raw_string_ostream os(node.resultType);
      op->getResult(0).getType().print(os);
    }
    nodes.push_back(std::move(node));
  });
  return nodes;
}

void mcc::collectReportKernels(ModuleOp module, report::Data &data) {
  if (auto a = module->getAttrOfType<ArrayAttr>("mcc.profile_kernels"))
    for (auto k : a.getAsRange<DictionaryAttr>()) {
      report::Kernel &kernel = data.kernels.emplace_back();
      kernel.name = k.getAs<StringAttr>("name").str();
      kernel.nodes = strings(k.getAs<ArrayAttr>("nodes"));
      kernel.opTypes = strings(k.getAs<ArrayAttr>("op_types"));
      kernel.flops = k.getAs<FloatAttr>("flops").getValueAsDouble();
      if (auto types = k.getAs<ArrayAttr>("element_types"))
        for (auto t : types.getAsRange<TypeAttr>()) {
          std::string s;
          llvm::raw_string_ostream os(s);
          t.getValue().print(os);
          kernel.elementTypes.push_back(s);
        }
    }
  // The shape function starts as a copy of the graph: its decisions are
  // the graph's again.
  llvm::DenseSet<Attribute> seen;
  module.walk([&](func::FuncOp f) {
    auto list = f->getAttrOfType<ArrayAttr>(kDecisionsAttr);
    if (!list)
      return;
    for (auto d : list.getAsRange<DictionaryAttr>())
      if (seen.insert(d).second)
        data.decisions.push_back({d.getAs<StringAttr>("pass").str(),
                                  d.getAs<StringAttr>("decision").str(),
                                  nodeNames(cast<LocationAttr>(d.get("loc")))});
    f->removeAttr(kDecisionsAttr);
  });
  module->removeAttr(kRecordDecisionsAttr);
}
