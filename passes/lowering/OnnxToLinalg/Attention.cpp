//===- Attention.cpp - Attention (opset 23+) to linalg --------------------===//
//
// softmax(Q K^T * scale + bias) V over heads, as the ONNX reference defines
// it: 3-D inputs split into heads, past key/value concatenated in front of
// the new ones (present_key/present_value), grouped-query attention (each
// KV head serves q_num_heads / kv_num_heads query heads through a floordiv
// in the indexing map, no copies), softcap, an additive or boolean mask
// (shorter than the key sequence: padded with -inf / false), causal and
// sliding-window masks aligned bottom-right (offset = past length, or
// nonpad_kv_seqlen - q length per batch), key padding from nonpad_kv_seqlen,
// a fully masked row giving zeros, and the optional qk_matmul_output.
// float16/bfloat16 inputs accumulate in float32. RotaryEmbedding lives here
// too.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

/// [B, S, H*D] -> [B, H, S, D].
Value splitHeads(OpBuilder &b, Location loc, Value x, int64_t heads) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> xd = dimsOf(b, loc, x);
  AffineExpr s0;
  bindSymbols(b.getContext(), s0);
  OpFoldResult d = affine::makeComposedFoldedAffineApply(
      b, loc, s0.floorDiv(heads), {xd[2]});
  SmallVector<OpFoldResult> split = {xd[0], xd[1], b.getIndexAttr(heads), d};
  Value r = tensor::ExpandShapeOp::create(
      b, loc, tensorType(split, t.getElementType()), x,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}}, split);
  Value init =
      emptyTensor(b, loc, {xd[0], split[2], xd[1], d}, t.getElementType());
  return linalg::TransposeOp::create(b, loc, r, init,
                                     ArrayRef<int64_t>{0, 2, 1, 3})
      .getResult()[0];
}

/// Concatenates past and new along the sequence dim (2).
Value appendSequence(OpBuilder &b, Location loc, Value past, Value now) {
  auto pt = cast<RankedTensorType>(past.getType());
  auto nt = cast<RankedTensorType>(now.getType());
  SmallVector<OpFoldResult> dims = dimsOf(b, loc, now);
  OpFoldResult pastLen = dimOf(b, loc, past, 2);
  dims[2] = addDims(b, loc, dims[2], pastLen);
  Value acc = emptyTensor(b, loc, dims, nt.getElementType());
  SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)),
      strides(4, b.getIndexAttr(1));
  auto empty = [](RankedTensorType t) {
    return !t.isDynamicDim(2) && t.getDimSize(2) == 0;
  };
  if (!empty(pt))
    acc = tensor::InsertSliceOp::create(b, loc, past, acc, offs,
                                        dimsOf(b, loc, past), strides);
  offs[2] = pastLen;
  if (!empty(nt))
    acc = tensor::InsertSliceOp::create(b, loc, now, acc, offs,
                                        dimsOf(b, loc, now), strides);
  return acc;
}

