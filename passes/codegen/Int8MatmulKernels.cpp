//===- Int8MatmulKernels.cpp - mcc.qmatmul as a register-tiled kernel -----===//
//
// An 8-bit matmul with constant weights, C = (A - za) (B - zb), in i32:
//
// - The weights minus their zero points (per tensor or per column) fit
//   16 bits. They are packed at compile time as pairs along K, one i32
//   holding (B[2p][n], B[2p+1][n]), into panels [N / W][K / 2][W] of W =
//   two vectors of lanes, zero-padded: each reduction step reads two
//   contiguous vectors of pairs.
// - The activations minus their zero point are packed once per call the
//   same way, [M][K / 2] i32 (the zero point may be a run-time value, as
//   DynamicQuantizeLinear makes it).
// - A register tile of `rows` rows × W columns keeps 2 × rows i32
//   accumulators for the whole reduction. Per step and row one pair of A
//   is broadcast and multiplied into both B vectors by `vpmaddwd` (16-bit
//   products, each pair summed into 32 bits), then added; VNNI's
//   `vpdpwssd` does both in one instruction. Exact: |a - za| and
//   |b - zb| are at most 255, so a pair sums to at most 130050, where
//   `vpmaddubsw` (u8 × s8 pairs summed in 16 bits) would saturate.
// - Tiles run over (column tiles, row blocks): a panel stays in cache
//   while every row block passes over it. The last row block stores only
//   its rows, the last column tile only its columns (masked).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_INT8MATMULKERNELS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using mcc::DotPairsOp;
using mcc::QMatMulOp;

namespace {

using utils::IteratorType;

/// What the target offers: i32 lanes per vector, and whether `vpdpwssd`
/// (multiply pairs and accumulate) exists at that width.
struct Isa {
  int64_t lanes = 0;
  bool vnni = false;
};

std::optional<Isa> parseIsa(StringRef s) {
  if (s == "avx2")
    return Isa{8, false};
  if (s == "avx-vnni")
    return Isa{8, true};
  if (s == "avx512")
    return Isa{16, false};
  if (s == "avx512-vnni")
    return Isa{16, true};
  return std::nullopt;
}

/// The weights of `op` minus their zero points, packed as described
/// above, or nullopt when B or its zero point is not a constant.
std::optional<SmallVector<int32_t>> packWeights(QMatMulOp op, int64_t width) {
  ElementsAttr bAttr = mcc::constantElements(op.getB());
  ElementsAttr zAttr = mcc::constantElements(op.getBZeroPoint());
  if (!bAttr || !zAttr)
    return std::nullopt;
  auto b = mcc::elementsToBytes(bAttr), z = mcc::elementsToBytes(zAttr);
  if (!b || !z)
    return std::nullopt;
  auto bt = op.getB().getType();
  int64_t k = bt.getDimSize(0), n = bt.getDimSize(1);
  int64_t kp = (k + 1) / 2, tiles = llvm::divideCeil(n, width);
  bool u = op.getBUnsigned();
  auto value = [&](int8_t v) -> int32_t {
    return u ? int32_t(uint8_t(v)) : int32_t(v);
  };
  SmallVector<int32_t> packed(tiles * kp * width, 0);
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t p = 0; p < kp; ++p)
      for (int64_t j = 0; j < width; ++j) {
        int64_t col = t * width + j;
        if (col >= n)
          continue;
        int32_t zp = value((*z)[z->size() == 1 ? 0 : col]);
        uint32_t lo = uint32_t(value((*b)[2 * p * n + col]) - zp) & 0xffff;
        uint32_t hi = 2 * p + 1 < k
                          ? uint32_t(value((*b)[(2 * p + 1) * n + col]) - zp)
                          : 0;
        packed[(t * kp + p) * width + j] = int32_t(lo | (hi << 16));
      }
  return packed;
}

