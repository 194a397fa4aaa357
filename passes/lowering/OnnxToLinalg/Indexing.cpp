//===- Indexing.cpp - Data-dependent gathers and scatters to linalg/scf ---===//
//
// Gather checks its indices once each in a generic of its own, then reads
// a row of the data per index.
// GatherElements and GatherND read through their indices inside a
// linalg.generic (tensor.extract). ScatterElements and ScatterND apply
// their updates in order, as the ONNX reference does, with an scf.for nest
// that carries the output tensor (bufferization updates it in place).
// Tile reads the input modulo its shape. Negative indices count from the
// end of their dimension; every index read from tensor data is checked
// against its dimension at run time (mcc.check_index), and the dims the
// indices must fit within are shape checks.
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
/// indices[prefix..., 0 .. k-1], each checked against data dim `first + j`.
SmallVector<Value> indexTuple(OpBuilder &b, Location l, Value indices,
                              ValueRange prefix, int64_t k,
                              ArrayRef<Value> dataDims, int64_t first) {
  SmallVector<Value> at;
  for (int64_t j = 0; j < k; ++j) {
    SmallVector<Value> c(prefix);
    c.push_back(arith::ConstantIndexOp::create(b, l, j));
    Value v = tensor::ExtractOp::create(b, l, indices, c);
    at.push_back(checkedIndex(b, l, v, dataDims[first + j],
                              "index into dimension " + Twine(first + j) +
                                  " of its data"));
  }
  return at;
}

/// Where reads or writes through checked indices into data dims
/// [first, first + k) must be skipped (null when all are static positive).
Value nonEmptyDims(OpBuilder &b, Location loc, Value data, int64_t first,
                   int64_t k) {
  SmallVector<Value> conds;
  for (int64_t d = first; d < first + k; ++d)
    conds.push_back(nonEmptyDim(b, loc, dimOf(b, loc, data, d)));
  return allOf(b, loc, conds);
}

/// Checks that n dims of `a` from `aFirst` are equal to (`within`: at most)
/// those of `b` from `bFirst`, except `a`'s dim `skip`: at compile time
/// where both are static, else in the shape function.
LogicalResult checkDims(ConversionPatternRewriter &rewriter, Operation *op,
                        Value a, int64_t aFirst, Value b, int64_t bFirst,
                        int64_t n, bool within, const Twine &what,
                        int64_t skip = -1) {
  Location loc = op->getLoc();
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  if (aFirst + n > at.getRank() || bFirst + n > bt.getRank())
    return unsupported(rewriter, op, what + ": ranks do not fit");
  for (int64_t d = 0; d < n; ++d) {
    int64_t ad = aFirst + d, bdim = bFirst + d;
    if (ad == skip)
      continue;
    std::string msg = (what + " (dimension " + Twine(ad) + ")").str();
    if (!at.isDynamicDim(ad) && !bt.isDynamicDim(bdim)) {
      int64_t x = at.getDimSize(ad), y = bt.getDimSize(bdim);
      if (within ? x > y : x != y)
        return unsupported(rewriter, op, msg);
      continue;
    }
    OpFoldResult x = dimOf(rewriter, loc, a, ad),
                 y = dimOf(rewriter, loc, b, bdim);
    if (!within) {
      checkSameDim(rewriter, loc, x, y, msg);
      continue;
    }
    checkShape(rewriter, loc,
               arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sle,
                                     dimValue(rewriter, loc, x),
                                     dimValue(rewriter, loc, y)),
               msg);
  }
  return success();
}

/// Every dim of `v` as an index value (for use inside loop bodies).
SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> out;
  for (OpFoldResult d : dimsOf(b, loc, v))
    out.push_back(dimValue(b, loc, d));
  return out;
}

