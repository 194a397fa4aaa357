//===- ConstantData.cpp - Reading and making weight constants ------------===//

#include "passes/common/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

std::optional<SmallVector<float>> mcc::elementsToFloats(ElementsAttr attr) {
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return SmallVector<float>(dense.getValues<float>());
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    if (int64_t(bytes.size()) != attr.getNumElements() * int64_t(sizeof(float)))
      return std::nullopt;
    SmallVector<float> out(attr.getNumElements());
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  return std::nullopt;
}

std::optional<SmallVector<int8_t>> mcc::elementsToBytes(ElementsAttr attr) {
  if (!attr.getElementType().isInteger(8))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return SmallVector<int8_t>(dense.getValues<int8_t>());
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    if (int64_t(bytes.size()) != attr.getNumElements())
      return std::nullopt;
    return SmallVector<int8_t>(bytes.begin(), bytes.end());
  }
  return std::nullopt;
}

ElementsAttr mcc::constantElements(Value v) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  return c ? dyn_cast<ElementsAttr>(c.getValue()) : ElementsAttr();
}

ElementsAttr mcc::makeResourceAttr(RankedTensorType type, ArrayRef<char> data,
                                   size_t align, StringRef name) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

ElementsAttr mcc::makeResourceAttr(RankedTensorType type, ArrayRef<float> data,
                                   StringRef name) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()),
                       data.size() * sizeof(float));
  return makeResourceAttr(type, bytes, alignof(float), name);
}

Value mcc::createResourceConstant(OpBuilder &b, Location loc,
                                  RankedTensorType type, ArrayRef<float> data,
                                  StringRef name) {
  return arith::ConstantOp::create(
      b, loc, type, cast<TypedAttr>(makeResourceAttr(type, data, name)));
}
