//===- FuseDepthwisePointwise.cpp - Depthwise conv into its 1x1 consumer --===//
//
// In an inverted-residual block (MobileNet, EfficientNet) a depthwise conv
// (+ its activation) writes a large NHWC tensor that the following 1x1 conv
// (+ its residual add) reads back once: at 56x56x144 that is 1.8 MB out to
// L3 and in again. A 1x1 conv needs exactly the pixels it writes, so when
// it is tiled by image rows, the depthwise conv fused into each tile
// computes every pixel once, as before, but the tile's row of the
// intermediate is read back while it is still in L1/L2.
//
// The chain is fused (final op ← 1x1 conv ← activation ← depthwise conv,
// with the ops that initialize their accumulators). The depthwise conv's
// input (a padded tensor) is read through a slice, except when it pads
// the output of a large expand 1x1 conv: then the expand is fused too, on
// a window of rows per tile (rows shared by neighbouring windows are
// computed twice, bounded to 30% more expand work). Register tiling then
// turns each tiled op into its kernel inside the row loop.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_FUSEDEPTHWISEPOINTWISE
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// A static f32 multiply-accumulate generic with one init and an NHWC
/// output (a projected permutation of rank 4).
bool isConvLike(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics() || !mcc::isMultiplyAccumulate(op))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getRank() != 4 ||
      !type.getElementType().isF32() ||
      llvm::is_contained(op.getStaticLoopRanges(), 0))
    return false;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  return out.isProjectedPermutation() && out.getNumResults() == 4;
}

unsigned outputDim(linalg::GenericOp op, unsigned pos) {
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  return cast<AffineDimExpr>(out.getResult(pos)).getPosition();
}

/// Both inputs indexed by the output channel (NHWC's last dim): one filter
/// per channel.
bool isDepthwise(linalg::GenericOp op) {
  if (!isConvLike(op))
    return false;
  unsigned c = outputDim(op, 3);
  return llvm::all_of(op.getDpsInputOperands(), [&](OpOperand *in) {
    return op.getMatchingIndexingMap(in).isFunctionOfDim(c);
  });
}

/// The input of a 1x1 conv that it reads at its own output pixel: the one
/// whose first three indices are the output's (n, h, w) dims once the
/// unit reduction dims (the 1x1 taps) are taken as 0.
OpOperand *pixelInput(linalg::GenericOp op) {
  if (!isConvLike(op))
    return nullptr;
  MLIRContext *ctx = op.getContext();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = ranges.size();
  auto iters = op.getIteratorTypesArray();
  SmallVector<AffineExpr> fixUnit;
  int64_t realReductions = 0;
  for (unsigned d = 0; d < numLoops; ++d) {
    bool reduction = iters[d] == utils::IteratorType::reduction;
    fixUnit.push_back(reduction && ranges[d] == 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(d, ctx));
    realReductions += reduction && ranges[d] > 1;
  }
  if (realReductions != 1)
    return nullptr;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (m.getNumResults() != 4)
      continue;
    bool samePixel = true;
    for (unsigned r = 0; r < 3; ++r)
      samePixel &=
          simplifyAffineExpr(m.getResult(r).replaceDims(fixUnit), numLoops,
                             0) == getAffineDimExpr(outputDim(op, r), ctx);
    if (samePixel)
      return in;
  }
  return nullptr;
}

/// The single-use elementwise generic that reads `v` with the identity
/// map into a result of the same type, or null.
linalg::GenericOp identityConsumer(Value v) {
  if (!v.hasOneUse())
    return {};
  OpOperand &use = *v.use_begin();
  auto g = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!g || g->getNumResults() != 1 || !mcc::isElementwiseGeneric(g) ||
      g.isDpsInit(&use) || g->getResult(0).getType() != v.getType() ||
      !g.getMatchingIndexingMap(&use).isIdentity())
    return {};
  return g;
}

/// One fusion: `last` is tiled by image rows, `fusible` is fused into it.
struct Chain {
  linalg::GenericOp last, depthwise;
  llvm::SmallPtrSet<Operation *, 8> fusible;
  SmallVector<Operation *> ops; // the untiled ops, consumer first
  int64_t rows = 1;             // image rows per tile
};

