#!/usr/bin/env python3
"""examples/serve against onnxruntime: a local Ray instance, the example's
deployment with two replicas, requests over HTTP on localhost (several at
once), answers compared with onnxruntime's; a bad request gets HTTP 400.

Usage: run_serve.py (with the build's python/ on PYTHONPATH; ctest -L serve)
"""
import concurrent.futures
import json
import os
import socket
import sys
import tempfile
import urllib.error
import urllib.request

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "serve"))
import models  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main():
    try:
        import ray
        from ray import serve
    except ImportError:
        print("serve: ray[serve] is not installed; skipped")
        return 0
    import serve_model  # examples/serve/serve_model.py

    work = tempfile.mkdtemp(prefix="mcc-serve-test-")
    path = os.path.join(work, "resnet_like.onnx")
    onnx.save(models.resnet_like(), path)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    port = free_port()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    failures = []
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        serve.run(serve_model.build_app(path, replicas=2, num_threads=1),
                  route_prefix="/model", name="mcc")
        url = f"http://127.0.0.1:{port}/model"
        rng = np.random.default_rng(0)
        xs = [rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
              for _ in range(8)]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(
                lambda x: post(url, {"inputs": {"input": x.tolist()}}), xs))
        for x, (status, body) in zip(xs, replies):
            want = sess.run(None, {"input": x})[0]
            name = sess.get_outputs()[0].name
            if status != 200:
                failures.append(f"status {status}: {body}")
                continue
            got = np.asarray(body["outputs"][name], np.float32)
            if body["shapes"][name] != list(want.shape) or \
                    not np.allclose(got, want, rtol=1e-4, atol=1e-4):
                failures.append(f"max |diff| {np.abs(got - want).max()}")
        print(f"serve: {len(xs)} requests over HTTP, 2 replicas: "
              f"{len(xs) - len(failures)} match onnxruntime")
        status, body = post(url, {"inputs": {"input": [[1.0, 2.0]]}})
        print(f"serve: a wrong shape gets {status}: {body.get('error')}")
        if status != 400 or "expects" not in body.get("error", ""):
            failures.append(f"bad request: {status} {body}")
        status, body = post(url, {"inputs": {"nope": [1.0]}})
        if status != 400:
            failures.append(f"unknown input: {status} {body}")
    finally:
        serve.shutdown()
        ray.shutdown()
    for f in failures:
        print("FAIL:", f)
    print(f"serve: {'passed' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
