#!/usr/bin/env python3
"""Compile time and batch latency of mcc against onnxruntime, same run.

For each test model (test/e2e/models.py): compile with mcc (wall time), then
alternate ROUNDS times between `mcc-run --bench` and an onnxruntime session
with the same thread count, and print the median of each and their ratio
(mcc / onnxruntime; below 1 means mcc is faster).

With --torchvision, the acceptance models of issue 2 (ResNet-18/50,
MobileNetV2, MobileNetV3-small, SqueezeNet 1.1, EfficientNet-B0, opset 17)
are exported by Debian's python3-torch (test/torchvision/export_models.py)
and benchmarked too; --onnx FILE adds any model with static input shapes.

Usage: bench/bench.py [--bin build/bin] [--threads 1] [--rounds 5]
                      [--iters 20] [--torchvision] [--only-files]
                      [--onnx FILE ...]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
import models  # noqa: E402


def ort_median_ms(sess, feeds, iters):
    for _ in range(3):
        sess.run(None, feeds)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--torchvision", action="store_true",
                    help="also export and bench the torchvision models")
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    ap.add_argument("--onnx", nargs="*", default=[],
                    help="more .onnx files to bench")
    ap.add_argument("--only-files", action="store_true",
                    help="skip the test models of test/e2e/models.py")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mcc-bench-")
    paths = []
    if not args.only_files:
        for name, build in models.MODELS.items():
            paths.append(os.path.join(work, name + ".onnx"))
            onnx.save(build(), paths[-1])
    if args.torchvision:
        out = subprocess.run(
            [args.torch_python,
             os.path.join(HERE, "..", "test", "torchvision", "export_models.py"),
             work, "17"], check=True, capture_output=True, text=True).stdout
        paths += out.split()
    paths += args.onnx
    print(f"{'model':<26} {'compile_s':>9} {'mcc_ms':>9} {'ort_ms':>9} {'mcc/ort':>8}"
          f"  (threads={args.threads}, median of {args.rounds} rounds)", flush=True)
    for path in paths:
        name = os.path.basename(path)[:-len(".onnx")]
        so = os.path.join(work, name + ".so")
        t0 = time.perf_counter()
        subprocess.run([f"{args.bin}/mcc", path, "-o", so, "-O3"], check=True)
        compile_s = time.perf_counter() - t0
        so_opts = ort.SessionOptions()
        so_opts.intra_op_num_threads = args.threads
        so_opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(path, so_opts, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(0)
        feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32)
                 for i in sess.get_inputs()}
        mcc_ms, ort_ms = [], []
        for _ in range(args.rounds):
            out = subprocess.run(
                [f"{args.bin}/mcc-run", so, "--bench", str(args.iters),
                 "--threads", str(args.threads)],
                check=True, capture_output=True, text=True).stdout
            mcc_ms.append(float(re.search(r"median_ms=([0-9.]+)", out).group(1)))
            ort_ms.append(ort_median_ms(sess, feeds, args.iters))
        m, o = statistics.median(mcc_ms), statistics.median(ort_ms)
        print(f"{name:<26} {compile_s:9.2f} {m:9.3f} {o:9.3f} {m / o:8.2f}",
              flush=True)


if __name__ == "__main__":
    main()
