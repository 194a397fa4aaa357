//===- Int8WMatMulKernel.cpp - mcc.wmatmul on VNNI, 8-bit activations -----===//
//
// An mcc.wmatmul with `int8_activations` (MatMulNBits at accuracy_level
// 4) over many rows is bound by its multiply-adds, not by its weights'
// bytes: run them as `vpdpbusd`, four byte products per i32 lane.
//
// Each activation row is quantized once per call to unsigned bytes,
// asymmetric over the row's range (which includes 0):
//
//   a[m, k] ~ sa[m] * (q[m, k] - za[m]),  q in [0, 255]
//
// and each weight minus its block's zero point, w'[k, n] = w - z, is a
// signed byte (4-bit weights always are). Per block b of K, with the
// block's column sums cs[b, n] = sum_k w'[k, n]:
//
//   sum_{k in b} a * s[b, n] * w' = sa * s[b, n] * (sum q * w' - za * cs)
//
// so the kernel accumulates T[m, n] = sum_b s[b, n] * float(sum q * w')
// (integer sums within a block, scaled into f32 totals at its end) and
// finishes with y = sa * T - sa * za * C[n], C[n] = sum_b s[b, n] * cs[b, n]
// computed at compile time. Weights are packed into panels of K-quads as
// for mcc.qmatmul; a tile keeps rows x vectors i32 accumulators (4 x 3
// with AVX-512) and as many f32 totals.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/Int8MatmulKernels.h"
#include "passes/common/ColumnTiles.h"
#include "passes/common/ConstantData.h"
#include "passes/common/WMatMulConstants.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cfloat>
#include <climits>
#include <cstdlib>

using namespace mlir;
using mcc::WMatMulOp;
using mcc::int8::Isa;

