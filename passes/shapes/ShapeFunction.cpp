//===- ShapeFunction.cpp - The graph's run-time shape work, on its own ----===//
//
// With symbolic dims the caller cannot size the outputs, and the graph
// cannot check that its inputs fit together without doing it first. Both
// are the job of `@<graph>_shapes`: a copy of the graph that returns its
// results' dims and keeps the graph's cf.assert checks. Reifying each
// result dim through the ops that made it (a linalg result is as big as
// its init, a tensor.empty as its size operands) leaves the rest of the
// copy dead, so what remains is index arithmetic on the inputs' dims, plus
// whatever a data-dependent size reads.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mcc {
#define GEN_PASS_DEF_CREATESHAPEFUNCTION
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// tensor.dim of an scf.if's tensor result becomes an index result of
/// the scf.if, the dim of what each branch yields: the graph's run-time
/// broadcasts (an Add whose operand may have a dim of 1 at run time) are
/// such ifs, and a dim through one was left unresolved, which kept every
/// op before it alive in the shape function (a symbolic-sequence BERT
/// ran its whole encoder twice per call). Returns whether one changed.
bool hoistDimsOfIfs(func::FuncOp fn) {
  SmallVector<tensor::DimOp> dims;
  fn.walk([&](tensor::DimOp d) {
    if (d.getSource().getDefiningOp<scf::IfOp>() && d.getConstantIndex())
      dims.push_back(d);
  });
  for (tensor::DimOp d : dims) {
    auto oldIf = d.getSource().getDefiningOp<scf::IfOp>();
    unsigned k = cast<OpResult>(d.getSource()).getResultNumber();
    OpBuilder b(oldIf);
    Location loc = d.getLoc();
    SmallVector<Type> types(oldIf.getResultTypes());
    types.push_back(b.getIndexType());
    auto newIf = scf::IfOp::create(b, oldIf.getLoc(), types,
                                   oldIf.getCondition(), /*withElse=*/true);
    newIf.getThenRegion().takeBody(oldIf.getThenRegion());
    newIf.getElseRegion().takeBody(oldIf.getElseRegion());
    for (Region *r : {&newIf.getThenRegion(), &newIf.getElseRegion()}) {
      auto yield = cast<scf::YieldOp>(r->front().getTerminator());
      OpBuilder yb(yield);
      Value idx =
          arith::ConstantIndexOp::create(yb, loc, *d.getConstantIndex());
      Value dim = tensor::DimOp::create(yb, loc, yield.getOperand(k), idx);
      yield.getResultsMutable().append(dim);
    }
    oldIf.replaceAllUsesWith(newIf.getResults().drop_back());
    d.replaceAllUsesWith(newIf.getResults().back());
    d.erase();
    oldIf.erase();
  }
  return !dims.empty();
}

bool hasDynamicDim(TypeRange types) {
  return llvm::any_of(types, [](Type t) {
    auto st = dyn_cast<ShapedType>(t);
    return st && st.hasRank() && !st.hasStaticShape();
  });
}

struct CreateShapeFunctionPass
    : mcc::impl::CreateShapeFunctionBase<CreateShapeFunctionPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto graphFn = module.lookupSymbol<func::FuncOp>(graph);
    if (!graphFn || graphFn.isExternal())
      return;
    FunctionType type = graphFn.getFunctionType();
    SmallVector<cf::AssertOp> checks;
    graphFn.walk([&](cf::AssertOp a) { checks.push_back(a); });
    if (!hasDynamicDim(type.getInputs()) && !hasDynamicDim(type.getResults()) &&
        checks.empty())
      return;

    // The copy returns tensor<Kxi64> (every result dim) and i32 0; the
    // failing checks return their number instead (lower-shape-checks).
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(graphFn);
    auto shapesFn = cast<func::FuncOp>(b.clone(*graphFn));
    shapesFn.setSymName(graph + "_shapes");
    auto ret = cast<func::ReturnOp>(shapesFn.getBody().back().getTerminator());
    b.setInsertionPoint(ret);
    Location loc = ret.getLoc();
    SmallVector<Value> dims;
    for (Value r : ret.getOperands()) {
      auto t = dyn_cast<RankedTensorType>(r.getType());
      if (!t) {
        ret.emitError("graph result is not a ranked tensor");
        return signalPassFailure();
      }
      for (int64_t i = 0; i < t.getRank(); ++i) {
        Value d = t.isDynamicDim(i)
                      ? tensor::DimOp::create(b, loc, r, i).getResult()
                      : arith::ConstantIndexOp::create(b, loc, t.getDimSize(i))
                            .getResult();
        dims.push_back(
            arith::IndexCastOp::create(b, loc, b.getI64Type(), d).getResult());
      }
    }
    // A graph without output dims still returns one slot (no zero-sized
    // buffer to pass).
    if (dims.empty())
      dims.push_back(arith::ConstantIntOp::create(b, loc, 0, 64));
    Value packed = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({int64_t(dims.size())}, b.getI64Type()),
        dims);
    Value ok = arith::ConstantIntOp::create(b, loc, 0, 32);
    func::ReturnOp::create(b, loc, ValueRange{packed, ok});
    ret.erase();
    shapesFn.setFunctionType(
        FunctionType::get(module.getContext(), type.getInputs(),
                          {packed.getType(), b.getI32Type()}));
    // The results are new (the argument attributes, such as
    // bufferization.writable, still hold).
    shapesFn.removeResAttrsAttr();

    // A call of a batch sample (peel-batch) only computes its static
    // results: sizes need none of it.
    shapesFn.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee || !callee->hasAttr(mcc::kSampleAttr))
        return;
      OpBuilder cb(call);
      for (Value r : call.getResults()) {
        auto t = cast<RankedTensorType>(r.getType());
        r.replaceAllUsesWith(tensor::EmptyOp::create(
            cb, call.getLoc(), t.getShape(), t.getElementType()));
      }
      call.erase();
    });

    // The graph trusts what the copy has checked.
    for (cf::AssertOp a : checks)
      a.erase();

    OpPassManager pm(func::FuncOp::getOperationName());
    pm.addPass(memref::createResolveRankedShapeTypeResultDimsPass());
    // tensor.dim of a loop's result (a scatter's) is its init's.
    pm.addPass(createSCFForLoopCanonicalizationPass());
    pm.addPass(memref::createResolveRankedShapeTypeResultDimsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    // Each round resolves the dims that the last one moved into branches
    // (a broadcast's operand may come from an earlier broadcast).
    constexpr int kMaxRounds = 64;
    for (int round = 0; round < kMaxRounds; ++round) {
      if (failed(runPipeline(pm, shapesFn)))
        return signalPassFailure();
      if (!hoistDimsOfIfs(shapesFn))
        break;
    }
  }
};

} // namespace
