"""Models with onnxruntime's com.microsoft quantized ops (expand-ms-ops),
each compared with onnxruntime running the same file.

- qop_cnn: a float CNN (residual Add, Mul, Sigmoid, LeakyRelu, Concat,
  AveragePool, GlobalAveragePool, Gemm) through quantize_static in the
  QOperator format: QLinearConv, QLinearAdd, QLinearMul, QLinearSigmoid,
  QLinearLeakyRelu, QLinearConcat, QLinearAveragePool,
  QLinearGlobalAveragePool, QGemm between them;
- ms_matmuls: MatMulIntegerToFloat (per-column B scales and zero points,
  bias), DynamicQuantizeMatMul, QGemm (int32 C, transB, alpha, float and
  quantized outputs), QLinearSoftmax in its opset-12 and opset-13 forms,
  written node by node;
- nbits_mlp: a float MLP through onnxruntime's MatMulNBitsQuantizer
  (4-bit blocks of 32, asymmetric, K not a multiple of the block);
- nbits_gemv, nbits_qdq_rows: MatMulNBits and the quantizer's 4-bit QDQ
  form on activations of one and three rows, where the weights stay
  packed (int4-matmul-kernels);
- nbits_int8_rows: MatMulNBits at accuracy_level 4 over a symbolic count
  of rows (8-bit activations, int8-matmul-kernels);
- nbits_float_zp: MatMulNBits with float zero points;
- dynamic_lstm: a bidirectional LSTM through quantize_dynamic
  (DynamicQuantizeLSTM);
- qattention_ends, qattention_raw: com.microsoft Attention through
  quantize_dynamic (QAttention) with key end positions, and with a raw
  mask and causal attention;
- qembed_layernorm: com.microsoft EmbedLayerNormalization through
  quantize_dynamic (QEmbedLayerNormalization);
- gather_block_quantized: GatherBlockQuantized on uint4 (with zero points)
  and int4 tables, blocked along either axis.

Each entry of `cases(work)` is (name, path, shape sets, rtol, atol,
reference), as in quantized.py. onnxruntime computes the QLinear*
elementwise ops through float or lookup tables and rounds its integer
requantization its own way: outputs may differ by a quantum or two.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import quantized

MS = "com.microsoft"
F32, U8, I8, I32 = (TensorProto.FLOAT, TensorProto.UINT8, TensorProto.INT8,
                    TensorProto.INT32)


def _session(path):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    return lambda feeds: sess.run(None, feeds)


def _model(nodes, name, inputs, outputs, inits, opset=17):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    return helper.make_model(g, opset_imports=[
        helper.make_opsetid("", opset), helper.make_opsetid(MS, 1)])


def _output_scale(path, output):
    """The scale of the DequantizeLinear that writes `output`."""
    m = onnx.load(path)
    dq = next(n for n in m.graph.node if n.output[0] == output)
    return next(float(numpy_helper.to_array(i)) for i in m.graph.initializer
                if i.name == dq.input[1])


def qop_cnn(work, name, seed=11):
    rng = np.random.default_rng(seed)
    w = lambda shape, nm: numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))).astype(
            np.float32), nm)
    b = lambda n, nm: numpy_helper.from_array(
        (rng.standard_normal(n) * 0.1).astype(np.float32), nm)
    inits = [w((16, 3, 3, 3), "w1"), b(16, "b1"), w((16, 16, 3, 3), "w2"),
             b(16, "b2"), w((8, 16, 1, 1), "w3"), w((8, 16, 1, 1), "w4"),
             w((10, 16), "wfc"), b(10, "bfc")]
    node = lambda op, ins, out, nm, **kw: helper.make_node(
        op, ins, [out], name=nm, **kw)
    nodes = [
        node("Conv", ["x", "w1", "b1"], "c1", "conv1", kernel_shape=[3, 3],
             pads=[1, 1, 1, 1]),
        node("Relu", ["c1"], "r1", "relu1"),
        node("Conv", ["r1", "w2", "b2"], "c2", "conv2", kernel_shape=[3, 3],
             pads=[1, 1, 1, 1]),
        node("Add", ["c2", "r1"], "res", "residual"),
        node("Sigmoid", ["res"], "sg", "sigmoid"),
        node("Mul", ["res", "sg"], "sw", "swish"),
        node("Conv", ["sw", "w3"], "c3", "conv3", kernel_shape=[1, 1]),
        node("LeakyRelu", ["c3"], "l3", "leaky", alpha=0.2),
        node("Conv", ["sw", "w4"], "c4", "conv4", kernel_shape=[1, 1]),
        node("Concat", ["l3", "c4"], "cat", "concat", axis=1),
        node("AveragePool", ["cat"], "ap", "avgpool", kernel_shape=[3, 3],
             strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0),
        node("GlobalAveragePool", ["ap"], "gap", "gap"),
        node("Flatten", ["gap"], "fl", "flatten"),
        node("Gemm", ["fl", "wfc", "bfc"], "y", "fc", transB=1),
    ]
    g = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", F32, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("y", F32, ["N", 10])], inits)
    path = quantized.quantize_static_model(work, name, g, (2, 3, 16, 16),
                                           seed, "QOperator")
    ops = {n.op_type for n in onnx.load(path).graph.node if n.domain == MS}
    want = {"QLinearAdd", "QLinearMul", "QLinearSigmoid", "QLinearLeakyRelu",
            "QLinearConcat", "QLinearAveragePool", "QLinearGlobalAveragePool"}
    assert want <= ops, f"the quantizer wrote {sorted(ops)}"
    # Two quanta of the output: one-quantum differences inside the network
    # (onnxruntime's float rounding) can move it by one more.
    return path, _session(path), 2.0 * _output_scale(path, "y")


def ms_matmuls(work, name, quantized, seed=12):
    """Over x [N, 24] (float) and q [N, 24] (uint8): the float outputs of
    MatMulIntegerToFloat, DynamicQuantizeMatMul and QGemm, or
    (`quantized`) QGemm's uint8 one and the QLinearSoftmax of it."""
    rng = np.random.default_rng(seed)
    k, n = 24, 20
    t = lambda a, nm: numpy_helper.from_array(np.asarray(a), nm)
    f = lambda *shape: (rng.standard_normal(shape) * 0.1).astype(np.float32)
    # 7-bit weights (reduce_range's): onnxruntime's u8 x s8 kernels
    # without VNNI saturate on full-range ones (see quantized.py).
    i8 = lambda *shape: rng.integers(-64, 63, shape, endpoint=True).astype(
        np.int8)
    inits = [
        t(i8(k, n), "B"), t(np.float32(0.05), "sq"), t(np.uint8(117), "zq"),
        t((rng.random(n) * 0.02 + 0.005).astype(np.float32), "sB"),
        t(rng.integers(-4, 4, n, endpoint=True).astype(np.int8), "zB"),
        t(f(n), "bias"),
        t(i8(n, k), "Bt"), t(np.float32(0.01), "sBt"), t(np.int8(3), "zBt"),
        t(rng.integers(-5000, 5000, n).astype(np.int32), "C"),
        t(np.float32(0.02), "sy"), t(np.uint8(128), "zy"),
    ]
    nodes = [
        helper.make_node("MatMulIntegerToFloat",
                         ["q", "B", "sq", "sB", "zq", "zB", "bias"], ["y1"],
                         name="mitf", domain=MS),
        helper.make_node("DynamicQuantizeMatMul", ["x", "B", "sB", "zB"],
                         ["y2"], name="dqmm", domain=MS),
        helper.make_node("QGemm",
                         ["q", "sq", "zq", "Bt", "sBt", "zBt", "C", "sy", "zy"],
                         ["y3"], name="qgemm_u8", domain=MS, transB=1,
                         alpha=0.5),
        helper.make_node("QGemm", ["q", "sq", "zq", "Bt", "sBt", "zBt", "C"],
                         ["y4"], name="qgemm_f32", domain=MS, transB=1),
        helper.make_node("QLinearSoftmax", ["y3", "sy", "zy", "sq", "zq"],
                         ["y5"], name="qsoftmax13", domain=MS, opset=13,
                         axis=-1),
        helper.make_node("QLinearSoftmax", ["y3", "sy", "zy", "sq", "zq"],
                         ["y6"], name="qsoftmax12", domain=MS, opset=12,
                         axis=1),
    ]
    vi = helper.make_tensor_value_info
    if quantized:
        nodes = nodes[2:3] + nodes[4:]
        inputs = [vi("q", U8, ["N", k])]
        outputs = [vi(y, U8, ["N", n]) for y in ("y3", "y5", "y6")]
    else:
        nodes = nodes[:2] + nodes[3:4]
        inputs = [vi("x", F32, ["N", k]), vi("q", U8, ["N", k])]
        outputs = [vi(y, F32, ["N", n]) for y in ("y1", "y2", "y4")]
    used = {i for nd in nodes for i in nd.input}
    m = _model(nodes, name, inputs, outputs,
               [i for i in inits if i.name in used])
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(m, path)
    # One quantum of the 8-bit outputs; the float ones are integer sums
    # scaled once, as onnxruntime computes them.
    return path, _session(path), 1.0 if quantized else 1e-4


