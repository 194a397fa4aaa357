#!/usr/bin/env python3
"""Compile time, peak compile memory and latency of mcc against onnxruntime.

For each model: compile with mcc -O3 (wall time and the compiler's peak
resident memory), then for each thread count alternate ROUNDS times
between `mcc-run --bench` and an onnxruntime session with the same thread
count, and print the median and p90 of each and the ratio of medians
(mcc / onnxruntime; below 1 means mcc is faster). For kernels with a known
FLOP count the line also gives mcc's and onnxruntime's share of the
machine's FMA peak, which the bench measures (bench/peak.c, built with
clang for the host, per thread count) first and again next to every
kernel, keeping the highest reading: a shared host can make one low.

  bench/bench.py --suite          # the issue-4 suite, 1 and 2 threads:
                                  # kernels, ResNet-50, MobileNetV2, BERT
                                  # (pinned, and with a symbolic sequence
                                  # run at 128)
  bench/bench.py --kernels        # only the GEMM/conv kernels
  bench/bench.py --bert-symbolic  # only the symbolic-sequence encoder
  bench/bench.py --torchvision    # the six torchvision CNNs of issue 2
  bench/bench.py --onnx F ...     # any models with static input shapes

Without a selection it runs the small test models of test/e2e/models.py.
"""
import argparse
import os
import re
import shutil
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
import bench_models  # noqa: E402


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def measure_peak(work, threads):
    """GFLOP/s of FMA chains on the host's widest vectors on `threads`
    threads, or None."""
    cc = shutil.which("clang-22") or shutil.which("clang") or shutil.which("cc")
    exe = os.path.join(work, "peak")
    if not os.path.exists(exe):
        if not cc or subprocess.run(
                [cc, "-O2", "-march=native", os.path.join(HERE, "peak.c"),
                 "-o", exe, "-lpthread"], capture_output=True).returncode:
            return None
    best = 0.0
    for _ in range(3):
        out = subprocess.run([exe, str(threads)], capture_output=True,
                             text=True).stdout
        m = re.search(r"gflops=([0-9.]+)", out)
        if m:
            best = max(best, float(m.group(1)))
    return best or None


