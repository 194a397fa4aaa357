//===- Shape.cpp - Data movement and constants to tensor/linalg -----------===//
//
// Reshapes become collapse/expand views, slicing and concatenation become
// extract/insert_slice (no copies once bufferized in place), Transpose is
// linalg.transpose and Gather a generic that reads with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// Reshape, Flatten, Squeeze, Unsqueeze: a view with the inferred shape.
template <typename OpTy>
struct ReshapeLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    Value in = adaptor.getOperands()[0];
    auto it = dyn_cast<RankedTensorType>(in.getType());
    if (!rt || !it || !it.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), in, rt));
    return success();
  }
};

/// Transpose with `perm` (default: reverse).
struct TransposeLowering : OpConversionPattern<ONNXTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    SmallVector<int64_t> perm = getIntArray(op.getPermAttr());
    if (perm.empty())
      for (int64_t i = rt.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), rt.getShape(),
                                         rt.getElementType());
    auto t = linalg::TransposeOp::create(rewriter, op.getLoc(),
                                         adaptor.getData(), init, perm);
    rewriter.replaceOp(op, t.getResult());
    return success();
  }
};

/// Concat: insert each input into an empty result.
struct ConcatLowering : OpConversionPattern<ONNXConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value acc = tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                        rt.getElementType());
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto it = cast<RankedTensorType>(in.getType());
      if (it.getNumElements() == 0)
        continue; // nothing to insert (and a slice may not start at the end)
      SmallVector<int64_t> offs(rank, 0), strides(rank, 1);
      offs[axis] = offset;
      acc = tensor::InsertSliceOp::create(rewriter, loc, in, acc, ValueRange{},
                                          ValueRange{}, ValueRange{}, offs,
                                          it.getShape(), strides);
      offset += it.getDimSize(axis);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// Split: one extract_slice per output.
