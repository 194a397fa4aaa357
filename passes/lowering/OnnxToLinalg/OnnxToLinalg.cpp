//===- OnnxToLinalg.cpp - The onnx-to-linalg pass and shared helpers ------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "llvm/ADT/StringSet.h"

namespace mcc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;
using namespace mcc;
using namespace mcc::lowering;

RankedTensorType lowering::resultType(Operation *op, unsigned i) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(i).getType());
  return t ? cast<RankedTensorType>(signless(t)) : RankedTensorType();
}

RankedTensorType lowering::staticResultType(Operation *op, unsigned i) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(i).getType());
  return t && t.hasStaticShape() ? cast<RankedTensorType>(signless(t))
                                 : RankedTensorType();
}

bool lowering::isUnsignedInt(Type t) {
  if (auto st = dyn_cast<ShapedType>(t))
    t = st.getElementType();
  auto it = dyn_cast<IntegerType>(t);
  return it && it.isUnsigned();
}

Type lowering::signless(Type t) {
  if (auto st = dyn_cast<ShapedType>(t))
    return isUnsignedInt(st) ? st.clone(signless(st.getElementType())) : t;
  if (isUnsignedInt(t))
    return IntegerType::get(t.getContext(), t.getIntOrFloatBitWidth());
  return t;
}

TypedAttr lowering::signless(TypedAttr a) {
  Type to = signless(a.getType());
  if (to == a.getType())
    return a;
  if (auto i = dyn_cast<IntegerAttr>(a))
    return IntegerAttr::get(to, i.getValue());
  if (auto d = dyn_cast<DenseIntElementsAttr>(a))
    return d.bitcast(cast<ShapedType>(to).getElementType());
  if (auto r = dyn_cast<DenseResourceElementsAttr>(a))
    return DenseResourceElementsAttr::get(cast<ShapedType>(to),
                                          r.getRawHandle());
  return a;
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType, ValueRange inputs,
                                 ScalarBody body, ArrayRef<AffineMap> inputMaps,
                                 ArrayRef<OpFoldResult> resultDims) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputMaps);
  SmallVector<Value> operands(inputs);
  SmallVector<OpFoldResult> dims(resultDims);
  if (inputMaps.empty()) {
    SmallVector<int64_t> ranks;
    for (Value in : inputs)
      ranks.push_back(cast<RankedTensorType>(in.getType()).getRank());
    Broadcast bc = broadcastPrefix(b, loc, operands, ranks,
                                   resultType.getShape(), resultDims);
    dims = bc.dims;
    for (auto [k, in] : llvm::enumerate(operands)) {
      SmallVector<AffineExpr> exprs;
      int64_t lead = rank - ranks[k];
      for (int64_t i = 0; i < ranks[k]; ++i)
        exprs.push_back(bc.zero[k][i] ? getAffineConstantExpr(0, ctx)
                                      : getAffineDimExpr(lead + i, ctx));
      maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    }
  } else if (dims.empty()) {
    // A dynamic loop dim is the dim of an input its map reads directly.
    for (int64_t i = 0; i < rank; ++i) {
      if (!resultType.isDynamicDim(i)) {
        dims.push_back(b.getIndexAttr(resultType.getDimSize(i)));
        continue;
      }
      OpFoldResult d;
      for (auto [in, map] : llvm::zip(inputs, inputMaps))
        for (auto [j, e] : llvm::enumerate(map.getResults()))
          if (!d && e == getAffineDimExpr(i, ctx))
            d = dimOf(b, loc, in, j);
      assert(d && "no input map reads this dynamic loop dim");
      dims.push_back(d);
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  auto type = RankedTensorType::get(
      tensorType(dims, resultType.getElementType()).getShape(),
      resultType.getElementType());
  Value init = emptyOfType(b, loc, type, dims);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, operands, init, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  Value r = generic.getResult(0);
  // The type shape inference gave (it may know less than the dims do).
  if (type != resultType)
    r = tensor::CastOp::create(b, loc, resultType, r);
  return r;
}

Value lowering::generateFromIndices(
    OpBuilder &b, Location loc, RankedTensorType rt,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body,
    ArrayRef<OpFoldResult> dims) {
  int64_t rank = rt.getRank();
  assert((rt.hasStaticShape() || int64_t(dims.size()) == rank) &&
         "a dynamic result needs its dims");
  return linalg::GenericOp::create(
             b, loc, rt, ValueRange{}, emptyOfType(b, loc, rt, dims),
             SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> iv;
               for (int64_t d = 0; d < rank; ++d)
                 iv.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, iv));
             })
      .getResult(0);
}

