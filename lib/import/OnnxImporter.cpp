//===- OnnxImporter.cpp - ONNX protobuf to the onnx dialect ---------------===//
//
// The only code in mcc that sees protobuf. A model becomes one func.func whose
// arguments are the graph inputs (initializers excluded) and whose results are
// the graph outputs; every node becomes the generated onnx op of the same
// name, located at NameLoc(node name, NameLoc(op type, file:node index)).
//
//===----------------------------------------------------------------------===//

#include "lib/import/ExternalData.h"
#include "lib/import/Importer.h"
#include "lib/import/LegacyForms.h"
#include "lib/import/ModelChecks.h"
#include "lib/import/TensorData.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/SchemaVersions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx.pb.h"
#include <google/protobuf/io/coded_stream.h>

#include <climits>

using namespace mlir;
using namespace mcc;
namespace onnxd = mcc::onnx;

namespace {

/// Attributes of older opsets that later became inputs: when a node carries
/// `attr` (which the current op no longer has) it is turned into a constant
/// tensor at operand `input`.
struct AttrToInput {
  llvm::StringLiteral op, attr;
  unsigned input;
};
const AttrToInput kAttrToInput[] = {
    {"Squeeze", "axes", 1},
    {"Unsqueeze", "axes", 1},
    {"ReduceSum", "axes", 1},
    {"ReduceMean", "axes", 1},
    {"ReduceMax", "axes", 1},
    {"ReduceMin", "axes", 1},
    {"ReduceProd", "axes", 1},
    {"ReduceL1", "axes", 1},
    {"ReduceL2", "axes", 1},
    {"ReduceLogSum", "axes", 1},
    {"ReduceLogSumExp", "axes", 1},
    {"ReduceSumSquare", "axes", 1},
    {"Split", "split", 1},
    {"Pad", "pads", 1},
    {"Pad", "value", 2},
    {"Clip", "min", 1},
    {"Clip", "max", 2},
    {"Slice", "starts", 1},
    {"Slice", "ends", 2},
    {"Slice", "axes", 3},
    {"Dropout", "ratio", 1},
    {"DFT", "axis", 2},
    // Upsample-7's scales (Upsample becomes Resize).
    {"Resize", "scales", 2},
};

class Importer {
public:
  Importer(MLIRContext &ctx, StringRef path, const ImportOptions &options)
      : ctx(ctx), builder(&ctx), path(path), options(options) {
    modelDir = llvm::sys::path::parent_path(path).str();
  }

  /// Imports the file, or `bytes` when given (`path` then only names the
  /// model and its folder).
  OwningOpRef<ModuleOp> run(std::optional<StringRef> bytes = std::nullopt);

private:
  InFlightDiagnostic error(const Twine &msg) {
    return emitError(FileLineColLoc::get(&ctx, path, 0, 0)) << msg;
  }
  Location nodeLoc(const ::onnx::NodeProto &node, int index);

  LogicalResult parseFile();
  LogicalResult parseBytes(StringRef data);
  Type valueType(const ::onnx::ValueInfoProto &vi);
  /// Records the types `graph` declares for its values and outputs.
  void declareTypes(const ::onnx::GraphProto &graph);
  /// An initializer or tensor attribute as an attribute (TensorData.h).
  FailureOr<ElementsAttr> tensorAttr(const ::onnx::TensorProto &t);
  FailureOr<Attribute> convertAttribute(const ::onnx::AttributeProto &a,
                                        Location loc);
  LogicalResult importNode(const ::onnx::NodeProto &node, int index);
  LogicalResult importSubgraph(const ::onnx::GraphProto &graph, Region &region,
                               ArrayRef<Type> argHints, Location loc);
  LogicalResult importConstantNode(const ::onnx::NodeProto &node, Location loc);
  Value attrAsConstant(const ::onnx::AttributeProto &a, Location loc);
  Value noValue();
  /// Records the outputs of a node that failed to import (see importNode).
  void markUnavailable(const ::onnx::NodeProto &node) {
    for (const std::string &out : node.output())
      if (!out.empty() && !values.count(out))
        unavailable.insert(out);
  }

