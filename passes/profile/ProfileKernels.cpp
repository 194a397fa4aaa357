//===- ProfileKernels.cpp - count-node-flops and profile-kernels ----------===//
//
// `mcc --profile` (issue 25): an artifact that reports the time of each
// kernel it runs, with the ONNX nodes that kernel covers and their FLOPs.
//
// - count-node-flops, on the onnx dialect after shape inference: each
//   node's nominal operation count (2 per multiply-add for convs and
//   matmuls, one per element for the rest, none for data movement) in the
//   module attribute `mcc.node_flops` ({node name: f64}).
// - profile-kernels, on buffers after the parallel loops became runtime
//   calls: every op of the graph function that does work (a runtime
//   parallel call, a loop nest, a copy, a call) is a kernel, and a call
//   `mcc_rt_profile_tick(k)` after it charges the time since the previous
//   tick to kernel k. Loops whose body launches parallel kernels (an ONNX
//   Loop) and calls of functions with kernels (peel-batch's graph of one
//   sample) are entered instead, so their kernels count one by one. A kernel
//   covers the nodes named by its ops' locations (fusion merges them) and, for
//   a parallel call, by its task's; a node's FLOPs are split among the kernels
//   that cover it by their arithmetic ops on data (a pad copy gets none, a
//   conv's tiles most). The kernels go to the module attribute
//   `mcc.profile_kernels`, which the model descriptor emits (runtime.h's
//   mcc_kernel_info).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mcc {
#define GEN_PASS_DEF_COUNTNODEFLOPS
#define GEN_PASS_DEF_PROFILEKERNELS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kNodeFlopsAttr = "mcc.node_flops";
constexpr llvm::StringLiteral kProfileKernelsAttr = "mcc.profile_kernels";
constexpr llvm::StringLiteral kProfileTick = "mcc_rt_profile_tick";
constexpr llvm::StringLiteral kParallelFor = "mcc_rt_parallel_for";
constexpr llvm::StringLiteral kGraphName = "main_graph";

/// Elements of a static shaped type; nullopt otherwise.
std::optional<double> numel(Type t) {
  auto st = dyn_cast<ShapedType>(t);
  if (!st || !st.hasStaticShape())
    return std::nullopt;
  return static_cast<double>(st.getNumElements());
}

/// Product of dims [from, rank) of a static shaped type.
std::optional<double> trailing(Type t, int64_t from) {
  auto st = dyn_cast<ShapedType>(t);
  if (!st || !st.hasStaticShape() || st.getRank() < from)
    return std::nullopt;
  double p = 1;
  for (int64_t d : st.getShape().drop_front(from))
    p *= static_cast<double>(d);
  return p;
}

/// The nominal operation count of one onnx op; nullopt when a shape it
/// needs is not static.
std::optional<double> nodeFlops(Operation *op) {
  StringRef type = op->getName().stripDialect();
  if (op->getNumResults() == 0)
    return 0.0;
  Type out = op->getResult(0).getType();
  auto operandType = [&](unsigned i) {
    return i < op->getNumOperands() ? op->getOperand(i).getType() : Type();
  };
  auto product = [](std::optional<double> a, std::optional<double> b) {
    return a && b ? std::optional<double>(2 * *a * *b) : std::nullopt;
  };
  // A conv: every output element is a sum over one weight row.
  if (type == "Conv" || type == "ConvInteger")
    return product(numel(out), trailing(operandType(1), 1));
  if (type == "QLinearConv")
    return product(numel(out), trailing(operandType(3), 1));
  if (type == "ConvTranspose") // every input element meets a weight row
    return product(numel(operandType(0)), trailing(operandType(1), 1));
  auto innerDim = [&](unsigned operand, bool first) -> std::optional<double> {
    auto st = dyn_cast_or_null<ShapedType>(operandType(operand));
    if (!st || !st.hasRank() || st.getRank() < 1)
      return std::nullopt;
    int64_t k = st.getDimSize(first ? 0 : st.getRank() - 1);
    if (ShapedType::isDynamic(k))
      return std::nullopt;
    return static_cast<double>(k);
  };
  if (type == "MatMul" || type == "MatMulInteger" || type == "QLinearMatMul")
    return product(numel(out), innerDim(0, false));
  if (type == "Gemm") {
    auto transA = op->getAttrOfType<IntegerAttr>("transA");
    return product(numel(out), innerDim(0, transA && transA.getInt()));
  }
  // Data movement.
  static const llvm::StringSet<> moves = {
      "Cast",     "Concat",  "Constant",  "ConstantOfShape", "DepthToSpace",
      "Expand",   "Flatten", "Gather",    "GatherElements",  "GatherND",
      "Identity", "Pad",     "Reshape",   "ScatterElements", "ScatterND",
      "Shape",    "Size",    "Slice",     "SpaceToDepth",    "Split",
      "Squeeze",  "Tile",    "Transpose", "Unsqueeze"};
  if (moves.contains(type))
    return 0.0;
  // Reductions and pools read every input element once per window.
  if (type.starts_with("Reduce") || type.starts_with("Global") ||
      type.ends_with("Pool") || type == "ArgMax" || type == "ArgMin")
    return numel(operandType(0));
  return numel(out);
}

