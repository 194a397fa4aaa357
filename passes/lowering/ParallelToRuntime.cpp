//===- ParallelToRuntime.cpp - scf.parallel to the runtime thread pool ----===//
//
// Each outermost scf.parallel with enough work becomes
//
//   func.call @mcc_rt_parallel_for(@<fn>_par<N>, %ctx, %n)
//
// where @<fn>_par<N>(%ctx, %begin, %end) runs iterations [begin, end) of the
// loop's outer dimensions, collapsed into one range of n iterations (enough
// of them to split across threads; the rest stay an inner scf.parallel run
// sequentially). Values the body uses from above travel in %ctx, a stack
// struct: memrefs as their aligned pointer plus whichever of offset, sizes
// and strides their type leaves dynamic (the rest of the descriptor is
// rebuilt from the type), scalars by value; constants are cloned instead.
// Loops with reductions, dynamic bounds or too little work stay as they
// are.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mcc {
#define GEN_PASS_DEF_CONVERTPARALLELLOOPSTORUNTIME
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kParallelFor = "mcc_rt_parallel_for";
/// Trip count assumed for a loop whose bounds are not constant.
constexpr int64_t kUnknownTripCount = 16;
/// Work (scalar ops, see estimateWork) of one iteration above which the
/// innermost parallel dim is collapsed with the others.
constexpr int64_t kHeavyIterationWork = 16384;

/// `<fn>_par<N>`, plus `_<node>` when `loc` names the ONNX node the loop
/// came from (the first one of a fused loop): a profile of an artifact
/// (`perf report`) then reads per node. Characters that are not
/// [A-Za-z0-9_] become '_'; long names keep their end, where exporters
/// put the op (/layer1/layer1.0/conv1/Conv).
std::string taskName(func::FuncOp func, unsigned index, Location loc) {
  std::string name = (func.getSymName() + "_par" + Twine(index)).str();
  std::optional<StringRef> node;
  loc->walk([&](Location l) {
    if (auto nl = dyn_cast<NameLoc>(l)) {
      node = nl.getName().strref();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!node || node->empty())
    return name;
  constexpr size_t kMaxNodeChars = 48;
  StringRef n = node->take_back(kMaxNodeChars);
  name += '_';
  for (char c : n)
    name += llvm::isAlnum(c) ? c : '_';
  return name;
}

std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
       s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u <= *l ? 0 : (*u - *l + *s - 1) / *s;
}

/// Scalar operations of one op: its vector result's elements (a register
/// tile's vector.fma on 32 lanes does 32 scalar FMAs), else 1.
int64_t opWork(Operation &op) {
  int64_t work = 1;
  for (Type t : op.getResultTypes())
    if (auto v = dyn_cast<VectorType>(t); v && v.hasStaticShape())
      work = std::max(work, v.getNumElements());
  return work;
}

/// Scalar operations executed by one run of `region`, nested loops
/// multiplied out.
int64_t estimateWork(Region &region) {
  int64_t work = 0;
  for (Operation &op : region.getOps()) {
    int64_t trips = 1;
    if (auto f = dyn_cast<scf::ForOp>(op))
      trips = tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep())
                  .value_or(kUnknownTripCount);
    else if (auto p = dyn_cast<scf::ParallelOp>(op))
      for (auto [l, u, s] :
           llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep()))
        trips *= tripCount(l, u, s).value_or(kUnknownTripCount);
    int64_t inner = 0;
    for (Region &r : op.getRegions())
      inner += estimateWork(r);
    work += opWork(op) + trips * inner;
  }
  return work;
}

/// How one captured value crosses into the outlined function: in
/// `slotTypes.size()` consecutive fields of the context struct.
struct Capture {
  Value value;
  SmallVector<Type, 1> slotTypes;
};