  MLIRContext &ctx;
  OpBuilder builder;
  std::string path, modelDir;
  const ImportOptions &options;
  ::onnx::ModelProto model;
  int64_t opset = 0;
  /// Every domain's opset as the model imports it ("" for ai.onnx).
  llvm::StringMap<int64_t> domainOpsets;
  llvm::StringMap<Value> values;
  /// Outputs of nodes that failed: their readers are not reported again.
  llvm::StringSet<> unavailable;
  llvm::StringMap<Type> declaredTypes; // from graph.value_info / outputs
  Value none;
  Block *funcEntry = nullptr; // where the shared onnx.NoValue lives
  bool hadError = false;
};

} // namespace

LogicalResult Importer::parseFile() {
  if (!llvm::sys::fs::exists(path))
    return error("no such file"), failure();
  if (llvm::sys::fs::is_directory(path))
    return error("is a directory, not an ONNX model"), failure();
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return error("cannot read: " + buf.getError().message()), failure();
  return parseBytes((*buf)->getBuffer());
}

LogicalResult Importer::parseBytes(StringRef data) {
  if (data.size() > size_t(INT_MAX))
    return error("file is over 2 GiB; protobuf cannot parse it: store the "
                 "weights as ONNX external data"),
           failure();
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(data.data()), int(data.size()));
  stream.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return error("not a valid ONNX model (protobuf parse failed; the file "
                 "may be truncated or not ONNX)"),
           failure();
  // Arbitrary bytes can parse as a protobuf message with unknown fields; a
  // model has an IR version, an opset and a graph.
  if (model.ir_version() <= 0 || !model.has_graph() ||
      model.opset_import_size() == 0)
    return error("not an ONNX model (no IR version, opset or graph)"),
           failure();
  for (const auto &imp : model.opset_import()) {
    bool onnx = imp.domain().empty() || imp.domain() == "ai.onnx";
    if (onnx)
      opset = imp.version();
    domainOpsets[onnx ? "" : imp.domain()] = imp.version();
  }
  if (llvm::Error e = checkModel(model, onnxd::getGeneratedOpsetVersion())) {
    std::string lines = llvm::toString(std::move(e));
    for (StringRef line : llvm::split(lines, '\n'))
      error(line);
    return failure();
  }
  return success();
}

Location Importer::nodeLoc(const ::onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  Location file = FileLineColLoc::get(&ctx, path, index + 1, 0);
  return NameLoc::get(
      StringAttr::get(&ctx, name),
      NameLoc::get(StringAttr::get(&ctx, node.op_type()), file));
}

Type Importer::valueType(const ::onnx::ValueInfoProto &vi) {
  if (!vi.has_type() || !vi.type().has_tensor_type())
    return {};
  const auto &tt = vi.type().tensor_type();
  Type elem = onnxd::getTypeForOnnxDType(&ctx, tt.elem_type());
  if (!elem)
    return {};
  if (!tt.has_shape())
    return UnrankedTensorType::get(elem);
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim())
    shape.push_back(d.has_dim_value() && d.dim_value() >= 0
                        ? d.dim_value()
                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, elem);
}

void Importer::declareTypes(const ::onnx::GraphProto &graph) {
  for (const auto &vi : graph.value_info())
    if (Type t = valueType(vi))
      declaredTypes[vi.name()] = t;
  for (const auto &vi : graph.output())
    if (Type t = valueType(vi))
      declaredTypes[vi.name()] = t;
}

FailureOr<ElementsAttr> Importer::tensorAttr(const ::onnx::TensorProto &t) {
  llvm::Expected<ElementsAttr> attr = importTensor(ctx, t, modelDir);
  if (!attr)
    return error(llvm::toString(attr.takeError())), failure();
  return *attr;
}

