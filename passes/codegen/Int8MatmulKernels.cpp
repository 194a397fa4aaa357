//===- Int8MatmulKernels.cpp - mcc.qmatmul as a register-tiled kernel -----===//
//
// An 8-bit matmul with constant weights, C = (A - za) (B - zb), in i32.
// The weights minus their zero points (per tensor or per column) are
// packed at compile time into panels [N / W][K / g][W] of W = two vectors
// of i32 lanes, each i32 holding a group of g consecutive K values of one
// column, zero-padded; each reduction step reads two contiguous vectors.
// A register tile of `rows` rows × W columns keeps 2 × rows accumulators
// for the whole reduction: per step and row, one group of A is broadcast
// and multiplied into both weight vectors. Tiles run over (column tiles,
// row blocks), so a panel stays in cache while every row block passes
// over it; the last row block stores only its rows, the last column tile
// only its columns (masked). An elementwise consumer whose other operands
// are per tensor or per column (dequantization: cast, scale, bias;
// requantization; an activation) runs on the accumulators before that
// store and the kernel writes its result: no i32 tensor is written to be
// read back.
//
// Two forms, both exact (no intermediate saturates, as `vpmaddubsw`'s
// 16-bit pair sums do on full-range weights):
// - quads (g = 4, VNNI's `vpdpbusd`: unsigned activation bytes times
//   signed weight bytes): when every weight minus its zero point fits a
//   signed byte. Activations are read as they are (signed ones shifted by
//   128 into unsigned bytes); their zero point comes off at the end as
//   za × (column sums of the weights), which are packed with the panels.
// - pairs (g = 2, `vpmaddwd` + add, or VNNI's `vpdpwssd`): any weights.
//   Both operands minus their zero points fit 16 bits; the activations
//   are paired once per call ([M][K / 2] i32).
//
// The pass also takes mcc.wmatmul with 8-bit activations allowed: see
// Int8WMatMulKernel.cpp (shared parts in Int8MatmulKernels.h).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/Int8MatmulKernels.h"
#include "passes/Passes.h"
#include "passes/common/ColumnTiles.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_INT8MATMULKERNELS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using mcc::DotPairsOp;
using mcc::DotQuadsOp;
using mcc::QMatMulOp;
using mcc::int8::Isa;
using mcc::int8::Weights;

SmallVector<int32_t> mcc::int8::packPanels(const Weights &w, int64_t width,
                                           int64_t group) {
  int64_t steps = llvm::divideCeil(w.k, group);
  int64_t tiles = llvm::divideCeil(w.n, width);
  unsigned bits = 32 / group;
  uint32_t mask = (1u << bits) - 1;
  SmallVector<int32_t> packed(tiles * steps * width, 0);
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t s = 0; s < steps; ++s)
      for (int64_t j = 0; j < width; ++j) {
        int64_t col = t * width + j;
        if (col >= w.n)
          continue;
        uint32_t v = 0;
        for (int64_t g = 0; g < group && s * group + g < w.k; ++g)
          v |= (uint32_t(w.values[(s * group + g) * w.n + col]) & mask)
               << (bits * g);
        packed[(t * steps + s) * width + j] = int32_t(v);
      }
  return packed;
}

Value mcc::int8::int32Constant(OpBuilder &b, Location loc,
                               ArrayRef<int64_t> shape, ArrayRef<int32_t> data,
                               StringRef name) {
  auto type = RankedTensorType::get(shape, b.getI32Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()),
                       data.size() * sizeof(int32_t));
  return arith::ConstantOp::create(b, loc, type,
                                   cast<TypedAttr>(mcc::makeResourceAttr(
                                       type, bytes, alignof(int32_t), name)));
}

Value mcc::int8::padColumns(OpBuilder &b, Location loc, Value a, int64_t k,
                            Value pad) {
  auto at = cast<RankedTensorType>(a.getType());
  if (at.getDimSize(1) == k)
    return a;
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> hi = {b.getIndexAttr(0),
                                  b.getIndexAttr(k - at.getDimSize(1))};
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get({at.getDimSize(0), k}, at.getElementType()),
      a, lo, hi, pad);
}

Value mcc::int8::dotQuads(OpBuilder &b, Location loc, Isa isa, Value acc,
                          Value a, Value w) {
  auto t = VectorType::get({4 * isa.lanes}, b.getI8Type());
  auto d =
      DotQuadsOp::create(b, loc, acc, vector::BitCastOp::create(b, loc, t, a),
                         vector::BitCastOp::create(b, loc, t, w));
  d.setPortable(isa.portable);
  return d;
}

