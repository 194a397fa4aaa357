//===- Winograd.cpp - 3x3 convs as Winograd F(4x4,3x3) or F(2x2,3x3) ------===//
//
// A 3x3 stride-1 conv on NHWC activations computes each m x m block of
// outputs from a (m + 2) x (m + 2) block of inputs. Winograd's minimal
// filtering does it with (m + 2)^2 multiplies per input channel instead of
// 9 m^2: 2.25x fewer for m = 4, 1.8x for m = 2 (4x and 2.25x counting
// the transforms' savings in the GEMMs' shape). The conv becomes:
//
//   U[ab, c, k] = (G w[k, c] G^T)[a, b]            weights, at compile time
//   V[n, ti, tj, ab, c] = (B^T d B)[a, b]          d: the input block of tile
//                                                   (ti, tj), channel c
//   M[n, ti, tj, ab, k] = sum_c V[.., ab, c] U[ab, c, k]   (t^2 GEMMs, one
//                                                   generic: register-tiled)
//   Y[n, m ti + i, m tj + j, k] = init + (A^T M A)[i, j]
//
// The two transforms are scf.forall loops over tiles whose bodies work on
// channel vectors with the transforms' constant coefficients unrolled
// (zeros skipped, +-1 as adds), so each is one pass over its input. The
// accumulator's init (bias broadcast, fill, or any tensor) is added in the
// output transform.
//
// m = 4 when both output dims divide by 4, else m = 2 when they divide by
// 2; other sizes, small channel counts and other convs are left alone.
// Accuracy: F(4x4, 3x3) with points 0, +-1, +-2 loses about one decimal
// digit against the direct sum in float32 (relative error ~2e-6 on 256
// channels), inside the rtol 1e-3 every test uses.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"
#include "passes/common/Linalg.h"
#include "passes/common/VectorBody.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace mcc {
#define GEN_PASS_DEF_WINOGRADCONVS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// F(m x m, 3 x 3): input tile t = m + 2; V = BT d BT^T, U = G g G^T,
/// Y = AT M AT^T, all row-major.
struct Transform {
  int64_t m, t;
  ArrayRef<double> bt, g, at;
};

// Interpolation points 0, -1, 1, -2, 2 and infinity.
constexpr double kBT4[] = {4, 0, -5, 0,  1, 0, 0, -4, -4, 1,  1, 0,
                           0, 4, -4, -1, 1, 0, 0, -2, -1, 2,  1, 0,
                           0, 2, -1, -2, 1, 0, 0, 4,  0,  -5, 0, 1};
constexpr double kG4[] = {1.0 / 4,  0,        0,        -1.0 / 6,  -1.0 / 6,
                          -1.0 / 6, -1.0 / 6, 1.0 / 6,  -1.0 / 6,  1.0 / 24,
                          1.0 / 12, 1.0 / 6,  1.0 / 24, -1.0 / 12, 1.0 / 6,
                          0,        0,        1};
constexpr double kAT4[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0,
                           0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};
// Points 0, -1, 1 and infinity.
constexpr double kBT2[] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
constexpr double kG2[] = {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1};
constexpr double kAT2[] = {1, 1, 1, 0, 0, 1, -1, -1};

const Transform kF4 = {4, 6, kBT4, kG4, kAT4};
const Transform kF2 = {2, 4, kBT2, kG2, kAT2};

/// Fewest input and output channels for which the transforms pay off.
constexpr int64_t kMinChannels = 16;

/// A conv generic over (n, k, oh, ow, c, kh, kw) in any loop order with
/// NHWC activations x[n, oh + kh, ow + kw, c], constant weights
/// w[k, c, kh, kw] of a 3x3 window, and output y[n, oh, ow, k].
struct Conv {
  linalg::GenericOp op;
  Value x;
  SmallVector<float> weights; // [K][C][3][3]
  int64_t n, h, w, c, k;
  // The elementwise consumer (ReLU, ...) the output transform applies
  // before its store, or null.
  linalg::GenericOp epilogue;
};

