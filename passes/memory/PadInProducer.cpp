//===- PadInProducer.cpp - Producers write straight into padded buffers ---===//
//
// A conv's padded input (tensor.pad of the previous kernel's output) cost
// two passes over memory per conv: a fill of the whole padded buffer and a
// strided copy of the interior (16% of MobileNetV2's run time). Here the
// padded tensor is made first (a fill) and the producing kernel, an
// scf.forall chain whose destination was a tensor.empty, writes into its
// interior slice instead; the pad becomes an insert_slice of that same
// slice, which bufferization turns into nothing. Reshapes between producer
// and pad (unit-dim collapses) are replayed on the slice.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_PADINPRODUCER
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// A reshape whose groups each hold at most one dim of size > 1.
bool isUnitDimReshape(Operation *op) {
  SmallVector<ReassociationIndices> groups;
  ArrayRef<int64_t> shape;
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    groups = c.getReassociationIndices();
    shape = c.getSrcType().getShape();
  } else {
    auto e = cast<tensor::ExpandShapeOp>(op);
    groups = e.getReassociationIndices();
    shape = e.getResultType().getShape();
  }
  return llvm::all_of(groups, [&](const ReassociationIndices &g) {
    return llvm::count_if(g, [&](int64_t d) { return shape[d] != 1; }) <= 1;
  });
}

/// Fills `full` with `value` outside the box [low, low + size): per padded
/// dim, the slab below and the slab above the box (dims before it whole,
/// dims after it restricted to the box, so nothing is written twice). The
/// interior is left for the kernel.
Value fillBorder(OpBuilder &b, Location loc, Value full, Value value,
                 ArrayRef<int64_t> low, ArrayRef<int64_t> size) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(full.getType()).getShape();
  for (unsigned d = 0; d < shape.size(); ++d) {
    int64_t bands[2][2] = {{0, low[d]},
                           {low[d] + size[d], shape[d] - low[d] - size[d]}};
    for (auto [start, extent] : bands) {
      if (extent == 0)
        continue;
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (unsigned e = 0; e < shape.size(); ++e) {
        int64_t o = e < d ? 0 : e == d ? start : low[e];
        int64_t n = e < d ? shape[e] : e == d ? extent : size[e];
        offsets.push_back(b.getIndexAttr(o));
        sizes.push_back(b.getIndexAttr(n));
        strides.push_back(b.getIndexAttr(1));
      }
      Value slab =
          tensor::ExtractSliceOp::create(b, loc, full, offsets, sizes, strides);
      slab = linalg::FillOp::create(b, loc, value, slab).getResult(0);
      full = tensor::InsertSliceOp::create(b, loc, slab, full, offsets, sizes,
                                           strides);
    }
  }
  return full;
}

/// A tensor of the pad's type with its border filled with `padAttr`.
Value makeBorderFilled(OpBuilder &b, tensor::PadOp pad, Attribute padAttr) {
  Location loc = pad.getLoc();
  RankedTensorType type = pad.getResultType();
  Value cst = arith::ConstantOp::create(b, loc, cast<TypedAttr>(padAttr));
  Value full =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return fillBorder(b, loc, full, cst, pad.getStaticLow(),
                    pad.getSourceType().getShape());
}

/// Walks back from the pad: reshapes and scf.foralls (through their
/// destination) down to the tensor.empty the kernels started from. Returns
/// that empty's use, or null; `reshapes` gets the reshapes, nearest the pad
/// first. Every value on the way is used once, except the kernel's result
/// itself: its other readers (a residual add beside the conv that needs the
/// pad) read the padded buffer's interior instead, which holds the same
/// values.
OpOperand *findKernelDestination(tensor::PadOp pad,
                                 SmallVectorImpl<Operation *> &reshapes) {
  Value v = pad.getSource();
  bool sawKernel = false;
  while (v == pad.getSource() || v.hasOneUse()) {
    Operation *def = v.getDefiningOp();
    OpOperand *next;
    if (isa_and_present<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def)) {
      // Only unit dims may come or go: the interior of a padded buffer is
      // not contiguous, so merging real dims of it would need a copy.
      if (!isUnitDimReshape(def))
        return nullptr;
      reshapes.push_back(def);
      next = &def->getOpOperand(0);
    } else if (auto loop = dyn_cast_if_present<scf::ForallOp>(def);
               loop && loop->getNumResults() == 1) {
      sawKernel = true;
      next = &loop.getOutputsMutable()[0];
    } else {
      return nullptr;
    }
    v = next->get();
    // (An empty may be shared by several kernels: only this use moves.)
    if (sawKernel && v.getDefiningOp<tensor::EmptyOp>())
      return next;
  }
  return nullptr;
}

