#!/usr/bin/env python3
"""The quantized suite (issue 23): mcc's int8 builds against mcc's own
float build of the same network and against onnxruntime (and OpenVINO
when it is installed), on the same files, same threads.

  bench/quantized.py                # the suite, 1 and 2 threads
  bench/quantized.py --only gemm    # the int8 GEMM 1024^3 only
  bench/quantized.py --top1 200     # the classifiers' top-1 agreement

Models, quantized here with onnxruntime.quantization:
  gemm_int8_1024   MatMulInteger u8 x s8 1024^3 with constant weights, as
                   % of the measured peak of the instruction the int8
                   kernels use here (bench/peak_int8.c)
  bert_dynamic     the BERT-base encoder of bench_models.py through
                   quantize_dynamic (DynamicQuantizeLinear + MatMulInteger)
  bert_dynamic_rr  the same with reduce_range (7-bit weights, where
                   onnxruntime's non-VNNI kernels do not saturate)
  resnet50_qdq     torchvision's ResNet-50 (random weights, batch norm
                   statistics from a seeded batch) through quantize_static:
                   QDQ, per-channel S8S8, a seeded calibration reader
  mobilenet_v2_qdq the same for MobileNetV2
  resnet50_qop     ResNet-50 through quantize_static in the QOperator
                   format (QLinearConv, com.microsoft QLinearAdd,
                   QLinearGlobalAveragePool, QGemm)
  bert_nbits       the BERT encoder's MatMuls through onnxruntime's
                   MatMulNBitsQuantizer (4-bit blocks of 32, asymmetric):
                   com.microsoft MatMulNBits
  bert_nbits_seq1  the same at sequence length 1: every weight read once per
                   call (bound by the weights' bytes; mcc keeps them 4-bit)
  bert_nbits_int8  bert_nbits with accuracy_level 4: activations may be
                   quantized to 8 bits (onnxruntime and mcc then multiply
                   in integers)
  bert_nbits_a8    bert_nbits' file, mcc compiling it with
                   --int8-activations (what OpenVINO's CPU plugin does with
                   4-bit weights by default: 8-bit activations per group)

For each model and thread count, ROUNDS rounds alternate mcc-int8,
mcc-fp32, onnxruntime-int8 (and OpenVINO-int8); each round is the median
of ITERS runs, and the line prints the median over rounds and the ratios
mcc-int8 / mcc-fp32 and mcc-int8 / each peer (below 1: mcc-int8 faster).
Models mcc cannot compile yet are listed with the error's first line.
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
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
import bench_models  # noqa: E402
import harness  # noqa: E402


def measure_int8_peak(work, threads):
    """The int8 peak in GOP/s (2 per multiply-add) and its instruction."""
    exe = os.path.join(work, "peak_int8")
    if not os.path.exists(exe):
        subprocess.run(["clang-22", "-O2", "-march=native",
                        os.path.join(HERE, "peak_int8.c"), "-o", exe,
                        "-lpthread"], check=True)
    best, isa = 0.0, "?"
    for _ in range(3):
        out = subprocess.run([exe, str(threads)], capture_output=True,
                             text=True).stdout
        m = re.search(r"gops=([0-9.]+) isa=(\S+)", out)
        if m and float(m.group(1)) > best:
            best, isa = float(m.group(1)), m.group(2)
    return best, isa


def gemm_int8(work, m=1024, k=1024, n=1024):
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(
        rng.integers(-127, 127, (k, n), endpoint=True, dtype=np.int8), "b"),
        numpy_helper.from_array(np.array(128, np.uint8), "za")]
    g = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b", "za"], ["y"], name="mm")],
        "gemm_int8", [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])], inits)
    path = os.path.join(work, "gemm_int8_1024.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              path)
    return path, None, 2.0 * m * k * n


def bert_dynamic(work, reduce_range):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    model, _ = bench_models.bert_encoder()
    f32 = os.path.join(work, "bert_fp32.onnx")
    if not os.path.exists(f32):
        onnx.save(model, f32)
    name = "bert_dynamic_rr" if reduce_range else "bert_dynamic"
    path = os.path.join(work, name + ".onnx")
    quantize_dynamic(f32, path, weight_type=QuantType.QInt8,
                     reduce_range=reduce_range)
    return path, f32, None


def bert_nbits(work, seq=128, accuracy_level=None):
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer)
    model, _ = bench_models.bert_encoder(seq=seq)
    tag = "" if seq == 128 else f"_seq{seq}"
    f32 = os.path.join(work, f"bert{tag}_fp32.onnx")
    if not os.path.exists(f32):
        onnx.save(model, f32)
    q = MatMulNBitsQuantizer(onnx.load(f32), algo_config=(
        DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=False,
                                     accuracy_level=accuracy_level)))
    q.process()
    if accuracy_level is not None:
        tag += f"_acc{accuracy_level}"
    path = os.path.join(work, f"bert_nbits{tag}.onnx")
    q.model.save_model_to_file(path)
    return path, f32, None


def cnn_qdq(work, name, torch_python, fmt="QDQ"):
    """torchvision's `name` exported by test/torchvision/export_models.py
    and quantized by quantize_static (`fmt`: QDQ or QOperator, per-channel
    S8S8, 4 seeded calibration images): (path, fp32 path, None)."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                          QuantType, quantize_static)
    subprocess.run([torch_python, os.path.join(HERE, "..", "test",
                                               "torchvision",
                                               "export_models.py"),
                    work, "17", name], check=True, capture_output=True)
    f32 = os.path.join(work, f"{name}_opset17.onnx")

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(1)
            self.data = iter([{"input": rng.standard_normal(
                (1, 3, 224, 224)).astype(np.float32)} for _ in range(4)])

        def get_next(self):
            return next(self.data, None)

    path = os.path.join(work, f"{name}_{fmt.lower()}.onnx")
    quantize_static(f32, path, Reader(), quant_format=QuantFormat[fmt],
                    per_channel=True, activation_type=QuantType.QInt8,
                    weight_type=QuantType.QInt8)
    return path, f32, None


