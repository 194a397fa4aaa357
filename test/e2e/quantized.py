"""Quantized test models: the integer matmuls in every form the int8
kernels (int8-matmul-kernels) and the generic lowering take, and a model
quantized by onnxruntime's own quantize_dynamic.

Each entry of `cases(work)` is (name, path, shape sets, rtol, atol,
reference): integer outputs must match exactly (tolerance 0). The
reference is numpy's exact integer arithmetic where onnxruntime's is not:
its u8 x s8 kernels without VNNI sum pairs of products in 16 bits
(`vpmaddubsw`) and saturate on full-range weights (that is why its
quantizer has `reduce_range`); on this project's AVX2 hosts they were
off by up to 32266 on a MatMulInteger. Float models are quantized with
reduce_range, where onnxruntime is exact, and compared with it.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

U8, I8, I32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32


def _save(work, name, nodes, inputs, outputs, inits, opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(m)
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(m, path)
    return path


def _int(rng, dtype, shape):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True,
                        dtype=dtype)


def matmul_integer(work, name, a_type, b_type, a_shape, k, n, a_zp, b_zp,
                   b_input=False, seed=0):
    """MatMulInteger of an input A ([..., K]) and B ([K, N], a constant
    unless `b_input`), zero points None, a scalar, or (B) a list of N.
    Returns the path and the exact reference."""
    rng = np.random.default_rng(seed)
    np_of = {U8: np.uint8, I8: np.int8}
    inits, ins = [], ["a", "b"]
    inputs = [helper.make_tensor_value_info("a", a_type, a_shape)]
    b_data = _int(rng, np_of[b_type], [k, n])
    if b_input:
        inputs.append(helper.make_tensor_value_info("b", b_type, [k, n]))
    else:
        inits.append(numpy_helper.from_array(b_data, "b"))
    for zp, t, nm in ((a_zp, a_type, "a_zp"), (b_zp, b_type, "b_zp")):
        if zp is None:
            ins.append("")
            continue
        inits.append(numpy_helper.from_array(np.array(zp, dtype=np_of[t]), nm))
        ins.append(nm)
    while ins and ins[-1] == "":
        ins.pop()
    out = list(a_shape[:-1]) + [n]
    node = helper.make_node("MatMulInteger", ins, ["y"], name="mmi")
    path = _save(work, name, [node], inputs,
                 [helper.make_tensor_value_info("y", I32, out)], inits)

    def reference(feeds):
        a = feeds["a"].astype(np.int64) - np.int64(a_zp or 0)
        b = feeds.get("b", b_data).astype(np.int64)
        b = b - np.asarray(b_zp or 0, dtype=np.int64)
        return [(a @ b).astype(np.int32)]
    return path, reference


def qlinear_matmul(work, name, seed=1):
    """QLinearMatMul u8 x s8 -> u8 with a symbolic batch and an odd K."""
    rng = np.random.default_rng(seed)
    k, n = 25, 50
    f = lambda v: np.array(v, dtype=np.float32)
    inits = [numpy_helper.from_array(a, nm) for a, nm in (
        (f(0.02), "sa"), (np.array(120, np.uint8), "za"),
        (_int(rng, np.int8, [k, n]), "b"), (f(0.01), "sb"),
        (np.array(0, np.int8), "zb"), (f(0.05), "sy"),
        (np.array(128, np.uint8), "zy"))]
    node = helper.make_node("QLinearMatMul",
                            ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"],
                            ["y"], name="qlmm")
    path = _save(work, name, [node],
                 [helper.make_tensor_value_info("a", U8, ["N", 10, k])],
                 [helper.make_tensor_value_info("y", U8, ["N", 10, n])], inits)
    p = {i.name: numpy_helper.to_array(i) for i in inits}

    def reference(feeds):
        # ONNX: saturate(round_half_even(acc * (sa * sb / sy)) + zy), the
        # multiplier in the scales' type (float32).
        acc = (feeds["a"].astype(np.int64) - int(p["za"])) @ \
            (p["b"].astype(np.int64) - int(p["zb"]))
        mult = np.float64(p["sa"] * p["sb"] / p["sy"])
        y = np.rint(acc.astype(np.float64) * mult) + int(p["zy"])
        return [np.clip(y, 0, 255).astype(np.uint8)]
    return path, reference


def dynamic_mlp(work, name, seed=2):
    """A float MLP with a symbolic batch, quantized by onnxruntime's
    quantize_dynamic (DynamicQuantizeLinear + MatMulInteger + scale Mul)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    rng = np.random.default_rng(seed)
    w = lambda shape: numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32),
        f"w{shape}")
    w1, w2, b1 = w((64, 96)), w((96, 40)), w((96,))
    nodes = [helper.make_node("MatMul", ["x", w1.name], ["m1"], name="fc1"),
             helper.make_node("Add", ["m1", b1.name], ["a1"], name="bias1"),
             helper.make_node("Relu", ["a1"], ["r1"], name="relu"),
             helper.make_node("MatMul", ["r1", w2.name], ["y"], name="fc2")]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 12, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 12, 40])],
        [w1, w2, b1])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    src = os.path.join(work, f"{name}_f32.onnx")
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(m, src)
    quantize_dynamic(src, path, weight_type=QuantType.QInt8,
                     reduce_range=True)
    return path, None


