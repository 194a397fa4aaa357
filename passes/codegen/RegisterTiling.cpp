//===- RegisterTiling.cpp - Contractions as register-tiled vector kernels -===//
//
// A conv or matmul generic (out += a * b) becomes a loop nest whose body
// keeps a tile of `rows` × `2 * vector-width` outputs in vector registers
// for the whole reduction: per reduction step, vector loads of the operand
// that varies along the lanes ("B": a conv input row, matmul weights) and
// one broadcast per row of the other ("A"), then 2 × rows FMAs. The
// accumulators start from the op's init (bias broadcast, fill or tensor)
// and the elementwise consumer (ReLU, residual add, HardSwish, ...) runs on
// them before the single store, so the output is written once. A GEMM
// that is compute-bound (many rows per weight panel) may take tiles of 4
// vectors and fewer rows instead (`wide-rows`).
//
// The lanes may run along any output dim. For each candidate a plan is
// made (which operand is B, which output dim gives the rows, the other
// dims as outer loops) and a small cost model picks the plan and its row
// count: a conv on a large image runs its lanes along the width; one with
// many channels on a small image along the output channels, with the
// weights as B and the stores transposed. Depthwise convs take image rows
// as register rows (each row its own B vector).
//
// Constant B operands (weights) are packed at compile time into panels
// [N / nr][k...][nr], zero-padded: every B load is a contiguous vector
// whatever the original layout (transposed Gemm weights included). Parallel
// dims of B other than the lanes (Winograd's points) lead the packed shape. A B
// strided in its last index (stride-2 convs) is read from a copy
// deinterleaved once per call. Tiles at the end of a dim are static: the
// last row block has its own (smaller) row count, the last columns are one
// tile of one or two vectors, its last vector masked when partial.
//
// Non-f32 ops and activations transposed along every candidate lane dim
// are left to fuse-contraction-epilogues and order-contraction-loops.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/common/ConstantData.h"
#include "passes/common/Decisions.h"
#include "passes/common/Linalg.h"
#include "passes/common/VectorBody.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mcc {
#define GEN_PASS_DEF_REGISTERTILECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace mcc

using namespace mlir;