Value FloatArith::add(Value p, Value q) const {
  return arith::AddFOp::create(b, loc, p, q);
}
Value FloatArith::sub(Value p, Value q) const {
  return arith::SubFOp::create(b, loc, p, q);
}
Value FloatArith::mul(Value p, Value q) const {
  return arith::MulFOp::create(b, loc, p, q);
}
Value FloatArith::div(Value p, Value q) const {
  return arith::DivFOp::create(b, loc, p, q);
}
Value FloatArith::lt(Value p, Value q) const {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, p, q);
}

Value lowering::scalarConstant(OpBuilder &b, Location loc, Type type,
                               double v) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, int64_t(v)));
}

Value lowering::floatMax(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MaximumFOp::create(b, loc, x, y, arith::FastMathFlags::nsz);
}

Value lowering::floatMin(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MinimumFOp::create(b, loc, x, y, arith::FastMathFlags::nsz);
}

Value lowering::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                             double v, ArrayRef<OpFoldResult> dims) {
  assert((type.hasStaticShape() || int64_t(dims.size()) == type.getRank()) &&
         "a dynamic result needs its dims");
  Value init = emptyOfType(b, loc, type, dims);
  Value c = scalarConstant(b, loc, type.getElementType(), v);
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

/// Groups dims into one group per dim that is not a static 1, the 1s
/// joining the group before them (leading ones the first group); no
/// groups when every dim is 1.
static SmallVector<ReassociationIndices> unitDimGroups(ArrayRef<int64_t> shape,
                                                       int64_t &nonUnit) {
  SmallVector<ReassociationIndices> groups;
  nonUnit = llvm::count_if(shape, [](int64_t d) { return d != 1; });
  if (nonUnit == 0)
    return groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < int64_t(shape.size()); ++i) {
    pending.push_back(i);
    if (shape[i] != 1) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  groups.back().append(pending.begin(), pending.end());
  return groups;
}

/// A reshape with dynamic dims as views when the dynamic dims of both
/// sides are known equal pairwise, in order, and the static dims between
/// them have the same products: each such run collapses to one dim (its
/// 1s join the dim before, or after at the front), every dynamic dim stays
/// one, and the target expands from that. (BERT's heads: [1, S, 768] to
/// [1, S, 12, 64] and back.) Null when the dims do not line up so.
static Value reshapeBySegments(OpBuilder &b, Location loc, Value v,
                               RankedTensorType type,
                               ArrayRef<OpFoldResult> dims) {
  auto src = cast<RankedTensorType>(v.getType());
  // One side's groups: the dims of each intermediate dim, with its size
  // (dynamic for a dynamic dim's group).
  struct Side {
    SmallVector<ReassociationIndices> groups;
    SmallVector<int64_t> sizes;
    SmallVector<int64_t> dynamicDims;
  };
  auto split = [](ArrayRef<int64_t> shape) {
    Side side;
    ReassociationIndices pending;
    int64_t product = 1;
    auto close = [&](int64_t size) {
      side.groups.push_back(pending);
      side.sizes.push_back(size);
      pending.clear();
      product = 1;
    };
    for (auto [i, d] : llvm::enumerate(shape)) {
      if (ShapedType::isDynamic(d)) {
        if (product != 1)
          close(product);
        pending.push_back(i);
        side.dynamicDims.push_back(i);
        close(ShapedType::kDynamic);
        continue;
      }
      pending.push_back(i);
      product *= d;
    }
    // Leading 1s joined the group after them (the product was still 1),
    // trailing ones join the last; so both sides' sizes compare directly.
    if (product != 1 || side.groups.empty())
      close(product);
    else
      side.groups.back().append(pending.begin(), pending.end());
    return side;
  };
  Side from = split(src.getShape()), to = split(type.getShape());
  if (from.sizes != to.sizes ||
      from.dynamicDims.size() != to.dynamicDims.size())
    return {};
  for (auto [a, c] : llvm::zip(from.dynamicDims, to.dynamicDims))
    if (!sameDim(dimOf(b, loc, v, a), dims[c]))
      return {};
  auto inter = RankedTensorType::get(from.sizes, src.getElementType());
  Value flat = v;
  if (inter != src)
    flat = tensor::CollapseShapeOp::create(b, loc, inter, v, from.groups);
  if (inter == type)
    return flat;
  SmallVector<OpFoldResult> outDims;
  for (auto [i, d] : llvm::enumerate(type.getShape()))
    outDims.push_back(ShapedType::isDynamic(d) ? dims[i] : b.getIndexAttr(d));
  return tensor::ExpandShapeOp::create(b, loc, type, flat, to.groups, outDims);
}

Value lowering::reshapeTo(OpBuilder &b, Location loc, Value v,
                          RankedTensorType type, ArrayRef<OpFoldResult> dims) {
  auto src = cast<RankedTensorType>(v.getType());
  if (src == type && (src.hasStaticShape() || dims.empty()))
    return v;
  if (!src.hasStaticShape() || !type.hasStaticShape()) {
    // Dims that are not static 1s correspond in order: drop the 1s, add
    // the target's (views, no copy).
    int64_t ns, nd;
    auto from = unitDimGroups(src.getShape(), ns);
    auto to = unitDimGroups(type.getShape(), nd);
    bool matches = ns == nd;
    SmallVector<int64_t> core;
    // The one dim of a group that is not a static 1.
    auto coreDim = [](RankedTensorType t, ArrayRef<int64_t> group) {
      return t.getDimSize(*llvm::find_if(
          group, [&](int64_t d) { return t.getDimSize(d) != 1; }));
    };
    for (int64_t i = 0; matches && i < ns; ++i) {
      int64_t a = coreDim(src, from[i]), c = coreDim(type, to[i]);
      matches = ShapedType::isDynamic(a) || ShapedType::isDynamic(c) || a == c;
      core.push_back(a);
    }
    // With the target's dims given, the dims must be known to correspond
    // (a Reshape of [?, ?] to [?, ?] may move elements between them).
    if (matches && !dims.empty()) {
      SmallVector<OpFoldResult> srcDims = dimsOf(b, loc, v);
      auto coreIndex = [](RankedTensorType t, ArrayRef<int64_t> group) {
        return *llvm::find_if(group,
                              [&](int64_t d) { return t.getDimSize(d) != 1; });
      };
      for (int64_t i = 0; matches && i < ns; ++i)
        matches = sameDim(srcDims[coreIndex(src, from[i])],
                          dims[coreIndex(type, to[i])]);
      for (int64_t i = 0; matches && i < type.getRank(); ++i)
        if (type.getDimSize(i) == 1) // a static 1 the dims must agree with
          matches = sameDim(dims[i], b.getIndexAttr(1));
    }
    if (matches) {
      Value flat = v;
      if (src.getRank() != ns)
        flat = tensor::CollapseShapeOp::create(
            b, loc, RankedTensorType::get(core, src.getElementType()), v, from);
      if (type.getRank() == ns)
        return flat.getType() == type
                   ? flat
                   : tensor::CastOp::create(b, loc, type, flat).getResult();
      SmallVector<int64_t> shape;
      SmallVector<OpFoldResult> outDims;
      for (int64_t i = 0, k = 0; i < type.getRank(); ++i) {
        if (type.getDimSize(i) == 1) {
          shape.push_back(1);
          outDims.push_back(b.getIndexAttr(1));
          continue;
        }
        shape.push_back(core[k]);
        outDims.push_back(dimOf(b, loc, flat, k));
        ++k;
      }
      auto expanded = RankedTensorType::get(shape, src.getElementType());
      Value r =
          tensor::ExpandShapeOp::create(b, loc, expanded, flat, to, outDims);
      return expanded == type
                 ? r
                 : tensor::CastOp::create(b, loc, type, r).getResult();
    }
    if (!dims.empty())
      if (Value r = reshapeBySegments(b, loc, v, type, dims))
        return r;
    // Any other reshape reads its shape from the dims.
    assert(int64_t(dims.size()) == type.getRank() &&
           "a dynamic reshape needs the target dims");
    SmallVector<Value> shape;
    for (OpFoldResult d : dims)
      shape.push_back(dimValue(b, loc, d));
    Value shapeT = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({type.getRank()}, b.getIndexType()),
        shape);
    return tensor::ReshapeOp::create(b, loc, type, v, shapeT);
  }
  Value flat = v;
  if (src.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (src.getRank() > 0) {
      all.emplace_back();
      for (int64_t i = 0; i < src.getRank(); ++i)
        all.back().push_back(i);
    }
    auto flatType = RankedTensorType::get(
        src.getRank() == 0 ? ArrayRef<int64_t>{}
                           : ArrayRef<int64_t>{src.getNumElements()},
        src.getElementType());
    if (src.getRank() == 0) {
      // rank 0 -> expand directly into the (all-ones) target.
      return tensor::ExpandShapeOp::create(b, loc, type, v,
                                           ArrayRef<ReassociationIndices>{});
    }
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, v, all);
  }
  if (type.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> all;
  if (type.getRank() > 0) {
    all.emplace_back();
    for (int64_t i = 0; i < type.getRank(); ++i)
      all.back().push_back(i);
  }
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, all);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
}

