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
// tile's panel, into L2/L3 (locality 1), while this one is reused:
// ResNet-50's layer4-like 1x1 convs ran 7-9% faster. The fetch is spread
// over the tile's passes (its row blocks and the outer dims after the
// tiles, from the enclosing scf.forall): pass p of P fetches the p-th
// P-th of the panel, so DRAM streams evenly instead of in a burst per
// pass. Fetched whole in every pass, BERT's FFN GEMMs (16 passes of 8
// rows) lost 5%; spread, BERT ran ~6% and ResNet-50 6-10% faster (1
// thread, A/B runs in both orders). A contiguous panel (K steps of L
// elements) is walked linearly: at step k, the line at ceil(L / P)
// elements times p * K + k, one prefetch at an address LLVM
// strength-reduces. Other panels get the lines of step (p * K + k) / P:
// a division (6 ALU ops) and a prefetch per line, every step. The walk
// took MobileNetV2's 7x7 convs (7 passes of 320-960 steps, ~30
// instructions per step) 9-16% and ResNet-50 ~4% faster (session 14,
// interleaved, both orders). Without the forall the marks describe (run
// after scf-forall-to-parallel), each pass fetches the whole next panel
// at its own step.
//
// The same loops' scalar loads of activations (a tile's broadcast operand)
// that move 2 KiB or more per step, an NCHW image's channels, are
// prefetched a few steps ahead too (prefetchStridedLoads).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Prefetch.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mcc {
#define GEN_PASS_DEF_PREFETCHWEIGHTS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// A constant global: memref.get_global, through any views (the
/// expand_shape of flatten-memref-globals).
bool isWeight(Value base) {
  while (auto view = base.getDefiningOp<ViewLikeOpInterface>())
    base = view.getViewSource();
  return base.getDefiningOp<memref::GetGlobalOp>();
}

/// The pass of the tile `loop` runs in and the number of passes: the
/// passes are the last dims of the scf.forall around it, with the extents
/// `info` records. Canonicalization drops the forall's unit dims, so those
/// are left out on both sides before they are matched.
std::optional<std::pair<Value, int64_t>>
passIndex(OpBuilder &b, Location loc, scf::ForOp loop, DictionaryAttr info) {
  auto forall = loop->getParentOfType<scf::ForallOp>();
  auto passes = info.getAs<DenseI64ArrayAttr>("passes");
  if (!forall || !passes)
    return std::nullopt;
  SmallVector<int64_t> recorded, forallExtents;
  for (int64_t e : passes.asArrayRef())
    if (e > 1)
      recorded.push_back(e);
  SmallVector<Value> ivs;
  for (auto [lb, ub, step, iv] :
       llvm::zip(forall.getMixedLowerBound(), forall.getMixedUpperBound(),
                 forall.getMixedStep(), forall.getInductionVars())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (l != 0 || s != 1 || !u)
      return std::nullopt;
    if (*u > 1) {
      forallExtents.push_back(*u);
      ivs.push_back(iv);
    }
  }
  if (forallExtents.size() < recorded.size())
    return std::nullopt;
  size_t first = forallExtents.size() - recorded.size();
  if (ArrayRef(forallExtents).drop_front(first) != ArrayRef(recorded))
    return std::nullopt;
  // Row-major over the pass dims.
  Value index = arith::ConstantIndexOp::create(b, loc, 0);
  int64_t count = 1;
  for (auto [e, iv] : llvm::zip(recorded, ArrayRef(ivs).drop_front(first))) {
    index = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, index,
                              arith::ConstantIndexOp::create(b, loc, e)),
        iv);
    count *= e;
  }
  return std::make_pair(index, count);
}

/// Bytes one step of `iv` moves an access of a `type` memref at
/// `indices`, if they hold `iv` once with a static stride.
std::optional<int64_t> stepBytes(MemRefType type, ValueRange indices,
                                 Value iv) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrFloat() || llvm::count(indices, iv) != 1 ||
      failed(type.getStridesAndOffset(strides, offset)))
    return std::nullopt;
  unsigned pos = llvm::find(indices, iv) - indices.begin();
  if (ShapedType::isDynamic(strides[pos]))
    return std::nullopt;
  return strides[pos] * (type.getElementTypeBitWidth() / 8);
}

