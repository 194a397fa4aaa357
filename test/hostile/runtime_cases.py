"""The hostile run-time cases: indices, sizes and quantization parameters
read from the inputs' data or dims (run_hostile.py runs them)."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from corpus import fvi, model_of, save



# ---------------------------------------------------------- run-time data

def index_cases(c):
    table = np.arange(30, dtype=np.float32).reshape(10, 3)
    tab = numpy_helper.from_array(table, "table")
    so = c.compiled("gather", model_of(
        [helper.make_node("Gather", ["table", "ids"], ["y"], axis=0,
                          name="embed")],
        [fvi("ids", [4], TensorProto.INT64)], [fvi("y", [4, 3])], [tab]))
    if so:
        ok = np.array([0, 9, -1, -10], np.int64)
        c.run_equal("Gather, indices in range (negative too)", so,
                    {"ids": ok}, {"y": table[ok]})
        for bad in (10, -11, 2**40, -2**40, 2**63 - 1, -2**63):
            c.run_error(f"Gather index {bad}", so,
                        {"ids": np.array([1, bad, 2, 3], np.int64)},
                        ["node 'embed' (Gather)", f"is {bad}",
                         "outside [-10, 9]"])
    # int32 indices, a symbolic table and index count, and threads.
    so = c.compiled("gather_dyn", model_of(
        [helper.make_node("Gather", ["data", "ids"], ["y"], axis=1,
                          name="pick")],
        [fvi("data", ["n", "m"]), fvi("ids", ["k"], TensorProto.INT32)],
        [fvi("y", ["n", "k"])]))
    if so:
        data = np.arange(64 * 7, dtype=np.float32).reshape(64, 7)
        ids = np.tile(np.arange(-7, 7, dtype=np.int32), 300)
        c.run_equal("Gather, symbolic dims, 2 threads", so,
                    {"data": data, "ids": ids}, {"y": data[:, ids]}, threads=2)
        bad = ids.copy()
        bad[-5] = 7
        c.run_error("Gather, symbolic dims, bad index under 2 threads", so,
                    {"data": data, "ids": bad},
                    ["node 'pick' (Gather)", "is 7", "outside [-7, 6]"],
                    threads=2)
        c.run_error("Gather from an empty axis", so,
                    {"data": np.zeros((4, 0), np.float32),
                     "ids": np.array([0], np.int32)},
                    ["node 'pick' (Gather)", "empty"])
    so = c.compiled("gather_elements", model_of(
        [helper.make_node("GatherElements", ["data", "ids"], ["y"], axis=1,
                          name="ge")],
        [fvi("data", [3, 4]), fvi("ids", [3, 2], TensorProto.INT64)],
        [fvi("y", [3, 2])]))
    if so:
        data = np.arange(12, dtype=np.float32).reshape(3, 4)
        ids = np.array([[0, 3], [-1, -4], [2, 1]], np.int64)
        c.run_equal("GatherElements in range", so, {"data": data, "ids": ids},
                    {"y": np.take_along_axis(data, ids % 4, 1)})
        ids[1, 1] = 2**40
        c.run_error("GatherElements index out of range", so,
                    {"data": data, "ids": ids},
                    ["node 'ge' (GatherElements)", f"is {2**40}"])
    so = c.compiled("gather_nd", model_of(
        [helper.make_node("GatherND", ["data", "ids"], ["y"], name="gnd")],
        [fvi("data", [3, 4]), fvi("ids", [2, 2], TensorProto.INT64)],
        [fvi("y", [2])]))
    if so:
        data = np.arange(12, dtype=np.float32).reshape(3, 4)
        c.run_equal("GatherND in range", so,
                    {"data": data, "ids": np.array([[2, 3], [-3, -4]])},
                    {"y": np.array([11, 0], np.float32)})
        c.run_error("GatherND index out of range", so,
                    {"data": data, "ids": np.array([[2, 3], [3, 0]])},
                    ["node 'gnd' (GatherND)", "is 3", "outside [-3, 2]"])
    so = c.compiled("scatter_elements", model_of(
        [helper.make_node("ScatterElements", ["data", "ids", "upd"], ["y"],
                          axis=0, name="se")],
        [fvi("data", [3, 2]), fvi("ids", [1, 2], TensorProto.INT64),
         fvi("upd", [1, 2])], [fvi("y", [3, 2])]))
    if so:
        data = np.zeros((3, 2), np.float32)
        upd = np.array([[5, 6]], np.float32)
        c.run_equal("ScatterElements in range", so,
                    {"data": data, "ids": np.array([[2, -3]]), "upd": upd},
                    {"y": np.array([[0, 6], [0, 0], [5, 0]], np.float32)})
        c.run_error("ScatterElements index out of range", so,
                    {"data": data, "ids": np.array([[2, -2**40]]),
                     "upd": upd},
                    ["node 'se' (ScatterElements)", f"is {-2**40}"])
    so = c.compiled("scatter_nd", model_of(
        [helper.make_node("ScatterND", ["data", "ids", "upd"], ["y"],
                          name="snd")],
        [fvi("data", [4, 2]), fvi("ids", [2, 1], TensorProto.INT64),
         fvi("upd", [2, 2])], [fvi("y", [4, 2])]))
    if so:
        data = np.zeros((4, 2), np.float32)
        upd = np.array([[1, 2], [3, 4]], np.float32)
        c.run_equal("ScatterND in range", so,
                    {"data": data, "ids": np.array([[3], [-4]]), "upd": upd},
                    {"y": np.array([[3, 4], [0, 0], [0, 0], [1, 2]],
                                   np.float32)})
        c.run_error("ScatterND index out of range", so,
                    {"data": data, "ids": np.array([[3], [4]]), "upd": upd},
                    ["node 'snd' (ScatterND)", "is 4", "outside [-4, 3]"])
    so = c.compiled("gather_add", model_of(
        [helper.make_node("Gather", ["table", "ids"], ["e"], axis=0,
                          name="embed"),
         helper.make_node("Add", ["e", "x"], ["y"], name="add")],
        [fvi("ids", ["b", "s"], TensorProto.INT64), fvi("x", [1, "s", 3])],
        [fvi("y", None)], [tab]))
    if so:
        # The runtime fuzzer's finding: empty, but 2^40 rows of nothing
        # took the loops around the empty dim forever.
        c.run_equal("Gather of [2^40, 0] indices", so,
                    {"ids": np.zeros((2**40, 0), np.int64),
                     "x": np.zeros((1, 0, 3), np.float32)},
                    {"y": np.zeros((2**40, 0, 3), np.float32)})
    for name, upd, wi, msg in (
            ("update longer than the cache", [2, 6, 3], [2],
             "dimension 1 (6) does not fit the cache's (5)"),
            ("scalar write_indices", [2, 2, 3], [], "must be 1-D")):
        c.compile_error(
            f"TensorScatter, {name}",
            save(model_of([helper.make_node("TensorScatter",
                                            ["past", "upd", "wi"], ["y"],
                                            name="kv")],
                          [fvi("past", [2, 5, 3]), fvi("upd", upd),
                           fvi("wi", wi, TensorProto.INT64)],
                          [fvi("y", None)],
                          opset=[helper.make_opsetid("", 24)]),
                 c.path("tensor_scatter_bad", name.replace(" ", "_") +
                        ".onnx")),
            ["node 'kv' (TensorScatter)", msg])
    so = c.compiled("tensor_scatter", model_of(
        [helper.make_node("TensorScatter", ["past", "upd", "wi"], ["y"],
                          name="kv")],
        [fvi("past", [2, 5, 3]), fvi("upd", [2, 2, 3]),
         fvi("wi", [2], TensorProto.INT64)], [fvi("y", [2, 5, 3])],
        opset=[helper.make_opsetid("", 24)]))
    if so:
        past = np.zeros((2, 5, 3), np.float32)
        upd = np.ones((2, 2, 3), np.float32)
        want = past.copy()
        want[0, 3:5] = 1
        want[1, 0:2] = 1
        c.run_equal("TensorScatter, windows inside the cache", so,
                    {"past": past, "upd": upd, "wi": np.array([3, 0])},
                    {"y": want})
        for bad in (4, -1, 2**40):
            c.run_error(f"TensorScatter write index {bad}", so,
                        {"past": past, "upd": upd, "wi": np.array([0, bad])},
                        ["node 'kv' (TensorScatter)", f"is {bad}, outside [0, 3]"])


def size_cases(c):
    """Sizes read from the inputs' data: an intermediate too big to
    allocate, one whose byte size wraps, and an output too big for the
    caller."""
    ins = [fvi(n, [], TensorProto.INT64) for n in "sld"]
    so = c.compiled("range_sum", model_of(
        [helper.make_node("Range", ["s", "l", "d"], ["r"], name="range"),
         helper.make_node("ReduceSum", ["r"], ["y"], keepdims=0, name="sum")],
        ins, [fvi("y", [], TensorProto.INT64)]))
    if so:
        def feeds(limit):
            return {"s": np.array(0), "l": np.array(limit), "d": np.array(1)}
        c.run_equal("Range of 1000 summed", so, feeds(1000),
                    {"y": np.array(499500)})
        c.run_error("Range of 2^40 elements (allocation fails)", so,
                    feeds(2**40), ["out of memory", "a buffer of 87960930222"])
        c.run_error("Range of 2^62 elements (byte size wraps)", so,
                    feeds(2**62), ["out of memory", "2^48 bytes"])
        c.run_equal("the same artifact runs again after a failed run", so,
                    feeds(10), {"y": np.array(45)})
    so = c.compiled("range_out", model_of(
        [helper.make_node("Range", ["s", "l", "d"], ["y"], name="range")],
        ins, [fvi("y", ["n"], TensorProto.INT64)]))
    if so:
        c.run_error("Range output too big for the caller", so,
                    {"s": np.array(0), "l": np.array(2**61),
                     "d": np.array(1)},
                    ["output 'y' would need more than this machine's"])
    so = c.compiled("constant_of_shape", model_of(
        [helper.make_node("ConstantOfShape", ["shape"], ["z"], name="cos"),
         helper.make_node("ReduceMax", ["z"], ["y"], keepdims=0, name="max")],
        [fvi("shape", [2], TensorProto.INT64)], [fvi("y", [])]))
    if so:
        c.run_error("ConstantOfShape of 2^31 x 2^31", so,
                    {"shape": np.array([2**31, 2**31])}, ["out of memory"])
        c.run_error("ConstantOfShape with a negative dim", so,
                    {"shape": np.array([-1, 2**62])},
                    ["node 'cos' (ConstantOfShape)", "shape entry 0 is negative"])
    so = c.compiled("tile_runtime", model_of(
        [helper.make_node("Tile", ["x", "r"], ["y"], name="tile")],
        [fvi("x", [2, 3]), fvi("r", [2], TensorProto.INT64)],
        [fvi("y", None)]))
    if so:
        c.run_error("Tile with negative repeats", so,
                    {"x": np.ones((2, 3), np.float32), "r": np.array([2, -1])},
                    ["node 'tile' (Tile)", "dimension 1 of the result negative"])
    so = c.compiled("split_runtime", model_of(
        [helper.make_node("Split", ["x", "s"], ["a", "b"], axis=0,
                          name="split")],
        [fvi("x", [3, 2]), fvi("s", [2], TensorProto.INT64)],
        [fvi("a", None), fvi("b", None)]))
    if so:
        c.run_error("Split sizes 5 and -2 of 3 rows", so,
                    {"x": np.ones((3, 2), np.float32), "s": np.array([5, -2])},
                    ["node 'split' (Split)", "split size 1 is negative"])
    so = c.compiled("expand_runtime", model_of(
        [helper.make_node("Expand", ["x", "s"], ["y"], name="expand")],
        [fvi("x", [1, 2]), fvi("s", [2], TensorProto.INT64)],
        [fvi("y", None)]))
    if so:
        c.run_error("Expand to a negative dim", so,
                    {"x": np.ones((1, 2), np.float32), "s": np.array([-4, 2])},
                    ["node 'expand' (Expand)", "dimension 0 of the result negative"])
    so = c.compiled("pad_runtime", model_of(
        [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad")],
        [fvi("x", ["n", 4]), fvi("pads", [4], TensorProto.INT64)],
        [fvi("y", None)]))
    if so:
        x = np.arange(12, dtype=np.float32).reshape(3, 4)
        c.run_equal("Pad with run-time pads cropping", so,
                    {"x": x, "pads": np.array([-1, 0, 1, -2])},
                    {"y": np.pad(x[1:, :2], ((0, 1), (0, 0)))})
        c.run_error("Pad cropping more than the axis has", so,
                    {"x": x, "pads": np.array([-2, 0, -2, 0])},
                    ["node 'pad' (Pad)", "dimension 0 of the result negative"])
    so = c.compiled("pad_edge", model_of(
        [helper.make_node("Pad", ["x", "pads"], ["y"], mode="edge",
                          name="pad")],
        [fvi("x", ["n", 2])], [fvi("y", None)],
        [numpy_helper.from_array(np.array([1, 0, 1, 0], np.int64), "pads")]))
    if so:
        c.run_error("edge Pad of an empty axis", so,
                    {"x": np.zeros((0, 2), np.float32)},
                    ["node 'pad' (Pad)", "edge padding of dimension 0"])

def quantize_cases(c):
    """Scales and zero points whose static length must cover a symbolic
    axis: found in session 19, a [3] scale read along 300000 rows crashed."""
    so = c.compiled("dq_axis", model_of(
        [helper.make_node("DequantizeLinear", ["x", "s"], ["y"], axis=0,
                          name="dq")],
        [fvi("x", ["n", 3], TensorProto.UINT8)], [fvi("y", ["n", 3])],
        [numpy_helper.from_array(np.full(3, 0.5, np.float32), "s")]))
    if so:
        x = np.arange(9, dtype=np.uint8).reshape(3, 3)
        c.run_equal("per-axis DequantizeLinear, 3 rows", so, {"x": x},
                    {"y": x.astype(np.float32) * 0.5})
        c.run_error("per-axis scale of 3 along 300000 rows", so,
                    {"x": np.zeros((300000, 3), np.uint8)},
                    ["node 'dq' (DequantizeLinear)", "one element per index"])
    so = c.compiled("dq_blocked", model_of(
        [helper.make_node("DequantizeLinear", ["x", "s"], ["y"], axis=1,
                          block_size=4, name="dqb")],
        [fvi("x", [2, "k"], TensorProto.UINT8)], [fvi("y", [2, "k"])],
        [numpy_helper.from_array(np.ones((2, 2), np.float32), "s")],
        opset=[helper.make_opsetid("", 21)]))
    if so:
        c.run_error("blocked scale of 2 blocks along 400000", so,
                    {"x": np.zeros((2, 400000), np.uint8)},
                    ["node 'dqb' (DequantizeLinear)", "ceil(input's / block_size)"])