/// A memref type's offset, sizes and strides, in the descriptor's order
/// (dynamic ones marked), if it has a strided layout.
std::optional<SmallVector<int64_t>> descriptorEntries(MemRefType mt) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(mt.getStridesAndOffset(strides, offset)))
    return std::nullopt;
  SmallVector<int64_t> entries = {offset};
  llvm::append_range(entries, mt.getShape());
  llvm::append_range(entries, strides);
  return entries;
}

struct Outliner {
  ModuleOp module;
  SymbolTable &symbols;
  int64_t minWork;
  int64_t minOuterIterations;

  /// Rewrites `loop` in `func`; false when it has to stay sequential.
  bool outline(func::FuncOp func, scf::ParallelOp loop, unsigned index);

private:
  bool collectCaptures(scf::ParallelOp loop, SmallVectorImpl<Capture> &out,
                       SmallVectorImpl<Value> &constants);
  SmallVector<Value> packSlots(OpBuilder &b, Location loc, Value v);
  Value unpackSlots(OpBuilder &b, Location loc, ValueRange loaded,
                    Type original);
  func::FuncOp declareParallelFor(OpBuilder &b, Location loc);
};

bool Outliner::collectCaptures(scf::ParallelOp loop,
                               SmallVectorImpl<Capture> &out,
                               SmallVectorImpl<Value> &constants) {
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(loop.getRegion(), above);
  auto *ctx = loop.getContext();
  for (Value v : above) {
    if (Operation *def = v.getDefiningOp();
        def && def->hasTrait<OpTrait::ConstantLike>()) {
      constants.push_back(v);
      continue;
    }
    Type t = v.getType();
    if (auto mt = dyn_cast<MemRefType>(t)) {
      std::optional<SmallVector<int64_t>> entries = descriptorEntries(mt);
      if (!entries || mt.getMemorySpace())
        return false;
      Capture c{v, {LLVM::LLVMPointerType::get(ctx)}};
      for (int64_t x : *entries)
        if (ShapedType::isDynamic(x))
          c.slotTypes.push_back(IntegerType::get(ctx, 64));
      out.push_back(c);
    } else if (t.isIndex()) {
      out.push_back({v, {IntegerType::get(ctx, 64)}});
    } else if (t.isIntOrFloat()) {
      out.push_back({v, {t}});
    } else {
      return false;
    }
  }
  return true;
}

SmallVector<Value> Outliner::packSlots(OpBuilder &b, Location loc, Value v) {
  auto toI64 = [&](Value x) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), x).getResult();
  };
  auto mt = dyn_cast<MemRefType>(v.getType());
  if (!mt)
    return {v.getType().isIndex() ? toI64(v) : v};
  Value addr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v);
  SmallVector<Value> slots = {LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), toI64(addr))};
  SmallVector<int64_t> entries = *descriptorEntries(mt);
  if (llvm::none_of(entries, ShapedType::isDynamic))
    return slots;
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, v);
  SmallVector<Value> values = {meta.getOffset()};
  llvm::append_range(values, meta.getSizes());
  llvm::append_range(values, meta.getStrides());
  for (auto [x, value] : llvm::zip(entries, values))
    if (ShapedType::isDynamic(x))
      slots.push_back(toI64(value));
  return slots;
}

