//===- Passes.td - Every mcc pass --------------------------*- tablegen -*-===//

#ifndef MCC_PASSES_PASSES_TD
#define MCC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxShapeInference : Pass<"onnx-shape-inference", "mlir::func::FuncOp"> {
  let summary = "Infer result shapes of onnx ops and fold shape arithmetic";
  let description = [{
    Walks the function in order: each op first gets its result types from
    its operands, then, when all its operands are small constants (or, for
    Shape, its input has a static shape), it is evaluated and replaced by an
    onnx.Constant. One walk suffices because ONNX graphs are topologically
    sorted. The function's result types are updated at the end.
    onnxruntime's com.microsoft ops become ai.onnx ops (expand-ms-ops'
    rewrite) when the walk reaches them.
  }];
  let dependentDialects = ["mcc::onnx::ONNXDialect"];
}

def OnnxFoldBatchNorm : Pass<"onnx-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv";
  let description = [{
    Conv(x, W, B) followed by BatchNormalization(scale, bias, mean, var) with
    constant parameters becomes one Conv with W' = W * s and
    B' = (B - mean) * s + bias, s = scale / sqrt(var + epsilon), computed at
    compile time. Must not fire when the Conv has another user, or when any
    parameter is not a constant.
  }];
  let dependentDialects = ["mcc::onnx::ONNXDialect"];
}

def FoldQdq : Pass<"fold-qdq", "mlir::func::FuncOp"> {
  let summary = "QDQ MatMul/Gemm as MatMulInteger, a cast and a scale";
  let description = [{
    MatMul(DequantizeLinear(a_q), DequantizeLinear(w_q)) with constant
    8-bit weights, activation scale and zero point per tensor and weight
    ones per tensor or per output column becomes
    Mul(Cast(MatMulInteger(a_q, w_q, za, zw)), sa * sw): the integer sum
    runs on the int8 kernels, exact, and the scales multiply once. Gemm
    too (alpha 1, transA 0, beta 1; transB's weights are transposed at
    compile time). Other forms are left as they are.

    A MatMul of f32 activations with few rows (at most `weight-only-rows`,
    static) and weights that are a constant DequantizeLinear blocked along
    K (or per column or per tensor) whose values span at most 16 levels
    (4-bit weights: MatMulNBits, 4-bit QDQ) becomes mcc.wmatmul: the
    weights stay quantized for int4-matmul-kernels, whose batch-1 matmul
    reads a fifth of the f32 weights' bytes. With more rows, a MatMul that
    allows 8-bit activations (`mcc.int8_activations`, which expand-ms-ops
    puts on MatMulNBits of accuracy_level 4, or every one with
    `int8-activations`) and whose weights minus their zero points fit
    signed bytes becomes an mcc.wmatmul with `int8_activations`, for
    int8-matmul-kernels.
  }];
  let options = [
    Option<"weightOnlyRows", "weight-only-rows", "int64_t", "16",
           "Most activation rows for which 4-bit weights stay quantized "
           "(more rows: f32 weights, the float kernels)">,
    Option<"int8Activations", "int8-activations", "bool", "false",
           "Every weight-only matmul may quantize its activations to 8 "
           "bits (as if each carried mcc.int8_activations)">
  ];
  let dependentDialects = ["mcc::MccDialect", "mlir::tensor::TensorDialect"];
}

def ExpandMsOps : Pass<"expand-ms-ops", "mlir::func::FuncOp"> {
  let summary = "onnxruntime's com.microsoft quantized ops as ai.onnx ops";
  let description = [{
    QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
    QLinearConcat, QLinearAveragePool, QLinearGlobalAveragePool and
    QLinearSoftmax become DequantizeLinear, the float op and
    QuantizeLinear; QGemm a Gemm of dequantized operands;
    MatMulIntegerToFloat and DynamicQuantizeMatMul a MatMulInteger scaled
    to float; MatMulNBits a MatMul with its packed weights unpacked at
    compile time under a blocked DequantizeLinear. A form that cannot be
    expanded is an error naming the node. onnx-shape-inference applies the
    same rewrite as its walk reaches each op (then the op's operands have
    shapes: a channels-last pool needs the rank); this pass is that rewrite
    alone.
  }];
  let dependentDialects = ["mcc::onnx::ONNXDialect"];
}

