#!/usr/bin/env python3
"""Writes the importer fuzzer's seed corpus (test/fuzz/seeds/import): small
valid models of the e2e suite's op families, plus a few of the hostile
corpus's shapes, one .onnx file each. Run from the repository root:

  python3 utils/gen_fuzz_seeds.py test/fuzz/seeds/import
"""
import os
import sys

import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh


def vi(name, shape, dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, shape)


def model(nodes, ins, outs, inits=(), opset=17):
    g = h.make_graph(nodes, "seed", ins, outs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def seeds():
    rng = np.random.default_rng(0)
    w = nh.from_array(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), "w")
    yield "conv", model(
        [h.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], group=2),
         h.make_node("Relu", ["c"], ["y"])],
        [vi("x", [1, 4, 6, 6])], [vi("y", None)], [w])
    yield "gather", model(
        [h.make_node("Gather", ["t", "i"], ["y"], axis=0)],
        [vi("i", ["n"], T.INT64)], [vi("y", None)],
        [nh.from_array(np.arange(12, dtype=np.float32).reshape(4, 3), "t")])
    yield "matmul_softmax", model(
        [h.make_node("MatMul", ["a", "b"], ["m"]),
         h.make_node("Softmax", ["m"], ["y"], axis=-1)],
        [vi("a", [2, 3]), vi("b", [3, "k"])], [vi("y", None)])
    yield "reshape_transpose", model(
        [h.make_node("Reshape", ["x", "s"], ["r"]),
         h.make_node("Transpose", ["r"], ["y"], perm=[1, 0])],
        [vi("x", [2, 6])], [vi("y", None)],
        [nh.from_array(np.array([3, 4], np.int64), "s")])
    yield "scatter", model(
        [h.make_node("ScatterND", ["d", "i", "u"], ["y"])],
        [vi("d", [4, 2]), vi("i", [2, 1], T.INT64), vi("u", [2, 2])],
        [vi("y", None)])
    yield "if", model(
        [h.make_node("If", ["c"], ["y"],
                     then_branch=h.make_graph(
                         [h.make_node("Neg", ["x"], ["t"])], "t", [],
                         [vi("t", [2])]),
                     else_branch=h.make_graph(
                         [h.make_node("Abs", ["x"], ["e"])], "e", [],
                         [vi("e", [2])]))],
        [vi("c", [], T.BOOL), vi("x", [2])], [vi("y", [2])])
    yield "range_reduce", model(
        [h.make_node("Range", ["s", "l", "d"], ["r"]),
         h.make_node("ReduceSum", ["r"], ["y"], keepdims=0)],
        [vi(n, [], T.INT64) for n in "sld"], [vi("y", [], T.INT64)])
    yield "opset6_add", model(
        [h.make_node("Add", ["a", "b"], ["y"], broadcast=1, axis=1)],
        [vi("a", [2, 3]), vi("b", [3])], [vi("y", None)], opset=6)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "test/fuzz/seeds/import"
    os.makedirs(out, exist_ok=True)
    for name, m in seeds():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
