//===- ChannelsLast.cpp - Conv activations stored NHWC --------------------===//
//
// ONNX convs are NCHW. A kernel with its lanes along the output channels
// (what a conv with many channels and a small image wants, and every
// depthwise conv) then stores each vector across the image, one lane per
// store, and a depthwise conv cannot vectorize along the channels at all.
// Stored channels-last, the same kernels read and write whole vectors.
//
// The layout of a tensor value is a property linalg.generic does not care
// about: its indexing map says which loop indexes each dim, so storing a
// value with its dims permuted only permutes that map's results. This pass
// picks the rank-4 float values to store as [N, H, W, C] and rewrites their
// producers and users accordingly:
//
// - A value can move if it is made by a linalg.generic, linalg.fill,
//   tensor.empty, tensor.pad or a static slice op (Concat's insert_slice,
//   Split's extract_slice) and used only as a generic's input or init
//   operand (not captured by its body), a pad's source, a fill's init or
//   a slice op's source or destination.
//   Anything else (function arguments and results, reshapes, slices,
//   constants) is a boundary: those values keep NCHW, and the generics
//   next to them read or write them through their original maps.
// - The exception is a graph input or output next to a conv that loses a
//   lot in NCHW (a window over 16 or more channels: a 3x3 conv, which
//   runs direct with the image's width for lanes instead of as Winograd,
//   or a depthwise conv with a small image). An elementwise copy is put
//   between the edge and the conv; once the conv's values move, it is the
//   one transpose of that edge (tile-transposes blocks it). A copy whose
//   two sides end up in one layout is removed again.
// - Values that must share a layout are grouped: a generic's or fill's
//   init and its result, a pad's source and result, a slice op's
//   operands and result. A group moves only
//   if every member can.
// - Only groups connected (through generics and pads) to a conv's
//   activation move: a network without convs (BERT's rank-4 attention
//   tensors) is left alone. Integer values move too: an int8 conv
//   (lowered to a matmul over channels-last rows) reads its NCHW input
//   through a transpose into [N, H, W, C] and its [N, OH, OW, M] result
//   is read back through another; their NCHW sides are seeds (the
//   transposes then become copies, and the quantized epilogues between
//   int8 convs read the matmul's rows in order), their channels-last
//   sides stay as they are.
// - A generic whose output moved iterates in the new order (parallel
//   loops in storage order, reductions before the innermost one), so the
//   innermost loop walks contiguous channels.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/Decisions.h"
#include "passes/common/Linalg.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mcc {
#define GEN_PASS_DEF_CHANNELSLAST
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// Storage dim j of a moved value holds logical dim kPerm[j]: NCHW -> NHWC.
constexpr unsigned kPerm[4] = {0, 2, 3, 1};

bool isActivationType(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.getRank() == 4 && rt.hasStaticShape() &&
         isa<FloatType, IntegerType>(rt.getElementType());
}

/// Whether `m` reads a rank-4 operand with dims (d0, d[p0], d[p1], d[p2])
/// of a 4-loop generic.
bool isMap(AffineMap m, std::array<unsigned, 4> dims) {
  if (m.getNumDims() != 4 || m.getNumResults() != 4)
    return false;
  for (unsigned i = 0; i < 4; ++i)
    if (m.getResult(i) != getAffineDimExpr(dims[i], m.getContext()))
      return false;
  return true;
}

