//===- PlanArena.cpp - One arena per call for a function's buffers --------===//
//
// After bufferization and deallocation, a graph function is a straight line
// of `memref.alloc` ... `memref.dealloc` pairs. This pass gives every
// statically shaped pair in the entry block an offset in one arena,
// reusing bytes whose buffers are already dead (greedy, largest first,
// first fit), and replaces the pairs with `memref.view`s of that arena: one
// allocation per call instead of one per intermediate, a footprint near the
// peak live size, and warm memory reused across ops. Buffers whose dealloc
// is not in the entry block, or that are never freed there, are left alone.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mcc {
#define GEN_PASS_DEF_PLANARENA
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64; // a cache line, and any vector width

struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t begin, end; // positions in the block: live in [begin, end]
  int64_t size;       // bytes, rounded up to kAlignment
  int64_t offset = -1;
};

std::optional<int64_t> byteSize(MemRefType t) {
  if (!t.hasStaticShape() || !t.getLayout().isIdentity() || t.getMemorySpace())
    return std::nullopt;
  Type e = t.getElementType();
  int64_t bits = e.isIndex()        ? 64
                 : e.isIntOrFloat() ? e.getIntOrFloatBitWidth()
                                    : 0;
  if (bits == 0)
    return std::nullopt;
  int64_t bytes = (t.getNumElements() * bits + 7) / 8;
  return std::max<int64_t>(kAlignment,
                           (bytes + kAlignment - 1) / kAlignment * kAlignment);
}

/// Greedy placement: largest first, lowest offset that overlaps no
/// already-placed buffer live at the same time. Returns the arena size.
int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    return std::tie(b->size, a->begin) < std::tie(a->size, b->begin);
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy; // [offset, offset+size)
    for (Buffer *p : placed)
      if (p->begin <= b->end && b->begin <= p->end)
        busy.push_back({p->offset, p->offset + p->size});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->size <= lo)
        break;
      offset = std::max(offset, hi);
    }
    b->offset = offset;
    total = std::max(total, offset + b->size);
    placed.push_back(b);
  }
  return total;
}

struct PlanArena : mcc::impl::PlanArenaBase<PlanArena> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &block = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t index = 0;
    for (Operation &op : block)
      position[&op] = index++;

    SmallVector<Buffer> buffers;
    for (Operation &op : block) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      auto size = byteSize(alloc.getType());
      // A view inside the arena is 64-byte aligned, no more.
      if (!size || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty() ||
          alloc.getAlignment().value_or(1) > kAlignment)
        continue;
      memref::DeallocOp dealloc;
      bool onlyHere = true;
      for (Operation *user : alloc->getUsers())
        if (auto d = dyn_cast<memref::DeallocOp>(user)) {
          onlyHere &= d->getBlock() == &block && !dealloc;
          dealloc = d;
        }
      if (!dealloc || !onlyHere)
        continue;
      buffers.push_back(
          {alloc, dealloc, position[alloc], position[dealloc], *size});
    }
    if (buffers.size() < 2)
      return;
    int64_t total = place(buffers);

    OpBuilder b(&block, block.begin());
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({total}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaType,
                                          b.getI64IntegerAttr(kAlignment));
    for (Buffer &buf : buffers) {
      b.setInsertionPoint(buf.alloc);
      Value shift = arith::ConstantIndexOp::create(b, loc, buf.offset);
      Value view =
          memref::ViewOp::create(b, buf.alloc.getLoc(), buf.alloc.getType(),
                                 arena, shift, ValueRange{});
      buf.dealloc.erase();
      buf.alloc.replaceAllUsesWith(view);
      buf.alloc.erase();
    }
    b.setInsertionPoint(block.getTerminator());
    memref::DeallocOp::create(b, loc, arena);
  }
};

} // namespace
