//===- OnnxDialect.cpp - The onnx dialect ---------------------------------===//

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mcc::onnx;

#include "dialects/onnx/OnnxDialect.cpp.inc"

void ONNXDialect::initialize() {
  // The op definitions are sharded over several translation units; the
  // generated function registers the ops of every shard.
  registerONNXDialectOperations(this);
}

std::optional<SmallVector<int64_t>>
mcc::onnx::getDenseInts(DenseElementsAttr a) {
  if (!a || !isa<IntegerType>(a.getElementType()))
    return std::nullopt;
  bool isUnsigned = a.getElementType().isUnsignedInteger();
  SmallVector<int64_t> out;
  for (const APInt &x : a.getValues<APInt>())
    out.push_back(isUnsigned ? int64_t(x.getZExtValue()) : x.getSExtValue());
  return out;
}

std::optional<SmallVector<int64_t>> mcc::onnx::getConstantInts(Value v) {
  return v ? getDenseInts(getDenseConstant(v)) : std::nullopt;
}

SmallVector<int64_t> mcc::onnx::getIntArray(ArrayAttr a) {
  SmallVector<int64_t> out;
  if (a)
    for (Attribute x : a)
      out.push_back(cast<IntegerAttr>(x).getInt());
  return out;
}

DenseElementsAttr mcc::onnx::getDenseConstant(Value v) {
  auto cst = v.getDefiningOp<ONNXConstantOp>();
  if (!cst || !cst.getValue())
    return {};
  return llvm::dyn_cast<DenseElementsAttr>(*cst.getValue());
}

namespace {
// TensorProto.DataType codes (onnx.proto); kept here so that code without
// protobuf (lowering, codegen, runtime metadata) can name dtypes.
enum DType : int32_t {
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
  kF8E4M3FN = 17,
  kF8E4M3FNUZ = 18,
  kF8E5M2 = 19,
  kF8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
  kF4E2M1 = 23,
  kF8E8M0 = 24,
  kUInt2 = 25,
  kInt2 = 26
};
} // namespace

Type mcc::onnx::getTypeForOnnxDType(MLIRContext *ctx, int32_t dtype) {
  Builder b(ctx);
  auto uint = [&](unsigned w) {
    return IntegerType::get(ctx, w, IntegerType::Unsigned);
  };
  switch (dtype) {
  case kFloat:
    return b.getF32Type();
  case kDouble:
    return b.getF64Type();
  case kFloat16:
    return b.getF16Type();
  case kBFloat16:
    return b.getBF16Type();
  case kInt8:
    return b.getIntegerType(8);
  case kInt16:
    return b.getIntegerType(16);
  case kInt32:
    return b.getIntegerType(32);
  case kInt64:
    return b.getIntegerType(64);
  case kInt4:
    return b.getIntegerType(4);
  case kUInt8:
    return uint(8);
  case kUInt16:
    return uint(16);
  case kUInt32:
    return uint(32);
  case kUInt64:
    return uint(64);
  case kUInt4:
    return uint(4);
  case kBool:
    return b.getI1Type();
  case kComplex64:
    return ComplexType::get(b.getF32Type());
  case kComplex128:
    return ComplexType::get(b.getF64Type());
  case kF8E4M3FN:
    return Float8E4M3FNType::get(ctx);
  case kF8E4M3FNUZ:
    return Float8E4M3FNUZType::get(ctx);
  case kF8E5M2:
    return Float8E5M2Type::get(ctx);
  case kF8E5M2FNUZ:
    return Float8E5M2FNUZType::get(ctx);
  case kF4E2M1:
    return Float4E2M1FNType::get(ctx);
  case kF8E8M0:
    return Float8E8M0FNUType::get(ctx);
  case kUInt2:
    return uint(2);
  case kInt2:
    return b.getIntegerType(2);
  default:
    return {};
  }
}

