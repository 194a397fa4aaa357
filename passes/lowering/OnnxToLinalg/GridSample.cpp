//===- GridSample.cpp - GridSample (opset 20+) to linalg ------------------===//
//
// One linalg.generic over Y [N, C, out...]: the body reads the grid's
// normalized coordinates (last dim x, y[, z] = the innermost dim first),
// denormalizes them (align_corners or not), applies the padding mode to
// coordinates outside the border (clamp or reflect), then takes the
// nearest pixel (rint) or blends the linear (2) or cubic (4, Keys -0.75)
// taps per dim; a tap outside the image is 0 (zeros), clamped (border) or
// reflected (reflection), as the ONNX reference does. AffineGrid, which
// makes such grids, lives here too.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

struct GridSampleLowering : OpConversionPattern<ONNXGridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto gt = dyn_cast<RankedTensorType>(adaptor.getGrid().getType());
    if (!rt || !xt || !gt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t nd = xt.getRank() - 2;
    if (nd < 1 || gt.getRank() != nd + 2 ||
        (!gt.isDynamicDim(nd + 1) && gt.getShape().back() != nd))
      return unsupported(rewriter, op,
                         "grid must be [N, out..., spatial rank]");
    Location loc = op.getLoc();
    checkSameDim(rewriter, loc, dimOf(rewriter, loc, adaptor.getGrid(), nd + 1),
                 rewriter.getIndexAttr(nd),
                 "the grid's last dimension must be the spatial rank");
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    if (mode == "bilinear")
      mode = "linear";
    else if (mode == "bicubic")
      mode = "cubic";
    if (mode != "linear" && mode != "nearest" && mode != "cubic")
      return unsupported(rewriter, op, "unknown mode '" + mode + "'");
    if (padding != "zeros" && padding != "border" && padding != "reflection")
      return unsupported(rewriter, op,
                         "unknown padding_mode '" + padding + "'");
    Type et = rt.getElementType();
    if (!isa<FloatType>(et))
      return unsupported(rewriter, op, "needs a float input");
    bool align = op.getAlignCorners() != 0;
    Value x = adaptor.getX(), grid = adaptor.getGrid();
    Type ft = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    // The input's spatial sizes, as floats.
    SmallVector<Value> lens(nd);
    for (int64_t i = 0; i < nd; ++i)
      lens[i] = arith::SIToFPOp::create(
          rewriter, loc, ft,
          arith::IndexCastOp::create(
              rewriter, loc, rewriter.getI64Type(),
              dimValue(rewriter, loc, dimOf(rewriter, loc, x, 2 + i))));
    // The result: [N, C] of the input, the grid's output dims.
    SmallVector<OpFoldResult> dims = {dimOf(rewriter, loc, x, 0),
                                      dimOf(rewriter, loc, x, 1)};
    for (int64_t i = 0; i < nd; ++i)
      dims.push_back(dimOf(rewriter, loc, grid, 1 + i));
    auto body = [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
      auto f = [&](double v) -> Value { return scalarConstant(b, l, ft, v); };
      FloatArith m{b, l};
      auto sel = [&](Value c, Value p, Value q) -> Value {
        return arith::SelectOp::create(b, l, c, p, q);
      };
      // maxnumf/minnumf: a NaN coordinate (NaN or Inf in the grid) becomes
      // a bound, never an index outside the image.
      auto clamp = [&](Value v, Value lo, Value hi) -> Value {
        return arith::MinNumFOp::create(
            b, l, arith::MaxNumFOp::create(b, l, v, lo), hi);
      };
      // Reflect by the near border until inside [lo, hi].
      auto reflect = [&](Value v, Value lo, Value hi) -> Value {
        Value rng = m.sub(hi, lo);
        auto side = [&](Value dx, Value nearB, Value farB, bool up) {
          Value n = math::FloorOp::create(b, l, m.div(dx, rng));
          Value r = m.sub(dx, m.mul(n, rng));
          Value odd = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ,
              m.sub(n,
                    m.mul(f(2), math::FloorOp::create(b, l, m.div(n, f(2))))),
              f(1));
          Value even = up ? m.add(nearB, r) : m.sub(nearB, r);
          Value oddV = up ? m.sub(farB, r) : m.add(farB, r);
          return sel(odd, oddV, even);
        };
        Value below = side(m.sub(lo, v), lo, hi, true);
        Value above = side(m.sub(v, hi), hi, lo, false);
        return sel(m.lt(v, lo), below, sel(m.lt(hi, v), above, v));
      };
      // The valid coordinate range of spatial dim i.
      auto lowOf = [&]() { return f(align ? 0 : -0.5); };
      auto highOf = [&](int64_t i) {
        return m.sub(lens[i], f(align ? 1 : 0.5));
      };
      // Source coordinate per spatial dim (i = 0 is the outermost).
      SmallVector<Value> coord(nd);
      for (int64_t i = 0; i < nd; ++i) {
        SmallVector<Value> at = {iv[0]};
        at.append(iv.begin() + 2, iv.end());
        at.push_back(arith::ConstantIndexOp::create(b, l, nd - 1 - i));
        Value g = toFloat(b, l, tensor::ExtractOp::create(b, l, grid, at), ft);
        Value n = lens[i];
        Value c = align ? m.mul(m.mul(m.add(g, f(1)), f(0.5)), m.sub(n, f(1)))
                        : m.mul(m.sub(m.mul(m.add(g, f(1)), n), f(1)), f(0.5));
        if (mode == "nearest")
          c = math::RoundEvenOp::create(b, l, c);
        Value lo = lowOf(), hi = highOf(i);
        Value outside = arith::OrIOp::create(b, l, m.lt(c, lo), m.lt(hi, c));
        if (padding == "border")
          c = sel(outside, clamp(c, f(0), m.sub(n, f(1))), c);
        else if (padding == "reflection")
          c = sel(outside, reflect(c, lo, hi), c);
        coord[i] = c;
      }
      // The value at integer position `pos` (as floats) per the padding.
      auto pixel = [&](ArrayRef<Value> pos) -> Value {
        SmallVector<Value> at = {iv[0], iv[1]};
        Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
        for (int64_t i = 0; i < nd; ++i) {
          Value n = lens[i], last = m.sub(lens[i], f(1));
          Value p = pos[i];
          if (padding == "zeros") {
            inside = arith::AndIOp::create(
                b, l, inside,
                arith::AndIOp::create(
                    b, l,
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                          f(0)),
                    m.lt(p, n)));
            p = clamp(p, f(0), last);
          } else if (padding == "border") {
            p = clamp(p, f(0), last);
          } else {
            p = clamp(reflect(p, lowOf(), highOf(i)), f(0), last);
          }
          at.push_back(arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              arith::FPToSIOp::create(b, l, b.getI64Type(), p)));
        }
        Value v = toFloat(b, l, tensor::ExtractOp::create(b, l, x, at), ft);
        return padding == "zeros" ? sel(inside, v, f(0)) : v;
      };
      Value result;
      if (mode == "nearest") {
        result = pixel(coord);
      } else {
        // Taps and weights per dim, then their tensor product.
        SmallVector<SmallVector<std::pair<Value, Value>>> taps(nd);
        for (int64_t i = 0; i < nd; ++i) {
          Value x0 = math::FloorOp::create(b, l, coord[i]);
          Value r = m.sub(coord[i], x0);
          if (mode == "linear") {
            taps[i] = {{x0, m.sub(f(1), r)}, {m.add(x0, f(1)), r}};
            continue;
          }
          double a = -0.75;
          auto near = [&](Value t) {
            return m.add(
                m.mul(m.mul(m.sub(m.mul(f(a + 2), t), f(a + 3)), t), t), f(1));
          };
          auto far = [&](Value t) {
            return m.sub(m.mul(m.add(m.mul(m.sub(m.mul(f(a), t), f(5 * a)), t),
                                     f(8 * a)),
                               t),
                         f(4 * a));
          };
          taps[i] = {{m.sub(x0, f(1)), far(m.add(r, f(1)))},
                     {x0, near(r)},
                     {m.add(x0, f(1)), near(m.sub(f(1), r))},
                     {m.add(x0, f(2)), far(m.sub(f(2), r))}};
        }
        Value acc = f(0);
        SmallVector<int64_t> pick(nd, 0);
        while (true) {
          SmallVector<Value> pos;
          Value w;
          for (int64_t i = 0; i < nd; ++i) {
            pos.push_back(taps[i][pick[i]].first);
            w = w ? m.mul(w, taps[i][pick[i]].second) : taps[i][pick[i]].second;
          }
          acc = m.add(acc, m.mul(w, pixel(pos)));
          int64_t i = nd - 1;
          while (i >= 0 && ++pick[i] == int64_t(taps[i].size()))
            pick[i--] = 0;
          if (i < 0)
            break;
        }
        result = acc;
      }
      return toFloat(b, l, result, et);
    };
    rewriter.replaceOp(
        op, generateFromIndices(rewriter, loc, rt, body,
                                withDeclaredDims(rewriter, loc, dims, rt)));
    return success();
  }
};