struct SplitLowering : OpConversionPattern<ONNXSplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    Location loc = op.getLoc();
    int64_t offset = 0;
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      auto rt = staticResultType(op, i);
      if (!rt)
        return unsupported(rewriter, op, kNeedsStaticShapes);
      int64_t rank = rt.getRank();
      int64_t axis = normalizeAxis(op.getAxis(), rank);
      SmallVector<int64_t> offs(rank, 0), strides(rank, 1);
      offs[axis] = offset;
      offset += rt.getDimSize(axis);
      if (rt.getNumElements() == 0) { // a slice may not start at the end
        results.push_back(tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                                  rt.getElementType()));
        continue;
      }
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, rt, adaptor.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, offs, rt.getShape(), strides));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Slice with constant starts/axes/steps (positive steps).
struct SliceLowering : OpConversionPattern<ONNXSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Slice as a generic over the (declared, static) result that reads
  /// data[start_d + i * step_d]: for run-time starts, axes or steps, and
  /// for negative steps. start/step per dim are computed once from the
  /// inputs (start normalized and clamped as the ONNX reference does).
  static LogicalResult sliceByIndex(ONNXSliceOp op, OpAdaptor adaptor,
                                    ConversionPatternRewriter &rewriter,
                                    RankedTensorType rt, RankedTensorType it) {
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    auto st = dyn_cast<RankedTensorType>(op.getStarts().getType());
    if (!st || !st.hasStaticShape() || st.getRank() != 1)
      return unsupported(rewriter, op, "starts must have a static length");
    int64_t k = st.getDimSize(0);
    Type i64 = rewriter.getI64Type();
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(rewriter, loc, i64, v);
    };
    auto elem = [&](Value t, int64_t j) -> Value {
      Value v = tensor::ExtractOp::create(
          rewriter, loc, t,
          ValueRange{arith::ConstantIndexOp::create(rewriter, loc, j)});
      return v.getType() == i64
                 ? v
                 : (Value)arith::ExtSIOp::create(rewriter, loc, i64, v);
    };
    auto sel = [&](Value cond, Value a, Value b) -> Value {
      return arith::SelectOp::create(rewriter, loc, cond, a, b);
    };
    auto cmp = [&](arith::CmpIPredicate p, Value a, Value b) -> Value {
      return arith::CmpIOp::create(rewriter, loc, p, a, b);
    };
    using P = arith::CmpIPredicate;
    SmallVector<Value> start(rank), step(rank);
    for (int64_t d = 0; d < rank; ++d) {
      start[d] = c(0);
      step[d] = c(1);
    }
    for (int64_t j = 0; j < k; ++j) {
      Value a = isNoValue(op.getAxes()) ? c(j) : elem(adaptor.getAxes(), j);
      a = sel(cmp(P::slt, a, c(0)),
              arith::AddIOp::create(rewriter, loc, a, c(rank)), a);
      Value s = elem(adaptor.getStarts(), j);
      Value stp = isNoValue(op.getSteps()) ? c(1) : elem(adaptor.getSteps(), j);
      for (int64_t d = 0; d < rank; ++d) {
        int64_t dim = it.getDimSize(d);
        Value sd = sel(cmp(P::slt, s, c(0)),
                       arith::AddIOp::create(rewriter, loc, s, c(dim)), s);
        Value pos = cmp(P::sgt, stp, c(0));
        Value lo = sel(pos, c(0), c(-1)), hi = sel(pos, c(dim), c(dim - 1));
        sd = arith::MinSIOp::create(
            rewriter, loc, arith::MaxSIOp::create(rewriter, loc, sd, lo), hi);
        Value here = cmp(P::eq, a, c(d));
        start[d] = sel(here, sd, start[d]);
        step[d] = sel(here, stp, step[d]);
      }
    }
    Value data = adaptor.getData();
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{},
        Value(tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                      rt.getElementType())),
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, d));
            Value x = arith::AddIOp::create(
                b, l, start[d], arith::MulIOp::create(b, l, i, step[d]));
            // In bounds for a consistent model; clamped so that no input
            // can read outside the buffer.
            x = arith::MaxSIOp::create(
                b, l, x, arith::ConstantIntOp::create(b, l, b.getI64Type(), 0));
            x = arith::MinSIOp::create(
                b, l, x,
                arith::ConstantIntOp::create(
                    b, l, b.getI64Type(),
                    std::max<int64_t>(it.getDimSize(d) - 1, 0)));
            at.push_back(arith::IndexCastOp::create(b, l, b.getIndexType(), x));
          }
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }

  LogicalResult
  matchAndRewrite(ONNXSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto it = dyn_cast<RankedTensorType>(op.getData().getType());
    if (!rt || !it || !it.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    auto starts = getConstantInts(op.getStarts());
    auto constOrAbsent = [](Value v) {
      return isNoValue(v) || getConstantInts(v).has_value();
    };
    bool negativeStep = false;
    if (!isNoValue(op.getSteps()))
      if (auto s = getConstantInts(op.getSteps()))
        negativeStep = llvm::any_of(*s, [](int64_t x) { return x < 0; });
    if (!starts || !constOrAbsent(op.getAxes()) ||
        !constOrAbsent(op.getSteps()) || negativeStep)
      return sliceByIndex(op, adaptor, rewriter, rt, it);
    int64_t rank = rt.getRank();
    SmallVector<int64_t> axes, steps(starts->size(), 1);
    if (!isNoValue(op.getAxes())) {
      auto a = getConstantInts(op.getAxes());
      if (!a)
        return unsupported(rewriter, op, "axes must be a constant");
      axes = *a;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (!isNoValue(op.getSteps())) {
      auto s = getConstantInts(op.getSteps());
      if (!s)
        return unsupported(rewriter, op, "steps must be a constant");
      steps = *s;
    }
    SmallVector<int64_t> offs(rank, 0), strides(rank, 1);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t ax = axes[i] < 0 ? axes[i] + rank : axes[i];
      int64_t dim = it.getDimSize(ax);
      if (steps[i] == 0)
        return unsupported(rewriter, op, "a step of 0 is not allowed");
      int64_t s = (*starts)[i] < 0 ? (*starts)[i] + dim : (*starts)[i];
      offs[ax] = std::clamp<int64_t>(s, 0, dim);
      strides[ax] = steps[i];
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, rt, adaptor.getData(), ValueRange{}, ValueRange{}, ValueRange{},
        offs, rt.getShape(), strides);
    return success();
  }
};

/// Gather along `axis`: out[o.., i.., n..] = data[o.., idx[i..], n..].
struct GatherLowering : OpConversionPattern<ONNXGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto dt = dyn_cast<RankedTensorType>(op.getData().getType());
    auto it = dyn_cast<RankedTensorType>(op.getIndices().getType());
    if (!rt || !dt || !it || !dt.hasStaticShape())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t axis = normalizeAxis(op.getAxis(), dt.getRank());
    int64_t ir = it.getRank(), rank = rt.getRank();
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < ir; ++i)
      ie.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, ie, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value init = tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                         rt.getElementType());
    Value data = adaptor.getData();
    int64_t axisDim = dt.getDimSize(axis);
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, adaptor.getIndices(), init, maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          // Negative indices count from the end.
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          Value dim = arith::ConstantIndexOp::create(b, l, axisDim);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value neg =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
          idx = arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, idx, dim), idx);
          SmallVector<Value> coords;
          for (int64_t i = 0; i < axis; ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i));
          coords.push_back(idx);
          for (int64_t i = axis + 1; i < dt.getRank(); ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i - 1 + ir));
          Value v = tensor::ExtractOp::create(b, l, data, coords);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Pad as a generic over the output that maps each index back into the