def qdq_mlp(work, name, seed=5, weights="QInt8"):
    """A float MLP (MatMul + bias, Relu, Gemm with transB) with a symbolic
    batch through quantize_static in the QDQ format: per-channel S8 (or
    `weights` QInt4) weights, U8 activations, reduce_range, a seeded
    calibration reader. The
    reference is onnxruntime without graph optimizations, which runs the
    Q/DQ ops literally (the ONNX semantics); mcc folds them into integer
    matmuls (fold-qdq), whose exact sums may land one quantum away where
    the float ones rounded: the tolerance is two quanta of the output."""
    import onnxruntime as ort
    rng = np.random.default_rng(seed)
    w = lambda shape, nm: numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32),
        nm)
    inits = [w((32, 48), "w1"), w((48,), "b1"), w((24, 48), "w2"),
             w((24,), "b2")]
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["m1"], name="fc1"),
             helper.make_node("Add", ["m1", "b1"], ["a1"], name="bias1"),
             helper.make_node("Relu", ["a1"], ["r1"], name="relu"),
             helper.make_node("Gemm", ["r1", "w2", "b2"], ["y"], transB=1,
                              name="fc2")]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 24])],
        inits)
    path = quantize_static_model(work, name, g, (4, 32), seed, "QDQ",
                                 weights)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    m = onnx.load(path)
    dq = next(n for n in m.graph.node if n.output[0] == "y")
    scale = next(numpy_helper.to_array(i) for i in m.graph.initializer
                 if i.name == dq.input[1])
    return path, (lambda feeds: sess.run(None, feeds)), 2.0 * float(scale)


def weight_only_int4(work, name, seed=6):
    """Weight-only 4-bit MatMuls on a two-row input (mcc keeps such weights
    packed: int4-matmul-kernels) in the forms that are one block along K:
    uint4 weights with zero points per column (K = 20, not a multiple of
    8), then int4 per tensor without one (K = 40)."""
    rng = np.random.default_rng(seed)
    u4, i4 = TensorProto.UINT4, TensorProto.INT4
    t = lambda name, dtype, shape, values: helper.make_tensor(
        name, dtype, shape, np.asarray(values).flatten().tolist())
    inits = [t("w1", u4, [20, 40], rng.integers(0, 15, (20, 40), endpoint=True)),
             t("s1", TensorProto.FLOAT, [40], rng.uniform(0.01, 0.1, 40)),
             t("z1", u4, [40], rng.integers(0, 15, 40, endpoint=True)),
             t("w2", i4, [40, 24], rng.integers(-8, 7, (40, 24), endpoint=True)),
             t("s2", TensorProto.FLOAT, [], [0.05])]
    nodes = [helper.make_node("DequantizeLinear", ["w1", "s1", "z1"], ["f1"],
                              axis=1),
             helper.make_node("MatMul", ["x", "f1"], ["m1"]),
             helper.make_node("DequantizeLinear", ["w2", "s2"], ["f2"]),
             helper.make_node("MatMul", ["m1", "f2"], ["y"])]
    f32 = TensorProto.FLOAT
    path = _save(work, name, nodes,
                 [helper.make_tensor_value_info("x", f32, [2, 20])],
                 [helper.make_tensor_value_info("y", f32, [2, 24])], inits,
                 opset=21)
    # numpy's: onnxruntime 1.32 is off by up to 0.02 here (its per-axis
    # uint4 DequantizeLinear; mcc's -O0 matches numpy exactly).
    a = {i.name: numpy_helper.to_array(i).astype(np.float32)
         for i in onnx.load(path).graph.initializer}
    w1 = (a["w1"] - a["z1"]) * a["s1"]
    w2 = a["w2"] * a["s2"]
    return path, lambda feeds: [feeds["x"] @ w1 @ w2]