# onnxruntime's warnings (unused initializers in quantize_static's output)
# would bury the figures.
ort.set_default_logger_severity(3)


def feeds_for(path):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    return {i.name: harness.random_input(rng, i.type, i.shape)
            for i in sess.get_inputs()}


def mcc_median(bin_dir, so, threads, iters, inputs):
    out = subprocess.run(
        [f"{bin_dir}/mcc-run", so, "--bench", str(iters), "--threads",
         str(threads)] + inputs, check=True, capture_output=True,
        text=True).stdout
    return float(re.search(r"median_ms=([0-9.]+)", out).group(1))


def session_median(run, iters):
    for _ in range(3):
        run()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def ort_runner(path, threads, feeds):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    return lambda: sess.run(None, feeds)


def openvino_runner(path, threads, feeds):
    """OpenVINO's CPU plugin on the file's own int8 (f32 inference
    precision: no bf16), or None when it is not installed or cannot
    compile the file."""
    try:
        import openvino as ov
    except ImportError:
        return None
    core = ov.Core()
    try:
        compiled = core.compile_model(path, "CPU", {
            "INFERENCE_NUM_THREADS": threads,
            "INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"})
    except RuntimeError as e:
        # (It cannot convert QOperator ResNet-50's QLinearConv/QLinearAdd.)
        why = [l for l in str(e).splitlines() if l.startswith("--")]
        print(f"  openvino cannot run {os.path.basename(path)}: "
              f"{why[0] if why else str(e).splitlines()[0]}", flush=True)
        return None
    request = compiled.create_infer_request()
    return lambda: request.infer(feeds)


# mcc options per model (the peers run the same file as it is).
MCC_ARGS = {"bert_nbits_a8": ["--int8-activations"]}


