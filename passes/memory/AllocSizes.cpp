//===- AllocSizes.cpp - Dynamic buffer sizes checked before they are used -===//
//
// A buffer whose dims come from the inputs (a Range's count, a
// ConstantOfShape's shape, a symbolic dim) is sized by multiplying them
// with the element size in i64: hostile values wrap that product to a
// small block that the code then writes past. Each such memref.alloc gets
// an overflow-checked product first (unsigned, so a negative dim fails
// too); a size over 2^48 bytes calls the runtime, which ends the run with
// an out-of-memory error. The bound leaves room for plan-arena to add
// thousands of such sizes without wrapping.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mcc {
#define GEN_PASS_DEF_GUARDALLOCSIZES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kTooLarge = "mcc_rt_alloc_too_large";
constexpr uint64_t kMaxBytes = uint64_t(1) << 48;

/// Bytes per element as the memref lowering stores them.
uint64_t elementBytes(Type t) {
  if (t.isIndex())
    return 8;
  if (t.isIntOrFloat())
    return (t.getIntOrFloatBitWidth() + 7) / 8;
  if (auto c = dyn_cast<ComplexType>(t))
    return 2 * elementBytes(c.getElementType());
  if (auto v = dyn_cast<VectorType>(t))
    return v.getNumElements() * elementBytes(v.getElementType());
  return 8;
}

struct GuardAllocSizesPass
    : mcc::impl::GuardAllocSizesBase<GuardAllocSizesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<memref::AllocOp> allocs;
    module.walk([&](memref::AllocOp a) {
      if (!a.getDynamicSizes().empty())
        allocs.push_back(a);
    });
    if (allocs.empty())
      return;
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto tooLarge = module.lookupSymbol<func::FuncOp>(kTooLarge);
    if (!tooLarge) {
      tooLarge =
          func::FuncOp::create(mb, module.getLoc(), kTooLarge,
                               mb.getFunctionType({mb.getI64Type()}, {}));
      tooLarge.setPrivate();
    }
    for (memref::AllocOp a : allocs) {
      OpBuilder b(a);
      Location loc = a.getLoc();
      MemRefType t = a.getType();
      // The static part saturates at the bound (then any dynamic dim
      // but 0 fails, which is what the bound means).
      uint64_t bytes = elementBytes(t.getElementType());
      for (int64_t d : t.getShape())
        if (!ShapedType::isDynamic(d))
          bytes = d != 0 && bytes > kMaxBytes / uint64_t(d)
                      ? kMaxBytes + 1
                      : bytes * uint64_t(d);
      Type i64 = b.getI64Type();
      Value product = arith::ConstantIntOp::create(b, loc, i64, bytes);
      Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
      Value overflow = arith::ConstantIntOp::create(b, loc, 0, 1);
      for (Value d : a.getDynamicSizes()) {
        Value di = arith::IndexCastOp::create(b, loc, i64, d);
        auto m = arith::MulUIExtendedOp::create(b, loc, product, di);
        overflow = arith::OrIOp::create(
            b, loc, overflow,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, m.getHigh(),
                                  zero));
        product = m.getLow();
      }
      overflow = arith::OrIOp::create(
          b, loc, overflow,
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ugt, product,
              arith::ConstantIntOp::create(b, loc, i64, kMaxBytes)));
      auto ifOp = scf::IfOp::create(b, loc, overflow, false);
      b.setInsertionPointToStart(ifOp.thenBlock());
      func::CallOp::create(b, loc, tooLarge, ValueRange{product});
    }
  }
};

} // namespace
