//===- Recurrent.cpp - RNN, GRU and LSTM to linalg + scf ------------------===//
//
// Each direction is an scf.for over time carrying H (and C for LSTM, each
// in two slots: read one, write the other) and the Y tensor. A step computes
// X_t W^T + Wb and H R^T + Rb as two contractions (the biases are their
// accumulators' initial values), then one generic over [batch, hidden] applies
// the cell: RNN f(.), GRU's update/reset gates (linear_before_reset either way:
// without it the reset gate first scales H before its own contraction), LSTM's
// input/output/forget/cell gates with peepholes. Steps at or past a
// batch entry's sequence_lens keep its state and write zeros to Y.
// Activations: the defaults, or Sigmoid/Tanh/Relu by name; clip clamps
// the gates' inputs.
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

/// a [M, K] times b [N, K] transposed, accumulated into `init` [M, N].
Value matmulNT(OpBuilder &b, Location loc, Value a, Value bt, Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto t = cast<RankedTensorType>(init.getType());
  return linalg::GenericOp::create(
             b, loc, t, ValueRange{a, bt}, init,
             SmallVector<AffineMap>{AffineMap::get(3, 0, {m, k}, ctx),
                                    AffineMap::get(3, 0, {n, k}, ctx),
                                    AffineMap::get(3, 0, {m, n}, ctx)},
             SmallVector<IteratorType>{IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction},
             [](OpBuilder &nb, Location l, ValueRange v) {
               linalg::YieldOp::create(
                   nb, l, Value(math::FmaOp::create(nb, l, v[0], v[1], v[2])));
             })
      .getResult(0);
}

/// The slice [offsets, offsets + sizes) with unit strides, as a tensor of
/// `keepShape` (the size-1 dims dropped).
Value slice(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> offs,
            ArrayRef<int64_t> sizes, ArrayRef<int64_t> keepShape) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sz, st;
  for (int64_t s : sizes) {
    sz.push_back(b.getIndexAttr(s));
    st.push_back(b.getIndexAttr(1));
  }
  auto rt = RankedTensorType::get(keepShape, t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, rt, v, offs, sz, st);
}

enum class Cell { Rnn, Gru, Lstm };

