//===- Dims.cpp - Sizes that may be known only at run time ----------------===//
//
// The helpers every pattern uses to size its results, static or not. With
// static shapes they fold to the constants the types carry, so a static
// model lowers to the same IR as if they did not exist.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::lowering;

SmallVector<OpFoldResult> lowering::dimsOf(OpBuilder &b, Location loc,
                                           Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

OpFoldResult lowering::dimOf(OpBuilder &b, Location loc, Value v, int64_t i) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(i))
    return b.getIndexAttr(t.getDimSize(i));
  return tensor::DimOp::create(b, loc, v, i).getResult();
}

Value lowering::dimValue(OpBuilder &b, Location loc, OpFoldResult d) {
  return getValueOrCreateConstantIndexOp(b, loc, d);
}

namespace {
/// Where a size comes from: a constant, a Value that is no dim of a
/// tensor, or dim `index` of `tensor` when nothing says more.
struct DimRoot {
  std::optional<int64_t> constant;
  Value value;
  int64_t index = 0;
  bool operator==(const DimRoot &o) const {
    return constant == o.constant && value == o.value && index == o.index;
  }
};
} // namespace

/// Follows dim `i` of `v` through ops whose result dims are an operand's
/// (destination-style ops, casts, collapses of one dynamic dim with 1s) or
/// a size operand (tensor.empty, expand_shape), and through tensor.dim
/// itself. The value-bounds analysis that sameDim falls back to walks the
/// whole graph above a tensor; this settles the common cases at once (a
/// 12-layer encoder's lowering spent 33 s there).
static DimRoot rootDim(Value v, int64_t i) {
  constexpr int kMaxSteps = 1024;
  for (int step = 0; step < kMaxSteps; ++step) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return {std::nullopt, v, 0};
    if (!t.isDynamicDim(i))
      return {t.getDimSize(i), {}, 0};
    Operation *def = v.getDefiningOp();
    OpFoldResult size;
    if (auto e = dyn_cast_if_present<tensor::EmptyOp>(def)) {
      size = e.getMixedSizes()[i];
    } else if (auto x = dyn_cast_if_present<tensor::ExpandShapeOp>(def)) {
      size = x.getMixedOutputShape()[i];
    } else if (auto dps = dyn_cast_if_present<DestinationStyleOpInterface>(def);
               dps && dps.hasPureTensorSemantics()) {
      v = dps.getTiedOpOperand(cast<OpResult>(v))->get();
      continue;
    } else if (auto c = dyn_cast_if_present<tensor::CastOp>(def)) {
      v = c.getSource();
      continue;
    } else if (auto c = dyn_cast_if_present<tensor::CollapseShapeOp>(def)) {
      auto src = c.getSrcType();
      std::optional<int64_t> dynamicDim;
      bool others1 = true;
      // A local: the range-for over an element of the returned temporary
      // read it after its end (ASan: stack-use-after-scope).
      SmallVector<ReassociationIndices> groups = c.getReassociationIndices();
      for (int64_t d : groups[i]) {
        if (!src.isDynamicDim(d)) {
          others1 &= src.getDimSize(d) == 1;
          continue;
        }
        others1 &= !dynamicDim;
        dynamicDim = d;
      }
      if (!dynamicDim || !others1)
        return {std::nullopt, v, i};
      v = c.getSrc();
      i = *dynamicDim;
      continue;
    } else {
      return {std::nullopt, v, i};
    }
    if (auto c = getConstantIntValue(size))
      return {*c, {}, 0};
    Value sv = cast<Value>(size);
    auto d = sv.getDefiningOp<tensor::DimOp>();
    if (!d || !d.getConstantIndex())
      return {std::nullopt, sv, 0};
    v = d.getSource();
    i = *d.getConstantIndex();
  }
  return {std::nullopt, v, i};
}

static DimRoot rootDim(OpFoldResult d) {
  if (auto c = getConstantIntValue(d))
    return {*c, {}, 0};
  Value v = cast<Value>(d);
  if (auto dim = v.getDefiningOp<tensor::DimOp>();
      dim && dim.getConstantIndex())
    return rootDim(dim.getSource(), *dim.getConstantIndex());
  return {std::nullopt, v, 0};
}