def _nbits_mlp(work, name, seed, sizes, lead, opset, config, want):
    """MatMul (K x H) + bias, ReLU, MatMul (H x N) over x [*lead, K],
    through MatMulNBitsQuantizer with `config`; `want` is the op the
    quantizer must write twice (MatMulNBits, or DequantizeLinear in its
    QDQ form)."""
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        MatMulNBitsQuantizer)
    rng = np.random.default_rng(seed)
    w = lambda shape: numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32),
        f"w{shape[0]}x{shape[1]}")
    k, hid, n = sizes
    w1, w2 = w((k, hid)), w((hid, n))
    bias = numpy_helper.from_array((rng.standard_normal(hid) * 0.1).astype(
        np.float32), "b1")
    nodes = [helper.make_node("MatMul", ["x", w1.name], ["m1"], name="fc1"),
             helper.make_node("Add", ["m1", "b1"], ["a1"], name="bias1"),
             helper.make_node("Relu", ["a1"], ["r1"], name="relu"),
             helper.make_node("MatMul", ["r1", w2.name], ["y"], name="fc2")]
    g = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", F32, lead + [k])],
        [helper.make_tensor_value_info("y", F32, lead + [n])],
        [w1, w2, bias])
    model = helper.make_model(g, opset_imports=[
        helper.make_opsetid("", opset)])
    q = MatMulNBitsQuantizer(model, algo_config=config)
    q.process()
    path = os.path.join(work, f"{name}.onnx")
    q.model.save_model_to_file(path)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert ops.count(want) == 2, f"the quantizer wrote {ops}"
    return path, _session(path), 1e-4