/// Max (or sum) over the last dim: [..., n] -> [...].
Value rowReduce(OpBuilder &b, Location loc, Value x, bool isMax) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t rank = t.getRank();
  SmallVector<OpFoldResult> dims = dimsOf(b, loc, x);
  dims.pop_back();
  auto rt = tensorType(dims, t.getElementType());
  Value init = filledTensor(
      b, loc, rt, isMax ? -std::numeric_limits<double>::infinity() : 0.0, dims);
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  iters.back() = IteratorType::reduction;
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      b.getMultiDimIdentityMap(rank).dropResult(rank - 1)};
  return linalg::GenericOp::create(
             b, loc, rt, x, init, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value r =
                   isMax ? (Value)arith::MaximumFOp::create(nb, l, a[0], a[1])
                         : (Value)arith::AddFOp::create(nb, l, a[0], a[1]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// out[b,h,i,j] (+)= sum_k lhs[b,h,i,k] * rhs[b,h/group,<k,j or j,k>],
/// accumulated in `acc` (element type of the result); each operand
/// multiplied by its scale when there is one.
Value headContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      int64_t group, bool rhsTransposed, Type acc,
                      Value rhsScale, Value lhsScale) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> dims = dimsOf(b, loc, lhs);
  dims.back() = dimOf(b, loc, rhs, rhsTransposed ? 2 : 3);
  auto outT = tensorType(dims, acc);
  AffineExpr bb, h, i, j, k;
  bindDims(ctx, bb, h, i, j, k);
  AffineExpr kvHead = group == 1 ? h : h.floorDiv(group);
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {bb, h, i, k}, ctx),
      AffineMap::get(5, 0,
                     rhsTransposed ? ArrayRef<AffineExpr>{bb, kvHead, j, k}
                                   : ArrayRef<AffineExpr>{bb, kvHead, k, j},
                     ctx),
      AffineMap::get(5, 0, {bb, h, i, j}, ctx)};
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.push_back(IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, outT, ValueRange{lhs, rhs},
             filledTensor(b, loc, outT, 0, dims), maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value x = toFloat(nb, l, a[0], acc);
               Value y = toFloat(nb, l, a[1], acc);
               if (lhsScale)
                 x = arith::MulFOp::create(nb, l, x, lhsScale);
               if (rhsScale)
                 y = arith::MulFOp::create(nb, l, y, rhsScale);
               linalg::YieldOp::create(
                   nb, l, Value(math::FmaOp::create(nb, l, x, y, a[2])));
             })
      .getResult(0);
}

/// [B, Hkv, S, D] with each KV head repeated for its `hq / hkv` query heads
/// (a run-time group size; a static one is a floordiv in the maps instead).
Value repeatHeads(OpBuilder &b, Location loc, Value kv, OpFoldResult hq,
                  Value group) {
  auto t = cast<RankedTensorType>(kv.getType());
  SmallVector<OpFoldResult> dims = dimsOf(b, loc, kv);
  dims[1] = hq;
  return generateFromIndices(
      b, loc,
      RankedTensorType::get(tensorType(dims, t.getElementType()).getShape(),
                            t.getElementType()),
      [&](OpBuilder &nb, Location l, ValueRange iv) {
        SmallVector<Value> at(iv);
        at[1] = arith::DivUIOp::create(nb, l, iv[1], group);
        return tensor::ExtractOp::create(nb, l, kv, at).getResult();
      },
      dims);
}