/// input: reflect (mirror without the edge), edge (clamp), wrap (modulo),
/// or constant (the value outside; negative pads crop).
Value padByIndex(OpBuilder &b, Location loc, Value x, RankedTensorType rt,
                 ArrayRef<Value> lo, StringRef mode, Value pv) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = rt.getRank();
  return linalg::GenericOp::create(
             b, loc, rt, ValueRange{},
             Value(tensor::EmptyOp::create(b, loc, rt.getShape(),
                                           rt.getElementType())),
             SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               auto c = [&](int64_t v) -> Value {
                 return arith::ConstantIndexOp::create(nb, l, v);
               };
               auto mod = [&](Value v, int64_t m) -> Value { // non-negative
                 Value r = arith::RemSIOp::create(nb, l, v, c(m));
                 Value neg = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::slt, r, c(0));
                 return arith::SelectOp::create(
                     nb, l, neg, arith::AddIOp::create(nb, l, r, c(m)), r);
               };
               SmallVector<Value> at;
               Value inside = arith::ConstantIntOp::create(nb, l, 1, 1);
               for (int64_t d = 0; d < rank; ++d) {
                 int64_t n = xt.getDimSize(d);
                 Value i = arith::SubIOp::create(
                     nb, l, linalg::IndexOp::create(nb, l, d), lo[d]);
                 if (mode == "edge") {
                   i = arith::MaxSIOp::create(nb, l, i, c(0));
                   i = arith::MinSIOp::create(nb, l, i, c(n - 1));
                 } else if (mode == "wrap") {
                   i = mod(i, n);
                 } else if (mode == "reflect") {
                   if (n == 1) {
                     i = c(0);
                   } else {
                     Value j = mod(i, 2 * (n - 1));
                     Value back = arith::CmpIOp::create(
                         nb, l, arith::CmpIPredicate::sge, j, c(n));
                     i = arith::SelectOp::create(
                         nb, l, back,
                         arith::SubIOp::create(nb, l, c(2 * (n - 1)), j), j);
                   }
                 } else {
                   Value ok = arith::AndIOp::create(
                       nb, l,
                       arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge,
                                             i, c(0)),
                       arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                             i, c(n)));
                   inside = arith::AndIOp::create(nb, l, inside, ok);
                   i = arith::MaxSIOp::create(nb, l, i, c(0));
                   i = arith::MinSIOp::create(nb, l, i,
                                              c(std::max<int64_t>(n - 1, 0)));
                 }
                 at.push_back(i);
               }
               Value v = xt.getNumElements() == 0
                             ? pv
                             : (Value)tensor::ExtractOp::create(nb, l, x, at);
               if (mode == "constant")
                 v = arith::SelectOp::create(nb, l, inside, v, pv);
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

/// CenterCropPad: each dim of the (declared) result is the input's centre
/// crop or zero-padded centre: start (in - out) / 2, or the input placed at
/// (out - in) / 2.
struct CenterCropPadLowering : OpConversionPattern<ONNXCenterCropPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCenterCropPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto xt = dyn_cast<RankedTensorType>(op.getInputData().getType());
    if (!rt || !xt || !xt.hasStaticShape() || xt.getRank() != rt.getRank())
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    SmallVector<Value> lo;
    for (int64_t d = 0; d < rt.getRank(); ++d) {
      int64_t in = xt.getDimSize(d), out = rt.getDimSize(d);
      // padByIndex reads input index (o - lo).
      lo.push_back(arith::ConstantIndexOp::create(
          rewriter, loc, in >= out ? -((in - out) / 2) : (out - in) / 2));
    }
    rewriter.replaceOp(
        op,
        padByIndex(rewriter, loc, adaptor.getInputData(), rt, lo, "constant",
                   scalarConstant(rewriter, loc, rt.getElementType(), 0)));
    return success();
  }
};