/// The conv's elementwise consumer the output transform can apply per
/// channel vector: f32 in and out (the transform writes an f32 tensor),
/// its other inputs read at the same point or along the channels only (a
/// bias).
linalg::GenericOp findEpilogue(linalg::GenericOp conv) {
  linalg::GenericOp e = mcc::soleVectorizableConsumer(conv);
  if (!e || e->getResult(0).getType() != conv->getResult(0).getType())
    return {};
  for (OpOperand *in : e.getDpsInputOperands()) {
    AffineMap m = e.getMatchingIndexingMap(in);
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (!t || !t.getElementType().isF32())
      return {};
    bool channels = m.getNumResults() == 1 &&
                    m.getResult(0) == getAffineDimExpr(3, m.getContext());
    if (!m.isIdentity() && !channels)
      return {};
  }
  return e;
}

std::optional<Conv> matchConv(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 7 || op.getNumReductionLoops() != 3 ||
      !op.hasPureTensorSemantics() || !mcc::isMultiplyAccumulate(op))
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!outType || outType.getRank() != 4 || !outType.hasStaticShape() ||
      !outType.getElementType().isF32())
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation())
    return std::nullopt;
  auto dim = [&](AffineExpr e) { return cast<AffineDimExpr>(e); };
  AffineExpr dN = out.getResult(0), dH = out.getResult(1),
             dW = out.getResult(2), dK = out.getResult(3);
  for (unsigned i = 0; i < 2; ++i) {
    Value x = op.getDpsInputs()[i], wv = op.getDpsInputs()[1 - i];
    ElementsAttr attr;
    if (!matchPattern(mcc::throughReshapes(wv), m_Constant(&attr)) ||
        matchPattern(mcc::throughReshapes(x), m_Constant()))
      continue;
    AffineMap xm = op.getMatchingIndexingMap(op.getDpsInputOperand(i));
    AffineMap wm = op.getMatchingIndexingMap(op.getDpsInputOperand(1 - i));
    if (wm.getNumResults() != 4 || !wm.isProjectedPermutation() ||
        wm.getResult(0) != dK || xm.getNumResults() != 4)
      continue;
    AffineExpr dC = wm.getResult(1), dKH = wm.getResult(2),
               dKW = wm.getResult(3);
    if (xm.getResult(0) != dN || xm.getResult(1) != dH + dKH ||
        xm.getResult(2) != dW + dKW || xm.getResult(3) != dC)
      continue;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    auto wt = dyn_cast<RankedTensorType>(wv.getType());
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    if (!wt || !xt || !xt.hasStaticShape() ||
        ranges[dim(dKH).getPosition()] != 3 ||
        ranges[dim(dKW).getPosition()] != 3 ||
        attr.getNumElements() != wt.getNumElements())
      continue;
    auto floats = mcc::elementsToFloats(attr);
    if (!floats)
      continue;
    Conv conv{op,
              x,
              std::move(*floats),
              ranges[dim(dN).getPosition()],
              ranges[dim(dH).getPosition()],
              ranges[dim(dW).getPosition()],
              ranges[dim(dC).getPosition()],
              ranges[dim(dK).getPosition()]};
    return conv;
  }
  return std::nullopt;
}

/// Emits the transforms and the GEMM of one conv.
class WinogradEmitter {
public:
  WinogradEmitter(Conv conv, const Transform &tr, int64_t vw)
      : cv(std::move(conv)), tr(tr), vw(vw), loc(cv.op.getLoc()) {}

  Value emit(OpBuilder &b);

private:
  Conv cv;
  const Transform &tr;
  int64_t vw;
  Location loc;