/// The int8 convs' transposes (QuantizedConv.cpp lowers a conv to a
/// matmul over channels-last rows): a 4-loop generic whose output is
/// [N, H, W, C] read from an NCHW operand (map (d0, d3, d1, d2)), and one
/// whose NCHW output reads an [N, OH, OW, M] operand (map (d0, d2, d3,
/// d1)). `nchw` gets the NCHW side (input or output), `nhwc` the other.
bool isLayoutTranspose(linalg::GenericOp g, Value &nchw, Value &nhwc) {
  if (g.getNumLoops() != 4 || g.getNumDpsInits() != 1 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return false;
  for (OpOperand *in : g.getDpsInputOperands()) {
    AffineMap m = g.getMatchingIndexingMap(in);
    if (g.getNumDpsInputs() == 1 && isMap(m, {0, 3, 1, 2})) {
      nchw = in->get(), nhwc = g->getResult(0);
      return true;
    }
    if (isMap(m, {0, 2, 3, 1})) {
      nchw = g->getResult(0), nhwc = in->get();
      return true;
    }
  }
  return false;
}

bool isConstant(Value v) {
  return matchPattern(mcc::throughReshapes(v), m_Constant());
}

/// The activation input of a conv generic: inputs (x, w) with w constant,
/// x and the output rank 4, x indexed as (n, c or m, window over oh,
/// window over ow) where n, m, oh, ow index the output in that order.
Value convActivation(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 ||
      !isActivationType(op->getResult(0).getType()))
    return {};
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation())
    return {};
  for (unsigned i = 0; i < 2; ++i) {
    Value x = op.getDpsInputs()[i], w = op.getDpsInputs()[1 - i];
    if (!isActivationType(x.getType()) || !isConstant(w) || isConstant(x))
      continue;
    AffineMap m = op.getMatchingIndexingMap(op.getDpsInputOperand(i));
    if (m.getResult(0) != out.getResult(0) ||
        !m.getResult(2).isFunctionOfDim(
            cast<AffineDimExpr>(out.getResult(2)).getPosition()) ||
        !m.getResult(3).isFunctionOfDim(
            cast<AffineDimExpr>(out.getResult(3)).getPosition()))
      continue;
    return x;
  }
  return {};
}

/// True for a conv that wants its activations channels-last even where
/// they meet the graph's NCHW edge: a window wider than one pixel over at
/// least kEdgeChannels channels (a 3x3 conv, which NHWC makes Winograd's,
/// or a depthwise conv, whose NCHW kernel has only the image's width for
/// lanes). A 1x1 conv is a GEMM over the image in NCHW as well.
constexpr int64_t kEdgeChannels = 16;
bool wantsEdgeCopies(linalg::GenericOp conv, Value x) {
  if (cast<RankedTensorType>(x.getType()).getDimSize(1) < kEdgeChannels)
    return false;
  AffineMap m = conv.getMatchingIndexingMap(
      conv.getDpsInputOperand(x == conv.getDpsInputs()[0] ? 0 : 1));
  SmallVector<int64_t> ranges = conv.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = conv.getIteratorTypesArray();
  for (unsigned r = 2; r < 4; ++r)
    for (unsigned d = 0; d < ranges.size(); ++d)
      if (iterators[d] == utils::IteratorType::reduction && ranges[d] > 1 &&
          m.getResult(r).isFunctionOfDim(d))
        return true;
  return false;
}

/// `v` copied into a new tensor by an elementwise generic: a layout
/// change once channels-last permutes one side's map.
linalg::GenericOp createEdgeCopy(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{v}, ValueRange{empty},
      ArrayRef<AffineMap>{id, id}, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, args[0]);
      });
}

/// Removes an edge copy that ended up between two values of one layout.
void eraseEdgeCopy(RewriterBase &rewriter, linalg::GenericOp copy) {
  Value empty = copy.getDpsInits()[0];
  rewriter.replaceAllUsesWith(copy->getResult(0), copy.getDpsInputs()[0]);
  rewriter.eraseOp(copy);
  if (Operation *def = empty.getDefiningOp(); def && def->use_empty())
    rewriter.eraseOp(def);
}

