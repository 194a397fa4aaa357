"""Test models built with the onnx helper API (no torch needed).

Each builder returns an onnx.ModelProto with random weights (seeded). The
architectures mirror the acceptance models of issue 2 at reduced size:
an MLP, a ResNet-style CNN (conv + BN + ReLU, residual adds, max/global
pooling, Flatten + Gemm) and a MobileNet-style CNN (depthwise/grouped
convs, HardSwish, Clip(ReLU6), squeeze-excite with HardSigmoid and Mul).
`nchw_edges` puts a 3x3 conv on the graph input and a depthwise conv on
the output, which channels-last reaches through edge transposes.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def weight(self, shape, scale=None):
        n = self.name("w")
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1.0 / np.sqrt(max(fan_in, 1))
        self.inits.append(numpy_helper.from_array(
            (self.rng.standard_normal(shape) * scale).astype(np.float32), n))
        return n

    def const(self, arr, dtype=np.int64):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(arr, dtype=dtype), n))
        return n

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, cin, cout, k, stride=1, group=1, bias=True):
        w = self.weight([cout, cin // group, k, k])
        ins = [x, w] + ([self.weight([cout], 0.1)] if bias else [])
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[stride, stride],
                       pads=[k // 2] * 4, group=group)

    def bn(self, x, c):
        scale = self.const(self.rng.uniform(0.5, 1.5, c), np.float32)
        bias = self.const(self.rng.standard_normal(c) * 0.1, np.float32)
        mean = self.const(self.rng.standard_normal(c) * 0.1, np.float32)
        var = self.const(self.rng.uniform(0.5, 1.5, c), np.float32)
        return self.op("BatchNormalization", [x, scale, bias, mean, var], epsilon=1e-5)

    def model(self, name, x_shape, out, opset=17, batch=None):
        if batch is not None:  # a symbolic batch dim, e.g. "N"
            x_shape = [batch] + list(x_shape[1:])
        g = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
            self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m = onnx.shape_inference.infer_shapes(m)
        onnx.checker.check_model(m)
        return m


def mlp(batch=None):
    b = Builder(1)
    h = b.op("Gemm", ["input", b.weight([64, 128]), b.weight([128], 0.1)])
    h = b.op("Relu", [h])
    h = b.op("Gemm", [h, b.weight([32, 128]), b.weight([32], 0.1)], transB=1)
    h = b.op("Tanh", [h])
    h = b.op("MatMul", [h, b.weight([32, 10])])
    y = b.op("Softmax", [h], axis=-1)
    return b.model("mlp", [2, 64], y, batch=batch)


def resnet_like(batch=None):
    b = Builder(2)
    x = b.op("Relu", [b.bn(b.conv("input", 3, 16, 3, stride=2, bias=False), 16)])
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for cin, cout, stride in [(16, 16, 1), (16, 32, 2)]:
        y = b.op("Relu", [b.bn(b.conv(x, cin, cout, 3, stride, bias=False), cout)])
        y = b.bn(b.conv(y, cout, cout, 3, 1, bias=False), cout)
        skip = x if (cin == cout and stride == 1) else b.bn(
            b.conv(x, cin, cout, 1, stride, bias=False), cout)
        x = b.op("Relu", [b.op("Add", [y, skip])])
    x = b.op("GlobalAveragePool", [x])
    x = b.op("Flatten", [x], axis=1)
    y = b.op("Gemm", [x, b.weight([10, 32]), b.weight([10], 0.1)], transB=1)
    return b.model("resnet_like", [1, 3, 32, 32], y, batch=batch)


def mobilenet_like(batch=None):
    b = Builder(3)
    x = b.op("HardSwish", [b.bn(b.conv("input", 3, 16, 3, stride=2), 16)])
    # Inverted residual: expand 1x1, depthwise 3x3, squeeze-excite, project.
    e = b.op("Clip", [b.bn(b.conv(x, 16, 48, 1), 48), b.const(0.0, np.float32),
                      b.const(6.0, np.float32)])
    d = b.op("HardSwish", [b.bn(b.conv(e, 48, 48, 3, group=48), 48)])
    # Opset 17: axes is an attribute; the importer turns it into the input.
    s = b.op("ReduceMean", [d], axes=[2, 3], keepdims=1)
    s = b.op("Relu", [b.conv(s, 48, 12, 1)])
    s = b.op("HardSigmoid", [b.conv(s, 12, 48, 1)], alpha=1.0 / 6, beta=0.5)
    d = b.op("Mul", [d, s])
    p = b.bn(b.conv(d, 48, 16, 1, bias=False), 16)
    x = b.op("Add", [x, p])
    # Grouped (not depthwise) conv and average pooling with padding.
    x = b.op("Sigmoid", [b.conv(x, 16, 32, 3, group=4)])
    x = b.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1], count_include_pad=0)
    x = b.op("GlobalAveragePool", [x])
    shape = b.op("Shape", [x])
    n = b.op("Gather", [shape, b.const(0)], axis=0)
    n = b.op("Unsqueeze", [n, b.const([0])])
    target = b.op("Concat", [n, b.const([-1])], axis=0)
    x = b.op("Reshape", [x, target])
    y = b.op("Gemm", [x, b.weight([32, 10]), b.weight([10], 0.1)])
    return b.model("mobilenet_like", [1, 3, 32, 32], y, batch=batch)


def nchw_edges(batch=None):
    b = Builder(4)
    # 24 input channels: the 3x3 conv and the 1x1 skip read the input
    # transposed to NHWC; the depthwise conv's sum goes back to NCHW.
    x = b.op("Relu", [b.conv("input", 24, 32, 3)])
    d = b.conv(x, 32, 32, 3, group=32)
    y = b.op("Add", [d, b.conv("input", 24, 32, 1, bias=False)])
    return b.model("nchw_edges", [1, 24, 20, 20], y, batch=batch)


MODELS = {"mlp": mlp, "resnet_like": resnet_like, "mobilenet_like": mobilenet_like,
          "nchw_edges": nchw_edges}
