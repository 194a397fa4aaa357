"""Shared by the end-to-end tests: compile an ONNX file with mcc, run the
artifact with mcc-run on seeded random inputs, compare every output with
onnxruntime's."""
import os
import subprocess

import numpy as np
import onnxruntime as ort


def run(cmd, timeout=900, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          **kw)


def report(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}: {name}{(' -- ' + detail) if detail else ''}",
          flush=True)


def compile_and_compare(bin_dir, work, name, path, mcc_args, rtol, atol,
                        run_args=(), shape_sets=None):
    """Returns (ok, detail). `name` keys the files written under `work`.
    `shape_sets`: a list of {input name: shape} to run the one artifact
    with (models with symbolic dims); by default the model's own shapes."""
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
            x = rng.standard_normal(shapes.get(i.name, i.shape)).astype(np.float32)
            f = os.path.join(work, f"{name}_{k}_{i.name}.npy")
            np.save(f, x)
            feeds[i.name] = x
            args += ["--input", f"{i.name}={f}"]
        out_dir = os.path.join(work, f"{tag}_out{k}")
        r = run([f"{bin_dir}/mcc-run", so, "--output-dir", out_dir] + args +
                list(run_args))
        if r.returncode != 0:
            return False, "run: " + r.stderr.strip()
        for o, ref in zip(sess.get_outputs(), sess.run(None, feeds)):
            got = np.load(os.path.join(out_dir, f"{o.name}.npy"))
            if got.shape != ref.shape:
                return False, f"{o.name}: shape {got.shape} vs {ref.shape}"
            worst = max(worst, float(np.abs(got - ref).max()))
            if not np.allclose(got, ref, rtol=rtol, atol=atol):
                return False, f"{o.name}: max |diff| {worst:.3g} ({shapes})"
    return True, f"max |diff| {worst:.3g}"