/// The broadcast operand of a register tile that is not a weight (an NCHW
/// activation, a tile's rows along its pixels) moves a whole channel per
/// reduction step: a new line every step, kStridedMinBytes or more apart,
/// which the hardware prefetchers do not follow (an L1 stride prefetcher
/// takes strides up to 2 KiB; the L2 streamer stays within a page). Each
/// group of such loads that differ only in their last index (the tile's
/// rows: a few consecutive or stride-2 elements, at most two lines) gets
/// its first and last load prefetched `steps` steps ahead. A 1x1 conv of
/// 256 -> 64 channels on a 56x56 NCHW image, 12.5 KiB per step: -20% at 1
/// thread, -26% at 2. At 784 bytes per step (14x14) it changed nothing.
void prefetchStridedLoads(scf::ForOp loop, int64_t steps) {
  constexpr int64_t kStridedMinBytes = 2048;
  Value iv = loop.getInductionVar();
  SmallVector<SmallVector<memref::LoadOp, 8>> groups;
  for (Operation &op : *loop.getBody()) {
    auto load = dyn_cast<memref::LoadOp>(op);
    if (!load || isWeight(load.getMemRef()))
      continue;
    std::optional<int64_t> step =
        stepBytes(load.getMemRefType(), load.getIndices(), iv);
    if (!step || *step < kStridedMinBytes || load.getIndices().back() == iv)
      continue;
    auto sameRow = [&](SmallVector<memref::LoadOp, 8> &g) {
      memref::LoadOp first = g.front();
      return first.getMemRef() == load.getMemRef() &&
             first.getIndices().drop_back() == load.getIndices().drop_back();
    };
    auto *it = llvm::find_if(groups, sameRow);
    if (it == groups.end())
      groups.push_back({load});
    else
      it->push_back(load);
  }
  for (SmallVector<memref::LoadOp, 8> &g : groups) {
    SmallVector<memref::LoadOp, 2> ends = {g.front()};
    if (g.size() > 1)
      ends.push_back(g.back());
    for (memref::LoadOp load : ends) {
      OpBuilder b(load);
      Location loc = load.getLoc();
      Value ahead = arith::AddIOp::create(
          b, loc, iv, arith::ConstantIndexOp::create(b, loc, steps));
      SmallVector<Value> at;
      for (Value i : load.getIndices())
        at.push_back(i == iv ? ahead : i);
      memref::PrefetchOp::create(b, loc, load.getMemRef(), at,
                                 /*isWrite=*/false, /*localityHint=*/3,
                                 /*isDataCache=*/true);
    }
  }
}