bool lowering::sameDim(OpFoldResult a, OpFoldResult c) {
  std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return *x == *y;
  if (a == c)
    return true;
  // Cheap first: both followed to where the size comes from.
  if (rootDim(a) == rootDim(c))
    return true;
  // Both derived from the same input dim (through results sized by their
  // inits, casts, affine arithmetic...): the value-bounds analysis sees it.
  FailureOr<bool> eq =
      ValueBoundsConstraintSet::areEqual(ValueBoundsConstraintSet::Variable(a),
                                         ValueBoundsConstraintSet::Variable(c));
  return succeeded(eq) && *eq;
}

RankedTensorType lowering::tensorType(ArrayRef<OpFoldResult> dims, Type elem) {
  SmallVector<int64_t> shape;
  for (OpFoldResult d : dims)
    shape.push_back(getConstantIntValue(d).value_or(ShapedType::kDynamic));
  return RankedTensorType::get(shape, elem);
}

Value lowering::emptyTensor(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> dims, Type elem) {
  return tensor::EmptyOp::create(b, loc, dims, elem);
}

Value lowering::emptyOfType(OpBuilder &b, Location loc, RankedTensorType type,
                            ArrayRef<OpFoldResult> dims) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(dimValue(b, loc, dims[i]));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamic);
}

SmallVector<OpFoldResult> lowering::dimsFor(OpBuilder &b, Location loc,
                                            RankedTensorType type, Value like) {
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    dims.push_back(type.isDynamicDim(i) ? dimOf(b, loc, like, i)
                                        : b.getIndexAttr(type.getDimSize(i)));
  return dims;
}

void lowering::checkShape(OpBuilder &b, Location loc, Value cond,
                          const Twine &what) {
  if (std::optional<int64_t> c = getConstantIntValue(cond); c && *c)
    return;
  std::string node = onnx::describeNode(loc);
  cf::AssertOp::create(b, loc, cond,
                       node.empty() ? what.str() : node + ": " + what.str());
}

void lowering::checkSameDim(OpBuilder &b, Location loc, OpFoldResult a,
                            OpFoldResult c, const Twine &what) {
  if (sameDim(a, c))
    return;
  checkShape(b, loc,
             arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   dimValue(b, loc, a), dimValue(b, loc, c)),
             what);
}

void lowering::checkNonNegative(OpBuilder &b, Location loc, OpFoldResult dim,
                                const Twine &what) {
  if (std::optional<int64_t> c = getConstantIntValue(dim); c && *c >= 0)
    return;
  Value v = dimValue(b, loc, dim);
  // Dims of tensors and sums of them need no check.
  FailureOr<int64_t> lower = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::LB, ValueBoundsConstraintSet::Variable(v),
      /*stopCondition=*/nullptr, /*closedUB=*/true);
  if (succeeded(lower) && *lower >= 0)
    return;
  checkShape(b, loc,
             arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v,
                                   arith::ConstantIndexOp::create(b, loc, 0)),
             what);
}

Value lowering::checkedIndex(OpBuilder &b, Location loc, Value idx, Value dim,
                             const Twine &what, bool negative) {
  std::string node = onnx::describeNode(loc);
  return CheckIndexOp::create(
      b, loc, b.getIndexType(), idx, dim,
      node.empty() ? what.str() : node + ": " + what.str(), negative);
}

Value lowering::nonEmptyDim(OpBuilder &b, Location loc, OpFoldResult d) {
  if (std::optional<int64_t> c = getConstantIntValue(d); c && *c > 0)
    return Value();
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                               dimValue(b, loc, d),
                               arith::ConstantIndexOp::create(b, loc, 0));
}

