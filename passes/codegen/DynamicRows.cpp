//===- DynamicRows.cpp - Contractions over a symbolic dim in static chunks ===//
//
// A matmul whose rows are a symbolic dim (BERT's sequence length, a batch
// that peel-batch could not peel) has no static shape, so
// register-tile-contractions leaves it to generic loops: a BERT encoder
// with a symbolic sequence ran ~18x slower than the same graph pinned to
// its size. Here such a contraction, with its elementwise consumer (bias,
// Gelu, residual add), becomes
//
//   scf.for i in [0, M - M % rows) step rows:      // chunks of `rows`
//     the op on rows [i, i + rows)                 // static shapes
//   scf.for i in [M - M % rows, M) step tail-rows: // the rest
//     the op on rows [i, i + tail-rows), its inputs zero-padded past M
//
// and every chunk is an op of static shape that the register tiler packs
// and tiles like any other. Only operands that use the row dim are sliced
// (the weights are whole); the dim may appear in them only as a plain
// index. Inits that are a fill or a broadcast of an empty tensor are made
// again per chunk, so the tiler still sees where its accumulators start.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

namespace mcc {
#define GEN_PASS_DEF_TILEDYNAMICROWS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using mcc::initSource;
using mcc::isElementwiseGeneric;
using mcc::isMultiplyAccumulate;

namespace {

/// The result of `map` that is loop dim `d`, when it is a plain dim and no
/// other result uses `d`; -1 when none uses it; nullopt otherwise.
std::optional<int64_t> plainPosition(AffineMap map, unsigned d) {
  int64_t pos = -1;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    if (!e.isFunctionOfDim(d))
      continue;
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (pos >= 0 || !dim)
      return std::nullopt;
    pos = i;
  }
  return pos;
}

bool usesIndex(linalg::GenericOp op) {
  return !op.getBody()->getOps<linalg::IndexOp>().empty();
}

/// Every operand of `op` uses loop dim `d` only as a plain index.
bool plainInAll(linalg::GenericOp op, unsigned d) {
  return llvm::all_of(op.getIndexingMapsArray(), [&](AffineMap m) {
    return plainPosition(m, d).has_value();
  });
}

/// The single symbolic loop dim of an f32 multiply-accumulate generic
/// with a static-shape input that does not use it (the weights).
std::optional<unsigned> dynamicRowDim(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() != 2 || op.getNumReductionLoops() == 0 ||
      usesIndex(op) || !isMultiplyAccumulate(op))
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!cast<ShapedType>(v.getType()).getElementType().isF32())
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  std::optional<unsigned> m;
  for (auto [d, r] : llvm::enumerate(ranges)) {
    if (!ShapedType::isDynamic(r))
      continue;
    if (m || op.getIteratorTypesArray()[d] != utils::IteratorType::parallel)
      return std::nullopt;
    m = d;
  }
  if (!m || !plainInAll(op, *m))
    return std::nullopt;
  bool staticWeights = llvm::any_of(op.getDpsInputOperands(), [&](auto *in) {
    return !op.getMatchingIndexingMap(in).isFunctionOfDim(*m) &&
           cast<ShapedType>(in->get().getType()).hasStaticShape();
  });
  if (!staticWeights)
    return std::nullopt;
  return m;
}

/// The elementwise generic that is the only reader of `op`'s result, reads
/// it with the identity map and writes the same shape, if there is one.
linalg::GenericOp elementwiseConsumer(linalg::GenericOp op, int64_t outPos) {
  Value r = op->getResult(0);
  if (!r.hasOneUse())
    return {};
  auto g = dyn_cast<linalg::GenericOp>(*r.getUsers().begin());
  if (!g || !isElementwiseGeneric(g) || !g.hasPureTensorSemantics() ||
      usesIndex(g) || g->getNumResults() != 1 ||
      g.getResult(0).getType() != r.getType() ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity() ||
      !plainInAll(g, outPos))
    return {};
  for (OpOperand &use : r.getUses())
    if (!g.getMatchingIndexingMap(&use).isIdentity())
      return {};
  return g;
}