FailureOr<Attribute> Importer::convertAttribute(const ::onnx::AttributeProto &a,
                                                Location loc) {
  using AP = ::onnx::AttributeProto;
  switch (a.type()) {
  case AP::INT:
    return Attribute(builder.getI64IntegerAttr(a.i()));
  case AP::FLOAT:
    return Attribute(builder.getF32FloatAttr(a.f()));
  case AP::STRING:
    return Attribute(builder.getStringAttr(a.s()));
  case AP::INTS:
    return Attribute(builder.getI64ArrayAttr(
        SmallVector<int64_t>(a.ints().begin(), a.ints().end())));
  case AP::FLOATS:
    return Attribute(builder.getF32ArrayAttr(
        SmallVector<float>(a.floats().begin(), a.floats().end())));
  case AP::STRINGS: {
    SmallVector<StringRef> strs(a.strings().begin(), a.strings().end());
    return Attribute(builder.getStrArrayAttr(strs));
  }
  case AP::TENSOR: {
    auto t = tensorAttr(a.t());
    if (failed(t))
      return failure();
    return Attribute(*t);
  }
  default:
    emitError(loc) << "attribute '" << a.name()
                   << "': graph, sparse-tensor and type attributes are not "
                      "supported yet";
    return failure();
  }
}

Value Importer::noValue() {
  if (!none) {
    // In the function's entry block, so that subgraphs can use it too.
    OpBuilder::InsertionGuard g(builder);
    builder.setInsertionPointToStart(funcEntry);
    none = onnxd::ONNXNoValueOp::create(builder, builder.getUnknownLoc(),
                                        builder.getNoneType());
  }
  return none;
}

Value Importer::attrAsConstant(const ::onnx::AttributeProto &a, Location loc) {
  DenseElementsAttr value;
  if (a.type() == ::onnx::AttributeProto::INTS) {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getI64Type()),
        ArrayRef<int64_t>(v));
  } else if (a.type() == ::onnx::AttributeProto::INT) {
    value = DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getI64Type()), int64_t(a.i()));
  } else if (a.type() == ::onnx::AttributeProto::FLOAT) {
    value = DenseElementsAttr::get(
        RankedTensorType::get({}, builder.getF32Type()), a.f());
  } else if (a.type() == ::onnx::AttributeProto::FLOATS) {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, builder.getF32Type()),
        ArrayRef<float>(v));
  } else {
    return {};
  }
  return onnxd::createConstant(builder, loc, value);
}