int32_t mcc::onnx::getOnnxDType(Type t) {
  if (t.isF32())
    return kFloat;
  if (t.isF64())
    return kDouble;
  if (t.isF16())
    return kFloat16;
  if (t.isBF16())
    return kBFloat16;
  if (t.isInteger(1))
    return kBool;
  if (llvm::isa<Float8E4M3FNType>(t))
    return kF8E4M3FN;
  if (llvm::isa<Float8E4M3FNUZType>(t))
    return kF8E4M3FNUZ;
  if (llvm::isa<Float8E5M2Type>(t))
    return kF8E5M2;
  if (llvm::isa<Float8E5M2FNUZType>(t))
    return kF8E5M2FNUZ;
  if (llvm::isa<Float4E2M1FNType>(t))
    return kF4E2M1;
  if (llvm::isa<Float8E8M0FNUType>(t))
    return kF8E8M0;
  if (auto it = llvm::dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 2:
      return u ? kUInt2 : kInt2;
    case 4:
      return u ? kUInt4 : kInt4;
    case 8:
      return u ? kUInt8 : kInt8;
    case 16:
      return u ? kUInt16 : kInt16;
    case 32:
      return u ? kUInt32 : kInt32;
    case 64:
      return u ? kUInt64 : kInt64;
    default:
      return 0;
    }
  }
  if (auto ct = llvm::dyn_cast<ComplexType>(t))
    return ct.getElementType().isF32()   ? kComplex64
           : ct.getElementType().isF64() ? kComplex128
                                         : 0;
  return 0;
}

static const OnnxSchemaInfo kSchemas[] = {
#define ONNX_SCHEMA(name, since, nin, vin, nout, vout, required, versions,     \
                    vinMin, voutMin, requiredInputs)                           \
  {name, since, nin, vin, nout, vout, required},
#include "dialects/onnx/OnnxSchema.inc"
#undef ONNX_SCHEMA
};

const OnnxSchemaInfo *mcc::onnx::lookupOnnxSchema(llvm::StringRef opType) {
  // The table is sorted by name (the generator sorts it).
  auto it = llvm::partition_point(
      kSchemas, [&](const OnnxSchemaInfo &s) { return s.name < opType; });
  if (it == std::end(kSchemas) || it->name != opType)
    return nullptr;
  return it;
}

int64_t mcc::onnx::getGeneratedOpsetVersion() {
#define ONNX_SCHEMA_OPSET(v) return v;
#include "dialects/onnx/OnnxSchema.inc"
#undef ONNX_SCHEMA_OPSET
}

ONNXConstantOp mcc::onnx::createConstant(OpBuilder &b, Location loc,
                                         ElementsAttr value) {
  OperationState state(loc, ONNXConstantOp::getOperationName());
  state.addAttribute("value", value);
  state.addTypes(value.getType());
  return cast<ONNXConstantOp>(b.create(state));
}

std::optional<mcc::onnx::NodeLocation> mcc::onnx::findNode(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations())
      if (auto n = findNode(l))
        return n;
    return std::nullopt;
  }
  auto node = dyn_cast<NameLoc>(loc);
  auto opType = node ? dyn_cast<NameLoc>(node.getChildLoc()) : NameLoc();
  if (!opType)
    return std::nullopt;
  NodeLocation n{node.getName().str(), opType.getName().str(), ""};
  if (auto fl = dyn_cast<FileLineColLoc>(opType.getChildLoc()))
    n.file = fl.getFilename().str();
  return n;
}

void mcc::onnx::collectNodes(
    Location loc, llvm::SetVector<std::pair<StringRef, StringRef>> &nodes) {
  loc->walk([&](Location l) {
    if (auto node = dyn_cast<NameLoc>(l))
      if (auto opType = dyn_cast<NameLoc>(node.getChildLoc()))
        nodes.insert({node.getName().strref(), opType.getName().strref()});
    return WalkResult::advance();
  });
}

std::string mcc::onnx::describeNode(Location loc, std::string *file) {
  std::optional<NodeLocation> n = findNode(loc);
  if (!n)
    return "";
  if (file && !n->file.empty())
    *file = n->file;
  return "node '" + n->name + "' (" + n->opType + ")";
}
