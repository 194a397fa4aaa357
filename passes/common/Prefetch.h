//===- Prefetch.h - Prefetching the cache lines of a vector access -------===//

#ifndef MCC_PASSES_COMMON_PREFETCH_H
#define MCC_PASSES_COMMON_PREFETCH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mcc {

/// The cache line the prefetches are counted in.
constexpr int64_t kPrefetchLineBytes = 64;

/// A memref.prefetch of every 64-byte line a 1-D vector of `vecType` read
/// or written at `indices` of `base` touches (the last index moved by each
/// line's offset).
inline void prefetchLines(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value base, mlir::ArrayRef<mlir::Value> indices,
                          mlir::VectorType vecType, bool isWrite,
                          int64_t localityHint) {
  using namespace mlir;
  int64_t elementBytes =
      std::max<int64_t>(vecType.getElementTypeBitWidth() / 8, 1);
  int64_t perLine = std::max<int64_t>(kPrefetchLineBytes / elementBytes, 1);
  SmallVector<Value> at(indices);
  for (int64_t off = 0; off < vecType.getNumElements(); off += perLine) {
    if (off)
      at.back() = arith::AddIOp::create(
          b, loc, indices.back(), arith::ConstantIndexOp::create(b, loc, off));
    memref::PrefetchOp::create(b, loc, base, at, isWrite, localityHint,
                               /*isDataCache=*/true);
  }
}

} // namespace mcc

#endif // MCC_PASSES_COMMON_PREFETCH_H
