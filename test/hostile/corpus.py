"""What the hostile-input cases share: running the tools, recording
results, building small models (run_hostile.py runs the cases)."""
import os
import shutil
import signal
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper

OPSET = [helper.make_opsetid("", 17)]
CRASH_MARKS = ("Stack dump", "PLEASE submit", "Assertion", "LLVM ERROR",
               "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
               "runtime error:", "Segmentation fault")
results = []


def run(cmd, timeout=300):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def record(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}: {name}"
          f"{(' -- ' + detail) if detail else ''}", flush=True)


def clean_error(r, must_contain):
    """(ok, detail) for a command that must fail cleanly with exit 1."""
    if r is None:
        return False, "hung (timeout)"
    err = r.stderr.strip()
    first = err.splitlines()[0] if err else "(no message)"
    if r.returncode < 0:
        return False, f"killed by {signal.Signals(-r.returncode).name}: {first}"
    if r.returncode != 1:
        return False, f"exit {r.returncode}: {first}"
    if any(m in err for m in CRASH_MARKS):
        return False, "crash report: " + first
    missing = [s for s in must_contain if s not in err]
    if missing:
        return False, f"message lacks {missing}: {err[:300]}"
    return True, first


def save(model, path, check=False):
    if check:
        onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return path


def model_of(nodes, inputs, outputs, inits=(), opset=OPSET, name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=opset)


def fvi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


class Corpus:
    def __init__(self, bin_dir, work):
        self.bin, self.work = bin_dir, work

    def path(self, *parts):
        p = os.path.join(self.work, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def mcc(self, model_path, *args):
        so = os.path.splitext(model_path)[0] + ".so"
        return run([f"{self.bin}/mcc", model_path, "-o", so] + list(args)), so

    def compile_error(self, name, model_path, must_contain, args=()):
        r, _ = self.mcc(model_path, *args)
        record(f"compile: {name}", *clean_error(r, must_contain))

    def run_so(self, so, feeds, threads=1):
        args = []
        for k, v in feeds.items():
            f = os.path.join(self.work, f"in_{os.path.basename(so)}_{k}.npy")
            np.save(f, v)
            args += ["--input", f"{k}={f}"]
        out = so + ".out"
        shutil.rmtree(out, ignore_errors=True)
        return run([f"{self.bin}/mcc-run", so, "--output-dir", out,
                    "--threads", str(threads)] + args), out

    def run_error(self, name, so, feeds, must_contain, threads=1):
        r, _ = self.run_so(so, feeds, threads)
        record(f"run: {name}", *clean_error(r, must_contain))

    def run_equal(self, name, so, feeds, expected, threads=1):
        """Runs and compares each output with `expected` (a dict)."""
        r, out = self.run_so(so, feeds, threads)
        if r is None or r.returncode != 0:
            record(f"run: {name}", False,
                   "hung" if r is None else f"exit {r.returncode}: "
                   f"{r.stderr.strip()[:300]}")
            return
        for k, want in expected.items():
            got = np.load(os.path.join(out, f"{k}.npy"))
            if got.shape != want.shape or not np.allclose(
                    got, want, rtol=1e-5, atol=1e-6, equal_nan=True):
                record(f"run: {name}", False, f"{k}: {got} vs {want}")
                return
        record(f"run: {name}", True)

    def compiled(self, name, model):
        """Compiles `model`; records a failure and returns None if it
        does not compile."""
        r, so = self.mcc(save(model, self.path(name, "model.onnx")))
        if r is None or r.returncode != 0:
            record(f"compile: {name}", False,
                   "hung" if r is None else r.stderr.strip()[:300])
            return None
        return so