/// `v` with dim `pos` of its type replaced by `rows`.
RankedTensorType withRows(Value v, int64_t pos, int64_t rows) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(t.getShape());
  shape[pos] = rows;
  return t.clone(shape);
}

/// An init whose values do not depend on the rows: an empty tensor, a fill
/// of one or a broadcast (bias) into one. The empty tensor it starts from.
tensor::EmptyOp rowFreeInit(Value init, int64_t pos) {
  if (auto e = init.getDefiningOp<tensor::EmptyOp>())
    return e;
  Operation *def = init.getDefiningOp();
  if (!def || !isa<linalg::FillOp, linalg::GenericOp>(def))
    return {};
  auto dps = cast<DestinationStyleOpInterface>(def);
  if (dps.getNumDpsInits() != 1)
    return {};
  if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    if (!initSource(init) || usesIndex(g))
      return {};
    unsigned d =
        cast<AffineDimExpr>(
            g.getMatchingIndexingMap(g.getDpsInitOperand(0)).getResult(pos))
            .getPosition();
    if (g.getMatchingIndexingMap(g.getDpsInputOperand(0)).isFunctionOfDim(d))
      return {};
  }
  return dps.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>();
}

struct Chunker {
  linalg::GenericOp contraction, consumer;
  unsigned rowDim;           // in the contraction's loops
  int64_t contractionOutPos; // where the rows are in its output
  int64_t rows, tailRows;

  void rewrite();

private:
  /// The op on the rows [i, i + size) of `acc` (the last op's init),
  /// computed at `staticRows` rows (padded when `size` is smaller); returns
  /// `acc` with them inserted.
  Value chunk(OpBuilder &b, Location loc, Value acc, Value i, Value size,
              int64_t staticRows, bool pad);
  Value slice(OpBuilder &b, Location loc, Value v, int64_t pos, Value i,
              Value size, int64_t staticRows, bool pad);
  Value init(OpBuilder &b, Location loc, Value init, Value acc, int64_t pos,
             Value i, Value size, int64_t staticRows, bool pad);
};

Value Chunker::slice(OpBuilder &b, Location loc, Value v, int64_t pos, Value i,
                     Value size, int64_t staticRows, bool pad) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0)), sizes,
      strides(t.getRank(), b.getIndexAttr(1));
  for (int64_t d = 0; d < t.getRank(); ++d)
    sizes.push_back(b.getIndexAttr(t.getDimSize(d)));
  offsets[pos] = i;
  sizes[pos] = pad ? OpFoldResult(size) : b.getIndexAttr(staticRows);
  Value s = tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
  if (!pad)
    return s;
  Value zero =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(t.getElementType()));
  return tensor::createPadHighOp(withRows(v, pos, staticRows), s, zero,
                                 /*nofold=*/false, loc, b);
}

Value Chunker::init(OpBuilder &b, Location loc, Value init, Value acc,
                    int64_t pos, Value i, Value size, int64_t staticRows,
                    bool pad) {
  tensor::EmptyOp empty = rowFreeInit(init, pos);
  if (!empty)
    return slice(b, loc, acc, pos, i, size, staticRows, pad);
  RankedTensorType t = withRows(init, pos, staticRows);
  Value fresh =
      tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
  if (init == empty.getResult())
    return fresh;
  Operation *def = init.getDefiningOp();
  IRMapping map;
  map.map(empty.getResult(), fresh);
  SmallVector<Value> operands;
  for (Value o : def->getOperands())
    operands.push_back(map.lookupOrDefault(o));
  return mlir::clone(b, def, {t}, operands)->getResult(0);
}

