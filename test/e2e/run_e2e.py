#!/usr/bin/env python3
"""End-to-end tests: ONNX model -> mcc -> .so -> mcc-run, compared with
onnxruntime; plus the bad-input contract (clear one-line error, exit != 0).

Usage: run_e2e.py BIN_DIR WORK_DIR
Prints one line per test and a closing 'N passed, N failed'.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5
results = []


def record(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}: {name}{(' -- ' + detail) if detail else ''}",
          flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def check_model(bin_dir, work, name, model, opt="-O2"):
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(model, path)
    so = os.path.join(work, f"{name}{opt}.so")
    r = run([f"{bin_dir}/mcc", path, "-o", so, opt])
    if r.returncode != 0:
        return record(f"{name} {opt}", False, "compile: " + r.stderr.strip())
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(42)
    feeds, args = {}, []
    for i in sess.get_inputs():
        x = rng.standard_normal(i.shape).astype(np.float32)
        f = os.path.join(work, f"{name}_{i.name}.npy")
        np.save(f, x)
        feeds[i.name] = x
        args += ["--input", f"{i.name}={f}"]
    out_dir = os.path.join(work, f"{name}{opt}_out")
    r = run([f"{bin_dir}/mcc-run", so, "--output-dir", out_dir] + args)
    if r.returncode != 0:
        return record(f"{name} {opt}", False, "run: " + r.stderr.strip())
    worst = 0.0
    for o, ref in zip(sess.get_outputs(), sess.run(None, feeds)):
        got = np.load(os.path.join(out_dir, f"{o.name}.npy"))
        if got.shape != ref.shape:
            return record(f"{name} {opt}", False, f"shape {got.shape} vs {ref.shape}")
        worst = max(worst, float(np.abs(got - ref).max()))
        if not np.allclose(got, ref, rtol=RTOL, atol=ATOL):
            return record(f"{name} {opt}", False, f"max |diff| {worst:.3g}")
    record(f"{name} {opt}", True, f"max |diff| {worst:.3g}")


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
         helper.make_node("Hardmax", ["x"], ["h"], name="hardmax_node"),
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
    g.node.pop()
    g.output.pop()
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), uns)
    expect_error(bin_dir, "unsupported ops listed together", [uns, "--check"],
                 ["node 'det_node' (Det)", "node 'hardmax_node' (Hardmax)",
                  "opset 17", "2 unsupported ops"])

    # Wrong input shape at run time: the runtime refuses it.
    so = os.path.join(work, "mlp-O2.so")
    bad = os.path.join(work, "bad_input.npy")
    np.save(bad, np.zeros((3, 64), np.float32))
    r = run([f"{bin_dir}/mcc-run", so, "--input", f"input={bad}"])
    record("error: wrong input shape at run time",
           r.returncode != 0 and "dimension 0 is 3" in r.stderr, r.stderr.strip())


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    for name, build in models.MODELS.items():
        for opt in ("-O2", "-O0"):
            check_model(bin_dir, work, name, build(), opt)
    bad_inputs(bin_dir, work)
    passed = sum(results)
    failed = len(results) - passed
    print(f"e2e: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
