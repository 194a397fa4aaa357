#!/usr/bin/env python3
"""Acceptance test: torchvision classifiers exported at opset 13 and 17
compile with mcc and match onnxruntime (rtol 1e-3, atol 1e-4).

Usage: run_torchvision.py BIN_DIR WORK_DIR TORCH_PYTHON [MODEL ...]
The export runs under TORCH_PYTHON (Debian's python3 with python3-torch);
the comparison runs under this interpreter (onnx + onnxruntime from pip).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402

RTOL, ATOL = 1e-3, 1e-4
OPSETS = (13, 17)


# Also compiled with a symbolic batch (peel-batch: one artifact, the static
# kernels per sample).
DYNAMIC = ("resnet18", "mobilenet_v2")


def dynamic_batch(bin_dir, work, name, path):
    import onnx
    m = onnx.load(path)
    for v in list(m.graph.input) + list(m.graph.output):
        d = v.type.tensor_type.shape.dim[0]
        d.Clear()
        d.dim_param = "N"
    del m.graph.value_info[:]
    dyn = os.path.join(work, name + "_dyn.onnx")
    onnx.save(m, dyn)
    x = m.graph.input[0]
    dims = [d.dim_value for d in x.type.tensor_type.shape.dim[1:]]
    sets = [{x.name: [n] + dims} for n in (1, 3)]
    return harness.compile_and_compare(bin_dir, work, name + "_dyn", dyn,
                                       ["-O2"], RTOL, ATOL, shape_sets=sets)


def main():
    bin_dir, work, torch_python = sys.argv[1:4]
    names = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for opset in OPSETS:
        r = harness.run([torch_python, os.path.join(HERE, "export_models.py"),
                         work, str(opset)] + names)
        if r.returncode != 0:
            print(f"FAIL: export at opset {opset} -- {r.stderr.strip()[-2000:]}")
            return 1
        for path in r.stdout.split():
            name = os.path.basename(path)[:-len(".onnx")]
            ok, detail = harness.compile_and_compare(
                bin_dir, work, name, path, ["-O2"], RTOL, ATOL)
            harness.report(name, ok, detail)
            passed += ok
            failed += not ok
            if opset == OPSETS[-1] and name.split("_opset")[0] in DYNAMIC:
                ok, detail = dynamic_batch(bin_dir, work, name, path)
                harness.report(name + " batch N in 1, 3", ok, detail)
                passed += ok
                failed += not ok
    print(f"torchvision: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
