//===- BatchPeeling.cpp - A symbolic batch as a loop over one sample ------===//
//
// The kernel passes (register tiling, Winograd, channels-last) and the
// thread pool need static shapes. A model whose only symbolic dim is a
// batch that no op mixes gets them anyway: its graph is compiled once with
// the batch pinned to 1 (@main_graph_sample, static), and the graph becomes
// a loop that runs it on each sample's slice of the inputs and writes each
// sample's slice of the outputs.
//
// Whether no op mixes the batch is an analysis over the graph with the
// batch symbolic: every value either carries the batch along one dim k
// (which must be the value's only dynamic dim) or is the same for every
// sample (weights, and what is computed from them). Each op must keep
// samples apart: elementwise ops with the batch at one aligned dim, convs
// and pools batch-first, reductions and softmax over other axes, MatMul
// with the batch outside the reduced dim, reshapes that keep it outermost.
// Shape values computed from a batched tensor (Shape, and the Gather /
// Concat / Unsqueeze arithmetic on it) may only size Reshape, Expand or
// ConstantOfShape. Anything else (an unknown op, control flow, a second
// symbolic dim) leaves the graph as it is.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "peel-batch"

namespace mcc {
#define GEN_PASS_DEF_PEELBATCH
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;

namespace {

constexpr int64_t kNone = -1; // the same for every sample

/// Ops whose result is an elementwise function of (broadcast) operands.
bool isElementwise(StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases({"Abs",        "Acos",       "Acosh",     "Add",        "And",
              "Asin",       "Asinh",      "Atan",      "Atanh",      "BitShift",
              "BitwiseAnd", "BitwiseNot", "BitwiseOr", "BitwiseXor", "Cast",
              "CastLike",   "Ceil",       "Celu",      "Clip",       "Cos",
              "Cosh",       "Div",        "Dropout",   "Elu",        "Equal",
              "Erf",        "Exp",        "Floor"},
             true)
      .Cases({"Gelu",        "Greater",     "GreaterOrEqual",
              "HardSigmoid", "HardSwish",   "Identity",
              "IsInf",       "IsNaN",       "LeakyRelu",
              "Less",        "LessOrEqual", "Log",
              "Max",         "Mean",        "Min",
              "Mish",        "Mod",         "Mul",
              "Neg",         "Not",         "Or",
              "PRelu",       "Pow",         "Reciprocal",
              "Relu",        "Round",       "Selu",
              "Shrink",      "Sigmoid",     "Sign",
              "Sin",         "Sinh"},
             true)
      .Cases({"Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Swish", "Tan",
              "Tanh", "ThresholdedRelu", "Where", "Xor"},
             true)
      .Default(false);
}

/// Ops that take a batch-first input (operand 0) and make a batch-first
/// result, every other operand being the same for all samples.
bool isBatchFirst(StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases({"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool",
              "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
              "InstanceNormalization", "GroupNormalization", "LRN",
              "DepthToSpace", "SpaceToDepth", "MeanVarianceNormalization"},
             true)
      .Default(false);
}

/// Ops that compute on shape values: Shape-derived operands make
/// Shape-derived results.
bool isShapeArithmetic(StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases({"Gather", "Concat", "Unsqueeze", "Squeeze", "Cast", "Slice",
              "Identity"},
             true)
      .Default(false);
}

struct Analysis {
  DenseMap<Value, int64_t> axis; // batched values and their batch dim
  DenseSet<Value> shapeValues;   // computed from a batched tensor's shape

  int64_t of(Value v) const {
    auto it = axis.find(v);
    return it == axis.end() ? kNone : it->second;
  }

  /// The batch dim of a batched result must be its only dynamic dim.
  bool setBatched(Value r, int64_t k) {
    auto t = dyn_cast<RankedTensorType>(r.getType());
    if (!t || k < 0 || k >= t.getRank() || !t.isDynamicDim(k))
      return false;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != k && t.isDynamicDim(d))
        return false;
    axis[r] = k;
    return true;
  }

  /// A result sized by a batched shape: batched along its dynamic dim,
  /// which must be the only one.
  bool setBatchedBySize(Value r) {
    auto t = cast<RankedTensorType>(r.getType());
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (t.isDynamicDim(d))
        return setBatched(r, d);
    return false;
  }

  /// An unbatched value must be fully static (else it hides N).
  static bool staticValue(Value v) {
    if (isNoValue(v))
      return true;
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.hasStaticShape();
  }

