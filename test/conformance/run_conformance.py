#!/usr/bin/env python3
"""ONNX backend node tests through mcc: the conformance scoreboard.

Every node test case of the installed onnx package (generated from its
Python case definitions; the wheel ships no node/ data) plus the packaged
simple/, pytorch-converted/ and pytorch-operator/ models is compiled with
mcc, run with mcc-run on the test's inputs, and compared with the test's
expected outputs at the test's tolerances (ONNX default rtol 1e-3, atol
1e-7). Tests run in parallel, each with a time limit.

Every test that passes runs again in a dynamic variant: every dim of every
graph input and output becomes symbolic (its own dim_param), so the model
compiles once without knowing any size. Exempt are the dims that are the
rank of a result, which mcc needs at compile time: the lengths of 1-D
integer inputs that an op reads as a shape, axes, pads, sizes or repeats
(SHAPE_INPUTS; their values stay run-time inputs) and the index-tuple
length of GatherND/ScatterND indices (LAST_DIM_INPUTS).

  run_conformance.py BIN_DIR WORK_DIR [--jobs N] [--filter REGEX]
      [--variant static|dynamic|both] [--write-doc docs/conformance.md]
      [--expected FILE] [--expected-dynamic FILE] [--update]
      [--results FILE.json]

--write-doc regenerates the scoreboard; --expected (--expected-dynamic)
compares the passing set of the static (dynamic) variant with a checked-in
list and fails on any difference (a regression, or an expected failure that
now passes: update the lists with --update).
"""
import argparse
import collections
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

STRING_TYPES = {onnx.TensorProto.STRING}
TRAINING_DOMAINS = {"ai.onnx.preview.training"}
ML_DOMAINS = {"ai.onnx.ml"}
COMPILE_TIMEOUT = 120
RUN_TIMEOUT = 60


# Inputs (by op type, input index) whose length is a result's rank.
SHAPE_INPUTS = {
    "Reshape": {1}, "Expand": {1}, "Tile": {1}, "ConstantOfShape": {0},
    "Slice": {1, 2, 3, 4}, "Pad": {1, 3}, "Resize": {1, 2, 3},
    "Upsample": {1}, "Squeeze": {1}, "Unsqueeze": {1}, "Split": {1},
    "ReduceSum": {1}, "ReduceMean": {1}, "ReduceMax": {1}, "ReduceMin": {1},
    "ReduceProd": {1}, "ReduceL1": {1}, "ReduceL2": {1},
    "ReduceLogSum": {1}, "ReduceLogSumExp": {1}, "ReduceSumSquare": {1},
    "CenterCropPad": {1}, "AffineGrid": {1}, "Col2Im": {1, 2},
    "MaxUnpool": {2}, "TopK": {1}, "OneHot": {1},
}


# Inputs (by op type, input index) whose last dim is a result's rank: the
# length of GatherND's and ScatterND's index tuples.
LAST_DIM_INPUTS = {"GatherND": {1}, "ScatterND": {1}}