LogicalResult Importer::importNode(const ::onnx::NodeProto &node, int index) {
  Location loc = nodeLoc(node, index);
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  auto unsupported = [&](const Twine &why) {
    emitError(loc) << "unsupported op " << node.op_type() << " (domain '"
                   << (defaultDomain ? "ai.onnx" : node.domain()) << "', opset "
                   << domainOpsets.lookup(defaultDomain ? "" : node.domain())
                   << "): " << why;
    return failure();
  };
  std::string opType = node.op_type();
  int64_t nodeOpset = opset;
  if (!defaultDomain) {
    // onnxruntime's quantized ops (what its quantizers write) are onnx.ms.*
    // ops (expand-ms-ops makes them ai.onnx ops); others are named in the
    // error with the list, so that a user can tell which op is missing.
    bool microsoft = node.domain() == "com.microsoft";
    if (microsoft && onnxd::lookupOnnxSchema("ms." + opType)) {
      opType = "ms." + opType;
      // Its version 1 when the model does not say (onnxruntime does not
      // insist either).
      nodeOpset = std::max<int64_t>(1, domainOpsets.lookup(node.domain()));
    } else if (microsoft) {
      return unsupported("not one of the com.microsoft ops mcc supports "
                         "(its quantized ops: QLinearAdd, QLinearMul, "
                         "QLinearSigmoid, QLinearLeakyRelu, QLinearConcat, "
                         "QLinearAveragePool, QLinearGlobalAveragePool, "
                         "QLinearSoftmax, QGemm, DynamicQuantizeMatMul, "
                         "MatMulIntegerToFloat, MatMulNBits, "
                         "GatherBlockQuantized, DynamicQuantizeLSTM, "
                         "QAttention, QEmbedLayerNormalization)");
    } else {
      return unsupported("only the ai.onnx and com.microsoft domains are "
                         "supported");
    }
  } else if (StringRef(opType).starts_with("ms.")) {
    return unsupported("not an operator of ai.onnx opset " +
                       Twine(onnxd::getGeneratedOpsetVersion()));
  }
  // Deprecated ops that are another op under an old name.
  if (opType == "Scatter") // Scatter-9/11 is ScatterElements
    opType = "ScatterElements";
  // Upsample (opsets 7-9) is Resize of its time (adaptLegacyForm).
  if (defaultDomain && opType == "Upsample")
    opType = "Resize";
  const onnxd::OnnxSchemaInfo *schema = onnxd::lookupOnnxSchema(opType);
  auto opName = RegisteredOperationName::lookup("onnx." + opType, &ctx);
  if (!schema || !opName)
    return unsupported("not an operator of ai.onnx opset " +
                       Twine(onnxd::getGeneratedOpsetVersion()));

  // What the node's op and the schema table alone decide: the opset's
  // version of the op, variadic arity, required attributes.
  if (std::optional<NodeProblem> problem = checkNode(node, opType, nodeOpset)) {
    if (problem->unsupported)
      return unsupported(problem->message);
    return emitError(loc) << problem->message, failure();
  }
  if (node.op_type() == "Constant")
    return importConstantNode(node, loc);

  SmallVector<Value> operands;
  for (const std::string &in : node.input()) {
    if (in.empty()) {
      operands.push_back(noValue());
      continue;
    }
    auto it = values.find(in);
    // The output of a node already reported: this one fails silently, so
    // that an unsupported op is one line, not one per node after it.
    if (it == values.end() && unavailable.contains(in))
      return failure();
    if (it == values.end()) {
      emitError(loc) << "input '" << in
                     << "' is not produced by any earlier node, initializer "
                        "or graph input";
      return failure();
    }
    operands.push_back(it->second);
  }

  // Attributes: known ones convert; those that later opsets moved to inputs
  // become constants; others that the newest op dropped are ignored.
  llvm::StringSet<> known;
  for (StringAttr n : opName->getAttributeNames())
    known.insert(n.getValue());
  SmallVector<NamedAttribute> attrs;
  SmallVector<std::pair<unsigned, Value>> movedInputs;
  // Subgraphs (If's branches, Loop's and Scan's body) become regions, in
  // the op's region order.
  SmallVector<StringRef> regionNames;
  if (opType == "If")
    regionNames = {"else_branch", "then_branch"};
  else if (opType == "Loop" || opType == "Scan")
    regionNames = {"body"};
  SmallVector<const ::onnx::GraphProto *> subgraphs(regionNames.size(),
                                                    nullptr);
  for (const auto &a : node.attribute()) {
    if (a.type() == ::onnx::AttributeProto::GRAPH) {
      auto it = llvm::find(regionNames, a.name());
      if (it == regionNames.end()) {
        emitError(loc) << "graph attribute '" << a.name()
                       << "' is not supported on " << opType;
        return failure();
      }
      subgraphs[it - regionNames.begin()] = &a.g();
      continue;
    }
    if (known.contains(a.name())) {
      auto attr = convertAttribute(a, loc);
      if (failed(attr))
        return failure();
      attrs.push_back(builder.getNamedAttr(a.name(), *attr));
      continue;
    }
    for (const AttrToInput &m : kAttrToInput)
      if (m.op == opType && m.attr == a.name())
        if (Value v = attrAsConstant(a, loc))
          movedInputs.push_back({m.input, v});
  }
  for (auto [pos, v] : movedInputs) {
    while (operands.size() <= pos)
      operands.push_back(noValue());
    operands[pos] = v;
  }
  // What the node meant at its opset, in the newest op's form.
  if (defaultDomain) {
    auto none = [&] { return noValue(); };
    LegacyNode legacy{builder, loc, node, opType, nodeOpset, none, unsupported};
    Value replacement;
    if (failed(adaptLegacyForm(legacy, operands, attrs, replacement)))
      return failure();
    if (replacement) {
      values[node.output(0)] = replacement;
      return success();
    }
  }
  // A required input left out, also after older opsets' attributes became
  // inputs (the op's accessors would read past its operands: the fuzzer
  // found a Range with none).
  size_t position = 0;
  for (StringRef name : llvm::split(onnxd::requiredInputs(opType), ' ')) {
    size_t i = position++;
    if (name.empty() || name == "-")
      continue;
    if (i >= operands.size() || isa<NoneType>(operands[i].getType()))
      return emitError(loc)
                 << "missing required input '" << name << "' (#" << i << ")",
             failure();
  }
  // Omitted trailing optional inputs are `none`, so positions match the
  // schema.
  if (schema->variadicInput < 0)
    while (int(operands.size()) < schema->numInputs)
      operands.push_back(noValue());

  int numResults =
      schema->variadicOutput < 0 ? schema->numOutputs : node.output_size();
  SmallVector<Type> resultTypes;
  // Until shape inference runs, a result without a declared type takes the
  // element type of the first tensor operand.
  Type fallbackElem = builder.getF32Type();
  std::optional<int> from = onnxd::resultTypeOperand(opType);
  for (Value v : operands)
    if (auto st = dyn_cast<ShapedType>(v.getType())) {
      fallbackElem = st.getElementType();
      break;
    }
  // A com.microsoft op's result takes the type of the input that shares its
  // type parameter; where none does (QGemm: float, or the type of its
  // output zero point when given), float.
  if (from && *from >= 0 && *from < int(operands.size())) {
    if (auto st = dyn_cast<ShapedType>(operands[*from].getType()))
      fallbackElem = st.getElementType();
  } else if (from) {
    fallbackElem = builder.getF32Type();
    if (auto st = dyn_cast<ShapedType>(operands.back().getType()))
      if (st.getElementType().isInteger(8))
        fallbackElem = st.getElementType();
  }
  for (int i = 0; i < numResults; ++i) {
    if (i >= node.output_size() || node.output(i).empty()) {
      resultTypes.push_back(builder.getNoneType());
      continue;
    }
    Type t = declaredTypes.lookup(node.output(i));
    resultTypes.push_back(t ? t : UnrankedTensorType::get(fallbackElem));
  }

  if (opType == "Scan" && opset < 9) {
    emitError(loc) << "unsupported op Scan (opset " << opset
                   << "): the opset-8 form (batched, sequence_lens) is not "
                      "supported; re-export at opset 9 or later";
    return failure();
  }
  // Attribute values of the wrong kind (a float `keepdims`): the op's
  // getters would read them as null (the importer fuzzer's fourth
  // finding), so check them before shape inference reads them.
  NamedAttrList attrList(attrs);
  if (failed(opName->verifyInherentAttrs(
          attrList, [&]() -> InFlightDiagnostic { return emitError(loc); })))
    return failure();
  OperationState state(loc, *opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(resultTypes);
  for (size_t i = 0; i < regionNames.size(); ++i)
    state.addRegion();
  Operation *op = builder.create(state);
  for (auto [i, g] : llvm::enumerate(subgraphs)) {
    if (!g) {
      emitError(loc) << opType << " needs its '" << regionNames[i]
                     << "' graph attribute";
      return failure();
    }
    // Types for subgraph inputs the model leaves untyped: Loop's iteration
    // count and condition, then its carried values; Scan's states, then
    // one slice of each scan input.
    SmallVector<Type> hints;
    auto i64 = RankedTensorType::get({}, builder.getI64Type());
    auto i1 = RankedTensorType::get({}, builder.getI1Type());
    if (opType == "Loop") {
      hints = {i64, i1};
      for (Value v : ArrayRef<Value>(operands).drop_front(2))
        hints.push_back(v.getType());
    } else if (opType == "Scan") {
      // Scan inputs are seen one slice at a time (their scan axis gone).
      auto scanOp = cast<onnxd::ONNXScanOp>(op);
      int64_t nState = int64_t(operands.size()) - scanOp.getNumScanInputs();
      SmallVector<int64_t> axes =
          onnxd::getIntArray(scanOp.getScanInputAxesAttr());
      for (auto [j, v] : llvm::enumerate(operands)) {
        auto rt = dyn_cast<RankedTensorType>(v.getType());
        int64_t k = int64_t(j) - nState;
        if (k < 0 || !rt || rt.getRank() == 0) {
          hints.push_back(v.getType());
          continue;
        }
        int64_t a = k < int64_t(axes.size())
                        ? onnxd::normalizeAxis(axes[k], rt.getRank())
                        : 0;
        SmallVector<int64_t> shape(rt.getShape());
        if (a >= 0 && a < rt.getRank())
          shape.erase(shape.begin() + a);
        hints.push_back(RankedTensorType::get(shape, rt.getElementType()));
      }
    }
    if (failed(importSubgraph(*g, op->getRegion(i), hints, loc)))
      return failure();
  }
  builder.setInsertionPointAfter(op);
  // Results without declared types get inferred ones now, in graph order:
  // the fallback element type above is wrong for ops with a fixed result
  // type (Shape, Size, Equal...) and would fail verification.
  if (failed(onnxd::inferShapes(op)))
    return failure();
  for (int i = 0; i < node.output_size() && i < numResults; ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = op->getResult(i);
  return success();
}

/// A subgraph in `region`: one block whose arguments are its inputs (typed
/// by the subgraph, else by `argHints`), its initializers and nodes, and an
/// onnx.Yield of its outputs. Names of the enclosing graphs stay visible;
/// the subgraph's own shadow them until it ends.
LogicalResult Importer::importSubgraph(const ::onnx::GraphProto &graph,
                                       Region &region, ArrayRef<Type> argHints,
                                       Location loc) {
  llvm::StringMap<Value> outer = values;
  OpBuilder::InsertionGuard guard(builder);
  Block *block = builder.createBlock(&region);
  for (auto [i, vi] : llvm::enumerate(graph.input())) {
    Type t = valueType(vi);
    if ((!t || !isa<RankedTensorType>(t)) && i < argHints.size())
      t = argHints[i];
    if (!t) {
      emitError(loc) << "subgraph input '" << vi.name()
                     << "' has no tensor type";
      return failure();
    }
    values[vi.name()] = block->addArgument(t, loc);
  }
  declareTypes(graph);
  for (const auto &t : graph.initializer()) {
    auto attr = tensorAttr(t);
    if (failed(attr))
      return failure();
    values[t.name()] = onnxd::createConstant(
        builder, NameLoc::get(builder.getStringAttr(t.name()), loc), *attr);
  }
  bool failedNode = false;
  for (auto [i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, int(i)))) {
      failedNode = true;
      markUnavailable(node);
    }
  if (failedNode)
    return failure();
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(loc) << "subgraph output '" << out.name()
                     << "' is not produced by any node";
      return failure();
    }
    results.push_back(it->second);
  }
  onnxd::ONNXYieldOp::create(builder, loc, results);
  values = std::move(outer);
  return success();
}

