//===- ShapeChecks.cpp - cf.assert as the shape function's early returns --===//
//
// convert-cf-to-llvm would lower a failing assert to abort(): a process
// killed by a wrong input shape. In the shape function a check instead
// returns its number, which the runtime turns into an error with the
// check's message; the messages travel as a module attribute that the
// model descriptor emits.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace mcc {
#define GEN_PASS_DEF_LOWERSHAPECHECKS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

struct LowerShapeChecksPass
    : mcc::impl::LowerShapeChecksBase<LowerShapeChecksPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string shapesName = graph + "_shapes";
    SmallVector<cf::AssertOp> checks, dropped;
    module.walk([&](cf::AssertOp a) {
      auto fn = a->getParentOfType<func::FuncOp>();
      (fn && fn.getSymName() == shapesName ? checks : dropped).push_back(a);
    });
    for (cf::AssertOp a : dropped)
      a.erase();
    SmallVector<Attribute> messages;
    for (cf::AssertOp a : checks) {
      auto fn = a->getParentOfType<func::FuncOp>();
      if (a->getParentRegion() != &fn.getBody()) {
        a.emitError("shape check inside a nested region; run it after "
                    "convert-scf-to-cf");
        return signalPassFailure();
      }
      // ... ^bb: ops; assert %c; rest  ->  ^bb: ops; cond_br %c, ^rest, ^fail
      // ^fail: return <check number>
      Block *before = a->getBlock();
      Block *rest = before->splitBlock(std::next(a->getIterator()));
      OpBuilder b(module.getContext());
      Block *failBlock = b.createBlock(rest);
      Location loc = a.getLoc();
      messages.push_back(a.getMsgAttr());
      Value code = arith::ConstantIntOp::create(b, loc, messages.size(), 32);
      func::ReturnOp::create(b, loc, code);
      b.setInsertionPoint(a);
      cf::CondBranchOp::create(b, loc, a.getArg(), rest, ValueRange{},
                               failBlock, ValueRange{});
      a.erase();
    }
    if (!messages.empty())
      module->setAttr("mcc.shape_checks",
                      ArrayAttr::get(module.getContext(), messages));
  }
};

} // namespace
