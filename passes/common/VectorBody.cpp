//===- VectorBody.cpp - An elementwise generic's body on vectors ----------===//

#include "passes/common/VectorBody.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

bool mcc::isVectorizableBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return false;
  for (Operation &inner : body.without_terminator()) {
    if (inner.getNumResults() != 1 || inner.getNumRegions() != 0)
      return false;
    if (!OpTrait::hasElementwiseMappableTraits(&inner) &&
        !isa<arith::ConstantOp>(inner))
      return false;
    if (!inner.getResult(0).getType().isIntOrFloat())
      return false;
  }
  return true;
}

linalg::GenericOp mcc::soleVectorizableConsumer(Operation *producer,
                                                bool unitBroadcasts) {
  Value r = producer->getResult(0);
  if (!r.hasOneUse())
    return {};
  auto e = dyn_cast<linalg::GenericOp>(*r.getUsers().begin());
  if (!e || e->getNumResults() != 1 ||
      !isElementwiseGeneric(e, unitBroadcasts) ||
      cast<ShapedType>(e->getResult(0).getType()).getShape() !=
          cast<ShapedType>(r.getType()).getShape() ||
      !e.getMatchingIndexingMap(e.getDpsInitOperand(0)).isIdentity() ||
      !isVectorizableBody(e))
    return {};
  for (OpOperand *in : e.getDpsInputOperands())
    if (in->get() == r && !e.getMatchingIndexingMap(in).isIdentity())
      return {};
  return e;
}

Value mcc::applyBodyOnVectors(OpBuilder &b, Location loc, linalg::GenericOp op,
                              IRMapping &map, int64_t lanes) {
  auto vecType = [&](Type t) { return VectorType::get({lanes}, t); };
  Block &body = op.getRegion().front();
  for (Operation &inner : body.without_terminator()) {
    Type vt = vecType(inner.getResult(0).getType());
    if (auto cst = dyn_cast<arith::ConstantOp>(inner)) {
      map.map(cst.getResult(),
              arith::ConstantOp::create(
                  b, loc, vt,
                  DenseElementsAttr::get(cast<ShapedType>(vt),
                                         cast<TypedAttr>(cst.getValue()))));
      continue;
    }
    for (Value v : inner.getOperands())
      if (!map.contains(v)) // defined above the body: a scalar
        map.map(v,
                vector::BroadcastOp::create(b, loc, vecType(v.getType()), v));
    Operation *clone = b.clone(inner, map);
    clone->getResult(0).setType(vt);
  }
  Value y = cast<linalg::YieldOp>(body.getTerminator()).getValues()[0];
  return map.lookupOrDefault(y);
}
