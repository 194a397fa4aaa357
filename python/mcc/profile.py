"""Per-kernel times of an artifact compiled with `profile=True` (mcc --profile).

    m = mcc.compile("resnet50.onnx", profile=True)
    y, prof = m.run(feeds, profile=True)      # one run
    prof = m.profile(feeds, runs=20)          # or several, summed
    print(prof.table())                       # sorted, as mcc-run --profile
    prof.save_chrome_trace("resnet50.json")   # chrome://tracing, Perfetto
"""
import collections
import json

KernelTime = collections.namedtuple(
    "KernelTime", ["index", "name", "nodes", "op_types", "seconds", "flops"])
KernelTime.__doc__ = """One kernel: its time per run, the ONNX nodes fused
into it and their nominal operation count (0 when unknown)."""


class Profile:
    """Kernel times averaged over `runs` runs, in the order a run reaches
    the kernels (`kernels`); `by_time()` sorts them."""

    def __init__(self, model_name, kernels, ns, runs, run_seconds):
        self.model_name = model_name
        self.runs = runs
        self.run_seconds = run_seconds  # median wall time of the runs
        self.kernels = [
            KernelTime(i, name, list(nodes), list(types), t / runs / 1e9,
                       flops)
            for i, ((name, nodes, types, flops), t) in enumerate(zip(kernels,
                                                                     ns))]

    @property
    def total_seconds(self):
        """The kernels' times summed (per run)."""
        return sum(k.seconds for k in self.kernels)

    @property
    def flops(self):
        return sum(k.flops for k in self.kernels)

    def by_time(self):
        return sorted(self.kernels, key=lambda k: -k.seconds)

    @staticmethod
    def gflops(k):
        return k.flops / k.seconds / 1e9 if k.flops and k.seconds else None

    def table(self, top=None):
        total = self.total_seconds
        lines = [f"profile of {self.model_name}: {len(self.kernels)} kernels, "
                 f"{self.runs} runs; kernels sum {total * 1e3:.4f} ms per run, "
                 f"runs' median {self.run_seconds * 1e3:.4f} ms",
                 f"{'#':>5} {'ms/run':>10} {'share':>7} {'cum':>7} "
                 f"{'GFLOP/s':>9}  {'kernel':40s} ONNX nodes"]
        cum = 0.0
        for k in self.by_time()[:top]:
            cum += k.seconds
            g = self.gflops(k)
            nodes = ", ".join(f"{n} ({t})" for n, t in
                              list(zip(k.nodes, k.op_types))[:4])
            if len(k.nodes) > 4:
                nodes += f", +{len(k.nodes) - 4} more"
            lines.append(
                f"{k.index:5d} {k.seconds * 1e3:10.4f} "
                f"{100 * k.seconds / total if total else 0:6.1f}% "
                f"{100 * cum / total if total else 0:6.1f}% "
                f"{'-' if g is None else f'{g:.1f}':>9}  {k.name:40s} "
                f"{nodes or '-'}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def chrome_trace(self):
        """The profile as a Chrome trace (a dict; json.dump it): one run's
        kernels in order, each its average time."""
        events, at = [], 0.0
        for k in self.kernels:
            us = k.seconds * 1e6
            events.append({
                "name": k.name, "cat": "kernel", "ph": "X", "pid": 1,
                "tid": 1, "ts": at, "dur": us,
                "args": {"index": k.index, "nodes": k.nodes,
                         "op_types": k.op_types, "flops": k.flops,
                         "gflops_per_s": self.gflops(k) or 0}})
            at += us
        return {"displayTimeUnit": "ms",
                "otherData": {"model": self.model_name, "runs": self.runs,
                              "median_run_ms": self.run_seconds * 1e3},
                "traceEvents": events}

    def save_chrome_trace(self, path):
        with open(path, "w") as f:
            json.dump(self.chrome_trace(), f)
