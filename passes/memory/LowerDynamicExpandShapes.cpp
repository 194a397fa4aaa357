//===- LowerDynamicExpandShapes.cpp - lower-dynamic-expand-shapes ---------===//
//
// Works around LLVM 22's expand-strided-metadata, which crashes on a
// memref.expand_shape with more than one dynamic dim in a reassociation
// group (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mcc {
#define GEN_PASS_DEF_LOWERDYNAMICEXPANDSHAPES
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// Whether some group of `op` holds two or more dynamic dims.
bool hasDynamicGroup(memref::ExpandShapeOp op) {
  MemRefType t = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return t.isDynamicDim(d); }) > 1)
      return true;
  return false;
}

/// a * b, folded when both are constants.
OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult x,
                      OpFoldResult y) {
  auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

/// `op` as a reinterpret_cast of its source's base, or failure (nothing
/// changed) when a computed stride contradicts the result type.
LogicalResult lower(memref::ExpandShapeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MemRefType rt = op.getResultType();
  SmallVector<int64_t> typeStrides;
  int64_t typeOffset;
  if (failed(rt.getStridesAndOffset(typeStrides, typeOffset)))
    return failure();
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, op.getSrc());
  SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
  SmallVector<OpFoldResult> strides(rt.getRank());
  for (auto [src, group] : llvm::enumerate(op.getReassociationIndices())) {
    OpFoldResult stride = getAsOpFoldResult(meta.getStrides()[src]);
    for (int64_t d : llvm::reverse(group)) {
      strides[d] = stride;
      stride = multiply(b, loc, stride, sizes[d]);
    }
  }
  for (auto [i, s] : llvm::enumerate(typeStrides)) {
    if (ShapedType::isDynamic(s))
      continue;
    auto c = getConstantIntValue(strides[i]);
    if (c && *c != s)
      return meta.erase(), failure();
    strides[i] = b.getIndexAttr(s);
  }
  OpFoldResult offset = ShapedType::isDynamic(typeOffset)
                            ? getAsOpFoldResult(meta.getOffset())
                            : OpFoldResult(b.getIndexAttr(typeOffset));
  Value cast = memref::ReinterpretCastOp::create(
      b, loc, rt, meta.getBaseBuffer(), offset, sizes, strides);
  op.getResult().replaceAllUsesWith(cast);
  op.erase();
  return success();
}

struct LowerDynamicExpandShapesPass
    : mcc::impl::LowerDynamicExpandShapesBase<LowerDynamicExpandShapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> ops;
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (hasDynamicGroup(op))
        ops.push_back(op);
    });
    for (memref::ExpandShapeOp op : ops)
      if (failed(lower(op))) {
        op.emitOpError("has a stride its result type contradicts");
        return signalPassFailure();
      }
  }
};

} // namespace