/// acc with updates[ivs] stored at `at` (combined with what is there per
/// `reduction`); under scf.if `guard` when it is non-null.
Value scatterOne(OpBuilder &b, Location l, Value acc, ValueRange at,
                 Value updates, ValueRange ivs, StringRef reduction,
                 bool isUnsigned, Value guard) {
  auto store = [&](OpBuilder &nb, Location nl) -> Value {
    Value upd = tensor::ExtractOp::create(nb, nl, updates, ivs);
    if (reduction != "none")
      upd =
          combine(nb, nl, reduction, tensor::ExtractOp::create(nb, nl, acc, at),
                  upd, isUnsigned);
    return tensor::InsertOp::create(nb, nl, upd, acc, at);
  };
  if (!guard)
    return store(b, l);
  return scf::IfOp::create(
             b, l, guard,
             [&](OpBuilder &nb, Location nl) {
               scf::YieldOp::create(nb, nl, store(nb, nl));
             },
             [&](OpBuilder &nb, Location nl) {
               scf::YieldOp::create(nb, nl, acc);
             })
      .getResult(0);
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

/// Whether every value of `indices` (a constant) lies in [-dim, dim).
/// Fails with the first that does not; nullopt when the indices are no
/// constant or the dim is dynamic (checked at run time then).
std::optional<LogicalResult> constantIndicesInRange(Value indices, int64_t dim,
                                                    std::string &why) {
  DenseElementsAttr c = getDenseConstant(indices);
  if (!c || ShapedType::isDynamic(dim))
    return std::nullopt;
  for (const APInt &v : c.getValues<APInt>()) {
    int64_t i = v.getSExtValue();
    if (i < -dim || i >= dim) {
      why = "index " + std::to_string(i) +
            " is out of range for a dimension "
            "of size " +
            std::to_string(dim);
      return failure();
    }
  }
  return success();
}

/// Gather along `axis`: out[o.., i.., n..] = data[o.., idx[i..], n..].
/// Indices read at run time are checked once each, in a generic of their
/// own (the gather reads each one for a whole row of `n..`).
struct GatherLowering : OpConversionPattern<ONNXGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto dt = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    auto it = dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!rt || !dt || !it)
      return unsupported(rewriter, op, kNeedsRanked);
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t axis = normalizeAxis(op.getAxis(), dt.getRank());
    int64_t ir = it.getRank(), rank = rt.getRank();
    std::string why;
    std::optional<LogicalResult> constant =
        constantIndicesInRange(op.getIndices(), dt.getDimSize(axis), why);
    if (constant && failed(*constant))
      return unsupported(rewriter, op, why);
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < ir; ++i)
      ie.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, ie, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    SmallVector<OpFoldResult> dataDims = dimsOf(rewriter, loc, data);
    SmallVector<OpFoldResult> dims(ArrayRef(dataDims).take_front(axis));
    llvm::append_range(dims, dimsOf(rewriter, loc, indices));
    llvm::append_range(dims, ArrayRef(dataDims).drop_front(axis + 1));
    Value init = emptyOfType(rewriter, loc, rt, dims);
    Value axisDim = dimValue(rewriter, loc, dataDims[axis]);
    Value guard;
    if (!constant) {
      // Checked positions in [0, dim), as i64.
      Type i64 = rewriter.getI64Type();
      SmallVector<AffineMap> id(2, rewriter.getMultiDimIdentityMap(ir));
      indices =
          linalg::GenericOp::create(
              rewriter, loc, RankedTensorType::get(it.getShape(), i64), indices,
              emptyOfType(rewriter, loc,
                          RankedTensorType::get(it.getShape(), i64),
                          dimsOf(rewriter, loc, indices)),
              id, SmallVector<IteratorType>(ir, IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value i = checkedIndex(b, l, a[0], axisDim,
                                       "index into axis " + Twine(axis) +
                                           " of its data");
                linalg::YieldOp::create(
                    b, l, Value(arith::IndexCastOp::create(b, l, i64, i)));
              })
              .getResult(0);
      guard = nonEmptyDim(rewriter, loc, dataDims[axis]);
    }
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, indices, init, maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          if (constant) {
            // Negative indices count from the end.
            Value zero = arith::ConstantIndexOp::create(b, l, 0);
            Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              idx, zero);
            idx = arith::SelectOp::create(
                b, l, neg, arith::AddIOp::create(b, l, idx, axisDim), idx);
          }
          SmallVector<Value> coords;
          for (int64_t i = 0; i < axis; ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i));
          coords.push_back(idx);
          for (int64_t i = axis + 1; i < dt.getRank(); ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i - 1 + ir));
          linalg::YieldOp::create(b, l,
                                  guardedExtract(b, l, data, coords, guard));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

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
    if (failed(checkDims(rewriter, op, adaptor.getIndices(), 0, data, 0, rank,
                         /*within=*/true, "the indices exceed the data", axis)))
      return failure();
    Value axisDim = dimValue(rewriter, loc, dimOf(rewriter, loc, data, axis));
    Value guard = nonEmptyDims(rewriter, loc, data, axis, 1);
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, adaptor.getIndices(),
        emptyOfType(rewriter, loc, rt,
                    dimsOf(rewriter, loc, adaptor.getIndices())),
        SmallVector<AffineMap>(2, rewriter.getMultiDimIdentityMap(rank)),
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(d == axis
                             ? checkedIndex(b, l, a[0], axisDim,
                                            "index into axis " + Twine(axis) +
                                                " of its data")
                             : (Value)linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(b, l, guardedExtract(b, l, data, at, guard));
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
    if (bd + k > dt.getRank())
      return unsupported(rewriter, op,
                         "batch_dims plus the index tuple's length exceed "
                         "the data's rank");
    if (failed(checkDims(rewriter, op, indices, 0, data, 0, bd, false,
                         "the batch dimensions of the indices and the data "
                         "differ")))
      return failure();
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    Value guard = nonEmptyDims(rewriter, loc, data, bd, k);
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
          linalg::YieldOp::create(b, l, guardedExtract(b, l, data, at, guard));
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
    Value data = adaptor.getData();
    if (cast<RankedTensorType>(indices.getType()).getRank() != rank ||
        cast<RankedTensorType>(updates.getType()).getRank() != rank)
      return unsupported(rewriter, op,
                         "the indices and updates must have the data's rank");
    if (failed(checkDims(rewriter, op, indices, 0, data, 0, rank, true,
                         "the indices exceed the data", axis)) ||
        failed(checkDims(rewriter, op, updates, 0, indices, 0, rank, false,
                         "the updates and the indices differ in shape")))
      return failure();
    Value axisDim = dimValue(rewriter, loc, dimOf(rewriter, loc, data, axis));
    Value guard = nonEmptyDims(rewriter, loc, data, axis, 1);
    Value r = forEach(
        rewriter, loc, dimsOf(rewriter, loc, indices), data,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          Value idx = tensor::ExtractOp::create(b, l, indices, ivs);
          SmallVector<Value> at(ivs);
          at[axis] =
              checkedIndex(b, l, idx, axisDim,
                           "index into axis " + Twine(axis) + " of its data");
          return scatterOne(b, l, acc, at, updates, ivs, red, u, guard);
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
    Value data = adaptor.getData();
    auto dt = cast<RankedTensorType>(data.getType());
    auto ut = cast<RankedTensorType>(updates.getType());
    // Updates have shape indices.shape[:-1] + data.shape[k:].
    if (k > dt.getRank() || ut.getRank() != q - 1 + dt.getRank() - k)
      return unsupported(rewriter, op,
                         "the updates' rank must be the indices' rank - 1 "
                         "plus the data's rank - the index tuple's length");
    if (failed(checkDims(rewriter, op, updates, 0, indices, 0, q - 1, false,
                         "the updates' leading dimensions differ from the "
                         "indices'")) ||
        failed(checkDims(rewriter, op, updates, q - 1, data, k,
                         dt.getRank() - k, false,
                         "the updates' trailing dimensions differ from the "
                         "data's")))
      return failure();
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    Value guard = nonEmptyDims(rewriter, loc, data, 0, k);
    Value r = forEach(
        rewriter, loc, dimsOf(rewriter, loc, updates), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          SmallVector<Value> at =
              indexTuple(b, l, indices, ivs.take_front(q - 1), k, dataDims, 0);
          llvm::append_range(at, ivs.drop_front(q - 1));
          return scatterOne(b, l, acc, at, updates, ivs, red, u, guard);
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
    if (writeIdx && !isa<RankedTensorType>(writeIdx.getType()))
      return unsupported(rewriter, op, "write_indices must be ranked");
    // The update reads at the cache's positions off the axis, and
    // write_indices at the batch position.
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        checkSameDim(rewriter, loc, dimOf(rewriter, loc, upd, d),
                     dimOf(rewriter, loc, past, d),
                     "dimension " + Twine(d) +
                         " of the update differs from the cache's");
    if (writeIdx) {
      checkSameDim(rewriter, loc, dimOf(rewriter, loc, writeIdx, 0),
                   dimOf(rewriter, loc, past, 0),
                   "write_indices has not one entry per batch");
      // Linear mode: the window [start, start + len) lies in the cache, as
      // the spec asks (onnxruntime errors); circular wraps any start.
      if (!circular) {
        checkShape(rewriter, loc,
                   arith::CmpIOp::create(
                       rewriter, loc, arith::CmpIPredicate::sle, len, maxLen),
                   "the update is longer than the cache");
        Value room = arith::AddIOp::create(
            rewriter, loc, arith::SubIOp::create(rewriter, loc, maxLen, len),
            arith::ConstantIndexOp::create(rewriter, loc, 1));
        auto wt = cast<RankedTensorType>(writeIdx.getType());
        SmallVector<AffineMap> id(2, rewriter.getMultiDimIdentityMap(1));
        writeIdx =
            linalg::GenericOp::create(
                rewriter, loc, wt, writeIdx,
                emptyOfType(rewriter, loc, wt, dimsOf(rewriter, loc, writeIdx)),
                id, SmallVector<IteratorType>(1, IteratorType::parallel),
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value i =
                      checkedIndex(b, l, a[0], room,
                                   "write index along axis " + Twine(axis) +
                                       " (the update must fit in the "
                                       "cache)",
                                   /*negative=*/false);
                  linalg::YieldOp::create(b, l,
                                          Value(arith::IndexCastOp::create(
                                              b, l, wt.getElementType(), i)));
                })
                .getResult(0);
      }
    }
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
      for (int64_t d = 0; d < xt.getRank(); ++d)
        checkNonNegative(rewriter, loc, dims[d],
                         "repeats make dimension " + Twine(d) +
                             " of the result negative");
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
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering, TileLowering,
               TensorScatterLowering>(patterns.getContext());
}