  VectorType vecType(OpBuilder &b) const {
    return VectorType::get({vw}, b.getF32Type());
  }
  /// sum_i coeffs[i] * vs[i] on vectors, zeros skipped, +-1 as add/sub.
  Value combine(OpBuilder &b, ArrayRef<double> coeffs, ArrayRef<Value> vs);
  /// R X R^T for R (rows x cols coefficients) and X (cols x cols vectors),
  /// both row-major: first R X (by columns), then times R^T (by rows).
  SmallVector<Value> sandwich(OpBuilder &b, ArrayRef<double> r, int64_t rows,
                              int64_t cols, ArrayRef<Value> x);
  Value weightsConstant(OpBuilder &b);
  /// An scf.forall over the tiles (n, ti, tj) writing `dest`: each
  /// iteration extracts its slice (at `origin(ivs)`, of `sizes` with the
  /// unit dims dropped), lets `fill` write it and inserts it back.
  Value tileLoop(
      OpBuilder &b, Value dest, int64_t tilesH, int64_t tilesW,
      function_ref<SmallVector<OpFoldResult>(OpBuilder &, ValueRange)> origin,
      ArrayRef<int64_t> sizes,
      function_ref<Value(OpBuilder &, ValueRange, Value)> fill);
  Value inputTransform(OpBuilder &b, int64_t tilesH, int64_t tilesW);
  Value gemm(OpBuilder &b, Value v, Value u, int64_t tilesH, int64_t tilesW);
  Value outputTransform(OpBuilder &b, Value mTensor, int64_t tilesH,
                        int64_t tilesW);
  /// A loop over channel blocks of `total` channels: full vectors, then one
  /// masked tail; `body(b, c0, inBounds, carried)` returns the new carried
  /// tensor.
  Value
  channelBlocks(OpBuilder &b, int64_t total, Value carried,
                function_ref<Value(OpBuilder &, Value, bool, Value)> body);
};

Value WinogradEmitter::combine(OpBuilder &b, ArrayRef<double> coeffs,
                               ArrayRef<Value> vs) {
  VectorType vt = vecType(b);
  auto splat = [&](double c) {
    return arith::ConstantOp::create(
        b, loc, vt, DenseElementsAttr::get(vt, b.getF32FloatAttr(c)));
  };
  Value acc;
  for (auto [c, v] : llvm::zip(coeffs, vs)) {
    if (c == 0)
      continue;
    if (!acc) {
      acc = c == 1    ? v
            : c == -1 ? (Value)arith::NegFOp::create(b, loc, v)
                      : (Value)arith::MulFOp::create(b, loc, v, splat(c));
      continue;
    }
    if (c == 1)
      acc = arith::AddFOp::create(b, loc, acc, v);
    else if (c == -1)
      acc = arith::SubFOp::create(b, loc, acc, v);
    else
      acc = vector::FMAOp::create(b, loc, v, splat(c), acc);
  }
  return acc ? acc : splat(0);
}

SmallVector<Value> WinogradEmitter::sandwich(OpBuilder &b, ArrayRef<double> r,
                                             int64_t rows, int64_t cols,
                                             ArrayRef<Value> x) {
  SmallVector<Value> tmp(rows * cols), out(rows * rows);
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t j = 0; j < cols; ++j) {
      SmallVector<Value> column;
      for (int64_t i = 0; i < cols; ++i)
        column.push_back(x[i * cols + j]);
      tmp[a * cols + j] = combine(b, r.slice(a * cols, cols), column);
    }
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t c = 0; c < rows; ++c)
      out[a * rows + c] = combine(b, r.slice(c * cols, cols),
                                  ArrayRef<Value>(tmp).slice(a * cols, cols));
  return out;
}

Value WinogradEmitter::weightsConstant(OpBuilder &b) {
  int64_t t = tr.t, c = cv.c, k = cv.k;
  SmallVector<float> u(t * t * c * k);
  SmallVector<double> gg(t * 3);
  for (int64_t ko = 0; ko < k; ++ko)
    for (int64_t ci = 0; ci < c; ++ci) {
      const float *g = &cv.weights[(ko * c + ci) * 9];
      // gg = G g (t x 3), then U = gg G^T (t x t).
      for (int64_t a = 0; a < t; ++a)
        for (int64_t j = 0; j < 3; ++j) {
          double s = 0;
          for (int64_t i = 0; i < 3; ++i)
            s += tr.g[a * 3 + i] * g[i * 3 + j];
          gg[a * 3 + j] = s;
        }
      for (int64_t a = 0; a < t; ++a)
        for (int64_t bb = 0; bb < t; ++bb) {
          double s = 0;
          for (int64_t j = 0; j < 3; ++j)
            s += gg[a * 3 + j] * tr.g[bb * 3 + j];
          u[((a * t + bb) * c + ci) * k + ko] = static_cast<float>(s);
        }
    }
  return mcc::createResourceConstant(
      b, loc, RankedTensorType::get({t * t, c, k}, b.getF32Type()), u,
      "winograd_weight");
}