Value Chunker::chunk(OpBuilder &b, Location loc, Value acc, Value i, Value size,
                     int64_t staticRows, bool pad) {
  auto sliceOperands = [&](linalg::GenericOp op, unsigned d, Value accInit,
                           Value produced, Value replacement) {
    SmallVector<Value> operands;
    for (OpOperand *in : op.getDpsInputOperands()) {
      if (in->get() == produced) {
        operands.push_back(replacement);
        continue;
      }
      int64_t pos = *plainPosition(op.getMatchingIndexingMap(in), d);
      operands.push_back(
          pos < 0 ? in->get()
                  : slice(b, loc, in->get(), pos, i, size, staticRows, pad));
    }
    OpOperand *out = op.getDpsInitOperand(0);
    int64_t pos = *plainPosition(op.getMatchingIndexingMap(out), d);
    operands.push_back(
        init(b, loc, out->get(), accInit, pos, i, size, staticRows, pad));
    return operands;
  };
  auto accOrInit = [&](linalg::GenericOp op) {
    return op == (consumer ? consumer : contraction)
               ? acc
               : op.getDpsInitOperand(0)->get();
  };
  RankedTensorType cType =
      withRows(contraction->getResult(0), contractionOutPos, staticRows);
  Value result =
      mlir::clone(b, contraction, {cType},
                  sliceOperands(contraction, rowDim, accOrInit(contraction),
                                Value(), Value()))
          ->getResult(0);
  int64_t outPos = contractionOutPos;
  if (consumer)
    result = mlir::clone(b, consumer, {cType},
                         sliceOperands(consumer, outPos, acc,
                                       contraction->getResult(0), result))
                 ->getResult(0);
  auto accType = cast<RankedTensorType>(acc.getType());
  SmallVector<OpFoldResult> offsets(accType.getRank(), b.getIndexAttr(0)),
      sizes, strides(accType.getRank(), b.getIndexAttr(1));
  for (int64_t d = 0; d < accType.getRank(); ++d)
    sizes.push_back(b.getIndexAttr(cType.getDimSize(d)));
  if (pad) {
    sizes[outPos] = size;
    result =
        tensor::ExtractSliceOp::create(b, loc, result, offsets, sizes, strides);
  }
  offsets[outPos] = i;
  return tensor::InsertSliceOp::create(b, loc, result, acc, offsets, sizes,
                                       strides);
}

void Chunker::rewrite() {
  linalg::GenericOp last = consumer ? consumer : contraction;
  Location loc = contraction.getLoc();
  OpBuilder b(last);
  Value lastInit = last.getDpsInitOperand(0)->get();
  int64_t outPos = contractionOutPos;
  // The loops carry the last op's init; one made again per chunk starts
  // from its empty tensor, so the whole one is never filled.
  Value carried = lastInit;
  if (tensor::EmptyOp e = rowFreeInit(lastInit, outPos))
    carried = e.getResult();
  Value m = tensor::DimOp::create(b, loc, carried, outPos);
  Value r = arith::ConstantIndexOp::create(b, loc, rows);
  Value t = arith::ConstantIndexOp::create(b, loc, tailRows);
  Value full =
      arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, m, r), r);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto main = scf::ForOp::create(
      b, loc, zero, full, r, ValueRange{carried},
      [&](OpBuilder &nb, Location l, Value i, ValueRange acc) {
        scf::YieldOp::create(
            nb, l, chunk(nb, l, acc[0], i, Value(), rows, /*pad=*/false));
      });
  AffineMap minMap =
      AffineMap::get(1, 1,
                     {b.getAffineConstantExpr(tailRows),
                      b.getAffineSymbolExpr(0) - b.getAffineDimExpr(0)},
                     b.getContext());
  auto tail = scf::ForOp::create(
      b, loc, full, m, t, ValueRange{main.getResult(0)},
      [&](OpBuilder &nb, Location l, Value i, ValueRange acc) {
        Value size =
            affine::AffineMinOp::create(nb, l, minMap, ValueRange{i, m});
        scf::YieldOp::create(
            nb, l, chunk(nb, l, acc[0], i, size, tailRows, /*pad=*/true));
      });
  last->getResult(0).replaceAllUsesWith(tail.getResult(0));
  if (consumer)
    consumer.erase();
  contraction.erase();
}

struct TileDynamicRows : mcc::impl::TileDynamicRowsBase<TileDynamicRows> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Chunker> work;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<unsigned> m = dynamicRowDim(op);
      if (!m)
        return;
      int64_t outPos = *plainPosition(
          op.getMatchingIndexingMap(op.getDpsInitOperand(0)), *m);
      work.push_back(
          {op, elementwiseConsumer(op, outPos), *m, outPos, rows, tailRows});
    });
    for (Chunker &c : work)
      c.rewrite();
  }
};

} // namespace