def _conv_reference(x, w, zx, zw, stride, pads, dil=(1, 1)):
    """Exact sum (x - zx) (w - zw) of a 2-D conv in int64: x [N, C, H, W],
    w [M, C, KH, KW], zw one or per output channel, pads (top, left,
    bottom, right) of the zero point."""
    x = x.astype(np.int64) - np.int64(zx)
    w = w.astype(np.int64) - np.asarray(zw, np.int64).reshape(-1, 1, 1, 1)
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    m, _, kh, kw = w.shape
    oh = (x.shape[2] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (x.shape[3] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((x.shape[0], m, oh, ow), np.int64)
    for i in range(kh):
        for j in range(kw):
            win = x[:, :, i * dil[0]:i * dil[0] + stride[0] * (oh - 1) + 1:
                    stride[0], j * dil[1]:j * dil[1] + stride[1] * (ow - 1) +
                    1:stride[1]]
            out += np.einsum("nchw,mc->nmhw", win, w[:, :, i, j])
    return out


def conv_integer(work, name, x_type, w_type, c, m, kernel, stride, pads,
                 x_zp, w_zp, dil=(1, 1), seed=6):
    """ConvInteger of an input [N, C, H, W] (N, H, W symbolic) and constant
    weights; the exact reference."""
    rng = np.random.default_rng(seed)
    np_of = {U8: np.uint8, I8: np.int8}
    w = _int(rng, np_of[w_type], [m, c] + list(kernel))
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.array(x_zp, np_of[x_type]), "zx"),
             numpy_helper.from_array(np.array(w_zp, np_of[w_type]), "zw")]
    node = helper.make_node("ConvInteger", ["x", "w", "zx", "zw"], ["y"],
                            name="convi", kernel_shape=list(kernel),
                            strides=list(stride), pads=list(pads),
                            dilations=list(dil))
    path = _save(work, name, [node],
                 [helper.make_tensor_value_info("x", x_type,
                                                ["N", c, "H", "W"])],
                 [helper.make_tensor_value_info("y", I32,
                                                ["N", m, "OH", "OW"])],
                 inits, opset=10)
    return path, lambda feeds: [_conv_reference(
        feeds["x"], w, x_zp, w_zp, stride, pads, dil).astype(np.int32)]


