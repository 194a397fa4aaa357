//===- MccToLLVM.cpp - mcc vector ops as LLVM intrinsic calls -------------===//
//
// The kernels keep their target instructions as mcc ops with no memory
// effects while they are on tensors (bufferization refuses ops with
// unknown effects, which an llvm.call_intrinsic has). On buffers, each
// becomes its intrinsic. LLVM does not find `vpmaddwd` in the equivalent
// shuffles, extends, multiplies and adds once its optimizer has run over
// them, so the kernels name it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mcc {
#define GEN_PASS_DEF_LOWERMCCTOLLVM
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// acc + the sums of `group` adjacent products of `a` and `b`, widened to
/// i32 (`a` zero-extended when `aUnsigned`, `b` sign-extended) in plain
/// vector ops: any target, and the VNNI kernels' test on hosts without it.
Value portableDot(OpBuilder &b, Location loc, Value acc, Value a, Value w,
                  int64_t group, bool aUnsigned) {
  auto accT = cast<VectorType>(acc.getType());
  int64_t lanes = accT.getNumElements();
  auto wideT = VectorType::get({lanes * group}, b.getI32Type());
  Value aw = aUnsigned ? (Value)arith::ExtUIOp::create(b, loc, wideT, a)
                       : (Value)arith::ExtSIOp::create(b, loc, wideT, a);
  Value ww = arith::ExtSIOp::create(b, loc, wideT, w);
  Value prod = arith::MulIOp::create(b, loc, aw, ww);
  Value sum = acc;
  for (int64_t j = 0; j < group; ++j) {
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < lanes; ++i)
      picks.push_back(i * group + j);
    Value part = vector::ShuffleOp::create(b, loc, prod, prod, picks);
    sum = arith::AddIOp::create(b, loc, sum, part);
  }
  return sum;
}

/// mcc.dot_pairs: vpdpwssd with VNNI, else vpmaddwd and an add.
struct DotPairsLowering : OpRewritePattern<mcc::DotPairsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mcc::DotPairsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType accT = op.getAcc().getType();
    int64_t lanes = accT.getNumElements();
    if (op.getPortable() || lanes == 4) {
      rewriter.replaceOp(op, portableDot(rewriter, loc, op.getAcc(), op.getA(),
                                         op.getB(), 2, false));
      return success();
    }
    bool wide = lanes == 16;
    if (op.getVnni()) {
      StringRef name = wide ? "llvm.x86.avx512.vpdpwssd.512"
                            : "llvm.x86.avx512.vpdpwssd.256";
      rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
          op, accT, rewriter.getStringAttr(name),
          ValueRange{op.getAcc(), op.getA(), op.getB()});
      return success();
    }
    StringRef name =
        wide ? "llvm.x86.avx512.pmaddw.d.512" : "llvm.x86.avx2.pmadd.wd";
    Value prod = LLVM::CallIntrinsicOp::create(rewriter, loc, accT,
                                               rewriter.getStringAttr(name),
                                               ValueRange{op.getA(), op.getB()})
                     .getResult(0);
    rewriter.replaceOpWithNewOp<arith::AddIOp>(op, op.getAcc(), prod);
    return success();
  }
};

/// mcc.dot_quads: vpdpbusd (AVX512-VNNI, or AVX-VNNI's VEX form at 256
/// bits).
struct DotQuadsLowering : OpRewritePattern<mcc::DotQuadsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mcc::DotQuadsOp op,
                                PatternRewriter &rewriter) const override {
    VectorType accT = op.getAcc().getType();
    int64_t lanes = accT.getNumElements();
    if (op.getPortable() || lanes == 4) {
      rewriter.replaceOp(op, portableDot(rewriter, op.getLoc(), op.getAcc(),
                                         op.getA(), op.getB(), 4, true));
      return success();
    }
    StringRef name = lanes == 16 ? "llvm.x86.avx512.vpdpbusd.512"
                                 : "llvm.x86.avx512.vpdpbusd.256";
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, accT, rewriter.getStringAttr(name),
        ValueRange{op.getAcc(), op.getA(), op.getB()});
    return success();
  }
};

struct LowerMccToLLVM : mcc::impl::LowerMccToLLVMBase<LowerMccToLLVM> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DotPairsLowering, DotQuadsLowering>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