namespace {

/// How far `e` moves when dim `d` moves by one, if that is a constant.
std::optional<int64_t> strideIn(AffineExpr e, unsigned d, unsigned numDims) {
  MLIRContext *ctx = e.getContext();
  AffineExpr shifted =
      e.replace(getAffineDimExpr(d, ctx), getAffineDimExpr(d, ctx) + 1);
  auto diff =
      dyn_cast<AffineConstantExpr>(simplifyAffineExpr(shifted - e, numDims, 0));
  if (!diff)
    return std::nullopt;
  return diff.getValue();
}

bool unitStrideIn(AffineExpr e, unsigned d, unsigned numDims) {
  return strideIn(e, d, numDims) == 1;
}

/// How an operand is read with lanes along `vDim`: a contiguous vector (dim
/// only in the last index, unit stride), a broadcast scalar (dim unused),
/// or not at all (anything else).
/// A gather reads one index that is not the last: fine for an epilogue
/// operand or an init (once per tile), never in the reduction loop.
enum class Access { Vector, Gather, Broadcast, Unsupported };

/// The index that moves with `vDim`, if exactly one does, by one.
std::optional<unsigned> laneIndex(AffineMap map, unsigned vDim) {
  std::optional<unsigned> found;
  for (unsigned r = 0; r < map.getNumResults(); ++r) {
    AffineExpr e = map.getResult(r);
    if (!e.isFunctionOfDim(vDim))
      continue;
    if (found || !unitStrideIn(e, vDim, map.getNumDims()))
      return std::nullopt;
    found = r;
  }
  return found;
}

Access classify(AffineMap map, unsigned vDim) {
  if (!map.isFunctionOfDim(vDim))
    return Access::Broadcast;
  std::optional<unsigned> r = laneIndex(map, vDim);
  if (!r)
    return Access::Unsupported;
  return *r + 1 == map.getNumResults() ? Access::Vector : Access::Gather;
}

/// A contraction and how it is tiled.
struct Plan {
  linalg::GenericOp contraction;
  linalg::GenericOp epilogue; // elementwise consumer fused in, or null
  Value aSrc, bSrc;           // broadcast (or per-row) operand, vector one
  bool aVector = false;       // A is a vector per row too (depthwise)
  AffineMap aMap, bMap;       // their maps (bMap may read a copy of B)
  unsigned vDim, mDim;        // loop dims: lanes, register rows
  // With rows flattened over two adjacent output dims (a 1x1 conv's 7x7
  // image as 49 rows), the outer one; mDim is then the inner one.
  std::optional<unsigned> mOuter;
  int64_t rowExtent() const {
    return ranges[mDim] * (mOuter ? ranges[*mOuter] : 1);
  }
  bool usesRows(AffineMap m) const {
    return m.isFunctionOfDim(mDim) || (mOuter && m.isFunctionOfDim(*mOuter));
  }
  unsigned outPos(unsigned d) const {
    return *outMap.getResultPosition(getAffineDimExpr(d, outMap.getContext()));
  }
  /// Lanes before the rows in the output (a conv's channel lanes): each
  /// row's vector is stored across the output, one lane per store.
  bool transposed() const { return outPos(vDim) < outPos(mDim); }
  SmallVector<unsigned> outer; // other parallel loop dims, output order
  SmallVector<unsigned> reductions;
  SmallVector<int64_t> ranges;
  AffineMap outMap; // contraction output map (loop dims → output index)
  // Constant B packed as [outer dims B uses...][tiles][reductions B
  // uses...][nr].
  ElementsAttr bData;
  bool packable = false;
  int64_t laneStride = 1; // > 1: B read from a deinterleaved copy
  Value packedB;
  SmallVector<unsigned> packedBatch; // outer dims B uses (Winograd points)
  SmallVector<unsigned> packedDims;
};

/// The elementwise consumer of `c` the kernel applies in registers: its
/// other inputs read per row (a vector or a broadcast).
linalg::GenericOp findEpilogue(linalg::GenericOp c, unsigned vDimPos) {
  linalg::GenericOp e = mcc::soleVectorizableConsumer(c);
  if (!e)
    return {};
  for (OpOperand *in : e.getDpsInputOperands())
    if (in->get() != c->getResult(0) &&
        classify(e.getMatchingIndexingMap(in), vDimPos) == Access::Unsupported)
      return {};
  return e;
}

/// Packs the constant B of `p` into zero-padded panels
/// [outer dims B uses...][tiles][reductions B uses...][nr] (one contiguous
/// vector per reduction step, whatever B's layout was).
bool packB(Plan &p, int64_t nr) {
  auto floats = mcc::elementsToFloats(p.bData);
  if (!floats)
    return false;
  for (unsigned d : p.outer)
    if (p.bMap.isFunctionOfDim(d))
      p.packedBatch.push_back(d);
  for (unsigned d : p.reductions)
    if (p.bMap.isFunctionOfDim(d))
      p.packedDims.push_back(d);
  // Source strides per loop dim (0 when B does not use it).
  auto bType = cast<RankedTensorType>(p.bSrc.getType());
  SmallVector<int64_t> strides(p.ranges.size(), 0);
  int64_t s = 1;
  for (int r = p.bMap.getNumResults() - 1; r >= 0; --r) {
    strides[cast<AffineDimExpr>(p.bMap.getResult(r)).getPosition()] += s;
    s *= bType.getDimSize(r);
  }
  int64_t n = p.ranges[p.vDim], tiles = llvm::divideCeil(n, nr);
  SmallVector<int64_t> shape;
  int64_t batches = 1, steps = 1;
  for (unsigned d : p.packedBatch) {
    shape.push_back(p.ranges[d]);
    batches *= p.ranges[d];
  }
  shape.push_back(tiles);
  for (unsigned d : p.packedDims) {
    shape.push_back(p.ranges[d]);
    steps *= p.ranges[d];
  }
  shape.push_back(nr);
  SmallVector<float> packed(batches * tiles * steps * nr, 0.0f);
  // Source offset of multi-index `idx` over `dims` (row-major).
  auto offsetOf = [&](ArrayRef<int64_t> idx, ArrayRef<unsigned> dims) {
    int64_t src = 0;
    for (auto [i, d] : llvm::zip(idx, dims))
      src += i * strides[d];
    return src;
  };
  auto advance = [&](MutableArrayRef<int64_t> idx, ArrayRef<unsigned> dims) {
    for (int j = idx.size() - 1; j >= 0; --j) {
      if (++idx[j] < p.ranges[dims[j]])
        return;
      idx[j] = 0;
    }
  };
  SmallVector<int64_t> bIdx(p.packedBatch.size(), 0);
  SmallVector<int64_t> idx(p.packedDims.size(), 0);
  for (int64_t bt = 0; bt < batches; ++bt, advance(bIdx, p.packedBatch)) {
    int64_t base = offsetOf(bIdx, p.packedBatch);
    for (int64_t t = 0; t < tiles; ++t) {
      std::fill(idx.begin(), idx.end(), 0);
      for (int64_t k = 0; k < steps; ++k, advance(idx, p.packedDims)) {
        int64_t src = base + offsetOf(idx, p.packedDims);
        for (int64_t l = 0; l < nr && t * nr + l < n; ++l)
          packed[((bt * tiles + t) * steps + k) * nr + l] =
              (*floats)[src + (t * nr + l) * strides[p.vDim]];
      }
    }
  }
  OpBuilder builder(p.contraction);
  p.packedB = mcc::createResourceConstant(
      builder, p.contraction.getLoc(),
      RankedTensorType::get(shape, builder.getF32Type()), packed,
      "packed_weight");
  return true;
}

/// B's last index is `stride * lane + f`: reads it from a copy Y with that
/// index split in two, Y[..., r, j] = B[..., stride * j + r], so that
/// B[..., stride * lane + f] = Y[..., f mod stride, lane + f floordiv
/// stride] is contiguous along the lanes. The copy costs one pass over B.
void deinterleaveB(Plan &p, int64_t stride) {
  MLIRContext *ctx = p.contraction.getContext();
  unsigned numDims = p.bMap.getNumDims();
  AffineExpr last = p.bMap.getResults().back();
  AffineExpr f = simplifyAffineExpr(
      last - getAffineDimExpr(p.vDim, ctx) * stride, numDims, 0);
  auto zeroF = dyn_cast<AffineConstantExpr>(f);
  int64_t phases = zeroF && zeroF.getValue() == 0 ? 1 : stride;

  auto bType = cast<RankedTensorType>(p.bSrc.getType());
  int64_t rank = bType.getRank(), width = bType.getDimSize(rank - 1);
  SmallVector<int64_t> shape(bType.getShape().drop_back());
  shape.push_back(phases);
  shape.push_back(llvm::divideCeil(width, stride));
  auto yType = RankedTensorType::get(shape, bType.getElementType());

  OpBuilder b(p.contraction);
  Location loc = p.contraction.getLoc();
  Value empty = tensor::EmptyOp::create(b, loc, shape, bType.getElementType());
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx)};
  SmallVector<utils::IteratorType> iters(rank + 1,
                                         utils::IteratorType::parallel);
  Value src = p.bSrc;
  auto copy = linalg::GenericOp::create(
      b, loc, TypeRange{yType}, ValueRange{}, ValueRange{empty}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> idx;
        for (int64_t d = 0; d + 1 < rank; ++d)
          idx.push_back(linalg::IndexOp::create(nb, l, d));
        Value r = linalg::IndexOp::create(nb, l, rank - 1);
        Value j = linalg::IndexOp::create(nb, l, rank);
        // stride * j + r, clamped: the clamped elements are never read.
        AffineExpr d0 = nb.getAffineDimExpr(0), d1 = nb.getAffineDimExpr(1);
        Value w = affine::AffineMinOp::create(
            nb, l,
            AffineMap::get(
                2, 0, {d0 * stride + d1, nb.getAffineConstantExpr(width - 1)},
                ctx),
            ValueRange{j, r});
        idx.push_back(w);
        linalg::YieldOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, src, idx).getResult());
      });
  SmallVector<AffineExpr> results(p.bMap.getResults().drop_back());
  AffineExpr lane = getAffineDimExpr(p.vDim, ctx);
  if (phases == 1) {
    results.push_back(getAffineConstantExpr(0, ctx));
    results.push_back(lane);
  } else {
    results.push_back(f % stride);
    results.push_back(lane + f.floorDiv(stride));
  }
  p.bSrc = copy.getResult(0);
  p.bMap = AffineMap::get(numDims, 0, results, ctx);
}