Value lowering::toFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (isa<IntegerType>(from))
    return arith::SIToFPOp::create(b, loc, to, v);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

Value lowering::castElements(OpBuilder &b, Location loc, Value x, Type to) {
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getElementType() == to)
    return x;
  return buildElementwise(b, loc, RankedTensorType::get(t.getShape(), to), x,
                          [&](OpBuilder &nb, Location l, ValueRange a) {
                            return toFloat(nb, l, a[0], to);
                          });
}

Value lowering::padSpatial(OpBuilder &b, Location loc, Value x,
                           ArrayRef<int64_t> padsBegin,
                           ArrayRef<int64_t> padsEnd, double value) {
  return padSpatial(b, loc, x,
                    getAsIndexOpFoldResult(b.getContext(), padsBegin),
                    getAsIndexOpFoldResult(b.getContext(), padsEnd), value);
}

Value lowering::padSpatial(OpBuilder &b, Location loc, Value x,
                           ArrayRef<OpFoldResult> padsBegin,
                           ArrayRef<OpFoldResult> padsEnd, double value) {
  auto t = cast<RankedTensorType>(x.getType());
  return padSpatial(b, loc, x, padsBegin, padsEnd,
                    scalarConstant(b, loc, t.getElementType(), value));
}

Value lowering::padSpatial(OpBuilder &b, Location loc, Value x,
                           ArrayRef<OpFoldResult> padsBegin,
                           ArrayRef<OpFoldResult> padsEnd, Value pv) {
  auto isZero = [](OpFoldResult p) { return isConstantIntValue(p, 0); };
  if (llvm::all_of(padsBegin, isZero) && llvm::all_of(padsEnd, isZero))
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0)},
                            hi = lo;
  llvm::append_range(lo, padsBegin);
  llvm::append_range(hi, padsEnd);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    auto l = getConstantIntValue(lo[i]), h = getConstantIntValue(hi[i]);
    shape.push_back(t.isDynamicDim(i) || !l || !h ? ShapedType::kDynamic
                                                  : t.getDimSize(i) + *l + *h);
  }
  auto padType = RankedTensorType::get(shape, t.getElementType());
  return tensor::PadOp::create(b, loc, padType, x, lo, hi, pv);
}

