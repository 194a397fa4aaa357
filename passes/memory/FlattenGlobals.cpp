//===- FlattenGlobals.cpp - Constant memref.globals as 1-D arrays ---------===//
//
// A constant memref.global of rank > 1 translates to nested LLVM arrays: one
// LLVM constant per innermost row, which for a 1x1 conv's weights is one per
// element (ResNet-50: millions of constants, most of the compile time and
// memory). This pass makes each such global 1-D over the same data (a
// resource blob is shared, not copied) and gives its users the original
// shape back through memref.expand_shape of the 1-D get_global, which
// translates to one flat constant array. A scalar's resource becomes a
// dense value (the LLVM lowering cannot take it).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mcc {
#define GEN_PASS_DEF_FLATTENMEMREFGLOBALS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// The initializer with a 1-D type, or null when it cannot be reshaped.
Attribute flatten(Attribute init, MemRefType flatType) {
  auto tensorType =
      RankedTensorType::get(flatType.getShape(), flatType.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(init))
    return dense.reshape(tensorType);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(init))
    return DenseResourceElementsAttr::get(tensorType, resource.getRawHandle());
  return {};
}

struct FlattenMemrefGlobals
    : mcc::impl::FlattenMemrefGlobalsBase<FlattenMemrefGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Users first: they are rewritten against the original types.
    DenseMap<StringAttr, SmallVector<memref::GetGlobalOp>> users;
    module.walk([&](memref::GetGlobalOp g) {
      users[g.getNameAttr().getAttr()].push_back(g);
    });
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      // A scalar's resource blob: memref-to-llvm reads a rank-0
      // initializer as a splat and aborts on a resource (a per-tensor
      // scale folded by fold-qdq), so it becomes a dense value.
      if (global.getConstant() && type.getRank() == 0)
        if (auto res = dyn_cast_if_present<DenseResourceElementsAttr>(
                global.getInitialValue().value_or(Attribute())))
          if (AsmResourceBlob *blob = res.getRawHandle().getBlob()) {
            bool splat = false;
            if (DenseElementsAttr::isValidRawBuffer(res.getType(),
                                                    blob->getData(), splat))
              global.setInitialValueAttr(DenseElementsAttr::getFromRawBuffer(
                  res.getType(), blob->getData()));
          }
      if (!global.getConstant() || type.getRank() < 2 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      auto init = global.getInitialValue();
      if (!init)
        continue;
      auto flatType =
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          AffineMap(), type.getMemorySpace());
      Attribute flat = flatten(*init, flatType);
      if (!flat)
        continue;
      global.setType(flatType);
      global.setInitialValueAttr(flat);
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all.front().push_back(d);
      for (memref::GetGlobalOp g : users[global.getSymNameAttr()]) {
        OpBuilder b(g);
        Value v = memref::GetGlobalOp::create(b, g.getLoc(), flatType,
                                              global.getSymName());
        Value shaped =
            memref::ExpandShapeOp::create(b, g.getLoc(), type, v, all);
        g.replaceAllUsesWith(shaped);
        g.erase();
      }
    }
  }
};

} // namespace