def compile_or_error(bin_dir, path, so, extra=()):
    r = subprocess.run([f"{bin_dir}/mcc", path, "-o", so, "-O3", *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        return lines[0] if lines else f"exit {r.returncode}"
    return None


def top1(args, work, name, path, count):
    """How often mcc's top-1 class equals onnxruntime's on the same file,
    over `count` seeded random inputs (standard normal images, as in
    calibration). With random weights the top classes are near ties, so
    the line also gives the noise floor: how often onnxruntime with its
    graph optimizations (fused integer kernels) agrees with onnxruntime
    without them (the QDQ graph run op by op), on the same inputs."""
    so = os.path.join(work, name + ".so")
    err = compile_or_error(args.bin, path, so, MCC_ARGS.get(name, ()))
    if err:
        print(f"{name:<18} not compiled: {err}", flush=True)
        return
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    plain = ort.InferenceSession(path, opts,
                                 providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    rng = np.random.default_rng(7)
    agree = self_agree = 0
    x_path = os.path.join(work, f"{name}_top1.npy")
    out_dir = os.path.join(work, f"{name}_top1_out")
    for _ in range(count):
        x = rng.standard_normal(inp.shape).astype(np.float32)
        np.save(x_path, x)
        subprocess.run([f"{args.bin}/mcc-run", so, "--input",
                        f"{inp.name}={x_path}", "--output-dir", out_dir],
                       check=True, capture_output=True)
        ref = np.argmax(sess.run(None, {inp.name: x})[0])
        got = np.load(os.path.join(out_dir, os.listdir(out_dir)[0]))
        agree += int(np.argmax(got) == ref)
        self_agree += int(np.argmax(plain.run(None, {inp.name: x})[0]) == ref)
    print(f"{name:<18} top-1 equal to onnxruntime's on {agree}/{count} "
          f"inputs; onnxruntime unoptimized agrees with it on "
          f"{self_agree}/{count}", flush=True)


def bench(args, work, name, path, f32, ops, peaks):
    so = os.path.join(work, name + ".so")
    err = compile_or_error(args.bin, path, so, MCC_ARGS.get(name, ()))
    if err:
        print(f"{name:<18} not compiled: {err}", flush=True)
        return
    so32 = None
    if f32:
        so32 = os.path.join(work, name + "_fp32.so")
        err = compile_or_error(args.bin, f32, so32)
        if err:
            print(f"{name:<18} fp32 build not compiled: {err}", flush=True)
            so32 = None
    feeds = feeds_for(path)
    inputs = []
    for k, v in feeds.items():
        f = os.path.join(work, f"{name}_{k}.npy")
        np.save(f, v)
        inputs += ["--input", f"{k}={f}"]
    inputs32 = []
    if so32:
        for k, v in feeds_for(f32).items():
            f = os.path.join(work, f"{name}_fp32_{k}.npy")
            np.save(f, v)
            inputs32 += ["--input", f"{k}={f}"]
    for threads in args.threads:
        peers = {"ort": ort_runner(path, threads, feeds)}
        ov_run = openvino_runner(path, threads, feeds)
        if ov_run:
            peers["openvino"] = ov_run
        t = {"mcc": [], "mcc_fp32": [], **{p: [] for p in peers}}
        for _ in range(args.rounds):
            time.sleep(0.2)  # onnxruntime's workers spin after a run
            t["mcc"].append(mcc_median(args.bin, so, threads, args.iters,
                                       inputs))
            if so32:
                t["mcc_fp32"].append(mcc_median(args.bin, so32, threads,
                                                args.iters, inputs32))
            for p, run in peers.items():
                time.sleep(0.2)
                t[p].append(session_median(run, args.iters))
        med = {k: statistics.median(v) for k, v in t.items() if v}
        line = f"{name:<18} {threads:>2} mcc_int8 {med['mcc']:9.3f} ms"
        if "mcc_fp32" in med:
            line += (f"  mcc_fp32 {med['mcc_fp32']:9.3f}"
                     f"  int8/fp32 {med['mcc'] / med['mcc_fp32']:5.2f}")
        for p in peers:
            line += f"  {p} {med[p]:9.3f}  mcc/{p} {med['mcc'] / med[p]:5.2f}"
        if ops:
            peak, isa = peaks.setdefault(threads,
                                         measure_int8_peak(work, threads))
            line += (f"  {ops / (med['mcc'] * 1e6) / peak * 100:5.1f}% of "
                     f"{peak:.0f} GOP/s ({isa})")
        print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--only", nargs="*", default=None,
                    help="models to run: gemm, bert_dynamic, bert_dynamic_rr, "
                    "resnet50_qdq, mobilenet_v2_qdq, resnet50_qop, "
                    "bert_nbits, bert_nbits_seq1, bert_nbits_int8, bert_nbits_a8")
    ap.add_argument("--top1", type=int, default=0, metavar="N",
                    help="instead of timing: top-1 agreement with "
                    "onnxruntime on N random inputs (the QDQ classifiers)")
    ap.add_argument("--torch-python", default="/usr/bin/python3",
                    help="the python with torch and torchvision (Debian's)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mcc-qbench-")
    builders = {
        "gemm": lambda: ("gemm_int8_1024",) + gemm_int8(work),
        "bert_dynamic": lambda: ("bert_dynamic",) + bert_dynamic(work, False),
        "bert_dynamic_rr": lambda: ("bert_dynamic_rr",) + bert_dynamic(work, True),
        "resnet50_qdq": lambda: ("resnet50_qdq",) + cnn_qdq(
            work, "resnet50", args.torch_python),
        "mobilenet_v2_qdq": lambda: ("mobilenet_v2_qdq",) + cnn_qdq(
            work, "mobilenet_v2", args.torch_python),
        "resnet50_qop": lambda: ("resnet50_qop",) + cnn_qdq(
            work, "resnet50", args.torch_python, "QOperator"),
        "bert_nbits": lambda: ("bert_nbits",) + bert_nbits(work),
        "bert_nbits_seq1": lambda: ("bert_nbits_seq1",) + bert_nbits(work, 1),
        "bert_nbits_int8": lambda: ("bert_nbits_int8",) + bert_nbits(
            work, accuracy_level=4),
        "bert_nbits_a8": lambda: ("bert_nbits_a8",) + bert_nbits(work),
    }
    peaks = {}
    print(f"# medians of {args.rounds} alternated rounds x {args.iters} runs",
          flush=True)
    for key, build in builders.items():
        if args.only is not None and key not in args.only:
            continue
        if args.top1 and key not in ("resnet50_qdq", "mobilenet_v2_qdq",
                                     "resnet50_qop"):
            continue
        name, path, f32, ops = build()
        if args.top1:
            top1(args, work, name, path, args.top1)
        else:
            bench(args, work, name, path, f32, ops, peaks)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