Value lowering::guardedExtract(OpBuilder &b, Location loc, Value t,
                               ValueRange at, Value guard) {
  if (!guard)
    return tensor::ExtractOp::create(b, loc, t, at);
  Type elem = cast<ShapedType>(t.getType()).getElementType();
  auto ifOp = scf::IfOp::create(
      b, loc, guard,
      [&](OpBuilder &nb, Location l) {
        scf::YieldOp::create(nb, l,
                             Value(tensor::ExtractOp::create(nb, l, t, at)));
      },
      [&](OpBuilder &nb, Location l) {
        scf::YieldOp::create(
            nb, l,
            Value(arith::ConstantOp::create(nb, l, nb.getZeroAttr(elem))));
      });
  return ifOp.getResult(0);
}

Value lowering::allOf(OpBuilder &b, Location loc, ArrayRef<Value> conds) {
  Value all;
  for (Value c : conds)
    if (c)
      all = all ? arith::AndIOp::create(b, loc, all, c).getResult() : c;
  return all;
}

SmallVector<OpFoldResult>
lowering::withDeclaredDims(OpBuilder &b, Location loc,
                           ArrayRef<OpFoldResult> dims,
                           RankedTensorType declared) {
  SmallVector<OpFoldResult> out(dims);
  if (!declared)
    return out;
  for (auto [i, d] : llvm::enumerate(out)) {
    if (declared.isDynamicDim(i))
      continue;
    OpFoldResult s = b.getIndexAttr(declared.getDimSize(i));
    checkSameDim(b, loc, d, s,
                 "dimension " + Twine(i) +
                     " of the result differs from the "
                     "model's declared " +
                     Twine(declared.getDimSize(i)));
    d = s;
  }
  return out;
}

OpFoldResult lowering::addDims(OpBuilder &b, Location loc, OpFoldResult a,
                               OpFoldResult c) {
  AffineExpr s0, s1;
  bindSymbols(b.getContext(), s0, s1);
  return affine::makeComposedFoldedAffineApply(b, loc, s0 + s1, {a, c});
}

OpFoldResult lowering::mulDims(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> dims) {
  OpFoldResult p = b.getIndexAttr(1);
  AffineExpr s0, s1;
  bindSymbols(b.getContext(), s0, s1);
  for (OpFoldResult d : dims)
    p = affine::makeComposedFoldedAffineApply(b, loc, s0 * s1, {p, d});
  return p;
}

OpFoldResult lowering::indexElement(OpBuilder &b, Location loc, Value t,
                                    int64_t j) {
  auto tt = cast<RankedTensorType>(t.getType());
  if (auto c = t.getDefiningOp<arith::ConstantOp>())
    if (auto d = dyn_cast<DenseIntElementsAttr>(c.getValue()))
      return b.getIndexAttr(
          (*(d.value_begin<APInt>() + (d.isSplat() ? 0 : j))).getSExtValue());
  SmallVector<Value> at;
  if (tt.getRank() == 1)
    at.push_back(arith::ConstantIndexOp::create(b, loc, j));
  Value v = tensor::ExtractOp::create(b, loc, t, at);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v).getResult();
}

Value lowering::selectDim(OpBuilder &b, Location loc,
                          ArrayRef<OpFoldResult> dims, Value idx) {
  Value r = dimValue(b, loc, dims.back());
  for (int64_t k = int64_t(dims.size()) - 2; k >= 0; --k)
    r = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, idx,
                              arith::ConstantIndexOp::create(b, loc, k)),
        dimValue(b, loc, dims[k]), r);
  return r;
}

Value lowering::normalizedAxis(OpBuilder &b, Location loc, Value axis,
                               int64_t rank) {
  Value a = axis.getType().isIndex()
                ? axis
                : arith::IndexCastOp::create(b, loc, b.getIndexType(), axis)
                      .getResult();
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a,
                                    arith::ConstantIndexOp::create(b, loc, 0));
  return arith::SelectOp::create(
      b, loc, neg,
      arith::AddIOp::create(b, loc, a,
                            arith::ConstantIndexOp::create(b, loc, rank)),
      a);
}

