//===- FoldBatchNorm.cpp - onnx-fold-batchnorm ----------------------------===//
//
// Inference BatchNormalization after a Conv is a per-output-channel affine
// map, so it folds into the Conv's weights and bias at compile time: the
// model then runs one op instead of two and never materializes the
// pre-normalization tensor.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"

#include "mlir/IR/Builders.h"

namespace mcc {
#define GEN_PASS_DEF_ONNXFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::onnx;

namespace {

/// f32 contents of a constant operand (dense or resource), or nullopt.
std::optional<SmallVector<float>> constantFloats(Value v) {
  auto cst = v.getDefiningOp<ONNXConstantOp>();
  if (!cst || !cst.getValue())
    return std::nullopt;
  return elementsToFloats(*cst.getValue());
}

Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<float> data, StringRef name) {
  return createConstant(b, loc, makeResourceAttr(type, data, name));
}

struct OnnxFoldBatchNormPass
    : mcc::impl::OnnxFoldBatchNormBase<OnnxFoldBatchNormPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation().walk([&](ONNXBatchNormalizationOp bn) {
      auto conv = bn.getX().getDefiningOp<ONNXConvOp>();
      // The conv's raw output must not be needed elsewhere.
      if (!conv || !conv->hasOneUse() || bn.getTrainingMode())
        return;
      for (unsigned i = 1; i < bn->getNumResults(); ++i)
        if (!bn->getResult(i).use_empty())
          return;
      auto wt = dyn_cast<RankedTensorType>(conv.getW().getType());
      auto w = constantFloats(conv.getW());
      auto scale = constantFloats(bn.getScale()),
           bias = constantFloats(bn.getB());
      auto mean = constantFloats(bn.getInputMean());
      auto var = constantFloats(bn.getInputVar());
      if (!wt || !w || !scale || !bias || !mean || !var)
        return;
      int64_t m = wt.getDimSize(0);
      if (int64_t(scale->size()) != m || int64_t(mean->size()) != m)
        return;
      SmallVector<float> cb(m, 0.0f);
      if (!isNoValue(conv.getB())) {
        auto c = constantFloats(conv.getB());
        if (!c)
          return;
        cb = *c;
      }
      float eps = bn.getEpsilon().convertToFloat();
      int64_t per = w->size() / m;
      SmallVector<float> nw(*w), nb(m);
      for (int64_t o = 0; o < m; ++o) {
        float s = (*scale)[o] / std::sqrt((*var)[o] + eps);
        for (int64_t j = 0; j < per; ++j)
          nw[o * per + j] *= s;
        nb[o] = (cb[o] - (*mean)[o]) * s + (*bias)[o];
      }
      b.setInsertionPoint(conv);
      Value newW = makeConstant(b, conv.getLoc(), wt, nw, "folded_weight");
      Value newB = makeConstant(b, conv.getLoc(),
                                RankedTensorType::get({m}, b.getF32Type()), nb,
                                "folded_bias");
      conv->setOperand(1, newW);
      conv->setOperand(2, newB);
      // The conv now computes the normalized value; keep the BN's location
      // in the fused one so errors still name both nodes.
      conv->setLoc(b.getFusedLoc({conv.getLoc(), bn.getLoc()}));
      mcc::recordDecision(
          conv, "onnx-fold-batchnorm",
          "BatchNormalization folded into the Conv's weights and "
          "bias");
      conv.getResult().setType(bn.getY().getType());
      bn.getY().replaceAllUsesWith(conv.getResult());
      bn.erase();
    });
  }
};
} // namespace