def FuseContractionEpilogues
    : Pass<"fuse-contraction-epilogues", "mlir::func::FuncOp"> {
  let summary = "Fuse a conv/matmul into its elementwise consumer, by rows";
  let description = [{
    An elementwise linalg.generic (ReLU, residual Add+ReLU, HardSwish...)
    whose input is the only use of a contraction (a generic with
    reductions) is tiled into an scf.forall over every dim but the last
    (tiles of 1: one output row each), and the contraction plus the linalg
    op that initializes its accumulator (the bias broadcast) are fused into
    each tile, so the epilogue reads the row from L1 instead of memory.
    Input producers are not fused (a padded input would be recomputed).
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FuseDepthwisePointwise
    : Pass<"fuse-depthwise-pointwise", "mlir::func::FuncOp"> {
  let summary = "Fuse a depthwise conv into the 1x1 conv that reads it, by rows";
  let description = [{
    A 1x1 conv (NHWC, f32, static) whose input is a depthwise conv, maybe
    through an elementwise activation, each used once, is tiled (or its
    elementwise consumer, e.g. a residual add) into an scf.forall over
    image rows, and the activation, the depthwise conv and the ops that
    initialize the accumulators (bias broadcasts) are fused into each row:
    the intermediate row is read back from L1/L2 instead of L3. Every
    pixel is still computed once (a 1x1 conv reads only its own pixels).
    The depthwise conv's input is read through a slice, unless it is the
    zero-padded output of a large expand 1x1 conv (+ activation): then the
    pad moves to the expand's small input, a constant mask zeroes the
    expand's border pixels, and each tile recomputes the few window rows
    it shares with its neighbours (at most 30% more expand work, tiles of
    several rows), so no image-sized tensor is left in the block.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"262144",
           "fuse only when the depthwise conv's output is at least this "
           "large (smaller ones stay in L2 unfused)">,
    Option<"fuseExpand", "fuse-expand", "bool", /*default=*/"true",
           "also fuse the 1x1 conv (+ activation) whose zero-padded output "
           "the depthwise conv reads, recomputing shared window rows">,
    Option<"minExpandBytes", "min-expand-bytes", "int64_t",
           /*default=*/"1048576",
           "fuse the expand conv only when its padded output is at least "
           "this large (beyond L2)">
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FuseElementwiseOps : Pass<"fuse-elementwise-ops", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, never into a contraction";
  let description = [{
    Upstream linalg-fuse-elementwise-ops (elementwise producer into
    consumer, reshape propagation by expansion, constant folding) with one
    more condition: the consumer has no reduction loops, and a producer
    that the consumer reads through a broadcast is fused only when its
    body is a few plain arith ops (it would run once per consumer
    element). A ReLU fused into a
    conv's input would run once per output channel for every input element
    and hide the multiply-accumulate from the kernel generator; it stays
    the epilogue of the op that produces its input instead.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def ConvertOnnxControlFlow
    : Pass<"convert-onnx-control-flow", "mlir::func::FuncOp"> {
  let summary = "If, Loop and Scan to scf, their bodies kept as onnx ops";
  let description = [{
    Runs after onnx-shape-inference (which types the bodies) and before
    convert-onnx-to-linalg (which lowers the ops inside the new scf
    regions in place). If becomes scf.if; Loop an scf.while carrying the
    iteration, the condition, the loop-carried values and [M, ...] buffers
    for its scan outputs, cut to the iterations run; Scan an scf.for over
    the scanned length that extracts each input's slice and inserts each
    output's, in either direction. Scan outputs need a static
    per-iteration shape, a Loop with scan outputs its trip count.
  }];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def ConvertOnnxToLinalg : Pass<"convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every op needs ranked result types (run onnx-shape-inference first);
    dynamic dims are sized at run time from the operands' dims (tensor.dim),
    and what the inputs must satisfy for the op to be defined (broadcast
    dims that agree, a matmul's inner dims) becomes a cf.assert naming the
    node, which create-shape-function turns into a run-time check.
    An op no pattern lowers makes the pass fail with "cannot lower this op:"
    and the reason its pattern gave (an attribute, a dtype, a dynamic
    shape). With check-only, nothing is lowered: each op is tried alone
    (with its constant operands) and every failure is reported.
  }];
  let options = [
    Option<"checkOnly", "check-only", "bool", /*default=*/"false",
           "Report every op that cannot be lowered; change nothing">
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::cf::ControlFlowDialect",
    "mlir::affine::AffineDialect", "mcc::MccDialect"
  ];
}

def OrderContractionLoops
    : Pass<"order-contraction-loops", "mlir::func::FuncOp"> {
  let summary = "Put a contraction's reductions outside its output's row";
  let description = [{
    For a linalg.generic with reductions and one output, the loop order
    becomes: the other parallel dims, the reduction dims, then the output's
    fastest dim, so the loops that linalg lowers to end in a unit-stride
    axpy over an output row (conv: n, g, m, oh, c, kh, kw, ow; matmul:
    m, k, n) that LLVM vectorizes. Skipped when an input indexes that dim
    anywhere but its last index (a gather), or when the row is shorter
    than 4.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def VectorizeWindowCopies
    : Pass<"vectorize-window-copies", "mlir::func::FuncOp"> {
  let summary = "Window copies (im2col) as one vector copy per run of the "
                "contiguous dim";
  let description = [{
    An elementwise linalg.generic with one input read through a map that
    is not a projected permutation (a conv's window: `oh * s + kh`) and
    whose innermost dim is contiguous in both its input and its output
    (the channels of an NHWC im2col) becomes an scf.forall over the outer
    dims whose body reads the run as one vector, applies the body to it
    and writes it. Left to LLVM, the inner loop was unrolled into scalar
    byte copies (the input and output may alias as far as it knows): the
    int8 im2col of QDQ ResNet-50's 3x3 convs took 19% of the model.
    Runs shorter than `min-bits` or longer than `max-bits` stay loops.
  }];
  let options = [
    Option<"minBits", "min-bits", "int64_t", /*default=*/"128",
           "shortest run (bits) worth a vector">,
    Option<"maxBits", "max-bits", "int64_t", /*default=*/"16384",
           "longest run (bits) read as one vector">,
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
    "mlir::vector::VectorDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def TileTransposes : Pass<"tile-transposes", "mlir::func::FuncOp"> {
  let summary = "Tile elementwise ops that transpose, so both sides stay in L1";
  let description = [{
    An elementwise linalg.generic whose output runs fastest along one dim
    and one of its inputs along another (an NHWC activation read into an
    NCHW graph output) is tiled as an scf.forall over the other dims with
    `tile` x `tile` blocks of those two dims inside. Untiled, the inner
    loop read one element per cache line and every line came back from
    L3 once per element it holds: a 1.6 MB NHWC -> NCHW ReLU took 4.9 ms.
    In a block, the lines of both sides are reused from L1. When a block
    size in [tile / 2, tile] divides both dims (or a dim is no longer
    than `tile`, and is one block), the blocks are vectorized: vector
    reads along the input's fast dim, vector.transpose, vector writes
    along the output's. Ops under `min-bytes` of output are left alone.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", /*default=*/"16",
           "block size along each of the two dims">,
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"65536",
           "smallest output (bytes) worth tiling">,
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::affine::AffineDialect", "mlir::vector::VectorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def ApproximateMath : Pass<"approximate-math", "mlir::func::FuncOp"> {
  let summary = "f32 erf, exp and tanh as polynomials that vectorize";
  let description = [{
    Upstream's polynomial approximations of math.erf, math.exp and
    math.tanh (f32 and vectors of f32): plain arith instead of one libm call
    per element, so the loops around them vectorize (GELU, softmax,
    sigmoid). Other types and other math ops are left alone.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::vector::VectorDialect"
  ];
}

def ReassociateReductions
    : Pass<"reassociate-reductions", "mlir::func::FuncOp"> {
  let summary = "Let LLVM vectorize float sums and products of reductions";
  let description = [{
    In a linalg.generic with reduction loops, the op that combines each
    output's accumulator with a new value (arith.addf, arith.mulf, or
    math.fma with the accumulator as addend) gets the `reassoc` fastmath
    flag, so that LLVM may keep vector partial results instead of one
    dependent scalar operation per element. Other ops of the body, and
    generics without reductions, are left alone.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def ChannelsLast : Pass<"channels-last", "mlir::func::FuncOp"> {
  let summary = "Store conv activations channels-last (NHWC)";
  let description = [{
    Rank-4 float values connected to a conv's activation (through
    linalg.generic, linalg.fill, tensor.empty, tensor.pad and static
    insert/extract_slice) are stored with their dims permuted
    [N, C, H, W] -> [N, H, W, C]: the producers' and users' indexing maps
    are permuted, pads and slices get permuted bounds, and
    non-conv generics that write a moved value iterate in storage order.
    Values that meet anything else (function arguments and results,
    reshapes, slices, captures in a body) keep NCHW together with every
    value that must share their layout (a generic's init and result, a
    pad's source and result); generics next to them read or write the two
    layouts through their maps. Only a graph input or output next to a
    conv with a window over 16 or more channels (3x3, depthwise) gets a
    copy, which becomes that edge's transpose. Functions without a conv
    are left alone.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

def WinogradConvs : Pass<"winograd-convs", "mlir::func::FuncOp"> {
  let summary = "3x3 stride-1 NHWC convs as Winograd F(4x4,3x3) or F(2x2,3x3)";
  let description = [{
    An f32 conv generic with NHWC activations (x[n, oh + kh, ow + kw, c]),
    constant 3x3 weights w[k, c, kh, kw] and at least 16 input and output
    channels becomes: the weights transformed at compile time into
    U[ab, c, k]; an input transform (scf.forall over tiles, channel
    vectors) into V[n, ti, tj, ab, c]; one multiply-accumulate generic
    M[n, ti, tj, ab, k] = sum_c V U (left for register-tile-contractions);
    an output transform that adds the conv's init (bias broadcast, fill or
    tensor) and writes y. Tiles of 4x4 outputs when both output dims
    divide by 4, else 2x2 when they divide by 2; other convs are left
    alone.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes in one vector register of the target">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def TileDynamicRows : Pass<"tile-dynamic-rows", "mlir::func::FuncOp"> {
  let summary = "Contractions over one symbolic dim as loops of static chunks";
  let description = [{
    An f32 multiply-accumulate generic with one symbolic parallel dim (the
    rows: a sequence length) and a static input that does not use it (the
    weights) becomes two scf.for loops over that dim: chunks of `rows`,
    then the rest in chunks of `tail-rows` with the inputs zero-padded to
    that size. Each chunk is the op at a static shape, so
    register-tile-contractions tiles it. The only elementwise consumer of
    the op (bias, activation, residual add) moves into the chunk with it,
    to stay its epilogue. Operands use the dim only as a plain index;
    inits that are an empty tensor, a fill or a broadcast of one are made
    again per chunk.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"128",
           "rows per chunk">,
    Option<"tailRows", "tail-rows", "int64_t", /*default=*/"16",
           "rows per chunk after the last whole chunk (padded)">,
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::affine::AffineDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def RegisterTileContractions
    : Pass<"register-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Conv/matmul as register-tiled vector kernels with epilogues";
  let description = [{
    An f32 multiply-accumulate generic (conv, matmul, Gemm) becomes an
    scf.forall over tiles of up to `rows` × 2·`vector-width` outputs. The
    lanes run along one output dim: the operand that varies along it (B)
    is read as vectors (it must be unit-stride there, strided in its last
    index only (read from a deinterleaved copy), or a constant, packed at
    compile time into zero-padded [tiles][k...][lanes] panels); the other
    operand (A) is broadcast per row, or, when it varies along the lanes
    too (a depthwise conv with channel lanes), read as a vector per row
    while the constant B is loaded once per step for all rows. Each tile keeps its accumulators in
    vector registers across every reduction loop (vector.fma), starts them
    from the op's init (fill, bias broadcast or tensor) and applies the
    elementwise consumer, if it is the only user, before one store per row
    (transposed when the lanes are not the output's last dim). A cost
    model picks the lane dim and the row count per op. Partial tiles are
    static: a smaller last row block, one-vector or masked last columns.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes in one vector register of the target">,
    Option<"rows", "rows", "int64_t", /*default=*/"6",
           "most output rows per register tile (the cost model may take up "
           "to two fewer when that splits the rows more evenly)">,
    Option<"wideRows", "wide-rows", "int64_t", /*default=*/"0",
           "rows of the 4-vector tiles a GEMM takes when its weights are "
           "packed, its columns a multiple of 4 vectors and each panel "
           "serves at least 256 rows (0: 2-vector tiles only; needs 32 "
           "vector registers)">,
    Option<"panelBytes", "panel-bytes", "int64_t", /*default=*/"0",
           "cache blocking: split the first reduction dim so that a tile's "
           "B panel stays under this many bytes (0: off)">,
    Option<"nextPanelWeightBytes", "next-panel-weight-bytes", "int64_t",
           /*default=*/"0",
           "when the function's constants exceed this many bytes, kernels "
           "with few rows per weight panel mark their loops for "
           "prefetch-weights to fetch the next panel (default 0: always)">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def Int4MatmulKernels : Pass<"int4-matmul-kernels", "mlir::func::FuncOp"> {
  let summary = "mcc.wmatmul with constant 4-bit weights as a register-tiled kernel";
  let description = [{
    Each mcc.wmatmul whose weights, scales and zero points are constants,
    whose weights span at most 16 levels and whose blocks are multiples of
    8 (or one block) becomes a loop nest of register tiles over weights
    packed at compile time, eight 4-bit values of one column per 32-bit
    lane: each step loads one word per lane and unpacks it in registers
    (shift, mask, convert) into eight f32 weight vectors. Per block the
    tile's sums are scaled, and the zero points come off as
    scale * zero_point * (the block's activation sum). A batch-1 matmul
    reads 4.5 bits per weight instead of 32. Others are left to
    lower-mcc-to-linalg.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "8",
           "f32 lanes per vector (8: AVX2, 16: AVX-512)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect",
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect"
  ];
}

def Int8MatmulKernels : Pass<"int8-matmul-kernels", "mlir::func::FuncOp"> {
  let summary = "mcc.qmatmul with constant weights as a register-tiled kernel";
  let description = [{
    Each mcc.qmatmul whose weights and weight zero points are constants
    becomes a loop nest of register tiles (`rows` rows × two vectors of
    i32 lanes) over weights packed at compile time. With VNNI, weights
    that fit signed bytes once their zero point is off take `vpdpbusd`
    (quads of unsigned activation bytes times signed weight bytes, the
    activations' zero point corrected at the end with the weights' column
    sums); other weights, and targets without VNNI, take 16-bit pairs
    (`vpmaddwd` + add, VNNI's `vpdpwssd`). Both are exact, which
    `vpmaddubsw` is not (its pair sums saturate at 16 bits). Others are
    left to lower-mcc-to-linalg.

    With VNNI, each mcc.wmatmul with `int8_activations` whose weights
    fit signed bytes once their zero points are off becomes a kernel on
    `vpdpbusd` too: each activation row quantized to unsigned bytes over
    its range, integer sums per block of K scaled into f32 totals, the
    rows' zero points corrected at the end (Int8WMatMulKernel.cpp).
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"avx2\"",
           "Instructions: avx2, avx-vnni, avx512 (AVX512BW), avx512-vnni, "
           "vnni-portable (avx512-vnni's kernels in plain vector code), "
           "none">,
    Option<"rows", "rows", "int64_t", "6", "Rows per register tile">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect",
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mcc::MccDialect"
  ];
}

def LowerMccToLLVM : Pass<"lower-mcc-to-llvm", "mlir::ModuleOp"> {
  let summary = "mcc's vector ops as LLVM intrinsic calls";
  let description = [{
    mcc.dot_pairs becomes `llvm.x86.avx2.pmadd.wd` (or its 512-bit form)
    and an add, or with `vnni` one `llvm.x86.avx512.vpdpwssd` call;
    mcc.dot_quads one `llvm.x86.avx512.vpdpbusd` (the 256-bit forms are
    AVX-VNNI's VEX encoding where AVX512VL is absent). With `portable`
    (and at 128 bits) both become extends, multiplies, shuffles and adds.
    Runs on buffers, before convert-vector-to-llvm.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

def LowerMccToLinalg : Pass<"lower-mcc-to-linalg", "mlir::func::FuncOp"> {
  let summary = "mcc contractions that no kernel took, as linalg.generic";
  let description = [{
    mcc.qmatmul becomes one linalg.generic that widens both operands to
    i32, subtracts the zero points and accumulates into a zero-filled
    init: any shapes, no kernel. Runs after the kernel generators.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def PadInProducer : Pass<"pad-in-producer", "mlir::func::FuncOp"> {
  let summary = "Let a kernel write its output into a padded buffer's interior";
  let description = [{
    tensor.pad (constant value, static) of the result of an scf.forall chain
    whose destination is a tensor.empty, possibly through reshapes, becomes
    a fill of the padded tensor's border whose interior slice is the
    chain's destination, and an insert_slice of the chain's result at the
    same place: after bufferization the kernel writes into the padded
    buffer and no copy is left. Other readers of the kernel's result (a
    residual add) read the padded tensor's interior after the insertion;
    the pass runs after the greedy rewrites, which would fold that read
    back onto the kernel's result and make bufferization copy it. A pad at
    function level with no such kernel (a graph input) still gets only
    its border filled, and an insert_slice of its source, when the border
    is at most an eighth of the buffer (a 7x7 NCHW image's border, 40%
    in one-element runs, costs more than one fill of the whole).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FlattenMemrefGlobals
    : Pass<"flatten-memref-globals", "mlir::ModuleOp"> {
  let summary = "Make constant memref.globals 1-D";
  let description = [{
    Nested LLVM constant arrays cost one LLVM constant per innermost row
    (per element for 1x1 convs), which dominated compile time and memory.
    Every constant, statically shaped, identity-layout memref.global of rank
    > 1 becomes 1-D over the same data (resource blobs are shared), and each
    memref.get_global of it becomes a get_global of the 1-D global followed
    by a memref.expand_shape back to the original shape. A rank-0
    constant global's resource blob becomes a dense value (memref-to-llvm
    reads rank-0 initializers as splats and aborts on a resource).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def LowerDynamicExpandShapes
    : Pass<"lower-dynamic-expand-shapes", "mlir::func::FuncOp"> {
  let summary = "memref.expand_shape with two dynamic dims in one group as "
                "a reinterpret_cast";
  let description = [{
    LLVM 22's expand-strided-metadata crashes on a memref.expand_shape
    whose reassociation group holds more than one dynamic dim (upstream
    llvm-project issue 186830, fixed in LLVM 23 by reading the op's
    output_shape), which a kernel that collapses [N, H, W, C] rows with
    symbolic N, H and W and expands its result back produces. Each such
    op becomes a memref.reinterpret_cast of the source's base with the
    output_shape's sizes and strides computed from them: within a group,
    the innermost dim keeps the source dim's stride and each outer one
    is the next one's stride times its size. Run right before
    expand-strided-metadata; other expand_shapes are left to it.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def DistinctReturnValues
    : Pass<"distinct-return-values", "mlir::func::FuncOp"> {
  let summary = "Copy a tensor returned more than once";
  let description = [{
    Each graph output is its own caller buffer; a value returned twice
    (two outputs that are the same tensor) gets a linalg.copy for every
    occurrence after the first, before bufferization (upstream
    buffer-results-to-out-params crashes on one buffer returned twice).
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

def DynamicResultsInPlace
    : Pass<"dynamic-results-in-place", "mlir::func::FuncOp"> {
  let summary = "Compute a dynamically sized result in its out-parameter";
  let description = [{
    After buffer-results-to-out-params: a result whose buffer is a dynamic
    memref.alloc copied into its out-parameter just before the return is
    computed in the out-parameter instead (the copy and the allocation go).
    Sound because the runtime passes output buffers of exactly the size
    the shape function computed from the same inputs.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def RetypeEmptyArguments
    : Pass<"retype-empty-arguments", "mlir::func::FuncOp"> {
  let summary = "Give zero-element memref arguments a one-pointer type";
  let description = [{
    After bufferization, before LLVM: an argument memref with no elements
    (an empty graph input or output) becomes memref<1xT>, which the
    bare-pointer calling convention accepts (one pointer, never accessed),
    and its uses see a zero-element memref.alloca of the original type.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PrefetchEpilogueOperands
    : Pass<"prefetch-epilogue-operands", "mlir::func::FuncOp"> {
  let summary = "Prefetch a register tile's epilogue operands and output "
                "before its reduction loop";
  let description = [{
    Every in-bounds, minor-identity vector.transfer_read / transfer_write
    on a memref that follows an scf.for carrying vectors (a register
    tile's reduction), up to the next loop in the block, gets a
    memref.prefetch (read or write) of each of its cache lines placed
    before that loop; index computations that are pure are cloned there.
    The misses on a residual input and the output rows, touched once per
    tile, then overlap the reduction instead of stalling the epilogue.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def PrefetchWeights : Pass<"prefetch-weights", "mlir::func::FuncOp"> {
  let summary = "Prefetch the weight panels a kernel's reduction streams "
                "and its strided broadcast reads";
  let description = [{
    In the innermost scf.for that carries vectors (a register tile's
    reduction), each 1-D, minor-identity vector.transfer_read of a constant
    global (memref.get_global, or the cast flatten-memref-globals leaves)
    whose indices hold the loop's induction variable once, with a static
    stride, gets a memref.prefetch of each of its cache lines at
    iv + distance-bytes / stride. The first pass over a panel, from L3,
    then does not stall at every page the hardware prefetchers give up on.
    In a loop marked `mcc.next_panel = N` (register-tile-contractions:
    weights from DRAM, few rows per panel), the same step of the next
    tile's panel (index N + 1) is prefetched too, with locality 1. Inside
    the scf.forall the mark describes, the fetch is spread over the tile's
    passes: a contiguous panel is walked linearly (pass p of P, step k of
    K: the line at ceil(L / P) elements times p * K + k, L the elements
    per step), any other the lines of step (p * K + k) / P.
    Scalar memref.loads of other memrefs (a tile's broadcast operand, e.g.
    an NCHW activation) that move 2 KiB or more per step get a prefetch
    `strided-steps` steps ahead, for the first and last load of each group
    that differs only in the last index.
  }];
  let options = [
    Option<"distanceBytes", "distance-bytes", "int64_t", /*default=*/"2048",
           "how far ahead of the read, in bytes of its stream, to prefetch">,
    Option<"stridedSteps", "strided-steps", "int64_t", /*default=*/"8",
           "how many steps ahead to prefetch loads that move 2 KiB or more "
           "per step (0: not at all)">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def PromoteLoopBuffers : Pass<"promote-loop-buffers", "mlir::func::FuncOp"> {
  let summary = "Per-iteration buffers of loops as one alloca per call";
  let description = [{
    Runs after convert-parallel-loops-to-runtime, when every loop left runs
    its iterations in order in one thread. A statically shaped memref.alloc
    of at most `max-bytes` inside a loop body, freed by a memref.dealloc in
    the same block, becomes one memref.alloca in the function's entry block
    (the dealloc goes): no malloc per iteration, and the buffer stays hot
    from one iteration to the next. Each one is a stack slot of its own,
    so a function stops promoting once it holds `max-total-bytes` (a
    12-layer encoder with a symbolic sequence had ~150 padded chunk
    buffers and overflowed an 8 MiB stack).
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"262144",
           "largest buffer put on the stack (worker threads have 8 MiB)">,
    Option<"maxTotalBytes", "max-total-bytes", "int64_t",
           /*default=*/"2097152",
           "most stack one function's promoted buffers take together">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PlanArena : Pass<"plan-arena", "mlir::func::FuncOp"> {
  let summary = "Place a function's buffers in one arena with reuse";
  let description = [{
    Runs after bufferization and deallocation, when the function body is a
    straight line of memref.alloc/memref.dealloc pairs. Every statically
    shaped, identity-layout pair in the entry block gets an offset in one
    64-byte-aligned arena (greedy: largest first, first fit among buffers
    live at the same time) and becomes a memref.view of it; the arena is
    allocated once at entry and freed before the return. Buffers freed
    elsewhere, or not at all, are left alone.
  }];
  let dependentDialects = [
    "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"
  ];
}

def ConvertParallelLoopsToRuntime
    : Pass<"convert-parallel-loops-to-runtime", "mlir::ModuleOp"> {
  let summary = "Run outermost scf.parallel loops on the runtime thread pool";
  let description = [{
    Each outermost scf.parallel (on memrefs, after bufferization) with no
    reductions, constant bounds and at least `min-work` estimated scalar
    operations is outlined into `@<func>_par<N>(ctx, begin, end)` and
    replaced by a call of the runtime's `mcc_rt_parallel_for`. Its outer
    dimensions are collapsed until there are `min-outer-iterations` of them
    to split (the innermost one only when each of its iterations is heavy,
    e.g. a register tile's whole reduction: a light innermost dim stays a
    loop LLVM vectorizes); the remaining dimensions run inside each chunk.
    Captured
    memrefs (static layouts only) pass as aligned pointers in a stack
    struct, scalars by value, constants are cloned. Everything else stays
    sequential; the artifact needs no OpenMP.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Estimated scalar operations below which a loop stays sequential">,
    Option<"minOuterIterations", "min-outer-iterations", "int64_t",
           /*default=*/"64",
           "Iterations the collapsed outer dimensions should reach">
  ];
  let dependentDialects = [
    "mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect",
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::func::FuncDialect"
  ];
}

def CountNodeFlops : Pass<"count-node-flops", "mlir::ModuleOp"> {
  let summary = "Each ONNX node's nominal operation count, for --profile";
  let description = [{
    On the onnx dialect after shape inference: the module attribute
    `mcc.node_flops` maps each node's name to its operation count (2 per
    multiply-add for Conv, ConvTranspose, MatMul, Gemm and their integer
    forms; one per element read for reductions and pools; none for data
    movement; one per output element otherwise). Nodes with a shape that
    is not static are left out. profile-kernels reads and removes it.
  }];
}

def ProfileKernels : Pass<"profile-kernels", "mlir::ModuleOp"> {
  let summary = "Timers after each kernel of the graph, for --profile";
  let description = [{
    After convert-parallel-loops-to-runtime: each op of `main_graph` that
    does work (a call of a parallel task, a loop nest, a copy, a call) is a
    kernel; `func.call @mcc_rt_profile_tick(k)` after it charges the time
    since the previous tick to kernel k (the runtime records it in profiled
    runs only). Ops whose regions launch parallel tasks (an ONNX Loop or
    If) and calls of functions with kernels of their own (peel-batch's
    graph of one sample) are entered instead. The kernels, with the ONNX nodes
    their ops' locations (and their tasks') name and the FLOPs of those
    nodes from `mcc.node_flops` (split among the kernels sharing a node by
    their arithmetic ops on data: a pad copy gets none), go to the module attribute `mcc.profile_kernels`, which the
    model descriptor emits (with the element types of the buffers each
    kernel works on, for mcc --report). Without `timers` only the
    attribute is written (a report of a build without --profile).
  }];
  let options = [
    Option<"timers", "timers", "bool", /*default=*/"true",
           "Insert the ticks (else only describe the kernels)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

#endif // MCC_PASSES_PASSES_TD

//===----------------------------------------------------------------------===//
// Dynamic shapes (passes/shapes)
//===----------------------------------------------------------------------===//

def CreateShapeFunction
    : Pass<"create-shape-function", "mlir::ModuleOp"> {
  let summary = "Split the graph's run-time shape work into a function of its own";
  let description = [{
    For a graph function with a dynamic dim in its signature (or run-time
    shape checks left), adds `@<graph>_shapes`: the same arguments, and
    returns every result's dims (result after result, as i64) and an i32
    0. It is a copy of the graph reduced to what those dims need: result
    dims are resolved through the ops that made them, then everything else
    is dead (a data-dependent size keeps the computation it reads). The
    graph's cf.assert shape checks stay in the copy only: the runtime runs
    it, and refuses inputs that fail a check, before every run.
  }];
  let options = [
    Option<"graph", "graph", "std::string", /*default=*/"\"main_graph\"",
           "The graph function">
  ];
  let dependentDialects = [
    "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect", "mlir::memref::MemRefDialect"
  ];
}

def PeelBatch : Pass<"peel-batch", "mlir::ModuleOp"> {
  let summary = "A symbolic batch no op mixes: a loop over a static sample graph";
  let description = [{
    When every symbolic dim of the graph's inputs is dim 0 and an analysis
    of the graph shows that no op mixes samples (each value carries the
    batch along its one dynamic dim, or is the same for all samples;
    elementwise ops, batch-first convs and pools, reductions and softmax
    over other axes, MatMul with the batch outside the reduced dim,
    reshapes that keep it outermost; shape values of batched tensors only
    size Reshape, Expand and ConstantOfShape), the graph is copied to a
    private `@<graph>_sample` with the batch pinned to 1 (re-typed by
    onnx-shape-inference, so it gets the static kernels) and the graph
    becomes an scf.for over the batch that calls it on each sample's
    slice. Anything the analysis does not know leaves the graph as it is.
  }];
  let options = [
    Option<"graph", "graph", "std::string", /*default=*/"\"main_graph\"",
           "The graph function">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
    "mlir::func::FuncDialect"
  ];
}

def LowerIndexChecks : Pass<"lower-index-checks", "mlir::ModuleOp"> {
  let summary = "mcc.check_index as compares and a call into the runtime";
  let description = [{
    Each mcc.check_index becomes the compare and select it stands for, and
    a call of the runtime's `mcc_rt_check_failed(check, value, bound)` on
    the cold path where the index is out of range (the run records the
    first failure and returns an error once it ends). The checks are
    numbered from 1 in the order of the module's ops; their messages go to
    the module attribute `mcc.index_checks`, in that order, which the model
    descriptor emits. Runs after bufferization (the checks may sit in
    loop bodies or outlined parallel tasks by then) and before
    convert-scf-to-cf.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::scf::SCFDialect"
  ];
}

def GuardAllocSizes : Pass<"guard-alloc-sizes", "mlir::ModuleOp"> {
  let summary = "Check the byte size of dynamically sized buffers";
  let description = [{
    Before each memref.alloc with dynamic sizes: the product of its dims
    and element size, computed with overflow detection (unsigned: a
    negative dim fails too); over 2^48 bytes, a call of the runtime's
    `mcc_rt_alloc_too_large(bytes)`, which ends the run with an
    out-of-memory error instead of allocating a wrapped size. Runs after
    bufferization and before plan-arena (which adds such sizes).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::scf::SCFDialect", "mlir::memref::MemRefDialect"
  ];
}

def GuardEmptyOutputs : Pass<"guard-empty-outputs", "mlir::func::FuncOp"> {
  let summary = "Skip a linalg op whose output may have no elements";
  let description = [{
    On buffers: each linalg op outside loops whose outputs have dynamic
    dims runs under an scf.if that every such dim is non-zero. An output
    with no elements leaves nothing to compute, but its loop nest would
    still count through the other dims: a [2^40, 0] tensor (dims from
    run-time data or inputs) made a run that never ended. Runs before
    the ops become loops.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
    "mlir::memref::MemRefDialect"
  ];
}

def LowerShapeChecks : Pass<"lower-shape-checks", "mlir::ModuleOp"> {
  let summary = "Shape checks as early returns of the shape function";
  let description = [{
    After convert-scf-to-cf: each cf.assert of `@<graph>_shapes` becomes a
    branch to a block that returns the check's number (1-based, in the
    order of the function's blocks); the messages go to the module
    attribute `mcc.shape_checks`, in that order, for the runtime's errors.
    cf.assert ops anywhere else are dropped (the shape function has
    checked the inputs before the graph runs). Runs before
    convert-cf-to-llvm, which would make an assert abort the process.
  }];
  let options = [
    Option<"graph", "graph", "std::string", /*default=*/"\"main_graph\"",
           "The graph function">
  ];
  let dependentDialects = [
    "mlir::cf::ControlFlowDialect", "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect"
  ];
}