/// AffineGrid: grid[n, (d,) h, w, :] = theta[n] @ (x_w, y_h(, z_d), 1) with
/// normalized coordinates (-1 .. 1, pixel centres unless align_corners);
/// the sizes come from the result type.
struct AffineGridLowering : OpConversionPattern<ONNXAffineGridOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXAffineGridOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || (rt.getRank() != 4 && rt.getRank() != 5))
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t rank = rt.getRank(), nd = rank - 2;
    if (rt.getShape().back() != nd)
      return unsupported(rewriter, op, "unexpected result shape");
    bool align = op.getAlignCorners() != 0;
    Value theta = adaptor.getTheta();
    Type et = rt.getElementType();
    Location loc = op.getLoc();
    // The result [N, spatial..., nd] from size = [N, C, spatial...].
    SmallVector<OpFoldResult> dims = {
        indexElement(rewriter, loc, adaptor.getSize(), 0)};
    for (int64_t k = 0; k < nd; ++k)
      dims.push_back(indexElement(rewriter, loc, adaptor.getSize(), 2 + k));
    dims.push_back(rewriter.getIndexAttr(nd));
    for (int64_t d = 0; d <= nd; ++d)
      checkNonNegative(rewriter, loc, dims[d],
                       "the size makes dimension " + Twine(d) +
                           " of the result negative");
    dims = withDeclaredDims(rewriter, loc, dims, rt);
    Type f = rewriter.getF64Type();
    SmallVector<Value> lens(rank);
    for (int64_t d = 1; d <= nd; ++d)
      lens[d] = arith::SIToFPOp::create(
          rewriter, loc, f,
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                     dimValue(rewriter, loc, dims[d])));
    Value grid = generateFromIndices(
        rewriter, loc, rt,
        [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
          auto c = [&](double v) { return scalarConstant(b, l, f, v); };
          FloatArith m{b, l};
          // Coordinates x (innermost spatial dim) first.
          SmallVector<Value> coord;
          for (int64_t k = 0; k < nd; ++k) {
            int64_t dim = nd - k; // result dim of this coordinate
            Value len = lens[dim];
            Value i = arith::UIToFPOp::create(
                b, l, f,
                arith::IndexCastOp::create(b, l, b.getI64Type(), iv[dim]));
            Value v;
            if (align) {
              // 2 i / (len - 1) - 1, or 0 for a length of 1.
              Value single = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OLE, len, c(1.0));
              Value den = arith::SelectOp::create(b, l, single, c(1.0),
                                                  m.sub(len, c(1.0)));
              v = arith::SelectOp::create(
                  b, l, single, c(0.0),
                  m.sub(m.mul(i, m.div(c(2.0), den)), c(1.0)));
            } else {
              v = m.sub(m.mul(arith::AddFOp::create(b, l, i, c(0.5)),
                              m.div(c(2.0), len)),
                        c(1.0));
            }
            coord.push_back(v);
          }
          // Row `out` of theta times (coord..., 1).
          Value row = iv.back();
          auto th = [&](int64_t col) {
            return toFloat(
                b, l,
                tensor::ExtractOp::create(
                    b, l, theta,
                    ValueRange{iv[0], row,
                               arith::ConstantIndexOp::create(b, l, col)}),
                f);
          };
          Value acc = th(nd);
          for (int64_t k = 0; k < nd; ++k)
            acc = math::FmaOp::create(b, l, th(k), coord[k], acc);
          return toFloat(b, l, acc, et);
        },
        dims);
    rewriter.replaceOp(op, grid);
    return success();
  }
};

} // namespace

void lowering::populateGridSamplePatterns(RewritePatternSet &patterns) {
  patterns.add<GridSampleLowering, AffineGridLowering>(patterns.getContext());
}