/// Union-find over the function's activation values.
class Groups {
public:
  unsigned id(Value v) {
    auto [it, inserted] = ids.try_emplace(v, parent.size());
    if (inserted)
      parent.push_back(parent.size());
    return it->second;
  }
  unsigned find(unsigned i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(Value a, Value b) {
    unsigned x = find(id(a)), y = find(id(b));
    if (x != y)
      parent[x] = y;
  }
  unsigned root(Value v) { return find(id(v)); }

private:
  DenseMap<Value, unsigned> ids;
  SmallVector<unsigned> parent;
};

/// A slice op between two activations with static offsets, sizes and
/// strides (Concat's insert_slices, Split's extract_slices).
bool isStaticSlice(Operation *op) {
  auto slice = dyn_cast_or_null<OffsetSizeAndStrideOpInterface>(op);
  if (!slice || !isa<tensor::InsertSliceOp, tensor::ExtractSliceOp>(op))
    return false;
  return slice.getOffsets().empty() && slice.getSizes().empty() &&
         slice.getStrides().empty() &&
         llvm::all_of(op->getOperandTypes(),
                      [](Type t) {
                        return !isa<RankedTensorType>(t) || isActivationType(t);
                      }) &&
         isActivationType(op->getResult(0).getType());
}

/// True when `v` can be stored permuted as far as its producer is
/// concerned.
bool movableProducer(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isStaticSlice(def))
    return true;
  if (auto pad = dyn_cast<tensor::PadOp>(def))
    // The body's index arguments would need permuting too.
    return llvm::all_of(pad.getRegion().getArguments(),
                        [](BlockArgument a) { return a.use_empty(); });
  return isa<linalg::GenericOp, linalg::FillOp, tensor::EmptyOp>(def);
}

/// True when every use of `v` can read it permuted.
bool movableUses(Value v) {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<linalg::GenericOp>(user))
      continue; // an input or init operand (captures have other owners)
    if (auto pad = dyn_cast<tensor::PadOp>(user);
        pad && use.getOperandNumber() == 0)
      continue;
    if (isStaticSlice(user))
      continue; // the source (or an insert's destination) of a slice
    if (auto fill = dyn_cast<linalg::FillOp>(user);
        fill && fill.getDpsInits()[0] == v)
      continue;
    return false;
  }
  return true;
}

template <typename T> SmallVector<T> permuted(ArrayRef<T> logical) {
  SmallVector<T> storage;
  for (unsigned j : kPerm)
    storage.push_back(logical[j]);
  return storage;
}

/// Permutes a static slice op's offsets, sizes and strides.
template <typename SliceOp> void permuteSlice(SliceOp slice) {
  slice.setStaticOffsets(permuted(slice.getStaticOffsets()));
  slice.setStaticSizes(permuted(slice.getStaticSizes()));
  slice.setStaticStrides(permuted(slice.getStaticStrides()));
}

AffineMap permuteResults(AffineMap m) {
  return AffineMap::get(m.getNumDims(), m.getNumSymbols(),
                        permuted(m.getResults()), m.getContext());
}

RankedTensorType permutedType(Type t) {
  auto rt = cast<RankedTensorType>(t);
  return RankedTensorType::get(permuted(rt.getShape()), rt.getElementType());
}

/// Loops of a generic whose output is stored permuted, in the order that
/// walks it contiguously: the output's dims in storage order, reductions
/// and other loops before the innermost one.
SmallVector<unsigned> loopOrder(linalg::GenericOp op) {
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<unsigned> order;
  for (AffineExpr e : out.getResults().drop_back())
    if (auto d = dyn_cast<AffineDimExpr>(e))
      order.push_back(d.getPosition());
  unsigned innermost = op.getNumLoops();
  if (auto d = dyn_cast<AffineDimExpr>(out.getResults().back()))
    innermost = d.getPosition();
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (d != innermost && !llvm::is_contained(order, d))
      order.push_back(d);
  if (innermost < op.getNumLoops())
    order.push_back(innermost);
  return order;
}