  bool visit(Operation *op);
};

/// `axes` normalized for `rank`, or nullopt if they are not constant.
std::optional<SmallVector<int64_t>> constantAxes(Value v, int64_t rank) {
  auto a = getConstantInts(v);
  if (!a)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (int64_t x : *a)
    out.push_back(normalizeAxis(x, rank));
  return out;
}

int64_t rankOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getRank() : -1;
}

bool Analysis::visit(Operation *op) {
  StringRef name = op->getName().stripDialect();
  if (isa<ONNXConstantOp, ONNXNoValueOp>(op))
    return true;
  if (op->getNumRegions())
    return false;
  bool anyBatched = false, anyShape = false;
  for (Value v : op->getOperands()) {
    anyBatched |= axis.count(v) > 0;
    anyShape |= shapeValues.count(v) > 0;
  }
  // Shape values: Shape of a batched tensor, and arithmetic on them.
  if (isa<ONNXShapeOp, ONNXSizeOp>(op)) {
    if (anyBatched)
      shapeValues.insert(op->getResult(0));
    return true;
  }
  if (anyShape && !anyBatched && isShapeArithmetic(name)) {
    for (Value r : op->getResults())
      shapeValues.insert(r);
    return true;
  }
  // Reshape / Expand / ConstantOfShape sized by shape values: the batch
  // ends where the result's one dynamic dim is.
  auto sizedByShape = [&](Value shape) { return shapeValues.count(shape); };
  if (auto r = dyn_cast<ONNXReshapeOp>(op)) {
    if (!anyBatched && !anyShape)
      return true;
    // The batch must stay outermost, where the elements of one sample
    // are contiguous in both.
    return of(r.getData()) == 0 && setBatched(r.getResult(), 0);
  }
  if (auto e = dyn_cast<ONNXExpandOp>(op)) {
    if (!anyBatched && !anyShape)
      return true;
    int64_t k = of(e.getInput());
    int64_t lead = rankOf(e.getResult()) - rankOf(e.getInput());
    if (k != kNone)
      return setBatched(e.getResult(), k + lead);
    if (!sizedByShape(e.getShape()))
      return false;
    return setBatchedBySize(e.getResult());
  }
  if (auto c = dyn_cast<ONNXConstantOfShapeOp>(op)) {
    if (!anyShape)
      return true;
    return setBatchedBySize(c.getResult());
  }
  if (anyShape)
    return false; // a shape value used as data
  if (!anyBatched) {
    // Computed from weights only: the same for every sample.
    return llvm::all_of(op->getResults(), [](Value r) {
      return isa<NoneType>(r.getType()) || staticValue(r);
    });
  }
  Value in0 = op->getOperand(0);
  int64_t k0 = of(in0);
  auto othersUnbatched = [&]() {
    for (Value v : op->getOperands().drop_front())
      if (axis.count(v) || !staticValue(v))
        return false;
    return true;
  };
  if (isElementwise(name)) {
    int64_t rank = rankOf(op->getResult(0));
    std::optional<int64_t> p;
    for (Value v : op->getOperands()) {
      if (isNoValue(v))
        continue;
      int64_t r = rankOf(v);
      if (r < 0)
        return false;
      if (int64_t k = of(v); k != kNone) {
        if (p && *p != k + rank - r)
          return false;
        p = k + rank - r;
      }
    }
    // An unbatched operand must broadcast along the batch dim.
    for (Value v : op->getOperands()) {
      if (isNoValue(v) || axis.count(v))
        continue;
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.hasStaticShape())
        return false;
      int64_t d = *p - (rank - t.getRank());
      if (d >= 0 && t.getDimSize(d) != 1)
        return false;
    }
    for (Value r : op->getResults())
      if (!isa<NoneType>(r.getType()) && !r.use_empty() && !setBatched(r, *p))
        return false;
    return true;
  }
  if (isBatchFirst(name))
    return k0 == 0 && othersUnbatched() && setBatched(op->getResult(0), 0);
  if (auto bn = dyn_cast<ONNXBatchNormalizationOp>(op))
    return !bn.getTrainingMode() && k0 == 0 && othersUnbatched() &&
           setBatched(bn.getY(), 0);
  // Ops along one axis that must not be the batch's.
  auto alongAxis = [&](int64_t ax, bool keepsRank) {
    int64_t rank = rankOf(in0);
    if (normalizeAxis(ax, rank) == k0 || !othersUnbatched())
      return false;
    (void)keepsRank;
    return setBatched(op->getResult(0), k0);
  };
  if (auto s = dyn_cast<ONNXSoftmaxOp>(op))
    return alongAxis(s.getAxis(), true);
  if (auto s = dyn_cast<ONNXLogSoftmaxOp>(op))
    return alongAxis(s.getAxis(), true);
  if (auto s = dyn_cast<ONNXHardmaxOp>(op))
    return alongAxis(s.getAxis(), true);
  if (auto s = dyn_cast<ONNXLpNormalizationOp>(op))
    return alongAxis(s.getAxis(), true);
  if (auto s = dyn_cast<ONNXCumSumOp>(op)) {
    auto a = getConstantInts(s.getAxis());
    return a && a->size() == 1 && alongAxis((*a)[0], true);
  }
  if (isa<ONNXLayerNormalizationOp, ONNXRMSNormalizationOp>(op)) {
    int64_t ax = isa<ONNXLayerNormalizationOp>(op)
                     ? cast<ONNXLayerNormalizationOp>(op).getAxis()
                     : cast<ONNXRMSNormalizationOp>(op).getAxis();
    if (normalizeAxis(ax, rankOf(in0)) <= k0 || !othersUnbatched())
      return false;
    for (Value r : op->getResults())
      if (!isa<NoneType>(r.getType()) && !r.use_empty() &&
          r != op->getResult(0))
        return false;
    return setBatched(op->getResult(0), k0);
  }
  // Reductions over constant axes that leave the batch out.
  auto reduce = [&](Value axesV, bool keepdims, bool noop) {
    int64_t rank = rankOf(in0);
    if (isNoValue(axesV))
      return false; // all axes, the batch's too
    auto axes = constantAxes(axesV, rank);
    if (!axes || axes->empty() || noop || llvm::is_contained(*axes, k0))
      return false;
    int64_t k = k0;
    if (!keepdims)
      k -= llvm::count_if(*axes, [&](int64_t a) { return a < k0; });
    return setBatched(op->getResult(0), k);
  };
