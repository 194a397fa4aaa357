//===- TensorData.cpp - ONNX tensors as MLIR attributes -------------------===//
//
// An initializer's type and bytes (from typed fields, raw_data or external
// data) and the attribute that holds them: dense when small, a resource
// blob otherwise.
//
//===----------------------------------------------------------------------===//

#include "lib/import/TensorData.h"

#include "lib/import/ExternalData.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx.pb.h"

#include <cstdlib>
#include <string>

using namespace mlir;
using llvm::Expected;

namespace {

/// Initializers at most this many elements (or integer ones up to
/// kMaxDenseIntElems) stay dense attributes so that shape arithmetic folds;
/// everything else becomes a resource blob.
constexpr int64_t kMaxDenseElems = 16;
constexpr int64_t kMaxDenseIntElems = 4096;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Expected<RankedTensorType> tensorType(MLIRContext &ctx,
                                      const ::onnx::TensorProto &t) {
  Type elem = mcc::onnx::getTypeForOnnxDType(&ctx, t.data_type());
  if (!elem)
    return fail("initializer '" + t.name() + "': unsupported data type " +
                Twine(t.data_type()));
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  // 2^48 elements (256 TiB of bytes): far beyond any weight, and a product
  // that cannot overflow when sized in bytes later.
  constexpr uint64_t kMaxElements = uint64_t(1) << 48;
  uint64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return fail("initializer '" + t.name() + "': negative dimension");
    if (d != 0 && elements > kMaxElements / uint64_t(d))
      elements = kMaxElements + 1;
    else
      elements *= uint64_t(d);
  }
  if (elements > kMaxElements && !llvm::is_contained(shape, 0))
    return fail("initializer '" + t.name() +
                "': its dimensions multiply to more than 2^48 elements");
  return RankedTensorType::get(shape, elem);
}

// Serializes the tensor's payload as the packed little-endian buffer that
// MLIR's dense attributes and resource blobs hold.
Expected<std::string> tensorBytes(const ::onnx::TensorProto &t,
                                  RankedTensorType type, StringRef modelDir) {
  int64_t numel = type.getNumElements();
  // Complex element types have no bit width of their own (asking for one
  // crashed: a fuzzer finding).
  Type elem = type.getElementType();
  auto ct = dyn_cast<ComplexType>(elem);
  unsigned bits = ct ? 2 * ct.getElementType().getIntOrFloatBitWidth()
                     : elem.getIntOrFloatBitWidth();
  // Booleans (i1) take a byte each in ONNX files, as in the buffer below.
  if (elem.isInteger(1))
    bits = 8;
  // int4/uint4 come two per byte, low nibble first (in raw_data, external
  // data, or one packed byte per int32_data entry).
  bool nibbles = bits == 4 && isa<IntegerType>(elem);
  if (bits % 8 != 0 && !nibbles)
    return fail("initializer '" + t.name() + "': " + Twine(bits) +
                "-bit element types other than int4/uint4 are not supported "
                "yet");
  size_t bytes = nibbles ? (size_t(numel) + 1) / 2 : size_t(numel) * (bits / 8);
  std::string out;
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL) {
    std::string location;
    uint64_t offset = 0, length = bytes;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::strtoull(kv.value().c_str(), nullptr, 10);
      else if (kv.key() == "length")
        length = std::strtoull(kv.value().c_str(), nullptr, 10);
    }
    auto buf = mcc::readExternalData(modelDir, location, offset, length);
    if (!buf)
      return fail("initializer '" + t.name() +
                  "': " + llvm::toString(buf.takeError()));
    out = (*buf)->getBuffer().str();
  } else if (t.has_raw_data()) {
    out = t.raw_data();
  } else {
    auto append = [&](const void *p, size_t n) {
      out.append(reinterpret_cast<const char *>(p), n);
    };
    unsigned w = nibbles ? 1 : bits / 8;
    for (float f : t.float_data())
      append(&f, 4);
    for (double d : t.double_data())
      append(&d, 8);
    for (int64_t v : t.int64_data())
      append(&v, 8);
    // int32_data carries every element type of 32 bits or fewer (float16
    // and bfloat16 as their bit patterns); uint64_data carries uint32/64.
    // Wider elements there are a malformed file (appending `w` bytes of a
    // 4-byte value read past it: the importer fuzzer's finding).
    if ((t.int32_data_size() && w > 4) || (t.uint64_data_size() && w > 8))
      return fail("initializer '" + t.name() + "': its " +
                  (t.int32_data_size() ? "int32_data" : "uint64_data") +
                  " cannot hold " + Twine(bits) + "-bit elements");
    for (int32_t v : t.int32_data())
      append(&v, w);
    for (uint64_t v : t.uint64_data())
      append(&v, w);
  }
  if (out.size() != bytes)
    return fail("initializer '" + t.name() + "': has " + Twine(out.size()) +
                " bytes of data, its shape needs " + Twine(bytes));
  if (!nibbles)
    return out;
  // MLIR's dense attributes hold one 4-bit element per byte (signed ones
  // sign-extended, so that a byte read gives the value too).
  std::string one(numel, '\0');
  bool sign = elem.isSignedInteger() || elem.isSignlessInteger();
  for (int64_t i = 0; i < numel; ++i) {
    uint8_t v = (uint8_t(out[i / 2]) >> (4 * (i % 2))) & 15;
    if (sign && (v & 8))
      v |= 0xF0;
    one[i] = char(v);
  }
  return one;
}

} // namespace

Expected<ElementsAttr> mcc::importTensor(MLIRContext &ctx,
                                         const ::onnx::TensorProto &t,
                                         StringRef modelDir) {
  Expected<RankedTensorType> type = tensorType(ctx, t);
  if (!type)
    return type.takeError();
  if (t.data_type() == ::onnx::TensorProto::STRING)
    return fail("string tensors are not supported");
  Expected<std::string> bytes = tensorBytes(t, *type, modelDir);
  if (!bytes)
    return bytes.takeError();
  Type elem = type->getElementType();
  int64_t numel = type->getNumElements();
  if (elem.isInteger(1)) {
    SmallVector<bool> bits(bytes->begin(), bytes->end());
    return ElementsAttr(DenseElementsAttr::get(*type, ArrayRef<bool>(bits)));
  }
  // 4-bit weights stay dense (fold-qdq folds their DequantizeLinear into
  // f32 weights; a resource blob of i4 has no LLVM lowering).
  if (numel <= kMaxDenseElems ||
      (isa<IntegerType>(elem) && numel <= kMaxDenseIntElems) ||
      elem.isInteger(4))
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(
        *type, ArrayRef<char>(bytes->data(), bytes->size())));
  // Weights: one copy of the bytes into a blob, no per-element attributes.
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes->data(), bytes->size()), alignof(std::max_align_t));
  std::string name = t.name().empty() ? "tensor" : t.name();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  return ElementsAttr(
      DenseResourceElementsAttr::get(*type, name, std::move(blob)));
}
