//===- Int4MatmulKernels.cpp - mcc.wmatmul as a register-tiled kernel -----===//
//
// f32 activations times constant weights quantized in blocks along K:
//
//   y[m, n] = sum_k a[m, k] * s[k / B, n] * (w[k, n] - z[k / B, n])
//
// A batch-1 (or few-row) matmul reads every weight once per call, so its
// time is the weights' bytes over the memory bandwidth: 32 bits per
// weight as f32. Here they stay 4 bits. With u = w - min(w) in [0, 15]
// and z' = z - min(w), each block's sum splits into
//
//   s * sum_k a[m, k] * u[k, n]  -  s * z' * sum_k a[m, k]
//
// The first term runs on the packed nibbles; the block's activation sums
// ([M, blocks], computed once per call) carry the second, with the
// constants s and -s * z' packed per (block, column).
//
// Packing (compile time): panels [N / W][K' / 8][W] of 32-bit words, W =
// vectors x lanes columns per tile; word (t, s, j) holds u[8s + i, tW + j]
// in bits 4i..4i+3. A step loads `vectors` words per lane and unpacks
// them in registers: (word >> 4i) & 15 converted to f32 gives the weights
// of row 8s + i, multiplied into the tile's accumulators with a broadcast
// activation. Per block the accumulators are scaled into the tile's
// totals. Accumulators are split into `chains` by i so that the FMAs do
// not wait on each other's latency when a tile has one row.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ColumnTiles.h"
#include "passes/common/ConstantData.h"
#include "passes/common/WMatMulConstants.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_INT4MATMULKERNELS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using mcc::WMatMulOp;

namespace {

using utils::IteratorType;

/// The op's constants, read: u = w - min(w) as [K][N], the scale and
/// zero point (minus min(w)) as [blocks][N].
struct Quantized {
  int64_t k = 0, n = 0, block = 0, blocks = 0;
  SmallVector<uint8_t> u;
  SmallVector<float> scale, zero;
};

std::optional<Quantized> readQuantized(WMatMulOp op) {
  std::optional<mcc::WMatMulConstants> c = mcc::readWMatMulConstants(op);
  if (!c)
    return std::nullopt;
  auto [lo, hi] = std::minmax_element(c->weights.begin(), c->weights.end());
  int32_t min = *lo;
  if (*hi - min > 15)
    return std::nullopt;
  Quantized q;
  q.k = c->k;
  q.n = c->n;
  q.block = c->block;
  q.blocks = c->blocks;
  for (int32_t v : c->weights)
    q.u.push_back(uint8_t(v - min));
  q.scale = std::move(c->scales);
  for (int32_t v : c->zeroPoints)
    q.zero.push_back(float(v - min));
  return q;
}

/// How a kernel is shaped for the target and the rows.
struct TileShape {
  int64_t lanes, rows, vectors, chains;
};

TileShape tileShape(int64_t lanes, int64_t m) {
  // Registers: rows x vectors x chains accumulators, rows x vectors totals,
  // the words, the unpacked weights and the broadcast activations (16 with
  // AVX2, 32 with AVX-512).
  int64_t most = lanes >= 16 ? 4 : 2;
  int64_t rows = ShapedType::isDynamic(m) ? most : std::min(m, most);
  if (rows <= 1)
    return {lanes, 1, lanes >= 16 ? 4 : 2, 2};
  return {lanes, rows, 2, 1};
}

class KernelEmitter {
public:
  KernelEmitter(WMatMulOp op, int64_t lanes) : op(op), lanes(lanes) {}

  /// Replaces the op with the kernel, or fails (nothing changed).
  LogicalResult emit(RewriterBase &rewriter);

private:
  /// The block sums of `a` ([M, K'] f32) as [M, blocks].
  Value blockSums(OpBuilder &b, Location loc, Value a, int64_t blocks,
                  int64_t blockK);

  WMatMulOp op;
  int64_t lanes;
};

Value KernelEmitter::blockSums(OpBuilder &b, Location loc, Value a,
                               int64_t blocks, int64_t blockK) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto at = cast<RankedTensorType>(a.getType());
  Value x = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({at.getDimSize(0), blocks, blockK}, f32), a,
      SmallVector<ReassociationIndices>{{0}, {1, 2}});
  AffineExpr m = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(3, ctx),
                                 AffineMap::get(3, 0, {m, j}, ctx)};
  SmallVector<OpFoldResult> dims = {tensor::getMixedSize(b, loc, a, 0),
                                    b.getIndexAttr(blocks)};
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
  Value empty = tensor::EmptyOp::create(b, loc, dims, f32);
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  auto g = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{x}, init, maps,
      {IteratorType::parallel, IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(
            nb, l, Value(arith::AddFOp::create(nb, l, args[1], args[0])));
      });
  return g.getResult(0);
}