template <typename OpTy, Cell K>
struct RecurrentLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  static constexpr int64_t kGates = K == Cell::Rnn ? 1 : K == Cell::Gru ? 3 : 4;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto xt = dyn_cast<RankedTensorType>(op.getX().getType());
    auto wt = dyn_cast<RankedTensorType>(op.getW().getType());
    if (!xt || !wt || !xt.hasStaticShape() || !wt.hasStaticShape() ||
        xt.getRank() != 3 || wt.getRank() != 3)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    Location loc = op.getLoc();
    Type et = xt.getElementType();
    bool batchFirst = op.getLayout() != 0;
    int64_t seq = xt.getDimSize(batchFirst ? 1 : 0);
    int64_t batch = xt.getDimSize(batchFirst ? 0 : 1);
    int64_t hidden = wt.getDimSize(1) / kGates;
    StringRef dirAttr = op.getDirection();
    int64_t dirs = dirAttr == "bidirectional" ? 2 : 1;
    if (wt.getDimSize(0) != dirs)
      return unsupported(rewriter, op, "W does not match the direction");
    // Activations per direction: f (and g, h).
    int64_t perDir = K == Cell::Rnn ? 1 : K == Cell::Gru ? 2 : 3;
    SmallVector<std::string> acts;
    if (auto a = op.getActivations()) {
      for (Attribute s : *a)
        acts.push_back(cast<StringAttr>(s).getValue().lower());
    } else {
      for (int64_t d = 0; d < dirs; ++d) {
        if (K != Cell::Rnn)
          acts.push_back("sigmoid");
        acts.push_back("tanh");
        if (K == Cell::Lstm)
          acts.push_back("tanh");
      }
    }
    if (int64_t(acts.size()) != perDir * dirs ||
        llvm::any_of(acts, [](const std::string &s) {
          return s != "sigmoid" && s != "tanh" && s != "relu";
        }))
      return unsupported(rewriter, op,
                         "only Sigmoid, Tanh and Relu activations are "
                         "supported yet");
    if constexpr (K == Cell::Lstm)
      if (op.getInputForget())
        return unsupported(rewriter, op, "input_forget is not supported yet");
    std::optional<double> clip;
    if (auto c = op.getClip())
      clip = c->convertToDouble();

    auto zerosT = [&](ArrayRef<int64_t> shape) {
      return filledTensor(rewriter, loc, RankedTensorType::get(shape, et), 0);
    };
    Value x = adaptor.getX();
    if (batchFirst) { // to [seq, batch, input]
      Value init = tensor::EmptyOp::create(rewriter, loc,
                                           {seq, batch, xt.getDimSize(2)}, et);
      x = linalg::TransposeOp::create(rewriter, loc, x, init,
                                      ArrayRef<int64_t>{1, 0, 2})
              .getResult()[0];
    }
    int64_t gh = kGates * hidden;
    auto idx = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    Value seqLens;
    if (!isNoValue(op.getSequenceLens()))
      seqLens = adaptor.getSequenceLens();
    bool gruResetFirst = false;
    if constexpr (K == Cell::Gru)
      gruResetFirst = op.getLinearBeforeReset() == 0;

    SmallVector<Value> ys, hs, cs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      bool reverse = dirAttr == "reverse" || dir == 1;
      ArrayRef<std::string> act(acts.data() + dir * perDir, perDir);
      Value w = slice(rewriter, loc, adaptor.getW(), {idx(dir), idx(0), idx(0)},
                      {1, gh, xt.getDimSize(2)}, {gh, xt.getDimSize(2)});
      Value r = slice(rewriter, loc, adaptor.getR(), {idx(dir), idx(0), idx(0)},
                      {1, gh, hidden}, {gh, hidden});
      Value wb, rb;
      if (!isNoValue(op.getB())) {
        wb = slice(rewriter, loc, adaptor.getB(), {idx(dir), idx(0)}, {1, gh},
                   {gh});
        rb = slice(rewriter, loc, adaptor.getB(), {idx(dir), idx(gh)}, {1, gh},
                   {gh});
      }
      auto rowsOf = [&](Value bias) { // [gh] -> [batch, gh] accumulator
        auto t = RankedTensorType::get({batch, gh}, et);
        if (!bias)
          return filledTensor(rewriter, loc, t, 0);
        return buildElementwise(
            rewriter, loc, t, bias,
            [](OpBuilder &, Location, ValueRange a) { return a[0]; });
      };
      Value xInit = rowsOf(wb), hInit = rowsOf(rb);
      auto initial = [&](Value orig, Value given) {
        if (isNoValue(orig))
          return zerosT({batch, hidden});
        return slice(rewriter, loc, given, {idx(dir), idx(0), idx(0)},
                     {1, batch, hidden}, {batch, hidden});
      };
      Value h0 = initial(op.getInitialH(), adaptor.getInitialH()), c0;
      Value peep;
      if constexpr (K == Cell::Lstm) {
        c0 = initial(op.getInitialC(), adaptor.getInitialC());
        if (!isNoValue(op.getP()))
          peep = slice(rewriter, loc, adaptor.getP(), {idx(dir), idx(0)},
                       {1, 3 * hidden}, {3 * hidden});
      }
      // Rb of the GRU's h gate, for the reset-first form.
      Value rbH;
      if (gruResetFirst) {
        auto t = RankedTensorType::get({batch, hidden}, et);
        rbH = rb ? buildElementwise(
                       rewriter, loc, t,
                       slice(rewriter, loc, rb, {idx(2 * hidden)}, {hidden},
                             {hidden}),
                       [](OpBuilder &, Location, ValueRange a) { return a[0]; })
                 : filledTensor(rewriter, loc, t, 0);
      }
      // The state lives in two slots, read from step % 2 and written to the
      // other: every yield is then an insert into the carried tensor, as
      // bufferization wants, whatever the cell reads.
      auto twoSlots = [&](Value first) {
        return tensor::InsertSliceOp::create(
            rewriter, loc,
            reshapeTo(rewriter, loc, first,
                      RankedTensorType::get({1, batch, hidden}, et)),
            zerosT({2, batch, hidden}), ValueRange{}, ValueRange{},
            ValueRange{}, ArrayRef<int64_t>{0, 0, 0},
            ArrayRef<int64_t>{1, batch, hidden}, ArrayRef<int64_t>{1, 1, 1});
      };
      SmallVector<Value> iters = {twoSlots(h0), zerosT({seq, batch, hidden})};
      if (K == Cell::Lstm)
        iters.push_back(twoSlots(c0));
      Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value ub = arith::ConstantIndexOp::create(rewriter, loc, seq);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto loop = scf::ForOp::create(
          rewriter, loc, lb, ub, one, iters,
          [&](OpBuilder &b, Location l, Value step, ValueRange it) {
            Value cur = arith::RemUIOp::create(
                b, l, step, arith::ConstantIndexOp::create(b, l, 2));
            Value nxt = arith::SubIOp::create(
                b, l, arith::ConstantIndexOp::create(b, l, 1), cur);
            auto read = [&](Value slots) {
              return slice(b, l, slots,
                           {cur, b.getIndexAttr(0), b.getIndexAttr(0)},
                           {1, batch, hidden}, {batch, hidden});
            };
            auto write = [&](Value v, Value slots) -> Value {
              return tensor::InsertSliceOp::create(
                  b, l,
                  reshapeTo(b, l, v,
                            RankedTensorType::get({1, batch, hidden}, et)),
                  slots,
                  SmallVector<OpFoldResult>{nxt, b.getIndexAttr(0),
                                            b.getIndexAttr(0)},
                  SmallVector<OpFoldResult>{b.getIndexAttr(1),
                                            b.getIndexAttr(batch),
                                            b.getIndexAttr(hidden)},
                  SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
            };
            Value h = read(it[0]), y = it[1];
            Value c = K == Cell::Lstm ? read(it[2]) : Value();
            Value t =
                reverse
                    ? (Value)arith::SubIOp::create(
                          b, l, arith::ConstantIndexOp::create(b, l, seq - 1),
                          step)
                    : step;
            Value xs =
                slice(b, l, x, {t, b.getIndexAttr(0), b.getIndexAttr(0)},
                      {1, batch, xt.getDimSize(2)}, {batch, xt.getDimSize(2)});
            Value xw = matmulNT(b, l, xs, w, xInit);
            Value hr = matmulNT(b, l, h, r, hInit);
            Value rh; // GRU reset-first: (r * H) Rh^T + Rbh
            auto gate = [&](OpBuilder &nb, Location nl, Value mat, Value bi,
                            int64_t g, Value j) {
              Value col = arith::AddIOp::create(
                  nb, nl, j,
                  arith::ConstantIndexOp::create(nb, nl, g * hidden));
              return tensor::ExtractOp::create(nb, nl, mat,
                                               ValueRange{bi, col});
            };
            auto apply = [&](OpBuilder &nb, Location nl, StringRef name,
                             Value v) -> Value {
              if (clip) {
                Value cv = scalarConstant(nb, nl, et, *clip);
                v = arith::MinimumFOp::create(
                    nb, nl,
                    arith::MaximumFOp::create(
                        nb, nl, v, arith::NegFOp::create(nb, nl, cv)),
                    cv);
              }
              if (name == "sigmoid") {
                Value e = math::ExpOp::create(nb, nl,
                                              arith::NegFOp::create(nb, nl, v));
                return arith::DivFOp::create(
                    nb, nl, scalarConstant(nb, nl, et, 1.0),
                    arith::AddFOp::create(nb, nl,
                                          scalarConstant(nb, nl, et, 1.0), e));
              }
              if (name == "relu")
                return arith::MaximumFOp::create(
                    nb, nl, v, scalarConstant(nb, nl, et, 0.0));
              return math::TanhOp::create(nb, nl, v);
            };
            auto add = [&](OpBuilder &nb, Location nl, Value p, Value q) {
              return arith::AddFOp::create(nb, nl, p, q).getResult();
            };
            auto mul = [&](OpBuilder &nb, Location nl, Value p, Value q) {
              return arith::MulFOp::create(nb, nl, p, q).getResult();
            };
            auto hT = RankedTensorType::get({batch, hidden}, et);
            if (gruResetFirst) {
              // r * H, then its contraction with Rh.
              Value rH =
                  linalg::GenericOp::create(
                      b, l, hT, ValueRange{h},
                      Value(tensor::EmptyOp::create(b, l, hT.getShape(), et)),
                      SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(2)),
                      SmallVector<IteratorType>(2, IteratorType::parallel),
                      [&](OpBuilder &nb, Location nl, ValueRange a) {
                        Value bi = linalg::IndexOp::create(nb, nl, 0);
                        Value j = linalg::IndexOp::create(nb, nl, 1);
                        Value rg = apply(nb, nl, act[0],
                                         add(nb, nl, gate(nb, nl, xw, bi, 1, j),
                                             gate(nb, nl, hr, bi, 1, j)));
                        linalg::YieldOp::create(nb, nl, mul(nb, nl, rg, a[0]));
                      })
                      .getResult(0);
              Value rhW = slice(b, l, r,
                                {b.getIndexAttr(2 * hidden), b.getIndexAttr(0)},
                                {hidden, hidden}, {hidden, hidden});
              rh = matmulNT(b, l, rH, rhW, rbH);
            }
            // The cell, per (batch, hidden) element.
            SmallVector<Type> outTypes = {hT, hT};
            SmallVector<Value> outs = {
                tensor::EmptyOp::create(b, l, hT.getShape(), et),
                tensor::EmptyOp::create(b, l, hT.getShape(), et)};
            if (K == Cell::Lstm) {
              outTypes.push_back(hT);
              outs.push_back(tensor::EmptyOp::create(b, l, hT.getShape(), et));
            }
            SmallVector<Value> ins = {h};
            if (K == Cell::Lstm)
              ins.push_back(c);
            auto cell = linalg::GenericOp::create(
                b, l, outTypes, ins, outs,
                SmallVector<AffineMap>(ins.size() + outs.size(),
                                       b.getMultiDimIdentityMap(2)),
                SmallVector<IteratorType>(2, IteratorType::parallel),
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value bi = linalg::IndexOp::create(nb, nl, 0);
                  Value j = linalg::IndexOp::create(nb, nl, 1);
                  Value hPrev = a[0];
                  auto pre = [&](int64_t g) {
                    return add(nb, nl, gate(nb, nl, xw, bi, g, j),
                               gate(nb, nl, hr, bi, g, j));
                  };
                  Value hNew, cNew;
                  if (K == Cell::Rnn) {
                    hNew = apply(nb, nl, act[0], pre(0));
                  } else if (K == Cell::Gru) {
                    Value z = apply(nb, nl, act[0], pre(0));
                    Value rg = apply(nb, nl, act[0], pre(1));
                    Value cand =
                        gruResetFirst
                            ? add(nb, nl, gate(nb, nl, xw, bi, 2, j),
                                  tensor::ExtractOp::create(nb, nl, rh,
                                                            ValueRange{bi, j}))
                            : add(nb, nl, gate(nb, nl, xw, bi, 2, j),
                                  mul(nb, nl, rg, gate(nb, nl, hr, bi, 2, j)));
                    Value hh = apply(nb, nl, act[1], cand);
                    Value oneV = scalarConstant(nb, nl, et, 1.0);
                    hNew = add(
                        nb, nl,
                        mul(nb, nl, arith::SubFOp::create(nb, nl, oneV, z), hh),
                        mul(nb, nl, z, hPrev));
                  } else {
                    Value cPrev = a[1];
                    auto peephole = [&](Value v, int64_t k, Value cc) {
                      if (!peep)
                        return v;
                      Value col = arith::AddIOp::create(
                          nb, nl, j,
                          arith::ConstantIndexOp::create(nb, nl, k * hidden));
                      Value p = tensor::ExtractOp::create(nb, nl, peep,
                                                          ValueRange{col});
                      return add(nb, nl, v, mul(nb, nl, p, cc));
                    };
                    // Gates i, o, f, c; peepholes Pi, Po, Pf.
                    Value ig =
                        apply(nb, nl, act[0], peephole(pre(0), 0, cPrev));
                    Value fg =
                        apply(nb, nl, act[0], peephole(pre(2), 2, cPrev));
                    Value cg = apply(nb, nl, act[1], pre(3));
                    cNew = add(nb, nl, mul(nb, nl, fg, cPrev),
                               mul(nb, nl, ig, cg));
                    Value og = apply(nb, nl, act[0], peephole(pre(1), 1, cNew));
                    hNew = mul(nb, nl, og, apply(nb, nl, act[2], cNew));
                  }
                  Value yv = hNew;
                  if (seqLens) {
                    Value len = arith::IndexCastOp::create(
                        nb, nl, nb.getIndexType(),
                        tensor::ExtractOp::create(nb, nl, seqLens,
                                                  ValueRange{bi}));
                    Value valid = arith::CmpIOp::create(
                        nb, nl, arith::CmpIPredicate::slt, t, len);
                    yv = arith::SelectOp::create(
                        nb, nl, valid, hNew, scalarConstant(nb, nl, et, 0.0));
                    hNew = arith::SelectOp::create(nb, nl, valid, hNew, hPrev);
                    if (cNew)
                      cNew = arith::SelectOp::create(nb, nl, valid, cNew, a[1]);
                  }
                  SmallVector<Value> res = {hNew, yv};
                  if (cNew)
                    res.push_back(cNew);
                  linalg::YieldOp::create(nb, nl, res);
                });
            SmallVector<OpFoldResult> yOffs = {t, b.getIndexAttr(0),
                                               b.getIndexAttr(0)};
            Value yNext = tensor::InsertSliceOp::create(
                b, l,
                reshapeTo(b, l, cell.getResult(1),
                          RankedTensorType::get({1, batch, hidden}, et)),
                y, yOffs,
                SmallVector<OpFoldResult>{b.getIndexAttr(1),
                                          b.getIndexAttr(batch),
                                          b.getIndexAttr(hidden)},
                SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
            SmallVector<Value> next = {write(cell.getResult(0), it[0]), yNext};
            if (K == Cell::Lstm)
              next.push_back(write(cell.getResult(2), it[2]));
            scf::YieldOp::create(b, l, next);
          });
      // After `seq` steps the last state is in slot seq % 2.
      auto last = [&](Value slots) {
        return slice(rewriter, loc, slots, {idx(seq % 2), idx(0), idx(0)},
                     {1, batch, hidden}, {batch, hidden});
      };
      hs.push_back(last(loop.getResult(0)));
      ys.push_back(loop.getResult(1));
      if (K == Cell::Lstm)
        cs.push_back(last(loop.getResult(2)));
    }
    // Y [seq, dirs, batch, hidden]; Y_h, Y_c [dirs, batch, hidden]; the
    // batch-first layout moves batch to the front.
    auto stack = [&](ArrayRef<Value> parts, int64_t dim,
                     ArrayRef<int64_t> shape) {
      Value acc = tensor::EmptyOp::create(rewriter, loc, shape, et);
      for (auto [d, v] : llvm::enumerate(parts)) {
        SmallVector<int64_t> sizes(shape), offs(shape.size(), 0);
        sizes[dim] = 1;
        offs[dim] = d;
        acc = tensor::InsertSliceOp::create(
            rewriter, loc,
            reshapeTo(rewriter, loc, v, RankedTensorType::get(sizes, et)), acc,
            ValueRange{}, ValueRange{}, ValueRange{}, offs, sizes,
            SmallVector<int64_t>(shape.size(), 1));
      }
      return acc;
    };
    auto permute = [&](Value v, ArrayRef<int64_t> perm) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape;
      for (int64_t p : perm)
        shape.push_back(t.getDimSize(p));
      Value init = tensor::EmptyOp::create(rewriter, loc, shape, et);
      return linalg::TransposeOp::create(rewriter, loc, v, init, perm)
          .getResult()[0];
    };
    Value y = stack(ys, 1, {seq, dirs, batch, hidden});
    Value yh = stack(hs, 0, {dirs, batch, hidden});
    if (batchFirst) {
      y = permute(y, {2, 0, 1, 3});
      yh = permute(yh, {1, 0, 2});
    }
    SmallVector<Value> results = {y, yh};
    if constexpr (K == Cell::Lstm) {
      Value yc = stack(cs, 0, {dirs, batch, hidden});
      results.push_back(batchFirst ? permute(yc, {1, 0, 2}) : yc);
    }
    for (auto [i, v] : llvm::enumerate(results))
      if (isNoValue(op->getResult(i)) || op->getResult(i).use_empty())
        v = Value();
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void lowering::populateRecurrentPatterns(RewritePatternSet &patterns) {
  patterns.add<RecurrentLowering<ONNXRNNOp, Cell::Rnn>,
               RecurrentLowering<ONNXGRUOp, Cell::Gru>,
               RecurrentLowering<ONNXLSTMOp, Cell::Lstm>>(
      patterns.getContext());
}