SmallVector<OpFoldResult> lowering::keptDims(OpBuilder &b, Location loc,
                                             ArrayRef<OpFoldResult> dims,
                                             ArrayRef<Value> dropped,
                                             int64_t outRank) {
  // pos[j]: the input dim of output dim j; found by counting kept dims.
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> out(outRank, one);
  Value count = zero;
  for (auto [d, drop] : llvm::zip(dims, dropped)) {
    Value v = dimValue(b, loc, d);
    for (int64_t j = 0; j < outRank; ++j) {
      Value here = arith::AndIOp::create(
          b, loc,
          arith::XOrIOp::create(b, loc, drop,
                                arith::ConstantIntOp::create(b, loc, 1, 1)),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                                arith::ConstantIndexOp::create(b, loc, j)));
      out[j] = arith::SelectOp::create(b, loc, here, v, out[j]);
    }
    count = arith::SelectOp::create(b, loc, drop, count,
                                    arith::AddIOp::create(b, loc, count, one));
  }
  checkShape(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                            arith::ConstantIndexOp::create(b, loc, outRank)),
      "the axes do not leave " + Twine(outRank) + " dimensions");
  return SmallVector<OpFoldResult>(out.begin(), out.end());
}

namespace {

Value cmpEq(OpBuilder &b, Location loc, Value x, int64_t c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x,
                               arith::ConstantIndexOp::create(b, loc, c));
}

/// `x` with its dims `which` (operand dims that are 1 at run time while
/// the broadcast's are not) expanded to `to`: a gather that reads index 0
/// along a dim that is 1.
Value expandDims(OpBuilder &b, Location loc, Value x, ArrayRef<bool> which,
                 ArrayRef<OpFoldResult> to) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> dims = dimsOf(b, loc, x);
  SmallVector<Value> isOne(t.getRank());
  for (int64_t j = 0; j < t.getRank(); ++j)
    if (which[j]) {
      isOne[j] = cmpEq(b, loc, dimValue(b, loc, dims[j]), 1);
      dims[j] = to[j];
    }
  return generateFromIndices(
      b, loc, t,
      [&](OpBuilder &nb, Location l, ValueRange iv) {
        SmallVector<Value> idx(iv);
        Value zero = arith::ConstantIndexOp::create(nb, l, 0);
        for (int64_t j = 0; j < t.getRank(); ++j)
          if (which[j])
            idx[j] = arith::SelectOp::create(nb, l, isOne[j], zero, iv[j]);
        return tensor::ExtractOp::create(nb, l, x, idx).getResult();
      },
      dims);
}

} // namespace

