//===- ColumnTiles.cpp - Register-tiled matmul kernels, their frame -------===//

#include "passes/common/ColumnTiles.h"
#include "passes/common/VectorBody.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

Value mcc::toMatrix(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t r = t.getRank();
  if (r == 2)
    return v;
  ReassociationIndices rows;
  for (int64_t d = 0; d < r - 1; ++d)
    rows.push_back(d);
  return tensor::CollapseShapeOp::create(
      b, loc, v, SmallVector<ReassociationIndices>{rows, {r - 1}});
}

namespace {

/// How an epilogue operand is read for a tile: one value for the whole
/// tensor, one per column (a [N] vector, or [N, 1, ...] as channels-last
/// leaves a conv's per-channel scale), or one per element (a tensor shaped
/// like the result: a residual).
enum class EpilogueRead { PerTensor, PerColumn, PerElement };

/// Whether `e` reads `in` once per column: its map gives the last loop
/// dim and zeros, and the operand's dims under the zeros are 1.
bool readsPerColumn(linalg::GenericOp e, OpOperand *in, unsigned rank) {
  AffineMap m = e.getMatchingIndexingMap(in);
  auto t = dyn_cast<RankedTensorType>(in->get().getType());
  if (!t || !t.hasStaticShape())
    return false;
  int columns = 0;
  for (auto [i, x] : llvm::enumerate(m.getResults())) {
    if (x == getAffineDimExpr(rank - 1, e.getContext())) {
      ++columns;
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(x);
    if (!c || c.getValue() != 0 || t.getDimSize(i) != 1)
      return false;
  }
  return columns == 1;
}

/// The elementwise consumer of `op` to run on the accumulators, or null:
/// `op`'s only user, whose other operands are read per tensor, per column
/// or per element (the kernel's rows and columns index those). `reads`
/// gets one entry per input of the consumer (the accumulator's is unused).
linalg::GenericOp epilogueOf(Operation *op,
                             SmallVectorImpl<EpilogueRead> &reads) {
  linalg::GenericOp e =
      mcc::soleVectorizableConsumer(op, /*unitBroadcasts=*/true);
  if (!e)
    return {};
  Value result = op->getResult(0);
  auto rt = cast<RankedTensorType>(result.getType());
  unsigned rank = rt.getRank();
  for (OpOperand *in : e.getDpsInputOperands()) {
    AffineMap m = e.getMatchingIndexingMap(in);
    if (in->get() == result) {
      reads.push_back(EpilogueRead::PerTensor);
      continue;
    }
    if (llvm::all_of(m.getResults(), [](AffineExpr x) {
          auto c = dyn_cast<AffineConstantExpr>(x);
          return c && c.getValue() == 0;
        })) {
      reads.push_back(EpilogueRead::PerTensor);
      continue;
    }
    // Vectors of sub-byte elements are packed bits; the tensors hold one
    // byte each, so those are read per tensor only.
    auto et = getElementTypeOrSelf(in->get().getType());
    if (!et.isIntOrFloat() || et.getIntOrFloatBitWidth() % 8 != 0)
      return {};
    if (readsPerColumn(e, in, rank)) {
      reads.push_back(EpilogueRead::PerColumn);
      continue;
    }
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (m.isIdentity() && t && t.getShape() == rt.getShape() &&
        rt.hasStaticShape()) {
      reads.push_back(EpilogueRead::PerElement);
      continue;
    }
    return {};
  }
  return e;
}

/// Whether the kernel writing `init` (result `result`) tiles rows within
/// image rows (dim rank - 2) instead of the flattened matrix: when a pad
/// reads the result, so the kernel can write into the padded buffer's
/// interior (pad-in-producer; a collapsed matrix is no view of it), and
/// either the image rows split into whole tiles or long ones (a 28-wide
/// row in tiles of 8 computes 4 more rows per row) or the elements are
/// 32-bit, whose copy costs more than those rows (QDQ MobileNetV2's
/// dequantized outputs before its float depthwise convs: 1 thread -17%,
/// 2 threads -9% against 8-bit-only).
bool tilesImageRows(Value init, Value result, int64_t rows) {
  auto t = cast<RankedTensorType>(init.getType());
  if (t.getRank() < 3 || !t.hasStaticShape())
    return false;
  int64_t len = t.getDimSize(t.getRank() - 2);
  if (len % rows != 0 && len < 4 * rows && t.getElementTypeBitWidth() < 32)
    return false;
  return llvm::any_of(result.getUsers(),
                      [](Operation *u) { return isa<tensor::PadOp>(u); });
}

/// A per-column operand as a vector [N] (its unit dims dropped).
Value columnVector(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 1)
    return v;
  ReassociationIndices all;
  for (int64_t d = 0; d < t.getRank(); ++d)
    all.push_back(d);
  return tensor::CollapseShapeOp::create(
      b, loc, v, SmallVector<ReassociationIndices>{all});
}

} // namespace