def make_dynamic(model):
    """The model with every graph input and output dim symbolic (but the
    SHAPE_INPUTS lengths and LAST_DIM_INPUTS last dims) and no intermediate
    shapes."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    keep, keep_last = set(), set()
    for n in m.graph.node:
        for table, into in ((SHAPE_INPUTS, keep), (LAST_DIM_INPUTS, keep_last)):
            for i in table.get(n.op_type, ()):
                if i < len(n.input) and n.input[i]:
                    into.add(n.input[i])
    inits = {t.name for t in m.graph.initializer}
    for kind, values in (("in", m.graph.input), ("out", m.graph.output)):
        for k, v in enumerate(values):
            if v.name in inits or not v.type.HasField("tensor_type"):
                continue
            t = v.type.tensor_type
            if not t.HasField("shape") or v.name in keep:
                continue
            for j, d in enumerate(t.shape.dim):
                if v.name in keep_last and j == len(t.shape.dim) - 1:
                    continue
                d.Clear()
                d.dim_param = f"{kind}{k}_{j}"
    del m.graph.value_info[:]
    return m


class Case:
    def __init__(self, name, kind, model, data_sets, rtol=1e-3, atol=1e-7):
        self.name, self.kind, self.model = name, kind, model
        self.data_sets, self.rtol, self.atol = data_sets, rtol, atol


def node_cases():
    from onnx.backend.test.case import node
    for c in node.collect_testcases():
        yield Case(c.name, "node", c.model, c.data_sets, c.rtol, c.atol)


def packaged_cases():
    root = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    for kind in ("simple", "pytorch-converted", "pytorch-operator"):
        d = os.path.join(root, kind)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name, "model.onnx")
            if not os.path.exists(path):
                continue
            model = onnx.load(path)
            sets = []
            for ds in sorted(os.listdir(os.path.join(d, name))):
                dsd = os.path.join(d, name, ds)
                if not ds.startswith("test_data_set_"):
                    continue

                def read(prefix):
                    files = sorted((f for f in os.listdir(dsd) if f.startswith(prefix)),
                                   key=lambda f: int(re.findall(r"\d+", f)[0]))
                    out = []
                    for f in files:
                        t = onnx.TensorProto()
                        t.ParseFromString(open(os.path.join(dsd, f), "rb").read())
                        out.append(t)
                    return out
                sets.append((read("input_"), read("output_")))
            yield Case(name, kind, model, sets)


def exclusion(case):
    """Why a test is outside the scoreboard, or None."""
    m = case.model
    for o in m.opset_import:
        if o.domain in TRAINING_DOMAINS:
            return "training op"
        if o.domain in ML_DOMAINS:
            return "ai.onnx.ml"
    values = list(m.graph.input) + list(m.graph.output)
    for v in values:
        t = v.type
        if not t.HasField("tensor_type"):
            return "non-tensor input/output (sequence, map, optional)"
        if t.tensor_type.elem_type in STRING_TYPES:
            return "string tensors"
    return None


def as_array(x):
    if isinstance(x, onnx.TensorProto):
        return numpy_helper.to_array(x)
    return np.asarray(x)


_OP_NAMES = None


def op_of(case):
    """The op a test is about: the ONNX op whose name is the longest prefix
    of the test name (test_layer_normalization_2d -> LayerNormalization),
    else the graph's first node."""
    global _OP_NAMES
    if _OP_NAMES is None:
        _OP_NAMES = {s.name.lower(): s.name for s in onnx.defs.get_all_schemas()
                     if s.domain == ""}
    key = case.name.lower().removeprefix("test_").replace("_", "")
    best = ""
    for low in _OP_NAMES:
        if key.startswith(low) and len(low) > len(best):
            best = low
    if best:
        return _OP_NAMES[best]
    return case.model.graph.node[0].op_type if case.model.graph.node else "?"


def classify(stderr):
    """A failure class from mcc's one-line error."""
    line = next((l for l in stderr.splitlines() if "error:" in l), stderr.strip()[:200])
    if m := re.search(r"unsupported op (\w+)", line):
        return f"op {m.group(1)} not lowered yet"
    if m := re.search(r"cannot lower this op: (.*)", line):
        return "cannot lower: " + re.sub(r"'[^']*'", "'…'", m.group(1))[:100]
    if "symbolic dimension" in line:
        return "dynamic shape"
    if m := re.search(r"error: (.*)", line):
        msg = re.sub(r"^[^:]*\.onnx: ", "", m.group(1))
        msg = re.sub(r"node '[^']*' ", "", msg)
        return re.sub(r"'[^']*'", "'…'", msg)[:100]
    return line[:100] or "unknown"