std::optional<Chain> chainEndingAt(linalg::GenericOp pointwise,
                                   int64_t minBytes) {
  OpOperand *in = pixelInput(pointwise);
  if (!in)
    return std::nullopt;
  Chain c;
  linalg::GenericOp act;
  auto dw = in->get().getDefiningOp<linalg::GenericOp>();
  if (dw && !isDepthwise(dw)) {
    act = dw;
    if (!mcc::isElementwiseGeneric(act) || act->getNumResults() != 1)
      return std::nullopt;
    dw = {};
    for (OpOperand *a : act.getDpsInputOperands())
      if (auto d = a->get().getDefiningOp<linalg::GenericOp>();
          d && isDepthwise(d) && identityConsumer(d->getResult(0)) == act)
        dw = d;
  }
  if (!dw || !in->get().hasOneUse())
    return std::nullopt;
  auto type = cast<RankedTensorType>(dw->getResult(0).getType());
  // Small intermediates stay in L2 anyway; fusing them only costs
  // parallelism (a 7x7 image has 7 rows to share out).
  if (type.getNumElements() * 4 < minBytes)
    return std::nullopt;
  c.last = pointwise;
  c.depthwise = dw;
  if (linalg::GenericOp e = identityConsumer(pointwise->getResult(0))) {
    c.last = e;
    c.ops.push_back(e);
  }
  for (linalg::GenericOp op : {pointwise, act, dw}) {
    if (!op)
      continue;
    c.ops.push_back(op);
    if (op != c.last)
      c.fusible.insert(op);
    // What initializes an accumulator (fill, bias broadcast).
    if (Operation *init = op.getDpsInits()[0].getDefiningOp();
        init && isa<linalg::LinalgOp>(init) && init->hasOneUse()) {
      c.fusible.insert(init);
      c.ops.push_back(init);
    }
  }
  return c;
}

/// How far `e` moves when loop dim `d` moves by one, if constant.
std::optional<int64_t> strideIn(AffineExpr e, unsigned d, unsigned numDims) {
  AffineExpr dim = getAffineDimExpr(d, e.getContext());
  auto diff = dyn_cast<AffineConstantExpr>(
      simplifyAffineExpr(e.replace(dim, dim + 1) - e, numDims, 0));
  if (!diff)
    return std::nullopt;
  return diff.getValue();
}

/// The depthwise conv's input when it is a zero pad (static, of H and W
/// only) of act(expand(x)): an optional single-input elementwise `act` of
/// a 1x1 conv `expand`, each used once.
struct PaddedExpand {
  tensor::PadOp pad;
  linalg::GenericOp act, expand;
  Operation *init; // expand's accumulator init (fill, bias broadcast)
  int64_t stride, taps;
};

std::optional<PaddedExpand> paddedExpandOf(linalg::GenericOp dw) {
  PaddedExpand pe;
  OpOperand *in = nullptr;
  for (OpOperand *o : dw.getDpsInputOperands())
    if (o->get().getDefiningOp<tensor::PadOp>())
      in = o;
  if (!in)
    return std::nullopt;
  pe.pad = in->get().getDefiningOp<tensor::PadOp>();
  Value padValue = pe.pad.getConstantPaddingValue();
  ArrayRef<int64_t> low = pe.pad.getStaticLow(), high = pe.pad.getStaticHigh();
  if (!pe.pad->hasOneUse() || !padValue ||
      !matchPattern(padValue, m_AnyZeroFloat()) ||
      !pe.pad.getResultType().hasStaticShape() ||
      ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) ||
      low.size() != 4 || low[0] || low[3] || high[0] || high[3])
    return std::nullopt;
  Value v = pe.pad.getSource();
  auto def = v.getDefiningOp<linalg::GenericOp>();
  if (def && !isConvLike(def)) {
    pe.act = def;
    if (!v.hasOneUse() || !mcc::isElementwiseGeneric(pe.act) ||
        pe.act.getNumDpsInputs() != 1 || pe.act->getNumResults() != 1 ||
        !pe.act.getMatchingIndexingMap(pe.act.getDpsInputOperand(0))
             .isIdentity())
      return std::nullopt;
    v = pe.act.getDpsInputs()[0];
    def = v.getDefiningOp<linalg::GenericOp>();
  }
  if (!def || !v.hasOneUse() || !pixelInput(def))
    return std::nullopt;
  pe.expand = def;
  pe.init = def.getDpsInits()[0].getDefiningOp();
  // A fill or a broadcast of something without image dims (bias): it
  // is re-made at the padded shape.
  std::optional<mcc::InitSource> src = mcc::initSource(def.getDpsInits()[0]);
  if (!pe.init || !pe.init->hasOneUse() || !src ||
      (src->tensor &&
       (src->map.isFunctionOfDim(1) || src->map.isFunctionOfDim(2))))
    return std::nullopt;
  // The depthwise conv's stride and taps along H.
  AffineMap m = dw.getMatchingIndexingMap(in);
  unsigned h = outputDim(dw, 1), numDims = m.getNumDims();
  std::optional<int64_t> stride = strideIn(m.getResult(1), h, numDims);
  SmallVector<int64_t> ranges = dw.getStaticLoopRanges();
  pe.taps = 0;
  for (unsigned d = 0; d < numDims; ++d)
    if (d != h && m.getResult(1).isFunctionOfDim(d))
      pe.taps = ranges[d];
  if (!stride || *stride < 1 || pe.taps < 1)
    return std::nullopt;
  pe.stride = *stride;
  return pe;
}