void mcc::emitColumnTiledKernel(RewriterBase &rewriter,
                                const ColumnTiledKernel &k) {
  Operation *op = k.op;
  Value opResult = op->getResult(0);
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  OpBuilder &b = rewriter;
  int64_t lanes = k.lanes, vectors = k.vectors, rows = k.rows;
  int64_t width = vectors * lanes, n = k.n;
  // Sizes taken from the result are the init's (lowerings size their
  // outputs with tensor.dim): then the consumer can be its only user.
  for (OpOperand &use : llvm::make_early_inc_range(opResult.getUses()))
    if (auto dim = dyn_cast<tensor::DimOp>(use.getOwner()))
      rewriter.modifyOpInPlace(dim,
                               [&] { dim.getSourceMutable().assign(k.init); });
  SmallVector<EpilogueRead> reads;
  linalg::GenericOp epilogue = epilogueOf(op, reads);
  // At the epilogue: its other operands may be computed after the matmul.
  rewriter.setInsertionPoint(epilogue ? epilogue.getOperation() : op);
  k.prologue(b, loc);
  int64_t tiles = llvm::divideCeil(n, width);
  Value init = epilogue ? epilogue.getDpsInits()[0] : k.init;
  Value result0 = epilogue ? epilogue->getResult(0) : opResult;
  bool imageRows = tilesImageRows(init, result0, rows);
  Value out = imageRows ? init : toMatrix(b, loc, init);
  auto outType = cast<RankedTensorType>(out.getType());
  int64_t rank = outType.getRank();
  // Rows run along dim rank - 2 (the image row, or the matrix's rows);
  // the dims before it (`outer`) are walked one index at a time.
  Value rowLen = tensor::DimOp::create(b, loc, out, rank - 2);
  SmallVector<Value> outerDims;
  Value outer = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d + 2 < rank; ++d) {
    outerDims.push_back(tensor::DimOp::create(b, loc, out, d));
    outer = arith::MulIOp::create(b, loc, outer, outerDims.back());
  }
  AffineExpr s0 = b.getAffineSymbolExpr(0), d0 = b.getAffineDimExpr(0);
  Value perRow = affine::makeComposedAffineApply(
      b, loc, AffineMap::get(0, 1, s0.ceilDiv(rows)), {OpFoldResult(rowLen)});
  Value blocks = arith::MulIOp::create(b, loc, outer, perRow);
  auto loop = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(tiles), blocks},
      ValueRange{out}, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getTerminator());
    Value tile = loop.getInductionVars()[0];
    Value block = loop.getInductionVars()[1];
    Value n0 = affine::makeComposedAffineApply(
        b, loc, AffineMap::get(1, 0, d0 * width), {tile});
    // The block's outer index and its first row along dim rank - 2.
    Value o = arith::DivUIOp::create(b, loc, block, perRow);
    Value m0 = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, block, perRow),
        arith::ConstantIndexOp::create(b, loc, rows));
    SmallVector<OpFoldResult> offsets(rank - 2), sizes, strides;
    Value rest = o;
    for (int64_t d = rank - 3; d >= 0; --d) {
      offsets[d] =
          arith::RemUIOp::create(b, loc, rest, outerDims[d]).getResult();
      rest = arith::DivUIOp::create(b, loc, rest, outerDims[d]);
    }
    Value base = arith::MulIOp::create(b, loc, o, rowLen);
    // Rows and columns this tile has.
    Value rowsHere = affine::AffineMinOp::create(
        b, loc,
        AffineMap::get(1, 1, {getAffineConstantExpr(rows, ctx), s0 - d0}, ctx),
        ValueRange{m0, rowLen});
    // Whole column tiles (N a multiple of the width) store and read the
    // epilogue's operands unmasked: masked stores are slow (`vpmaskmovd`
    // on Zen 3), and a conv's small K leaves the kernel bound by them.
    bool wholeTiles = n % width == 0;
    OpFoldResult colsHere =
        wholeTiles
            ? OpFoldResult(b.getIndexAttr(width))
            : OpFoldResult(
                  affine::AffineMinOp::create(
                      b, loc,
                      AffineMap::get(
                          1, 0, {getAffineConstantExpr(width, ctx), n - d0},
                          ctx),
                      ValueRange{n0})
                      .getResult());
    // Matrix rows (the activations' and the per-element operands'), the
    // short last block's clamped to its last row.
    SmallVector<Value> rowOf;
    for (int64_t i = 0; i < rows; ++i)
      rowOf.push_back(arith::AddIOp::create(
          b, loc, base,
          affine::AffineMinOp::create(
              b, loc, AffineMap::get(1, 1, {d0 + i, s0 - 1}, ctx),
              ValueRange{m0, rowLen})));
    SmallVector<Value> results = k.tileBody(b, loc, tile, n0, rowOf);
    assert(int64_t(results.size()) == rows * vectors && "one value per vector");

    // The epilogue's other operands: read once per tile (per tensor), per
    // column vector (per column), or per row and column vector (per
    // element, from the operand as a matrix).
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    if (epilogue) {
      Block &body = epilogue.getRegion().front();
      SmallVector<Value> cols;
      for (int64_t j = 0; j < vectors; ++j)
        cols.push_back(affine::makeComposedAffineApply(
            b, loc, AffineMap::get(1, 0, d0 + j * lanes), {n0}));
      SmallVector<IRMapping> perColumn(vectors);
      SmallVector<std::pair<Value, Value>> perElement; // (argument, matrix)
      for (auto [x, in] : llvm::enumerate(epilogue.getDpsInputOperands())) {
        if (in->get() == opResult)
          continue;
        Value arg = body.getArgument(in->getOperandNumber());
        auto vt = VectorType::get({lanes}, arg.getType());
        Value padding =
            arith::ConstantOp::create(b, loc, b.getZeroAttr(arg.getType()));
        if (reads[x] == EpilogueRead::PerTensor) {
          auto t = cast<RankedTensorType>(in->get().getType());
          SmallVector<Value> zeros(t.getRank(), c0);
          Value v = vector::BroadcastOp::create(
              b, loc, vt, tensor::ExtractOp::create(b, loc, in->get(), zeros));
          for (IRMapping &m : perColumn)
            m.map(arg, v);
        } else if (reads[x] == EpilogueRead::PerColumn) {
          Value columns = columnVector(b, loc, in->get());
          for (int64_t j = 0; j < vectors; ++j)
            perColumn[j].map(arg, vector::TransferReadOp::create(
                                      b, loc, vt, columns, ValueRange{cols[j]},
                                      padding, ArrayRef<bool>{wholeTiles}));
        } else {
          perElement.push_back({arg, toMatrix(b, loc, in->get())});
        }
      }
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < vectors; ++j) {
          IRMapping map = perColumn[j];
          for (OpOperand *in : epilogue.getDpsInputOperands())
            if (in->get() == opResult)
              map.map(body.getArgument(in->getOperandNumber()),
                      results[i * vectors + j]);
          for (auto [arg, matrix] : perElement) {
            Value padding =
                arith::ConstantOp::create(b, loc, b.getZeroAttr(arg.getType()));
            map.map(arg, vector::TransferReadOp::create(
                             b, loc, VectorType::get({lanes}, arg.getType()),
                             matrix, ValueRange{rowOf[i], cols[j]}, padding,
                             ArrayRef<bool>{wholeTiles}));
          }
          results[i * vectors + j] =
              mcc::applyBodyOnVectors(b, loc, epilogue, map, lanes);
        }
    }

    // Store the rows this block has, each as `vectors` vectors (masked
    // unless the tiles are whole).
    Value shared = loop.getRegionIterArgs()[0];
    offsets.push_back(m0);
    offsets.push_back(n0);
    sizes.assign(rank - 2, b.getIndexAttr(1));
    sizes.push_back(rowsHere);
    sizes.push_back(colsHere);
    strides.assign(rank, b.getIndexAttr(1));
    // The slice as a matrix (the leading unit dims dropped).
    auto staticOf = [](OpFoldResult f) {
      return getConstantIntValue(f).value_or(ShapedType::kDynamic);
    };
    auto sliceType = RankedTensorType::get(
        {staticOf(rowsHere), staticOf(colsHere)}, outType.getElementType());
    Value t = tensor::ExtractSliceOp::create(b, loc, sliceType, shared, offsets,
                                             sizes, strides);
    for (int64_t i = 0; i < rows; ++i) {
      Value ri = arith::ConstantIndexOp::create(b, loc, i);
      auto store = [&](OpBuilder &sb, Location l, Value into) {
        for (int64_t j = 0; j < vectors; ++j)
          into = vector::TransferWriteOp::create(
                     sb, l, results[i * vectors + j], into,
                     ValueRange{
                         ri, arith::ConstantIndexOp::create(sb, l, j * lanes)},
                     ArrayRef<bool>{wholeTiles})
                     .getResult();
        return into;
      };
      if (i == 0) {
        t = store(b, loc, t);
        continue;
      }
      Value has = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ri,
                                        rowsHere);
      auto ifOp = scf::IfOp::create(
          b, loc, has,
          [&](OpBuilder &tb, Location l) {
            scf::YieldOp::create(tb, l, store(tb, l, t));
          },
          [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, t); });
      t = ifOp.getResult(0);
    }
    b.setInsertionPointToStart(loop.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, t, shared, offsets, sizes,
                                          strides);
  }
  Value result = loop.getResult(0);
  auto rt = cast<RankedTensorType>(init.getType());
  if (!imageRows && rt.getRank() != 2) {
    ReassociationIndices lead;
    for (int64_t d = 0; d < rt.getRank() - 1; ++d)
      lead.push_back(d);
    result = tensor::ExpandShapeOp::create(
        b, loc, rt, result,
        SmallVector<ReassociationIndices>{lead, {rt.getRank() - 1}},
        tensor::getMixedSizes(b, loc, init));
  }
  if (epilogue) {
    rewriter.replaceOp(epilogue, result);
    rewriter.eraseOp(op);
  } else {
    rewriter.replaceOp(op, result);
  }
}