/// How `op` would be tiled with lanes along loop dim `vDim` (which must be
/// an output dim), or nullopt. Analysis only: materialize() makes the IR.
std::optional<Plan> planFor(linalg::GenericOp op, unsigned vDim) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics() || !mcc::isMultiplyAccumulate(op))
    return std::nullopt;
  for (Value v : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || !t.getElementType().isF32())
      return std::nullopt;
  }
  Plan p;
  p.contraction = op;
  p.ranges = op.getStaticLoopRanges();
  if (llvm::is_contained(p.ranges, 0))
    return std::nullopt; // an empty loop nest: nothing to tile
  p.outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!p.outMap.isProjectedPermutation() || p.outMap.getNumResults() == 0)
    return std::nullopt;
  p.vDim = vDim;
  std::optional<unsigned> vPos =
      p.outMap.getResultPosition(getAffineDimExpr(vDim, op.getContext()));
  if (!vPos || p.ranges[p.vDim] < 4)
    return std::nullopt;
  auto iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      p.reductions.push_back(d);

  // B varies along the lanes. A does not (one broadcast per row), or, in a
  // depthwise conv with channel lanes, does too: then B is the constant
  // (weights, one load per step for every row) and A is read as a
  // contiguous vector per row.
  AffineMap maps[2] = {op.getMatchingIndexingMap(op.getDpsInputOperand(0)),
                       op.getMatchingIndexingMap(op.getDpsInputOperand(1))};
  bool varies[2] = {maps[0].isFunctionOfDim(p.vDim),
                    maps[1].isFunctionOfDim(p.vDim)};
  unsigned b;
  if (varies[0] && varies[1]) {
    bool constant[2] = {
        matchPattern(mcc::throughReshapes(op.getDpsInputs()[0]), m_Constant()),
        matchPattern(mcc::throughReshapes(op.getDpsInputs()[1]), m_Constant())};
    if (constant[0] == constant[1])
      return std::nullopt;
    b = constant[0] ? 0 : 1;
  } else if (varies[0] || varies[1]) {
    b = varies[0] ? 0 : 1;
  } else {
    return std::nullopt;
  }
  p.bSrc = op.getDpsInputs()[b];
  p.aSrc = op.getDpsInputs()[1 - b];
  p.aMap = maps[1 - b];
  p.bMap = maps[b];
  Access aAccess = classify(p.aMap, p.vDim);
  if (aAccess != Access::Broadcast && aAccess != Access::Vector)
    return std::nullopt;
  p.aVector = aAccess == Access::Vector;
  // Reduction loops in A's storage order: the one that indexes A's last
  // (contiguous) dim innermost. An NHWC conv then walks the channels of
  // each row's pixel in the innermost loop: each row's reads stay in one
  // cache line for 16 steps. With the taps innermost instead, every step
  // touched rows x taps lines a power-of-two channel stride apart (2 KiB
  // at 512 channels), all in the same few L1 sets (ResNet-50's last 3x3
  // convs ran at half speed).
  auto lastUse = [&](unsigned d) {
    int64_t pos = -1;
    for (unsigned r = 0; r < p.aMap.getNumResults(); ++r)
      if (p.aMap.getResult(r).isFunctionOfDim(d))
        pos = r;
    return pos;
  };
  llvm::stable_sort(p.reductions, [&](unsigned x, unsigned y) {
    return lastUse(x) < lastUse(y);
  });

  // A constant B whose indices are plain loop dims is packed; otherwise it
  // must be contiguous along the lanes, or strided in its last index only
  // (a strided conv: read from a deinterleaved copy).
  // (Unit dims, e.g. a conv's single group, index nothing.)
  // A reshape of a constant has the same data in the same order.
  // Other parallel dims of B (Winograd's points: one GEMM per point)
  // become outer dims of the packed panels, when they are not the rows.
  Value bConst = mcc::throughReshapes(p.bSrc);
  p.packable = p.bMap.isProjectedPermutation() &&
               matchPattern(bConst, m_Constant(&p.bData));
  bool batchedB =
      p.packable && llvm::any_of(p.bMap.getResults(), [&](AffineExpr e) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        return d != p.vDim && p.ranges[d] > 1 &&
               iters[d] == utils::IteratorType::parallel;
      });
  if (!p.packable)
    p.bData = {};
  // Register rows: the largest output dim that A uses and B does not (a
  // GEMM: B's vector serves every row); else the largest other output dim
  // (depthwise: rows of the image, each with its own B vector).
  std::optional<unsigned> m;
  for (bool gemmLike : {true, false}) {
    for (AffineExpr e : p.outMap.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d == p.vDim ||
          (gemmLike && (!p.aMap.isFunctionOfDim(d) ||
                        p.bMap.isFunctionOfDim(d) || p.ranges[d] < 2)))
        continue;
      if (!m || p.ranges[d] >= p.ranges[*m]) // ties: the inner dim
        m = d;
    }
    if (m)
      break;
  }
  if (!m)
    return std::nullopt;
  p.mDim = *m;
  // (Rows that B uses are not packed: each row reads its own B vector.)
  if (batchedB && p.bMap.isFunctionOfDim(p.mDim)) {
    p.packable = false;
    p.bData = {};
  }
  if (!p.packable && classify(p.bMap, p.vDim) != Access::Vector) {
    AffineMap m = p.bMap;
    for (unsigned r = 0; r + 1 < m.getNumResults(); ++r)
      if (m.getResult(r).isFunctionOfDim(p.vDim))
        return std::nullopt;
    auto st = strideIn(m.getResults().back(), p.vDim, m.getNumDims());
    if (!st || *st < 2 || *st > 4)
      return std::nullopt;
    p.laneStride = *st;
  }

  // Lanes before the rows in the output become a transposed store; lanes
  // after them (not last) would be a strided one.
  if (*vPos + 1 != p.outMap.getNumResults() && p.outPos(p.mDim) < *vPos)
    return std::nullopt;
  for (AffineExpr e : p.outMap.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (d != p.vDim && d != p.mDim)
      p.outer.push_back(d);
  }
  if (p.outer.size() + 2 + p.reductions.size() != p.ranges.size())
    return std::nullopt; // a parallel dim missing from the output

  p.epilogue = findEpilogue(op, *vPos);
  return p;
}

/// Makes the operand copies `p` reads (packed weights, deinterleaved
/// input); false when the weights cannot be read.
bool materialize(Plan &p, int64_t nr) {
  if (p.packable && !packB(p, nr))
    return false;
  if (p.laneStride > 1)
    deinterleaveB(p, p.laneStride);
  return true;
}

struct Span {
  int64_t start, count, size;
};

/// Row blocks of `mr`, then one smaller block.
SmallVector<Span> rowSpans(int64_t m, int64_t mr) {
  SmallVector<Span> spans;
  if (m / mr)
    spans.push_back({0, m / mr, mr});
  if (m % mr)
    spans.push_back({m / mr * mr, 1, m % mr});
  return spans;
}

/// Whole tiles of two vectors, then one tile for the rest: one vector
/// when it fits in one (masked when partial), else two with the second
/// masked. (24 channels at 16 lanes as one masked 32-lane tile: the rows'
/// A broadcasts and the pass over A are shared; as 16 + 8 in two tiles,
/// MobileNetV2's 24-channel projections ran 1.7x slower than
/// onnxruntime's.)
SmallVector<Span> columnSpans(int64_t n, int64_t vw) {
  int64_t nr = 2 * vw, full = n / nr;
  SmallVector<Span> spans;
  if (full)
    spans.push_back({0, full, nr});
  if (n % nr)
    spans.push_back({full * nr, 1, n % nr});
  return spans;
}