struct CountNodeFlopsPass : mcc::impl::CountNodeFlopsBase<CountNodeFlopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::MapVector<StringRef, double> flops;
    module.walk([&](Operation *op) {
      if (!isa_and_nonnull<mcc::onnx::ONNXDialect>(op->getDialect()))
        return;
      llvm::SetVector<std::pair<StringRef, StringRef>> nodes;
      mcc::onnx::collectNodes(op->getLoc(), nodes);
      if (nodes.empty())
        return;
      std::optional<double> f = nodeFlops(op);
      // Unknown counts stay out (a kernel then shows no GFLOP/s).
      if (f)
        flops[nodes.front().first] += *f;
    });
    Builder b(module.getContext());
    SmallVector<NamedAttribute> entries;
    for (auto [name, f] : flops)
      entries.push_back(b.getNamedAttr(name, b.getF64FloatAttr(f)));
    module->setAttr(kNodeFlopsAttr, b.getDictionaryAttr(entries));
  }
};

/// Ops that set up a kernel rather than do its work: their time goes to
/// the kernel after them.
bool isKernel(Operation *op) {
  if (op->getNumRegions() > 0)
    return true;
  return isa<func::CallOp, memref::CopyOp, linalg::LinalgOp>(op);
}

/// A parallel call: the task function it runs.
func::FuncOp parallelTask(Operation *op, SymbolTable &symbols) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call || call.getCallee() != kParallelFor || call.getNumOperands() == 0)
    return {};
  auto fn = call.getOperand(0).getDefiningOp<func::ConstantOp>();
  return fn ? symbols.lookup<func::FuncOp>(fn.getValue()) : func::FuncOp();
}

/// A call of a function of the module that holds kernels of its own (the
/// graph of one sample, which peel-batch outlines): its callee.
func::FuncOp graphCallee(Operation *op, SymbolTable &symbols) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call)
    return {};
  auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
  if (!callee || callee.isExternal())
    return {};
  bool any = false;
  for (Operation &inner : callee.getBody().front())
    any |= isKernel(&inner);
  return any ? callee : func::FuncOp();
}

/// Whether `op` runs kernels of the graph (a loop over a peeled batch, an
/// ONNX Loop or If) rather than being one.
bool launchesKernels(Operation *op, SymbolTable &symbols) {
  for (Region &r : op->getRegions())
    for (Block &block : r)
      for (Operation &inner : block)
        if (parallelTask(&inner, symbols) || graphCallee(&inner, symbols) ||
            (inner.getNumRegions() && launchesKernels(&inner, symbols)))
          return true;
  return false;
}

/// Arithmetic on data (not on indices) in `op`: a kernel's share of its
/// nodes' FLOPs. A pad or a copy has none; a conv's tiles have their
/// FMAs, its epilogue a few adds.
int64_t arithmeticOps(Operation *op) {
  int64_t n = 0;
  op->walk([&](Operation *inner) {
    if (isa<arith::ConstantOp>(inner) || inner->getNumResults() != 1 ||
        inner->getResult(0).getType().isIndex())
      return;
    StringRef dialect =
        inner->getDialect() ? inner->getDialect()->getNamespace() : StringRef();
    if (dialect == "arith" || dialect == "math" || dialect == "x86vector" ||
        isa<vector::FMAOp, vector::ContractionOp, vector::ReductionOp>(inner))
      ++n;
  });
  return n;
}

/// The element types of the buffers `op` works on ("f32", "i8 i32"): a
/// kernel's precision in mcc --report.
void collectElementTypes(Operation *op, llvm::SetVector<Type> &types) {
  op->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (auto m = dyn_cast<MemRefType>(v.getType()))
        types.insert(m.getElementType());
  });
}

struct Kernel {
  std::string name;
  llvm::SetVector<std::pair<StringRef, StringRef>> nodes;
  llvm::SetVector<Type> types;
  int64_t arithmetic = 0;
};

