//===- PrefetchWeights.cpp - Prefetch weight panels ahead of the kernels --===//
//
// A register tile's reduction loop reads its packed weight panel as one
// sequential stream, 128 bytes per step. The first pass over a panel comes
// from L3 (a model's weights do not stay in L2 from one call to the next),
// and the hardware prefetchers lose such a stream at every 4 KiB page: in
// ResNet-50 the 3x3 convs of layer4 (9.4 MB of weights each) ran at half
// their speed with the same weights in L2. Here each vector.transfer_read
// of a constant global in the innermost loop that carries vectors, indexed
// by the loop's induction variable, gets a memref.prefetch of its lines
// `distance-bytes` ahead: the same read at iv + distance / stride. Reads
// past the loop's end prefetch what follows in the panel (the next step of
// the outer reduction loop or the next tile), and a prefetch never faults.
//
// A loop register-tile-contractions marked with `mcc.next_panel` (weights
// from DRAM, few rows per panel: a tile's first row pass would wait on
// DRAM and the other passes leave it idle) also prefetches the next
// tile's panel at the same step, into L2/L3 (locality 1), while this one
// is reused: ResNet-50's layer4-like 1x1 convs ran 7-9% faster.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Prefetch.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mcc {
#define GEN_PASS_DEF_PREFETCHWEIGHTS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// A constant global: memref.get_global, or the descriptor that
/// flatten-memref-globals casts from the flat LLVM global.
bool isWeight(Value base) {
  return base.getDefiningOp<memref::GetGlobalOp>() ||
         base.getDefiningOp<UnrealizedConversionCastOp>();
}

/// Bytes one step of `iv` moves the read, if it is indexed by `iv` once.
std::optional<int64_t> stepBytes(vector::TransferReadOp read, Value iv) {
  auto type = dyn_cast<MemRefType>(read.getShapedType());
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrFloat() || read.getMask() ||
      llvm::count(read.getIndices(), iv) != 1)
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return std::nullopt;
  unsigned pos = llvm::find(read.getIndices(), iv) - read.getIndices().begin();
  if (ShapedType::isDynamic(strides[pos]))
    return std::nullopt;
  return strides[pos] * (type.getElementTypeBitWidth() / 8);
}

struct PrefetchWeights : mcc::impl::PrefetchWeightsBase<PrefetchWeights> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      bool carriesVectors = llvm::any_of(
          loop.getResultTypes(), [](Type t) { return isa<VectorType>(t); });
      bool innermost = true;
      loop.getBody()->walk([&](LoopLikeOpInterface) { innermost = false; });
      if (carriesVectors && innermost)
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      Value iv = loop.getInductionVar();
      for (Operation &op : *loop.getBody()) {
        auto read = dyn_cast<vector::TransferReadOp>(op);
        if (!read || !isWeight(read.getBase()) ||
            read.getVectorType().getRank() != 1 ||
            !read.getPermutationMap().isMinorIdentity())
          continue;
        std::optional<int64_t> step = stepBytes(read, iv);
        if (!step || *step <= 0)
          continue;
        OpBuilder b(read);
        Location loc = read.getLoc();
        Value ahead = arith::AddIOp::create(
            b, loc, iv,
            arith::ConstantIndexOp::create(
                b, loc, std::max<int64_t>(1, distanceBytes / *step)));
        SmallVector<Value> at;
        for (Value i : read.getIndices())
          at.push_back(i == iv ? ahead : i);
        mcc::prefetchLines(b, loc, read.getBase(), at, read.getVectorType(),
                           /*isWrite=*/false, /*localityHint=*/3);
        // The next tile's panel, at this step, into the outer caches.
        auto tilePos = loop->getAttrOfType<IntegerAttr>(mcc::kNextPanelAttr);
        if (!tilePos || tilePos.getInt() < 0 ||
            tilePos.getInt() + 1 >= int64_t(at.size()))
          continue;
        SmallVector<Value> next(read.getIndices());
        Value &tile = next[tilePos.getInt()];
        tile = arith::AddIOp::create(b, loc, tile,
                                     arith::ConstantIndexOp::create(b, loc, 1));
        mcc::prefetchLines(b, loc, read.getBase(), next, read.getVectorType(),
                           /*isWrite=*/false, /*localityHint=*/1);
      }
    }
  }
};

} // namespace
