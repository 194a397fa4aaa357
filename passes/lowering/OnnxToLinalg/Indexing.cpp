//===- Indexing.cpp - Data-dependent gathers and scatters to linalg/scf ---===//
//
// GatherElements and GatherND read through their indices inside a
// linalg.generic (tensor.extract). ScatterElements and ScatterND apply
// their updates in order, as the ONNX reference does, with an scf.for nest
// that carries the output tensor (bufferization updates it in place).
// Tile reads the input modulo its shape. Negative indices count from the
// end of their dimension.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// `idx` (any integer) as an index in [0, dim): negative values wrap once.
Value wrapIndex(OpBuilder &b, Location l, Value idx, Value dim) {
  idx = arith::IndexCastOp::create(b, l, b.getIndexType(), idx);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
  return arith::SelectOp::create(b, l, neg,
                                 arith::AddIOp::create(b, l, idx, dim), idx);
}

/// Combines an existing element with an update per ONNX `reduction`.
Value combine(OpBuilder &b, Location l, StringRef reduction, Value old,
              Value upd, bool isUnsigned) {
  Type t = old.getType();
  bool f = isa<FloatType>(t);
  if (reduction == "add")
    return f ? (Value)arith::AddFOp::create(b, l, old, upd)
             : (Value)arith::AddIOp::create(b, l, old, upd);
  if (reduction == "mul")
    return f ? (Value)arith::MulFOp::create(b, l, old, upd)
             : (Value)arith::MulIOp::create(b, l, old, upd);
  if (reduction == "max")
    return f            ? (Value)arith::MaximumFOp::create(b, l, old, upd)
           : isUnsigned ? (Value)arith::MaxUIOp::create(b, l, old, upd)
                        : (Value)arith::MaxSIOp::create(b, l, old, upd);
  if (reduction == "min")
    return f            ? (Value)arith::MinimumFOp::create(b, l, old, upd)
           : isUnsigned ? (Value)arith::MinUIOp::create(b, l, old, upd)
                        : (Value)arith::MinSIOp::create(b, l, old, upd);
  return upd;
}

/// The data coordinates that a GatherND/ScatterND index tuple names:
/// indices[prefix..., 0 .. k-1], each wrapped into data dim `first + j`.
SmallVector<Value> indexTuple(OpBuilder &b, Location l, Value indices,
                              ValueRange prefix, int64_t k,
                              ArrayRef<Value> dataDims, int64_t first) {
  SmallVector<Value> at;
  for (int64_t j = 0; j < k; ++j) {
    SmallVector<Value> c(prefix);
    c.push_back(arith::ConstantIndexOp::create(b, l, j));
    Value v = tensor::ExtractOp::create(b, l, indices, c);
    at.push_back(wrapIndex(b, l, v, dataDims[first + j]));
  }
  return at;
}

/// Every dim of `v` as an index value (for use inside loop bodies).
SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> out;
  for (OpFoldResult d : dimsOf(b, loc, v))
    out.push_back(dimValue(b, loc, d));
  return out;
}

/// acc with updates[ivs] stored at `at` (combined with what is there per
/// `reduction`).
Value scatterOne(OpBuilder &b, Location l, Value acc, ValueRange at,
                 Value updates, ValueRange ivs, StringRef reduction,
                 bool isUnsigned) {
  Value upd = tensor::ExtractOp::create(b, l, updates, ivs);
  if (reduction != "none")
    upd = combine(b, l, reduction, tensor::ExtractOp::create(b, l, acc, at),
                  upd, isUnsigned);
  return tensor::InsertOp::create(b, l, upd, acc, at);
}

/// An scf.for nest over `shape` carrying `init`; `body` returns the new
/// value of the carried tensor.
Value forEach(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> lbs, ubs, steps;
  for (OpFoldResult d : shape) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(dimValue(b, loc, d));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  scf::LoopNest nest =
      scf::buildLoopNest(b, loc, lbs, ubs, steps, init,
                         [&](OpBuilder &nb, Location l, ValueRange ivs,
                             ValueRange iters) -> scf::ValueVector {
                           return {body(nb, l, ivs, iters[0])};
                         });
  return nest.results.empty() ? init : nest.results[0];
}

