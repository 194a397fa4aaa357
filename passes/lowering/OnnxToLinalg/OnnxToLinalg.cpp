//===- OnnxToLinalg.cpp - The onnx-to-linalg pass and shared helpers ------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "llvm/ADT/StringSet.h"

namespace mcc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::lowering;

RankedTensorType lowering::staticResultType(Operation *op, unsigned i) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(i).getType());
  return t && t.hasStaticShape() ? t : RankedTensorType();
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType, ValueRange inputs,
                                 ScalarBody body) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs) {
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<AffineExpr> exprs;
    int64_t lead = rank - t.getRank();
    for (int64_t i = 0; i < t.getRank(); ++i)
      exprs.push_back(t.getDimSize(i) == 1 &&
                              resultType.getDimSize(lead + i) != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(lead + i, ctx));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

Value lowering::scalarConstant(OpBuilder &b, Location loc, Type type,
                               double v) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, int64_t(v)));
}

Value lowering::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                             double v) {
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value c = scalarConstant(b, loc, type.getElementType(), v);
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

Value lowering::reshapeTo(OpBuilder &b, Location loc, Value v,
                          RankedTensorType type) {
  auto src = cast<RankedTensorType>(v.getType());
  if (src == type)
    return v;
  Value flat = v;
  if (src.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (src.getRank() > 0) {
      all.emplace_back();
      for (int64_t i = 0; i < src.getRank(); ++i)
        all.back().push_back(i);
    }
    auto flatType = RankedTensorType::get(
        src.getRank() == 0 ? ArrayRef<int64_t>{}
                           : ArrayRef<int64_t>{src.getNumElements()},
        src.getElementType());
    if (src.getRank() == 0) {
      // rank 0 -> expand directly into the (all-ones) target.
      return tensor::ExpandShapeOp::create(b, loc, type, v,
                                           ArrayRef<ReassociationIndices>{});
    }
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, v, all);
  }
  if (type.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> all;
  if (type.getRank() > 0) {
    all.emplace_back();
    for (int64_t i = 0; i < type.getRank(); ++i)
      all.back().push_back(i);
  }
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, all);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
}

Value lowering::padSpatial(OpBuilder &b, Location loc, Value x,
                           ArrayRef<int64_t> padsBegin,
                           ArrayRef<int64_t> padsEnd, double value) {
  if (llvm::all_of(padsBegin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(padsEnd, [](int64_t p) { return p == 0; }))
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> lo = {0, 0}, hi = {0, 0}, shape;
  llvm::append_range(lo, padsBegin);
  llvm::append_range(hi, padsEnd);
  for (int64_t i = 0; i < t.getRank(); ++i)
    shape.push_back(t.getDimSize(i) + lo[i] + hi[i]);
  auto padType = RankedTensorType::get(shape, t.getElementType());
  Value pv = scalarConstant(b, loc, t.getElementType(), value);
  return tensor::PadOp::create(b, loc, padType, x,
                               getAsIndexOpFoldResult(b.getContext(), lo),
                               getAsIndexOpFoldResult(b.getContext(), hi), pv);
}

void lowering::replaceFirstResult(ConversionPatternRewriter &rewriter,
                                  Operation *op, Value v) {
  SmallVector<Value> repl(op->getNumResults(), Value());
  repl[0] = v;
  rewriter.replaceOp(op, repl);
}

static void populateOnnxToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateLinearPatterns(patterns);
  populatePoolingPatterns(patterns);
  populateReductionPatterns(patterns);
  populateShapePatterns(patterns);
}

llvm::StringSet<> mcc::getLowerableOnnxOps(MLIRContext *ctx) {
  RewritePatternSet patterns(ctx);
  populateOnnxToLinalgPatterns(patterns);
  llvm::StringSet<> names;
  for (const auto &p : patterns.getNativePatterns())
    if (auto kind = p->getRootKind())
      names.insert(kind->getStringRef());
  // Structural ops that need no pattern.
  names.insert(onnx::ONNXNoValueOp::getOperationName());
  return names;
}

namespace {
struct ConvertOnnxToLinalgPass
    : mcc::impl::ConvertOnnxToLinalgBase<ConvertOnnxToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<onnx::ONNXDialect>();
    target.addLegalOp<onnx::ONNXNoValueOp>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    populateOnnxToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Absent optional operands had only onnx users, all gone now.
    getOperation().walk([](onnx::ONNXNoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
  }
};
} // namespace