void rewrite(tensor::PadOp pad, IRRewriter &rewriter) {
  auto padType = pad.getResultType();
  Value padValue = pad.getConstantPaddingValue();
  Attribute padAttr;
  if (!padType.hasStaticShape() || !padValue ||
      !matchPattern(padValue, m_Constant(&padAttr)) ||
      !pad.getSourceType().hasStaticShape() ||
      ShapedType::isDynamicShape(pad.getStaticLow()))
    return;
  SmallVector<Operation *> reshapes;
  OpOperand *start = findKernelDestination(pad, reshapes);
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (auto [low, size] :
       llvm::zip(pad.getStaticLow(), pad.getSourceType().getShape())) {
    offsets.push_back(rewriter.getIndexAttr(low));
    sizes.push_back(rewriter.getIndexAttr(size));
    strides.push_back(rewriter.getIndexAttr(1));
  }
  Location loc = pad.getLoc();
  if (!start) {
    // No kernel to write the interior (a graph input, say): the interior
    // is still copied, but only the border is filled (bufferized, a pad
    // fills the whole buffer first), when it is a small part of the
    // buffer. A 1x960x9x9 NCHW pad's border is 40% of it, in runs of one
    // element: filling it ran 17% slower than the memset of the whole
    // (its depthwise conv alone); the stem's 3x226x226 border is 1.8%.
    // Pads inside kernels stay as they are.
    int64_t inner = pad.getSourceType().getNumElements();
    if (!isa<func::FuncOp>(pad->getParentOp()) ||
        8 * (padType.getNumElements() - inner) > padType.getNumElements())
      return;
    rewriter.setInsertionPoint(pad);
    Value full = makeBorderFilled(rewriter, pad, padAttr);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, pad.getSource(), full, offsets, sizes, strides);
    return;
  }

  rewriter.setInsertionPoint(start->getOwner());
  Value full = makeBorderFilled(rewriter, pad, padAttr);
  Value interior = tensor::ExtractSliceOp::create(
      rewriter, loc, pad.getSourceType(), full, offsets, sizes, strides);
  // Undo the reshapes, the one nearest the pad first, to get the type
  // the kernels started from.
  for (Operation *op : reshapes) {
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(op))
      interior = tensor::ExpandShapeOp::create(
          rewriter, loc, c.getSrcType(), interior, c.getReassociationIndices());
    else {
      auto e = cast<tensor::ExpandShapeOp>(op);
      interior = tensor::CollapseShapeOp::create(
          rewriter, loc, e.getSrcType(), interior, e.getReassociationIndices());
    }
  }
  rewriter.modifyOpInPlace(start->getOwner(), [&] { start->set(interior); });
  // The insertion right after the kernel; the kernel's other readers read
  // the padded tensor's interior from then on. (Reading the kernel's own
  // result after the insertion wrote its buffer would make bufferization
  // copy it out first.)
  Value source = pad.getSource();
  rewriter.setInsertionPointAfterValue(source);
  auto inserted = tensor::InsertSliceOp::create(rewriter, loc, source, full,
                                                offsets, sizes, strides);
  if (!source.hasOneUse()) {
    Value view = tensor::ExtractSliceOp::create(
        rewriter, loc, pad.getSourceType(), inserted, offsets, sizes, strides);
    rewriter.replaceUsesWithIf(source, view, [&](OpOperand &use) {
      return use.getOwner() != inserted && use.getOwner() != pad;
    });
  }
  rewriter.replaceOp(pad, inserted);
}

struct PadInProducer : mcc::impl::PadInProducerBase<PadInProducer> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      rewrite(pad, rewriter);
  }
};

} // namespace