struct GatherElementsLowering : OpConversionPattern<ONNXGatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto dt = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!rt || !dt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value data = adaptor.getData();
    Location loc = op.getLoc();
    Value axisDim = dimValue(rewriter, loc, dimOf(rewriter, loc, data, axis));
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, adaptor.getIndices(),
        emptyOfType(rewriter, loc, rt,
                    dimsOf(rewriter, loc, adaptor.getIndices())),
        SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(rank)),
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis ? wrapIndex(b, l, a[0], axisDim)
                                   : (Value)linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// GatherND: out[b.., i.., s..] = data[b.., idx[b.., i.., :], s..].
struct GatherNDLowering : OpConversionPattern<ONNXGatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto dt = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    auto it = dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!rt || !dt || !it || it.isDynamicDim(it.getRank() - 1))
      return unsupported(rewriter, op,
                         "the indices' last dimension must be static");
    int64_t bd = op.getBatchDims();
    int64_t k = it.getShape().back();
    int64_t q = it.getRank();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, indices);
    dims.pop_back();
    llvm::append_range(
        dims, ArrayRef(dimsOf(rewriter, loc, data)).drop_front(bd + k));
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{}, emptyOfType(rewriter, loc, rt, dims),
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> iv;
          for (int64_t d = 0; d < rank; ++d)
            iv.push_back(linalg::IndexOp::create(b, l, d));
          // Output dims: batch (bd), index (q - 1 - bd), slice (rest).
          SmallVector<Value> at(iv.begin(), iv.begin() + bd);
          llvm::append_range(at, indexTuple(b, l, indices,
                                            ValueRange(iv).take_front(q - 1), k,
                                            dataDims, bd));
          for (int64_t d = q - 1; d < rank; ++d)
            at.push_back(iv[d]);
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

struct ScatterElementsLowering : OpConversionPattern<ONNXScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    StringRef red = op.getReduction();
    bool u = isUnsignedInt(op.getData().getType());
    Location loc = op.getLoc();
    Value axisDim =
        dimValue(rewriter, loc, dimOf(rewriter, loc, adaptor.getData(), axis));
    Value r = forEach(
        rewriter, loc, dimsOf(rewriter, loc, indices), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          Value idx = tensor::ExtractOp::create(b, l, indices, ivs);
          SmallVector<Value> at(ivs);
          at[axis] = wrapIndex(b, l, idx, axisDim);
          return scatterOne(b, l, acc, at, updates, ivs, red, u);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ONNXScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto it = dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!rt || !it || it.isDynamicDim(it.getRank() - 1))
      return unsupported(rewriter, op,
                         "the indices' last dimension must be static");
    int64_t k = it.getShape().back(), q = it.getRank();
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    StringRef red = op.getReduction();
    bool u = isUnsignedInt(op.getData().getType());
    Location loc = op.getLoc();
    SmallVector<Value> dataDims = dimValues(rewriter, loc, adaptor.getData());
    // Updates have shape indices.shape[:-1] + data.shape[k:].
    Value r = forEach(
        rewriter, loc, dimsOf(rewriter, loc, updates), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          SmallVector<Value> at =
              indexTuple(b, l, indices, ivs.take_front(q - 1), k, dataDims, 0);
          llvm::append_range(at, ivs.drop_front(q - 1));
          return scatterOne(b, l, acc, at, updates, ivs, red, u);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// TensorScatter (a KV-cache write): present = past with update written
/// along `axis` from write_indices[batch] on (modulo the cache length when
/// circular). A generic over the output reads the update where the
/// position falls inside the written window, else the past.
struct TensorScatterLowering : OpConversionPattern<ONNXTensorScatterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTensorScatterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto ut = dyn_cast<RankedTensorType>(adaptor.getUpdate().getType());
    if (!rt || !ut || ut.getRank() != rt.getRank())
      return unsupported(rewriter, op, "the update must have the cache's rank");
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Location loc = op.getLoc();
    Value maxLen = dimValue(rewriter, loc,
                            dimOf(rewriter, loc, adaptor.getPastCache(), axis));
    Value len = dimValue(rewriter, loc,
                         dimOf(rewriter, loc, adaptor.getUpdate(), axis));
    bool emptyUpdate = !ut.isDynamicDim(axis) && ut.getDimSize(axis) == 0;
    bool circular = op.getMode() == "circular";
    Value past = adaptor.getPastCache(), upd = adaptor.getUpdate();
    Value writeIdx =
        isNoValue(op.getWriteIndices()) ? Value() : adaptor.getWriteIndices();
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, past,
        emptyOfType(rewriter, loc, rt, dimsOf(rewriter, loc, past)),
        SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(rank)),
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto c = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          Value start = writeIdx ? (Value)arith::IndexCastOp::create(
                                       b, l, b.getIndexType(),
                                       tensor::ExtractOp::create(
                                           b, l, writeIdx, ValueRange{at[0]}))
                                 : c(0);
          // Offset of this position in the written window.
          Value pos = arith::SubIOp::create(b, l, at[axis], start);
          if (circular) {
            Value m = arith::MaxSIOp::create(b, l, maxLen, c(1));
            Value r = arith::RemSIOp::create(b, l, pos, m);
            Value neg =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, c(0));
            pos = arith::SelectOp::create(b, l, neg,
                                          arith::AddIOp::create(b, l, r, m), r);
          }
          Value inside = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, pos, c(0)),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos, len));
          at[axis] = arith::SelectOp::create(b, l, inside, pos, c(0));
          Value v = emptyUpdate
                        ? a[0]
                        : (Value)tensor::ExtractOp::create(b, l, upd, at);
          linalg::YieldOp::create(
              b, l, Value(arith::SelectOp::create(b, l, inside, v, a[0])));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Tile: out[i] = in[i mod in.shape] (repeats only fix the result shape).
