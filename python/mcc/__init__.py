"""mcc from Python: compile ONNX models into native libraries and run them.

    import mcc, numpy as np
    m = mcc.compile("resnet18.onnx")              # or mcc.load("resnet18.so")
    y = m.run({"input": np.zeros((1, 3, 224, 224), np.float32)})

`mcc.InferenceSession` has onnxruntime's surface (get_inputs, get_outputs,
run(output_names, input_feed)) and caches what it compiles, so a script
written for onnxruntime switches by changing its import.

The compiler runs in this process (no `mcc` executable needed); artifacts
are the same shared libraries the command line writes, loadable from C.
"""
import collections
import os
import shutil
import tempfile
import time
import weakref

import numpy as np

from . import _mcc
from ._dtypes import numpy_dtype
from .profile import KernelTime, Profile

__all__ = ["compile", "load", "check", "Model", "TensorInfo", "Diagnostic",
           "CompileError", "RunError", "InferenceSession", "Profile",
           "KernelTime"]

Diagnostic = collections.namedtuple(
    "Diagnostic", ["severity", "message", "location", "node", "op_type",
                   "file", "text"])
Diagnostic.__doc__ = """One compiler message. `node` and `op_type` name the
ONNX node it concerns ("" when none); `text` is the line `mcc` prints."""


class CompileError(Exception):
    """The model did not compile; `diagnostics` holds every message."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        lines = [d.text for d in self.diagnostics] or ["mcc: compilation failed"]
        super().__init__("\n".join(lines))

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.severity == "error"]


class RunError(Exception):
    """A run failed. `code` is the C ABI's mcc_status (2: a shape or dtype
    mismatch, 6: an index read from the data out of range, ...)."""

    STATUS = {1: "invalid argument", 2: "shape mismatch", 3: "out of memory",
              4: "I/O error", 5: "internal error", 6: "out of range"}

    def __init__(self, code, message):
        self.code = code
        super().__init__(f"{message} ({self.STATUS.get(code, 'error')})")


class TensorInfo(collections.namedtuple("TensorInfo",
                                        ["name", "dtype", "shape"])):
    """An input or output: numpy dtype, and a shape whose symbolic dims are
    the model's dim name (a str) or None when it has none."""


def _info(t):
    name, code, shape, dim_names = t
    dims = tuple(d if d >= 0 else (dim_names[i] or None)
                 for i, d in enumerate(shape))
    return TensorInfo(name, numpy_dtype(code), dims)