Value mcc::int8::readQuad(OpBuilder &b, Location loc, Value acts, Value row,
                          Value step) {
  Value col = affine::makeComposedAffineApply(
      b, loc, AffineMap::get(1, 0, b.getAffineDimExpr(0) * 4), {step});
  Value pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
  Value bytes = vector::TransferReadOp::create(
      b, loc, VectorType::get({4}, b.getI8Type()), acts, ValueRange{row, col},
      pad, ArrayRef<bool>{true});
  Value word = vector::BitCastOp::create(
      b, loc, VectorType::get({1}, b.getI32Type()), bytes);
  return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
}

namespace {

using mcc::int8::int32Constant;
using mcc::int8::packPanels;
using mcc::int8::padColumns;
using utils::IteratorType;

std::optional<Isa> parseIsa(StringRef s) {
  if (s == "avx2")
    return Isa{8, false, false};
  if (s == "avx-vnni")
    return Isa{8, true, false};
  if (s == "avx512")
    return Isa{16, false, false};
  if (s == "avx512-vnni")
    return Isa{16, true, false};
  if (s == "vnni-portable")
    return Isa{16, true, true};
  return std::nullopt;
}

/// The weights of `op`, or nullopt when B or its zero point is not a
/// constant.
std::optional<Weights> readWeights(QMatMulOp op) {
  ElementsAttr bAttr = mcc::constantElements(op.getB());
  ElementsAttr zAttr = mcc::constantElements(op.getBZeroPoint());
  if (!bAttr || !zAttr)
    return std::nullopt;
  auto b = mcc::elementsToBytes(bAttr), z = mcc::elementsToBytes(zAttr);
  if (!b || !z)
    return std::nullopt;
  Weights w;
  w.k = op.getB().getType().getDimSize(0);
  w.n = op.getB().getType().getDimSize(1);
  bool u = op.getBUnsigned();
  auto value = [&](int8_t v) -> int32_t {
    return u ? int32_t(uint8_t(v)) : int32_t(v);
  };
  w.values.resize(w.k * w.n);
  for (int64_t r = 0; r < w.k; ++r)
    for (int64_t c = 0; c < w.n; ++c)
      w.values[r * w.n + c] =
          value((*b)[r * w.n + c]) - value((*z)[z->size() == 1 ? 0 : c]);
  return w;
}

/// The zero point `zp` (one element, any rank) as a scalar.
Value zeroPointScalar(OpBuilder &b, Location loc, Value zp) {
  auto zt = cast<RankedTensorType>(zp.getType());
  SmallVector<Value> origin(zt.getRank(),
                            arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, zp, origin);
}

/// `a` ([M, K], 8-bit) minus `zp` as pairs along K: [M, ceil(K / 2)] i32,
/// the low half from the even column. An odd K gets a last column equal
/// to the zero point (0 once subtracted).
Value pairActivations(OpBuilder &b, Location loc, Value a, Value zp,
                      bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t kp = (k + 1) / 2;
  a = padColumns(b, loc, a, 2 * kp, zeroPointScalar(b, loc, zp));
  auto zt = cast<RankedTensorType>(zp.getType());
  SmallVector<AffineExpr> zeros(zt.getRank(), getAffineConstantExpr(0, ctx));
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

/// Whether `a` (collapsed from a copy generic, an im2col, read only by
/// `matmul` and the collapses to `a`) could be flipped where it is made:
/// the copy then yields its input ^ 0x80, saving a pass over the matrix.
bool flipInProducer(Value a, Operation *matmul) {
  Value v = a;
  SmallVector<Operation *> chain;
  while (auto c = v.getDefiningOp<tensor::CollapseShapeOp>()) {
    chain.push_back(c);
    v = c.getSrc();
  }
  auto copy = v.getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy->getNumResults() != 1 ||
      !copy->getResult(0).hasOneUse())
    return false;
  // Every value on the way is read by the next collapse, the matmul or a
  // (the kernel's own collapse) only.
  for (Operation *c : chain)
    for (Operation *user : c->getResult(0).getUsers())
      if (user != matmul && !llvm::is_contained(chain, user))
        return false;
  Block &body = copy.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues()[0] != body.getArgument(0) ||
      !body.getArgument(0).getType().isInteger(8))
    return false;
  OpBuilder nb(yield);
  Value flip =
      arith::ConstantIntOp::create(nb, yield.getLoc(), nb.getI8Type(), -128);
  Value x =
      arith::XOrIOp::create(nb, yield.getLoc(), body.getArgument(0), flip);
  yield->setOperand(0, x);
  return true;
}

