#!/usr/bin/env python3
"""A/B of two mcc builds on the same models, in one process per thread count.

Each model is compiled by both builds (-O3); the artifacts' generated code
is compared (the .text of the graph, without the runtime: `objdump` of the
functions the compiler emitted), then bench/interleave.c runs the two
artifacts in alternating rounds on the same inputs and prints each one's
median and the median per-round ratio B/A. Use it for changes that should
cost nothing, e.g. the run-time index checks against the build before them:

  bench/ab.py --a /tmp/base/build/bin --b build/bin          # the suite
  bench/ab.py --a OLD --b NEW --models bert_embed --threads 1 2

Models: resnet50, mobilenet_v2 (exported by Debian's torch), bert (the
suite's 12-layer encoder), bert_embed (the same with token-id embeddings in
front: two Gathers, one of them indexed by run-time data).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_models  # noqa: E402

ALL = ["resnet50", "mobilenet_v2", "bert", "bert_embed"]


def build_interleave(work):
    exe = os.path.join(work, "interleave")
    subprocess.run(["clang-22", "-O2",
                    "-I" + os.path.join(HERE, "..", "runtime", "include"),
                    os.path.join(HERE, "interleave.c"), "-o", exe, "-ldl"],
                   check=True)
    return exe


def export(models, work, torch_python):
    paths = {}
    tv = [m for m in models if m in ("resnet50", "mobilenet_v2")]
    if tv:
        out = subprocess.run(
            [torch_python, os.path.join(HERE, "..", "test", "torchvision",
                                        "export_models.py"), work, "17", *tv],
            check=True, capture_output=True, text=True).stdout
        for p in out.split():
            paths[os.path.basename(p)[:-len(".onnx")]] = p
    for name, kw in (("bert", {}), ("bert_embed", {"vocab": 8192})):
        if name in models:
            p = os.path.join(work, name + ".onnx")
            onnx.save(bench_models.bert_encoder(**kw)[0], p)
            paths[name] = p
    return paths


def runtime_symbols(bin_dir):
    """Functions of the runtime archive a build embeds in its artifacts."""
    lib = os.path.join(bin_dir, "..", "runtime", "libmcc_runtime.a")
    out = subprocess.run(["nm", "--defined-only", lib], capture_output=True,
                         text=True).stdout
    return {line.split()[-1] for line in out.splitlines()
            if len(line.split()) == 3}


def graph_code(so, skip):
    """The disassembly of what the compiler generated, addresses dropped:
    without the runtime's functions (`skip`), PLT stubs and the
    `<name>_api` entry (named after the file)."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so],
                         check=True, capture_output=True, text=True).stdout
    keep, lines = False, []
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            name = m.group(1)
            keep = not (name in skip or "@plt" in name or
                        name.endswith("_api") or name.startswith("_"))
            if keep:
                lines.append(f"<{name}>:")
            continue
        if keep:
            # Drop addresses, and the targets of calls into the runtime
            # (their addresses move with the runtime's size).
            line = re.sub(r"^\s*[0-9a-f]+:\s*", "", line)
            line = re.sub(r"-?0x[0-9a-f]+\(%rip\)", "(%rip)", line)
            line = re.sub(r"\s*#.*$", "", line)  # symbol+offset notes
            lines.append(re.sub(r"\b[0-9a-f]{4,} <", "<", line))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="bin dir of build A (baseline)")
    ap.add_argument("--b", required=True, help="bin dir of build B")
    ap.add_argument("--models", nargs="+", default=ALL, choices=ALL)
    ap.add_argument("--threads", type=int, nargs="+", default=[1])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mcc-ab-")
    exe = build_interleave(work)
    skip = runtime_symbols(args.a) | runtime_symbols(args.b)
    for name, path in export(args.models, work, args.torch_python).items():
        sos = []
        for tag, bin_dir in (("a", args.a), ("b", args.b)):
            so = os.path.join(work, f"{name}_{tag}.so")
            subprocess.run([os.path.join(bin_dir, "mcc"), path, "-o", so,
                            "-O3"], check=True)
            sos.append(so)
        same = graph_code(sos[0], skip) == graph_code(sos[1], skip)
        print(f"# {name}: generated code {'identical' if same else 'differs'}",
              flush=True)
        for t in args.threads:
            for order in (sos, sos[::-1]):
                out = subprocess.run(
                    [exe, str(t), str(args.rounds), str(args.runs), *order],
                    check=True, capture_output=True, text=True).stdout
                for line in out.splitlines():
                    print(f"{name:<13} {t}T  {line.replace(work + '/', '')}",
                          flush=True)


if __name__ == "__main__":
    main()