namespace {

/// The op's weights minus their zero points, zero-padded to whole blocks
/// of whole quads, and its scales; nullopt when they are not constants, a
/// weight does not fit a signed byte, or a block's integer sum could
/// overflow 32 bits (255 x the largest |weight| x the block's length).
struct Blocked {
  int64_t k = 0, n = 0, blocks = 0, blockK = 0;
  mcc::int8::Weights weights; ///< [blocks * blockK][n]
  SmallVector<float> scale;   ///< [blocks][n]
};

std::optional<Blocked> readBlocked(WMatMulOp op) {
  std::optional<mcc::WMatMulConstants> c = mcc::readWMatMulConstants(op);
  // A reduction step reads a quad of K: blocks must hold whole quads.
  if (!c || (c->blocks > 1 && c->block % 4 != 0))
    return std::nullopt;
  Blocked q;
  q.k = c->k;
  q.n = c->n;
  q.blocks = c->blocks;
  q.blockK = q.blocks > 1 ? c->block : llvm::alignTo(q.k, 4);
  q.weights.k = q.blocks * q.blockK;
  q.weights.n = q.n;
  q.weights.values.assign(q.weights.k * q.n, 0);
  for (int64_t r = 0; r < q.k; ++r)
    for (int64_t col = 0; col < q.n; ++col) {
      int32_t v =
          c->weights[r * q.n + col] - c->zeroPoints[(r / c->block) * q.n + col];
      if (v < -128 || v > 127)
        return std::nullopt;
      q.weights.values[r * q.n + col] = v;
    }
  int64_t largest = 0;
  for (int32_t v : q.weights.values)
    largest = std::max<int64_t>(largest, std::abs(v));
  if (255 * largest * q.blockK > INT32_MAX)
    return std::nullopt;
  q.scale = std::move(c->scales);
  return q;
}

/// Per-row quantization of `a` ([M, K] f32): the bytes [M, kp] (the
/// columns past K hold the zero point), and per row the scale and the
/// zero point (as f32), [M] each.
struct RowQuantized {
  Value bytes, scale, zeroPoint;
};

/// One scf.forall over the rows; per row, vectors of `lanes`: the range
/// (0 included, so the reads' zero padding past K changes nothing), then
/// scale = max(range / 255, FLT_MIN) (an all-zero row gets a finite
/// reciprocal), zero point = round(-lo / scale) in [0, 255], and the bytes
/// q = clamp(round(x / scale) + zero point, 0, 255).
RowQuantized quantizeRows(OpBuilder &b, Location loc, Value a, int64_t kp,
                          int64_t lanes) {
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  auto vecT = VectorType::get({lanes}, f32);
  OpFoldResult m = tensor::getMixedSize(b, loc, a, 0);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  Value outs[3] = {
      tensor::EmptyOp::create(
          b, loc, ArrayRef<OpFoldResult>{m, b.getIndexAttr(kp)}, i8),
      tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{m}, f32),
      tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{m}, f32)};
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{m},
                                      ValueRange(outs), std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value row = forall.getInductionVars()[0];
  auto cf = [&](OpBuilder &nb, Location l, float v) -> Value {
    return arith::ConstantOp::create(nb, l, f32, nb.getF32FloatAttr(v));
  };
  auto splat = [&](OpBuilder &nb, Location l, float v) -> Value {
    return arith::ConstantOp::create(
        nb, l, DenseElementsAttr::get(vecT, nb.getF32FloatAttr(v)));
  };
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value step = arith::ConstantIndexOp::create(b, loc, lanes);
  Value fZero = cf(b, loc, 0.0f);
  // Reads up to `end` (k or kp) columns: masked where a vector may pass
  // the row's k.
  auto read = [&](OpBuilder &nb, Location l, Value col, int64_t end) -> Value {
    bool inBounds = k % lanes == 0 && end <= k;
    return vector::TransferReadOp::create(nb, l, vecT, a, ValueRange{row, col},
                                          fZero, ArrayRef<bool>{inBounds});
  };
  auto nsz = arith::FastMathFlags::nsz;
  Value zeros = splat(b, loc, 0.0f);
  auto range = scf::ForOp::create(
      b, loc, c0, arith::ConstantIndexOp::create(b, loc, k), step,
      ValueRange{zeros, zeros},
      [&](OpBuilder &nb, Location l, Value col, ValueRange lh) {
        Value v = read(nb, l, col, k);
        scf::YieldOp::create(
            nb, l,
            ValueRange{arith::MinimumFOp::create(nb, l, lh[0], v, nsz),
                       arith::MaximumFOp::create(nb, l, lh[1], v, nsz)});
      });
  Value lo = vector::ReductionOp::create(
      b, loc, vector::CombiningKind::MINIMUMF, range.getResult(0));
  Value hi = vector::ReductionOp::create(
      b, loc, vector::CombiningKind::MAXIMUMF, range.getResult(1));
  Value scale = arith::MaximumFOp::create(
      b, loc,
      arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, hi, lo),
                            cf(b, loc, 255.0f)),
      cf(b, loc, FLT_MIN));
  Value inv = arith::DivFOp::create(b, loc, cf(b, loc, 1.0f), scale);
  Value zp = math::RoundEvenOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, arith::NegFOp::create(b, loc, lo), inv));
  zp = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, zp, fZero), cf(b, loc, 255.0f));
  // The row's bytes, written into its slice of the shared output.
  SmallVector<Value> shared(forall.getRegionIterArgs());
  SmallVector<OpFoldResult> offsets = {row, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(kp)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  auto rowT = RankedTensorType::get({kp}, i8);
  Value slice = tensor::ExtractSliceOp::create(b, loc, rowT, shared[0], offsets,
                                               sizes, strides);
  Value invV = vector::BroadcastOp::create(b, loc, vecT, inv);
  Value zpV = vector::BroadcastOp::create(b, loc, vecT, zp);
  auto quantize = scf::ForOp::create(
      b, loc, c0, arith::ConstantIndexOp::create(b, loc, kp), step,
      ValueRange{slice},
      [&](OpBuilder &nb, Location l, Value col, ValueRange r) {
        Value q = math::RoundEvenOp::create(
            nb, l, arith::MulFOp::create(nb, l, read(nb, l, col, kp), invV));
        q = arith::AddFOp::create(nb, l, q, zpV);
        q = arith::MinimumFOp::create(
            nb, l, arith::MaximumFOp::create(nb, l, q, splat(nb, l, 0.0f)),
            splat(nb, l, 255.0f));
        Value bytes =
            arith::FPToUIOp::create(nb, l, VectorType::get({lanes}, i8), q);
        scf::YieldOp::create(
            nb, l,
            vector::TransferWriteOp::create(nb, l, bytes, r[0], ValueRange{col},
                                            ArrayRef<bool>{kp % lanes == 0})
                .getResult());
      });
  auto single = [&](Value v) -> Value {
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({1}, f32), ValueRange{v});
  };
  Value perRow[2] = {single(scale), single(zp)};
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, quantize.getResult(0),
                                        shared[0], offsets, sizes, strides);
  for (auto [i, one] : llvm::enumerate(perRow)) {
    tensor::ParallelInsertSliceOp::create(
        b, loc, one, shared[1 + i], ArrayRef<OpFoldResult>{row},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }
  return {forall.getResult(0), forall.getResult(1), forall.getResult(2)};
}

} // namespace