def nbits_mlp(work, name, seed=13):
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig)
    # K = 80 is two and a half blocks of 32; 48 one and a half.
    return _nbits_mlp(
        work, name, seed, (80, 48, 24), ["N", 5], 17,
        DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=False),
        "MatMulNBits")


def nbits_few_rows(work, name, qdq, seed=15):
    """Matmuls whose activations have few rows, where mcc keeps the 4-bit
    weights packed (mcc.wmatmul, int4-matmul-kernels). qdq=False:
    MatMulNBits (asymmetric, blocks of 32, K = 200 and 100 with a short
    last block, N = 100 and 72: partial column tiles), one row per sample,
    with bias and ReLU between them. qdq=True: the quantizer's QDQ form
    (int4 weights under a DequantizeLinear blocked along K, symmetric,
    blocks of 16), three rows per sample (a short last row block)."""
    from onnxruntime.quantization import QuantFormat
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig)
    config = DefaultWeightOnlyQuantConfig(
        block_size=16 if qdq else 32, is_symmetric=qdq,
        quant_format=QuantFormat.QDQ if qdq else QuantFormat.QOperator)
    return _nbits_mlp(work, name, seed, (200, 100, 72),
                      ["N", 3] if qdq else ["N"], 21, config,
                      "DequantizeLinear" if qdq else "MatMulNBits")