// Constant's value_float/value_ints/... forms all become `value`.
LogicalResult Importer::importConstantNode(const ::onnx::NodeProto &node,
                                           Location loc) {
  if (node.attribute_size() != 1 || node.output_size() != 1) {
    emitError(loc)
        << "Constant needs exactly one value attribute and one output";
    return failure();
  }
  const auto &a = node.attribute(0);
  ElementsAttr value;
  auto i64 = builder.getI64Type();
  auto f32 = builder.getF32Type();
  if (a.name() == "value") {
    auto t = tensorAttr(a.t());
    if (failed(t))
      return failure();
    value = *t;
  } else if (a.name() == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, f32), a.f());
  } else if (a.name() == "value_int") {
    value =
        DenseElementsAttr::get(RankedTensorType::get({}, i64), int64_t(a.i()));
  } else if (a.name() == "value_floats") {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, f32), ArrayRef<float>(v));
  } else if (a.name() == "value_ints") {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, i64), ArrayRef<int64_t>(v));
  } else {
    emitError(loc) << "Constant with attribute '" << a.name()
                   << "' is not supported";
    return failure();
  }
  values[node.output(0)] = onnxd::createConstant(builder, loc, value);
  return success();
}

OwningOpRef<ModuleOp> Importer::run(std::optional<StringRef> bytes) {
  if (failed(bytes ? parseBytes(*bytes) : parseFile()))
    return {};
  ctx.getOrLoadDialect<onnxd::ONNXDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  const ::onnx::GraphProto &graph = model.graph();
  Location fileLoc = FileLineColLoc::get(&ctx, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);

  SmallVector<NamedAttribute> opsets;
  for (const auto &imp : model.opset_import())
    opsets.push_back(
        builder.getNamedAttr(imp.domain().empty() ? "ai.onnx" : imp.domain(),
                             builder.getI64IntegerAttr(imp.version())));
  (*module)->setAttr(onnxd::kOpsetImportAttr,
                     builder.getDictionaryAttr(opsets));
  if (!graph.name().empty())
    (*module)->setAttr("onnx.graph_name", builder.getStringAttr(graph.name()));

  declareTypes(graph);

  // Graph inputs that an initializer also names are constants (IR < 4
  // listed every initializer as an input).
  llvm::StringSet<> initNames;
  for (const auto &t : graph.initializer())
    initNames.insert(t.name());
  SmallVector<Type> argTypes;
  SmallVector<const ::onnx::ValueInfoProto *> args;
  llvm::StringSet<> usedShapes;
  for (const auto &vi : graph.input()) {
    if (initNames.contains(vi.name()))
      continue;
    Type t = valueType(vi);
    if (!t || !isa<RankedTensorType>(t)) {
      error("graph input '" + vi.name() +
            "' must be a tensor of known rank and a supported element type");
      return {};
    }
    auto rt = cast<RankedTensorType>(t);
    auto pinned = options.inputShapes.find(vi.name());
    if (pinned != options.inputShapes.end()) {
      usedShapes.insert(vi.name());
      if (pinned->second.size() != size_t(rt.getRank())) {
        error("--input-shape " + vi.name() + ": rank " +
              Twine(pinned->second.size()) +
              " given, the model's input has rank " + Twine(rt.getRank()));
        return {};
      }
      for (auto [i, d] : llvm::enumerate(rt.getShape()))
        if (!ShapedType::isDynamic(d) && d != pinned->second[i]) {
          error("--input-shape " + vi.name() + ": dimension " + Twine(i) +
                " is fixed to " + Twine(d) + " by the model");
          return {};
        }
      rt = RankedTensorType::get(pinned->second, rt.getElementType());
    }
    argTypes.push_back(rt);
    args.push_back(&vi);
  }
  for (const auto &entry : options.inputShapes)
    if (!usedShapes.contains(entry.getKey())) {
      error("--input-shape names '" + entry.getKey().str() +
            "', which is not an input of the model");
      return {};
    }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, kMainGraphName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  funcEntry = entry;
  for (auto [i, vi] : llvm::enumerate(args)) {
    values[vi->name()] = entry->getArgument(i);
    func.setArgAttr(i, kOnnxNameAttr, builder.getStringAttr(vi->name()));
    SmallVector<StringRef> dimNames;
    for (const auto &d : vi->type().tensor_type().shape().dim())
      dimNames.push_back(d.has_dim_param() ? StringRef(d.dim_param()) : "");
    func.setArgAttr(i, kOnnxDimNamesAttr, builder.getStrArrayAttr(dimNames));
  }
  for (const auto &t : graph.initializer()) {
    auto attr = tensorAttr(t);
    if (failed(attr))
      return {};
    values[t.name()] = onnxd::createConstant(
        builder, NameLoc::get(builder.getStringAttr(t.name()), fileLoc), *attr);
  }

  // Keep going after a bad node so that one run lists every problem.
  for (auto [i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, int(i)))) {
      hadError = true;
      markUnavailable(node);
    }
  if (hadError)
    return {};

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      error("graph output '" + out.name() + "' is not produced by any node");
      return {};
    }
    results.push_back(it->second);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, TypeRange(results)));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kOnnxNameAttr, builder.getStringAttr(out.name()));
  return module;
}

OwningOpRef<ModuleOp> mcc::importOnnxFile(StringRef path, MLIRContext &ctx,
                                          const ImportOptions &options) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  Importer importer(ctx, path, options);
  return importer.run();
}

OwningOpRef<ModuleOp> mcc::importOnnxBytes(StringRef bytes, StringRef path,
                                           MLIRContext &ctx,
                                           const ImportOptions &options) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  Importer importer(ctx, path, options);
  return importer.run(bytes);
}