def qlinear_conv(work, name, seed=7):
    """QLinearConv u8 x s8 -> u8, per-channel weight scales, an i32 bias,
    a 3x3 window with stride 2 and padding; the reference requantizes the
    exact sum (round half to even, saturated)."""
    rng = np.random.default_rng(seed)
    c, m = 12, 20
    w = _int(rng, np.int8, [m, c, 3, 3])
    bias = rng.integers(-5000, 5000, m, dtype=np.int32)
    sx, zx, sy, zy = np.float32(0.02), 117, np.float32(0.9), 121
    sw = (rng.random(m, dtype=np.float32) * 0.02 + 0.005).astype(np.float32)
    f = lambda v: np.array(v, dtype=np.float32)
    inits = [numpy_helper.from_array(a, nm) for a, nm in (
        (f(sx), "sx"), (np.array(zx, np.uint8), "zx"), (w, "w"), (sw, "sw"),
        (np.zeros(m, np.int8), "zw"), (f(sy), "sy"),
        (np.array(zy, np.uint8), "zy"), (bias, "b"))]
    node = helper.make_node(
        "QLinearConv", ["x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "b"],
        ["y"], name="qconv", kernel_shape=[3, 3], strides=[2, 2],
        pads=[1, 1, 1, 1])
    path = _save(work, name, [node],
                 [helper.make_tensor_value_info("x", U8, ["N", c, "H", "W"])],
                 [helper.make_tensor_value_info("y", U8,
                                                ["N", m, "OH", "OW"])],
                 inits)

    def reference(feeds):
        acc = _conv_reference(feeds["x"], w, zx, 0, (2, 2), (1, 1, 1, 1))
        acc = acc + bias.reshape(1, -1, 1, 1)
        mult = (sx * sw / sy).astype(np.float32).astype(np.float64)
        y = np.rint(acc * mult.reshape(1, -1, 1, 1)) + zy
        return [np.clip(y, 0, 255).astype(np.uint8)]
    return path, reference


def quantize_static_model(work, name, graph, calib_shape, seed, fmt,
                          weights="QInt8"):
    """`graph` (float, input x) through onnxruntime's quantize_static with 8
    seeded calibration batches of `calib_shape`, per-channel `weights`
    (QInt8 or QInt4: opset 21), U8 activations, reduce_range, in the QDQ or
    QOperator `fmt`: the quantized model's path."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                          QuantType, quantize_static)
    src = os.path.join(work, f"{name}_f32.onnx")
    path = os.path.join(work, f"{name}.onnx")
    int4 = weights == "QInt4"
    m = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 21 if int4 else 17)])
    if int4:
        m.ir_version = 10
    onnx.save(m, src)

    class Reader(CalibrationDataReader):
        def __init__(self):
            r = np.random.default_rng(seed + 1)
            self.data = iter([{"x": r.standard_normal(calib_shape).astype(
                np.float32)} for _ in range(8)])

        def get_next(self):
            return next(self.data, None)

    quantize_static(src, path, Reader(), quant_format=QuantFormat[fmt],
                    per_channel=True, reduce_range=True,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType[weights])
    return path


def qdq_cnn(work, name, seed=8):
    """A float CNN (3x3 conv + Relu, 1x1 stride-2 conv, depthwise 3x3,
    grouped conv, 1x1 conv with bias, global average pool) with a
    symbolic batch through quantize_static in the QDQ format, per-channel
    S8 weights, U8 activations, reduce_range: fold-qdq makes each conv a
    ConvInteger (the ungrouped ones int8 kernels). Reference and tolerance
    as qdq_mlp's."""
    import onnxruntime as ort
    rng = np.random.default_rng(seed)
    w = lambda shape, nm: numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))).astype(
            np.float32), nm)
    b = lambda n, nm: numpy_helper.from_array(
        (rng.standard_normal(n) * 0.1).astype(np.float32), nm)
    inits = [w((16, 3, 3, 3), "w1"), b(16, "b1"), w((24, 16, 1, 1), "w2"),
             w((24, 1, 3, 3), "w3"), w((32, 6, 3, 3), "w4"),
             w((20, 32, 1, 1), "w5"), b(20, "b5")]
    conv = lambda ins, out, nm, **kw: helper.make_node("Conv", ins, [out],
                                                       name=nm, **kw)
    nodes = [conv(["x", "w1", "b1"], "c1", "conv1", kernel_shape=[3, 3],
                  pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             conv(["r1", "w2"], "c2", "conv2", kernel_shape=[1, 1],
                  strides=[2, 2]),
             conv(["c2", "w3"], "c3", "dw3", kernel_shape=[3, 3], group=24,
                  pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c3"], ["r3"], name="relu3"),
             conv(["r3", "w4"], "c4", "group4", kernel_shape=[3, 3], group=4,
                  pads=[0, 1, 1, 0]),
             conv(["c4", "w5", "b5"], "c5", "conv5", kernel_shape=[1, 1]),
             helper.make_node("GlobalAveragePool", ["c5"], ["y"], name="gap")]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["N", 3, 20, 20])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       ["N", 20, 1, 1])],
        inits)
    path = quantize_static_model(work, name, g, (2, 3, 20, 20), seed, "QDQ")
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    m = onnx.load(path)
    dq = next(n for n in m.graph.node if n.output[0] == "y")
    scale = next(numpy_helper.to_array(i) for i in m.graph.initializer
                 if i.name == dq.input[1])
    return path, (lambda feeds: sess.run(None, feeds)), 2.0 * float(scale)


def bad_shapes(work):
    """A MatMulInteger whose K and per-row A zero point are run-time dims:
    (path, [(shape args, text the error must contain)]) for inputs that do
    not fit, each refused with the node's name."""
    rng = np.random.default_rng(4)
    b = numpy_helper.from_array(_int(rng, np.int8, [8, 6]), "b")
    node = helper.make_node("MatMulInteger", ["a", "b", "za"], ["y"],
                            name="mmi_bad")
    path = _save(work, "mmi_bad_shapes", [node],
                 [helper.make_tensor_value_info("a", U8, ["M", "K"]),
                  helper.make_tensor_value_info("za", U8, ["R"])],
                 [helper.make_tensor_value_info("y", I32, ["M", 6])], [b])
    return path, [
        (["--shape", "a=3x7", "--shape", "za=1"],
         "node 'mmi_bad' (MatMulInteger): the inner dimensions of A and B"),
        (["--shape", "a=3x8", "--shape", "za=4"],
         "node 'mmi_bad' (MatMulInteger)")]