/// `a` ([M, K], 8-bit) minus `zp` as pairs along K: [M, ceil(K / 2)] i32,
/// the low half from the even column. An odd K gets a last column equal
/// to the zero point (0 once subtracted).
Value packActivations(OpBuilder &b, Location loc, Value a, Value zp,
                      bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  auto at = cast<RankedTensorType>(a.getType());
  int64_t k = at.getDimSize(1), kp = (k + 1) / 2;
  auto zt = cast<RankedTensorType>(zp.getType());
  SmallVector<AffineExpr> zeros(zt.getRank(), getAffineConstantExpr(0, ctx));
  if (k % 2) {
    SmallVector<Value> origin(zt.getRank(),
                              arith::ConstantIndexOp::create(b, loc, 0));
    Value pad = tensor::ExtractOp::create(b, loc, zp, origin);
    SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> hi = {b.getIndexAttr(0), b.getIndexAttr(1)};
    a = tensor::PadOp::create(
        b, loc,
        RankedTensorType::get({at.getDimSize(0), k + 1}, at.getElementType()),
        a, lo, hi, pad);
  }
  AffineExpr m = getAffineDimExpr(0, ctx), p = getAffineDimExpr(1, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {m, p * 2}, ctx),
                                 AffineMap::get(2, 0, {m, p * 2 + 1}, ctx),
                                 AffineMap::get(2, 0, zeros, ctx),
                                 AffineMap::getMultiDimIdentityMap(2, ctx)};
  Type i32 = b.getI32Type();
  SmallVector<OpFoldResult> dims = {tensor::getMixedSize(b, loc, a, 0),
                                    b.getIndexAttr(kp)};
  Value init = tensor::EmptyOp::create(b, loc, dims, i32);
  auto widen = [&](OpBuilder &nb, Location l, Value v) -> Value {
    return isUnsigned ? (Value)arith::ExtUIOp::create(nb, l, i32, v)
                      : (Value)arith::ExtSIOp::create(nb, l, i32, v);
  };
  auto g = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{a, a, zp}, init, maps,
      SmallVector<IteratorType>(2, IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value z = widen(nb, l, args[2]);
        Value lo = arith::SubIOp::create(nb, l, widen(nb, l, args[0]), z);
        Value hi = arith::SubIOp::create(nb, l, widen(nb, l, args[1]), z);
        lo = arith::AndIOp::create(
            nb, l, lo, arith::ConstantIntOp::create(nb, l, i32, 0xffff));
        hi = arith::ShLIOp::create(
            nb, l, hi, arith::ConstantIntOp::create(nb, l, i32, 16));
        linalg::YieldOp::create(nb, l,
                                Value(arith::OrIOp::create(nb, l, lo, hi)));
      });
  return g.getResult(0);
}

/// `v` collapsed to a matrix (all leading dims into the rows).
Value toMatrix(OpBuilder &b, Location loc, Value v) {
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

class KernelEmitter {
public:
  KernelEmitter(QMatMulOp op, Isa isa, int64_t rows)
      : op(op), isa(isa), rows(rows) {}

  /// Replaces the op with the kernel, or fails (nothing changed) when
  /// its weights are not constants.
  LogicalResult emit(RewriterBase &rewriter);

private:
  /// acc + the pairwise products of `a` and `b` (vectors of 16-bit pairs).
  Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value a, Value w);

  QMatMulOp op;
  Isa isa;
  int64_t rows;
};

Value KernelEmitter::multiplyAdd(OpBuilder &b, Location loc, Value acc, Value a,
                                 Value w) {
  auto d = DotPairsOp::create(b, loc, acc, a, w);
  if (isa.vnni)
    d.setVnni(true);
  return d;
}