void lowering::replaceFirstResult(ConversionPatternRewriter &rewriter,
                                  Operation *op, Value v) {
  SmallVector<Value> repl(op->getNumResults(), Value());
  repl[0] = v;
  rewriter.replaceOp(op, repl);
}

/// Set while convert-onnx-to-linalg runs on this thread (the pass manager
/// may run functions in parallel, one pass instance per thread).
static thread_local DenseMap<Location, std::string> *failureReasons = nullptr;

LogicalResult lowering::unsupported(ConversionPatternRewriter &rewriter,
                                    Operation *op, const Twine &reason) {
  if (failureReasons)
    (*failureReasons)[op->getLoc()] = reason.str();
  return rewriter.notifyMatchFailure(op, reason);
}

static void populateOnnxToLinalgPatterns(RewritePatternSet &patterns) {
  populateAttentionPatterns(patterns);
  populateEinsumPatterns(patterns);
  populateElementwisePatterns(patterns);
  populateGeneratePatterns(patterns);
  populateGridSamplePatterns(patterns);
  populateIndexingPatterns(patterns);
  populateLinearPatterns(patterns);
  populateLossPatterns(patterns);
  populatePoolingPatterns(patterns);
  populateQuantizePatterns(patterns);
  populateQuantizedConvPatterns(patterns);
  populateRecurrentPatterns(patterns);
  populateReductionPatterns(patterns);
  populateSoftmaxPatterns(patterns);
  populateResizePatterns(patterns);
  populateSelectPatterns(patterns);
  populateShapePatterns(patterns);
}

llvm::StringSet<> mcc::getLowerableOnnxOps(MLIRContext *ctx) {
  RewritePatternSet patterns(ctx);
  populateOnnxToLinalgPatterns(patterns);
  llvm::StringSet<> names;
  for (const auto &p : patterns.getNativePatterns())
    if (auto kind = p->getRootKind())
      names.insert(kind->getStringRef());
  // Structural ops that need no pattern; control flow has its own pass
  // (convert-onnx-control-flow).
  names.insert(onnx::ONNXNoValueOp::getOperationName());
  for (StringRef n : {onnx::ONNXYieldOp::getOperationName(),
                      onnx::ONNXIfOp::getOperationName(),
                      onnx::ONNXLoopOp::getOperationName(),
                      onnx::ONNXScanOp::getOperationName()})
    names.insert(n);
  return names;
}