LogicalResult KernelEmitter::emit(RewriterBase &rewriter) {
  std::optional<Quantized> q = readQuantized(op);
  if (!q)
    return failure();
  // Steps of 8 rows of K: blocks must be whole steps (or one block).
  if (q->blocks > 1 && q->block % 8 != 0)
    return failure();
  int64_t k = q->k, n = q->n, blocks = q->blocks;
  int64_t blockK = blocks > 1 ? q->block : llvm::alignTo(k, 8);
  int64_t kp = blocks * blockK, steps = kp / 8, stepsPerBlock = blockK / 8;
  auto rt = cast<RankedTensorType>(op.getType());
  int64_t m = 1;
  for (int64_t d : rt.getShape().drop_back())
    m = ShapedType::isDynamic(d) || ShapedType::isDynamic(m)
            ? ShapedType::kDynamic
            : m * d;
  TileShape shape = tileShape(lanes, m);
  int64_t width = shape.vectors * lanes;
  int64_t tiles = llvm::divideCeil(n, width);

  // Panels [tiles][steps][width] of eight nibbles per word; parameters
  // [tiles][blocks][2][width]: the scale and -scale * zero point.
  SmallVector<int32_t> panels(tiles * steps * width, 0);
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c) {
      int64_t t = c / width, j = c % width, s = r / 8;
      panels[(t * steps + s) * width + j] |=
          int32_t(uint32_t(q->u[r * n + c]) << (4 * (r % 8)));
    }
  SmallVector<float> params(tiles * blocks * 2 * width, 0.0f);
  bool zeroPoints = false;
  for (int64_t bl = 0; bl < blocks; ++bl)
    for (int64_t c = 0; c < n; ++c) {
      int64_t t = c / width, j = c % width;
      float s = q->scale[bl * n + c], z = q->zero[bl * n + c];
      params[((t * blocks + bl) * 2 + 0) * width + j] = s;
      params[((t * blocks + bl) * 2 + 1) * width + j] = -s * z;
      zeroPoints |= z != 0.0f;
    }

  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  auto wordT = VectorType::get({lanes}, i32);
  auto vecT = VectorType::get({lanes}, f32);
  Value panelsV, paramsV, acts, sums;
  mcc::ColumnTiledKernel kernel;
  kernel.op = op;
  kernel.init = op.getInit();
  kernel.n = n;
  kernel.lanes = lanes;
  kernel.vectors = shape.vectors;
  kernel.rows = shape.rows;
  kernel.prologue = [&](OpBuilder &b, Location loc) {
    auto pt = RankedTensorType::get({tiles, steps, width}, i32);
    panelsV = arith::ConstantOp::create(
        b, loc, pt,
        cast<TypedAttr>(mcc::makeResourceAttr(
            pt,
            ArrayRef<char>(reinterpret_cast<const char *>(panels.data()),
                           panels.size() * sizeof(int32_t)),
            alignof(int32_t), "mcc_int4_panels")));
    auto qt = RankedTensorType::get({tiles, blocks, 2, width}, f32);
    paramsV = arith::ConstantOp::create(
        b, loc, qt,
        cast<TypedAttr>(mcc::makeResourceAttr(qt, params, "mcc_int4_scales")));
    acts = mcc::toMatrix(b, loc, op.getA());
    if (kp != k) {
      // Zero activations past K: the padded weights are 0 too.
      SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> hi = {b.getIndexAttr(0),
                                      b.getIndexAttr(kp - k)};
      auto at = cast<RankedTensorType>(acts.getType());
      Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
      acts = tensor::PadOp::create(
          b, loc, RankedTensorType::get({at.getDimSize(0), kp}, f32), acts, lo,
          hi, zero);
    }
    if (zeroPoints)
      sums = blockSums(b, loc, acts, blocks, blockK);
  };
  kernel.tileBody = [&](OpBuilder &b, Location loc, Value tile, Value n0,
                        ArrayRef<Value> rowOf) {
    int64_t rows = shape.rows, vectors = shape.vectors, chains = shape.chains;
    Value zeroVec = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecT, b.getF32FloatAttr(0)));
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    Value wordPad = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value fPad = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
    SmallVector<Value> totals(rows * vectors, zeroVec);
    auto blockLoop = scf::ForOp::create(
        b, loc, c0, arith::ConstantIndexOp::create(b, loc, blocks), c1, totals,
        [&](OpBuilder &bb, Location l, Value bl, ValueRange tot) {
          Value first = affine::makeComposedAffineApply(
              bb, l,
              AffineMap::get(1, 0, bb.getAffineDimExpr(0) * stepsPerBlock),
              {bl});
          Value last = affine::makeComposedAffineApply(
              bb, l,
              AffineMap::get(1, 0,
                             (bb.getAffineDimExpr(0) + 1) * stepsPerBlock),
              {bl});
          SmallVector<Value> zeros(rows * vectors * chains, zeroVec);
          auto stepLoop = scf::ForOp::create(
              bb, l, first, last, c1, zeros,
              [&](OpBuilder &nb, Location sl, Value s, ValueRange accs) {
                SmallVector<Value> next(accs);
                SmallVector<Value> words;
                for (int64_t v = 0; v < vectors; ++v)
                  words.push_back(vector::TransferReadOp::create(
                      nb, sl, wordT, panelsV,
                      ValueRange{
                          tile, s,
                          arith::ConstantIndexOp::create(nb, sl, v * lanes)},
                      wordPad, ArrayRef<bool>{true}));
                Value mask = arith::ConstantOp::create(
                    nb, sl,
                    DenseElementsAttr::get(wordT, nb.getI32IntegerAttr(15)));
                for (int64_t i = 0; i < 8; ++i) {
                  SmallVector<Value> wf;
                  for (int64_t v = 0; v < vectors; ++v) {
                    Value x = words[v];
                    if (i > 0)
                      x = arith::ShRUIOp::create(
                          nb, sl, x,
                          arith::ConstantOp::create(
                              nb, sl,
                              DenseElementsAttr::get(
                                  wordT, nb.getI32IntegerAttr(4 * i))));
                    if (i < 7)
                      x = arith::AndIOp::create(nb, sl, x, mask);
                    wf.push_back(arith::SIToFPOp::create(nb, sl, vecT, x));
                  }
                  Value col = affine::makeComposedAffineApply(
                      nb, sl,
                      AffineMap::get(1, 0, nb.getAffineDimExpr(0) * 8 + i),
                      {s});
                  for (int64_t r = 0; r < rows; ++r) {
                    Value a = vector::BroadcastOp::create(
                        nb, sl, vecT,
                        tensor::ExtractOp::create(nb, sl, acts,
                                                  ValueRange{rowOf[r], col}));
                    for (int64_t v = 0; v < vectors; ++v) {
                      Value &acc =
                          next[(r * vectors + v) * chains + i % chains];
                      acc = vector::FMAOp::create(nb, sl, a, wf[v], acc);
                    }
                  }
                }
                scf::YieldOp::create(nb, sl, next);
              });
          SmallVector<Value> out(tot);
          for (int64_t v = 0; v < vectors; ++v) {
            Value colV = arith::ConstantIndexOp::create(bb, l, v * lanes);
            Value scale = vector::TransferReadOp::create(
                bb, l, vecT, paramsV, ValueRange{tile, bl, c0, colV}, fPad,
                ArrayRef<bool>{true});
            Value offset = vector::TransferReadOp::create(
                bb, l, vecT, paramsV, ValueRange{tile, bl, c1, colV}, fPad,
                ArrayRef<bool>{true});
            for (int64_t r = 0; r < rows; ++r) {
              int64_t at = (r * vectors + v) * chains;
              Value sum = stepLoop.getResult(at);
              for (int64_t c = 1; c < chains; ++c)
                sum = arith::AddFOp::create(bb, l, sum,
                                            stepLoop.getResult(at + c));
              Value &t = out[r * vectors + v];
              t = vector::FMAOp::create(bb, l, sum, scale, t);
              if (zeroPoints) {
                Value as = vector::BroadcastOp::create(
                    bb, l, vecT,
                    tensor::ExtractOp::create(bb, l, sums,
                                              ValueRange{rowOf[r], bl}));
                t = vector::FMAOp::create(bb, l, as, offset, t);
              }
            }
          }
          scf::YieldOp::create(bb, l, out);
        });
    (void)n0;
    return SmallVector<Value>(blockLoop.getResults());
  };
  mcc::emitColumnTiledKernel(rewriter, kernel);
  return success();
}

struct Int4MatmulKernels : mcc::impl::Int4MatmulKernelsBase<Int4MatmulKernels> {
  using Base::Base;
  void runOnOperation() override {
    if (vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16) {
      getOperation().emitError("int4-matmul-kernels: vector-width must be 4, "
                               "8 or 16");
      return signalPassFailure();
    }
    SmallVector<WMatMulOp> ops;
    getOperation().walk([&](WMatMulOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (WMatMulOp op : ops)
      (void)KernelEmitter(op, vectorWidth).emit(rewriter);
  }
};

} // namespace