Value Outliner::unpackSlots(OpBuilder &b, Location loc, ValueRange loaded,
                            Type original) {
  if (original.isIndex())
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), loaded[0]);
  auto mt = dyn_cast<MemRefType>(original);
  if (!mt)
    return loaded[0];
  // A descriptor {allocated, aligned, offset, sizes[], strides[]} with the
  // type's static entries and the dynamic ones from the slots after the
  // pointer; nothing frees through it.
  SmallVector<Value> entries;
  ValueRange dynamic = loaded.drop_front();
  auto *ctx = b.getContext();
  Type i64 = b.getI64Type(), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (mt.getRank() > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, mt.getRank()));
    fields.push_back(LLVM::LLVMArrayType::get(i64, mt.getRank()));
  }
  auto descTy = LLVM::LLVMStructType::getLiteral(ctx, fields);
  SmallVector<int64_t> layout = *descriptorEntries(mt);
  for (int64_t x : layout) {
    if (ShapedType::isDynamic(x)) {
      entries.push_back(dynamic.front());
      dynamic = dynamic.drop_front();
    } else {
      entries.push_back(
          LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(x)));
    }
  }
  Value desc = LLVM::PoisonOp::create(b, loc, descTy);
  desc = LLVM::InsertValueOp::create(b, loc, desc, loaded[0],
                                     ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, loaded[0],
                                     ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, entries[0],
                                     ArrayRef<int64_t>{2});
  int64_t rank = mt.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    desc = LLVM::InsertValueOp::create(b, loc, desc, entries[1 + d],
                                       ArrayRef<int64_t>{3, d});
    desc = LLVM::InsertValueOp::create(b, loc, desc, entries[1 + rank + d],
                                       ArrayRef<int64_t>{4, d});
  }
  return UnrealizedConversionCastOp::create(b, loc, mt, desc).getResult(0);
}

func::FuncOp Outliner::declareParallelFor(OpBuilder &b, Location loc) {
  if (auto f = symbols.lookup<func::FuncOp>(kParallelFor))
    return f;
  auto *ctx = b.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = b.getI64Type();
  auto taskTy = FunctionType::get(ctx, {ptr, i64, i64}, {});
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, loc, kParallelFor,
                                FunctionType::get(ctx, {taskTy, ptr, i64}, {}));
  f.setPrivate();
  symbols.insert(f);
  return f;
}

