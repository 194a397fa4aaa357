#!/usr/bin/env python3
"""mcc --profile against the plain build of the same model (issue 25).

For each model (default: torchvision's ResNet-50, exported with Debian's
python3-torch as the test suite does; or --onnx files): compiles it with
and without --profile, then alternates rounds of `mcc-run --bench N` on
the plain artifact and `mcc-run --profile --bench N` on the profiled one,
at each thread count. Prints the medians over rounds of:
  plain_ms   the plain artifact's median run
  prof_ms    the profiled artifact's median run (the timers' cost)
  sum_ms     the profiled kernels' times added up, per run
  sum/plain  how well the kernels account for an unprofiled run (the
             issue's bound: within 5%)

    python3 bench/profile_overhead.py [--threads 1 2] [--rounds 5]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--onnx", nargs="*", default=[])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    ap.add_argument("--top", type=int, default=0,
                    help="also print the N slowest kernels of the last round")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mcc-profile-")
    paths = list(args.onnx)
    if not paths:
        out = run([args.torch_python,
                   os.path.join(HERE, "..", "test", "torchvision",
                                "export_models.py"), work, "17", "resnet50"])
        paths = out.split()
    mcc, mcc_run = os.path.join(args.bin, "mcc"), os.path.join(args.bin,
                                                                "mcc-run")
    print(f"{'model':<22} {'th':>2} {'plain_ms':>9} {'prof_ms':>9} "
          f"{'sum_ms':>9} {'sum/plain':>9} {'prof/plain':>10} {'kernels':>7}"
          f"  (medians of {args.rounds} alternated rounds x {args.iters} runs)",
          flush=True)
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        plain, prof = (os.path.join(work, name + s) for s in (".so", "_p.so"))
        run([mcc, path, "-o", plain])
        run([mcc, path, "--profile", "-o", prof])
        for t in args.threads:
            base, timed, sums, kernels, last = [], [], [], 0, ""
            for _ in range(args.rounds):
                out = run([mcc_run, plain, "--bench", str(args.iters),
                           "--threads", str(t)])
                base.append(float(re.search(r"median_ms=([\d.]+)", out)[1]))
                last = run([mcc_run, prof, "--profile", "--bench",
                            str(args.iters), "--threads", str(t)])
                m = re.search(r"profile: (\d+) kernels, \d+ runs; kernels sum "
                              r"([\d.]+) ms per run, the profiled runs' "
                              r"median ([\d.]+) ms", last)
                kernels = int(m[1])
                sums.append(float(m[2]))
                timed.append(float(m[3]))
            b, p, s = (statistics.median(v) for v in (base, timed, sums))
            print(f"{name:<22} {t:>2} {b:9.3f} {p:9.3f} {s:9.3f} "
                  f"{s / b:9.3f} {p / b:10.3f} {kernels:7d}", flush=True)
            if args.top:
                lines = last.splitlines()
                head = next(i for i, l in enumerate(lines) if "ONNX nodes" in l)
                print("\n".join(lines[head:head + 1 + args.top]))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
