#!/usr/bin/env python3
"""mcc --report in a real headless browser (Debian's chromium).

A --profile build of a test model and its report; mcc-run --profile writes
the kernel times as a Chrome trace; a second report takes them
(--report-profile). Each page must run its script in the browser (the
body's data-rendered), draw one box per kernel (the count the script
reads off the page), and that count must equal the artifact's kernels
(mcc-run --profile). A report of a build without --profile names as many
kernels; a trace of another build is refused. Screenshots land in the
work folder.

Usage: run_report.py BIN_DIR WORK_DIR
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import models  # noqa: E402
import onnx  # noqa: E402

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" -- {detail}" if detail
                                                     else ""), flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          **kw)


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    return None


def render(chrome, page, png):
    """The DOM after the page's script ran, and a screenshot."""
    flags = ["--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage"]
    url = "file://" + os.path.abspath(page)
    dom = run([chrome] + flags + ["--dump-dom", url]).stdout
    run([chrome] + flags + ["--window-size=1400,1600",
                            f"--screenshot={png}", url])
    return dom


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    chrome = browser()
    if not chrome:
        print("report: no chromium; skipped")
        return 1
    mcc, mcc_run = f"{bin_dir}/mcc", f"{bin_dir}/mcc-run"
    for name, model in (("resnet_like", models.resnet_like()),
                        ("mobilenet_like", models.mobilenet_like())):
        path = os.path.join(work, f"{name}.onnx")
        onnx.save(model, path)
        so, page = (os.path.join(work, f"{name}{s}") for s in (".so", ".html"))
        trace = os.path.join(work, f"{name}.json")
        r = run([mcc, path, "-o", so, "--profile", "--report", page])
        check(f"{name}: mcc --profile --report", r.returncode == 0,
              r.stderr.strip())
        r = run([mcc_run, so, "--profile", "--bench", "5", "--profile-json",
                 trace])
        m = re.search(r"profile: (\d+) kernels", r.stdout)
        kernels = int(m[1]) if m else -1
        check(f"{name}: mcc-run --profile", kernels > 0, r.stderr.strip())
        timed = os.path.join(work, f"{name}_timed.html")
        r = run([mcc, path, "-o", os.path.join(work, f"{name}2.so"),
                 "--profile", "--report", timed, "--report-profile", trace])
        check(f"{name}: --report-profile", r.returncode == 0, r.stderr.strip())
        plain = os.path.join(work, f"{name}_plain.html")
        r = run([mcc, path, "-o", os.path.join(work, f"{name}_plain.so"),
                 "--report", plain])
        check(f"{name}: --report without --profile", r.returncode == 0,
              r.stderr.strip())
        for label, p in (("report", page), ("timed report", timed),
                         ("report without timers", plain)):
            dom = render(chrome, p, p[:-5] + ".png")
            drawn = re.search(r'id="kernel-count-js">(\d+)<', dom)
            listed = re.search(r'id="kernel-count" data-count="(\d+)"', dom)
            ok = 'data-rendered="1"' in dom and drawn and listed and \
                int(drawn[1]) == int(listed[1]) == kernels and \
                os.path.getsize(p[:-5] + ".png") > 10000
            check(f"{name}: {label} renders in {chrome}, kernels drawn = "
                  f"listed = the artifact's", bool(ok),
                  f"drawn {drawn and drawn[1]}, listed "
                  f"{listed and listed[1]}, artifact {kernels}")
            if label == "timed report":
                check(f"{name}: timed report shows the times",
                      "ms per run" in dom and "share" in dom)
            if label == "report":
                # The passes' decisions: folds, layout, register tiles.
                check(f"{name}: report lists the passes' decisions",
                      all(p in dom for p in (
                          "onnx-fold-batchnorm", "channels-last",
                          "register-tile-contractions")) and
                      "nominal FLOPs</th><td>0.000" not in dom)
        # A trace of another build is refused, by name.
        other = os.path.join(work, "other.json")
        with open(trace) as f:
            text = f.read()
        with open(other, "w") as f:
            f.write(text.replace('"name": "', '"name": "x', 1))
        r = run([mcc, path, "-o", os.path.join(work, "x.so"), "--report",
                 os.path.join(work, "x.html"), "--report-profile", other])
        check(f"{name}: error: a trace of another build",
              r.returncode != 0 and "another build" in r.stderr,
              r.stderr.strip())
    passed = sum(results)
    print(f"report: {passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
