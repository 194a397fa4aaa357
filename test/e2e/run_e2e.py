#!/usr/bin/env python3
"""End-to-end tests: ONNX model -> mcc -> .so -> mcc-run, compared with
onnxruntime; plus the bad-input contract (clear one-line error, exit != 0).

Usage: run_e2e.py BIN_DIR WORK_DIR
Prints one line per test and a closing 'N passed, N failed'.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import models  # noqa: E402
import ms_ops  # noqa: E402
import quantized  # noqa: E402
from harness import run  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5
results = []


def record(name, ok, detail=""):
    results.append(ok)
    harness.report(name, ok, detail)


def check_model(bin_dir, work, name, model, opt, threads):
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(model, path)
    ok, detail = harness.compile_and_compare(
        bin_dir, work, name, path, [opt], RTOL, ATOL,
        run_args=["--threads", str(threads)])
    record(f"{name} {opt} --threads {threads}", ok, detail)


def expect_error(bin_dir, name, args, must_contain):
    r = run([f"{bin_dir}/mcc"] + args)
    err = r.stderr.strip()
    ok = (r.returncode not in (0,) and r.returncode > 0 and
          all(s in err for s in must_contain) and "Stack dump" not in err)
    record(f"error: {name}", ok, err.splitlines()[0] if err else "(no message)")


def bad_inputs(bin_dir, work):
    good = os.path.join(work, "mlp.onnx")
    data = open(good, "rb").read()
    trunc = os.path.join(work, "truncated.onnx")
    open(trunc, "wb").write(data[: len(data) // 2])
    expect_error(bin_dir, "truncated file", [trunc, "-o", "/dev/null"],
                 ["not a valid ONNX model"])
    text = os.path.join(work, "text.onnx")
    open(text, "w").write("this is not a model\n" * 10)
    expect_error(bin_dir, "non-ONNX file", [text], ["ONNX model"])
    expect_error(bin_dir, "missing file", [os.path.join(work, "nope.onnx")],
                 ["no such file"])

    # External data that points out of the model's folder.
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[4])
    t.data_location = TensorProto.EXTERNAL
    for k, v in [("location", "../secret.bin"), ("offset", "0"), ("length", "16")]:
        e = t.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph(
        [helper.make_node("Add", ["x", "W"], ["y"], name="add")], "ext",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])], [t])
    ext = os.path.join(work, "external.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), ext)
    expect_error(bin_dir, "external data with ..", [ext], ["'..' is not allowed"])

    # Several unsupported ops: all listed with node, op type and opset.
    g = helper.make_graph(
        [helper.make_node("Det", ["x"], ["d"], name="det_node"),
         helper.make_node("Bernoulli", ["x"], ["h"], name="bernoulli_node"),
         helper.make_node("Foo", ["x"], ["f"], name="foo_node", domain="com.acme")],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 3])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in "dhf"])
    uns = os.path.join(work, "unsupported.onnx")
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                            helper.make_opsetid("com.acme", 1)])
    onnx.save(m, uns)
    expect_error(bin_dir, "unsupported custom-domain op", [uns],
                 ["node 'foo_node' (Foo)", "com.acme"])
    # Nodes after it that read its result are not reported again: one
    # line for the op.
    down = helper.make_graph(
        [helper.make_node("Foo", ["x"], ["f"], name="foo_node", domain="com.acme"),
         helper.make_node("Relu", ["f"], ["r"], name="after_foo"),
         helper.make_node("Add", ["r", "x"], ["y"], name="after_after")],
        "downstream",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    path = os.path.join(work, "unsupported_downstream.onnx")
    onnx.save(helper.make_model(down, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.acme", 1)]), path)
    r = run([f"{bin_dir}/mcc", path, "-o", os.devnull])
    lines = r.stderr.strip().splitlines()
    record("error: one line per unsupported op, not per reader",
           r.returncode != 0 and len(lines) == 1 and "foo_node" in lines[0],
           r.stderr.strip())
    g.node.pop()
    g.output.pop()
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), uns)
    expect_error(bin_dir, "unsupported ops listed together", [uns, "--check"],
                 ["node 'det_node' (Det)", "node 'bernoulli_node' (Bernoulli)",
                  "opset 17", "2 unsupported ops"])

    # Known ops with attributes we cannot lower yet: the error names the
    # attribute, and --check lists every such node, not only the first.
    g = helper.make_graph(
        [helper.make_node("Resize", ["x", "", "scales"], ["p"], mode="linear",
                          antialias=1, name="smooth_resize"),
         helper.make_node("LpNormalization", ["p"], ["y"], p=3,
                          name="lp3")],
        "attrs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.array([1, 1, 0.5, 0.5], np.float32),
                                 "scales")])
    attrs = os.path.join(work, "attrs.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
              attrs)
    expect_error(bin_dir, "unsupported attribute names it", [attrs, "-o",
                 os.path.join(work, "attrs.so")],
                 ["node 'smooth_resize' (Resize)", "antialias is not supported"])
    expect_error(bin_dir, "--check lists every unsupported attribute",
                 [attrs, "--check"],
                 ["antialias is not supported",
                  "node 'lp3' (LpNormalization)", "p must be 1 or 2"])

    # Wrong input shape at run time: the runtime refuses it.
    so = os.path.join(work, "mlp-O2.so")
    bad = os.path.join(work, "bad_input.npy")
    np.save(bad, np.zeros((3, 64), np.float32))
    r = run([f"{bin_dir}/mcc-run", so, "--input", f"input={bad}"])
    record("error: wrong input shape at run time",
           r.returncode != 0 and "dimension 0 is 3" in r.stderr, r.stderr.strip())


def edge_cases(bin_dir, work):
    """Graphs that once crashed the compiler: two outputs that are the same
    tensor; zero-sized Split pieces and Concat inputs."""
    g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="relu"),
         helper.make_node("Identity", ["r"], ["y1"], name="i1"),
         helper.make_node("Identity", ["r"], ["y2"], name="i2")], "dup",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [4])
         for n in ("y1", "y2")])
    check_model(bin_dir, work, "same_value_twice",
                helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
                "-O2", 1)
    split = numpy_helper.from_array(np.array([8, 0], np.int64), "split")
    g = helper.make_graph(
        [helper.make_node("Split", ["x", "split"], ["a", "b"], axis=1, name="s"),
         helper.make_node("Relu", ["a"], ["ra"], name="r"),
         helper.make_node("Concat", ["ra", "b"], ["y"], axis=1, name="c")],
        "zero", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])], [split])
    check_model(bin_dir, work, "zero_sized_pieces",
                helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
                "-O2", 1)
    # Boolean initializers (a Loop's condition, a Where mask; one byte each
    # in raw_data, or int32_data) were refused as "1-bit element types".
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(
        (rng.standard_normal((16, 16)) * 0.3).astype(np.float32), "w")
    body = helper.make_graph(
        [helper.make_node("MatMul", ["y_in", "w"], ["m"], name="body_mm"),
         helper.make_node("Relu", ["m"], ["y_out"], name="body_relu"),
         helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_c")],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_in", TensorProto.FLOAT, [4, 16])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_out", TensorProto.FLOAT, [4, 16])])
    mask = helper.make_tensor("mask", TensorProto.BOOL, [4, 16],
                              (rng.random(64) > 0.5).tolist())  # int32_data
    g = helper.make_graph(
        [helper.make_node("Loop", ["n", "c", "x"], ["l"], body=body,
                          name="loop"),
         helper.make_node("Where", ["mask", "l", "x"], ["y"], name="where")],
        "bools", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 16])],
        [w, numpy_helper.from_array(np.array(3, np.int64), "n"),
         numpy_helper.from_array(np.array(True), "c"), mask])
    check_model(bin_dir, work, "bool_initializers",
                helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
                "-O2", 1)
    # PyTorch's export of F.pad (a pad table reversed, transposed and
    # flattened) and of `if x.size(0):` (Cast of a dim to bool): both fold
    # at compile time; Cast(2) to bool once folded to false, the wrong
    # branch (silero-vad's recurrent state was dropped that way).
    def const(name, value):
        return numpy_helper.from_array(np.asarray(value, np.int64), name)
    then_g = helper.make_graph(
        [helper.make_node("Relu", ["p"], ["t"], name="then_relu")], "then",
        [], [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
    else_g = helper.make_graph(
        [helper.make_node("Neg", ["p"], ["e"], name="else_neg")], "else",
        [], [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)])
    g = helper.make_graph(
        [helper.make_node("Slice", ["table", "m1", "big", "z", "m1"], ["rev"],
                          name="pad_rev"),
         helper.make_node("Transpose", ["rev"], ["tr"], perm=[1, 0],
                          name="pad_tr"),
         helper.make_node("Reshape", ["tr", "m1"], ["pads"], name="pad_flat"),
         helper.make_node("Pad", ["x", "pads"], ["p"], mode="reflect",
                          name="pad"),
         helper.make_node("Shape", ["x"], ["shape"], name="shape"),
         helper.make_node("Gather", ["shape", "z0"], ["dim0"], name="dim0"),
         helper.make_node("Cast", ["dim0"], ["cond"], to=TensorProto.BOOL,
                          name="cond"),
         helper.make_node("If", ["cond"], ["y"], then_branch=then_g,
                          else_branch=else_g, name="if")],
        "torch_forms", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                      [2, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [const("table", [[0, 3], [0, 0]]), const("m1", [-1]),
         const("big", [-(2**63 - 1)]), const("z", [0]), const("z0", 0)])
    check_model(bin_dir, work, "torch_pad_and_size_if",
                helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
                "-O2", 1)


def opset_semantics(bin_dir, work):
    """Ops whose meaning changed between opsets, at the old opset, against
    onnxruntime (which honors the model's opset); and the onnx wheel's
    light models (opset 9: zoo CNNs with generated weights) against the
    outputs shipped with them, for the input onnx's backend test feeds
    them (arange / n)."""
    # Before opset 13 Softmax, LogSoftmax and Hardmax flatten the input to
    # 2-D at axis (default 1) and normalize over everything after it.
    vi = helper.make_tensor_value_info
    g = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["sm"], name="sm"),
         helper.make_node("LogSoftmax", ["x"], ["lsm"], axis=0, name="lsm"),
         helper.make_node("Hardmax", ["x"], ["hm"], name="hm"),
         helper.make_node("Softmax", ["x"], ["last"], axis=-1, name="last")],
        "legacy_softmax", [vi("x", TensorProto.FLOAT, [2, 3, 4])],
        [vi(n, TensorProto.FLOAT, [2, 3, 4]) for n in ("sm", "lsm", "hm",
                                                        "last")])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 11)])
    for opt, threads in (("-O2", 2), ("-O0", 1)):
        check_model(bin_dir, work, "softmax_opset11", model, opt, threads)
    # Upsample (opsets 7 and 9) and Resize before opset 11 (X, scales):
    # asymmetric coordinates; nearest floors when upsampling and ceils
    # when downsampling.
    scales = lambda v: numpy_helper.from_array(np.array(v, np.float32),
                                               "scales")
    for name, opset, node, inits, shape in (
            ("upsample7_nearest", 7, helper.make_node(
                "Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 3.0]), [],
             [1, 2, 3, 4]),
            ("upsample7_bilinear", 7, helper.make_node(
                "Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 2.0],
                mode="linear"), [], [1, 2, 3, 4]),
            ("upsample9_linear", 9, helper.make_node(
                "Upsample", ["x", "scales"], ["y"], mode="linear"),
             [scales([1, 1, 1.5, 2.5])], [1, 2, 3, 4]),
            ("resize10_nearest_up", 10, helper.make_node(
                "Resize", ["x", "scales"], ["y"], mode="nearest"),
             [scales([1, 1, 2, 1.5])], [1, 2, 3, 4]),
            ("resize10_nearest_down", 10, helper.make_node(
                "Resize", ["x", "scales"], ["y"], mode="nearest"),
             [scales([1, 1, 0.5, 0.6])], [1, 2, 6, 10]),
            ("resize10_linear_down", 10, helper.make_node(
                "Resize", ["x", "scales"], ["y"], mode="linear"),
             [scales([1, 1, 0.5, 0.6])], [1, 2, 6, 10])):
        g = helper.make_graph([node], name, [vi("x", TensorProto.FLOAT, shape)],
                              [vi("y", TensorProto.FLOAT, None)], inits)
        model = helper.make_model(
            g, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 7  # onnxruntime reads Upsample-7 only there
        check_model(bin_dir, work, name, model, "-O2", 1)
    # BatchNormalization at opset 7: spatial=0 has per-element statistics
    # of [C, H, W]; spatial=1 (the default) per channel.
    rng = np.random.default_rng(5)
    for spatial, pshape in ((0, (3, 4, 5)), (1, (3,))):
        inits = [numpy_helper.from_array(
            rng.standard_normal(pshape).astype(np.float32), n)
            for n in ("s", "b", "m")]
        inits.append(numpy_helper.from_array(
            (rng.random(pshape) + 0.5).astype(np.float32), "v"))
        g = helper.make_graph(
            [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                              ["y"], spatial=spatial, epsilon=1e-3)],
            f"bn7_spatial{spatial}", [vi("x", TensorProto.FLOAT, [2, 3, 4, 5])],
            [vi("y", TensorProto.FLOAT, None)], inits)
        model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 7)])
        model.ir_version = 7
        check_model(bin_dir, work, f"batchnorm7_spatial{spatial}", model, "-O2",
                    1)
    light = os.path.join(os.path.dirname(onnx.__file__), "backend", "test",
                         "data", "light")
    for f in sorted(os.listdir(light)):
        if not f.endswith(".onnx"):
            continue
        name = f[:-len(".onnx")]
        path = os.path.join(light, f)
        m = onnx.load(path)
        inits = {i.name for i in m.graph.initializer}
        (x,) = [i for i in m.graph.input if i.name not in inits]
        shape = [d.dim_value if d.HasField("dim_value") else 1
                 for d in x.type.tensor_type.shape.dim]
        n = int(np.prod(shape))
        feed = (np.arange(n).reshape(shape) / n).astype(np.float32)
        want = numpy_helper.to_array(onnx.load_tensor(
            os.path.join(light, f"{name}_output_0.pb")))
        ok, detail = harness.compile_and_compare(
            bin_dir, work, name, path, ["-O2"], RTOL, ATOL,
            shape_sets=[{x.name: shape}],
            reference=lambda feeds, w=want: [w],
            make_input=lambda rng, typ, shp, v=feed: v)
        record(f"{name} (onnx's light model) -O2", ok, detail)


def dynamic_shapes(bin_dir, work):
    """Symbolic dims: one artifact runs every size; inputs whose dims do not
    fit together are refused with the node's name."""
    input_dims = {"mlp": [64], "resnet_like": [3, 32, 32],
                  "mobilenet_like": [3, 32, 32], "nchw_edges": [24, 20, 20]}
    for name, build in models.MODELS.items():
        path = os.path.join(work, f"{name}_dyn.onnx")
        onnx.save(build(batch="N"), path)
        sets = [{"input": [n] + input_dims[name]} for n in (1, 3, 8)]
        for opt, threads in (("-O2", 2), ("-O0", 1)):
            ok, detail = harness.compile_and_compare(
                bin_dir, work, f"{name}_dyn", path, [opt], RTOL, ATOL,
                run_args=["--threads", str(threads)], shape_sets=sets)
            record(f"{name} batch N in 1, 3, 8 {opt}", ok, detail)
    # A symbolic sequence (not a batch: attention mixes its rows). The
    # weight matmuls run in static chunks of rows (tile-dynamic-rows):
    # lengths below one tail chunk, between chunks and above a whole one.
    rng = np.random.default_rng(3)
    weights = [numpy_helper.from_array(
        (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32), n)
        for n, shape in (("w1", (32, 48)), ("b1", (48,)), ("w2", (48, 32)),
                         ("b2", (32,)))]
    g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
         helper.make_node("Add", ["h1", "b1"], ["h2"], name="bias1"),
         helper.make_node("Relu", ["h2"], ["h3"], name="relu"),
         helper.make_node("MatMul", ["h3", "w2"], ["h4"], name="fc2"),
         helper.make_node("Add", ["h4", "b2"], ["h5"], name="bias2"),
         helper.make_node("Add", ["h5", "x"], ["h"], name="residual"),
         helper.make_node("Transpose", ["h"], ["ht"], perm=[0, 2, 1],
                          name="keys"),
         helper.make_node("MatMul", ["h", "ht"], ["scores"], name="qk"),
         helper.make_node("Softmax", ["scores"], ["probs"], axis=-1,
                          name="softmax"),
         helper.make_node("MatMul", ["probs", "h"], ["y"], name="pv")],
        "seq", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                              [1, "S", 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "S", 32])],
        weights)
    path = os.path.join(work, "seq_dyn.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
              path)
    sets = [{"x": [1, s, 32]} for s in (1, 5, 16, 17, 130, 300)]
    ok, detail = harness.compile_and_compare(
        bin_dir, work, "seq_dyn", path, ["-O2"], RTOL, ATOL,
        run_args=["--threads", "2"], shape_sets=sets)
    record("symbolic sequence in 1, 5, 16, 17, 130, 300", ok, detail)
    # Two inputs with their own symbolic dims: numpy broadcasting decided at
    # run time (a dim of 1 stretches), then a mismatch.
    g = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["c"], name="add"),
         helper.make_node("MatMul", ["c", "w"], ["y"], name="mm")], "bcast",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["A", "K"]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["B", "L"]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, ["K2", 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    path = os.path.join(work, "bcast_dyn.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
              path)
    sets = [{"a": [3, 4], "b": [3, 4], "w": [4, 5]},
            {"a": [3, 1], "b": [1, 4], "w": [4, 5]},
            {"a": [1, 6], "b": [2, 1], "w": [6, 5]}]
    ok, detail = harness.compile_and_compare(
        bin_dir, work, "bcast_dyn", path, ["-O2"], RTOL, ATOL, shape_sets=sets)
    record("broadcast of symbolic dims at run time", ok, detail)
    so = os.path.join(work, "bcast_dyn-O2.so")
    r = run([f"{bin_dir}/mcc-run", so, "--shape", "a=2x3", "--shape", "b=3x3",
             "--shape", "w=3x5"])
    record("error: symbolic dims that do not broadcast",
           r.returncode != 0 and "node 'add' (Add)" in r.stderr and
           "a 2x3, b 3x3" in r.stderr, r.stderr.strip())
    r = run([f"{bin_dir}/mcc-run", so, "--shape", "a=2x3", "--shape", "b=2x3",
             "--shape", "w=4x5"])
    record("error: inner dims of a MatMul differ",
           r.returncode != 0 and "node 'mm' (MatMul)" in r.stderr and
           "inner dimensions" in r.stderr, r.stderr.strip())
    r = run([f"{bin_dir}/mcc-run", so])
    record("error: a random input needs its symbolic dims",
           r.returncode != 0 and "--shape" in r.stderr, r.stderr.strip())


def quantized_models(bin_dir, work):
    """Integer matmuls (the int8 kernels and the generic loops), models
    from onnxruntime's quantizers and its com.microsoft quantized ops,
    against onnxruntime."""
    # vnni-portable: the AVX512-VNNI kernels' packing, tails and zero-point
    # corrections in plain vector code, so that hosts without VNNI test
    # them too (only the instruction itself is left to VNNI hosts).
    configs = (["-O2"], 2), (["-O0"], 1), (["-O2", "--int8-kernels=vnni-portable"], 2)
    for name, path, sets, rtol, atol, ref in (quantized.cases(work) +
                                              ms_ops.cases(work)):
        for args, threads in configs:
            ok, detail = harness.compile_and_compare(
                bin_dir, work, name, path, args, rtol, atol,
                run_args=["--threads", str(threads)], shape_sets=sets,
                reference=ref)
            record(f"{name} {' '.join(args)} --threads {threads}", ok, detail)
    # Run-time dims that do not fit: a clear error naming the node.
    path, bad = quantized.bad_shapes(work)
    so = os.path.join(work, "mmi_bad_shapes.so")
    r = run([f"{bin_dir}/mcc", path, "-o", so])
    record("quantized: compile mmi_bad_shapes", r.returncode == 0, r.stderr)
    for shape_args, text in bad:
        r = run([f"{bin_dir}/mcc-run", so] + shape_args)
        ok = r.returncode == 1 and text in r.stderr
        record(f"quantized: refused {' '.join(shape_args)}", ok,
               r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "")


def external_weights(bin_dir, work):
    """--weights=external: same outputs; a missing or foreign weights file is
    refused at open with a clear error."""
    path = os.path.join(work, "resnet_like.onnx")
    ok, detail = harness.compile_and_compare(
        bin_dir, work, "resnet_like", path, ["-O2", "--weights=external"],
        RTOL, ATOL)
    record("resnet_like --weights=external", ok, detail)
    so = os.path.join(work, "resnet_like-O2--weightsexternal.so")
    weights = so[:-3] + ".weights"
    record("--weights=external leaves the weights out of the .so",
           os.path.getsize(so) < 200_000 and os.path.exists(weights),
           f"{os.path.getsize(so)} bytes .so")
    moved = weights + ".moved"
    os.replace(weights, moved)
    r = run([f"{bin_dir}/mcc-run", so])
    record("error: weights file missing",
           r.returncode != 0 and "cannot open weights file" in r.stderr,
           r.stderr.strip())
    r = run([f"{bin_dir}/mcc-run", so, "--weights", moved])
    record("--weights PATH finds a moved weights file", r.returncode == 0,
           r.stderr.strip())
    fifo = os.path.join(work, "fifo.weights")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    r = run([f"{bin_dir}/mcc-run", so, "--weights", fifo], timeout=60)
    record("error: weights path is a FIFO (no hang)",
           r.returncode != 0 and "not a regular file" in r.stderr,
           r.stderr.strip())
    foreign = os.path.join(work, "foreign.weights")
    data = bytearray(open(moved, "rb").read())
    data[8] ^= 0xFF  # another model's id
    open(foreign, "wb").write(bytes(data))
    r = run([f"{bin_dir}/mcc-run", so, "--weights", foreign])
    record("error: weights file of another model",
           r.returncode != 0 and "does not belong to this model" in r.stderr,
           r.stderr.strip())


def profiling(bin_dir, work):
    """mcc --profile: the same outputs; mcc-run --profile lists every kernel
    with its nodes, the kernels' times add up to the run's, the Chrome trace
    has one event per kernel; an artifact without timers is refused."""
    import json
    import re
    for name, model, opt, run_args, shape_sets in (
            ("resnet_like", models.resnet_like(), "-O2", ["--threads", "2"],
             None),
            ("mlp_dyn", models.mlp(batch="N"), "-O2", [], [{"input": [3, 64]}]),
            ("resnet_like", models.resnet_like(), "-O0", [], None)):
        path = os.path.join(work, f"{name}.onnx")
        onnx.save(model, path)
        ok, detail = harness.compile_and_compare(
            bin_dir, work, name, path, [opt, "--profile"], RTOL, ATOL,
            run_args=run_args + ["--profile", "--bench", "3"],
            shape_sets=shape_sets)
        record(f"{name} {opt} --profile", ok, detail)
        so = os.path.join(work, f"{name}{opt}--profile.so")
        trace = os.path.join(work, f"{name}{opt}.json")
        shape = ["--shape", "input=3x64"] if shape_sets else []
        r = run([f"{bin_dir}/mcc-run", so, "--profile", "--bench", "5",
                 "--profile-json", trace] + shape)
        m = re.search(r"profile: (\d+) kernels, 5 runs; kernels sum ([\d.]+) "
                      r"ms per run, the profiled runs' median ([\d.]+) ms",
                      r.stdout)
        lines = r.stdout.splitlines()
        head = [i for i, l in enumerate(lines) if "ONNX nodes" in l]
        rows = [l for l in lines[head[0] + 1:] if l.strip()] if head else []
        nodes = {n.name for n in model.graph.node}
        named = {n for n in nodes if n in r.stdout}
        ok = r.returncode == 0 and m is not None and \
            len(rows) == int(m.group(1)) > 0 and float(m.group(2)) > 0
        if ok:
            events = json.load(open(trace))["traceEvents"]
            ok = len(events) == len(rows) and all(
                e["ph"] == "X" and e["dur"] >= 0 for e in events)
            # Every conv and matmul is covered by a kernel.
            heavy = {n.name for n in model.graph.node
                     if n.op_type in ("Conv", "Gemm", "MatMul")}
            covered = {x for e in events for x in e["args"]["nodes"]}
            ok = ok and heavy <= covered
        record(f"mcc-run --profile {name} {opt}: kernels, nodes, trace", ok,
               (m.group(0) if m else r.stdout[-300:]) + r.stderr.strip() +
               f" ({len(named)} of {len(nodes)} nodes named)")
    plain = os.path.join(work, "resnet_like-O2.so")
    r = run([f"{bin_dir}/mcc-run", plain, "--profile"])
    record("error: --profile on an artifact without timers",
           r.returncode != 0 and "compile it with mcc --profile" in r.stderr,
           r.stderr.strip())


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    for name, build in models.MODELS.items():
        # Two threads go through the runtime's pool, one runs inline.
        for opt, threads in (("-O2", 2), ("-O0", 1)):
            check_model(bin_dir, work, name, build(), opt, threads)
    edge_cases(bin_dir, work)
    opset_semantics(bin_dir, work)
    dynamic_shapes(bin_dir, work)
    quantized_models(bin_dir, work)
    external_weights(bin_dir, work)
    profiling(bin_dir, work)
    bad_inputs(bin_dir, work)
    passed = sum(results)
    failed = len(results) - passed
    print(f"e2e: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