def nbits_int8_rows(work, name, seed=17):
    """MatMulNBits at accuracy_level 4 (activations may be quantized to 8
    bits) over a symbolic count of rows: mcc quantizes each row and
    multiplies in integers (int8-matmul-kernels on VNNI). onnxruntime
    quantizes its own way (per block), so the reference is the same model
    at accuracy_level 0 (f32 products of the same 4-bit weights), within
    the activations' quantization error."""
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig)
    # K = 200 (not a multiple of 16) and 80 (one, padded to 3 blocks).
    path, _, _ = _nbits_mlp(
        work, name, seed, (200, 80, 72), ["N", "S"], 17,
        DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=False,
                                     accuracy_level=4), "MatMulNBits")
    m = onnx.load(path)
    for n in m.graph.node:
        for a in n.attribute:
            if a.name == "accuracy_level":
                a.i = 0
    ref = os.path.join(work, f"{name}_f32.onnx")
    onnx.save(m, ref)
    # Outputs reach ~3; one step of the rows' quantization is ~0.03.
    return path, _session(ref), 0.06


def dynamic_lstm(work, name, seed=16):
    """A bidirectional LSTM (input 12, hidden 16, with initial states and
    per-gate biases) through quantize_dynamic: DynamicQuantizeLSTM with
    int8 W and R (per-column scales). onnxruntime also quantizes X and the
    hidden state at every step, mcc keeps them float: the outputs differ
    by that quantization's error. Static shapes: mcc's LSTM needs them
    (issue 24)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    rng = np.random.default_rng(seed)
    d, i, h = 2, 12, 16
    f = lambda *shape: (rng.standard_normal(shape) * 0.3).astype(np.float32)
    inits = [numpy_helper.from_array(f(d, 4 * h, i), "W"),
             numpy_helper.from_array(f(d, 4 * h, h), "R"),
             numpy_helper.from_array(f(d, 8 * h) * 0.3, "B")]
    vi = helper.make_tensor_value_info
    g = helper.make_graph(
        [helper.make_node("LSTM", ["x", "W", "R", "B", "", "h0", "c0"],
                          ["y", "yh", "yc"], name="lstm", hidden_size=h,
                          direction="bidirectional")],
        name, [vi("x", F32, [5, 2, i]), vi("h0", F32, [d, 2, h]),
               vi("c0", F32, [d, 2, h])],
        [vi("y", F32, [5, d, 2, h]), vi("yh", F32, [d, 2, h]),
         vi("yc", F32, [d, 2, h])], inits)
    f32_path = os.path.join(work, f"{name}_fp32.onnx")
    onnx.save(helper.make_model(g, opset_imports=[
        helper.make_opsetid("", 17)]), f32_path)
    path = os.path.join(work, f"{name}.onnx")
    quantize_dynamic(f32_path, path, weight_type=QuantType.QInt8,
                     per_channel=True, reduce_range=True)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert "DynamicQuantizeLSTM" in ops, f"the quantizer wrote {ops}"
    return path, _session(path), 0.03


def qattention(work, name, mask, seed=17):
    """onnxruntime's fused attention (com.microsoft Attention: QKV
    projection, 4 heads of 8) through quantize_dynamic: QAttention behind a
    DynamicQuantizeLinear of its input. mask "ends": key end positions
    [B]; "raw": a [B, S] 0/1 mask and unidirectional (causal) attention.
    reduce_range: onnxruntime's u8 x s8 kernels saturate on full-range
    weights without VNNI."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    rng = np.random.default_rng(seed)
    hid = 32
    inits = [numpy_helper.from_array(
                 (rng.standard_normal((hid, 3 * hid)) * 0.2).astype(np.float32),
                 "Wqkv"),
             numpy_helper.from_array(
                 (rng.standard_normal(3 * hid) * 0.1).astype(np.float32),
                 "Bqkv")]
    vi = helper.make_tensor_value_info
    # The mask from the input (random int32 inputs would be out of range):
    # where x[:, :, 0] > -0.3 as 0/1 [N, S], or its row counts as end
    # positions [N] (0 to S).
    i32 = TensorProto.INT32
    inits += [numpy_helper.from_array(np.array(0, np.int64), "zero"),
              numpy_helper.from_array(np.array(-0.3, np.float32), "cut"),
              numpy_helper.from_array(np.array([1], np.int64), "axis1")]
    nodes = [helper.make_node("Gather", ["x", "zero"], ["x0"], axis=2),
             helper.make_node("Greater", ["x0", "cut"], ["keep"]),
             helper.make_node("Cast", ["keep"], ["raw"], to=i32)]
    if mask == "ends":
        nodes.append(helper.make_node("ReduceSum", ["raw", "axis1"], ["mask"],
                                      keepdims=0))
    else:
        nodes.append(helper.make_node("Identity", ["raw"], ["mask"]))
    attrs = {"num_heads": 4}
    if mask == "raw":
        attrs["unidirectional"] = 1
    nodes.append(helper.make_node("Attention", ["x", "Wqkv", "Bqkv", "mask"],
                                  ["y"], name="attn", domain=MS, **attrs))
    g = helper.make_graph(
        nodes, name, [vi("x", F32, ["N", "S", hid])],
        [vi("y", F32, ["N", "S", hid])], inits)
    f32_path = os.path.join(work, f"{name}_fp32.onnx")
    onnx.save(_model(g.node, name, list(g.input), list(g.output),
                     list(g.initializer)), f32_path)
    path = os.path.join(work, f"{name}.onnx")
    quantize_dynamic(f32_path, path, weight_type=QuantType.QInt8,
                     reduce_range=True)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert "QAttention" in ops, f"the quantizer wrote {ops}"
    return path, _session(path), 1e-4