struct TileLowering : OpConversionPattern<ONNXTileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!rt || !xt)
      return unsupported(rewriter, op, kNeedsRanked);
    MLIRContext *ctx = getContext();
    Location loc = op.getLoc();
    if (!xt.hasStaticShape() || !rt.hasStaticShape()) {
      // out[i] = in[i mod dims]: the modulo needs the run's dims.
      Value x = adaptor.getInput();
      SmallVector<OpFoldResult> dims;
      SmallVector<Value> inDims = dimValues(rewriter, loc, x);
      for (int64_t d = 0; d < xt.getRank(); ++d)
        dims.push_back(
            mulDims(rewriter, loc,
                    {dimOf(rewriter, loc, x, d),
                     indexElement(rewriter, loc, adaptor.getRepeats(), d)}));
      rewriter.replaceOp(
          op,
          generateFromIndices(
              rewriter, loc, rt,
              [&](OpBuilder &b, Location l, ValueRange iv) {
                SmallVector<Value> at;
                for (auto [i, n] : llvm::zip(iv, inDims))
                  at.push_back(arith::RemUIOp::create(
                      b, l, i,
                      arith::MaxSIOp::create(
                          b, l, n, arith::ConstantIndexOp::create(b, l, 1))));
                return tensor::ExtractOp::create(b, l, x, at).getResult();
              },
              withDeclaredDims(rewriter, loc, dims, rt)));
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < xt.getRank(); ++d)
      exprs.push_back(xt.getDimSize(d) == 0
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(d, ctx) % xt.getDimSize(d));
    if (rt.getNumElements() == 0) {
      rewriter.replaceOp(op, tensor::EmptyOp::create(rewriter, op.getLoc(),
                                                     rt.getShape(),
                                                     rt.getElementType()));
      return success();
    }
    int64_t rank = rt.getRank();
    auto g = linalg::GenericOp::create(
        rewriter, op.getLoc(), rt, adaptor.getInput(),
        Value(tensor::EmptyOp::create(rewriter, op.getLoc(), rt.getShape(),
                                      rt.getElementType())),
        SmallVector<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                               rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns
      .add<GatherElementsLowering, GatherNDLowering, ScatterElementsLowering,
           ScatterNDLowering, TileLowering, TensorScatterLowering>(
          patterns.getContext());
}