/// Issue slots the plan's kernels take, roughly: per reduction step the
/// larger of FMAs and loads (two of each per cycle), per tile its stores
/// (a lane per store when they are transposed) and gathered epilogue reads.
double estimateCost(Plan &p, int64_t vw, int64_t mr) {
  int64_t k = 1, outer = 1;
  for (unsigned d : p.reductions)
    k *= p.ranges[d];
  for (unsigned d : p.outer)
    outer *= p.ranges[d];
  bool aPerRow = p.usesRows(p.aMap);
  bool bPerRow = p.usesRows(p.bMap);
  unsigned vPos = p.outPos(p.vDim);
  bool transposed = p.transposed();
  int64_t gathers = 0;
  if (p.epilogue)
    for (OpOperand *in : p.epilogue.getDpsInputOperands())
      if (classify(p.epilogue.getMatchingIndexingMap(in), vPos) ==
          Access::Gather)
        ++gathers;
  // Packed weights streamed per tile from beyond L1 stall the loads (a
  // 3x3 conv with 64 input channels measured ~25% slower that way).
  double kernelFactor = 1.0;
  if (p.packable && k * 2 * vw * 4 > 32 * 1024)
    kernelFactor = 1.25;
  double cost = 0;
  for (Span ms : rowSpans(p.rowExtent(), mr))
    for (Span ns : columnSpans(p.ranges[p.vDim], vw)) {
      int64_t lanes = ns.size > vw ? 2 * vw : vw, v = lanes / vw;
      int64_t rows = ms.size;
      int64_t aLoads = p.aVector ? v : 1;
      int64_t loads = (bPerRow ? rows * v : v) + (aPerRow ? rows : 1) * aLoads;
      // FMA latency (4 cycles, 2 per cycle): 8 accumulators cover it only
      // in theory; measured, 4x2 tiles ran ~20% below 6x2 ones.
      int64_t slots = std::max({rows * v, loads, int64_t(10)});
      double perTile = kernelFactor * double(k) * slots +
                       (transposed ? rows * lanes * (1 + gathers)
                                   : rows * v * (1 + gathers));
      cost += perTile * ms.count * ns.count * outer;
    }
  return cost;
}

/// The epilogue input that the kernel can overwrite with its result: a
/// tensor of the output's type read at the same point (a residual add's
/// other operand), computed in this block by a kernel, and read by nothing
/// after the epilogue. Writing the output into it saves the output's
/// read-for-ownership from L3 (ResNet-50's 56x56 residuals are 3.2 MB)
/// and one buffer; bufferization keeps it in place as no later read
/// conflicts.
OpOperand *overwritableInput(linalg::GenericOp e, linalg::GenericOp c) {
  Value contractionResult = c->getResult(0);
  for (Operation *u : e->getResult(0).getUsers())
    if (isa<func::ReturnOp>(u)) // a graph output: written to the caller's
      return nullptr;           // buffer directly, without a copy
  for (OpOperand *in : e.getDpsInputOperands()) {
    Value r = in->get();
    if (r == contractionResult || r.getType() != e->getResult(0).getType() ||
        !e.getMatchingIndexingMap(in).isIdentity())
      continue;
    Operation *def = r.getDefiningOp();
    if (!def || def->getBlock() != e->getBlock() ||
        !isa<linalg::LinalgOp, scf::ForallOp>(def))
      continue;
    // The kernel reading it (x + x W) would read rows already overwritten.
    if (llvm::is_contained(c->getOperands(), r))
      continue;
    bool deadAfter = llvm::all_of(r.getUses(), [&](OpOperand &use) {
      if (use.getOwner() == e)
        return e.isDpsInput(&use);
      Operation *a = e->getBlock()->findAncestorOpInBlock(*use.getOwner());
      if (!a || !a->isBeforeInBlock(e))
        return false;
      // A view of r would alias it; an init would be written.
      if (a == use.getOwner() &&
          (isa<ViewLikeOpInterface, tensor::ExpandShapeOp,
               tensor::CollapseShapeOp, tensor::ExtractSliceOp, tensor::CastOp>(
               a) ||
           (isa<DestinationStyleOpInterface>(a) &&
            cast<DestinationStyleOpInterface>(a).isDpsInit(&use))))
        return false;
      return true;
    });
    if (deadAfter)
      return in;
  }
  return nullptr;
}

/// Emits the kernels of one plan.
class KernelEmitter {
public:
  KernelEmitter(Plan plan, int64_t vw, int64_t mr, int64_t panelBytes,
                bool nextPanel)
      : p(std::move(plan)), vw(vw), nr(2 * vw), mr(mr), panelBytes(panelBytes),
        nextPanel(nextPanel) {}

  /// Replaces the contraction (and its epilogue) by the tiled loop nests.
  void emit(RewriterBase &rewriter);

private:
  Plan p;
  int64_t vw, nr, mr, panelBytes;
  bool nextPanel;    // kernels with few rows per panel fetch the next one
  int64_t lanes = 0; // of the segment being emitted: nr, or vw at the end
  // The epilogue input the output overwrites (read from the output tile).
  OpOperand *inPlace = nullptr;
  Location loc = p.contraction.getLoc();
  VectorType vecType(Type elt) const { return VectorType::get({lanes}, elt); }

  /// Row blocks outside the column tiles: all packed weights stay in L2
  /// while a block's rows (A, its output and epilogue operands) are
  /// walked once, contiguously. A 1x1 conv with 64 input channels and a
  /// residual add ran at ~60% of peak with the tiles outside, reading the
  /// output and the residual one 128-byte piece per pixel and tile.
  /// Large weights keep the tiles outside: each tile's panel is then read
  /// once for all its rows. Up to kTilesInnerMaxBytes, weights that stay
  /// in L2 run inside too when A is at least as large: a tile's panel
  /// (k x 32 lanes) is beyond L1 either way, but walking all of A per tile
  /// re-reads it from L3 (ResNet-50's stride-2 3x3 conv of layer2, 1.6 MB
  /// of input and 590 KB of weights; its layer1 Winograd GEMMs; the
  /// model -3%). MobileNetV2's 7x7 convs (614 KB of weights, 188 KB of
  /// A) stay outside.
  bool tilesInner() const {
    if (!p.packedB)
      return false;
    auto t = cast<RankedTensorType>(p.packedB.getType());
    int64_t bBytes = t.getNumElements() * 4;
    int64_t aBytes =
        cast<RankedTensorType>(p.aSrc.getType()).getNumElements() * 4;
    return bBytes <= kTilesInnerBytes ||
           (bBytes <= kTilesInnerMaxBytes && aBytes >= bBytes);
  }
  static constexpr int64_t kTilesInnerBytes = 256 * 1024;
  static constexpr int64_t kTilesInnerMaxBytes = 1024 * 1024;

