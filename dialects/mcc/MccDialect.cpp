//===- MccDialect.cpp - The mid-level mcc dialect -------------------------===//

#include "dialects/mcc/MccDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mcc;

#include "dialects/mcc/MccDialect.cpp.inc"

void MccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/mcc/MccOps.cpp.inc"
      >();
}

LogicalResult CheckIndexOp::verify() {
  if (getMessage().empty())
    return emitOpError("needs a message naming what is indexed");
  return success();
}

/// A zero point of one element (any rank), or (`perColumn`) one per
/// column of `n` columns.
static bool isZeroPointShape(RankedTensorType t, int64_t n, bool perColumn) {
  if (t.hasStaticShape() && t.getNumElements() == 1)
    return true;
  return perColumn && t.getRank() == 1 &&
         (t.isDynamicDim(0) || ShapedType::isDynamic(n) ||
          t.getDimSize(0) == n);
}

LogicalResult QMatMulOp::verify() {
  auto at = getA().getType(), bt = getB().getType();
  auto rt = cast<RankedTensorType>(getResult().getType());
  auto i8 = [](RankedTensorType t) { return t.getElementType().isInteger(8); };
  if (!i8(at) || !i8(bt) || !i8(getAZeroPoint().getType()) ||
      !i8(getBZeroPoint().getType()))
    return emitOpError("operands and zero points must be 8-bit integers");
  if (!rt.getElementType().isInteger(32))
    return emitOpError("result must be 32-bit integers");
  if (at.getRank() < 2 || bt.getRank() != 2)
    return emitOpError("needs `a` of rank 2 or more and a matrix `b`");
  int64_t r = at.getRank(), k = at.getDimSize(r - 1);
  if (!ShapedType::isDynamic(k) && !bt.isDynamicDim(0) && k != bt.getDimSize(0))
    return emitOpError("inner dimensions differ: ")
           << k << " vs " << bt.getDimSize(0);
  SmallVector<int64_t> want(at.getShape().drop_back());
  want.push_back(bt.getDimSize(1));
  if (rt.getRank() != r)
    return emitOpError("result must have rank ") << r;
  for (auto [w, d] : llvm::zip(want, rt.getShape()))
    if (!ShapedType::isDynamic(w) && !ShapedType::isDynamic(d) && w != d)
      return emitOpError("result shape does not match the operands");
  if (!isZeroPointShape(getAZeroPoint().getType(), 0, false))
    return emitOpError("a_zero_point must have one element");
  if (!isZeroPointShape(getBZeroPoint().getType(), bt.getDimSize(1), true))
    return emitOpError("b_zero_point must have one element or one per column");
  return success();
}

LogicalResult
QMatMulOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(tensor::getMixedSizes(b, getLoc(), getInit()));
  return success();
}

LogicalResult WMatMulOp::verify() {
  auto at = getA().getType(), wt = getW().getType();
  auto st = getScale().getType(), zt = getZeroPoint().getType();
  auto rt = cast<RankedTensorType>(getResult().getType());
  if (!at.getElementType().isF32() || !rt.getElementType().isF32() ||
      !st.getElementType().isF32())
    return emitOpError("activations, scales and result must be f32");
  if (!wt.getElementType().isInteger(8) ||
      zt.getElementType() != wt.getElementType())
    return emitOpError("weights and zero points must be 8-bit integers");
  if (at.getRank() < 2 || wt.getRank() != 2 || !wt.hasStaticShape())
    return emitOpError("needs `a` of rank 2 or more and a static matrix `w`");
  int64_t r = at.getRank(), k = wt.getDimSize(0), n = wt.getDimSize(1);
  if (!at.isDynamicDim(r - 1) && at.getDimSize(r - 1) != k)
    return emitOpError("inner dimensions differ: ")
           << at.getDimSize(r - 1) << " vs " << k;
  if (getBlockSize() < 1)
    return emitOpError("block_size must be positive");
  int64_t blocks = llvm::divideCeil(k, getBlockSize());
  for (RankedTensorType t : {st, zt})
    if (t.getShape() != ArrayRef<int64_t>{blocks, n})
      return emitOpError("scale and zero_point must be [ceil(K / "
                         "block_size), N] = [")
             << blocks << ", " << n << "]";
  SmallVector<int64_t> want(at.getShape().drop_back());
  want.push_back(n);
  if (rt.getRank() != r)
    return emitOpError("result must have rank ") << r;
  for (auto [w, d] : llvm::zip(want, rt.getShape()))
    if (!ShapedType::isDynamic(w) && !ShapedType::isDynamic(d) && w != d)
      return emitOpError("result shape does not match the operands");
  return success();
}

LogicalResult
WMatMulOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(tensor::getMixedSizes(b, getLoc(), getInit()));
  return success();
}

/// A dot op's shapes: `group` narrow elements per 32-bit lane, 256 or 512
/// bits (the portable form takes any width the instruction has).
static LogicalResult verifyDot(Operation *op, VectorType acc, VectorType a,
                               int64_t group) {
  int64_t lanes = acc.getNumElements();
  if (a.getNumElements() != group * lanes)
    return op->emitOpError("needs ")
           << group << " narrow elements per 32-bit lane";
  if (lanes != 4 && lanes != 8 && lanes != 16)
    return op->emitOpError("needs 4, 8 or 16 lanes (128 to 512 bits)");
  return success();
}

LogicalResult DotPairsOp::verify() {
  return verifyDot(*this, getAcc().getType(), getA().getType(), 2);
}

LogicalResult DotQuadsOp::verify() {
  return verifyDot(*this, getAcc().getType(), getA().getType(), 4);
}

#define GET_OP_CLASSES
#include "dialects/mcc/MccOps.cpp.inc"