Value WinogradEmitter::channelBlocks(
    OpBuilder &b, int64_t total, Value carried,
    function_ref<Value(OpBuilder &, Value, bool, Value)> body) {
  int64_t full = total / vw;
  if (full > 0) {
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(b, loc, full * vw);
    Value step = arith::ConstantIndexOp::create(b, loc, vw);
    auto loop = scf::ForOp::create(
        b, loc, lb, ub, step, ValueRange{carried},
        [&](OpBuilder &nb, Location, Value c0, ValueRange args) {
          scf::YieldOp::create(nb, loc, body(nb, c0, true, args[0]));
        });
    carried = loop.getResult(0);
  }
  if (total % vw)
    carried = body(b, arith::ConstantIndexOp::create(b, loc, full * vw), false,
                   carried);
  return carried;
}

Value WinogradEmitter::tileLoop(
    OpBuilder &b, Value dest, int64_t tilesH, int64_t tilesW,
    function_ref<SmallVector<OpFoldResult>(OpBuilder &, ValueRange)> origin,
    ArrayRef<int64_t> sizes,
    function_ref<Value(OpBuilder &, ValueRange, Value)> fill) {
  SmallVector<OpFoldResult> ubs = {b.getIndexAttr(cv.n), b.getIndexAttr(tilesH),
                                   b.getIndexAttr(tilesW)};
  auto loop =
      scf::ForallOp::create(b, loc, ubs, ValueRange{dest}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getTerminator());
  auto ivs = loop.getInductionVars();
  Value shared = loop.getRegionIterArgs()[0];
  SmallVector<OpFoldResult> offsets = origin(b, ivs);
  SmallVector<OpFoldResult> sizeAttrs, strides(sizes.size(), b.getIndexAttr(1));
  SmallVector<int64_t> sliceShape;
  for (int64_t n : sizes) {
    sizeAttrs.push_back(b.getIndexAttr(n));
    if (n != 1)
      sliceShape.push_back(n);
  }
  auto sliceType = RankedTensorType::get(
      sliceShape, cast<RankedTensorType>(dest.getType()).getElementType());
  Value slice = tensor::ExtractSliceOp::create(b, loc, sliceType, shared,
                                               offsets, sizeAttrs, strides);
  Value filled = fill(b, ivs, slice);
  b.setInsertionPointToStart(loop.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, filled, shared, offsets,
                                        sizeAttrs, strides);
  return loop.getResult(0);
}

Value WinogradEmitter::inputTransform(OpBuilder &b, int64_t tilesH,
                                      int64_t tilesW) {
  int64_t t = tr.t, m = tr.m, tt = t * t;
  Value init = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{cv.n, tilesH, tilesW, tt, cv.c},
      b.getF32Type());
  auto origin = [&](OpBuilder &ob, ValueRange ivs) {
    return SmallVector<OpFoldResult>{ivs[0], ivs[1], ivs[2], ob.getIndexAttr(0),
                                     ob.getIndexAttr(0)};
  };
  auto fill = [&](OpBuilder &fb, ValueRange ivs, Value slice) -> Value {
    AffineExpr s0 = fb.getAffineSymbolExpr(0);
    SmallVector<Value> rows, cols;
    for (int64_t i = 0; i < t; ++i) {
      rows.push_back(affine::AffineApplyOp::create(
          fb, loc, AffineMap::get(0, 1, s0 * m + i), ValueRange{ivs[1]}));
      cols.push_back(affine::AffineApplyOp::create(
          fb, loc, AffineMap::get(0, 1, s0 * m + i), ValueRange{ivs[2]}));
    }
    Value pad = arith::ConstantOp::create(fb, loc, fb.getF32FloatAttr(0));
    return channelBlocks(
        fb, cv.c, slice,
        [&](OpBuilder &nb, Value c0, bool inBounds, Value s) -> Value {
          // d[i][j], then V = BT d BT^T.
          SmallVector<Value> d;
          for (int64_t i = 0; i < t; ++i)
            for (int64_t j = 0; j < t; ++j)
              d.push_back(vector::TransferReadOp::create(
                  nb, loc, vecType(nb), cv.x,
                  ValueRange{ivs[0], rows[i], cols[j], c0}, pad,
                  ArrayRef<bool>{inBounds}));
          SmallVector<Value> v = sandwich(nb, tr.bt, t, t, d);
          for (int64_t ab = 0; ab < tt; ++ab) {
            Value at = arith::ConstantIndexOp::create(nb, loc, ab);
            s = vector::TransferWriteOp::create(nb, loc, v[ab], s,
                                                ValueRange{at, c0},
                                                ArrayRef<bool>{inBounds})
                    .getResult();
          }
          return s;
        });
  };
  return tileLoop(b, init, tilesH, tilesW, origin, {1, 1, 1, tt, cv.c}, fill);
}