struct ProfileKernelsPass : mcc::impl::ProfileKernelsBase<ProfileKernelsPass> {
  using ProfileKernelsBase::ProfileKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto graph = module.lookupSymbol<func::FuncOp>(kGraphName);
    DictionaryAttr nodeFlops =
        module->getAttrOfType<DictionaryAttr>(kNodeFlopsAttr);
    module->removeAttr(kNodeFlopsAttr);
    if (!graph || graph.isExternal())
      return;
    SymbolTable symbols(module);
    OpBuilder b(module.getContext());
    auto tick = timers ? declareTick(module, b) : func::FuncOp();
    std::vector<Kernel> kernels;
    instrument(graph.getBody(), tick, symbols, kernels);

    // A node's FLOPs, split among the kernels that cover it by their
    // arithmetic (evenly when none has any).
    llvm::StringMap<std::pair<int64_t, unsigned>> shares;
    for (const Kernel &k : kernels)
      for (auto [node, type] : k.nodes) {
        shares[node].first += k.arithmetic;
        ++shares[node].second;
      }
    SmallVector<Attribute> infos;
    for (const Kernel &k : kernels) {
      double flops = 0;
      SmallVector<Attribute> names, types, elementTypes;
      for (Type t : k.types)
        elementTypes.push_back(TypeAttr::get(t));
      for (auto [node, type] : k.nodes) {
        names.push_back(b.getStringAttr(node));
        types.push_back(b.getStringAttr(type));
        auto f = nodeFlops ? nodeFlops.getAs<FloatAttr>(node) : nullptr;
        if (!f)
          continue;
        auto [arithmetic, count] = shares[node];
        flops += f.getValueAsDouble() *
                 (arithmetic ? double(k.arithmetic) / arithmetic : 1.0 / count);
      }
      infos.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(k.name)),
           b.getNamedAttr("nodes", b.getArrayAttr(names)),
           b.getNamedAttr("op_types", b.getArrayAttr(types)),
           b.getNamedAttr("flops", b.getF64FloatAttr(flops)),
           b.getNamedAttr("element_types", b.getArrayAttr(elementTypes))}));
    }
    module->setAttr(kProfileKernelsAttr, b.getArrayAttr(infos));
  }

  static func::FuncOp declareTick(ModuleOp module, OpBuilder &b) {
    if (auto f = module.lookupSymbol<func::FuncOp>(kProfileTick))
      return f;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    auto f = func::FuncOp::create(b, module.getLoc(), kProfileTick,
                                  b.getFunctionType({b.getI32Type()}, {}));
    f.setPrivate();
    return f;
  }

  /// Functions whose kernels already tick.
  llvm::DenseSet<Operation *> instrumented;

  /// Puts a tick after every kernel in `region`, entering the ops (and
  /// called functions) that launch kernels of their own.
  void instrument(Region &region, func::FuncOp tick, SymbolTable &symbols,
                  std::vector<Kernel> &kernels) {
    for (Block &block : region)
      for (Operation &op : llvm::make_early_inc_range(block)) {
        if (!isKernel(&op))
          continue;
        if (func::FuncOp callee = graphCallee(&op, symbols)) {
          // Its kernels tick inside it (once, however many callers).
          if (instrumented.insert(callee).second)
            instrument(callee.getBody(), tick, symbols, kernels);
          continue;
        }
        if (op.getNumRegions() && launchesKernels(&op, symbols)) {
          for (Region &inner : op.getRegions())
            instrument(inner, tick, symbols, kernels);
          continue;
        }
        Kernel &k = kernels.emplace_back();
        func::FuncOp task = parallelTask(&op, symbols);
        op.walk([&](Operation *inner) {
          mcc::onnx::collectNodes(inner->getLoc(), k.nodes);
        });
        k.arithmetic = arithmeticOps(&op);
        collectElementTypes(&op, k.types);
        if (task) {
          task.walk([&](Operation *inner) {
            mcc::onnx::collectNodes(inner->getLoc(), k.nodes);
          });
          k.arithmetic += arithmeticOps(task);
          collectElementTypes(task, k.types);
        }
        k.name = task ? task.getSymName().str()
                      : (op.getName().getStringRef() +
                         (k.nodes.empty() ? "" : "_" + k.nodes[0].first))
                            .str();
        if (!timers)
          continue;
        OpBuilder b(&op);
        b.setInsertionPointAfter(&op);
        Value id = arith::ConstantIntOp::create(b, op.getLoc(), b.getI32Type(),
                                                kernels.size() - 1);
        func::CallOp::create(b, op.getLoc(), tick, ValueRange{id});
      }
  }
};

} // namespace
