"""The Python package `mcc` (issue 25) against onnxruntime.

Run by ctest (`python` test) with the build's package first on the path:
    PYTHONPATH=build/python python3 -m unittest test/python/test_python.py
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import models  # noqa: E402  (test/e2e/models.py)

import mcc  # noqa: E402

RTOL, ATOL = 1e-4, 1e-4


def ort_run(model, feeds, threads=1):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    s = ort.InferenceSession(model.SerializeToString(), so,
                             providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def random_input(info, rng, **dims):
    shape = [d if isinstance(d, int) else dims[d] for d in info.shape]
    return rng.standard_normal(shape).astype(info.dtype)


def unsupported_model():
    nodes = [helper.make_node("FooBar", ["x"], ["y"], name="mystery"),
             helper.make_node("Relu", ["y"], ["z"], name="after")]
    g = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def matmul_model(n):
    rng = np.random.default_rng(1)
    w = onnx.numpy_helper.from_array(
        rng.standard_normal((n, n)).astype(np.float32), "w")
    g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "mm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, n])], [w])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


class CompileAndRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="mcc-pytest-")
        cls.model = models.resnet_like()
        cls.path = os.path.join(cls.tmp.name, "resnet_like.onnx")
        onnx.save(cls.model, cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_against_ort(self, m, model, rng):
        feeds = {i.name: random_input(i, rng) for i in m.inputs}
        got = m.run(feeds)
        want = ort_run(model, feeds)
        self.assertEqual(list(got), [o.name for o in m.outputs])
        for g, w in zip(got.values(), want):
            self.assertEqual(g.shape, w.shape)
            np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)

    def test_path_bytes_and_proto(self):
        rng = np.random.default_rng(0)
        for source in (self.path, self.model.SerializeToString(), self.model):
            m = mcc.compile(source)
            self.assertEqual(m.inputs[0].shape, (1, 3, 32, 32))
            self.assertEqual(m.inputs[0].dtype, np.float32)
            self.check_against_ort(m, self.model, rng)

    def test_output_file_and_load(self):
        out = os.path.join(self.tmp.name, "libresnet.so")
        m = mcc.compile(self.path, out, opt_level=1, num_threads=1)
        self.assertTrue(os.path.exists(out))
        self.assertEqual(m.name, "resnet")  # lib prefix dropped, as the CLI
        loaded = mcc.load(out, num_threads=2)
        self.check_against_ort(loaded, self.model, np.random.default_rng(1))
        with self.assertRaisesRegex(RuntimeError, "cannot load"):
            mcc.load(os.path.join(self.tmp.name, "missing.so"))
        with self.assertRaisesRegex(RuntimeError, "not an mcc artifact"):
            mcc.load(sys.modules["mcc._mcc"].__file__)

    def test_compile_error_names_the_node(self):
        with self.assertRaises(mcc.CompileError) as cm:
            mcc.compile(unsupported_model())
        errors = cm.exception.errors
        # One line for the unsupported op; its reader is not reported.
        self.assertEqual(len(errors), 1, cm.exception.diagnostics)
        self.assertEqual(errors[0].node, "mystery")
        self.assertEqual(errors[0].op_type, "FooBar")
        self.assertIn("unsupported op FooBar", errors[0].message)
        self.assertIn("node 'mystery' (FooBar)", str(cm.exception))
        checked = mcc.check(unsupported_model())
        self.assertEqual([(d.node, d.op_type) for d in checked],
                         [("mystery", "FooBar")])
        self.assertEqual(mcc.check(self.model), [])

    def test_bad_options(self):
        with self.assertRaises(mcc.CompileError) as cm:
            mcc.compile(self.path, name="not an identifier")
        self.assertIn("not a C identifier", str(cm.exception))
        with self.assertRaises(mcc.CompileError):
            mcc.compile(b"not a model")
        with self.assertRaises(TypeError):
            mcc.compile(42)

    def test_symbolic_dims(self):
        model = models.mlp(batch="N")
        m = mcc.compile(model)
        self.assertEqual(m.inputs[0].shape[0], "N")
        rng = np.random.default_rng(2)
        for n in (1, 5, 0):
            feeds = {"input": random_input(m.inputs[0], rng, N=n)}
            got = m.run(feeds)
            self.assertEqual(m.output_shapes(feeds)[0][0], n)
            want = ort_run(model, feeds)
            np.testing.assert_allclose(list(got.values())[0], want[0],
                                       rtol=RTOL, atol=ATOL)
        pinned = mcc.compile(model, input_shapes={"input": [3, 64]})
        self.assertEqual(pinned.inputs[0].shape, (3, 64))

    def test_run_errors(self):
        m = mcc.compile(models.mlp(batch="N"))
        x = np.zeros((2, 64), np.float32)
        with self.assertRaises(mcc.RunError) as cm:
            m.run({"input": np.zeros((2, 63), np.float32)})
        self.assertEqual(cm.exception.code, 2)  # MCC_ERROR_SHAPE_MISMATCH
        with self.assertRaisesRegex(ValueError, "missing inputs"):
            m.run({})
        with self.assertRaisesRegex(ValueError, "unknown inputs"):
            m.run({"input": x, "other": x})
        with self.assertRaisesRegex(TypeError, "expected float32"):
            m.run({"input": x.astype(np.int64)})
        with self.assertRaisesRegex(ValueError, "unknown outputs"):
            m.run({"input": x}, output_names=["nope"])
        # float64 and lists are converted; contiguous float32 is not copied.
        a = m.run({"input": x.astype(np.float64)})
        b = m.run({"input": x.tolist()})
        np.testing.assert_array_equal(list(a.values())[0], list(b.values())[0])
        self.assertIs(m._arrays({"input": x})[0], x)
        strided = np.zeros((2, 128), np.float32)[:, ::2]
        self.assertIsNot(m._arrays({"input": strided})[0], strided)

    def test_every_abi_dtype(self):
        import ml_dtypes  # noqa: F401  (the exotic dtypes' numpy types)
        codes = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20,
                 21, 22, 23, 24, 25, 26]
        ins = [helper.make_tensor_value_info(f"x{c}", c, ["n", 3])
               for c in codes]
        outs = [helper.make_tensor_value_info(f"y{c}", c, ["n", 3])
                for c in codes]
        nodes = [helper.make_node("Identity", [f"x{c}"], [f"y{c}"])
                 for c in codes]
        g = helper.make_graph(nodes, "dtypes", ins, outs)
        m = mcc.compile(helper.make_model(
            g, opset_imports=[helper.make_opsetid("", 25)]))
        rng = np.random.default_rng(3)
        feeds = {}
        for i in m.inputs:
            size = i.dtype.itemsize
            bits = rng.integers(0, 256, (2, 3 * size), dtype=np.uint8)
            if i.dtype == np.bool_:
                bits &= 1
            elif size == 1 and i.dtype.name in ("int4", "uint4", "int2",
                                               "uint2", "float4_e2m1fn"):
                bits &= 0x3 if "2" in i.dtype.name and "e2" not in \
                    i.dtype.name else 0xF
                if i.dtype.name in ("int4", "int2"):  # sign-extended
                    half = 8 if i.dtype.name == "int4" else 2
                    bits = np.where(bits >= half, bits | ~np.uint8(
                        2 * half - 1), bits).astype(np.uint8)
            feeds[i.name] = bits.view(i.dtype)
        got = m.run(feeds)
        for i, o in zip(m.inputs, m.outputs):
            self.assertEqual(got[o.name].dtype, i.dtype, i.name)
            np.testing.assert_array_equal(got[o.name].view(np.uint8),
                                          feeds[i.name].view(np.uint8),
                                          err_msg=i.name)


class Threads(unittest.TestCase):
    def test_concurrent_runs_match(self):
        model = models.mobilenet_like()
        m = mcc.compile(model, num_threads=1)
        rng = np.random.default_rng(4)
        xs = [random_input(m.inputs[0], rng) for _ in range(8)]
        want = [m.run({"input": x}) for x in xs]
        failures = []

        def worker(k):
            for r in range(6):
                i = (k + r) % len(xs)
                got = m.run({"input": xs[i]})
                for name, v in got.items():
                    if not np.array_equal(v, want[i][name]):
                        failures.append((k, r))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])

    def test_gil_released_while_running(self):
        m = mcc.compile(matmul_model(768), num_threads=1)
        x = np.ones((768, 768), np.float32)
        t0 = time.perf_counter()
        for _ in range(3):
            m.run({"x": x})
        one = (time.perf_counter() - t0) / 3
        done = threading.Event()

        def runs():
            for _ in range(6):
                m.run({"x": x})
            done.set()

        t = threading.Thread(target=runs)
        t.start()
        gaps, last = [], time.perf_counter()
        while not done.is_set():
            time.sleep(0.0005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        t.join()
        # Holding the GIL for a run would stall this loop for a whole run.
        gaps.sort()
        self.assertLess(gaps[len(gaps) * 9 // 10], one / 2,
                        f"one run {one * 1e3:.1f} ms")


class Profiling(unittest.TestCase):
    def test_profile_runs(self):
        import json
        model = models.resnet_like()
        plain = mcc.compile(model)
        m = mcc.compile(model, profile=True, num_threads=1)
        self.assertTrue(m.profiled)
        self.assertFalse(plain.profiled)
        x = random_input(m.inputs[0], np.random.default_rng(6))
        out, prof = m.run({"input": x}, profile=True)
        want = plain.run({"input": x})
        for name in want:
            np.testing.assert_allclose(out[name], want[name], rtol=1e-6,
                                       atol=1e-6)
        self.assertEqual(prof.runs, 1)
        self.assertGreater(len(prof.kernels), 5)
        self.assertGreater(prof.total_seconds, 0)
        # Every conv and the Gemm are in some kernel, with their FLOPs.
        heavy = {n.name for n in model.graph.node
                 if n.op_type in ("Conv", "Gemm")}
        covered = {n for k in prof.kernels for n in k.nodes}
        self.assertLessEqual(heavy, covered)
        self.assertGreater(prof.flops, 1e6)
        avg = m.profile({"input": x}, runs=5)
        self.assertEqual(avg.runs, 5)
        self.assertEqual([k.name for k in avg.kernels],
                         [k.name for k in prof.kernels])
        table = avg.table()
        self.assertIn("kernels sum", table)
        self.assertEqual(len(table.splitlines()), 2 + len(avg.kernels))
        trace = avg.chrome_trace()
        json.dumps(trace)
        self.assertEqual(len(trace["traceEvents"]), len(avg.kernels))
        with self.assertRaisesRegex(ValueError, "no timers"):
            plain.run({"input": x}, profile=True)


class DropIn(unittest.TestCase):
    """mcc.InferenceSession where a script had onnxruntime's."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="mcc-pytest-")
        cls.cache = os.path.join(cls.tmp.name, "cache")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_e2e_models(self):
        rng = np.random.default_rng(5)
        for name, build in models.MODELS.items():
            for batch in (None, "N"):
                with self.subTest(model=name, batch=batch):
                    model = build(batch=batch)
                    path = os.path.join(self.tmp.name, f"{name}-{batch}.onnx")
                    onnx.save(model, path)
                    so = ort.SessionOptions()
                    so.intra_op_num_threads = 1
                    ref = ort.InferenceSession(
                        path, so, providers=["CPUExecutionProvider"])
                    sess = mcc.InferenceSession(path, so, cache_dir=self.cache)
                    self.assertEqual(
                        [(a.name, a.type, a.shape) for a in sess.get_inputs()],
                        [(a.name, a.type, a.shape) for a in ref.get_inputs()])
                    self.assertEqual(
                        [(a.name, a.type) for a in sess.get_outputs()],
                        [(a.name, a.type) for a in ref.get_outputs()])
                    shape = [d if isinstance(d, int) else 2
                             for d in ref.get_inputs()[0].shape]
                    feed = {"input": rng.standard_normal(shape)
                            .astype(np.float32)}
                    got, want = sess.run(None, feed), ref.run(None, feed)
                    self.assertEqual(len(got), len(want))
                    for g, w in zip(got, want):
                        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)
                    out = ref.get_outputs()[0].name
                    np.testing.assert_array_equal(
                        sess.run([out], feed)[0], got[0])
                    self.assertEqual(len(sess.run([], feed)), len(want))
                    with self.assertRaises(ValueError):
                        sess.run(["nope"], feed)

    def test_cache(self):
        model = models.mlp()
        a = mcc.InferenceSession(model.SerializeToString(),
                                 cache_dir=self.cache)
        b = mcc.InferenceSession(model, cache_dir=self.cache)
        c = mcc.InferenceSession(model, cache_dir=self.cache, opt_level=1)
        self.assertTrue(a.compiled)
        self.assertFalse(b.compiled)  # same bytes, same options: loaded
        self.assertTrue(c.compiled)   # other options: compiled again
        self.assertEqual(a.model.path, b.model.path)
        self.assertNotEqual(a.model.path, c.model.path)
        with self.assertRaises(mcc.CompileError):
            mcc.InferenceSession(unsupported_model(), cache_dir=self.cache)


class Imports(unittest.TestCase):
    def test_import_order(self):
        # The compiler's protobuf and onnx's own live side by side.
        for first in ("import mcc, onnx, onnxruntime",
                      "import onnx, onnxruntime, mcc"):
            code = (first + "\nimport numpy as np\n"
                    "m = mcc.compile(onnx.helper.make_model(onnx.helper."
                    "make_graph([onnx.helper.make_node('Relu', ['x'], ['y'])],"
                    " 'g', [onnx.helper.make_tensor_value_info('x', 1, [3])], "
                    "[onnx.helper.make_tensor_value_info('y', 1, [3])])))\n"
                    "print(m.run({'x': np.array([-1, 0, 2], np.float32)})"
                    "['y'].tolist())\n")
            r = subprocess.run([sys.executable, "-c", code],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), "[0.0, 0.0, 2.0]")


if __name__ == "__main__":
    unittest.main()