Value WinogradEmitter::gemm(OpBuilder &b, Value v, Value u, int64_t tilesH,
                            int64_t tilesW) {
  int64_t tt = tr.t * tr.t;
  Type f32 = b.getF32Type();
  auto type = RankedTensorType::get({cv.n, tilesH, tilesW, tt, cv.k}, f32);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  // Loops (n, ti, tj, ab, k, c).
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0, {d(0), d(1), d(2), d(3), d(5)}, ctx),
      AffineMap::get(6, 0, {d(3), d(5), d(4)}, ctx),
      AffineMap::get(6, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
  SmallVector<utils::IteratorType> iters(5, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{v, u}, init, maps, iters,
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l,
                   math::FmaOp::create(nb, l, a[0], a[1], a[2]).getResult());
             })
      .getResult(0);
}

Value WinogradEmitter::outputTransform(OpBuilder &b, Value mTensor,
                                       int64_t tilesH, int64_t tilesW) {
  int64_t t = tr.t, m = tr.m;
  Type f32 = b.getF32Type();
  // What the accumulator starts from: a fill's scalar or a bias along the
  // channels (read once per channel block), or the init tensor itself
  // (read per output point).
  Value init = cv.op.getDpsInits()[0];
  std::optional<mcc::InitSource> src = mcc::initSource(init);
  if (src && src->tensor &&
      (src->map.getNumResults() != 1 ||
       src->map.getResult(0) != b.getAffineDimExpr(3)))
    src.reset();
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{cv.n, cv.h, cv.w, cv.k}, f32);
  // The tile's outputs start at (ti * m, tj * m).
  auto corner = [&](OpBuilder &ob, Value tileIndex) -> Value {
    return affine::AffineApplyOp::create(
        ob, loc, AffineMap::get(0, 1, ob.getAffineSymbolExpr(0) * m),
        ValueRange{tileIndex});
  };
  auto origin = [&](OpBuilder &ob, ValueRange ivs) {
    return SmallVector<OpFoldResult>{ivs[0], corner(ob, ivs[1]),
                                     corner(ob, ivs[2]), ob.getIndexAttr(0)};
  };
  auto fill = [&](OpBuilder &fb, ValueRange ivs, Value slice) -> Value {
    Value oh = corner(fb, ivs[1]), ow = corner(fb, ivs[2]);
    AffineExpr s0 = fb.getAffineSymbolExpr(0);
    Value pad = arith::ConstantOp::create(fb, loc, fb.getF32FloatAttr(0));
    SmallVector<Value> idx;
    for (int64_t i = 0; i < t * t; ++i)
      idx.push_back(arith::ConstantIndexOp::create(fb, loc, i));
    return channelBlocks(
        fb, cv.k, slice,
        [&](OpBuilder &nb, Value k0, bool inBounds, Value s) -> Value {
          SmallVector<Value> mv;
          for (int64_t ab = 0; ab < t * t; ++ab)
            mv.push_back(vector::TransferReadOp::create(
                nb, loc, vecType(nb), mTensor,
                ValueRange{ivs[0], ivs[1], ivs[2], idx[ab], k0}, pad,
                ArrayRef<bool>{inBounds}));
          Value start;
          if (src && src->scalar)
            start =
                vector::BroadcastOp::create(nb, loc, vecType(nb), src->scalar);
          else if (src)
            start = vector::TransferReadOp::create(
                nb, loc, vecType(nb), src->tensor, ValueRange{k0}, pad,
                ArrayRef<bool>{inBounds});
          // The epilogue's per-channel operands, once per block.
          linalg::GenericOp e = cv.epilogue;
          IRMapping perChannel;
          if (e)
            for (OpOperand *in : e.getDpsInputOperands())
              if (!e.getMatchingIndexingMap(in).isIdentity())
                perChannel.map(
                    e.getRegion().front().getArgument(in->getOperandNumber()),
                    vector::TransferReadOp::create(
                        nb, loc, vecType(nb), in->get(), ValueRange{k0}, pad,
                        ArrayRef<bool>{inBounds}));
          // Y = AT M AT^T (m x m).
          SmallVector<Value> ys = sandwich(nb, tr.at, m, t, mv);
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < m; ++j) {
              Value ohi = affine::AffineApplyOp::create(
                  nb, loc, AffineMap::get(0, 1, s0 + i), ValueRange{oh});
              Value owj = affine::AffineApplyOp::create(
                  nb, loc, AffineMap::get(0, 1, s0 + j), ValueRange{ow});
              auto readAt = [&](Value tensor) -> Value {
                return vector::TransferReadOp::create(
                    nb, loc, vecType(nb), tensor,
                    ValueRange{ivs[0], ohi, owj, k0}, pad,
                    ArrayRef<bool>{inBounds});
              };
              Value first = src ? start : readAt(init);
              Value y = arith::AddFOp::create(nb, loc, first, ys[i * m + j]);
              if (e) {
                IRMapping map = perChannel;
                Block &body = e.getRegion().front();
                for (OpOperand *in : e.getDpsInputOperands()) {
                  Value arg = body.getArgument(in->getOperandNumber());
                  if (in->get() == cv.op->getResult(0))
                    map.map(arg, y);
                  else if (!map.contains(arg))
                    map.map(arg, readAt(in->get()));
                }
                y = mcc::applyBodyOnVectors(nb, loc, e, map, vw);
              }
              s = vector::TransferWriteOp::create(
                      nb, loc, y, s, ValueRange{idx[i], idx[j], k0},
                      ArrayRef<bool>{inBounds})
                      .getResult();
            }
          return s;
        });
  };
  return tileLoop(b, empty, tilesH, tilesW, origin, {1, m, m, cv.k}, fill);
}