struct ChannelsLast : mcc::impl::ChannelsLastBase<ChannelsLast> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    // One tensor.empty and one linalg.fill per use, so that an init shared
    // by CSE (the zero accumulator of every conv without bias) does not tie
    // unrelated values together.
    auto unshare = [&](Operation *op) {
      if (!isActivationType(op->getResult(0).getType()))
        return;
      for (OpOperand &use : llvm::make_early_inc_range(
               llvm::drop_begin(op->getResult(0).getUses()))) {
        rewriter.setInsertionPoint(op);
        IRMapping map;
        if (auto fill = dyn_cast<linalg::FillOp>(op))
          if (auto empty =
                  fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
            map.map(empty.getResult(), rewriter.clone(*empty)->getResult(0));
        use.set(rewriter.clone(*op, map)->getResult(0));
      }
    };
    func.walk([&](linalg::FillOp fill) { unshare(fill); });
    func.walk([&](tensor::EmptyOp empty) { unshare(empty); });

    // Graph edges next to a conv that wants channels-last (see
    // wantsEdgeCopies): the input is copied before its pads and convs read
    // it, the output after the value it returns. The copies are
    // transposes if the conv's values move, and are removed again if not.
    SmallVector<linalg::GenericOp> inCopies, outCopies;
    {
      SetVector<BlockArgument> inputs;
      DenseSet<Operation *> edgeConvs;
      func.walk([&](linalg::GenericOp g) {
        Value x = convActivation(g);
        if (!x || !wantsEdgeCopies(g, x))
          return;
        edgeConvs.insert(g);
        while (auto pad = x.getDefiningOp<tensor::PadOp>())
          x = pad.getSource();
        if (auto a = dyn_cast<BlockArgument>(x);
            a && a.getOwner()->getParentOp() == func)
          inputs.insert(a);
      });
      for (BlockArgument a : inputs) {
        rewriter.setInsertionPointToStart(&func.getBody().front());
        linalg::GenericOp copy = createEdgeCopy(rewriter, a.getLoc(), a);
        a.replaceUsesWithIf(copy->getResult(0), [&](OpOperand &use) {
          Operation *user = use.getOwner();
          return user != copy &&
                 (isa<linalg::GenericOp>(user) ||
                  (isa<tensor::PadOp>(user) && use.getOperandNumber() == 0));
        });
        inCopies.push_back(copy);
      }
      // A returned conv result, or an elementwise generic of one (its
      // ReLU, a residual add).
      auto fromEdgeConv = [&](Value v) {
        auto g = v.getDefiningOp<linalg::GenericOp>();
        if (!g)
          return false;
        if (edgeConvs.contains(g))
          return true;
        if (g.getNumReductionLoops() != 0)
          return false;
        return llvm::any_of(g.getDpsInputs(), [&](Value in) {
          return edgeConvs.contains(in.getDefiningOp());
        });
      };
      func.walk([&](func::ReturnOp ret) {
        for (OpOperand &r : ret->getOpOperands())
          if (isActivationType(r.get().getType()) && fromEdgeConv(r.get())) {
            rewriter.setInsertionPoint(ret);
            linalg::GenericOp copy =
                createEdgeCopy(rewriter, r.get().getLoc(), r.get());
            r.set(copy->getResult(0));
            outCopies.push_back(copy);
          }
      });
    }

    // Values that must share a layout (hard), and what is connected (soft).
    Groups hard, soft;
    SmallVector<Value> values, seeds, alreadyLast;
    DenseSet<Operation *> convs;
    auto visit = [&](Value v) {
      if (isActivationType(v.getType()) && !isConstant(v)) {
        values.push_back(v);
        hard.id(v);
        soft.id(v);
      }
    };
    func.walk([&](Operation *op) {
      for (Value r : op->getResults())
        visit(r);
      if (auto g = dyn_cast<linalg::GenericOp>(op)) {
        Value prev;
        for (Value v : op->getOperands())
          if (isActivationType(v.getType()) && !isConstant(v)) {
            if (prev)
              soft.join(prev, v);
            prev = v;
          }
        for (auto [init, res] : llvm::zip(g.getDpsInits(), g->getResults()))
          if (isActivationType(res.getType())) {
            hard.join(init, res);
            soft.join(init, res);
            if (prev)
              soft.join(prev, res);
          }
        if (Value x = convActivation(g)) {
          convs.insert(g);
          seeds.push_back(x);
          seeds.push_back(g->getResult(0));
        }
        // An int8 conv's NCHW side wants channels-last (its transpose
        // becomes a copy); its channels-last side is that already.
        Value nchw, nhwc;
        if (isLayoutTranspose(g, nchw, nhwc)) {
          seeds.push_back(nchw);
          alreadyLast.push_back(nhwc);
        }
      } else if (auto pad = dyn_cast<tensor::PadOp>(op)) {
        if (isActivationType(pad.getType())) {
          hard.join(pad.getSource(), pad.getResult());
          soft.join(pad.getSource(), pad.getResult());
        }
      } else if (isStaticSlice(op)) {
        // Source, destination and result are one layout.
        for (Value v : op->getOperands()) {
          hard.join(v, op->getResult(0));
          soft.join(v, op->getResult(0));
        }
      } else if (auto fill = dyn_cast<linalg::FillOp>(op)) {
        if (isActivationType(fill.getResult(0).getType())) {
          hard.join(fill.getDpsInits()[0], fill.getResult(0));
          soft.join(fill.getDpsInits()[0], fill.getResult(0));
        }
      }
    });
    for (BlockArgument a : func.getArguments())
      if (isActivationType(a.getType())) {
        values.push_back(a);
        hard.id(a);
        soft.id(a);
      }
    if (seeds.empty())
      return;

    // (Every hard group lies inside one soft group: hard joins are soft
    // joins too.)
    DenseSet<unsigned> stuck, wanted;
    for (Value v : values)
      if (!movableProducer(v) || !movableUses(v))
        stuck.insert(hard.root(v));
    for (Value v : alreadyLast)
      if (isActivationType(v.getType()))
        stuck.insert(hard.root(v));
    for (Value s : seeds)
      wanted.insert(soft.root(s));
    SetVector<Value> moved;
    for (Value v : values)
      if (!stuck.contains(hard.root(v)) && wanted.contains(soft.root(v)))
        moved.insert(v);
    for (linalg::GenericOp copy : inCopies)
      if (!moved.contains(copy->getResult(0)))
        eraseEdgeCopy(rewriter, copy);
    for (linalg::GenericOp copy : outCopies)
      if (!moved.contains(copy.getDpsInputs()[0]))
        eraseEdgeCopy(rewriter, copy);
    if (moved.empty())
      return;
    for (Operation *conv : convs)
      if (moved.contains(conv->getResult(0)))
        mcc::recordDecision(conv, "channels-last",
                            "activations stored channels-last (NHWC): the "
                            "kernel's vector lanes run along the channels");

    // Producers first (types and pads), then every use's map.
    SetVector<linalg::GenericOp> reorder;
    for (Value v : moved) {
      v.setType(permutedType(v.getType()));
      Operation *def = v.getDefiningOp();
      if (auto pad = dyn_cast<tensor::PadOp>(def)) {
        pad.setStaticLow(permuted(pad.getStaticLow()));
        pad.setStaticHigh(permuted(pad.getStaticHigh()));
      } else if (auto slice = dyn_cast<tensor::InsertSliceOp>(def)) {
        permuteSlice(slice);
      } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
        permuteSlice(slice);
      } else if (auto g = dyn_cast<linalg::GenericOp>(def)) {
        // (Conv kernels choose their own loop order.)
        if (g->getResult(0) == v && !convs.contains(g))
          reorder.insert(g);
      }
    }
    for (Value v : moved)
      for (OpOperand &use : v.getUses())
        if (auto g = dyn_cast<linalg::GenericOp>(use.getOwner())) {
          SmallVector<AffineMap> maps = g.getIndexingMapsArray();
          unsigned i = use.getOperandNumber();
          maps[i] = permuteResults(maps[i]);
          g.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
        }
    for (linalg::GenericOp g : reorder) {
      SmallVector<unsigned> order = loopOrder(g);
      if (llvm::equal(order, llvm::seq<unsigned>(0, g.getNumLoops())))
        continue;
      rewriter.setInsertionPoint(g);
      if (failed(linalg::interchangeGenericOp(rewriter, g, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