bool Outliner::outline(func::FuncOp func, scf::ParallelOp loop,
                       unsigned index) {
  if (loop.getNumReductions() != 0)
    return false;
  // Trip counts: constant, or (symbolic bounds) computed at run time and
  // assumed kUnknownTripCount for the choices below. Steps are constant.
  SmallVector<int64_t> lbs, trips, steps;
  SmallVector<bool> dynamicTrips;
  for (auto [l, u, s] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> step = getConstantIntValue(s);
    if (!step || *step <= 0)
      return false;
    auto t = tripCount(l, u, s);
    lbs.push_back(getConstantIntValue(l).value_or(0));
    steps.push_back(*step);
    trips.push_back(t.value_or(kUnknownTripCount));
    dynamicTrips.push_back(!t);
  }
  bool anyDynamic = llvm::is_contained(dynamicTrips, true);
  int64_t total = 1;
  for (int64_t t : trips)
    total *= t;
  int64_t iterationWork = estimateWork(loop.getRegion());
  if (total * iterationWork < minWork)
    return false;
  // Collapse outer dims until there are enough iterations to split. The
  // innermost dim stays a loop of its own when the others give at least
  // two iterations and its iterations are light: collapsed, every element
  // paid a delinearization and the loop no longer vectorized (an SE
  // block's scaling of a 7x7x1152 tensor ran scalar with a division per
  // element). Heavy iterations (a register tile's whole reduction) are
  // collapsed too: 5 column tiles of a 7x7 conv split 3:2 over two
  // threads, 5 x 8 (tile, row block) pairs split evenly.
  bool heavy = iterationWork >= kHeavyIterationWork;
  unsigned outer = 0;
  int64_t n = 1;
  while (outer < trips.size() && n < minOuterIterations &&
         (outer + 1 < trips.size() || n < 2 || heavy))
    n *= trips[outer++];
  if (n < 2 && !anyDynamic)
    return false;

  SmallVector<Capture> captures;
  SmallVector<Value> constants;
  if (!collectCaptures(loop, captures, constants))
    return false;
  // Symbolic bounds travel like the body's scalars.
  for (Value bound :
       llvm::concat<Value>(loop.getLowerBound(), loop.getUpperBound()))
    if (!getConstantIntValue(bound) &&
        llvm::none_of(captures,
                      [&](const Capture &c) { return c.value == bound; }))
      captures.push_back({bound, {IntegerType::get(loop.getContext(), 64)}});

  MLIRContext *ctx = loop.getContext();
  Location loc = loop.getLoc();
  OpBuilder b(ctx);
  Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = b.getI64Type();
  SmallVector<Type> slotTypes;
  for (const Capture &c : captures)
    llvm::append_range(slotTypes, c.slotTypes);
  auto ctxTy = LLVM::LLVMStructType::getLiteral(ctx, slotTypes);

  // The outlined body: for lin in [begin, end): delinearize, run.
  b.setInsertionPoint(func);
  auto taskTy = FunctionType::get(ctx, {ptr, i64, i64}, {});
  auto task = func::FuncOp::create(b, loc, taskName(func, index, loc), taskTy);
  task.setPrivate();
  symbols.insert(task);
  Block *entry = task.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping map;
  for (Value c : constants)
    map.map(c, b.clone(*c.getDefiningOp())->getResult(0));
  int32_t slot = 0;
  for (const Capture &c : captures) {
    SmallVector<Value> loaded;
    for (Type t : c.slotTypes) {
      Value addr =
          LLVM::GEPOp::create(b, loc, ptr, ctxTy, entry->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{0, slot++});
      loaded.push_back(LLVM::LoadOp::create(b, loc, t, addr));
    }
    map.map(c.value, unpackSlots(b, loc, loaded, c.value.getType()));
  }
  OpBuilder entryBuilder = OpBuilder::atBlockBegin(entry);
  llvm::SmallDenseMap<int64_t, Value> indexConstants;
  auto idx = [&](int64_t x) -> Value {
    Value &c = indexConstants[x];
    if (!c)
      c = arith::ConstantIndexOp::create(entryBuilder, loc, x);
    return c;
  };
  Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           entry->getArgument(1));
  Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                         entry->getArgument(2));
  auto body = [&](OpBuilder &nb, Location l, ValueRange ivs) {
    for (auto [iv, v] : llvm::zip(loop.getInductionVars(), ivs))
      map.map(iv, v);
    for (Operation &op : loop.getBody()->without_terminator())
      nb.clone(op, map);
  };
  // Dim d's trip count where `tb` builds, with `bound` giving a bound's
  // value there.
  auto tripValue = [&](OpBuilder &tb, unsigned d,
                       function_ref<Value(Value)> bound) -> Value {
    if (!dynamicTrips[d])
      return arith::ConstantIndexOp::create(tb, loc, trips[d]);
    Value l = bound(loop.getLowerBound()[d]),
          u = bound(loop.getUpperBound()[d]);
    Value zero = arith::ConstantIndexOp::create(tb, loc, 0);
    Value diff = arith::MaxSIOp::create(
        tb, loc, arith::SubIOp::create(tb, loc, u, l), zero);
    if (steps[d] == 1)
      return diff;
    Value up = arith::AddIOp::create(
        tb, loc, diff, arith::ConstantIndexOp::create(tb, loc, steps[d] - 1));
    return arith::DivUIOp::create(
        tb, loc, up, arith::ConstantIndexOp::create(tb, loc, steps[d]));
  };
  auto inTask = [&](Value v) -> Value {
    return getConstantIntValue(v) ? idx(*getConstantIntValue(v))
                                  : map.lookup(v);
  };
  auto forOp = scf::ForOp::create(b, loc, begin, end, idx(1));
  b.setInsertionPointToStart(forOp.getBody());
  // Dim d of the collapsed range moves every strides[d] iterations: a
  // constant, or (symbolic trip counts) a product made before the loop.
  SmallVector<OpFoldResult> strides(outer);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(forOp);
    OpFoldResult stride = b.getIndexAttr(1);
    for (unsigned d = outer; d-- > 0;) {
      strides[d] = stride;
      if (d == 0)
        break;
      auto s = getConstantIntValue(stride);
      stride =
          s && !dynamicTrips[d]
              ? OpFoldResult(b.getIndexAttr(*s * trips[d]))
              : OpFoldResult(arith::MulIOp::create(
                    b, loc, getValueOrCreateConstantIndexOp(b, loc, stride),
                    tripValue(b, d, inTask)));
    }
  }
  auto strideValue = [&](OpFoldResult s) -> Value {
    auto c = getConstantIntValue(s);
    return c ? idx(*c) : cast<Value>(s);
  };
  SmallVector<Value> outerIvs;
  Value rest = forOp.getInductionVar();
  for (unsigned d = 0; d < outer; ++d) {
    Value q =
        isConstantIntValue(strides[d], 1)
            ? rest
            : arith::DivUIOp::create(b, loc, rest, strideValue(strides[d]))
                  .getResult();
    if (d + 1 < outer)
      rest = arith::RemUIOp::create(b, loc, rest, strideValue(strides[d]));
    if (steps[d] != 1)
      q = arith::MulIOp::create(b, loc, q, idx(steps[d]));
    if (!isConstantIntValue(loop.getLowerBound()[d], 0))
      q = arith::AddIOp::create(b, loc, q, inTask(loop.getLowerBound()[d]));
    outerIvs.push_back(q);
  }
  if (outer == trips.size()) {
    body(b, loc, outerIvs);
  } else {
    SmallVector<Value> lo, hi, st;
    for (unsigned d = outer; d < trips.size(); ++d) {
      if (dynamicTrips[d]) {
        lo.push_back(inTask(loop.getLowerBound()[d]));
        hi.push_back(inTask(loop.getUpperBound()[d]));
      } else {
        lo.push_back(idx(lbs[d]));
        hi.push_back(idx(lbs[d] + trips[d] * steps[d]));
      }
      st.push_back(idx(steps[d]));
    }
    scf::ParallelOp::create(b, loc, lo, hi, st,
                            [&](OpBuilder &nb, Location l, ValueRange ivs) {
                              SmallVector<Value> all(outerIvs);
                              all.append(ivs.begin(), ivs.end());
                              body(nb, l, all);
                            });
  }
  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc);

  // The call site: fill the context struct, hand both to the pool.
  func::FuncOp parallelFor = declareParallelFor(b, loc);
  b.setInsertionPointToStart(&func.getBody().front());
  Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
  Value ctxPtr = LLVM::AllocaOp::create(b, loc, ptr, ctxTy, one, 8);
  b.setInsertionPoint(loop);
  slot = 0;
  for (const Capture &c : captures) {
    for (Value v : packSlots(b, loc, c.value)) {
      Value addr = LLVM::GEPOp::create(b, loc, ptr, ctxTy, ctxPtr,
                                       ArrayRef<LLVM::GEPArg>{0, slot++});
      LLVM::StoreOp::create(b, loc, v, addr);
    }
  }
  Value fn = func::ConstantOp::create(b, loc, taskTy, task.getSymName());
  Value count;
  if (anyDynamic) {
    auto atCall = [](Value v) { return v; };
    Value c = arith::ConstantIndexOp::create(b, loc, 1);
    for (unsigned d = 0; d < outer; ++d)
      c = arith::MulIOp::create(b, loc, c, tripValue(b, d, atCall));
    count = arith::IndexCastOp::create(b, loc, i64, c);
  } else {
    count = arith::ConstantIntOp::create(b, loc, i64, n);
  }
  func::CallOp::create(b, loc, parallelFor, ValueRange{fn, ctxPtr, count});
  loop.erase();
  return true;
}

struct ConvertParallelLoopsToRuntime
    : mcc::impl::ConvertParallelLoopsToRuntimeBase<
          ConvertParallelLoopsToRuntime> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    Outliner outliner{module, symbols, minWork, minOuterIterations};
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      SmallVector<scf::ParallelOp> loops;
      func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp p) {
        loops.push_back(p);
        return WalkResult::skip(); // nested loops run inside the outer one
      });
      unsigned index = 0;
      for (scf::ParallelOp p : loops)
        if (outliner.outline(func, p, index))
          ++index;
    }
  }
};

} // namespace