def cases(work):
    n_sets = lambda tail: [{"a": [n] + tail} for n in (1, 3, 8)]
    mmi = lambda name, *args, **kw: (name,) + matmul_integer(
        work, name, *args, **kw)
    out = [
        # Odd K, N not a multiple of the tile, per-column B zero points,
        # rows not a multiple of the register tile.
        mmi("mmi_u8s8_percol", U8, I8, ["N", 7, 37], 37, 45, 3,
            list(range(-22, 23))) + (n_sets([7, 37]), 0, 0),
        mmi("mmi_s8s8", I8, I8, [13, 64], 64, 32, -5, None) + (None, 0, 0),
        # Unsigned weights with a zero point of 128, no A zero point.
        mmi("mmi_u8u8", U8, U8, ["M", 40], 40, 20, None, 128) +
        ([{"a": [m, 40]} for m in (1, 6, 13)], 0, 0),
        # Weights that are an input: the generic loop nest at every -O.
        mmi("mmi_runtime_b", U8, I8, [9, 16], 16, 24, 7, -3, b_input=True) +
        (None, 0, 0),
        ("qlinear_matmul",) + qlinear_matmul(work, "qlinear_matmul") +
        (n_sets([10, 25]), 0, 0),
        ("dynamic_mlp",) + dynamic_mlp(work, "dynamic_mlp") +
        ([{"x": [n, 12, 64]} for n in (1, 4)], 1e-5, 1e-5),
    ]
    hw = lambda c, *sizes: [{"x": [n, c, h, w]} for n, h, w in sizes]
    convi = lambda name, *args, **kw: (name,) + conv_integer(
        work, name, *args, **kw)
    out += [
        # 3x3, stride 2, asymmetric pads, per-channel weight zero points,
        # M not a multiple of the tile; odd image sizes.
        convi("convi_3x3_s2", U8, I8, 5, 19, (3, 3), (2, 2), (1, 0, 1, 1),
              131, list(range(-9, 10))) +
        (hw(5, (1, 9, 11), (2, 6, 5)), 0, 0),
        # 1x1 with stride 1 (the input read as it is), signed input.
        convi("convi_1x1", I8, I8, 24, 16, (1, 1), (1, 1), (0, 0, 0, 0),
              -3, 2) + (hw(24, (1, 7, 7), (3, 4, 9)), 0, 0),
        # Dilation 2, unsigned weights.
        convi("convi_dilated", U8, U8, 3, 8, (3, 3), (1, 1), (2, 2, 2, 2),
              0, 128, dil=(2, 2)) + (hw(3, (2, 8, 8)), 0, 0),
        ("qlinear_conv",) + qlinear_conv(work, "qlinear_conv") +
        (hw(12, (1, 10, 10), (2, 7, 13)), 0, 0),
    ]
    path, ref, atol = qdq_cnn(work, "qdq_cnn")
    out.append(("qdq_cnn", path, ref, [{"x": [n, 3, 20, 20]} for n in (1, 3)],
                0, atol))
    path, ref, atol = qdq_mlp(work, "qdq_mlp")
    out.append(("qdq_mlp", path, ref, [{"x": [n, 32]} for n in (1, 5)], 0,
                atol))
    # int4 weights (opset 21): two per byte in the file, dequantized into
    # f32 weights at compile time.
    path, ref, atol = qdq_mlp(work, "qdq_int4_mlp", weights="QInt4")
    out.append(("qdq_int4_mlp", path, ref, [{"x": [n, 32]} for n in (1, 5)],
                0, atol))
    path, ref = weight_only_int4(work, "int4_weight_only")
    out.append(("int4_weight_only", path, ref, None, 1e-5, 1e-5))
    # (name, path, reference, sets, rtol, atol) -> the documented order.
    return [(c[0], c[1], c[3], c[4], c[5], c[2]) for c in out]