def compile_model(mcc, path, so):
    """Compiles; returns (seconds, peak resident MiB of the compiler).

    The peak is the compiler process's VmHWM, sampled every 5 ms until it
    exits (rusage's ru_maxrss would include this Python process's own
    pages, inherited through fork)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([mcc, path, "-o", so, "-O3"])
    peak_kib = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak_kib = max(peak_kib, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"mcc failed on {path}")
    return seconds, peak_kib / 1024.0


def ort_times_ms(sess, feeds, iters):
    for _ in range(3):
        sess.run(None, feeds)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def bench_model(args, work, path, flops, peaks, shapes=None):
    """shapes: {input: dims} to run a model with symbolic dims at."""
    shapes = shapes or {}
    name = os.path.basename(path)[:-len(".onnx")]
    so = os.path.join(work, name + ".so")
    compile_s, compile_mib = compile_model(f"{args.bin}/mcc", path, so)
    for threads in args.threads:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(path, opts,
                                    providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(0)
        feeds = {i.name: rng.standard_normal(shapes.get(i.name, i.shape))
                 .astype(np.float32) for i in sess.get_inputs()}
        shape_args = [a for n, d in shapes.items()
                      for a in ("--shape", n + "=" + "x".join(map(str, d)))]
        mcc_med, mcc_p90, ort_ms = [], [], []
        for _ in range(args.rounds):
            # onnxruntime's workers spin for a while after a run; measured
            # right after, mcc's second thread would share a core with them.
            time.sleep(0.2)
            out = subprocess.run(
                [f"{args.bin}/mcc-run", so, "--bench", str(args.iters),
                 "--threads", str(threads)] + shape_args,
                check=True, capture_output=True, text=True).stdout
            mcc_med.append(float(re.search(r"median_ms=([0-9.]+)", out).group(1)))
            mcc_p90.append(float(re.search(r"p90_ms=([0-9.]+)", out).group(1)))
            ort_ms.append(ort_times_ms(sess, feeds, args.iters))
        m = statistics.median(mcc_med)
        mp90 = statistics.median(mcc_p90)
        o = statistics.median([statistics.median(t) for t in ort_ms])
        op90 = statistics.median([percentile(t, 0.9) for t in ort_ms])
        share = ""
        if flops and peaks.get(threads):
            # The peak is re-measured next to every kernel and the highest
            # reading kept: on a shared host one reading can come out low
            # and put kernels above 100%.
            peaks[threads] = max(peaks[threads],
                                 measure_peak(work, threads) or 0.0)
            peak = peaks[threads]
            share = (f" {flops / (m * 1e6) / peak * 100:6.1f}%"
                     f" {flops / (o * 1e6) / peak * 100:6.1f}%")
        print(f"{name:<26} {threads:>2} {compile_s:8.2f} {compile_mib:8.0f} "
              f"{m:9.3f} {mp90:9.3f} {o:9.3f} {op90:9.3f} {m / o:7.2f}{share}",
              flush=True)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--threads", type=int, nargs="+", default=None,
                    help="thread counts (default 1; --suite: 1 2)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--suite", action="store_true",
                    help="kernels, ResNet-50, MobileNetV2 and the BERT encoder")
    ap.add_argument("--kernels", action="store_true",
                    help="the GEMM/conv kernels (as %% of peak)")
    ap.add_argument("--bert", action="store_true",
                    help="the BERT-base-like encoder")
    ap.add_argument("--bert-symbolic", action="store_true",
                    help="the encoder with a symbolic sequence, run at 128 "
                         "(also in --suite)")
    ap.add_argument("--torchvision", action="store_true",
                    help="export and bench the six torchvision models")
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    ap.add_argument("--onnx", nargs="*", default=[],
                    help="more .onnx files to bench")
    ap.add_argument("--only-files", action="store_true",
                    help="skip the test models of test/e2e/models.py")
    args = ap.parse_args()
    args.threads = args.threads or ([1, 2] if args.suite else [1])
    work = tempfile.mkdtemp(prefix="mcc-bench-")
    jobs = []  # (path, flops or None, shapes or None)

    def add(name, model, flops=None, shapes=None):
        path = os.path.join(work, name + ".onnx")
        onnx.save(model, path)
        jobs.append((path, flops, shapes))

    selected = (args.suite or args.kernels or args.bert or args.bert_symbolic
                or args.torchvision)
    if not selected and not args.only_files:
        for name, build in models.MODELS.items():
            add(name, build())
    if args.suite or args.kernels:
        for name, build in bench_models.KERNELS.items():
            add(name, *build())
    if args.suite or args.torchvision:
        names = ["resnet50", "mobilenet_v2"] if not args.torchvision else []
        out = subprocess.run(
            [args.torch_python,
             os.path.join(HERE, "..", "test", "torchvision", "export_models.py"),
             work, "17", *names], check=True, capture_output=True,
            text=True).stdout
        jobs += [(p, None, None) for p in out.split()]
    if args.suite or args.bert:
        add("bert_base_encoder", *bench_models.bert_encoder())
    if args.suite or args.bert_symbolic:
        add("bert_symbolic_seq", *bench_models.bert_encoder(symbolic_seq=True),
            shapes={"x": [1, 128, 768]})
    jobs += [(p, None, None) for p in args.onnx]

    peaks = {}
    if any(f for _, f, _ in jobs):
        for t in args.threads:
            peaks[t] = measure_peak(work, t)
            print(f"# measured FMA peak, {t} thread(s): {peaks[t]} GFLOP/s",
                  flush=True)
    print(f"{'model':<26} {'th':>2} {'compile_s':>8} {'comp_MiB':>8} "
          f"{'mcc_ms':>9} {'mcc_p90':>9} {'ort_ms':>9} {'ort_p90':>9} "
          f"{'mcc/ort':>7} {'mcc%pk':>7} {'ort%pk':>7}"
          f"  (median of {args.rounds} rounds x {args.iters} runs)", flush=True)
    for path, flops, shapes in jobs:
        bench_model(args, work, path, flops, peaks, shapes)
    for t, peak in peaks.items():
        print(f"# FMA peak, {t} thread(s), highest reading of the run: "
              f"{peak} GFLOP/s (each kernel's % used the highest so far)",
              flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