  /// With the tiles outside, every tile walks all of A: when A exceeds
  /// what L2 keeps (kGroupMinABytes: a GEMM's 4 MB left operand), the row
  /// blocks are grouped so that one group's rows of A (at most
  /// kGroupBytes) serve every tile before the next group is read. (Each
  /// group reads all of B again: an A that fits L2, like BERT's 1.5 MB
  /// FFN input, is cheaper to re-read.) SGEMM 1024 had streamed A
  /// from L3 once per tile, 128 MB per call. Only without outer dims (a
  /// GEMM's rows are all in the blocks), and with a group size that
  /// divides the blocks and is at least half the one wanted.
  int64_t blocksPerGroup(int64_t blocks, int64_t rows) const {
    auto aType = cast<RankedTensorType>(p.aSrc.getType());
    int64_t aBytes = aType.getNumElements() * 4;
    if (!p.outer.empty() || aBytes <= kGroupMinABytes)
      return blocks;
    int64_t rowBytes = aBytes / std::max<int64_t>(p.rowExtent(), 1);
    int64_t want = std::max<int64_t>(1, kGroupBytes / (rowBytes * rows));
    int64_t g = std::min(want, blocks);
    while (blocks % g)
      --g;
    // (A prime block count leaves groups of one block: rows outside.)
    return 2 * g >= std::min(want, blocks) ? g : blocks;
  }
  static constexpr int64_t kGroupBytes = 1024 * 1024;
  static constexpr int64_t kGroupMinABytes = 2 * 1024 * 1024;

  /// Output rows one panel serves: the rows and the outer dims B does not
  /// use.
  int64_t rowsPerPanel() const {
    int64_t n = p.rowExtent();
    for (unsigned d : p.outer)
      if (!llvm::is_contained(p.packedBatch, d))
        n *= p.ranges[d];
    return n;
  }
  /// At ~245 GFLOP/s per core and ~14.5 GB/s from DRAM, a panel float
  /// used for fewer than ~34 rows is DRAM-bound, and its first pass is
  /// up to a few times that: the 7x7 images of ResNet-50's layer4 and
  /// Winograd's 7x7 tiles of layer3 (-4% for the model). BERT's GEMMs
  /// (128 rows, 16 passes) lost 5% to the next panel fetched in every pass
  /// and gain with the fetch spread over the passes (prefetch-weights).
  /// At 196 rows (a 14x14 image) a 3x3 conv of 256 channels ran 5% slower
  /// with it (session 13).
  static constexpr int64_t kNextPanelRows = 128;

  /// One forall over tiles of the same shape, reducing the first
  /// reduction dim over [kBegin, kEnd): from the init when `first`, else
  /// from the partial sums already in the output; the epilogue when
  /// `last`.
  Value emitSegment(OpBuilder &b, Value out, int64_t m0, int64_t blocks,
                    int64_t rows, int64_t n0, int64_t tiles, int64_t cols,
                    int64_t kBegin, int64_t kEnd, bool first, bool last);
  Value read(OpBuilder &b, Value source, AffineMap map, ArrayRef<Value> point,
             unsigned vDim, bool inBounds, Type elt);
  Value initialAccumulator(OpBuilder &b, ArrayRef<Value> outPoint,
                           bool inBounds);
  /// `current`: the output tile's row before the store (the in-place
  /// input's value there).
  Value applyEpilogue(OpBuilder &b, Value acc, ArrayRef<Value> outPoint,
                      bool inBounds, function_ref<Value()> current);
};

Value KernelEmitter::read(OpBuilder &b, Value source, AffineMap map,
                          ArrayRef<Value> point, unsigned vDim, bool inBounds,
                          Type elt) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    AffineMap single = AffineMap::get(map.getNumDims(), 0, e);
    indices.push_back(getValueOrCreateConstantIndexOp(
        b, loc,
        affine::makeComposedFoldedAffineApply(
            b, loc, single, getAsOpFoldResult(ValueRange(point)))));
  }
  Access access = classify(map, vDim);
  if (access == Access::Broadcast) {
    Value s = tensor::ExtractOp::create(b, loc, source, indices);
    return vector::BroadcastOp::create(b, loc, vecType(elt), s);
  }
  Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
  AffineMap perm =
      AffineMap::get(map.getNumResults(), 0,
                     b.getAffineDimExpr(*laneIndex(map, vDim)), b.getContext());
  return vector::TransferReadOp::create(b, loc, vecType(elt), source, indices,
                                        pad, perm, ArrayRef<bool>{inBounds});
}

Value KernelEmitter::initialAccumulator(OpBuilder &b, ArrayRef<Value> outPoint,
                                        bool inBounds) {
  Value init = p.contraction.getDpsInits()[0];
  Type f32 = b.getF32Type();
  unsigned vPos = p.outPos(p.vDim);
  // Reshapes between the init and the contraction (moved there by reshape
  // propagation) become part of the index map.
  MLIRContext *ctx = b.getContext();
  AffineMap toInit = AffineMap::getMultiDimIdentityMap(outPoint.size(), ctx);
  while (auto ex = init.getDefiningOp<tensor::ExpandShapeOp>()) {
    ArrayRef<int64_t> shape = ex.getResultType().getShape();
    SmallVector<AffineExpr> exprs;
    for (const ReassociationIndices &group : ex.getReassociationIndices()) {
      AffineExpr e = getAffineConstantExpr(0, ctx);
      for (int64_t d : group)
        e = e * shape[d] + getAffineDimExpr(d, ctx);
      exprs.push_back(e);
    }
    toInit = AffineMap::get(shape.size(), 0, exprs, ctx).compose(toInit);
    init = ex.getSrc();
  }
  // A fill, or a broadcast generic (bias) whose input is read through its
  // own map.
  if (std::optional<mcc::InitSource> src = mcc::initSource(init)) {
    if (src->scalar)
      return vector::BroadcastOp::create(b, loc, vecType(f32), src->scalar);
    AffineMap m = src->map.compose(toInit);
    if (classify(m, vPos) != Access::Unsupported)
      return read(b, src->tensor, m, outPoint, vPos, inBounds, f32);
  }
  if (classify(toInit, vPos) != Access::Unsupported)
    return read(b, init, toInit, outPoint, vPos, inBounds, f32);
  return read(b, p.contraction.getDpsInits()[0],
              AffineMap::getMultiDimIdentityMap(outPoint.size(), ctx), outPoint,
              vPos, inBounds, f32);
}

Value KernelEmitter::applyEpilogue(OpBuilder &b, Value acc,
                                   ArrayRef<Value> outPoint, bool inBounds,
                                   function_ref<Value()> current) {
  linalg::GenericOp e = p.epilogue;
  if (!e)
    return acc;
  Block &body = e.getRegion().front();
  unsigned vPos = p.outPos(p.vDim);
  IRMapping map;
  for (OpOperand *in : e.getDpsInputOperands()) {
    Value arg = body.getArgument(in->getOperandNumber());
    if (in->get() == p.contraction->getResult(0)) {
      map.map(arg, acc);
      continue;
    }
    if (in == inPlace) {
      map.map(arg, current());
      continue;
    }
    map.map(arg, read(b, in->get(), e.getMatchingIndexingMap(in), outPoint,
                      vPos, inBounds, arg.getType()));
  }
  return mcc::applyBodyOnVectors(b, loc, e, map, lanes);
}

