//===- IndexChecks.cpp - mcc.check_index as compares and a runtime call ---===//
//
// An index read from tensor data (a Gather's indices, a scatter's
// positions) is checked where it is used: `j = i < 0 ? i + n : i` and an
// unsigned `j < n`, so both signs and any width fail the same compare.
// A failing check calls into the runtime on a branch of its own, which the
// hot loop never takes, and reads position 0 instead: the run goes on
// without touching memory outside the tensor and returns the error when
// it ends. The runtime keeps the first failure of a run (the thread pool
// hands the run's record to its workers).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace mcc {
#define GEN_PASS_DEF_LOWERINDEXCHECKS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// void mcc_rt_check_failed(int32_t check, int64_t value, int64_t lowest,
///                          int64_t bound): the valid range [lowest, bound)
constexpr llvm::StringLiteral kCheckFailed = "mcc_rt_check_failed";

func::FuncOp declareCheckFailed(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>(kCheckFailed))
    return f;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto f = func::FuncOp::create(b, module.getLoc(), kCheckFailed,
                                b.getFunctionType({i32, i64, i64, i64}, {}));
  f.setPrivate();
  return f;
}

/// The i64 value of an index or (signed) integer.
Value toI64(OpBuilder &b, Location loc, Value v) {
  Type i64 = b.getI64Type();
  if (v.getType().isIndex())
    return arith::IndexCastOp::create(b, loc, i64, v);
  if (v.getType().getIntOrFloatBitWidth() < 64)
    return arith::ExtSIOp::create(b, loc, i64, v);
  if (v.getType().getIntOrFloatBitWidth() > 64)
    return arith::TruncIOp::create(b, loc, i64, v);
  return v;
}

struct LowerIndexChecksPass
    : mcc::impl::LowerIndexChecksBase<LowerIndexChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<mcc::CheckIndexOp> checks;
    module.walk([&](mcc::CheckIndexOp c) { checks.push_back(c); });
    if (checks.empty())
      return;
    func::FuncOp failed = declareCheckFailed(module);
    SmallVector<Attribute> messages;
    for (mcc::CheckIndexOp c : checks) {
      messages.push_back(c.getMessageAttr());
      OpBuilder b(c);
      Location loc = c.getLoc();
      Value raw = toI64(b, loc, c.getIndex());
      Value bound = toI64(b, loc, c.getBound());
      Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
      Value j = raw;
      if (c.getNegative()) {
        Value neg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, raw, zero);
        j = arith::SelectOp::create(
            b, loc, neg, arith::AddIOp::create(b, loc, raw, bound), raw);
      }
      // Negative j wraps to a huge unsigned value: one compare for both.
      Value ok =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, j, bound);
      Value bad = arith::XOrIOp::create(
          b, loc, ok, arith::ConstantIntOp::create(b, loc, 1, 1));
      auto ifBad = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifBad.thenBlock());
      Value id = arith::ConstantIntOp::create(b, loc, messages.size(), 32);
      Value lowest =
          c.getNegative()
              ? arith::SubIOp::create(b, loc, zero, bound).getResult()
              : zero;
      func::CallOp::create(b, loc, failed, ValueRange{id, raw, lowest, bound});
      b.setInsertionPointAfter(ifBad);
      Value safe = arith::SelectOp::create(b, loc, ok, j, zero);
      c.replaceAllUsesWith(
          arith::IndexCastOp::create(b, loc, b.getIndexType(), safe)
              .getResult());
      c.erase();
    }
    module->setAttr("mcc.index_checks",
                    ArrayAttr::get(module.getContext(), messages));
  }
};

} // namespace
