//===- Linalg.h - Small questions asked of linalg ops by several passes ---===//

#ifndef MCC_PASSES_COMMON_LINALG_H
#define MCC_PASSES_COMMON_LINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mcc {

/// One output, only parallel loops, every operand indexed by a projected
/// permutation: an elementwise op, possibly broadcasting its inputs. With
/// `unitBroadcasts`, maps may also have constant 0 results (an operand
/// shaped [C, 1, 1] read through (d3, 0, 0)).
inline bool isElementwiseGeneric(mlir::linalg::GenericOp op,
                                 bool unitBroadcasts = false) {
  return op.getNumDpsInits() == 1 &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(), [&](mlir::AffineMap m) {
           return m.isProjectedPermutation(unitBroadcasts);
         });
}

/// out = out + a * b, in either operand order, as math.fma or mulf + addf:
/// the body of a conv, matmul or Gemm.
inline bool isMultiplyAccumulate(mlir::linalg::GenericOp op) {
  using namespace mlir;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value a = body.getArgument(0), b = body.getArgument(1),
        out = body.getArgument(2);
  auto isProduct = [&](Value x, Value y) {
    return (x == a && y == b) || (x == b && y == a);
  };
  Value v = yield.getValues()[0];
  if (auto fma = v.getDefiningOp<math::FmaOp>())
    return fma.getC() == out && isProduct(fma.getA(), fma.getB());
  if (auto add = v.getDefiningOp<arith::AddFOp>()) {
    Value other = add.getLhs() == out ? add.getRhs() : add.getLhs();
    auto mul = other.getDefiningOp<arith::MulFOp>();
    return (add.getLhs() == out || add.getRhs() == out) && mul &&
           isProduct(mul.getLhs(), mul.getRhs());
  }
  return false;
}

/// Where an accumulator's init tensor gets its values: a linalg.fill's
/// scalar, or the only input of a generic that just broadcasts it (a
/// bias) with that input's indexing map in the init's index space.
struct InitSource {
  mlir::Value scalar;
  mlir::Value tensor;
  mlir::AffineMap map;
};
inline std::optional<InitSource> initSource(mlir::Value init) {
  using namespace mlir;
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return InitSource{fill.getInputs()[0], {}, {}};
  auto g = init.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwiseGeneric(g) || g.getNumDpsInputs() != 1 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Block &body = g.getRegion().front();
  if (cast<linalg::YieldOp>(body.getTerminator()).getValues()[0] !=
      body.getArgument(0))
    return std::nullopt;
  return InitSource{{},
                    g.getDpsInputs()[0],
                    g.getMatchingIndexingMap(g.getDpsInputOperand(0))};
}

/// `v`, or the source of the reshapes that make it (a reshape keeps the
/// data and its order).
inline mlir::Value throughReshapes(mlir::Value v) {
  while (
      llvm::isa_and_nonnull<mlir::tensor::ExpandShapeOp,
                            mlir::tensor::CollapseShapeOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  return v;
}

} // namespace mcc

#endif // MCC_PASSES_COMMON_LINALG_H