/// The value `v` rounded to float type `t`, as a double.
double roundTo(double v, Type t) {
  APFloat f(v);
  bool lost;
  f.convert(cast<FloatType>(t).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}

struct AttentionLowering : OpConversionPattern<ONNXAttentionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXAttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto qt = dyn_cast<RankedTensorType>(adaptor.getQ().getType());
    auto kt = dyn_cast<RankedTensorType>(adaptor.getK().getType());
    auto vt = dyn_cast<RankedTensorType>(adaptor.getV().getType());
    auto yt = resultType(op, 0);
    if (!qt || !kt || !vt || !yt)
      return unsupported(rewriter, op, kNeedsRanked);
    int64_t rank = qt.getRank();
    if ((rank != 3 && rank != 4) || kt.getRank() != rank ||
        vt.getRank() != rank)
      return unsupported(rewriter, op, "Q, K and V must all be 3-D or 4-D");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Type et = qt.getElementType();
    // Accumulate in float32 at least (float64 stays float64).
    Type ct = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    if (auto p = op.getSoftmaxPrecision())
      if (Type pt = getTypeForOnnxDType(getContext(), *p);
          pt && isa<FloatType>(pt) &&
          pt.getIntOrFloatBitWidth() > ct.getIntOrFloatBitWidth())
        ct = pt;
    auto check = [&](OpFoldResult a, OpFoldResult c, const Twine &what) {
      checkSameDim(rewriter, loc, a, c, what);
    };

    Value q = adaptor.getQ(), k = adaptor.getK(), v = adaptor.getV();
    if (rank == 3) {
      if (!op.getQNumHeads() || !op.getKvNumHeads())
        return unsupported(rewriter, op,
                           "3-D inputs need q_num_heads and kv_num_heads");
      int64_t hq = *op.getQNumHeads(), hkv = *op.getKvNumHeads();
      auto divides = [](int64_t n, int64_t h) {
        return ShapedType::isDynamic(n) || n % h == 0;
      };
      if (hq <= 0 || hkv <= 0 || !divides(qt.getDimSize(2), hq) ||
          !divides(kt.getDimSize(2), hkv) || !divides(vt.getDimSize(2), hkv))
        return unsupported(rewriter, op,
                           "hidden sizes must divide by the head counts");
      for (auto [x, h, name] : {std::tuple{q, hq, "Q"}, std::tuple{k, hkv, "K"},
                                std::tuple{v, hkv, "V"}}) {
        AffineExpr s0;
        bindSymbols(ctx, s0);
        check(affine::makeComposedFoldedAffineApply(
                  rewriter, loc, s0 % h, {dimOf(rewriter, loc, x, 2)}),
              rewriter.getIndexAttr(0),
              Twine(name) + "'s hidden size does not divide by its heads");
      }
      q = splitHeads(rewriter, loc, q, hq);
      k = splitHeads(rewriter, loc, k, hkv);
      v = splitHeads(rewriter, loc, v, hkv);
    }
    bool hasPast = !isNoValue(op.getPastKey());
    if (hasPast != !isNoValue(op.getPastValue()))
      return unsupported(rewriter, op, "past_key and past_value come together");
    OpFoldResult pastLen = rewriter.getIndexAttr(0);
    if (hasPast) {
      auto pk = dyn_cast<RankedTensorType>(adaptor.getPastKey().getType());
      auto pv = dyn_cast<RankedTensorType>(adaptor.getPastValue().getType());
      if (!pk || !pv || pk.getRank() != 4 || pv.getRank() != 4)
        return unsupported(rewriter, op, "past_key and past_value must be 4-D");
      pastLen = dimOf(rewriter, loc, adaptor.getPastKey(), 2);
      k = appendSequence(rewriter, loc, adaptor.getPastKey(), k);
      v = appendSequence(rewriter, loc, adaptor.getPastValue(), v);
    }
    Value presentK = k, presentV = v;
    SmallVector<OpFoldResult> qd = dimsOf(rewriter, loc, q),
                              kd = dimsOf(rewriter, loc, k),
                              vd = dimsOf(rewriter, loc, v);
    OpFoldResult batch = qd[0], hq = qd[1], sq = qd[2], dh = qd[3];
    OpFoldResult hkv = kd[1], skv = kd[2];
    check(kd[0], batch, "K's batch differs from Q's");
    check(vd[0], batch, "V's batch differs from Q's");
    check(vd[1], hkv, "V has other heads than K");
    check(kd[3], dh, "K's head size differs from Q's");
    check(vd[2], skv, "V's sequence differs from K's");
    // Grouped-query attention: a static group is a floordiv in the maps; an
    // unknown one repeats the KV heads.
    std::optional<int64_t> hqC = getConstantIntValue(hq),
                           hkvC = getConstantIntValue(hkv);
    int64_t group = 1;
    if (hqC && hkvC) {
      if (*hkvC == 0 || *hqC % *hkvC)
        return unsupported(rewriter, op,
                           "query heads must be a multiple of the KV heads");
      group = *hqC / *hkvC;
    } else {
      Value hqV = dimValue(rewriter, loc, hq),
            hkvV = arith::MaxSIOp::create(
                rewriter, loc, dimValue(rewriter, loc, hkv),
                arith::ConstantIndexOp::create(rewriter, loc, 1));
      checkShape(rewriter, loc,
                 arith::CmpIOp::create(
                     rewriter, loc, arith::CmpIPredicate::eq,
                     arith::RemUIOp::create(rewriter, loc, hqV, hkvV),
                     arith::ConstantIndexOp::create(rewriter, loc, 0)),
                 "query heads must be a multiple of the KV heads");
      Value groupV = arith::DivUIOp::create(rewriter, loc, hqV, hkvV);
      k = repeatHeads(rewriter, loc, k, hq, groupV);
      v = repeatHeads(rewriter, loc, v, hq, groupV);
    }

    // Q and K are each scaled by sqrt(scale), rounded to Q's type.
    Value s;
    if (op.getScale() || getConstantIntValue(dh)) {
      double scale = op.getScale()
                         ? op.getScale()->convertToDouble()
                         : 1.0 / std::sqrt(double(*getConstantIntValue(dh)));
      s = scalarConstant(rewriter, loc, ct, roundTo(std::sqrt(scale), et));
    } else { // dh^(-1/4), rounded as the constant would be
      Value d = arith::SIToFPOp::create(
          rewriter, loc, rewriter.getF64Type(),
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                     dimValue(rewriter, loc, dh)));
      Value r = math::PowFOp::create(
          rewriter, loc, d, scalarConstant(rewriter, loc, d.getType(), -0.25));
      s = toFloat(rewriter, loc, toFloat(rewriter, loc, r, et), ct);
    }
    Value scores = headContraction(rewriter, loc, q, k, group,
                                   /*rhsTransposed=*/true, ct, s, s);
    auto st = cast<RankedTensorType>(scores.getType());
    SmallVector<OpFoldResult> sd = {batch, hq, sq, skv};
    double softcap = op.getSoftcap().convertToDouble();
    if (softcap > 0)
      scores = buildElementwise(
          rewriter, loc, st, scores,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value c = scalarConstant(b, l, ct, softcap);
            Value t = math::TanhOp::create(
                b, l, arith::DivFOp::create(b, l, a[0], c));
            return arith::MulFOp::create(b, l, t, c);
          });

    // The additive bias [B, Hq, Sq, Skv]: mask + causal + window + padding.
    Value mask = adaptor.getAttnMask();
    bool hasMask = !isNoValue(op.getAttnMask());
    bool causal = op.getIsCausal() != 0;
    int64_t left = op.getLeftWindowSize(), right = op.getRightWindowSize();
    bool window = left >= 0 || right >= 0;
    bool hasNonpad = !isNoValue(op.getNonpadKvSeqlen());
    Value bias;
    if (hasMask || causal || window || hasNonpad) {
      SmallVector<Value> ins;
      SmallVector<AffineMap> maps;
      if (hasMask) {
        auto mt = dyn_cast<RankedTensorType>(mask.getType());
        if (!mt || mt.getRank() < 1 || mt.getRank() > 4 ||
            !(isa<FloatType>(mt.getElementType()) ||
              mt.getElementType().isSignlessInteger()))
          return unsupported(rewriter, op,
                             "attn_mask must be a bool or float tensor");
        OpFoldResult mlen = dimOf(rewriter, loc, mask, mt.getRank() - 1);
        auto ml = getConstantIntValue(mlen), kl = getConstantIntValue(skv);
        if (ml && kl && *ml > *kl)
          return unsupported(rewriter, op,
                             "attn_mask is longer than the key sequence");
        if (!(ml && kl && *ml == *kl)) {
          // Keys past the mask's end are masked out.
          checkShape(rewriter, loc,
                     arith::CmpIOp::create(rewriter, loc,
                                           arith::CmpIPredicate::sle,
                                           dimValue(rewriter, loc, mlen),
                                           dimValue(rewriter, loc, skv)),
                     "attn_mask is longer than the key sequence");
          bool isBool = mt.getElementType().isInteger(1);
          AffineExpr s0, s1;
          bindSymbols(ctx, s0, s1);
          SmallVector<OpFoldResult> lo(mt.getRank(), rewriter.getIndexAttr(0)),
              hi = lo;
          hi.back() = affine::makeComposedFoldedAffineApply(
              rewriter, loc, s0 - s1, {skv, mlen});
          SmallVector<int64_t> shape(mt.getShape());
          shape.back() = kl ? *kl : ShapedType::kDynamic;
          Value pv =
              isBool ? scalarConstant(rewriter, loc, mt.getElementType(), 0)
                     : scalarConstant(rewriter, loc, mt.getElementType(),
                                      -std::numeric_limits<double>::infinity());
          mask = tensor::PadOp::create(
              rewriter, loc, RankedTensorType::get(shape, mt.getElementType()),
              mask, lo, hi, pv);
        }
        // Right-aligned broadcast against [B, Hq, Sq, Skv].
        int64_t mr = cast<RankedTensorType>(mask.getType()).getRank();
        SmallVector<Value> operands = {mask};
        Broadcast bc = broadcastPrefix(rewriter, loc, operands, {mr}, {}, sd);
        SmallVector<AffineExpr> exprs;
        for (int64_t d = 0; d < mr; ++d)
          exprs.push_back(bc.zero[0][d] ? getAffineConstantExpr(0, ctx)
                                        : getAffineDimExpr(4 - mr + d, ctx));
        ins.push_back(operands[0]);
        maps.push_back(AffineMap::get(4, 0, exprs, ctx));
      }
      if (hasNonpad) {
        auto nt =
            dyn_cast<RankedTensorType>(adaptor.getNonpadKvSeqlen().getType());
        if (!nt || nt.getRank() != 1)
          return unsupported(rewriter, op,
                             "nonpad_kv_seqlen must have one entry per batch");
        check(dimOf(rewriter, loc, adaptor.getNonpadKvSeqlen(), 0), batch,
              "nonpad_kv_seqlen must have one entry per batch");
        ins.push_back(adaptor.getNonpadKvSeqlen());
        maps.push_back(AffineMap::get(4, 0, getAffineDimExpr(0, ctx), ctx));
      }
      auto bt = tensorType(sd, ct);
      maps.push_back(rewriter.getMultiDimIdentityMap(4));
      Type i64 = rewriter.getI64Type();
      Value sqI = arith::IndexCastOp::create(rewriter, loc, i64,
                                             dimValue(rewriter, loc, sq));
      Value pastI = arith::IndexCastOp::create(
          rewriter, loc, i64, dimValue(rewriter, loc, pastLen));
      bias =
          linalg::GenericOp::create(
              rewriter, loc, bt, ins, emptyOfType(rewriter, loc, bt, sd), maps,
              SmallVector<IteratorType>(4, IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value zero = scalarConstant(b, l, ct, 0.0);
                Value ninf = scalarConstant(
                    b, l, ct, -std::numeric_limits<double>::infinity());
                Value val = zero;
                unsigned next = 0;
                if (hasMask) {
                  Value m = a[next++];
                  if (m.getType().isInteger(1))
                    val = arith::SelectOp::create(b, l, m, zero, ninf);
                  else
                    val = toFloat(b, l, m, ct);
                }
                auto index = [&](unsigned d) -> Value {
                  return arith::IndexCastOp::create(
                      b, l, i64, linalg::IndexOp::create(b, l, d));
                };
                Value nonpad = hasNonpad ? a[next++] : Value();
                Value i = index(2), j = index(3);
                Value allowed = arith::ConstantIntOp::create(b, l, 1, 1);
                auto both = [&](Value c) {
                  allowed = arith::AndIOp::create(b, l, allowed, c);
                };
                using P = arith::CmpIPredicate;
                if (causal || window) {
                  // Offset of the query block: the past length, or (an
                  // external cache) nonpad_kv_seqlen[b] - Sq.
                  Value offset =
                      hasNonpad && !hasPast
                          ? (Value)arith::SubIOp::create(b, l, nonpad, sqI)
                          : pastI;
                  Value diff = arith::SubIOp::create(
                      b, l, arith::AddIOp::create(b, l, i, offset), j);
                  Value zeroI = arith::ConstantIntOp::create(b, l, i64, 0);
                  if (causal)
                    both(arith::CmpIOp::create(b, l, P::sge, diff, zeroI));
                  if (left >= 0)
                    both(arith::CmpIOp::create(
                        b, l, P::sle, diff,
                        arith::ConstantIntOp::create(b, l, i64, left)));
                  if (right >= 0)
                    both(arith::CmpIOp::create(
                        b, l, P::sle, arith::SubIOp::create(b, l, zeroI, diff),
                        arith::ConstantIntOp::create(b, l, i64, right)));
                }
                if (hasNonpad)
                  both(arith::CmpIOp::create(b, l, P::slt, j, nonpad));
                Value add = arith::SelectOp::create(b, l, allowed, zero, ninf);
                linalg::YieldOp::create(
                    b, l, Value(arith::AddFOp::create(b, l, val, add)));
              })
              .getResult(0);
    }
    Value withBias = scores;
    if (bias)
      withBias = buildElementwise(
          rewriter, loc, st, ValueRange{scores, bias},
          [](OpBuilder &b, Location l, ValueRange a) {
            return arith::AddFOp::create(b, l, a[0], a[1]);
          },
          {}, sd);

    // Softmax over the keys; a row whose max is -inf gives zeros, not NaN.
    AffineMap id4 = rewriter.getMultiDimIdentityMap(4);
    AffineMap row4 = id4.dropResult(3);
    auto rowwise = [&](ValueRange ins, ScalarBody body) {
      SmallVector<AffineMap> maps;
      for (Value in : ins)
        maps.push_back(
            cast<RankedTensorType>(in.getType()).getRank() == 4 ? id4 : row4);
      maps.push_back(id4);
      return linalg::GenericOp::create(
                 rewriter, loc, st, ins, emptyOfType(rewriter, loc, st, sd),
                 maps, SmallVector<IteratorType>(4, IteratorType::parallel),
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   linalg::YieldOp::create(b, l, body(b, l, a.drop_back()));
                 })
          .getResult(0);
    };
    Value mx = rowReduce(rewriter, loc, withBias, true);
    Value e = rowwise(
        {withBias, mx}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value ninf = scalarConstant(b, l, ct,
                                      -std::numeric_limits<double>::infinity());
          Value isNegInf = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, a[1], ninf);
          Value safe = arith::SelectOp::create(
              b, l, isNegInf, scalarConstant(b, l, ct, 0.0), a[1]);
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, a[0], safe));
        });
    Value sum = rowReduce(rewriter, loc, e, false);
    SmallVector<Value> pIns = {e, sum};
    if (bias)
      pIns.push_back(rowReduce(rewriter, loc, bias, true));
    Value p =
        rowwise(pIns, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value zero = scalarConstant(b, l, ct, 0.0);
          Value sumIsZero = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, a[1], zero);
          Value den = arith::SelectOp::create(
              b, l, sumIsZero, scalarConstant(b, l, ct, 1.0), a[1]);
          Value r = arith::DivFOp::create(b, l, a[0], den);
          if (a.size() > 2) {
            Value ninf = scalarConstant(
                b, l, ct, -std::numeric_limits<double>::infinity());
            Value masked = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, a[2], ninf);
            r = arith::SelectOp::create(b, l, masked, zero, r);
          }
          // The probabilities are rounded to Q's type before P V.
          return toFloat(b, l, toFloat(b, l, r, et), ct);
        });

    Value y = headContraction(rewriter, loc, p, v, group,
                              /*rhsTransposed=*/false, ct, Value(), Value());
    auto castTo = [&](Value x, Type to) {
      return castElements(rewriter, loc, x, to);
    };
    y = castTo(y, et);
    if (rank == 3) {
      // [B, Hq, Sq, Dv] -> [B, Sq, Hq * Dv]
      OpFoldResult dv = vd[3];
      Value init = emptyTensor(rewriter, loc, {batch, sq, hq, dv}, et);
      y = linalg::TransposeOp::create(rewriter, loc, y, init,
                                      ArrayRef<int64_t>{0, 2, 1, 3})
              .getResult()[0];
      y = tensor::CollapseShapeOp::create(
          rewriter, loc, y, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    }
    if (cast<RankedTensorType>(y.getType()).getRank() != yt.getRank())
      return unsupported(rewriter, op, "Y has an unexpected shape");
    if (y.getType() != yt)
      y = tensor::CastOp::create(rewriter, loc, yt, y);

    SmallVector<Value> results = {y, Value(), Value(), Value()};
    auto want = [&](unsigned i, Value x) -> LogicalResult {
      if (isa<NoneType>(op->getResult(i).getType()) ||
          op->getResult(i).use_empty())
        return success();
      auto rt = resultType(op, i);
      auto xt = cast<RankedTensorType>(x.getType());
      if (!rt || xt.getRank() != rt.getRank())
        return failure();
      for (auto [a, c] : llvm::zip(xt.getShape(), rt.getShape()))
        if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(c) && a != c)
          return failure();
      x = castTo(x, rt.getElementType());
      results[i] =
          x.getType() == rt ? x : tensor::CastOp::create(rewriter, loc, rt, x);
      return success();
    };
    int64_t mode = op.getQkMatmulOutputMode();
    Value qk = mode == 3 ? p : mode == 2 ? withBias : scores;
    if (failed(want(1, presentK)) || failed(want(2, presentV)) ||
        failed(want(3, qk)))
      return unsupported(rewriter, op,
                         "an optional output has an unexpected shape");
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// RotaryEmbedding: each pair (x1, x2) of a head's first
/// rotary_embedding_dim values (halves, or neighbours when interleaved)
/// becomes (cos x1 - sin x2, sin x1 + cos x2), cos/sin read at the
/// position (position_ids, or the caches already per batch and position);
/// the rest is copied. One generic over the output, in float32.
struct RotaryEmbeddingLowering : OpConversionPattern<ONNXRotaryEmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXRotaryEmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = resultType(op);
    if (!rt || (rt.getRank() != 3 && rt.getRank() != 4))
      return unsupported(rewriter, op, "needs a 3-D or 4-D input");
    int64_t rank = rt.getRank();
    Location loc = op.getLoc();
    OpFoldResult last = dimOf(rewriter, loc, adaptor.getX(), rank - 1);
    OpFoldResult headSizeF = last;
    if (rank == 3) {
      if (!op.getNumHeads() || *op.getNumHeads() <= 0 ||
          (!rt.isDynamicDim(2) && rt.getDimSize(2) % *op.getNumHeads()))
        return unsupported(rewriter, op, "3-D input needs num_heads");
      AffineExpr s0;
      bindSymbols(getContext(), s0);
      headSizeF = affine::makeComposedFoldedAffineApply(
          rewriter, loc, s0.floorDiv(*op.getNumHeads()), {last});
    }
    Value headSize = dimValue(rewriter, loc, headSizeF);
    Value rot = op.getRotaryEmbeddingDim()
                    ? arith::ConstantIndexOp::create(rewriter, loc,
                                                     op.getRotaryEmbeddingDim())
                          .getResult()
                    : headSize;
    Value half = arith::DivUIOp::create(
        rewriter, loc, rot, arith::ConstantIndexOp::create(rewriter, loc, 2));
    bool interleaved = op.getInterleaved() != 0;
    bool hasPos = !isNoValue(op.getPositionIds());
    Value x = adaptor.getX(), cosC = adaptor.getCosCache(),
          sinC = adaptor.getSinCache();
    Value pos = hasPos ? adaptor.getPositionIds() : Value();
    Type et = rt.getElementType(), f32 = rewriter.getF32Type();
    auto g = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{},
        emptyOfType(rewriter, loc, rt, dimsOf(rewriter, loc, x)),
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          auto c = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          SmallVector<Value> iv;
          for (int64_t d = 0; d < rank; ++d)
            iv.push_back(linalg::IndexOp::create(b, l, d));
          // b, s and the index d within the head.
          Value bi = iv[0], si = rank == 4 ? iv[2] : iv[1];
          Value lastIv = iv.back();
          Value d = rank == 4
                        ? lastIv
                        : (Value)arith::RemUIOp::create(
                              b, l, lastIv,
                              arith::MaxSIOp::create(b, l, headSize, c(1)));
          auto cmp = [&](arith::CmpIPredicate p, Value a, Value v) -> Value {
            return arith::CmpIOp::create(b, l, p, a, v);
          };
          using P = arith::CmpIPredicate;
          Value inRot = cmp(P::ult, d, rot);
          // j: the cos/sin column; first: whether d is x1 of its pair;
          // partner: the index of the other element of the pair.
          Value j, first, partnerD;
          if (interleaved) {
            j = arith::DivUIOp::create(b, l, d, c(2));
            first = cmp(P::eq, arith::RemUIOp::create(b, l, d, c(2)), c(0));
            partnerD = arith::SelectOp::create(
                b, l, first, arith::AddIOp::create(b, l, d, c(1)),
                arith::SubIOp::create(b, l, d, c(1)));
          } else {
            first = cmp(P::ult, d, half);
            j = arith::SelectOp::create(b, l, first, d,
                                        arith::SubIOp::create(b, l, d, half));
            partnerD = arith::SelectOp::create(
                b, l, first, arith::AddIOp::create(b, l, d, half),
                arith::SubIOp::create(b, l, d, half));
          }
          // Out of the rotated part: read in bounds, use x itself.
          j = arith::SelectOp::create(b, l, inRot, j, c(0));
          partnerD = arith::SelectOp::create(b, l, inRot, partnerD, d);
          SmallVector<Value> at(iv);
          Value self =
              toFloat(b, l, tensor::ExtractOp::create(b, l, x, at), f32);
          at.back() =
              rank == 4
                  ? partnerD
                  : (Value)arith::AddIOp::create(
                        b, l, arith::SubIOp::create(b, l, lastIv, d), partnerD);
          Value other =
              toFloat(b, l, tensor::ExtractOp::create(b, l, x, at), f32);
          SmallVector<Value> cAt;
          if (hasPos)
            cAt = {
                arith::IndexCastOp::create(
                    b, l, b.getIndexType(),
                    tensor::ExtractOp::create(b, l, pos, ValueRange{bi, si})),
                j};
          else
            cAt = {bi, si, j};
          Value cs =
              toFloat(b, l, tensor::ExtractOp::create(b, l, cosC, cAt), f32);
          Value sn =
              toFloat(b, l, tensor::ExtractOp::create(b, l, sinC, cAt), f32);
          // x1 first: cos x1 - sin x2; x2: sin x1 + cos x2.
          Value asFirst =
              arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, cs, self),
                                    arith::MulFOp::create(b, l, sn, other));
          Value asSecond = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, sn, other),
              arith::MulFOp::create(b, l, cs, self));
          Value r = arith::SelectOp::create(b, l, first, asFirst, asSecond);
          r = arith::SelectOp::create(b, l, inRot, r, self);
          linalg::YieldOp::create(b, l, toFloat(b, l, r, et));
        });
    rewriter.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionLowering, RotaryEmbeddingLowering>(
      patterns.getContext());
}