Value KernelEmitter::emitSegment(OpBuilder &b, Value out, int64_t m0,
                                 int64_t blocks, int64_t rows, int64_t n0,
                                 int64_t tiles, int64_t cols, int64_t kBegin,
                                 int64_t kEnd, bool first, bool last) {
  // Loop order: the outer dims, the row blocks, the column tiles. With
  // the tiles outside, only the outer dims B uses (Winograd's points) come
  // before them, the rest after, so a panel is read once for all rows of
  // the image (MobileNetV2's 7x7 1x1 convs had streamed their 1.6 MB of
  // weights once per image row).
  bool tilesOutside = !tilesInner();
  SmallVector<unsigned> order; // loop dims, or -1 / -2 / -3: tiles /
                               // blocks / groups of blocks
  constexpr unsigned kTiles = -1u, kBlocks = -2u, kGroups = -3u;
  int64_t group = tilesOutside ? blocksPerGroup(blocks, rows) : blocks;
  int64_t groups = blocks / group;
  if (tilesOutside) {
    llvm::append_range(order, p.packedBatch);
    if (groups > 1)
      order.push_back(kGroups);
    order.push_back(kTiles);
    for (unsigned d : p.outer)
      if (!llvm::is_contained(p.packedBatch, d))
        order.push_back(d);
    order.push_back(kBlocks);
  } else {
    llvm::append_range(order, p.outer);
    order.append({kBlocks, kTiles});
  }
  SmallVector<OpFoldResult> ubs;
  for (unsigned d : order)
    ubs.push_back(b.getIndexAttr(d == kTiles    ? tiles
                                 : d == kBlocks ? group
                                 : d == kGroups ? groups
                                                : p.ranges[d]));
  unsigned tilePos = llvm::find(order, kTiles) - order.begin();
  unsigned blockPos = llvm::find(order, kBlocks) - order.begin();
  auto loop = scf::ForallOp::create(b, loc, ubs, ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getTerminator());
  SmallVector<Value> ivs(loop.getInductionVars());
  bool inBounds = cols == lanes;

  // Loop dim values at the tile's origin.
  SmallVector<Value> point(p.ranges.size());
  for (auto [i, d] : llvm::enumerate(order))
    if (d != kTiles && d != kBlocks && d != kGroups)
      point[d] = ivs[i];
  AffineExpr s0 = b.getAffineSymbolExpr(0);
  Value tile = ivs[tilePos], block = ivs[blockPos];
  if (groups > 1) {
    Value g = ivs[llvm::find(order, kGroups) - order.begin()];
    block = affine::makeComposedAffineApply(
        b, loc, AffineMap::get(0, 2, s0 * group + b.getAffineSymbolExpr(1)),
        {g, block});
  }
  point[p.vDim] = affine::makeComposedAffineApply(
      b, loc, AffineMap::get(0, 1, s0 * lanes + n0), {tile});
  Value mBase = affine::makeComposedAffineApply(
      b, loc, AffineMap::get(0, 1, s0 * mr + m0), {block});
  // Row i of the block: mBase + i, split over (mOuter, mDim) if flat.
  SmallVector<Value> rowInner, rowOuter;
  int64_t inner = p.ranges[p.mDim];
  for (int64_t i = 0; i < rows; ++i) {
    if (!p.mOuter) {
      rowInner.push_back(
          i == 0 ? mBase
                 : affine::makeComposedAffineApply(
                       b, loc, AffineMap::get(0, 1, s0 + i), {mBase})
                       .getResult());
      continue;
    }
    rowOuter.push_back(affine::makeComposedAffineApply(
        b, loc, AffineMap::get(0, 1, (s0 + i).floorDiv(inner)), {mBase}));
    rowInner.push_back(affine::makeComposedAffineApply(
        b, loc, AffineMap::get(0, 1, (s0 + i) % inner), {mBase}));
  }
  auto rowPoint = [&](int64_t i, ArrayRef<Value> base) {
    SmallVector<Value> pt(base);
    pt[p.mDim] = rowInner[i];
    if (p.mOuter)
      pt[*p.mOuter] = rowOuter[i];
    return pt;
  };
  point = rowPoint(0, point);
  auto outPointOf = [&](ArrayRef<Value> pt) {
    SmallVector<Value> o;
    for (AffineExpr e : p.outMap.getResults())
      o.push_back(pt[cast<AffineDimExpr>(e).getPosition()]);
    return o;
  };

  // This tile of the output.
  Value shared = loop.getRegionIterArgs()[0];
  auto outType = cast<RankedTensorType>(shared.getType());
  Type outElt = outType.getElementType();
  // (With flat rows the shared output is collapsed over the two row dims:
  // the tile starts at the linear row index.)
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (AffineExpr e : p.outMap.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (p.mOuter && d == p.mDim)
      continue;
    bool rowDim = d == (p.mOuter ? *p.mOuter : p.mDim);
    offsets.push_back(rowDim ? OpFoldResult(mBase) : OpFoldResult(point[d]));
    sizes.push_back(b.getIndexAttr(rowDim ? rows : d == p.vDim ? cols : 1));
    strides.push_back(b.getIndexAttr(1));
  }
  bool transposed = p.transposed();
  auto tileType = transposed ? RankedTensorType::get({cols, rows}, outElt)
                             : RankedTensorType::get({rows, cols}, outElt);
  Value t = tensor::ExtractSliceOp::create(b, loc, tileType, shared, offsets,
                                           sizes, strides);
  AffineMap laneMap =
      transposed ? AffineMap::get(2, 0, b.getAffineDimExpr(0), b.getContext())
                 : AffineMap::get(2, 0, b.getAffineDimExpr(1), b.getContext());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  // Where row i's vector starts in the tile.
  auto rowInTile = [&](int64_t i) {
    Value ri = arith::ConstantIndexOp::create(b, loc, i);
    return transposed ? SmallVector<Value>{zero, ri}
                      : SmallVector<Value>{ri, zero};
  };
  // Row i of the tile as it is now.
  auto readTile = [&](int64_t i) -> Value {
    Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(outElt));
    return vector::TransferReadOp::create(b, loc, vecType(outElt), t,
                                          rowInTile(i), pad, laneMap,
                                          ArrayRef<bool>{inBounds});
  };
  SmallVector<Value> accs;
  for (int64_t i = 0; i < rows; ++i) {
    if (first) {
      accs.push_back(
          initialAccumulator(b, outPointOf(rowPoint(i, point)), inBounds));
      continue;
    }
    accs.push_back(readTile(i));
  }

  // The reduction loops, accumulators carried through all of them.
  SmallVector<Value> lbs, rubs, steps;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (auto [i, d] : llvm::enumerate(p.reductions)) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, i == 0 ? kBegin : 0));
    rubs.push_back(
        arith::ConstantIndexOp::create(b, loc, i == 0 ? kEnd : p.ranges[d]));
    steps.push_back(one);
  }
  Type f32 = b.getF32Type();
  bool aPerRow = p.usesRows(p.aMap);
  bool bPerRow = p.usesRows(p.bMap);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, rubs, steps, accs,
      [&](OpBuilder &nb, Location, ValueRange rivs, ValueRange args) {
        SmallVector<Value> pt(point);
        for (auto [d, iv] : llvm::zip(p.reductions, rivs))
          pt[d] = iv;
        auto readB = [&](ArrayRef<Value> at) -> Value {
          if (!p.packedB)
            return read(nb, p.bSrc, p.bMap, at, p.vDim, inBounds, f32);
          // Tiles of a multi-tile segment are whole panels; a narrower
          // end tile reads part of one.
          SmallVector<Value> idx;
          for (unsigned d : p.packedBatch)
            idx.push_back(at[d]);
          idx.push_back(affine::makeComposedAffineApply(
              nb, loc, AffineMap::get(0, 1, (s0 * lanes + n0).floorDiv(nr)),
              {tile}));
          for (unsigned d : p.packedDims)
            idx.push_back(at[d]);
          idx.push_back(arith::ConstantIndexOp::create(nb, loc, n0 % nr));
          Value pad = arith::ConstantOp::create(nb, loc, nb.getZeroAttr(f32));
          return vector::TransferReadOp::create(
              nb, loc, vecType(f32), p.packedB, idx, pad, ArrayRef<bool>{true});
        };
        auto readA = [&](ArrayRef<Value> at) {
          return read(nb, p.aSrc, p.aMap, at, p.vDim,
                      p.aVector ? inBounds : true, f32);
        };
        Value a0 = aPerRow ? Value() : readA(pt);
        Value b0 = bPerRow ? Value() : readB(pt);
        SmallVector<Value> next;
        for (int64_t i = 0; i < rows; ++i) {
          Value av = aPerRow ? readA(rowPoint(i, pt)) : a0;
          Value bv = bPerRow ? readB(rowPoint(i, pt)) : b0;
          next.push_back(vector::FMAOp::create(nb, loc, av, bv, args[i]));
        }
        return next;
      });
  if (!nest.loops.empty())
    accs = SmallVector<Value>(nest.results);
  // Few rows per panel: DRAM or L3, not the FMAs, sets the pace of a
  // panel's first pass. prefetch-weights then also fetches the next tile's
  // panel (the attribute names the tile's index in the packed shape) while this
  // one is reused from L2, spread over the passes: the forall's dims after
  // the tiles, whose extents the attribute records.
  if (nextPanel && tilesOutside && p.packedB &&
      rowsPerPanel() <= kNextPanelRows) {
    SmallVector<int64_t> passes;
    for (OpFoldResult ub : ArrayRef(ubs).drop_front(tilePos + 1))
      passes.push_back(*getConstantIntValue(ub));
    NamedAttribute fields[] = {
        b.getNamedAttr("tile", b.getI64IntegerAttr(p.packedBatch.size())),
        b.getNamedAttr("passes", b.getDenseI64ArrayAttr(passes))};
    for (scf::ForOp l : nest.loops)
      l->setAttr(mcc::kNextPanelAttr, b.getDictionaryAttr(fields));
  }

  // Epilogue, then one store per row into this tile of the output.
  for (int64_t i = 0; i < rows; ++i) {
    Value v = last ? applyEpilogue(b, accs[i], outPointOf(rowPoint(i, point)),
                                   inBounds, [&] { return readTile(i); })
                   : accs[i];
    t = vector::TransferWriteOp::create(b, loc, v, t, rowInTile(i), laneMap,
                                        ArrayRef<bool>{inBounds})
            .getResult();
  }
  b.setInsertionPointToStart(loop.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, t, shared, offsets, sizes,
                                        strides);
  return loop.getResult(0);
}