def qembed_layernorm(work, name, seed=18):
    """onnxruntime's EmbedLayerNormalization (word, position and segment
    tables, LayerNorm, the mask's row counts as mask_index) with uint8
    tables, as quantize_dynamic writes it (QEmbedLayerNormalization). Ids
    come from the float input (random int32 would be out of range)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    rng = np.random.default_rng(seed)
    hid, vocab, maxpos = 16, 50, 32
    f = lambda *shape: (rng.standard_normal(shape) * 0.5).astype(np.float32)
    inits = [numpy_helper.from_array(f(vocab, hid), "word"),
             numpy_helper.from_array(f(maxpos, hid), "pos"),
             numpy_helper.from_array(f(2, hid), "seg"),
             numpy_helper.from_array(f(hid) + 1.0, "gamma"),
             numpy_helper.from_array(f(hid), "beta"),
             numpy_helper.from_array(np.float32(8.0), "spread"),
             numpy_helper.from_array(np.float32(vocab - 1), "top"),
             numpy_helper.from_array(np.float32(0.0), "zerof")]
    i32 = TensorProto.INT32
    vi = helper.make_tensor_value_info
    nodes = [
        # ids = clip(|x| * 8, 0, vocab - 1); segments and mask: x > 0.
        helper.make_node("Abs", ["x"], ["ax"]),
        helper.make_node("Mul", ["ax", "spread"], ["sx"]),
        helper.make_node("Clip", ["sx", "zerof", "top"], ["cx"]),
        helper.make_node("Cast", ["cx"], ["ids"], to=i32),
        helper.make_node("Greater", ["x", "zerof"], ["pos_x"]),
        helper.make_node("Cast", ["pos_x"], ["segs"], to=i32),
        helper.make_node("EmbedLayerNormalization",
                         ["ids", "segs", "word", "pos", "seg", "gamma", "beta",
                          "segs"], ["y", "mask_index"], name="embed",
                         domain=MS, epsilon=1e-5),
    ]
    g = helper.make_graph(
        nodes, name, [vi("x", F32, ["N", "S"])],
        [vi("y", F32, ["N", "S", hid]), vi("mask_index", i32, ["N"])], inits)
    f32_path = os.path.join(work, f"{name}_fp32.onnx")
    onnx.save(_model(g.node, name, list(g.input), list(g.output),
                     list(g.initializer)), f32_path)
    path = os.path.join(work, f"{name}.onnx")
    quantize_dynamic(f32_path, path, weight_type=QuantType.QUInt8)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert "QEmbedLayerNormalization" in ops, f"the quantizer wrote {ops}"
    return path, _session(path), 1e-4


def nbits_float_zp(work, name, seed=18):
    """MatMulNBits with float zero points (as HQQ-style quantizers write
    them): 4-bit weights, K = 80 in blocks of 32, a symbolic row count."""
    rng = np.random.default_rng(seed)
    k, n, blk = 80, 24, 32
    blocks = (k + blk - 1) // blk
    q = rng.integers(0, 16, size=(n, blocks * blk)).astype(np.uint8)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).reshape(n, blocks, blk // 2)
    scales = (rng.random(n * blocks) * 0.1 + 0.01).astype(np.float32)
    zp = (rng.random(n * blocks) * 15).astype(np.float32)
    node = helper.make_node("MatMulNBits", ["a", "B", "scales", "zp"], ["y"],
                            domain=MS, K=k, N=n, bits=4, block_size=blk,
                            name="mnb")
    model = _model(
        [node], name, [helper.make_tensor_value_info("a", F32, ["M", k])],
        [helper.make_tensor_value_info("y", F32, ["M", n])],
        [numpy_helper.from_array(packed, "B"),
         numpy_helper.from_array(scales, "scales"),
         numpy_helper.from_array(zp, "zp")])
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(model, path)
    return path, _session(path), 1e-4


def gather_block_quantized(work, name, seed=14):
    """Embedding lookups of uint8 ids (cast to int64, so every id is a row)
    in 4-bit tables: a uint4 one with zero points blocked along its rows'
    64 values, an int4 one without, blocked along the 256 rows, and uint8
    ones packing two 4-bit values per byte (bits=4) with packed zero points
    (3 blocks: the last byte half used) and without (8)."""
    rng = np.random.default_rng(seed)
    rows, width = 256, 64
    q = lambda t, lo, hi, shape, nm: helper.make_tensor(
        nm, t, shape, rng.integers(lo, hi, shape, endpoint=True).flatten())
    s = lambda shape, nm: numpy_helper.from_array(
        (rng.random(shape) * 0.1 + 0.01).astype(np.float32), nm)
    inits = [q(TensorProto.UINT4, 0, 15, [rows, width], "tu"),
             s([rows, width // 16], "su"),
             q(TensorProto.UINT4, 0, 15, [rows, width // 16], "zu"),
             q(TensorProto.INT4, -8, 7, [rows, width], "ts"),
             s([rows // 32, width], "ss"),
             q(TensorProto.UINT8, 0, 255, [rows, 48], "tp"),
             s([rows, 3], "sp"),
             q(TensorProto.UINT8, 0, 255, [rows, 2], "zp")]
    nodes = [
        helper.make_node("Cast", ["ids"], ["i"], to=TensorProto.INT64),
        helper.make_node("GatherBlockQuantized", ["tu", "i", "su", "zu"],
                         ["y1"], name="gbq_rows", domain=MS, block_size=16,
                         quantize_axis=1),
        helper.make_node("GatherBlockQuantized", ["ts", "i", "ss"], ["y2"],
                         name="gbq_cols", domain=MS, block_size=32,
                         quantize_axis=0),
        helper.make_node("GatherBlockQuantized", ["tp", "i", "sp", "zp"],
                         ["y3"], name="gbq_packed", domain=MS, block_size=32,
                         bits=4, quantize_axis=1),
        helper.make_node("GatherBlockQuantized", ["tp", "i", "sp"], ["y4"],
                         name="gbq_packed_nozp", domain=MS, block_size=32,
                         bits=4, quantize_axis=1),
    ]
    vi = helper.make_tensor_value_info
    m = _model(nodes, name, [vi("ids", U8, ["N", 7])],
               [vi("y1", F32, ["N", 7, width]), vi("y2", F32, ["N", 7, width]),
                vi("y3", F32, ["N", 7, 96]), vi("y4", F32, ["N", 7, 96])],
               inits, opset=21)
    m.ir_version = 10
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(m, path)
    return path, _session(path), 1e-6


def cases(work):
    out = []
    path, ref, atol = qop_cnn(work, "qop_cnn")
    out.append(("qop_cnn", path, [{"x": [n, 3, 16, 16]} for n in (1, 3)], 0,
                atol, ref))
    path, ref, atol = ms_matmuls(work, "ms_matmuls", False)
    out.append(("ms_matmuls", path, [{"x": [n, 24], "q": [n, 24]}
                                     for n in (1, 7)], 1e-5, atol, ref))
    path, ref, atol = ms_matmuls(work, "ms_qgemm_softmax", True)
    out.append(("ms_qgemm_softmax", path, [{"q": [n, 24]} for n in (1, 7)], 0,
                atol, ref))
    path, ref, atol = gather_block_quantized(work, "gather_block_quantized")
    out.append(("gather_block_quantized", path,
                [{"ids": [n, 7]} for n in (1, 3)], 1e-6, atol, ref))
    path, ref, atol = nbits_mlp(work, "nbits_mlp")
    out.append(("nbits_mlp", path, [{"x": [n, 5, 80]} for n in (1, 4)], 1e-4,
                atol, ref))
    path, ref, atol = dynamic_lstm(work, "dynamic_lstm")
    # (Static: mcc's LSTM needs static shapes yet, issue 24.)
    out.append(("dynamic_lstm", path, None, 0, atol, ref))
    for mask in ("ends", "raw"):
        path, ref, atol = qattention(work, f"qattention_{mask}", mask)
        out.append((f"qattention_{mask}", path,
                    [{"x": [n, s, 32]} for n, s in ((1, 6), (2, 9))], 1e-4,
                    atol, ref))
    path, ref, atol = qembed_layernorm(work, "qembed_layernorm")
    out.append(("qembed_layernorm", path,
                [{"x": [n, s]} for n, s in ((1, 7), (3, 12))], 1e-4, atol,
                ref))
    path, ref, atol = nbits_few_rows(work, "nbits_gemv", False)
    out.append(("nbits_gemv", path, [{"x": [n, 200]} for n in (1, 2)], 1e-4,
                atol, ref))
    path, ref, atol = nbits_few_rows(work, "nbits_qdq_rows", True)
    out.append(("nbits_qdq_rows", path, [{"x": [n, 3, 200]} for n in (1, 2)],
                1e-4, atol, ref))
    path, ref, atol = nbits_float_zp(work, "nbits_float_zp")
    out.append(("nbits_float_zp", path, [{"a": [m, 80]} for m in (1, 5)],
                1e-4, atol, ref))
    path, ref, atol = nbits_int8_rows(work, "nbits_int8_rows")
    out.append(("nbits_int8_rows", path, [{"x": [n, s, 200]} for n, s in
                                          ((1, 40), (2, 33))], 0.02, atol,
                ref))
    return out