#define MCC_REDUCE(OP)                                                         \
  if (auto r = dyn_cast<OP>(op))                                               \
    return reduce(r.getAxes(), r.getKeepdims(), r.getNoopWithEmptyAxes());
  MCC_REDUCE(ONNXReduceSumOp)
  MCC_REDUCE(ONNXReduceMeanOp)
  MCC_REDUCE(ONNXReduceMaxOp)
  MCC_REDUCE(ONNXReduceMinOp)
  MCC_REDUCE(ONNXReduceProdOp)
  MCC_REDUCE(ONNXReduceL1Op)
  MCC_REDUCE(ONNXReduceL2Op)
  MCC_REDUCE(ONNXReduceLogSumOp)
  MCC_REDUCE(ONNXReduceLogSumExpOp)
  MCC_REDUCE(ONNXReduceSumSquareOp)
#undef MCC_REDUCE
  if (isa<ONNXArgMaxOp, ONNXArgMinOp>(op)) {
    int64_t ax = isa<ONNXArgMaxOp>(op) ? cast<ONNXArgMaxOp>(op).getAxis()
                                       : cast<ONNXArgMinOp>(op).getAxis();
    bool keep = isa<ONNXArgMaxOp>(op) ? cast<ONNXArgMaxOp>(op).getKeepdims()
                                      : cast<ONNXArgMinOp>(op).getKeepdims();
    ax = normalizeAxis(ax, rankOf(in0));
    if (ax == k0)
      return false;
    return setBatched(op->getResult(0), !keep && ax < k0 ? k0 - 1 : k0);
  }
  if (auto t = dyn_cast<ONNXTransposeOp>(op)) {
    SmallVector<int64_t> perm = getIntArray(t.getPermAttr());
    int64_t rank = rankOf(in0);
    if (perm.empty())
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    auto it = llvm::find(perm, k0);
    return it != perm.end() && setBatched(t.getResult(), it - perm.begin());
  }
  if (auto f = dyn_cast<ONNXFlattenOp>(op))
    return k0 == 0 && normalizeAxis(f.getAxis(), rankOf(in0)) >= 1 &&
           setBatched(f.getResult(), 0);
  if (auto s = dyn_cast<ONNXSqueezeOp>(op)) {
    auto axes = isNoValue(s.getAxes()) ? std::nullopt
                                       : constantAxes(s.getAxes(), rankOf(in0));
    if (!axes || llvm::is_contained(*axes, k0))
      return false;
    return setBatched(s.getResult(), k0 - llvm::count_if(*axes, [&](int64_t a) {
                                       return a < k0;
                                     }));
  }
  if (auto u = dyn_cast<ONNXUnsqueezeOp>(op)) {
    int64_t outRank = rankOf(u.getResult());
    auto axes = constantAxes(u.getAxes(), outRank);
    if (!axes)
      return false;
    // The batch moves past every new dim inserted before it.
    int64_t k = k0;
    for (int64_t p = 0, src = 0; p < outRank; ++p) {
      if (llvm::is_contained(*axes, p))
        continue;
      if (src++ == k0) {
        k = p;
        break;
      }
    }
    return setBatched(u.getResult(), k);
  }
  if (auto c = dyn_cast<ONNXConcatOp>(op)) {
    int64_t rank = rankOf(in0);
    if (normalizeAxis(c.getAxis(), rank) == k0)
      return false;
    for (Value v : c.getInputs())
      if (of(v) != k0)
        return false;
    return setBatched(c.getResult(), k0);
  }
  if (auto s = dyn_cast<ONNXSplitOp>(op)) {
    if (normalizeAxis(s.getAxis(), rankOf(in0)) == k0 || !othersUnbatched())
      return false;
    for (Value r : s.getResults())
      if (!setBatched(r, k0))
        return false;
    return true;
  }
  if (auto s = dyn_cast<ONNXSliceOp>(op)) {
    if (!othersUnbatched())
      return false;
    int64_t rank = rankOf(in0);
    auto starts = getConstantInts(s.getStarts());
    if (!starts)
      return false;
    SmallVector<int64_t> axes;
    if (isNoValue(s.getAxes()))
      axes = llvm::to_vector(llvm::seq<int64_t>(0, starts->size()));
    else if (auto a = constantAxes(s.getAxes(), rank))
      axes = *a;
    else
      return false;
    return !llvm::is_contained(axes, k0) && setBatched(s.getResult(), k0);
  }
  if (auto g = dyn_cast<ONNXGatherOp>(op)) {
    int64_t rank = rankOf(g.getData());
    int64_t ax = normalizeAxis(g.getAxis(), rank);
    int64_t kd = of(g.getData()), ki = of(g.getIndices());
    int64_t ir = rankOf(g.getIndices());
    if (kd != kNone && ki == kNone && staticValue(g.getIndices()) && ax != kd)
      return setBatched(g.getResult(), ax > kd ? kd : kd + ir - 1);
    if (kd == kNone && ki != kNone && staticValue(g.getData()))
      return setBatched(g.getResult(), ax + ki); // an embedding lookup
    return false;
  }
  if (auto m = dyn_cast<ONNXMatMulOp>(op)) {
    int64_t ka = of(m.getA()), kb = of(m.getB());
    int64_t ra = rankOf(m.getA()), rb = rankOf(m.getB());
    int64_t rank = rankOf(m.getResult());
    if (ka != kNone && kb == kNone && ra >= 2 && ka != ra - 1)
      return setBatched(m.getResult(),
                        ka == ra - 2 ? rank - 2 : ka + rank - ra);
    if (ka != kNone && kb != kNone && ka < ra - 2 && kb < rb - 2 &&
        ka + rank - ra == kb + rank - rb)
      return setBatched(m.getResult(), ka + rank - ra);
    if (ka == kNone && kb != kNone && rb >= 2 && kb != rb - 2 && ra >= 2)
      return setBatched(m.getResult(),
                        kb == rb - 1 ? rank - 1 : kb + rank - rb);
    return false;
  }
  if (auto g = dyn_cast<ONNXGemmOp>(op))
    return k0 == (g.getTransA() ? 1 : 0) && othersUnbatched() &&
           setBatched(g.getResult(), 0);
  return false;
}