/// `a` ([M, K], 8-bit) as unsigned bytes in rows of a multiple of 4:
/// itself when it is unsigned and K allows; signed bytes are shifted by
/// 128 (their zero point with them, see quadZeroPoint), in the copy that
/// makes them when that is an im2col only `matmul` reads; the padding's
/// weights are 0, so its value does not matter.
Value quadActivations(OpBuilder &b, Location loc, Value a, bool isUnsigned,
                      Operation *matmul) {
  MLIRContext *ctx = b.getContext();
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  Value zero = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
  Value padded = padColumns(b, loc, a, llvm::alignTo(k, 4), zero);
  if (isUnsigned)
    return padded;
  if (padded == a && flipInProducer(a, matmul))
    return a;
  a = padded;
  auto at = cast<RankedTensorType>(a.getType());
  SmallVector<OpFoldResult> dims = {tensor::getMixedSize(b, loc, a, 0),
                                    b.getIndexAttr(at.getDimSize(1))};
  Value init = tensor::EmptyOp::create(b, loc, dims, at.getElementType());
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  auto g = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{a}, init,
      SmallVector<AffineMap>{id, id},
      SmallVector<IteratorType>(2, IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value flip = arith::ConstantIntOp::create(nb, l, nb.getI8Type(), -128);
        linalg::YieldOp::create(
            nb, l, Value(arith::XOrIOp::create(nb, l, args[0], flip)));
      });
  return g.getResult(0);
}

/// The activations' zero point on the unsigned bytes quadActivations
/// gives, as i32 (a signed one moves by 128 with them).
Value quadZeroPoint(OpBuilder &b, Location loc, Value zp, bool isUnsigned) {
  Type i32 = b.getI32Type();
  Value z = zeroPointScalar(b, loc, zp);
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, i32, z);
  return arith::AddIOp::create(b, loc, arith::ExtSIOp::create(b, loc, i32, z),
                               arith::ConstantIntOp::create(b, loc, i32, 128));
}

class KernelEmitter {
public:
  KernelEmitter(QMatMulOp op, Isa isa, int64_t rows)
      : op(op), isa(isa), rows(rows) {}

  /// Replaces the op with the kernel, or fails (nothing changed) when
  /// its weights are not constants.
  LogicalResult emit(RewriterBase &rewriter);

private:
  /// acc + the products of the groups of `a` and `w` (i32 vectors, each
  /// lane one group).
  Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value a, Value w);
  /// Group `step` of activation row `row`, as i32.
  Value readGroup(OpBuilder &b, Location loc, Value row, Value step);

  QMatMulOp op;
  Isa isa;
  int64_t rows;
  bool quads = false; ///< the form (see the file comment)
  Value acts;         ///< pairs: [M, K/2] i32; quads: [M, K'] i8
};

Value KernelEmitter::multiplyAdd(OpBuilder &b, Location loc, Value acc, Value a,
                                 Value w) {
  if (quads)
    return mcc::int8::dotQuads(b, loc, isa, acc, a, w);
  int64_t lanes = isa.lanes;
  auto t = VectorType::get({2 * lanes}, b.getI16Type());
  auto d =
      DotPairsOp::create(b, loc, acc, vector::BitCastOp::create(b, loc, t, a),
                         vector::BitCastOp::create(b, loc, t, w));
  d.setVnni(isa.vnni);
  d.setPortable(isa.portable);
  return d;
}

Value KernelEmitter::readGroup(OpBuilder &b, Location loc, Value row,
                               Value step) {
  if (!quads)
    return tensor::ExtractOp::create(b, loc, acts, ValueRange{row, step});
  return mcc::int8::readQuad(b, loc, acts, row, step);
}

