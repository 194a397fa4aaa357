"""Models of the benchmark suite, built with the onnx helper API.

Kernels (each with the FLOP count the bench turns into % of peak):
SGEMM (MatMul with a constant weight, the inference case) at 256/1024/2048
square and the BERT-base shapes 128x768x768 and 128x768x3072; convolutions
at MobileNetV2 / ResNet shapes (3x3, 1x1, depthwise 3x3). Models: a
BERT-base-like encoder (12 layers, hidden 768, 12 heads, seq 128,
LayerNormalization, Gelu as Erf, Softmax attention) with random weights.
"""
import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

OPSET = 17


def _model(nodes, inputs, outputs, inits):
    g = h.make_graph(nodes, "bench", inputs, outputs, inits)
    return h.make_model(g, opset_imports=[h.make_opsetid("", OPSET)])


def sgemm(m, k, n, seed=0):
    rng = np.random.default_rng(seed)
    w = nh.from_array((rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32), "W")
    node = h.make_node("MatMul", ["x", "W"], ["y"], name="matmul")
    model = _model([node], [h.make_tensor_value_info("x", T.FLOAT, [m, k])],
                   [h.make_tensor_value_info("y", T.FLOAT, [m, n])], [w])
    return model, 2.0 * m * n * k


def conv(cin, cout, hw, k, stride=1, group=1, seed=0):
    rng = np.random.default_rng(seed)
    w = nh.from_array((rng.standard_normal((cout, cin // group, k, k)) * 0.1)
                      .astype(np.float32), "W")
    b = nh.from_array(rng.standard_normal(cout).astype(np.float32), "B")
    pad = k // 2
    out = (hw + 2 * pad - k) // stride + 1
    node = h.make_node("Conv", ["x", "W", "B"], ["y"], name="conv",
                       pads=[pad] * 4, strides=[stride] * 2, group=group)
    model = _model([node], [h.make_tensor_value_info("x", T.FLOAT, [1, cin, hw, hw])],
                   [h.make_tensor_value_info("y", T.FLOAT, [1, cout, out, out])],
                   [w, b])
    return model, 2.0 * cout * (cin // group) * k * k * out * out


KERNELS = {
    "sgemm_256": lambda: sgemm(256, 256, 256),
    "sgemm_1024": lambda: sgemm(1024, 1024, 1024),
    "sgemm_2048": lambda: sgemm(2048, 2048, 2048),
    "gemm_bert_128x768x768": lambda: sgemm(128, 768, 768),
    "gemm_bert_128x768x3072": lambda: sgemm(128, 768, 3072),
    "conv3x3_64_56": lambda: conv(64, 64, 56, 3),
    "conv3x3_256_14": lambda: conv(256, 256, 14, 3),
    "conv1x1_96_576_14": lambda: conv(96, 576, 14, 1),
    "conv1x1_256_64_56": lambda: conv(256, 64, 56, 1),
    "dwconv3x3_144_56": lambda: conv(144, 144, 56, 3, group=144),
    "dwconv3x3_960_7": lambda: conv(960, 960, 7, 3, group=960),
}


def bert_encoder(layers=12, hidden=768, heads=12, seq=128, ffn=3072, seed=0,
                 symbolic_seq=False, vocab=0):
    """BERT-base-like encoder stack on an embedded input [1, seq, hidden].

    symbolic_seq: the sequence dim is the symbol "seq" (the head split and
    merge copy it with a 0); run it at `seq` (the FLOP count's).
    vocab: > 0 puts BERT's embeddings in front: token ids [1, seq] (int64,
    read at run time) gathered from a [vocab, hidden] table, plus position
    embeddings, then a LayerNorm."""
    rng = np.random.default_rng(seed)
    inits, nodes = [], []
    dh = hidden // heads

    def const(name, arr):
        inits.append(nh.from_array(np.asarray(arr), name))
        return name

    def weight(name, shape):
        return const(name, (rng.standard_normal(shape) / np.sqrt(shape[0]))
                     .astype(np.float32))

    def node(op, ins, outs=None, **attrs):
        name = f"n{len(nodes)}"
        outs = outs or [name + "_out"]
        nodes.append(h.make_node(op, ins, outs, name=name, **attrs))
        return outs[0]

    def linear(x, prefix, n_in, n_out):
        y = node("MatMul", [x, weight(prefix + "_w", (n_in, n_out))])
        return node("Add", [y, const(prefix + "_b", np.zeros(n_out, np.float32))])

    def layernorm(x, prefix):
        return node("LayerNormalization",
                    [x, const(prefix + "_g", np.ones(hidden, np.float32)),
                     const(prefix + "_beta", np.zeros(hidden, np.float32))],
                    axis=-1, epsilon=1e-12)

    s = 0 if symbolic_seq else seq
    split_shape = const("split_shape", np.array([1, s, heads, dh], np.int64))
    merge_shape = const("merge_shape", np.array([1, s, hidden], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(dh), np.float32))
    half = const("half", np.array(0.5, np.float32))
    one = const("one", np.array(1.0, np.float32))
    rsqrt2 = const("rsqrt2", np.array(1.0 / np.sqrt(2.0), np.float32))
    x = "x"
    if vocab:
        words = node("Gather", [weight("word_emb", (vocab, hidden)), "ids"],
                     axis=0)
        positions = node("Gather", [weight("pos_emb", (512, hidden)),
                                    const("positions", np.arange(seq))],
                         axis=0)
        x = layernorm(node("Add", [words, positions]), "emb_ln")
    for l in range(layers):
        p = f"l{l}"
        heads_of = lambda t: node("Transpose", [node("Reshape", [t, split_shape])],
                                  perm=[0, 2, 1, 3])
        q = heads_of(linear(x, p + "_q", hidden, hidden))
        k = node("Transpose", [node("Reshape", [linear(x, p + "_k", hidden, hidden),
                                                split_shape])], perm=[0, 2, 3, 1])
        v = heads_of(linear(x, p + "_v", hidden, hidden))
        scores = node("Mul", [node("MatMul", [q, k]), scale])
        probs = node("Softmax", [scores], axis=-1)
        ctx = node("MatMul", [probs, v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]),
                               merge_shape])
        x = layernorm(node("Add", [x, linear(ctx, p + "_o", hidden, hidden)]),
                      p + "_ln1")
        f = linear(x, p + "_f1", hidden, ffn)
        gelu = node("Mul", [node("Mul", [f, half]),
                            node("Add", [node("Erf", [node("Mul", [f, rsqrt2])]),
                                         one])])
        x = layernorm(node("Add", [x, linear(gelu, p + "_f2", ffn, hidden)]),
                      p + "_ln2")
    nodes.append(h.make_node("Identity", [x], ["y"], name="output"))
    flops = layers * (2.0 * seq * hidden * hidden * 4 + 2.0 * seq * hidden * ffn * 2
                      + 2.0 * 2 * seq * seq * hidden)
    dim = "seq" if symbolic_seq else seq
    x_in = (h.make_tensor_value_info("ids", T.INT64, [1, dim]) if vocab else
            h.make_tensor_value_info("x", T.FLOAT, [1, dim, hidden]))
    model = _model(nodes, [x_in],
                   [h.make_tensor_value_info("y", T.FLOAT, [1, dim, hidden])], inits)
    return model, flops