def run_case(case, bin_dir, work, variant="static"):
    """Returns (status, detail): status in pass/fail/crash/timeout."""
    d = os.path.join(work, variant, case.kind, case.name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    model_path = os.path.join(d, "model.onnx")
    onnx.save(make_dynamic(case.model) if variant == "dynamic" else case.model,
              model_path)
    so = os.path.join(d, "model.so")
    try:
        r = subprocess.run([f"{bin_dir}/mcc", model_path, "-o", so, "-O1"],
                           capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timeout", "compile time limit"
    if r.returncode < 0 or "Stack dump" in r.stderr or "PLEASE submit" in r.stderr:
        return "crash", "compiler crash: " + classify(r.stderr)
    if r.returncode != 0:
        return "fail", classify(r.stderr)
    graph_inputs = [i for i in case.model.graph.input
                    if i.name not in {t.name for t in case.model.graph.initializer}]
    for k, (inputs, outputs) in enumerate(case.data_sets):
        args = []
        for i, x in zip(graph_inputs, inputs):
            f = os.path.join(d, f"in{k}_{len(args)}.npy")
            np.save(f, as_array(x))
            args += ["--input", f"{i.name}={f}"]
        out_dir = os.path.join(d, f"out{k}")
        try:
            r = subprocess.run([f"{bin_dir}/mcc-run", so, "--threads", "1",
                                "--output-dir", out_dir] + args,
                               capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return "timeout", "run time limit"
        if r.returncode < 0:
            return "crash", f"artifact crashed (signal {-r.returncode})"
        if r.returncode != 0:
            return "fail", "run: " + classify(r.stderr)
        for o, want in zip(case.model.graph.output, outputs):
            want = as_array(want)
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", o.name)
            got = np.load(os.path.join(out_dir, f"{safe}.npy"))
            if got.dtype.kind == "V" and got.dtype.itemsize == want.dtype.itemsize:
                got = got.view(want.dtype)  # bfloat16, float8...: raw bytes
            if got.shape != want.shape:
                return "fail", "wrong output shape"
            if want.dtype.kind == "V" or want.dtype.name.startswith("float8"):
                # ml_dtypes (bfloat16, float8, int4...): compare as float64
                exact = "int" in want.dtype.name
                got, want = got.astype(np.float64), want.astype(np.float64)
                ok = (np.array_equal(got, want, equal_nan=True) if exact else
                      np.allclose(got, want, rtol=case.rtol, atol=case.atol,
                                  equal_nan=True))
            elif want.dtype.kind in "fc":
                ok = np.allclose(got, want, rtol=case.rtol, atol=case.atol,
                                 equal_nan=True)
            else:
                ok = np.array_equal(got, want)
            if not ok:
                return "fail", "wrong values"
    shutil.rmtree(d, ignore_errors=True)
    return "pass", ""


def write_doc(path, results, dynamic, excluded, elapsed, jobs):
    total = len(results)
    passed = sum(1 for r in results.values() if r[1] == "pass")
    dyn_passed = sum(1 for r in dynamic.values() if r[1] == "pass")
    crashes = sorted(n for n, r in results.items() if r[1] == "crash")
    dyn_crashes = sorted(n for n, r in dynamic.items() if r[1] == "crash")
    # op -> [tests, static passes, dynamic passes, static reasons, dynamic]
    per_op = collections.defaultdict(
        lambda: [0, 0, 0, collections.Counter(), collections.Counter()])
    for name, (op, status, detail) in results.items():
        e = per_op[op]
        e[0] += 1
        if status == "pass":
            e[1] += 1
        else:
            e[3][f"{status}: {detail}" if status != "fail" else detail] += 1
    for name, (op, status, detail) in dynamic.items():
        e = per_op[op]
        if status == "pass":
            e[2] += 1
        else:
            e[4][f"{status}: {detail}" if status != "fail" else detail] += 1
    ex = collections.Counter(excluded.values())
    lines = [
        "# ONNX conformance",
        "",
        "Generated by `test/conformance/run_conformance.py --write-doc "
        "docs/conformance.md` (do not edit by hand).",
        "",
        f"- onnx {onnx.__version__} (opset {onnx.defs.onnx_opset_version()}); "
        f"{datetime.date.today().isoformat()}; {jobs} parallel jobs, "
        f"{elapsed:.0f} s.",
        f"- **{passed} of {total} applicable tests pass "
        f"({100.0 * passed / max(total, 1):.1f}%)**, static shapes, `-O1`, "
        "each test's own tolerances (default rtol 1e-3, atol 1e-7).",
        f"- **Dynamic variant: {dyn_passed} of {total} "
        f"({100.0 * dyn_passed / max(total, 1):.1f}%)**: each statically "
        "passing test again with every dim of every graph input and output "
        "symbolic (one artifact for any size), but the dims that are a "
        "result's rank: the lengths of 1-D integer inputs that an op reads "
        "as a shape, axes, pads, sizes or repeats (their values stay "
        "run-time inputs) and the index-tuple length of GatherND/ScatterND "
        "indices.",
        f"- Crashes (compiler or artifact): {len(crashes)} static"
        + (" (" + ", ".join(crashes) + ")" if crashes else "")
        + f", {len(dyn_crashes)} dynamic"
        + (" (" + ", ".join(dyn_crashes) + ")" if dyn_crashes else "") + ".",
        "- Tests: every node test case of the onnx package (generated from "
        "its case definitions) plus its simple/, pytorch-converted/ and "
        "pytorch-operator/ models.",
        "- Not applicable (" + str(sum(ex.values())) + "): " +
        ", ".join(f"{v} {k}" for k, v in sorted(ex.items())) + ".",
        "",
        "| op | tests | passed | dynamic | why the others fail | "
        "why the dynamic variant fails |",
        "|---|---:|---:|---:|---|---|",
    ]
    for op in sorted(per_op, key=lambda o: (-(per_op[o][0] - per_op[o][1]),
                                            -(per_op[o][1] - per_op[o][2]), o)):
        t, p, dp, why, dwhy = per_op[op]
        reasons = "; ".join(f"{k} ({v})" for k, v in why.most_common())
        dreasons = "; ".join(f"{k} ({v})" for k, v in dwhy.most_common())
        lines.append(f"| {op} | {t} | {p} | {dp} | {reasons.replace('|', '/')} "
                     f"| {dreasons.replace('|', '/')} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run_all(cases, variant, args):
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_case, c, args.bin_dir, args.work, variant): c
                   for c in cases}
        for f in concurrent.futures.as_completed(futures):
            c = futures[f]
            try:
                status, detail = f.result()
            except Exception as e:  # a harness problem is a failure too
                status, detail = "fail", f"harness: {type(e).__name__}: {e}"[:100]
            results[c.name] = (op_of(c), status, detail)
    passed = sum(1 for r in results.values() if r[1] == "pass")
    crashes = sum(1 for r in results.values() if r[1] == "crash")
    print(f"conformance ({variant}): {passed} of {len(results)} pass "
          f"({100.0 * passed / max(len(results), 1):.1f}%), {crashes} crashes",
          flush=True)
    return results


def compare(results, expected, args):
    """Differences between the passing set and the list in `expected`."""
    passed = sorted(n for n, r in results.items() if r[1] == "pass")
    if args.update:
        with open(expected, "w") as f:
            f.write("# Tests that pass; run_conformance.py --update rewrites it.\n")
            f.write("\n".join(passed) + "\n")
        return 0
    want = {l.strip() for l in open(expected)
            if l.strip() and not l.startswith("#")}
    if args.filter:
        want = {n for n in want if re.search(args.filter, n)}
    got = set(passed)
    for n in sorted(want - got):
        print(f"REGRESSION ({os.path.basename(expected)}): {n}: "
              f"{results.get(n, ('', 'missing', ''))[1:]}")
    for n in sorted(got - want):
        print(f"NOW PASSES (add it to {expected}): {n}")
    return 1 if want != got else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("work")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--filter", default="")
    ap.add_argument("--variant", choices=("static", "dynamic", "both"),
                    default="both")
    ap.add_argument("--write-doc")
    ap.add_argument("--expected")
    ap.add_argument("--expected-dynamic")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--results", help="write every test's status as JSON")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if args.write_doc and args.variant != "both":
        ap.error("--write-doc needs both variants")

    cases, excluded = [], {}
    for c in list(node_cases()) + list(packaged_cases()):
        if args.filter and not re.search(args.filter, c.name):
            continue
        why = exclusion(c)
        if why:
            excluded[c.name] = why
        else:
            cases.append(c)
    print(f"conformance: {len(cases)} applicable tests, {len(excluded)} not "
          f"applicable, {args.jobs} jobs", flush=True)
    start = time.time()
    results, dynamic = {}, {}
    if args.variant != "dynamic":
        results = run_all(cases, "static", args)
    if args.variant != "static":
        # Only what passes with static shapes can pass without them; with
        # --variant dynamic alone, every case runs.
        todo = [c for c in cases
                if not results or results[c.name][1] == "pass"]
        dynamic = run_all(todo, "dynamic", args)
        for c in cases:
            if c.name not in dynamic:
                dynamic[c.name] = (op_of(c), "fail", "fails with static shapes")
    elapsed = time.time() - start
    print(f"conformance: {elapsed:.0f} s")
    if args.results:
        with open(args.results, "w") as f:
            json.dump({v: {n: {"op": r[0], "status": r[1], "detail": r[2]}
                           for n, r in sorted(res.items())}
                       for v, res in (("static", results), ("dynamic", dynamic))
                       if res}, f, indent=1)
    if args.write_doc:
        write_doc(args.write_doc, results, dynamic, excluded, elapsed, args.jobs)
    rc = 0
    if args.expected and results:
        rc |= compare(results, args.expected, args)
    if args.expected_dynamic and dynamic:
        rc |= compare(dynamic, args.expected_dynamic, args)
    return rc


if __name__ == "__main__":
    sys.exit(main())
