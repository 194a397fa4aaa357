//===- Resize.cpp - Resize (opset 11+) to linalg --------------------------===//
//
// One linalg.generic over the output. For each resized axis the body maps
// the output index to a source coordinate (coordinate_transformation_mode,
// with the scale read from `scales`, or from `sizes` and the aspect-ratio
// policy), then takes the nearest element or the linear (2 taps) or cubic
// (4 taps) neighbours, clamped to the edge, optionally excluding taps
// outside the input. Taps of several axes combine as a tensor product,
// computed in float64 as the ONNX reference does. The output shape is the
// op's (static) result type; scales, sizes and roi may be run-time values.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// Element `i` of a static 1-D tensor as an f64 scalar.
Value elementAsF64(OpBuilder &b, Location loc, Value t, int64_t i) {
  Value v = tensor::ExtractOp::create(
      b, loc, t, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  Type f64 = b.getF64Type();
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, loc, f64, v);
  return toFloat(b, loc, v, f64);
}

struct ResizeLowering : OpConversionPattern<ONNXResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!rt || !xt || rt.getRank() != xt.getRank())
      return unsupported(rewriter, op, kNeedsRanked);
    StringRef mode = op.getMode();
    StringRef ctm = op.getCoordinateTransformationMode();
    StringRef policy = op.getKeepAspectRatioPolicy();
    bool nearest = mode == "nearest";
    if (!nearest && mode != "linear" && mode != "cubic")
      return unsupported(rewriter, op, "unknown mode '" + mode + "'");
    if (op.getAntialias() && !nearest)
      return unsupported(rewriter, op, "antialias is not supported yet");
    if (!nearest && !isa<FloatType>(rt.getElementType()))
      return unsupported(rewriter, op,
                         "linear and cubic modes need float tensors");
    if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric",
                             "pytorch_half_pixel", "align_corners",
                             "asymmetric", "tf_crop_and_resize"},
                            ctm))
      return unsupported(
          rewriter, op, "unknown coordinate_transformation_mode '" + ctm + "'");
    Location loc = op.getLoc();
    int64_t rank = rt.getRank();
    SmallVector<int64_t> axes;
    if (auto a = op.getAxes())
      for (Attribute x : *a)
        axes.push_back(normalizeAxis(cast<IntegerAttr>(x).getInt(), rank));
    else
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    auto staticLen = [](Value v) -> int64_t {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.hasStaticShape() && t.getRank() == 1 ? t.getDimSize(0) : -1;
    };
    int64_t nAxes = axes.size();
    bool hasScales =
        !isNoValue(op.getScales()) && staticLen(op.getScales()) > 0;
    bool hasSizes = !isNoValue(op.getSizes()) && staticLen(op.getSizes()) > 0;
    if (hasScales == hasSizes)
      return unsupported(rewriter, op, "give exactly one of scales and sizes");
    Value source = hasScales ? adaptor.getScales() : adaptor.getSizes();
    if (staticLen(source) != nAxes)
      return unsupported(rewriter, op,
                         "scales/sizes need one value per resized axis");
    bool tfCrop = ctm == "tf_crop_and_resize";
    if (tfCrop && staticLen(op.getRoi()) != 2 * nAxes)
      return unsupported(rewriter, op,
                         "tf_crop_and_resize needs roi with 2 values per axis");

    // Each resized axis' input length (f64 and i64) and scale, computed
    // once.
    Type f64 = rewriter.getF64Type(), i64 = rewriter.getI64Type();
    SmallVector<Value> inF(nAxes), inI(nAxes), scale(nAxes);
    for (int64_t k = 0; k < nAxes; ++k) {
      inI[k] = arith::IndexCastOp::create(
          rewriter, loc, i64,
          dimValue(rewriter, loc,
                   dimOf(rewriter, loc, adaptor.getX(), axes[k])));
      inF[k] = arith::SIToFPOp::create(rewriter, loc, f64, inI[k]);
      Value v = elementAsF64(rewriter, loc, source, k);
      if (hasSizes)
        v = arith::DivFOp::create(rewriter, loc, v, inF[k]);
      scale[k] = v;
    }
    if (hasSizes && policy != "stretch") {
      if (policy != "not_larger" && policy != "not_smaller")
        return unsupported(rewriter, op,
                           "unknown keep_aspect_ratio_policy '" + policy + "'");
      Value s = scale[0];
      for (int64_t k = 1; k < nAxes; ++k)
        s = policy == "not_larger"
                ? (Value)arith::MinimumFOp::create(rewriter, loc, s, scale[k])
                : (Value)arith::MaximumFOp::create(rewriter, loc, s, scale[k]);
      for (Value &v : scale)
        v = s;
    }
    SmallVector<Value> roiLo(nAxes), roiHi(nAxes);
    if (tfCrop)
      for (int64_t k = 0; k < nAxes; ++k) {
        roiLo[k] = elementAsF64(rewriter, loc, adaptor.getRoi(), k);
        roiHi[k] = elementAsF64(rewriter, loc, adaptor.getRoi(), nAxes + k);
      }
    // The output dims: the result type's, else floor(in * scale) for
    // scales, the sizes for 'stretch', round(in * scale) otherwise.
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, adaptor.getX());
    SmallVector<Value> outF(nAxes);
    for (int64_t k = 0; k < nAxes; ++k) {
      int64_t d = axes[k];
      Value n;
      if (!rt.isDynamicDim(d)) {
        n = arith::ConstantIntOp::create(rewriter, loc, i64, rt.getDimSize(d));
      } else if (hasSizes && policy == "stretch") {
        n = arith::FPToSIOp::create(rewriter, loc, i64,
                                    elementAsF64(rewriter, loc, source, k));
      } else {
        Value p = arith::MulFOp::create(rewriter, loc, inF[k], scale[k]);
        if (hasSizes)
          p = arith::AddFOp::create(
              rewriter, loc, p,
              arith::ConstantFloatOp::create(
                  rewriter, loc, cast<FloatType>(f64), APFloat(0.5)));
        n = arith::FPToSIOp::create(rewriter, loc, i64,
                                    math::FloorOp::create(rewriter, loc, p));
      }
      outF[k] = arith::SIToFPOp::create(rewriter, loc, f64, n);
      dims[d] =
          arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), n)
              .getResult();
    }
    dims = withDeclaredDims(rewriter, loc, dims, rt);

    double a = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside() != 0;
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    StringRef nearestMode = op.getNearestMode();
    Value x = adaptor.getX();
    Type et = rt.getElementType();
    auto body = [&](OpBuilder &b, Location l, ValueRange base) -> Value {
      Type f64 = b.getF64Type();
      auto f = [&](double v) -> Value {
        return arith::ConstantFloatOp::create(b, l, cast<FloatType>(f64),
                                              APFloat(v));
      };
      FloatArith m{b, l};
      auto cmp = [&](arith::CmpFPredicate pred, Value p, Value q) -> Value {
        return arith::CmpFOp::create(b, l, pred, p, q);
      };
      auto sel = [&](Value c, Value p, Value q) -> Value {
        return arith::SelectOp::create(b, l, c, p, q);
      };
      // An f64 position as a clamped index into a dim of `len` (i64).
      auto clampIndex = [&](Value v, Value len) -> Value {
        Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
        i = arith::MinSIOp::create(
            b, l, i,
            arith::SubIOp::create(
                b, l, len,
                arith::ConstantIntOp::create(b, l, b.getI64Type(), 1)));
        i = arith::MaxSIOp::create(
            b, l, i, arith::ConstantIntOp::create(b, l, b.getI64Type(), 0));
        return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
      };
      // Per resized axis: taps (index, weight).
      SmallVector<SmallVector<std::pair<Value, Value>>> taps(nAxes);
      Value extrapolated;
      for (int64_t k = 0; k < nAxes; ++k) {
        int64_t d = axes[k];
        Value inLen = inF[k], inLast = m.sub(inF[k], f(1.0));
        Value y = arith::UIToFPOp::create(
            b, l, f64,
            arith::IndexCastOp::create(b, l, b.getI64Type(), base[d]));
        Value s = scale[k];
        Value outW = m.mul(s, inLen); // the float output length
        Value outIsOne = cmp(arith::CmpFPredicate::OEQ, outW, f(1.0));
        Value halfPixel = m.sub(m.div(m.add(y, f(0.5)), s), f(0.5));
        Value xo;
        if (ctm == "half_pixel") {
          xo = halfPixel;
        } else if (ctm == "half_pixel_symmetric") {
          Value adjustment = m.div(outF[k], outW);
          Value offset = m.mul(m.div(inLen, f(2.0)), m.sub(f(1.0), adjustment));
          xo = m.add(offset, halfPixel);
        } else if (ctm == "pytorch_half_pixel") {
          xo = sel(outIsOne, f(-0.5), halfPixel);
        } else if (ctm == "align_corners") {
          xo = sel(outIsOne, f(0.0),
                   m.div(m.mul(y, inLast), m.sub(outW, f(1.0))));
        } else if (ctm == "asymmetric") {
          xo = m.div(y, s);
        } else { // tf_crop_and_resize
          Value span = m.mul(m.sub(roiHi[k], roiLo[k]), inLast);
          xo = sel(outIsOne, m.div(span, f(2.0)),
                   m.div(m.mul(y, span), m.sub(outW, f(1.0))));
          xo = m.add(xo, m.mul(roiLo[k], inLast));
          Value out = arith::OrIOp::create(
              b, l, cmp(arith::CmpFPredicate::OLT, xo, f(0.0)),
              cmp(arith::CmpFPredicate::OGT, xo, inLast));
          extrapolated =
              extrapolated
                  ? (Value)arith::OrIOp::create(b, l, extrapolated, out)
                  : out;
        }
        Value x0 = math::FloorOp::create(b, l, xo);
        Value r = m.sub(xo, x0);
        if (nearest) {
          // An integer coordinate is itself; otherwise round per mode.
          Value up;
          if (nearestMode == "round_prefer_ceil")
            up = cmp(arith::CmpFPredicate::OGE, r, f(0.5));
          else if (nearestMode == "floor")
            up = arith::ConstantIntOp::create(b, l, 0, 1);
          else if (nearestMode == "ceil")
            up = cmp(arith::CmpFPredicate::OGT, r, f(0.0));
          else
            up = cmp(arith::CmpFPredicate::OGT, r, f(0.5));
          taps[k].push_back(
              {clampIndex(sel(up, m.add(x0, f(1.0)), x0), inI[k]), f(1.0)});
          continue;
        }
        SmallVector<Value> w;
        int64_t first;
        if (mode == "linear") {
          w = {m.sub(f(1.0), r), r};
          first = 0;
        } else {                     // cubic, Keys with coefficient a
          auto near = [&](Value t) { // |t| <= 1
            return m.add(
                m.mul(m.mul(m.sub(m.mul(f(a + 2), t), f(a + 3)), t), t),
                f(1.0));
          };
          auto far = [&](Value t) { // 1 < |t| < 2
            return m.sub(m.mul(m.add(m.mul(m.sub(m.mul(f(a), t), f(5 * a)), t),
                                     f(8 * a)),
                               t),
                         f(4 * a));
          };
          Value one = f(1.0);
          w = {far(m.add(r, one)), near(r), near(m.sub(one, r)),
               far(m.sub(f(2.0), r))};
          first = -1;
        }
        Value sum = f(0.0);
        for (int64_t t = 0; t < int64_t(w.size()); ++t) {
          Value pos = m.add(x0, f(double(first + t)));
          if (excludeOutside) {
            Value inside = arith::AndIOp::create(
                b, l, cmp(arith::CmpFPredicate::OGE, pos, f(0.0)),
                cmp(arith::CmpFPredicate::OLE, pos, inLast));
            w[t] = sel(inside, w[t], f(0.0));
          }
          sum = m.add(sum, w[t]);
          taps[k].push_back({clampIndex(pos, inI[k]), w[t]});
        }
        if (excludeOutside) {
          Value zero = cmp(arith::CmpFPredicate::OEQ, sum, f(0.0));
          sum = sel(zero, f(1.0), sum);
          for (auto &tap : taps[k])
            tap.second = m.div(tap.second, sum);
        }
      }
      // The tensor product of the axes' taps.
      Value acc = f(0.0);
      SmallVector<int64_t> pick(nAxes, 0);
      Value result;
      while (true) {
        SmallVector<Value> at(base);
        Value weight;
        for (int64_t k = 0; k < nAxes; ++k) {
          auto [idx, w] = taps[k][pick[k]];
          at[axes[k]] = idx;
          weight = weight ? m.mul(weight, w) : w;
        }
        Value v = tensor::ExtractOp::create(b, l, x, at);
        if (nearest) {
          result = v;
          break;
        }
        acc = m.add(acc, m.mul(weight, toFloat(b, l, v, f64)));
        int64_t k = nAxes - 1;
        while (k >= 0 && ++pick[k] == int64_t(taps[k].size()))
          pick[k--] = 0;
        if (k < 0)
          break;
      }
      if (!nearest) {
        if (extrapolated)
          acc = sel(extrapolated, f(extrapolation), acc);
        result = toFloat(b, l, acc, et);
      } else if (extrapolated) {
        result =
            sel(extrapolated, scalarConstant(b, l, et, extrapolation), result);
      }
      return result;
    };
    rewriter.replaceOp(op, generateFromIndices(rewriter, loc, rt, body, dims));
    return success();
  }
};

} // namespace

void lowering::populateResizePatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}
