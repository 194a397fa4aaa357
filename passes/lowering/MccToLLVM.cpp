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

/// mcc.dot_pairs: vpdpwssd with VNNI, else vpmaddwd and an add.
struct DotPairsLowering : OpRewritePattern<mcc::DotPairsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mcc::DotPairsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType accT = op.getAcc().getType();
    bool wide = accT.getNumElements() == 16;
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

struct LowerMccToLLVM : mcc::impl::LowerMccToLLVMBase<LowerMccToLLVM> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DotPairsLowering>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
