//===- VectorizeWindowCopies.cpp - im2col copies as vector runs -----------===//
//
// A generic that copies (or maps elementwise) a window of its input into
// a bigger output, `out[n, oh, ow, kh, kw, c] = in[n, oh * s + kh,
// ow * s + kw, c]`, is contiguous along `c` on both sides. LLVM fully
// unrolls such an inner loop into scalar loads and stores and cannot
// merge them (the buffers may alias as far as it knows). Here each run
// along the innermost dim becomes one vector.transfer_read, the body on
// that vector, one vector.transfer_write, inside an scf.forall over the
// other dims.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/VectorBody.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_VECTORIZEWINDOWCOPIES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// Whether `op` is a window copy this pass rewrites (see the file
/// comment). Elements narrower than a byte (i1, i4) are left alone: a
/// vector of them is packed bits, their memory one byte each.
bool isWindowCopy(linalg::GenericOp op, int64_t minBits, int64_t maxBits) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || !op.hasPureTensorSemantics() ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !mcc::isVectorizableBody(op))
    return false;
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  OpOperand *in = op.getDpsInputOperand(0);
  auto it = dyn_cast<RankedTensorType>(in->get().getType());
  if (!out || !it || !out.hasStaticShape() || !it.hasStaticShape() ||
      !out.getElementType().isIntOrFloat() ||
      !it.getElementType().isIntOrFloat() ||
      out.getElementTypeBitWidth() % 8 != 0 ||
      it.getElementTypeBitWidth() % 8 != 0)
    return false;
  unsigned loops = op.getNumLoops();
  AffineMap m = op.getMatchingIndexingMap(in);
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      m.isProjectedPermutation() || m.getNumResults() == 0 || loops < 2)
    return false;
  // The innermost loop dim is the input's last index, alone, and nowhere
  // else; the run covers the input's last dim.
  AffineExpr inner = getAffineDimExpr(loops - 1, op.getContext());
  if (m.getResults().back() != inner)
    return false;
  for (AffineExpr e : m.getResults().drop_back())
    if (e.isFunctionOfDim(loops - 1))
      return false;
  int64_t run = out.getShape().back();
  if (it.getShape().back() != run)
    return false;
  int64_t bits =
      run * std::max(out.getElementTypeBitWidth(), it.getElementTypeBitWidth());
  return bits >= minBits && bits <= maxBits;
}

void vectorizeWindowCopy(RewriterBase &rewriter, linalg::GenericOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  unsigned loops = op.getNumLoops();
  int64_t run = out.getShape().back();
  OpOperand *in = op.getDpsInputOperand(0);
  AffineMap m = op.getMatchingIndexingMap(in);
  SmallVector<OpFoldResult> counts;
  for (int64_t d : out.getShape().drop_back())
    counts.push_back(rewriter.getIndexAttr(d));
  auto forall = scf::ForallOp::create(
      rewriter, loc, counts, ValueRange{op.getDpsInits()[0]}, std::nullopt);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(forall.getTerminator());
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  SmallVector<Value> ivs(forall.getInductionVars());
  ivs.push_back(c0);
  // The input's indices: the map applied to (outer ivs, 0).
  SmallVector<Value> at;
  for (AffineExpr e : m.getResults())
    at.push_back(getValueOrCreateConstantIndexOp(
        rewriter, loc,
        affine::makeComposedFoldedAffineApply(rewriter, loc,
                                              AffineMap::get(loops, 0, e, ctx),
                                              getAsOpFoldResult(ivs))));
  Block &body = op.getRegion().front();
  Value arg = body.getArgument(0);
  Value padding = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(arg.getType()));
  Value v = vector::TransferReadOp::create(
      rewriter, loc, VectorType::get({run}, arg.getType()), in->get(), at,
      padding, ArrayRef<bool>{true});
  IRMapping map;
  map.map(arg, v);
  v = mcc::applyBodyOnVectors(rewriter, loc, op, map, run);
  // Write the run into a [1, ..., 1, run] slice of the shared output.
  Value shared = forall.getRegionIterArgs()[0];
  SmallVector<OpFoldResult> offsets(getAsOpFoldResult(ivs));
  SmallVector<OpFoldResult> sizes(loops - 1, rewriter.getIndexAttr(1));
  sizes.push_back(rewriter.getIndexAttr(run));
  SmallVector<OpFoldResult> strides(loops, rewriter.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(rewriter, loc, shared, offsets,
                                               sizes, strides);
  SmallVector<Value> zeros(loops, c0);
  Value written = vector::TransferWriteOp::create(rewriter, loc, v, slice,
                                                  zeros, ArrayRef<bool>{true})
                      .getResult();
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(rewriter, loc, written, shared, offsets,
                                        sizes, strides);
  rewriter.replaceOp(op, forall.getResult(0));
}

struct VectorizeWindowCopies
    : mcc::impl::VectorizeWindowCopiesBase<VectorizeWindowCopies> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isWindowCopy(op, minBits, maxBits))
        work.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : work)
      vectorizeWindowCopy(rewriter, op);
  }
};

} // namespace