void KernelEmitter::emit(RewriterBase &rewriter) {
  Operation *last = p.epilogue ? p.epilogue : p.contraction;
  rewriter.setInsertionPoint(last);
  auto outType = cast<RankedTensorType>(last->getResult(0).getType());
  // Cache blocking (panel-bytes > 0): when a tile's B panel (reduction
  // steps x lanes) would not fit in `panelBytes`, the first reduction dim
  // is split into chunks whose panel does; each chunk is a pass over all
  // tiles that adds into the output, the epilogue in the last. Off by
  // default: without blocking the rows as well (A in L2), re-reading A per
  // tile and chunk cost more than it saved (SGEMM 1024: 27 -> 40 ms).
  int64_t r0 = p.ranges[p.reductions.front()], step = nr * 4;
  for (unsigned d : ArrayRef<unsigned>(p.reductions).drop_front())
    step *= p.ranges[d];
  int64_t kc = r0;
  if (panelBytes > 0 && outType.getElementType().isF32() &&
      r0 * step > panelBytes)
    kc = std::max<int64_t>(1, panelBytes / step);
  // In one pass the output may overwrite a residual it reads (partial
  // sums would clobber it before the last pass reads it).
  if (p.epilogue && kc == r0)
    inPlace = overwritableInput(p.epilogue, p.contraction);
  Value out = inPlace ? inPlace->get()
              : p.epilogue
                  ? p.epilogue.getDpsInits()[0]
                  : tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                            outType.getElementType())
                        .getResult();
  // Flat rows: the output is written through a view with the two row
  // dims collapsed into one.
  SmallVector<ReassociationIndices> groups;
  if (p.mOuter) {
    unsigned outer = p.outPos(*p.mOuter);
    for (unsigned r = 0; r < outType.getRank(); ++r) {
      if (r == outer + 1)
        continue;
      groups.push_back(r == outer ? ReassociationIndices{r, r + 1}
                                  : ReassociationIndices{r});
    }
    out = tensor::CollapseShapeOp::create(rewriter, loc, out, groups);
  }
  for (int64_t k0 = 0; k0 < r0; k0 += kc)
    for (Span ms : rowSpans(p.rowExtent(), mr))
      for (Span ns : columnSpans(p.ranges[p.vDim], vw)) {
        lanes = ns.count > 1 || ns.size > vw ? nr : vw;
        out = emitSegment(rewriter, out, ms.start, ms.count, ms.size, ns.start,
                          ns.count, ns.size, k0, std::min(k0 + kc, r0), k0 == 0,
                          k0 + kc >= r0);
      }
  if (p.mOuter)
    out = tensor::ExpandShapeOp::create(rewriter, loc, outType, out, groups);
  rewriter.replaceOp(last, out);
  if (p.epilogue)
    rewriter.eraseOp(p.contraction);
}

/// True when the plan's result (through single-use reshapes) is padded.
bool feedsPad(Plan &p) {
  Operation *last = p.epilogue ? p.epilogue : p.contraction;
  Value v = last->getResult(0);
  while (v.hasOneUse()) {
    Operation *user = *v.getUsers().begin();
    if (isa<tensor::PadOp>(user))
      return true;
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user))
      return false;
    v = user->getResult(0);
  }
  return false;
}

