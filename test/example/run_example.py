#!/usr/bin/env python3
"""The consumer contract: install mcc to a fresh prefix, configure and build
examples/classify against it with find_package(mcc) + mcc_add_model(), run
it, and compare what it prints with onnxruntime on the same input.

Usage: run_example.py BUILD_DIR SOURCE_DIR WORK_DIR CMAKE C_COMPILER
"""
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402
import models  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5


def step(what, cmd):
    r = harness.run(cmd)
    if r.returncode != 0:
        print(f"FAIL: {what}\n$ {' '.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
        sys.exit(1)
    print(f"ok: {what}", flush=True)
    return r.stdout


def main():
    build, source, work, cmake, cc = sys.argv[1:6]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prefix = os.path.join(work, "prefix")
    step("install mcc", [cmake, "--install", build, "--prefix", prefix])

    model = models.resnet_like()
    model_path = os.path.join(work, "model.onnx")
    onnx.save(model, model_path)

    ex_build = os.path.join(work, "build")
    step("configure examples/classify",
         [cmake, "-S", os.path.join(source, "examples", "classify"), "-B",
          ex_build, "-G", "Ninja", f"-DCMAKE_C_COMPILER={cc}",
          f"-Dmcc_DIR={prefix}/lib/cmake/mcc", f"-DCLASSIFY_MODEL={model_path}"])
    step("build examples/classify", [cmake, "--build", ex_build])
    header = os.path.join(ex_build, "mcc_models", "classifier", "classifier.h")
    if not os.path.exists(header):
        print(f"FAIL: no generated header at {header}")
        return 1
    out = step("run classify", [os.path.join(ex_build, "classify")])

    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    shape = sess.get_inputs()[0].shape
    x = (((np.arange(np.prod(shape)) % 17) - 8) / 8.0).astype(np.float32)
    ref = sess.run(None, {sess.get_inputs()[0].name: x.reshape(shape)})[0]
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    got = np.array([float(v) for v in lines["output"].split()], np.float32)
    if got.size != ref.size or not np.allclose(got, ref.ravel(), RTOL, ATOL):
        print(f"FAIL: outputs differ from onnxruntime\n got {got}\n ref {ref.ravel()}")
        return 1
    if lines.get("concurrent runs", "").strip() != "identical":
        print("FAIL: concurrent runs gave different results")
        return 1
    diff = float(np.abs(got - ref.ravel()).max())
    print(f"PASS: example matches onnxruntime (max |diff| {diff:.3g}); "
          "concurrent runs identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
