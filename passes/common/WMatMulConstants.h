//===- WMatMulConstants.h - An mcc.wmatmul's constants, read ----*- C++ -*-===//
//
// The kernel generators of mcc.wmatmul (int4-matmul-kernels, and
// int8-matmul-kernels for 8-bit activations) pack its constant weights;
// both read them here first.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_COMMON_WMATMULCONSTANTS_H
#define MCC_PASSES_COMMON_WMATMULCONSTANTS_H

#include "dialects/mcc/MccDialect.h"
#include "passes/common/ConstantData.h"

namespace mcc {

/// Weights [K][N] and zero points [blocks][N] as integers (read per
/// `w_unsigned`), scales [blocks][N].
struct WMatMulConstants {
  int64_t k = 0, n = 0, block = 0, blocks = 0;
  llvm::SmallVector<int32_t> weights, zeroPoints;
  llvm::SmallVector<float> scales;
};

/// The constants of `op`, or nullopt when they are not constants or do not
/// have the sizes its types say (K or N of 0 included).
inline std::optional<WMatMulConstants> readWMatMulConstants(WMatMulOp op) {
  mlir::ElementsAttr wAttr = constantElements(op.getW());
  mlir::ElementsAttr sAttr = constantElements(op.getScale());
  mlir::ElementsAttr zAttr = constantElements(op.getZeroPoint());
  if (!wAttr || !sAttr || !zAttr)
    return std::nullopt;
  auto w = elementsToBytes(wAttr), z = elementsToBytes(zAttr);
  auto s = elementsToFloats(sAttr);
  if (!w || !z || !s)
    return std::nullopt;
  WMatMulConstants c;
  c.k = op.getW().getType().getDimSize(0);
  c.n = op.getW().getType().getDimSize(1);
  c.block = op.getBlockSize();
  c.blocks = llvm::divideCeil(c.k, c.block);
  if (c.k == 0 || c.n == 0 || int64_t(w->size()) != c.k * c.n ||
      int64_t(s->size()) != c.blocks * c.n ||
      int64_t(z->size()) != c.blocks * c.n)
    return std::nullopt;
  bool u = op.getWUnsigned();
  auto value = [&](int8_t v) -> int32_t {
    return u ? int32_t(uint8_t(v)) : int32_t(v);
  };
  for (int8_t v : *w)
    c.weights.push_back(value(v));
  for (int8_t v : *z)
    c.zeroPoints.push_back(value(v));
  c.scales.assign(s->begin(), s->end());
  return c;
}

} // namespace mcc

#endif // MCC_PASSES_COMMON_WMATMULCONSTANTS_H