class Model:
    """A compiled model, loaded. `run` is safe from several threads at once
    (each call has its own scratch; the GIL is released while it runs)."""

    def __init__(self, path, num_threads=0, weights_path=None, _keep=None):
        self.path = os.fspath(path)
        self._artifact = _mcc.Artifact(self.path, int(num_threads),
                                       os.fspath(weights_path or ""))
        if _keep:  # a temporary folder that holds only this artifact
            weakref.finalize(self, shutil.rmtree, _keep, ignore_errors=True)
        self.inputs = [_info(t) for t in self._artifact.inputs()]
        self.outputs = [_info(t) for t in self._artifact.outputs()]
        self._static_out = all(isinstance(d, int) for o in self.outputs
                               for d in o.shape)
        self._out_shapes = [o.shape for o in self.outputs]
        self._in_index = {t.name: i for i, t in enumerate(self.inputs)}
        self._kernels = self._artifact.kernels()

    @property
    def name(self):
        return self._artifact.name

    def __repr__(self):
        return (f"<mcc.Model {self.name!r} from {self.path!r}: "
                f"{len(self.inputs)} inputs, {len(self.outputs)} outputs>")

    def _arrays(self, feeds):
        """The feeds as C-contiguous arrays of the declared dtypes, in
        declaration order (no copy for arrays that already are)."""
        missing = [t.name for t in self.inputs if t.name not in feeds]
        if missing:
            raise ValueError(f"missing inputs: {missing} (the model takes "
                             f"{[t.name for t in self.inputs]})")
        if len(feeds) != len(self.inputs):
            extra = [k for k in feeds if k not in self._in_index]
            raise ValueError(f"unknown inputs: {extra} (the model takes "
                             f"{[t.name for t in self.inputs]})")
        arrays = []
        for t in self.inputs:
            a = feeds[t.name]
            if type(a) is np.ndarray and a.dtype == t.dtype and \
                    a.flags.c_contiguous:
                arrays.append(a)
                continue
            if not isinstance(a, np.ndarray) or a.dtype != t.dtype:
                src = np.asarray(a)
                # Arrays convert within their kind (float64 to float32,
                # int32 to int64); lists and scalars to the declared type.
                if src.dtype != t.dtype and isinstance(a, np.ndarray) and (
                        src.dtype.kind != t.dtype.kind or
                        not np.can_cast(src.dtype, t.dtype, "same_kind")):
                    raise TypeError(f"input '{t.name}': expected {t.dtype}, "
                                    f"got {src.dtype}")
                a = src.astype(t.dtype, copy=False)
            arrays.append(np.ascontiguousarray(a))
        return arrays

    def output_shapes(self, feeds):
        """The outputs' shapes for these inputs."""
        arrays = self._arrays(feeds)
        status, message, shapes = self._artifact.output_shapes(arrays)
        if status:
            raise RunError(status, message)
        return [tuple(s) for s in shapes]

    @property
    def profiled(self):
        """Whether the artifact has timers (compiled with profile=True)."""
        return bool(self._kernels)

    def _outputs_for(self, arrays):
        if self._static_out:
            shapes = self._out_shapes
        else:
            status, message, shapes = self._artifact.output_shapes(arrays)
            if status:
                raise RunError(status, message)
        return [np.empty(s, o.dtype) for s, o in zip(shapes, self.outputs)]

    def _run_profiled(self, arrays, outs):
        if not self._kernels:
            raise ValueError(f"{self.path} has no timers: compile it with "
                             "profile=True (mcc --profile)")
        t0 = time.perf_counter()
        status, message, ns = self._artifact.run_profiled(arrays, outs)
        wall = time.perf_counter() - t0
        if status:
            raise RunError(status, message)
        return ns, wall

    def profile(self, feeds, runs=10, warmup=3):
        """Kernel times over `runs` runs (after `warmup` unprofiled ones)."""
        arrays = self._arrays(feeds)
        outs = self._outputs_for(arrays)
        for _ in range(warmup):
            self._artifact.run(arrays, outs)
        total, walls = [0] * len(self._kernels), []
        for _ in range(runs):
            ns, wall = self._run_profiled(arrays, outs)
            total = [a + b for a, b in zip(total, ns)]
            walls.append(wall)
        return Profile(self.name, self._kernels, total, runs,
                       sorted(walls)[len(walls) // 2])

    def run(self, feeds, output_names=None, profile=False):
        """Runs the model on `feeds` ({input name: array}); returns
        {output name: array} (only `output_names`, when given), or
        (outputs, mcc.Profile) with profile=True."""
        arrays = self._arrays(feeds)
        outs = self._outputs_for(arrays)
        if profile:
            ns, wall = self._run_profiled(arrays, outs)
        else:
            status, message = self._artifact.run(arrays, outs)
            if status:
                raise RunError(status, message)
        result = {o.name: a for o, a in zip(self.outputs, outs)}
        if output_names is not None:
            unknown = [n for n in output_names if n not in result]
            if unknown:
                raise ValueError(f"unknown outputs: {unknown} (the model has "
                                 f"{[o.name for o in self.outputs]})")
            result = {n: result[n] for n in output_names}
        if profile:
            return result, Profile(self.name, self._kernels, ns, 1, wall)
        return result

    __call__ = run


def _compile_options(input_shapes=None, opt_level=2, target=None, cpu=None,
                     features=None, int8_kernels=None, int8_activations=False,
                     name=None, external_weights=False, profile=False):
    """The command line's options, with its defaults, as _mcc.compile takes
    them (compile and InferenceSession both come through here)."""
    opts = {"opt_level": int(opt_level), "target": target, "cpu": cpu,
            "features": features, "int8_kernels": int8_kernels,
            "int8_activations": bool(int8_activations), "name": name,
            "external_weights": bool(external_weights),
            "profile": bool(profile)}
    if input_shapes:
        opts["input_shapes"] = {k: [int(d) for d in v]
                                for k, v in input_shapes.items()}
    return opts


def _model_source(model, folder):
    """A path to the model: `model` itself, or a file written into
    `folder` for bytes and onnx.ModelProto."""
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model)
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    elif hasattr(model, "SerializeToString"):
        data = model.SerializeToString()
    else:
        raise TypeError("model must be a path, bytes or an onnx.ModelProto, "
                        f"not {type(model).__name__}")
    path = os.path.join(folder, "model.onnx")
    with open(path, "wb") as f:
        f.write(data)
    return path


def _run_compiler(source, output, emit="so", **options):
    ok, diags = _mcc.compile({"input": source, "output": output, "emit": emit,
                              **options})
    diags = [Diagnostic(*d) for d in diags]
    if not ok:
        raise CompileError(diags)
    return diags


def compile(model, output=None, *, input_shapes=None, opt_level=2,
            target=None, cpu=None, features=None, int8_kernels=None,
            int8_activations=False, name=None, external_weights=False,
            profile=False, num_threads=0):
    """Compiles `model` (a path, bytes or an onnx.ModelProto) into the
    shared library `output` (default: a temporary file that lives as long
    as the returned Model) and loads it.

    The options are the command line's: input_shapes ({name: dims}, pins
    symbolic dims), opt_level (0-3), target (LLVM triple), cpu (--mcpu),
    features (--mattr), int8_kernels, int8_activations, name,
    external_weights, profile (timers per kernel: Model.run(...,
    profile=True), Model.profile). num_threads is the loaded model's thread
    count (0: every core). Raises CompileError with every diagnostic on
    failure."""
    keep = tempfile.mkdtemp(prefix="mcc-")
    try:
        source = _model_source(model, keep)
        if output is None:
            output = os.path.join(keep, "model.so")
        else:
            output = os.path.abspath(os.fspath(output))
        _run_compiler(source, output, **_compile_options(
            input_shapes, opt_level, target, cpu, features, int8_kernels,
            int8_activations, name, external_weights, profile))
        in_temp = os.path.dirname(output) == keep
        m = Model(output, num_threads, _keep=keep if in_temp else None)
    except BaseException:
        shutil.rmtree(keep, ignore_errors=True)
        raise
    if not in_temp:
        shutil.rmtree(keep, ignore_errors=True)
    return m


def check(model, *, input_shapes=None):
    """Lists what keeps `model` from compiling (unsupported ops, attributes
    not lowered yet) without compiling it: [] when nothing does."""
    with tempfile.TemporaryDirectory(prefix="mcc-") as folder:
        source = _model_source(model, folder)
        ok, diags = _mcc.compile({"input": source, "check": True,
                                  "input_shapes": input_shapes})
    return [Diagnostic(*d) for d in diags if d[0] == "error"]


def load(path, num_threads=0, weights_path=None):
    """Loads an artifact written by `mcc` or mcc.compile."""
    return Model(path, num_threads, weights_path)


from .session import InferenceSession  # noqa: E402  (uses the above)