Value WinogradEmitter::emit(OpBuilder &b) {
  int64_t tilesH = cv.h / tr.m, tilesW = cv.w / tr.m;
  Value u = weightsConstant(b);
  Value v = inputTransform(b, tilesH, tilesW);
  Value mTensor = gemm(b, v, u, tilesH, tilesW);
  return outputTransform(b, mTensor, tilesH, tilesW);
}

struct WinogradConvs : mcc::impl::WinogradConvsBase<WinogradConvs> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    llvm::SmallPtrSet<Operation *, 8> erased; // epilogues, later in `ops`
    for (linalg::GenericOp op : ops) {
      if (erased.contains(op))
        continue;
      std::optional<Conv> conv = matchConv(op);
      if (!conv || conv->c < kMinChannels || conv->k < kMinChannels)
        continue;
      const Transform *tr = nullptr;
      if (conv->h % 4 == 0 && conv->w % 4 == 0)
        tr = &kF4;
      else if (conv->h % 2 == 0 && conv->w % 2 == 0)
        tr = &kF2;
      else
        continue;
      // The input must hold every tile's rows and columns.
      auto xt = cast<RankedTensorType>(conv->x.getType());
      if (xt.getDimSize(1) < conv->h + 2 || xt.getDimSize(2) < conv->w + 2)
        continue;
      // The consumer is applied in the output transform, which then
      // takes its place (its operands are all defined before it).
      linalg::GenericOp e = findEpilogue(op);
      conv->epilogue = e;
      OpBuilder b(e ? e.getOperation() : op.getOperation());
      mcc::recordDecision(op, "winograd-convs",
                          tr == &kF4 ? "3x3 conv by Winograd F(4x4, 3x3)"
                                     : "3x3 conv by Winograd F(2x2, 3x3)");
      Value y = WinogradEmitter(std::move(*conv), *tr, vectorWidth).emit(b);
      if (e) {
        e->getResult(0).replaceAllUsesWith(y);
        erased.insert(e);
        e->erase();
      } else {
        op->getResult(0).replaceAllUsesWith(y);
      }
      op->erase();
    }
  }
};

} // namespace