/// Rows per tile when the expand is recomputed per tile: the fewest whose
/// input window ((rows - 1) * stride + taps rows) recomputes at most 30%
/// more expand rows than a whole-image pass, with at least 4 tiles.
std::optional<int64_t> rowsPerTile(const PaddedExpand &pe, int64_t outRows) {
  for (int64_t r = 1; r * 4 <= outRows; ++r) {
    if (outRows % r)
      continue;
    int64_t window = (r - 1) * pe.stride + pe.taps;
    if (window * 10 <= r * pe.stride * 13)
      return r;
  }
  return std::nullopt;
}

/// pad(act(expand(x))) as mask * act(expand(pad(x))): the 1x1 conv runs
/// on the padded image, its border pixels zeroed by a select on a
/// constant mask (1 inside, 0 on the border). The result has the padded
/// shape and is made pixel by pixel, so the tile loop can fuse it with the
/// rows each tile's window needs; the pad moves to the small input.
/// Returns the ops that replace the chain: mask-select, expand, init.
SmallVector<Operation *> padBeforeExpand(RewriterBase &rewriter,
                                         PaddedExpand &pe) {
  Location loc = pe.expand.getLoc();
  rewriter.setInsertionPoint(pe.pad);
  auto padType = pe.pad.getResultType();
  ArrayRef<int64_t> shape = padType.getShape();
  Type f32 = rewriter.getF32Type();
  MLIRContext *ctx = rewriter.getContext();

  // x padded like the expand's output, on its own channels.
  OpOperand *pixel = pixelInput(pe.expand);
  auto xType = cast<RankedTensorType>(pixel->get().getType());
  auto xPadType = RankedTensorType::get(
      {shape[0], shape[1], shape[2], xType.getDimSize(3)}, f32);
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
  Value xPad = tensor::PadOp::create(
      rewriter, loc, xPadType, pixel->get(),
      getAsIndexOpFoldResult(ctx, pe.pad.getStaticLow()),
      getAsIndexOpFoldResult(ctx, pe.pad.getStaticHigh()), zero);

  Value empty = tensor::EmptyOp::create(rewriter, loc, shape, f32);
  Operation *init = rewriter.clone(*pe.init);
  cast<DestinationStyleOpInterface>(init).getDpsInitsMutable()[0].set(empty);
  init->getResult(0).setType(padType);
  auto expand = cast<linalg::GenericOp>(rewriter.clone(*pe.expand));
  expand->setOperand(pixel->getOperandNumber(), xPad);
  expand.getDpsInitsMutable()[0].set(init->getResult(0));
  expand->getResult(0).setType(padType);

  SmallVector<float> maskData(shape[1] * shape[2], 0.0f);
  ArrayRef<int64_t> low = pe.pad.getStaticLow(), high = pe.pad.getStaticHigh();
  for (int64_t h = low[1]; h < shape[1] - high[1]; ++h)
    for (int64_t w = low[2]; w < shape[2] - high[2]; ++w)
      maskData[h * shape[2] + w] = 1.0f;
  Value mask = mcc::createResourceConstant(
      rewriter, loc, RankedTensorType::get({shape[1], shape[2]}, f32), maskData,
      "pad_mask");

  AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap hw = AffineMap::get(
      4, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
  Value out = tensor::EmptyOp::create(rewriter, loc, shape, f32);
  auto select = linalg::GenericOp::create(
      rewriter, loc, TypeRange{padType}, ValueRange{expand->getResult(0), mask},
      ValueRange{out}, ArrayRef<AffineMap>{id, hw, id},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value v = args[0];
        if (pe.act) {
          IRMapping map;
          Block &body = pe.act.getRegion().front();
          map.map(body.getArgument(0), args[0]);
          map.map(body.getArgument(1), args[2]);
          for (Operation &op : body.without_terminator())
            b.clone(op, map);
          v = map.lookupOrDefault(
              cast<linalg::YieldOp>(body.getTerminator()).getValues()[0]);
        }
        Value zeroV = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0));
        Value inside = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE,
                                             args[1], zeroV);
        linalg::YieldOp::create(
            b, l, arith::SelectOp::create(b, l, inside, v, zeroV).getResult());
      });
  rewriter.replaceOp(pe.pad, select->getResults());
  if (pe.act)
    rewriter.eraseOp(pe.act);
  rewriter.eraseOp(pe.expand);
  rewriter.eraseOp(pe.init);
  return {select, expand, init};
}