namespace {

/// Retypes unsigned integer tensors (function arguments and results
/// included) as signless ones.
struct SignlessTypeConverter : TypeConverter {
  SignlessTypeConverter() {
    addConversion([](Type t) { return signless(t); });
    auto cast = [](OpBuilder &b, Type t, ValueRange in, Location loc) {
      return UnrealizedConversionCastOp::create(b, loc, t, in).getResult(0);
    };
    addSourceMaterialization(cast);
    addTargetMaterialization(cast);
  }
};

/// Converts `root`; on failure emits, for each op nothing could lower,
/// "cannot lower this op: <the pattern's reason>" instead of upstream's
/// "failed to legalize".
LogicalResult convert(Operation *root) {
  MLIRContext *ctx = root->getContext();
  ConversionTarget target(*ctx);
  target.addIllegalDialect<onnx::ONNXDialect>();
  target.addLegalOp<onnx::ONNXNoValueOp>();
  target.addLegalDialect<
      linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
      math::MathDialect, func::FuncDialect, scf::SCFDialect,
      cf::ControlFlowDialect, affine::AffineDialect, MccDialect>();
  RewritePatternSet patterns(ctx);
  populateOnnxToLinalgPatterns(patterns);
  SignlessTypeConverter converter;
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
    return converter.isSignatureLegal(f.getFunctionType());
  });
  target.addDynamicallyLegalOp<func::ReturnOp>(
      [&](func::ReturnOp r) { return converter.isLegal(r.getOperandTypes()); });
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  DenseMap<Location, std::string> reasons;
  failureReasons = &reasons;
  SmallVector<Location> failedAt;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
      if (d.getSeverity() != DiagnosticSeverity::Error ||
          !StringRef(d.str()).starts_with("failed to legalize"))
        return failure(); // not ours: let it through
      failedAt.push_back(d.getLocation());
      return success();
    });
    result = applyPartialConversion(root, target, std::move(patterns));
  }
  failureReasons = nullptr;
  for (Location loc : failedAt) {
    auto it = reasons.find(loc);
    emitError(loc) << "cannot lower this op: "
                   << (it == reasons.end() ? std::string("no lowering matched")
                                           : it->second);
  }
  return result;
}

/// --check: each op lowered alone (with its constant operands), so every
/// failure is reported, not only the first. Returns failure if any.
LogicalResult checkEachOp(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  bool ok = true;
  func.walk([&](Operation *op) {
    // Control flow is structural (its bodies' ops are checked one by one).
    if (!isa<onnx::ONNXDialect>(op->getDialect()) ||
        isa<onnx::ONNXNoValueOp, onnx::ONNXConstantOp, onnx::ONNXYieldOp>(op) ||
        op->getNumRegions())
      return;
    OpBuilder b(ctx);
    OwningOpRef<ModuleOp> scratch = ModuleOp::create(op->getLoc());
    b.setInsertionPointToStart(scratch->getBody());
    SmallVector<Value> args;
    SmallVector<Type> argTypes;
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def || !isa<onnx::ONNXNoValueOp, onnx::ONNXConstantOp>(def)) {
        args.push_back(v);
        argTypes.push_back(v.getType());
      }
    }
    SmallVector<Value> results;
    for (Value r : op->getResults())
      if (!r.use_empty() && !isa<NoneType>(r.getType()))
        results.push_back(r);
    auto f = func::FuncOp::create(
        b, op->getLoc(), "check",
        FunctionType::get(ctx, argTypes, ValueRange(results).getTypes()));
    Block *entry = f.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
      map.map(v, arg);
    for (Value v : op->getOperands())
      if (!map.contains(v))
        b.clone(*v.getDefiningOp(), map);
    Operation *clone = b.clone(*op, map);
    SmallVector<Value> returned;
    for (Value r : results)
      returned.push_back(clone->getResult(cast<OpResult>(r).getResultNumber()));
    func::ReturnOp::create(b, op->getLoc(), returned);
    ok &= succeeded(convert(f));
  });
  return success(ok);
}

struct ConvertOnnxToLinalgPass
    : mcc::impl::ConvertOnnxToLinalgBase<ConvertOnnxToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    if (checkOnly) {
      if (failed(checkEachOp(getOperation())))
        signalPassFailure();
      return;
    }
    if (failed(convert(getOperation())))
      return signalPassFailure();
    // Absent optional operands had only onnx users, all gone now.
    getOperation().walk([](onnx::ONNXNoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
  }
};
} // namespace
