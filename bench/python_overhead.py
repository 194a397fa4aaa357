#!/usr/bin/env python3
"""Python call overhead of mcc.Model.run over the C ABI (issue 25).

One tiny model (Relu of 4 floats, and an Add of two inputs), compiled
once; alternated rounds of N calls from C (bench/abi_calls.c through
dlopen, the same artifact) and from Python (Model.run with a dict of
numpy arrays, outputs allocated per call), one thread. Prints the medians
per call and their difference, the overhead the issue bounds at 10 us.

    PYTHONPATH=build/python python3 bench/python_overhead.py [--calls N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def tiny_models():
    f = TensorProto.FLOAT
    relu = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "relu",
        [helper.make_tensor_value_info("x", f, [4])],
        [helper.make_tensor_value_info("y", f, [4])])
    add = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"])], "add",
        [helper.make_tensor_value_info("a", f, [2, 8]),
         helper.make_tensor_value_info("b", f, [2, 8])],
        [helper.make_tensor_value_info("y", f, [2, 8])])
    return {"relu[4]": helper.make_model(relu), "add[2x8]": helper.make_model(add)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    import mcc

    work = tempfile.mkdtemp(prefix="mcc-pyov-")
    exe = os.path.join(work, "abi_calls")
    subprocess.run(["clang-22", "-O2", "-I",
                    os.path.join(HERE, "..", "runtime", "include"),
                    os.path.join(HERE, "abi_calls.c"), "-o", exe, "-ldl"],
                   check=True)
    for name, model in tiny_models().items():
        so = os.path.join(work, name.split("[")[0] + ".so")
        m = mcc.compile(model, so, num_threads=1)
        feeds = {i.name: np.ones([d for d in i.shape], i.dtype)
                 for i in m.inputs}
        for _ in range(1000):
            m.run(feeds)
        c_ns, py_ns = [], []
        for _ in range(args.rounds):
            out = subprocess.run([exe, so, str(args.calls), "2"], check=True,
                                 capture_output=True, text=True).stdout
            c_ns.append(float(out.split()[-1]))  # the warm round
            t0 = time.perf_counter_ns()
            for _ in range(args.calls):
                m.run(feeds)
            py_ns.append((time.perf_counter_ns() - t0) / args.calls)
        c, py = statistics.median(c_ns), statistics.median(py_ns)
        print(f"{name:10s} C ABI {c / 1e3:6.2f} us/call   Python Model.run "
              f"{py / 1e3:6.2f} us/call   overhead {(py - c) / 1e3:5.2f} us "
              f"({args.rounds} alternated rounds x {args.calls} calls, "
              f"medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