/// Pad with constant pads (and axes, when given).
struct PadLowering : OpConversionPattern<ONNXPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    auto pads = getConstantInts(op.getPads());
    if (!rt)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge" &&
        mode != "wrap")
      return unsupported(rewriter, op, "unknown mode '" + mode + "'");
    auto padsT = dyn_cast<RankedTensorType>(op.getPads().getType());
    if (!pads && (!padsT || !padsT.hasStaticShape() || padsT.getRank() != 1))
      return unsupported(rewriter, op, "pads must have a static length");
    int64_t rank = rt.getRank();
    // Pads per padded axis (all axes when none are given).
    SmallVector<int64_t> axes;
    if (!isNoValue(op.getAxes())) {
      auto a = getConstantInts(op.getAxes());
      if (!a)
        return unsupported(rewriter, op, "axes must be a constant");
      for (int64_t x : *a)
        axes.push_back(normalizeAxis(x, rank));
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    int64_t nPads = pads ? pads->size() : padsT.getDimSize(0);
    if (nPads != int64_t(2 * axes.size()))
      return unsupported(rewriter, op, "needs two pads per padded axis");
    Location loc = op.getLoc();
    Value pv;
    if (!isNoValue(op.getConstantValue())) {
      if (DenseElementsAttr c = getDenseConstant(op.getConstantValue()))
        pv = arith::ConstantOp::create(
            rewriter, loc,
            signless(cast<TypedAttr>(*c.getValues<Attribute>().begin())));
      else // a run-time scalar
        pv = tensor::ExtractOp::create(
            rewriter, loc, adaptor.getConstantValue(),
            SmallVector<Value>(
                cast<RankedTensorType>(op.getConstantValue().getType())
                    .getRank(),
                arith::ConstantIndexOp::create(rewriter, loc, 0)));
    } else {
      pv = scalarConstant(rewriter, loc, rt.getElementType(), 0.0);
    }
    // Run-time pads: the result type fixes the sizes; the begin pads are
    // read when the op runs.
    SmallVector<Value> loValues(rank);
    for (int64_t d = 0; d < rank; ++d)
      loValues[d] = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (size_t i = 0; i < axes.size(); ++i)
      loValues[axes[i]] =
          pads
              ? (Value)arith::ConstantIndexOp::create(rewriter, loc, (*pads)[i])
              : (Value)arith::IndexCastOp::create(
                    rewriter, loc, rewriter.getIndexType(),
                    tensor::ExtractOp::create(
                        rewriter, loc, adaptor.getPads(),
                        ValueRange{
                            arith::ConstantIndexOp::create(rewriter, loc, i)}));
    if (!pads || mode != "constant" ||
        llvm::any_of(*pads, [](int64_t p) { return p < 0; })) {
      rewriter.replaceOp(op, padByIndex(rewriter, loc, adaptor.getData(), rt,
                                        loValues, mode, pv));
      return success();
    }
    SmallVector<int64_t> lo(rank, 0), hi(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      lo[axes[i]] = (*pads)[i];
      hi[axes[i]] = (*pads)[i + axes.size()];
    }
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, rt, adaptor.getData(), getAsIndexOpFoldResult(getContext(), lo),
        getAsIndexOpFoldResult(getContext(), hi), pv);
    return success();
  }
};

/// Constant: the attribute itself (dense or a resource blob).
struct ConstantLowering : OpConversionPattern<ONNXConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = op.getValue();
    if (!value)
      return unsupported(rewriter, op,
                         "only the value attribute form is supported");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, signless(cast<TypedAttr>(*value)));
    return success();
  }
};

/// ConstantOfShape with a static result: a filled tensor.
struct ConstantOfShapeLowering : OpConversionPattern<ONNXConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOfShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    Value c;
    if (auto v = op.getValue()) {
      auto dense = dyn_cast<DenseElementsAttr>(*v);
      if (!dense)
        return unsupported(rewriter, op, "value must be dense");
      c = arith::ConstantOp::create(
          rewriter, loc,
          signless(cast<TypedAttr>(*dense.getValues<Attribute>().begin())));
    } else {
      c = scalarConstant(rewriter, loc, rt.getElementType(), 0.0);
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                         rt.getElementType());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, c, init);
    return success();
  }
};

/// Shape of a static tensor (normally folded away before lowering).
struct ShapeLowering : OpConversionPattern<ONNXShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<DenseElementsAttr> folded;
    if (failed(foldConstants(op, folded)))
      return unsupported(rewriter, op, kNeedsStaticShapes);
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded[0]);
    return success();
  }
};

} // namespace

void lowering::populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<
      ReshapeLikeLowering<ONNXReshapeOp>, ReshapeLikeLowering<ONNXFlattenOp>,
      ReshapeLikeLowering<ONNXSqueezeOp>, ReshapeLikeLowering<ONNXUnsqueezeOp>,
      TransposeLowering, ConcatLowering, SplitLowering, SliceLowering,
      GatherLowering, PadLowering, CenterCropPadLowering, ConstantLowering,
      ConstantOfShapeLowering, ShapeLowering>(patterns.getContext());
}
