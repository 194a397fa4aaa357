#!/usr/bin/env python3
"""Serve a model compiled by mcc with Ray Serve.

    python3 examples/serve/serve_model.py model.onnx [--replicas 2]
    curl -X POST localhost:8000/model -d '{"inputs": {"input": [[...]]}}'

The model is compiled once, here, and the artifact's bytes travel with the
deployment: every replica, on whichever node of the Ray cluster it lands,
writes them to a local file and loads them (an artifact needs only libc).
Compile for the oldest CPU of a mixed cluster (--mcpu, e.g. x86-64-v3);
the default is this machine's CPU. Started without a cluster, Ray runs
the replicas on this machine: the same code serves both ways.

Request: {"inputs": {name: nested list}, "outputs": [names] (optional)}
Reply:   {"outputs": {name: nested list}, "shapes": {name: [dims]}}
A bad request (missing input, wrong shape) gets HTTP 400 and the reason.
"""
import argparse
import os
import tempfile

import numpy as np
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse

import mcc


@serve.deployment(ray_actor_options={"num_cpus": 1})
class MccModel:
    """One replica: the artifact loaded once, run per request."""

    def __init__(self, artifact: bytes, num_threads: int = 1):
        folder = tempfile.mkdtemp(prefix="mcc-serve-")
        path = os.path.join(folder, "model.so")
        with open(path, "wb") as f:
            f.write(artifact)
        self.model = mcc.load(path, num_threads=num_threads)
        self.dtypes = {i.name: i.dtype for i in self.model.inputs}

    def predict(self, inputs, outputs=None):
        feeds = {}
        for name, value in inputs.items():
            if name not in self.dtypes:
                raise ValueError(f"unknown input '{name}'")
            feeds[name] = np.asarray(value, dtype=self.dtypes[name])
        return self.model.run(feeds, output_names=outputs)

    async def __call__(self, request: Request):
        try:
            body = await request.json()
            result = self.predict(body["inputs"], body.get("outputs"))
        except (KeyError, ValueError, TypeError, mcc.RunError) as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        return {"outputs": {k: v.tolist() for k, v in result.items()},
                "shapes": {k: list(v.shape) for k, v in result.items()}}


def build_app(model_path, replicas=1, num_threads=1, **compile_options):
    """The Serve application for `model_path`: compiled here, `replicas`
    copies, each running on `num_threads` threads."""
    with tempfile.TemporaryDirectory(prefix="mcc-serve-") as folder:
        out = os.path.join(folder, "model.so")
        mcc.compile(model_path, out, **compile_options)
        with open(out, "rb") as f:
            artifact = f.read()
    return MccModel.options(
        num_replicas=replicas,
        ray_actor_options={"num_cpus": num_threads}).bind(artifact,
                                                          num_threads)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1,
                    help="threads per replica (and CPUs Ray reserves)")
    ap.add_argument("--mcpu", default=None,
                    help="target CPU (default: this machine's)")
    ap.add_argument("--route", default="/model")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args()
    import ray
    ray.init(ignore_reinit_error=True)  # joins RAY_ADDRESS's cluster if set
    serve.start(http_options={"host": "0.0.0.0", "port": args.port})
    serve.run(build_app(args.model, args.replicas, args.threads,
                        cpu=args.mcpu),
              route_prefix=args.route, blocking=True)


if __name__ == "__main__":
    main()
