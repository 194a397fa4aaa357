//===- TileTransposes.cpp - Transposing elementwise ops in blocks ---------===//
//
// An elementwise generic whose output and one input are contiguous along
// different loop dims (a graph output in NCHW read from an NHWC
// activation) lowers to loops whose innermost dim walks the input with a
// stride of a whole pixel: one element per cache line, and on a tensor
// larger than L2 every line returns from L3 once per element it holds.
// Tiled by `tile` along both dims (1 along the others, all of them an
// scf.forall), a block touches `tile` lines of each side and reuses them
// from L1.
// When a block size between tile / 2 and tile divides each of the two dims
// (or a dim is that small), every block has the same static shape, and
// the block's generic is vectorized here: whole vectors read along the
// input's fast dim, a vector.transpose, whole vectors written along the
// output's. Left to LLVM, the generic became a scatter (or gather) per
// vector of the input (dwconv3x3_144_56's 1.8 MB NCHW input: -26% for
// the graph). Other shapes keep blocks of `tile` with a partial edge.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_TILETRANSPOSES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// The loop dim that `map`'s last result is, if it is a plain dim.
std::optional<unsigned> innermostDim(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  auto d = dyn_cast<AffineDimExpr>(map.getResults().back());
  if (!d)
    return std::nullopt;
  return d.getPosition();
}

/// The loop dims along which the output and a transposed input are
/// contiguous, when `op` is an elementwise generic with such an input.
std::optional<std::pair<unsigned, unsigned>>
transposedDims(linalg::GenericOp op) {
  if (!mcc::isElementwiseGeneric(op) || op->getNumResults() != 1 ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  std::optional<unsigned> out =
      innermostDim(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  if (!out)
    return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    std::optional<unsigned> d = innermostDim(m);
    // A broadcast input that just lacks the output's dim is not a
    // transpose; one that walks the output's dim in another index is.
    if (t && t.getRank() >= 2 && d && *d != *out && m.isFunctionOfDim(*out) &&
        t.getDimSize(t.getRank() - 1) > 1)
      return std::make_pair(*out, *d);
  }
  return std::nullopt;
}

struct TileTransposes : mcc::impl::TileTransposesBase<TileTransposes> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, std::pair<unsigned, unsigned>>>
        work;
    getOperation().walk([&](linalg::GenericOp op) {
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!type || !type.hasStaticShape() ||
          !type.getElementType().isIntOrFloat())
        return;
      int64_t bytes =
          type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
      if (bytes < minBytes)
        return;
      if (auto dims = transposedDims(op))
        work.push_back({op, *dims});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, dims] : work) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      // The block along one of the two dims: the whole dim when it is
      // small, else the largest size in [tile / 2, tile] that divides it.
      bool uniform = true;
      auto blockOf = [&](int64_t n) -> int64_t {
        if (n <= tile)
          return 0; // untiled: the block is the whole dim
        for (int64_t t = tile; t >= std::max<int64_t>(tile / 2, 1); --t)
          if (n % t == 0)
            return t;
        uniform = false;
        return tile;
      };
      SmallVector<OpFoldResult> sizes;
      for (auto [d, n] : llvm::enumerate(ranges)) {
        bool blocked = d == dims.first || d == dims.second;
        sizes.push_back(
            rewriter.getIndexAttr(blocked ? blockOf(n) : (n > 1 ? 1 : 0)));
      }
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes).setLoopType(
          scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      if (!uniform)
        continue;
      for (Operation *block : tiled->tiledOps) {
        rewriter.setInsertionPoint(block);
        FailureOr<linalg::VectorizationResult> v =
            linalg::vectorize(rewriter, block);
        if (succeeded(v))
          rewriter.replaceOp(block, v->replacements);
      }
    }
  }
};

} // namespace