/// The fused ops write their row into a slice of the full-size
/// tensor.empty they had before tiling: written from parallel iterations,
/// bufferization would give each iteration a copy of the whole tensor.
/// Each row gets a tensor.empty of its own instead (one small buffer per
/// iteration, see promote-loop-buffers).
void privatizeIntermediates(RewriterBase &rewriter, LoopLikeOpInterface loop) {
  SmallVector<tensor::ExtractSliceOp> slices;
  loop->walk([&](tensor::ExtractSliceOp s) {
    if (s.getSource().getDefiningOp<tensor::EmptyOp>())
      slices.push_back(s);
  });
  for (tensor::ExtractSliceOp s : slices) {
    rewriter.setInsertionPoint(s);
    RankedTensorType t = s.getType();
    rewriter.replaceOpWithNewOp<tensor::EmptyOp>(s, t.getShape(),
                                                 t.getElementType());
  }
}

struct FuseDepthwisePointwise
    : mcc::impl::FuseDepthwisePointwiseBase<FuseDepthwisePointwise> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Chain> chains;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Chain> c = chainEndingAt(op, minBytes))
        chains.push_back(std::move(*c));
    });
    llvm::SmallPtrSet<Operation *, 32> inChains;
    for (Chain &c : chains)
      inChains.insert(c.ops.begin(), c.ops.end());
    IRRewriter rewriter(&getContext());
    for (Chain &c : chains) {
      AffineMap out =
          c.last.getMatchingIndexingMap(c.last.getDpsInitOperand(0));
      // A large expand 1x1 conv in front of the depthwise conv's pad is
      // fused too, recomputing the few window rows tiles share.
      std::optional<PaddedExpand> pe;
      if (fuseExpand)
        pe = paddedExpandOf(c.depthwise);
      std::optional<int64_t> rows;
      if (pe)
        rows = rowsPerTile(
            *pe,
            cast<ShapedType>(c.last->getResult(0).getType()).getDimSize(1));
      if (pe && rows &&
          pe->pad.getResultType().getNumElements() * 4 >= minExpandBytes &&
          !inChains.contains(pe->expand) && !inChains.contains(pe->init) &&
          !(pe->act && inChains.contains(pe->act))) {
        c.rows = *rows;
        for (Operation *op : padBeforeExpand(rewriter, *pe)) {
          c.fusible.insert(op);
          c.ops.push_back(op);
        }
      }
      // Tiles of `rows` image rows of the final op's output (NHWC: n, h).
      SmallVector<OpFoldResult> sizes(c.last.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      sizes[cast<AffineDimExpr>(out.getResult(0)).getPosition()] =
          rewriter.getIndexAttr(1);
      sizes[cast<AffineDimExpr>(out.getResult(1)).getPosition()] =
          rewriter.getIndexAttr(c.rows);
      scf::SCFTileAndFuseOptions options;
      options.tilingOptions.setTileSizes(sizes).setLoopType(
          scf::SCFTilingOptions::LoopType::ForallOp);
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            if (!c.fusible.contains(producer.getOwner()))
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      rewriter.setInsertionPoint(c.last);
      auto result = scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(c.last.getOperation()), options);
      if (failed(result) || result->fusedProducers.size() < c.fusible.size())
        continue; // part of the chain did not fuse: the tiled copy is dead
      mcc::recordDecision(
          c.last, rewriter.getFusedLoc({c.depthwise.getLoc(), c.last.getLoc()}),
          "fuse-depthwise-pointwise",
          "depthwise conv fused into the 1x1 conv after it, by "
          "tiles of " +
              llvm::Twine(c.rows) + " image rows" +
              (pe && c.fusible.contains(pe->expand)
                   ? ", with the expand 1x1 conv before it"
                   : ""));
      for (OpResult r : c.last->getResults())
        if (Value repl = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, repl);
      privatizeIntermediates(rewriter, result->loops.front());
    }
    for (Chain &c : chains)
      for (Operation *op : c.ops)
        if (op->use_empty())
          rewriter.eraseOp(op);
  }
};

} // namespace
