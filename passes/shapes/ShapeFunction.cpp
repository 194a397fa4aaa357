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
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
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
/// ran its whole encoder twice per call).
struct DimOfIf : OpRewritePattern<tensor::DimOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::DimOp d,
                                PatternRewriter &rewriter) const override {
    auto oldIf = d.getSource().getDefiningOp<scf::IfOp>();
    std::optional<int64_t> index = d.getConstantIndex();
    if (!oldIf || !index || oldIf.getElseRegion().empty())
      return failure();
    unsigned k = cast<OpResult>(d.getSource()).getResultNumber();
    Location loc = d.getLoc();
    SmallVector<Type> types(oldIf.getResultTypes());
    types.push_back(rewriter.getIndexType());
    rewriter.setInsertionPoint(oldIf);
    auto newIf = scf::IfOp::create(rewriter, oldIf.getLoc(), types,
                                   oldIf.getCondition(), /*withElse=*/true);
    for (auto [from, to] :
         {std::pair{&oldIf.getThenRegion(), &newIf.getThenRegion()},
          std::pair{&oldIf.getElseRegion(), &newIf.getElseRegion()}}) {
      for (Block &b : llvm::make_early_inc_range(*to))
        rewriter.eraseBlock(&b);
      rewriter.inlineRegionBefore(*from, *to, to->end());
      auto yield = cast<scf::YieldOp>(to->front().getTerminator());
      rewriter.setInsertionPoint(yield);
      Value idx = arith::ConstantIndexOp::create(rewriter, loc, *index);
      Value dim =
          tensor::DimOp::create(rewriter, loc, yield.getOperand(k), idx);
      rewriter.modifyOpInPlace(yield,
                               [&] { yield.getResultsMutable().append(dim); });
    }
    rewriter.replaceOp(d, newIf.getResults().back());
    rewriter.replaceOp(oldIf, newIf.getResults().drop_back());
    return success();
  }
};

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
    if (failed(runPipeline(pm, shapesFn)))
      return signalPassFailure();
    // Dims through run-time broadcasts, resolved together with the dims
    // they lead to (a broadcast's operand may come from an earlier one);
    // then the clean-up again.
    MLIRContext *ctx = module.getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<DimOfIf>(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, ctx);
    scf::IfOp::getCanonicalizationPatterns(patterns, ctx);
    bool changed = false;
    if (failed(applyPatternsGreedily(shapesFn, std::move(patterns),
                                     GreedyRewriteConfig(), &changed)) ||
        (changed && failed(runPipeline(pm, shapesFn))))
      return signalPassFailure();
  }
};

} // namespace