LogicalResult KernelEmitter::emit(RewriterBase &rewriter) {
  int64_t lanes = isa.lanes, width = 2 * lanes;
  std::optional<SmallVector<int32_t>> packed = packWeights(op, width);
  if (!packed)
    return failure();
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  OpBuilder &b = rewriter;
  rewriter.setInsertionPoint(op);
  auto bt = op.getB().getType();
  int64_t k = bt.getDimSize(0), n = bt.getDimSize(1), kp = (k + 1) / 2;
  int64_t tiles = llvm::divideCeil(n, width);
  Type i32 = b.getI32Type(), i16 = b.getI16Type();
  auto packedType = RankedTensorType::get({tiles, kp, width}, i32);
  ArrayRef<char> bytes(reinterpret_cast<const char *>(packed->data()),
                       packed->size() * sizeof(int32_t));
  Value weights = arith::ConstantOp::create(
      b, loc, packedType,
      cast<TypedAttr>(mcc::makeResourceAttr(packedType, bytes, alignof(int32_t),
                                            "mcc_int8_panels")));

  Value a = packActivations(b, loc, toMatrix(b, loc, op.getA()),
                            op.getAZeroPoint(), op.getAUnsigned());
  Value out = toMatrix(b, loc, op.getInit());
  Value m = tensor::DimOp::create(b, loc, out, 0);
  AffineExpr s0 = b.getAffineSymbolExpr(0), d0 = b.getAffineDimExpr(0);
  OpFoldResult blocks = affine::makeComposedFoldedAffineApply(
      b, loc, AffineMap::get(0, 1, s0.ceilDiv(rows)), {OpFoldResult(m)});
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
    Value m0 = affine::makeComposedAffineApply(
        b, loc, AffineMap::get(1, 0, d0 * rows), {block});
    // Rows and columns this tile has.
    Value rowsHere = affine::AffineMinOp::create(
        b, loc,
        AffineMap::get(1, 1, {getAffineConstantExpr(rows, ctx), s0 - d0}, ctx),
        ValueRange{m0, m});
    Value colsHere = affine::AffineMinOp::create(
        b, loc,
        AffineMap::get(1, 0, {getAffineConstantExpr(width, ctx), n - d0}, ctx),
        ValueRange{n0});
    // Row i of the block, clamped to the last row (a short last block
    // computes copies of it and does not store them).
    SmallVector<Value> rowOf;
    for (int64_t i = 0; i < rows; ++i)
      rowOf.push_back(affine::AffineMinOp::create(
          b, loc, AffineMap::get(1, 1, {d0 + i, s0 - 1}, ctx),
          ValueRange{m0, m}));

    auto accT = VectorType::get({lanes}, i32);
    auto pairT = VectorType::get({2 * lanes}, i16);
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accT, b.getI32IntegerAttr(0)));
    SmallVector<Value> inits(2 * rows, zeroAcc);
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value cLanes = arith::ConstantIndexOp::create(b, loc, lanes);
    auto steps = scf::ForOp::create(
        b, loc, c0, arith::ConstantIndexOp::create(b, loc, kp),
        arith::ConstantIndexOp::create(b, loc, 1), inits,
        [&](OpBuilder &nb, Location l, Value p, ValueRange accs) {
          Value pad = arith::ConstantIntOp::create(nb, l, i32, 0);
          Value w[2];
          for (int j = 0; j < 2; ++j) {
            Value v = vector::TransferReadOp::create(
                nb, l, accT, weights, ValueRange{tile, p, j ? cLanes : c0}, pad,
                ArrayRef<bool>{true});
            w[j] = vector::BitCastOp::create(nb, l, pairT, v);
          }
          SmallVector<Value> next;
          for (int64_t i = 0; i < rows; ++i) {
            Value s =
                tensor::ExtractOp::create(nb, l, a, ValueRange{rowOf[i], p});
            Value v = vector::BitCastOp::create(
                nb, l, pairT, vector::BroadcastOp::create(nb, l, accT, s));
            for (int j = 0; j < 2; ++j)
              next.push_back(multiplyAdd(nb, l, accs[2 * i + j], v, w[j]));
          }
          scf::YieldOp::create(nb, l, next);
        });

    // Store the rows this block has, each as two (masked) vectors.
    Value shared = loop.getRegionIterArgs()[0];
    SmallVector<OpFoldResult> offsets = {m0, n0}, sizes = {rowsHere, colsHere},
                              strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value t =
        tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);
    for (int64_t i = 0; i < rows; ++i) {
      Value ri = arith::ConstantIndexOp::create(b, loc, i);
      auto store = [&](OpBuilder &sb, Location l, Value into) {
        for (int j = 0; j < 2; ++j)
          into = vector::TransferWriteOp::create(
                     sb, l, steps.getResult(2 * i + j), into,
                     ValueRange{ri, j ? cLanes : c0}, ArrayRef<bool>{false})
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
  auto rt = cast<RankedTensorType>(op.getType());
  if (rt.getRank() != 2) {
    ReassociationIndices lead;
    for (int64_t d = 0; d < rt.getRank() - 1; ++d)
      lead.push_back(d);
    result = tensor::ExpandShapeOp::create(
        b, loc, rt, result,
        SmallVector<ReassociationIndices>{lead, {rt.getRank() - 1}},
        tensor::getMixedSizes(b, loc, op.getInit()));
  }
  rewriter.replaceOp(op, result);
  return success();
}

struct Int8MatmulKernels : mcc::impl::Int8MatmulKernelsBase<Int8MatmulKernels> {
  using Base::Base;
  void runOnOperation() override {
    std::optional<Isa> target = parseIsa(isa);
    if (!target) {
      if (isa != "none") {
        getOperation().emitError("int8-matmul-kernels: unknown isa '")
            << isa << "'";
        return signalPassFailure();
      }
      return;
    }
    if (rows < 1 || rows > 16) {
      getOperation().emitError("int8-matmul-kernels: rows must be 1 to 16");
      return signalPassFailure();
    }
    SmallVector<QMatMulOp> ops;
    getOperation().walk([&](QMatMulOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (QMatMulOp op : ops)
      (void)KernelEmitter(op, *target, rows).emit(rewriter);
  }
};

} // namespace