/// True when an index of A mixes a row dim with a reduction dim.
bool slidesOverRows(const Plan &p) {
  for (AffineExpr e : p.aMap.getResults()) {
    bool row =
        e.isFunctionOfDim(p.mDim) || (p.mOuter && e.isFunctionOfDim(*p.mOuter));
    if (row && llvm::any_of(p.reductions,
                            [&](unsigned d) { return e.isFunctionOfDim(d); }))
      return true;
  }
  return false;
}

/// True for a GEMM whose packed weight panels each serve at least
/// kWideMinRows rows (compute-bound, not waiting on the panel) and whose
/// columns are whole tiles of 4 vectors. Such a tile of 6 rows x 4
/// vectors issues 10 loads (4 of B, 6 broadcasts of A) per 24 FMAs where
/// 8 x 2 issues 10 per 16: the same FMA rate on an idle core, but the
/// loads and prefetches share the core's issue slots with a busy
/// hyperthread sibling. On a shared Emerald Rapids-class host (medians
/// of interleaved runs, 1 / 2 threads): SGEMM 256 -18% / -10%, SGEMM 1024
/// 0 to -2% / -5 to -19%, SGEMM 2048 -6% / -5%, at the same best times. With
/// few rows per panel the wider panel costs more than the loads saved:
/// BERT (128 rows) ran 7-11% slower, ResNet-50 31% (session 10, every
/// conv).
bool wideTiles(const Plan &p, int64_t vw) {
  constexpr int64_t kWideMinRows = 256;
  return p.packable && p.laneStride == 1 && !p.aVector &&
         llvm::all_of(p.outer, [&](unsigned d) { return p.ranges[d] == 1; }) &&
         p.ranges[p.vDim] % (4 * vw) == 0 && p.rowExtent() >= kWideMinRows;
}

struct RegisterTileContractions
    : mcc::impl::RegisterTileContractionsBase<RegisterTileContractions> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    int64_t constantBytes = 0;
    getOperation().walk([&](arith::ConstantOp c) {
      if (auto t = dyn_cast<RankedTensorType>(c.getType());
          t && t.hasStaticShape() && t.getElementType().isIntOrFloat())
        constantBytes +=
            t.getNumElements() * ((t.getElementTypeBitWidth() + 7) / 8);
    });
    // The next tile's panel is prefetched while this one is reused
    // (kernels with few rows per panel) whether the weights come from DRAM
    // or from L3 and L2: on an Emerald Rapids-class host MobileNetV2 (14 MB
    // of weights, its 7x7 convs) ran 4-5% faster at 1 thread, BERT's GEMM
    // shapes alone (2.4 and 9.4 MB) 3-10%. (Session 9 had found the
    // prefetch 10-20% slower for MobileNetV2's 7x7 convs when the whole
    // next panel was fetched in every pass; it is spread over the passes
    // since session 11.) next-panel-weight-bytes turns it off for small
    // models.
    bool nextPanel = constantBytes > nextPanelWeightBytes;
    IRRewriter rewriter(&getContext());
    // Epilogues are erased with their contraction; they may come later in
    // `ops`.
    llvm::SmallPtrSet<Operation *, 16> erased;
    for (linalg::GenericOp op : ops) {
      if (erased.contains(op))
        continue;
      // Lanes along the output's last dim, or along any other output dim
      // (e.g. a conv's channels, with the weights packed) when cheaper.
      std::optional<Plan> best;
      double bestCost = 0;
      AffineMap out = op.getNumDpsInits() == 1
                          ? op.getMatchingIndexingMap(op.getDpsInitOperand(0))
                          : AffineMap();
      if (!out || !out.isProjectedPermutation())
        continue;
      int64_t bestRows = rows;
      for (AffineExpr e : out.getResults()) {
        std::optional<Plan> plan =
            planFor(op, cast<AffineDimExpr>(e).getPosition());
        if (!plan)
          continue;
        // Rows over one dim, or flattened with the output dim before it
        // when A uses both and B neither (a 1x1 conv's whole image).
        SmallVector<Plan, 2> variants = {*plan};
        unsigned mPos = plan->outPos(plan->mDim);
        if (mPos > 0) {
          unsigned d =
              cast<AffineDimExpr>(out.getResult(mPos - 1)).getPosition();
          // (Not when the output is padded next: pad-in-producer can
          // only write into the padded interior through unit reshapes.)
          if (d != plan->vDim && plan->aMap.isFunctionOfDim(d) &&
              !plan->bMap.isFunctionOfDim(d) && !feedsPad(*plan) &&
              plan->bMap.isFunctionOfDim(plan->mDim) ==
                  plan->bMap.isFunctionOfDim(d)) {
            Plan flat = *plan;
            flat.mOuter = d;
            llvm::erase(flat.outer, d);
            variants.push_back(flat);
          }
        }
        for (Plan &v : variants) {
          // A sliding window over the rows (a conv's ow + kw as A's index)
          // lets LLVM reuse A's broadcasts across the unrolled taps, which
          // needs registers: one row fewer, or the accumulators spill (a
          // stride-2 3x3 conv ran at 31 GFLOP/s with 6 rows, 72 with 5).
          // Fewer rows still when that splits the dim more evenly.
          int64_t maxRows = rows;
          if (slidesOverRows(v))
            maxRows = std::max<int64_t>(rows - 1, 1);
          for (int64_t mr = maxRows; mr >= std::max<int64_t>(maxRows - 2, 1);
               --mr) {
            double cost = estimateCost(v, vectorWidth, mr);
            if (!best || cost < bestCost) {
              best = v;
              bestCost = cost;
              bestRows = mr;
            }
          }
        }
      }
      if (!best)
        continue;
      // A compute-bound GEMM takes tiles of 4 vectors (a vector of twice
      // the width, split in two by LLVM) and fewer rows.
      int64_t vw = vectorWidth;
      if (wideRows > 0 && wideTiles(*best, vectorWidth)) {
        vw = 2 * vectorWidth;
        bestRows = wideRows;
      }
      if (!materialize(*best, 2 * vw))
        continue;
      if (best->epilogue)
        erased.insert(best->epilogue);
      mcc::recordDecision(
          op,
          best->epilogue
              ? FusedLoc::get(op.getContext(),
                              {op.getLoc(), best->epilogue->getLoc()})
              : op.getLoc(),
          "register-tile-contractions",
          "register tiles of " + llvm::Twine(bestRows) + " rows x " +
              llvm::Twine(vw / vectorWidth) + " vector(s) of " +
              llvm::Twine(vectorWidth) + " lanes" +
              (best->epilogue ? ", epilogue in the kernel" : ""));
      KernelEmitter(*best, vw, bestRows, panelBytes, nextPanel).emit(rewriter);
    }
  }
};

} // namespace
