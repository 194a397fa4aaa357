//===- Einsum.cpp - Einsum to one linalg.generic --------------------------===//
//
// Every distinct subscript letter (and each dim the ellipsis stands for) is
// a loop; an operand's indexing map lists its letters (a letter repeated
// in one operand reads its diagonal), size-1 ellipsis dims broadcast. The
// body multiplies the operands and accumulates into the output; letters
// absent from the output are reductions. Without "->" the output is the
// ellipsis then the letters used once, in alphabetical order.
// float16/bfloat16 accumulate in float32.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;
using namespace mcc::lowering;

namespace {

using utils::IteratorType;

struct EinsumLowering : OpConversionPattern<ONNXEinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXEinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto rt = staticResultType(op);
    if (!rt)
      return unsupported(rewriter, op, kNeedsStaticShapes);
    StringRef eq = op.getEquation();
    auto [lhs, rhs] = eq.split("->");
    bool explicitOut = eq.contains("->");
    SmallVector<StringRef> parts;
    lhs.split(parts, ',');
    if (parts.size() != adaptor.getInputs().size())
      return unsupported(rewriter, op,
                         "the equation names a different number of inputs");
    SmallVector<EinsumTerm> terms;
    SmallVector<RankedTensorType> types;
    for (auto [s, v] : llvm::zip(parts, op.getInputs())) {
      auto t = parseEinsumTerm(s);
      auto vt = dyn_cast<RankedTensorType>(v.getType());
      if (failed(t) || !vt || !vt.hasStaticShape())
        return unsupported(rewriter, op,
                           "cannot parse the equation, or "
                           "an input has no static shape");
      terms.push_back(*t);
      types.push_back(vt);
    }
    // The ellipsis' dims: as many as the widest operand gives it.
    int64_t ellRank = 0;
    for (auto [t, vt] : llvm::zip(terms, types))
      if (t.ellipsis)
        ellRank = std::max<int64_t>(ellRank, vt.getRank() -
                                                 int64_t(t.letters.size()) + 1);
    // Loop dims: ellipsis dims first, then letters in order of appearance.
    llvm::MapVector<char, int64_t> letterDim;
    std::map<char, int> uses;
    for (const EinsumTerm &t : terms)
      for (char c : t.letters)
        if (c != '.') {
          ++uses[c];
          letterDim.insert({c, ellRank + int64_t(letterDim.size())});
        }
    EinsumTerm out;
    if (explicitOut) {
      auto t = parseEinsumTerm(rhs);
      if (failed(t))
        return unsupported(rewriter, op, "cannot parse the equation");
      out = *t;
    } else {
      if (ellRank)
        out.letters.push_back('.');
      for (auto [c, n] : uses)
        if (n == 1)
          out.letters.push_back(c);
    }
    int64_t numLoops = ellRank + letterDim.size();
    MLIRContext *ctx = getContext();
    SmallVector<int64_t> loopSize(numLoops, 1);
    auto mapFor = [&](const EinsumTerm &t, ArrayRef<int64_t> shape,
                      bool isOutput) -> FailureOr<AffineMap> {
      SmallVector<AffineExpr> exprs;
      int64_t d = 0;
      for (char c : t.letters) {
        if (c == '.') {
          int64_t n = shape.size() - (t.letters.size() - 1);
          for (int64_t e = 0; e < n; ++e, ++d) {
            int64_t loop = ellRank - n + e;
            bool bcast = !isOutput && shape[d] == 1;
            exprs.push_back(bcast ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(loop, ctx));
            if (!bcast)
              loopSize[loop] = std::max(loopSize[loop], shape[d]);
          }
          continue;
        }
        auto it = letterDim.find(c);
        if (it == letterDim.end() || d >= int64_t(shape.size()))
          return failure();
        exprs.push_back(getAffineDimExpr(it->second, ctx));
        loopSize[it->second] = shape[d++];
      }
      if (d != int64_t(shape.size()))
        return failure();
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (auto [t, vt] : llvm::zip(terms, types)) {
      auto m = mapFor(t, vt.getShape(), false);
      if (failed(m))
        return unsupported(rewriter, op,
                           "the equation does not match the input ranks");
      maps.push_back(*m);
    }
    auto om = mapFor(out, rt.getShape(), true);
    if (failed(om) || !om->isProjectedPermutation())
      return unsupported(rewriter, op,
                         "the equation does not match the output");
    maps.push_back(*om);
    SmallVector<IteratorType> iters(numLoops, IteratorType::reduction);
    for (AffineExpr e : om->getResults())
      iters[cast<AffineDimExpr>(e).getPosition()] = IteratorType::parallel;
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    Type acc = isa<FloatType>(et) && et.getIntOrFloatBitWidth() < 32
                   ? rewriter.getF32Type()
                   : et;
    auto accT = RankedTensorType::get(rt.getShape(), acc);
    auto g = linalg::GenericOp::create(
        rewriter, loc, accT, adaptor.getInputs(),
        filledTensor(rewriter, loc, accT, 0), maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          bool f = isa<FloatType>(acc);
          Value p;
          for (Value v : a.drop_back()) {
            if (f)
              v = toFloat(b, l, v, acc);
            p = !p  ? v
                : f ? (Value)arith::MulFOp::create(b, l, p, v)
                    : (Value)arith::MulIOp::create(b, l, p, v);
          }
          Value r = f ? (Value)arith::AddFOp::create(b, l, p, a.back())
                      : (Value)arith::AddIOp::create(b, l, p, a.back());
          linalg::YieldOp::create(b, l, r);
        });
    rewriter.replaceOp(op, castElements(rewriter, loc, g.getResult(0), et));
    return success();
  }
};

} // namespace

void lowering::populateEinsumPatterns(RewritePatternSet &patterns) {
  patterns.add<EinsumLowering>(patterns.getContext());
}