Broadcast lowering::broadcastPrefix(OpBuilder &b, Location loc,
                                    MutableArrayRef<Value> operands,
                                    ArrayRef<int64_t> prefixRanks,
                                    ArrayRef<int64_t> declared,
                                    ArrayRef<OpFoldResult> target) {
  // A declared result may have more dims than the operands (Expand).
  int64_t rank = std::max(declared.size(), target.size());
  for (int64_t r : prefixRanks)
    rank = std::max(rank, r);
  Broadcast out;
  out.dims.assign(rank, b.getIndexAttr(1));
  out.zero.resize(operands.size());
  // maybe[k][j]: operand k's dynamic dim j may be 1 while the result's is
  // not, which only the run can tell.
  SmallVector<SmallVector<bool>> maybe(operands.size());
  for (auto [k, v] : llvm::enumerate(operands)) {
    out.zero[k].assign(cast<RankedTensorType>(v.getType()).getRank(), false);
    maybe[k].assign(out.zero[k].size(), false);
  }
  for (int64_t i = 0; i < rank; ++i) {
    // The result's dim when something fixes it: the caller's, a static
    // size other than 1 (shape inference rejected two different ones),
    // or a declared 1.
    std::optional<OpFoldResult> fixed;
    if (!target.empty())
      fixed = target[i];
    int64_t lead = rank - int64_t(declared.size());
    if (!fixed && i >= lead && !ShapedType::isDynamic(declared[i - lead]))
      fixed = b.getIndexAttr(declared[i - lead]);
    SmallVector<std::pair<size_t, int64_t>> dynamic, ones, sized;
    for (auto [k, v] : llvm::enumerate(operands)) {
      int64_t j = i - (rank - prefixRanks[k]);
      if (j < 0)
        continue;
      int64_t s = cast<RankedTensorType>(v.getType()).getDimSize(j);
      if (ShapedType::isDynamic(s))
        dynamic.push_back({k, j});
      else if (s == 1)
        ones.push_back({k, j});
      else
        sized.push_back({k, j});
    }
    if (!fixed && !sized.empty())
      fixed = dimOf(b, loc, operands[sized[0].first], sized[0].second);
    auto what = [&](size_t k) {
      return ("dimension " + Twine(i) + " of operand " + Twine(k) +
              " cannot be broadcast to the result")
          .str();
    };
    OpFoldResult d = b.getIndexAttr(1);
    if (fixed) {
      d = *fixed;
      std::optional<int64_t> c = getConstantIntValue(d);
      for (auto [k, j] : sized)
        checkSameDim(b, loc, dimOf(b, loc, operands[k], j), d, what(k));
      for (auto [k, j] : dynamic) {
        OpFoldResult dk = dimOf(b, loc, operands[k], j);
        if (sameDim(dk, d))
          continue;
        if (c && *c == 1) {
          checkSameDim(b, loc, dk, d, what(k));
          continue;
        }
        Value x = dimValue(b, loc, dk);
        checkShape(b, loc,
                   arith::OrIOp::create(
                       b, loc, cmpEq(b, loc, x, 1),
                       arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             x, dimValue(b, loc, d))),
                   what(k));
        maybe[k][j] = true;
      }
    } else if (!dynamic.empty()) {
      auto [k0, j0] = dynamic.front();
      d = dimOf(b, loc, operands[k0], j0);
      bool allSame = llvm::all_of(dynamic, [&](auto kj) {
        return sameDim(dimOf(b, loc, operands[kj.first], kj.second), d);
      });
      if (!allSame) {
        // d = the one that is not 1; two that are not 1 must agree.
        Value acc = dimValue(b, loc, d);
        for (auto [k, j] : ArrayRef(dynamic).drop_front()) {
          Value x = dimValue(b, loc, dimOf(b, loc, operands[k], j));
          Value ok = arith::OrIOp::create(
              b, loc,
              arith::OrIOp::create(b, loc, cmpEq(b, loc, acc, 1),
                                   cmpEq(b, loc, x, 1)),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, acc, x));
          checkShape(b, loc, ok, what(k));
          acc = arith::SelectOp::create(b, loc, cmpEq(b, loc, acc, 1), x, acc);
        }
        d = acc;
        for (auto [k, j] : dynamic)
          maybe[k][j] = true;
      }
    }
    if (!getConstantIntValue(d) || *getConstantIntValue(d) != 1)
      for (auto [k, j] : ones)
        out.zero[k][j] = true;
    out.dims[i] = d;
  }
  // Operands whose dynamic dims broadcast at run time get an expanded copy.
  for (auto [k, v] : llvm::enumerate(operands)) {
    if (!llvm::is_contained(maybe[k], true))
      continue;
    SmallVector<OpFoldResult> to = dimsOf(b, loc, v);
    Value need;
    for (auto [j, m] : llvm::enumerate(maybe[k])) {
      if (!m)
        continue;
      OpFoldResult r = out.dims[j + (rank - prefixRanks[k])];
      to[j] = r;
      Value c = arith::AndIOp::create(
          b, loc, cmpEq(b, loc, dimValue(b, loc, dimOf(b, loc, v, j)), 1),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                dimValue(b, loc, r),
                                arith::ConstantIndexOp::create(b, loc, 1)));
      need = need ? arith::OrIOp::create(b, loc, need, c).getResult() : c;
    }
    Value x = v;
    auto ifOp = scf::IfOp::create(
        b, loc, need,
        [&](OpBuilder &nb, Location l) {
          scf::YieldOp::create(nb, l, expandDims(nb, l, x, maybe[k], to));
        },
        [&](OpBuilder &nb, Location l) { scf::YieldOp::create(nb, l, x); });
    v = ifOp.getResult(0);
  }
  return out;
}