struct PeelBatchPass : mcc::impl::PeelBatchBase<PeelBatchPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(graph);
    if (!fn || fn.isExternal() || !fn.getBody().hasOneBlock())
      return;
    Analysis a;
    SmallVector<unsigned> batchedArgs;
    for (BlockArgument arg : fn.getArguments()) {
      auto t = dyn_cast<RankedTensorType>(arg.getType());
      if (!t)
        return;
      if (t.hasStaticShape())
        continue;
      if (!a.setBatched(arg, 0) || isUnsigned(t))
        return;
      batchedArgs.push_back(arg.getArgNumber());
    }
    if (batchedArgs.empty())
      return;
    Block &body = fn.getBody().front();
    for (Operation &op : body.without_terminator())
      if (!a.visit(&op)) {
        LLVM_DEBUG(llvm::dbgs() << "peel-batch: not at " << op << "\n");
        return;
      }
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    for (Value v : ret.getOperands())
      if (a.of(v) != 0 || isUnsigned(v.getType()))
        return;

    // The graph at batch 1, typed by shape inference.
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(fn);
    auto sample = cast<func::FuncOp>(b.clone(*fn));
    sample.setSymName(graph + "_sample");
    sample.setPrivate();
    sample.removeArgAttrsAttr();
    sample.removeResAttrsAttr();
    sample->setAttr(kSampleAttr, b.getUnitAttr());
    for (unsigned i : batchedArgs) {
      BlockArgument arg = sample.getArgument(i);
      auto t = cast<RankedTensorType>(arg.getType());
      SmallVector<int64_t> shape(t.getShape());
      shape[0] = 1;
      arg.setType(RankedTensorType::get(shape, t.getElementType()));
    }
    sample.setType(FunctionType::get(module.getContext(),
                                     sample.getBody().getArgumentTypes(),
                                     sample.getResultTypes()));
    OpPassManager pm(func::FuncOp::getOperationName());
    pm.addPass(createOnnxShapeInference());
    if (failed(runPipeline(pm, sample)) ||
        !llvm::all_of(sample.getResultTypes(), [](Type t) {
          auto rt = dyn_cast<RankedTensorType>(t);
          return rt && rt.hasStaticShape() && rt.getRank() > 0 &&
                 rt.getDimSize(0) == 1;
        })) {
      sample.erase();
      return;
    }

    // The graph: for n < N, run the sample on slice n of the batched
    // inputs and write its results to slice n of the outputs.
    SmallVector<Operation *> old;
    for (Operation &op : body.without_terminator())
      old.push_back(&op);
    for (Operation *op : llvm::reverse(old)) {
      op->dropAllUses();
      op->erase();
    }
    b.setInsertionPoint(ret);
    Location loc = fn.getLoc();
    Value n = tensor::DimOp::create(b, loc, fn.getArgument(batchedArgs[0]), 0);
    for (unsigned i : ArrayRef(batchedArgs).drop_front()) {
      Value m = tensor::DimOp::create(b, loc, fn.getArgument(i), 0);
      cf::AssertOp::create(
          b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, n, m),
          "the inputs' batch dimensions differ");
    }
    SmallVector<Value> inits;
    for (Type t : fn.getResultTypes()) {
      auto rt = cast<RankedTensorType>(t);
      SmallVector<OpFoldResult> dims = {n};
      for (int64_t d : rt.getShape().drop_front())
        dims.push_back(b.getIndexAttr(d));
      inits.push_back(
          tensor::EmptyOp::create(b, loc, dims, rt.getElementType()));
    }
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(
        b, loc, zero, n, one, inits,
        [&](OpBuilder &lb, Location l, Value iv, ValueRange outs) {
          SmallVector<Value> args;
          for (BlockArgument arg : fn.getArguments()) {
            if (!llvm::is_contained(batchedArgs, arg.getArgNumber())) {
              args.push_back(arg);
              continue;
            }
            args.push_back(sampleOf(lb, l, arg, iv,
                                    sample.getArgumentTypes()[args.size()]));
          }
          auto call = func::CallOp::create(lb, l, sample, args);
          SmallVector<Value> next;
          for (auto [r, acc] : llvm::zip(call.getResults(), outs)) {
            auto rt = cast<RankedTensorType>(r.getType());
            SmallVector<OpFoldResult> offs(rt.getRank(), lb.getIndexAttr(0)),
                sizes, strides(rt.getRank(), lb.getIndexAttr(1));
            offs[0] = iv;
            for (int64_t d : rt.getShape())
              sizes.push_back(lb.getIndexAttr(d));
            next.push_back(tensor::InsertSliceOp::create(lb, l, r, acc, offs,
                                                         sizes, strides));
          }
          scf::YieldOp::create(lb, l, next);
        });
    SmallVector<Value> results;
    for (auto [r, t] : llvm::zip(loop.getResults(), fn.getResultTypes()))
      results.push_back(r.getType() == t
                            ? Value(r)
                            : Value(tensor::CastOp::create(b, loc, t, r)));
    ret->setOperands(results);
  }

  static bool isUnsigned(Type t) {
    auto st = dyn_cast<ShapedType>(t);
    auto it = st ? dyn_cast<IntegerType>(st.getElementType()) : IntegerType();
    return it && it.isUnsigned();
  }

  /// Sample `iv` of `x` (batch dim 0) as a tensor of `type` ([1, ...]).
  static Value sampleOf(OpBuilder &b, Location loc, Value x, Value iv,
                        Type type) {
    auto t = cast<RankedTensorType>(type);
    SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)), sizes,
        strides(t.getRank(), b.getIndexAttr(1));
    offs[0] = iv;
    for (int64_t d : t.getShape())
      sizes.push_back(b.getIndexAttr(d));
    return tensor::ExtractSliceOp::create(b, loc, t, x, offs, sizes, strides);
  }
};

} // namespace