LogicalResult KernelEmitter::emit(RewriterBase &rewriter) {
  std::optional<Weights> weights = readWeights(op);
  if (!weights)
    return failure();
  int64_t lanes = isa.lanes, width = 2 * lanes;
  quads = isa.vnni && llvm::all_of(weights->values, [](int32_t v) {
            return v >= -128 && v <= 127;
          });
  int64_t group = quads ? 4 : 2;
  int64_t k = weights->k, n = weights->n;
  int64_t steps = llvm::divideCeil(k, group);
  int64_t tiles = llvm::divideCeil(n, width);
  Type i32 = rewriter.getI32Type();
  auto accT = VectorType::get({lanes}, i32);
  // quads: the activations' zero point times each column's weight sum
  // comes off at the end.
  Value panels, colSums, zeroPoint;
  mcc::ColumnTiledKernel kernel;
  kernel.op = op;
  kernel.init = op.getInit();
  kernel.n = n;
  kernel.lanes = lanes;
  kernel.vectors = 2;
  kernel.rows = rows;
  kernel.prologue = [&](OpBuilder &b, Location loc) {
    panels =
        int32Constant(b, loc, {tiles, steps, width},
                      packPanels(*weights, width, group), "mcc_int8_panels");
    Value a = mcc::toMatrix(b, loc, op.getA());
    bool aU = op.getAUnsigned();
    if (quads) {
      acts = quadActivations(b, loc, a, aU, op);
      SmallVector<int32_t> sums(tiles * width, 0);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < n; ++c)
          sums[c] += weights->values[r * n + c];
      colSums =
          int32Constant(b, loc, {tiles * width}, sums, "mcc_int8_colsums");
      zeroPoint = quadZeroPoint(b, loc, op.getAZeroPoint(), aU);
    } else {
      acts = pairActivations(b, loc, a, op.getAZeroPoint(), aU);
    }
  };
  kernel.tileBody = [&](OpBuilder &b, Location loc, Value tile, Value n0,
                        ArrayRef<Value> rowOf) {
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accT, b.getI32IntegerAttr(0)));
    SmallVector<Value> inits(2 * rows, zeroAcc);
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value cLanes = arith::ConstantIndexOp::create(b, loc, lanes);
    Value pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    auto reduction = scf::ForOp::create(
        b, loc, c0, arith::ConstantIndexOp::create(b, loc, steps),
        arith::ConstantIndexOp::create(b, loc, 1), inits,
        [&](OpBuilder &nb, Location l, Value s, ValueRange accs) {
          Value w[2];
          for (int j = 0; j < 2; ++j)
            w[j] = vector::TransferReadOp::create(
                nb, l, accT, panels, ValueRange{tile, s, j ? cLanes : c0}, pad,
                ArrayRef<bool>{true});
          SmallVector<Value> next;
          for (int64_t i = 0; i < rows; ++i) {
            Value v = vector::BroadcastOp::create(
                nb, l, accT, readGroup(nb, l, rowOf[i], s));
            for (int j = 0; j < 2; ++j)
              next.push_back(multiplyAdd(nb, l, accs[2 * i + j], v, w[j]));
          }
          scf::YieldOp::create(nb, l, next);
        });
    SmallVector<Value> results(reduction.getResults());
    if (quads) {
      // acc - za * colsum, per column.
      Value za = vector::BroadcastOp::create(b, loc, accT, zeroPoint);
      for (int j = 0; j < 2; ++j) {
        Value col = affine::makeComposedAffineApply(
            b, loc, AffineMap::get(1, 0, b.getAffineDimExpr(0) + j * lanes),
            {n0});
        Value sums = vector::TransferReadOp::create(
            b, loc, accT, colSums, ValueRange{col}, pad, ArrayRef<bool>{true});
        Value off = arith::MulIOp::create(b, loc, za, sums);
        for (int64_t i = 0; i < rows; ++i)
          results[2 * i + j] =
              arith::SubIOp::create(b, loc, results[2 * i + j], off);
      }
    }
    return results;
  };
  mcc::emitColumnTiledKernel(rewriter, kernel);
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
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<QMatMulOp>(op) ||
          (llvm::isa<mcc::WMatMulOp>(op) &&
           cast<mcc::WMatMulOp>(op).getInt8Activations()))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      Location loc = op->getLoc();
      bool quantized = llvm::isa<QMatMulOp>(op);
      LogicalResult done =
          quantized ? KernelEmitter(llvm::cast<QMatMulOp>(op), *target, rows)
                          .emit(rewriter)
                    : mcc::int8::emitWMatMulKernel(
                          rewriter, cast<mcc::WMatMulOp>(op), *target, rows);
      if (succeeded(done))
        mcc::recordDecision(getOperation(), loc, "int8-matmul-kernels",
                            llvm::Twine(quantized ? "8-bit"
                                                  : "4-bit weights, 8-bit "
                                                    "activations:") +
                                " register-tiled kernel on " + isa.getValue());
    }
  }
};

} // namespace
