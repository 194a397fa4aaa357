#!/usr/bin/env python3
"""The hostile-input corpus: models and run-time inputs of the classes in
the onnx and onnxruntime security advisories, each generated here and
checked to end in a clean error (exit 1, a message naming the file, node or
input; no crash, no hang) or a correct result.

Usage: run_hostile.py BIN_DIR WORK_DIR [--only SUBSTRING]
Prints one line per case and a closing 'N passed, N failed'. Under the
sanitizer build (MCC_SANITIZE) the same cases run with ASan/UBSan watching.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from corpus import OPSET, Corpus, fvi, model_of, record, results, save
from runtime_cases import index_cases, quantize_cases, size_cases


# ---------------------------------------------------------------- files

def external_tensor(name, location, offset=0, length=16, dims=(4,)):
    t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=list(dims))
    t.data_location = TensorProto.EXTERNAL
    for k, v in [("location", location), ("offset", str(offset)),
                 ("length", str(length))]:
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def external_model(t):
    return model_of([helper.make_node("Add", ["x", t.name], ["y"], name="add")],
                    [fvi("x", [4])], [fvi("y", [4])], [t])


def file_cases(c):
    secret = c.path("outside", "secret.bin")
    np.arange(4, dtype=np.float32).tofile(secret)

    cases = [
        ("traversal through ..", "../outside/secret.bin", "'..' is not allowed"),
        ("absolute path", secret, "absolute paths are not allowed"),
        ("missing file", "nope.bin", "file not found"),
        ("empty location", "", "empty location"),
    ]
    for name, loc, msg in cases:
        d = c.path("ext_" + name.replace(" ", "_"), "m.onnx")
        save(external_model(external_tensor("W", loc)), d)
        c.compile_error(f"external data: {name}", d, [msg, "initializer 'W'"])

    # A symbolic link inside the folder to a file outside it.
    d = c.path("ext_symlink", "m.onnx")
    link = os.path.join(os.path.dirname(d), "w.bin")
    if not os.path.lexists(link):
        os.symlink(secret, link)
    save(external_model(external_tensor("W", "w.bin")), d)
    c.compile_error("external data: symlink out of the folder", d,
                    ["resolves outside the model's folder"])

    # A directory symlink inside the folder that leads out of it.
    d = c.path("ext_dirlink", "m.onnx")
    link = os.path.join(os.path.dirname(d), "sub")
    if not os.path.lexists(link):
        os.symlink(os.path.dirname(secret), link)
    save(external_model(external_tensor("W", "sub/secret.bin")), d)
    c.compile_error("external data: directory symlink out of the folder", d,
                    ["resolves outside the model's folder"])

    # A symbolic link that stays inside the folder is fine.
    d = c.path("ext_inner_link", "m.onnx")
    real = os.path.join(os.path.dirname(d), "real.bin")
    np.arange(4, dtype=np.float32).tofile(real)
    link = os.path.join(os.path.dirname(d), "alias.bin")
    if not os.path.lexists(link):
        os.symlink("real.bin", link)
    so = c.compiled("ext_inner_link",
                    external_model(external_tensor("W", "alias.bin")))
    if so:
        x = np.ones(4, np.float32)
        c.run_equal("external data through a link inside the folder", so,
                    {"x": x}, {"y": x + np.arange(4, dtype=np.float32)})

    # A hard link to a file outside the folder (same file system).
    d = c.path("ext_hardlink", "m.onnx")
    hard = os.path.join(os.path.dirname(d), "w.bin")
    if not os.path.exists(hard):
        os.link(secret, hard)
    save(external_model(external_tensor("W", "w.bin")), d)
    c.compile_error("external data: hard link", d, ["hard links"])

    # A FIFO: opening it must not block the compiler.
    d = c.path("ext_fifo", "m.onnx")
    fifo = os.path.join(os.path.dirname(d), "w.bin")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    save(external_model(external_tensor("W", "w.bin")), d)
    c.compile_error("external data: FIFO", d, ["not a regular file"])

    # Offsets and lengths past the end, and ones that overflow.
    for name, off, length in [("offset past the end", 64, 16),
                              ("offset overflow", 2**64 - 8, 16),
                              ("length overflow", 8, 2**64 - 4)]:
        d = c.path("ext_" + name.replace(" ", "_"), "m.onnx")
        shutil.copy(secret, os.path.join(os.path.dirname(d), "w.bin"))
        save(external_model(external_tensor("W", "w.bin", off, length)), d)
        c.compile_error(f"external data: {name}", d, ["exceeds file size"])
    d = c.path("ext_short", "m.onnx")
    shutil.copy(secret, os.path.join(os.path.dirname(d), "w.bin"))
    save(external_model(external_tensor("W", "w.bin", 0, 8)), d)
    c.compile_error("external data: length shorter than the shape", d,
                    ["initializer 'W'", "bytes"])


# ---------------------------------------------------------------- models

def bytes_cases(c):
    p = c.path("bytes", "empty.onnx")
    open(p, "wb").close()
    c.compile_error("empty file", p, ["ONNX model"])
    rng = np.random.default_rng(0)
    for i in range(3):
        p = c.path("bytes", f"random{i}.onnx")
        open(p, "wb").write(rng.integers(0, 256, 4096, np.uint8).tobytes())
        c.compile_error(f"random bytes {i}", p, ["ONNX model"])
    good = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")],
                    [fvi("x", [4])], [fvi("y", [4])])
    data = good.SerializeToString()
    p = c.path("bytes", "truncated.onnx")
    open(p, "wb").write(data[: len(data) - 7])
    c.compile_error("truncated model", p, ["ONNX model"])


def tensor_cases(c):
    def init_model(t):
        return model_of([helper.make_node("Add", ["x", t.name], ["y"],
                                          name="add")],
                        [fvi("x", [4])], [fvi("y", [4])], [t])

    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[4],
                    raw_data=b"\0" * 12)
    c.compile_error("raw_data shorter than the shape",
                    save(init_model(t), c.path("tensor", "short.onnx")),
                    ["initializer 'W'", "12 bytes"])
    # int4: two per byte, so 5 elements need 3 bytes.
    t = TensorProto(name="W", data_type=TensorProto.INT4, dims=[5],
                    raw_data=b"\0" * 2)
    c.compile_error("int4 raw_data shorter than the shape",
                    save(init_model(t), c.path("tensor", "short_int4.onnx")),
                    ["initializer 'W'", "2 bytes", "needs 3"])
    t = TensorProto(name="W", data_type=TensorProto.FLOAT,
                    dims=[2**40, 2**40])
    c.compile_error("dims that overflow",
                    save(init_model(t), c.path("tensor", "overflow.onnx")),
                    ["initializer 'W'", "2^48"])
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[2**30, 64])
    c.compile_error("huge dims without data",
                    save(init_model(t), c.path("tensor", "huge.onnx")),
                    ["initializer 'W'"])
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[-4])
    c.compile_error("negative dims",
                    save(init_model(t), c.path("tensor", "negative.onnx")),
                    ["initializer 'W'", "negative"])
    t = TensorProto(name="W", data_type=TensorProto.STRING, dims=[1])
    t.string_data.append(b"x")
    c.compile_error("string tensor",
                    save(init_model(t), c.path("tensor", "string.onnx")),
                    ["initializer 'W'", "data type"])
    # The importer fuzzer's findings: a complex initializer crashed; a
    # constant Resize scale of 5e27 overflowed the cast of the dim.
    t = numpy_helper.from_array(np.array([1, 1, 5e27, 2], np.float32), "sc")
    c.compile_error("Resize scale of 5e27",
                    save(model_of([helper.make_node("Resize", ["x", "", "sc"],
                                                    ["y"], name="resize")],
                                  [fvi("x", [1, 1, 2, 2])], [fvi("y", None)],
                                  [t], opset=[helper.make_opsetid("", 13)]),
                         c.path("tensor", "resize_scale.onnx")),
                    ["node 'resize' (Resize)", "outside [0, 2^48]"])
    t = TensorProto(name="W", data_type=TensorProto.COMPLEX64, dims=[4],
                    raw_data=b"\0" * 32)
    c.compile_error("complex64 initializer",
                    save(init_model(t), c.path("tensor", "complex.onnx")),
                    ["node 'add' (Add)"])
    # ...and int32_data holding an int64 tensor read past each value.
    t = TensorProto(name="W", data_type=TensorProto.INT64, dims=[2])
    t.int32_data.extend([1, 2])
    c.compile_error("int64 tensor in int32_data",
                    save(init_model(t), c.path("tensor", "int32_data.onnx")),
                    ["initializer 'W'", "int32_data cannot hold 64-bit"])
    t = TensorProto(name="W", data_type=77, dims=[1])
    c.compile_error("unknown dtype",
                    save(init_model(t), c.path("tensor", "dtype.onnx")),
                    ["initializer 'W'", "data type"])


def graph_cases(c):
    def err(name, model, msg, args=()):
        c.compile_error(name, save(model, c.path("graph", name.replace(" ", "_")
                                                 + ".onnx")), msg, args)

    x, y = fvi("x", [2, 3]), fvi("y", [2, 3])
    err("value produced twice",
        model_of([helper.make_node("Relu", ["x"], ["y"], name="first"),
                  helper.make_node("Neg", ["x"], ["y"], name="second")],
                 [x], [y]),
        ["value 'y' is produced twice", "node 'first' (Relu)",
         "node 'second' (Neg)"])
    err("node output shadows a graph input",
        model_of([helper.make_node("Relu", ["x"], ["x"], name="r")], [x], [x]),
        ["value 'x' is produced twice", "graph input 'x'"])
    err("value produced twice in a subgraph",
        model_of([helper.make_node(
            "If", ["c"], ["y"], name="if",
            then_branch=helper.make_graph(
                [helper.make_node("Relu", ["x"], ["t"], name="a"),
                 helper.make_node("Neg", ["x"], ["t"], name="b")],
                "then", [], [fvi("t", [2, 3])]),
            else_branch=helper.make_graph(
                [helper.make_node("Neg", ["x"], ["e"], name="c")],
                "else", [], [fvi("e", [2, 3])]))],
            [fvi("c", [], TensorProto.BOOL), x], [y]),
        ["value 't' is produced twice", "in node 'if' (If)'s then_branch"])
    err("cycle",
        model_of([helper.make_node("Relu", ["b"], ["a"], name="ra"),
                  helper.make_node("Relu", ["a"], ["b"], name="rb")],
                 [x], [fvi("b", [2, 3])]),
        ["input 'b' is not produced by any earlier node"])
    err("output nobody produces",
        model_of([helper.make_node("Relu", ["x"], ["r"], name="r")], [x],
                 [fvi("z", [2, 3])]),
        ["graph output 'z' is not produced"])
    err("opset newer than the schema",
        model_of([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y],
                 opset=[helper.make_opsetid("", 99)]),
        ["opset 99", "opset 28 is the newest supported"])
    err("opset older than supported",
        model_of([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y],
                 opset=[helper.make_opsetid("", 3)]),
        ["node 'r' (Relu)", "opset 3 is older than mcc supports for Relu",
         "changed at opset 6"])
    err("unknown domain",
        model_of([helper.make_node("Frobnicate", ["x"], ["y"], name="f",
                                   domain="com.evil")], [x], [y],
                 opset=OPSET + [helper.make_opsetid("com.evil", 1)]),
        ["node 'f' (Frobnicate)", "com.evil"])
    # Constants of the wrong type or size that shape inference reads
    # before the op's types are verified (session 19: integer Resize
    # scales were a heap-use-after-free under ASan).
    err("Resize with integer scales",
        model_of([helper.make_node("Resize", ["x4", "", "sc"], ["r"],
                                   mode="linear", name="rs")],
                 [fvi("x4", [1, 1, 2, 2])], [fvi("r", None)],
                 [numpy_helper.from_array(np.array([1, 1, 2, 2], np.int32),
                                          "sc")]),
        ["node 'rs' (Resize)", "scales must be floats"])
    err("Range of mixed types",
        model_of([helper.make_node("Range", ["s", "l", "d"], ["r"],
                                   name="range")],
                 [], [fvi("r", None)],
                 [numpy_helper.from_array(np.array(0, np.float32), "s"),
                  numpy_helper.from_array(np.array(5, np.float32), "l"),
                  numpy_helper.from_array(np.array([], np.float32), "d")]),
        ["node 'range' (Range)", "scalars of one type"])
    err("ConstantOfShape with an empty value",
        model_of([helper.make_node(
            "ConstantOfShape", ["shape"], ["z"], name="cos",
            value=numpy_helper.from_array(np.array([], np.float32)))],
            [], [fvi("z", None)],
            [numpy_helper.from_array(np.array([2, 2], np.int64), "shape")]),
        ["node 'cos' (ConstantOfShape)", "value must have one element"])
    err("other com.microsoft op",
        model_of([helper.make_node("FusedConv", ["x", "x"], ["y"], name="fc",
                                   domain="com.microsoft")],
                 [x], [y],
                 opset=OPSET + [helper.make_opsetid("com.microsoft", 1)]),
        ["node 'fc' (FusedConv)", "not one of the com.microsoft ops"])
    err("com.microsoft op name in the ai.onnx domain",
        model_of([helper.make_node("ms.QLinearSigmoid",
                                   ["x", "s", "z", "s", "z"], ["y"],
                                   name="qs")],
                 [x, fvi("s", []), fvi("z", [], TensorProto.UINT8)], [y]),
        ["node 'qs' (ms.QLinearSigmoid)", "not an operator of ai.onnx"])
    err("unknown op",
        model_of([helper.make_node("Frobnicate", ["x"], ["y"], name="f")],
                 [x], [y]),
        ["node 'f' (Frobnicate)", "not an operator"])
    err("missing required attribute",
        model_of([helper.make_node("Cast", ["x"], ["y"], name="cast")],
                 [x], [y]),
        ["node 'cast' (Cast)", "to"])
    err("Concat of no inputs",
        model_of([helper.make_node("Concat", [], ["y"], axis=0, name="cat")],
                 [x], [fvi("y", None)]),
        ["node 'cat' (Concat)", "needs at least 1 inputs"])
    err("Sum of no inputs",
        model_of([helper.make_node("Sum", [], ["y"], name="sum")], [x],
                 [fvi("y", None)]),
        ["node 'sum' (Sum)", "needs at least 1 inputs"])
    err("Split into no outputs",
        model_of([helper.make_node("Split", ["x"], [], axis=0, name="sp"),
                  helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y]),
        ["node 'sp' (Split)", "needs at least 1 outputs"])
    err("missing required input",
        model_of([helper.make_node("Reshape", ["x"], ["y"], name="rs")], [x],
                 [fvi("y", None)]),
        ["node 'rs' (Reshape)", "missing required input 'shape' (#1)"])
    # The importer fuzzer's second finding (shape inference read an
    # operand that was not there).
    err("Range with no inputs",
        model_of([helper.make_node("Range", [], ["r"], name="range"),
                  helper.make_node("ReduceSum", ["r"], ["y"], keepdims=0,
                                   name="sum")],
                 [fvi(n, [], TensorProto.INT64) for n in "sld"],
                 [fvi("y", [], TensorProto.INT64)]),
        ["node 'range' (Range)", "missing required input 'start' (#0)"])
    err("too many inputs",
        model_of([helper.make_node("Relu", ["x", "x", "x"], ["y"], name="r3")],
                 [x], [y]),
        ["node 'r3' (Relu)", "single operand"])
    # The importer fuzzer's first finding (signed overflow in shape
    # inference).
    err("Reshape to a shape whose product overflows",
        model_of([helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")],
                 [x], [fvi("y", None)],
                 [numpy_helper.from_array(
                     np.array([7311593995036000259, 7696487], np.int64),
                     "s")]),
        ["node 'rs' (Reshape)", "more elements than 64 bits count"])
    err("Reshape to a negative dim",
        model_of([helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")],
                 [x], [fvi("y", None)],
                 [numpy_helper.from_array(np.array([-2, -3], np.int64), "s")]),
        ["node 'rs' (Reshape)", "negative entry -2"])
    # The importer fuzzer's third finding (a scalar MatMul operand).
    err("MatMul of a scalar",
        model_of([helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
                 [fvi("a", [3]), fvi("b", [])], [fvi("y", None)]),
        ["node 'mm' (MatMul)", "rank 1 or more"])
    # Session 18's run: rank-0 indices (the lowering read their last dim).
    err("ScatterND of scalars",
        model_of([helper.make_node("ScatterND", ["d", "i", "u"], ["y"],
                                   name="sc")],
                 [fvi("d", []), fvi("i", [], TensorProto.INT64),
                  fvi("u", [2])], [fvi("y", None)]),
        ["node 'sc' (ScatterND)", "rank 1 or more"])
    err("GatherND with scalar indices",
        model_of([helper.make_node("GatherND", ["d", "i"], ["y"], name="g")],
                 [fvi("d", [3]), fvi("i", [], TensorProto.INT64)],
                 [fvi("y", None)]),
        ["node 'g' (GatherND)", "rank 1 or more"])
    # The compile fuzzer's finding: two pads for a 2-D Conv, one of 2^29
    # (the padded tensor's element count overflowed in a later pass).
    w = numpy_helper.from_array(np.ones((4, 2, 3, 3), np.float32), "w")
    err("Conv with two pads for two spatial dims",
        model_of([helper.make_node("Conv", ["x", "w"], ["y"], group=2,
                                   pads=[1, 536870780], name="conv")],
                 [fvi("x", [1, 4, 6, 6])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "pads has 2 entries, 4 expected"])
    err("Conv of a scalar",
        model_of([helper.make_node("Conv", ["x", "w"], ["y"], group=2,
                                   name="conv")],
                 [fvi("x", [])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "rank 0, 3 or more expected"])
    # The compile fuzzer's session-21 finding: a global pool of a rank-1
    # tensor (the lowering counted -1 spatial dims).
    err("GlobalAveragePool of a vector",
        model_of([helper.make_node("GlobalAveragePool", ["x"], ["y"],
                                   name="gap")],
                 [fvi("x", [2])], [fvi("y", None)]),
        ["node 'gap' (GlobalAveragePool)", "rank 1, 3 or more expected"])
    err("Conv with a negative stride",
        model_of([helper.make_node("Conv", ["x", "w"], ["y"], group=2,
                                   strides=[1, -1], name="conv")],
                 [fvi("x", [1, 4, 6, 6])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "strides -1 is less than 1"])
    err("Conv padded to 2^60 elements",
        model_of([helper.make_node("Conv", ["x", "w"], ["y"], group=2,
                                   pads=[0, 0, 2**29, 2**29], name="conv")],
                 [fvi("x", [1, 4, 6, 6])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "more than 2^48 elements"])
    # The importer fuzzer's fourth finding (an attribute of the wrong
    # kind read as null).
    bad = helper.make_node("ReduceSum", ["x"], ["y"], name="sum")
    bad.attribute.append(helper.make_attribute("keepdims", 0.5))
    err("attribute of the wrong kind",
        model_of([bad], [x], [fvi("y", None)]),
        ["node 'sum' (ReduceSum)", "keepdims"])
    err("Softmax axis out of range",
        model_of([helper.make_node("Softmax", ["x"], ["y"], axis=7,
                                   name="sm")], [x], [y]),
        ["node 'sm' (Softmax)", "axis"])
    err("Gather axis out of range",
        model_of([helper.make_node("Gather", ["x", "i"], ["y"], axis=2,
                                   name="g")],
                 [x, fvi("i", [2], TensorProto.INT64)], [fvi("y", None)]),
        ["node 'g' (Gather)", "axis"])
    err("Concat axis out of range",
        model_of([helper.make_node("Concat", ["x", "x"], ["y"], axis=-3,
                                   name="cat")], [x], [fvi("y", None)]),
        ["node 'cat' (Concat)", "axis"])
    err("Transpose perm not a permutation",
        model_of([helper.make_node("Transpose", ["x"], ["y"], perm=[0, 0],
                                   name="tr")], [x], [fvi("y", None)]),
        ["node 'tr' (Transpose)", "perm"])
    err("Transpose perm of the wrong length",
        model_of([helper.make_node("Transpose", ["x"], ["y"], perm=[1, 0, 2],
                                   name="tr")], [x], [fvi("y", None)]),
        ["node 'tr' (Transpose)", "perm"])
    w = numpy_helper.from_array(np.ones((4, 2, 3, 3), np.float32), "w")
    err("Conv group that does not divide the channels",
        model_of([helper.make_node("Conv", ["img", "w"], ["y"], group=3,
                                   name="conv")],
                 [fvi("img", [1, 4, 8, 8])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "group"])
    err("Conv kernel_shape that contradicts the weights",
        model_of([helper.make_node("Conv", ["img", "w"], ["y"], group=2,
                                   kernel_shape=[5, 5], name="conv")],
                 [fvi("img", [1, 4, 8, 8])], [fvi("y", None)], [w]),
        ["node 'conv' (Conv)", "kernel"])
    err("Gather constant index out of range",
        model_of([helper.make_node("Gather", ["x", "i"], ["y"], axis=0,
                                   name="g")],
                 [x], [fvi("y", None)],
                 [numpy_helper.from_array(np.array([5], np.int64), "i")]),
        ["node 'g' (Gather)", "index 5"])
    # Older opsets' forms with values that do not fit (LegacyForms.cpp).
    x4 = fvi("x", [1, 2, 3, 4])
    old = lambda v: [helper.make_opsetid("", v)]
    err("Upsample-7 with too few scales",
        model_of([helper.make_node("Upsample", ["x"], ["y"], scales=[2.0],
                                   name="up")], [x4], [fvi("y", None)],
                 opset=old(7)),
        ["node 'up' (Upsample)", "one value per resized axis"])
    err("BatchNormalization spatial=0 with statistics of another shape",
        model_of([helper.make_node("BatchNormalization",
                                   ["x", "s", "b", "m", "v"], ["y"],
                                   spatial=0, name="bn")], [x4],
                 [fvi("y", None)],
                 [numpy_helper.from_array(np.ones((5, 7), np.float32), n)
                  for n in "sbmv"], opset=old(7)),
        ["node 'bn' (BatchNormalization)", "cannot be broadcast"])
    err("packed GatherBlockQuantized zero points of another shape",
        model_of([helper.make_node("GatherBlockQuantized",
                                   ["d", "i", "s", "z"], ["y"], bits=4,
                                   block_size=16, domain="com.microsoft",
                                   name="gbq")],
                 [fvi("i", [2], TensorProto.INT64)], [fvi("y", None)],
                 [numpy_helper.from_array(np.zeros((4, 8), np.uint8), "d"),
                  numpy_helper.from_array(np.ones((4, 1), np.float32), "s"),
                  numpy_helper.from_array(np.zeros((3, 9), np.uint8), "z")],
                 opset=old(17) + [helper.make_opsetid("com.microsoft", 1)]),
        ["node 'gbq' (GatherBlockQuantized)", "zero points"])
    # Subgraphs nested deeper than protobuf's recursion limit (written as
    # raw bytes: Python's protobuf refuses to build such a message).
    p = c.path("graph", "deep.onnx")
    with open(p, "wb") as f:
        f.write(deep_model_bytes(150))
    c.compile_error("subgraphs nested too deeply", p, ["ONNX model"])


def _varint(v):
    out = b""
    while True:
        b, v = v & 0x7F, v >> 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def _field(num, payload):
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def deep_model_bytes(depth):
    """A model whose If nodes nest `depth` then_branch graphs."""
    vi = fvi("o", [2, 3]).SerializeToString()
    leaf = (_field(1, helper.make_node("Neg", ["x"], ["o"])
                   .SerializeToString()) +
            _field(2, b"leaf") + _field(12, vi))
    g = leaf
    for k in range(depth):
        def attr(name, graph):  # AttributeProto: name, g, type = GRAPH
            return (_field(1, name) + _field(6, graph) + _varint(20 << 3) +
                    _varint(5))
        node = (_field(1, b"c") + _field(2, b"o") + _field(4, b"If") +
                _field(5, attr(b"then_branch", g)) +
                _field(5, attr(b"else_branch", leaf)))
        g = _field(1, node) + _field(2, b"g%d" % k) + _field(12, vi)
    g += _field(11, fvi("c", [], TensorProto.BOOL).SerializeToString())
    g += _field(11, fvi("x", [2, 3]).SerializeToString())
    head = onnx.ModelProto(ir_version=8)
    head.opset_import.extend(OPSET)
    return head.SerializeToString() + _field(7, g)


def value_cases(c):
    """Zero-sized tensors, NaN/Inf data, subgraphs nested as deep as
    protobuf allows: correct results."""
    p = c.path("deep20", "model.onnx")
    with open(p, "wb") as f:
        f.write(deep_model_bytes(20))
    r, so = c.mcc(p)
    if r is None or r.returncode != 0:
        record("compile: 20 nested Ifs", False,
               "hung" if r is None else r.stderr.strip()[:300])
    else:
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        c.run_equal("20 nested Ifs", so, {"c": np.array(True), "x": x},
                    {"o": -x})
    so = c.compiled("zero_size", model_of(
        [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [fvi("x", [0, 3])], [fvi("y", [0, 3])]))
    if so:
        x = np.zeros((0, 3), np.float32)
        c.run_equal("zero-sized tensors", so, {"x": x}, {"y": x})
    w = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    so = c.compiled("nan_inf", model_of(
        [helper.make_node("Mul", ["x", "w"], ["m"], name="mul"),
         helper.make_node("Relu", ["m"], ["y"], name="relu")],
        [fvi("x", [4])], [fvi("y", [4])], [numpy_helper.from_array(w, "w")]))
    if so:
        x = np.array([1, -1, np.nan, 2], np.float32)
        c.run_equal("NaN and Inf data", so, {"x": x},
                    {"y": np.maximum(x * w, 0).astype(np.float32)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("work")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    c = Corpus(os.path.abspath(a.bin_dir), os.path.abspath(a.work))
    for fn in (file_cases, bytes_cases, tensor_cases, graph_cases,
               value_cases, index_cases, size_cases, quantize_cases):
        if a.only in fn.__name__:
            fn(c)
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
