#!/usr/bin/env python3
"""The concurrency test: compiles a small model to an object with mcc, links
it with concurrency_test.c and a build of the runtime, and runs it: plain,
and under ThreadSanitizer (the runtime built with -fsanitize=thread; the
generated code is not instrumented, the runtime's pool, run records and
allocation cache are).

Usage: run_concurrency.py BIN_DIR WORK_DIR CC RUNTIME_LIB TSAN_RUNTIME_LIB
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def model():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((100, 32)).astype(np.float32)
    w = rng.standard_normal((32, 32)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["e"], axis=0,
                          name="embed"),
         helper.make_node("Add", ["e", "x"], ["s"], name="add"),
         helper.make_node("MatMul", ["s", "w"], ["m"], name="mm"),
         helper.make_node("Relu", ["m"], ["y"], name="relu")],
        "concurrency",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [64]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 32])],
        [numpy_helper.from_array(table, "table"),
         numpy_helper.from_array(w, "w")])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def main():
    bin_dir, work, cc, runtime, tsan_runtime = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "model.onnx")
    onnx.save(model(), path)
    obj = os.path.join(work, "model.o")
    subprocess.run([f"{bin_dir}/mcc", path, "--emit", "obj", "-o", obj],
                   check=True)
    ok = True
    for name, lib, flags in (("plain", runtime, []),
                             ("tsan", tsan_runtime, ["-fsanitize=thread"])):
        exe = os.path.join(work, f"concurrency_{name}")
        subprocess.run(
            [cc, "-O1", "-g", "-I", os.path.join(HERE, "..", "..", "runtime",
                                                 "include"),
             os.path.join(HERE, "concurrency_test.c"), obj, lib, "-lm",
             "-lpthread", "-o", exe] + flags, check=True)
        env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1")
        r = subprocess.run([exe], capture_output=True, text=True, env=env,
                           timeout=600)
        print(f"{'PASS' if r.returncode == 0 else 'FAIL'}: concurrency "
              f"({name}): {r.stdout.strip()} {r.stderr.strip()[:3000]}",
              flush=True)
        ok = ok and r.returncode == 0
    print(f"{int(ok) * 2} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