/// The spread fetch of the next panel as a linear walk over its bytes: a
/// panel of K steps of L elements (contiguous: an identity layout, the
/// step the second-to-last index) is fetched over the P passes' P * K
/// steps, global step g = p * K + (k - lb) taking ceil(L / P) elements
/// from g times that, a line or two per step. The address is affine in k,
/// which LLVM strength-reduces to an increment; the step index
/// (p * K + k - lb) / P of the other walk costs a division's 6 ALU ops
/// and a second prefetch per step in kernels that issue ~30 instructions
/// per step. `next` are the read's indices with the next tile's. Returns
/// false where the panel is not contiguous.
bool prefetchPanelLinearly(OpBuilder &b, Location loc, Value base,
                           ArrayRef<Value> next, Value iv, int64_t lb,
                           int64_t steps, Value pass, int64_t passes) {
  auto type = dyn_cast<MemRefType>(base.getType());
  if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getRank() < 2 || next[type.getRank() - 2] != iv ||
      llvm::count(next, iv) != 1)
    return false;
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  if (elementBytes == 0)
    return false;
  Value flat;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(base);
    ReassociationIndices all =
        llvm::to_vector_of<int64_t, 2>(llvm::seq<int64_t>(0, type.getRank()));
    flat = memref::CollapseShapeOp::create(b, loc, base,
                                           ArrayRef<ReassociationIndices>{all});
  }
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // The panel's first element: the step at lb, the last index at 0.
  int64_t stepDim = type.getRank() - 2;
  SmallVector<int64_t> strides = type.getStridesAndOffset().first;
  Value start = cst(lb * strides[stepDim]);
  for (int64_t i = 0; i < stepDim; ++i)
    start = arith::AddIOp::create(
        b, loc, start, arith::MulIOp::create(b, loc, next[i], cst(strides[i])));
  int64_t rowElements = type.getShape().back();
  int64_t perStep = llvm::divideCeil(rowElements, passes);
  Value g = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, pass, cst(steps)),
      arith::SubIOp::create(b, loc, iv, cst(lb)));
  Value at = arith::AddIOp::create(
      b, loc, start, arith::MulIOp::create(b, loc, g, cst(perStep)));
  int64_t perLine =
      std::max<int64_t>(mcc::kPrefetchLineBytes / elementBytes, 1);
  for (int64_t off = 0; off < perStep; off += perLine) {
    Value line = off ? arith::AddIOp::create(b, loc, at, cst(off)) : at;
    memref::PrefetchOp::create(b, loc, flat, line, /*isWrite=*/false,
                               /*localityHint=*/1, /*isDataCache=*/true);
  }
  return true;
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
      if (stridedSteps > 0)
        prefetchStridedLoads(loop, stridedSteps);
      Value iv = loop.getInductionVar();
      SmallVector<Value> walked; // panels prefetched linearly
      for (Operation &op : *loop.getBody()) {
        auto read = dyn_cast<vector::TransferReadOp>(op);
        if (!read || !isWeight(read.getBase()) ||
            read.getVectorType().getRank() != 1 ||
            !read.getPermutationMap().isMinorIdentity())
          continue;
        if (read.getMask())
          continue;
        std::optional<int64_t> step = stepBytes(
            dyn_cast<MemRefType>(read.getShapedType()), read.getIndices(), iv);
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
        // The next tile's panel, into the outer caches.
        auto info = loop->getAttrOfType<DictionaryAttr>(mcc::kNextPanelAttr);
        auto tilePos = info ? info.getAs<IntegerAttr>("tile") : IntegerAttr();
        if (!tilePos || tilePos.getInt() < 0 ||
            tilePos.getInt() + 1 >= int64_t(at.size()))
          continue;
        SmallVector<Value> next(read.getIndices());
        Value &tile = next[tilePos.getInt()];
        tile = arith::AddIOp::create(b, loc, tile,
                                     arith::ConstantIndexOp::create(b, loc, 1));
        std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                               ub = getConstantIntValue(loop.getUpperBound()),
                               st = getConstantIntValue(loop.getStep());
        std::optional<std::pair<Value, int64_t>> pass;
        if (lb && ub && st == 1)
          pass = passIndex(b, loc, loop, info);
        if (pass && pass->second > 1) {
          // One read of each panel walks it (the others read the same
          // panel's other lanes).
          if (llvm::is_contained(walked, read.getBase()))
            continue;
          if (prefetchPanelLinearly(b, loc, read.getBase(), next, iv, *lb,
                                    *ub - *lb, pass->first, pass->second)) {
            walked.push_back(read.getBase());
            continue;
          }
          // Step lb + (p * K + (iv - lb)) / P of this loop's K steps.
          auto cst = [&](int64_t v) {
            return arith::ConstantIndexOp::create(b, loc, v);
          };
          Value k = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(b, loc, pass->first, cst(*ub - *lb)),
              arith::SubIOp::create(b, loc, iv, cst(*lb)));
          Value spread = arith::AddIOp::create(
              b, loc, arith::DivUIOp::create(b, loc, k, cst(pass->second)),
              cst(*lb));
          for (Value &i : next)
            if (i == iv)
              i = spread;
        }
        mcc::prefetchLines(b, loc, read.getBase(), next, read.getVectorType(),
                           /*isWrite=*/false, /*localityHint=*/1);
      }
    }
  }
};

} // namespace
