"""Shared by the end-to-end tests: compile an ONNX file with mcc, run the
artifact with mcc-run on seeded random inputs, compare every output with
onnxruntime's."""
import os
import re
import subprocess

import numpy as np
import onnxruntime as ort


def run(cmd, timeout=900, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          **kw)


def report(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}: {name}{(' -- ' + detail) if detail else ''}",
          flush=True)


# Integer inputs cover their type's whole range (quantized models).
INT_INPUTS = {"tensor(uint8)": np.uint8, "tensor(int8)": np.int8}


def random_input(rng, ort_type, shape):
    """Seeded random data for an input of onnxruntime type `ort_type`."""
    if ort_type in INT_INPUTS:
        info = np.iinfo(INT_INPUTS[ort_type])
        return rng.integers(info.min, info.max, size=shape, endpoint=True,
                            dtype=INT_INPUTS[ort_type])
    return rng.standard_normal(shape).astype(np.float32)


def compile_and_compare(bin_dir, work, name, path, mcc_args, rtol, atol,
                        run_args=(), shape_sets=None, reference=None,
                        make_input=random_input):
    """Returns (ok, detail). `name` keys the files written under `work`.
    `shape_sets`: a list of {input name: shape} to run the one artifact
    with (models with symbolic dims); by default the model's own shapes.
    `reference`: feeds -> expected outputs, instead of onnxruntime's.
    `make_input`: (rng, onnxruntime type, shape) -> an input (seeded
    random data by default)."""
    tag = name + "".join(a.replace("=", "") for a in mcc_args)
    so = os.path.join(work, f"{tag}.so")
    r = run([f"{bin_dir}/mcc", path, "-o", so] + list(mcc_args))
    if r.returncode != 0:
        return False, "compile: " + r.stderr.strip()
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(42)
    worst = 0.0
    for k, shapes in enumerate(shape_sets or [{}]):
        feeds, args = {}, []
        for i in sess.get_inputs():
            x = make_input(rng, i.type, shapes.get(i.name, i.shape))
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", i.name)
            f = os.path.join(work, f"{name}_{k}_{safe}.npy")
            np.save(f, x)
            feeds[i.name] = x
            args += ["--input", f"{i.name}={f}"]
        out_dir = os.path.join(work, f"{tag}_out{k}")
        r = run([f"{bin_dir}/mcc-run", so, "--output-dir", out_dir] + args +
                list(run_args))
        if r.returncode != 0:
            return False, "run: " + r.stderr.strip()
        refs = reference(feeds) if reference else sess.run(None, feeds)
        for o, ref in zip(sess.get_outputs(), refs):
            # mcc-run's file name for the output.
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", o.name)
            got = np.load(os.path.join(out_dir, f"{safe}.npy"))
            if got.shape != ref.shape:
                return False, f"{o.name}: shape {got.shape} vs {ref.shape}"
            diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
            worst = max(worst, float(diff.max()) if diff.size else 0.0)
            if not np.allclose(got, ref, rtol=rtol, atol=atol):
                return False, f"{o.name}: max |diff| {worst:.3g} ({shapes})"
    return True, f"max |diff| {worst:.3g}"
