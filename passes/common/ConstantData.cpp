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
  // As APInts: getValues<int8_t> is only valid for signed 8-bit elements
  // (on uint8 ones it read the wrong count: 3 bytes of a 3x2x8 tensor).
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    SmallVector<int8_t> out;
    out.reserve(dense.getNumElements());
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(int8_t(x.getZExtValue()));
    return out;
  }
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

std::optional<SmallVector<int64_t>> mcc::elementsToInts(ElementsAttr attr) {
  auto it = dyn_cast<IntegerType>(attr.getElementType());
  if (!it)
    return std::nullopt;
  bool u = it.isUnsigned();
  SmallVector<int64_t> out;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(u ? int64_t(x.getZExtValue()) : x.getSExtValue());
    return out;
  }
  if (it.getWidth() == 8) {
    std::optional<SmallVector<int8_t>> bytes = elementsToBytes(attr);
    if (!bytes)
      return std::nullopt;
    for (int8_t x : *bytes)
      out.push_back(u ? int64_t(uint8_t(x)) : int64_t(x));
    return out;
  }
  auto res = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!res || it.getWidth() != 32 || !res.getRawHandle().getBlob())
    return std::nullopt;
  ArrayRef<char> raw = res.getRawHandle().getBlob()->getData();
  if (int64_t(raw.size()) != attr.getNumElements() * 4)
    return std::nullopt;
  out.resize(attr.getNumElements());
  for (size_t i = 0; i < out.size(); ++i) {
    int32_t x;
    std::memcpy(&x, raw.data() + 4 * i, 4);
    out[i] = u ? int64_t(uint32_t(x)) : int64_t(x);
  }
  return out;
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
