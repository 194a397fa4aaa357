//===- MccToLinalg.cpp - mcc contractions as plain linalg -----------------===//
//
// What the kernel generators left: an mcc.qmatmul (activations not yet
// known to be 8-bit at compile time, weights computed at run time, -O0)
// becomes one linalg.generic over (batch..., m, n, k) whose body widens
// both 8-bit operands to i32 and subtracts their zero points before the
// multiply-add; an mcc.wmatmul one whose body dequantizes each weight.
// Correct for any shape; as fast as a scalar loop nest.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mcc {
#define GEN_PASS_DEF_LOWERMCCTOLINALG
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using mcc::QMatMulOp;
using mcc::WMatMulOp;

namespace {

using utils::IteratorType;

/// The map reading a zero point: its only element, or (per column) dim
/// `col` of the iteration space.
AffineMap zeroPointMap(Value zp, unsigned numDims, unsigned col,
                       MLIRContext *ctx) {
  auto t = cast<RankedTensorType>(zp.getType());
  if (t.hasStaticShape() && t.getNumElements() == 1)
    return AffineMap::get(
        numDims, 0,
        SmallVector<AffineExpr>(t.getRank(), getAffineConstantExpr(0, ctx)),
        ctx);
  return AffineMap::get(numDims, 0, getAffineDimExpr(col, ctx), ctx);
}

/// The loop nest of a matmul whose `a` has rank `rank`: dims batch...
/// (rank - 2 of them), m, n, k; the maps of a [..., m, k], of a [k, n]
/// matrix and of the [..., m, n] result; k the one reduction.
struct MatmulLoops {
  unsigned n, k, numDims;
  AffineMap a, b, out;
  SmallVector<IteratorType> iters;
};

MatmulLoops matmulLoops(int64_t rank, MLIRContext *ctx) {
  MatmulLoops l;
  unsigned m = rank - 2;
  l.n = rank - 1;
  l.k = rank;
  l.numDims = rank + 1;
  SmallVector<AffineExpr> aIdx, outIdx;
  for (unsigned d = 0; d < m; ++d) {
    aIdx.push_back(getAffineDimExpr(d, ctx));
    outIdx.push_back(getAffineDimExpr(d, ctx));
  }
  AffineExpr md = getAffineDimExpr(m, ctx), nd = getAffineDimExpr(l.n, ctx),
             kd = getAffineDimExpr(l.k, ctx);
  aIdx.append({md, kd});
  outIdx.append({md, nd});
  l.a = AffineMap::get(l.numDims, 0, aIdx, ctx);
  l.b = AffineMap::get(l.numDims, 0, {kd, nd}, ctx);
  l.out = AffineMap::get(l.numDims, 0, outIdx, ctx);
  l.iters.assign(l.numDims, IteratorType::parallel);
  l.iters[l.k] = IteratorType::reduction;
  return l;
}

/// mcc.qmatmul: sum_k (a - a_zp) * (b - b_zp) in i32, one generic.
struct QMatMulToGeneric : OpRewritePattern<QMatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QMatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    MatmulLoops loops = matmulLoops(op.getA().getType().getRank(), ctx);
    SmallVector<AffineMap> maps = {
        loops.a, loops.b,
        zeroPointMap(op.getAZeroPoint(), loops.numDims, loops.n, ctx),
        zeroPointMap(op.getBZeroPoint(), loops.numDims, loops.n, ctx),
        loops.out};
    Type i32 = rewriter.getI32Type();
    Value zero = arith::ConstantOp::create(rewriter, loc, i32,
                                           rewriter.getI32IntegerAttr(0));
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, op.getInit()).getResult(0);
    bool aU = op.getAUnsigned(), bU = op.getBUnsigned();
    auto widen = [&](OpBuilder &b, Location l, Value v, bool u) -> Value {
      return u ? (Value)arith::ExtUIOp::create(b, l, i32, v)
               : (Value)arith::ExtSIOp::create(b, l, i32, v);
    };
    auto g = linalg::GenericOp::create(
        rewriter, loc, op.getType(),
        ValueRange{op.getA(), op.getB(), op.getAZeroPoint(),
                   op.getBZeroPoint()},
        init, maps, loops.iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = arith::SubIOp::create(b, l, widen(b, l, args[0], aU),
                                          widen(b, l, args[2], aU));
          Value w = arith::SubIOp::create(b, l, widen(b, l, args[1], bU),
                                          widen(b, l, args[3], bU));
          Value p = arith::MulIOp::create(b, l, a, w);
          linalg::YieldOp::create(
              b, l, Value(arith::AddIOp::create(b, l, args[4], p)));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// mcc.wmatmul: sum_k a * scale * (w - zero_point), the weights
/// dequantized in the loop body (block k / block_size), one generic.
struct WMatMulToGeneric : OpRewritePattern<WMatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WMatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    MatmulLoops loops = matmulLoops(op.getA().getType().getRank(), ctx);
    AffineMap blockMap = AffineMap::get(
        loops.numDims, 0,
        {getAffineDimExpr(loops.k, ctx).floorDiv(op.getBlockSize()),
         getAffineDimExpr(loops.n, ctx)},
        ctx);
    SmallVector<AffineMap> maps = {loops.a, loops.b, blockMap, blockMap,
                                   loops.out};
    Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
    Value zero = arith::ConstantOp::create(rewriter, loc, f32,
                                           rewriter.getF32FloatAttr(0));
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, op.getInit()).getResult(0);
    bool u = op.getWUnsigned();
    auto widen = [&](OpBuilder &b, Location l, Value v) -> Value {
      return u ? (Value)arith::ExtUIOp::create(b, l, i32, v)
               : (Value)arith::ExtSIOp::create(b, l, i32, v);
    };
    auto g = linalg::GenericOp::create(
        rewriter, loc, op.getType(),
        ValueRange{op.getA(), op.getW(), op.getScale(), op.getZeroPoint()},
        init, maps, loops.iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value q = arith::SubIOp::create(b, l, widen(b, l, args[1]),
                                          widen(b, l, args[3]));
          Value w = arith::MulFOp::create(
              b, l, arith::SIToFPOp::create(b, l, f32, q), args[2]);
          Value p = arith::MulFOp::create(b, l, args[0], w);
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, args[4], p)));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

struct LowerMccToLinalg : mcc::impl::LowerMccToLinalgBase<LowerMccToLinalg> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<QMatMulToGeneric, WMatMulToGeneric>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