LogicalResult mcc::int8::emitWMatMulKernel(RewriterBase &rewriter, WMatMulOp op,
                                           Isa isa, int64_t rows) {
  auto at = op.getA().getType();
  if (!isa.vnni || !op.getInt8Activations() ||
      at.isDynamicDim(at.getRank() - 1))
    return failure();
  std::optional<Blocked> q = readBlocked(op);
  if (!q)
    return failure();
  // Registers: rows x vectors accumulators and as many totals, a vector
  // of weights each, the block's scales and a broadcast activation (32
  // with AVX-512, 16 with AVX-VNNI).
  int64_t lanes = isa.lanes;
  int64_t vectors = lanes >= 16 ? 3 : 2;
  rows = std::min<int64_t>(rows, lanes >= 16 ? 4 : 3);
  int64_t width = vectors * lanes, n = q->n;
  int64_t blocks = q->blocks, kp = q->weights.k;
  int64_t stepsPerBlock = q->blockK / 4, steps = kp / 4;
  int64_t tiles = llvm::divideCeil(n, width);

  SmallVector<int32_t> panels = packPanels(q->weights, width, 4);
  // Scales [tiles][blocks][width]; C per column (see the file comment).
  SmallVector<float> scales(tiles * blocks * width, 0.0f);
  SmallVector<float> corr(tiles * width, 0.0f);
  for (int64_t c = 0; c < n; ++c) {
    int64_t t = c / width, j = c % width;
    double total = 0;
    for (int64_t bl = 0; bl < blocks; ++bl) {
      float s = q->scale[bl * n + c];
      scales[(t * blocks + bl) * width + j] = s;
      int64_t sum = 0;
      for (int64_t r = bl * q->blockK; r < (bl + 1) * q->blockK; ++r)
        sum += q->weights.values[r * n + c];
      total += double(s) * double(sum);
    }
    corr[c] = float(total);
  }

  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  auto accT = VectorType::get({lanes}, i32);
  auto vecT = VectorType::get({lanes}, f32);
  Value panelsV, scalesV, corrV;
  RowQuantized acts;
  mcc::ColumnTiledKernel kernel;
  kernel.op = op;
  kernel.init = op.getInit();
  kernel.n = n;
  kernel.lanes = lanes;
  kernel.vectors = vectors;
  kernel.rows = rows;
  kernel.prologue = [&](OpBuilder &b, Location loc) {
    panelsV = int32Constant(b, loc, {tiles, steps, width}, panels,
                            "mcc_int8w_panels");
    auto st = RankedTensorType::get({tiles, blocks, width}, f32);
    scalesV = arith::ConstantOp::create(
        b, loc, st,
        cast<TypedAttr>(mcc::makeResourceAttr(st, scales, "mcc_int8w_scales")));
    auto ct = RankedTensorType::get({tiles * width}, f32);
    corrV = arith::ConstantOp::create(
        b, loc, ct,
        cast<TypedAttr>(mcc::makeResourceAttr(ct, corr, "mcc_int8w_colsums")));
    // The padding's weights are 0: its bytes do not matter.
    acts = quantizeRows(b, loc, mcc::toMatrix(b, loc, op.getA()), kp, lanes);
  };
  kernel.tileBody = [&](OpBuilder &b, Location loc, Value tile, Value n0,
                        ArrayRef<Value> rowOf) {
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    Value pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value fPad = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accT, b.getI32IntegerAttr(0)));
    Value zeroVec = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecT, b.getF32FloatAttr(0)));
    SmallVector<Value> totals(vectors * rows, zeroVec);
    auto blockLoop = scf::ForOp::create(
        b, loc, c0, arith::ConstantIndexOp::create(b, loc, blocks), c1, totals,
        [&](OpBuilder &bb, Location l, Value bl, ValueRange tot) {
          SmallVector<Value> zeros(vectors * rows, zeroAcc);
          // The block's steps, `unroll` per iteration.
          int64_t unroll = 8;
          while (stepsPerBlock % unroll != 0)
            unroll /= 2;
          auto stepLoop = scf::ForOp::create(
              bb, l, c0,
              arith::ConstantIndexOp::create(bb, l, stepsPerBlock / unroll), c1,
              zeros, [&](OpBuilder &nb, Location sl, Value j, ValueRange accs) {
                SmallVector<Value> next(accs);
                for (int64_t u = 0; u < unroll; ++u) {
                  Value s = affine::makeComposedAffineApply(
                      nb, sl,
                      AffineMap::get(2, 0,
                                     nb.getAffineDimExpr(0) * stepsPerBlock +
                                         nb.getAffineDimExpr(1) * unroll + u),
                      {bl, j});
                  SmallVector<Value> w(vectors);
                  for (int64_t v = 0; v < vectors; ++v)
                    w[v] = vector::TransferReadOp::create(
                        nb, sl, accT, panelsV,
                        ValueRange{
                            tile, s,
                            arith::ConstantIndexOp::create(nb, sl, v * lanes)
                                .getResult()},
                        pad, ArrayRef<bool>{true});
                  for (int64_t i = 0; i < rows; ++i) {
                    Value a = vector::BroadcastOp::create(
                        nb, sl, accT,
                        mcc::int8::readQuad(nb, sl, acts.bytes, rowOf[i], s));
                    for (int64_t v = 0; v < vectors; ++v) {
                      Value &acc = next[vectors * i + v];
                      acc = mcc::int8::dotQuads(nb, sl, isa, acc, a, w[v]);
                    }
                  }
                }
                scf::YieldOp::create(nb, sl, next);
              });
          SmallVector<Value> out(tot);
          for (int64_t v = 0; v < vectors; ++v) {
            Value scale = vector::TransferReadOp::create(
                bb, l, vecT, scalesV,
                ValueRange{tile, bl,
                           arith::ConstantIndexOp::create(bb, l, v * lanes)
                               .getResult()},
                fPad, ArrayRef<bool>{true});
            for (int64_t i = 0; i < rows; ++i) {
              Value sum = arith::SIToFPOp::create(
                  bb, l, vecT, stepLoop.getResult(vectors * i + v));
              out[vectors * i + v] = vector::FMAOp::create(
                  bb, l, sum, scale, out[vectors * i + v]);
            }
          }
          scf::YieldOp::create(bb, l, out);
        });
    // y = sa * T + (-sa * za) * C.
    SmallVector<Value> results;
    SmallVector<Value> colC(vectors);
    for (int64_t v = 0; v < vectors; ++v) {
      Value col = affine::makeComposedAffineApply(
          b, loc, AffineMap::get(1, 0, b.getAffineDimExpr(0) + v * lanes),
          {n0});
      colC[v] = vector::TransferReadOp::create(
          b, loc, vecT, corrV, ValueRange{col}, fPad, ArrayRef<bool>{true});
    }
    for (int64_t i = 0; i < rows; ++i) {
      Value sa = tensor::ExtractOp::create(b, loc, acts.scale, rowOf[i]);
      Value za = tensor::ExtractOp::create(b, loc, acts.zeroPoint, rowOf[i]);
      Value off =
          arith::NegFOp::create(b, loc, arith::MulFOp::create(b, loc, sa, za));
      Value saV = vector::BroadcastOp::create(b, loc, vecT, sa);
      Value offV = vector::BroadcastOp::create(b, loc, vecT, off);
      for (int64_t v = 0; v < vectors; ++v)
        results.push_back(vector::FMAOp::create(
            b, loc, colC[v], offV,
            arith::MulFOp::create(b, loc, blockLoop.getResult(vectors * i + v),
                                  saV)));
    }
    return results;
  };
  mcc::emitColumnTiledKernel(rewriter, kernel);
  return success();
}
