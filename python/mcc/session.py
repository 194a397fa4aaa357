"""mcc.InferenceSession: onnxruntime's InferenceSession surface over mcc.

    import mcc as ort            # was: import onnxruntime as ort
    sess = ort.InferenceSession("model.onnx")
    y, = sess.run(None, {sess.get_inputs()[0].name: x})

The model is compiled when the session is made and the artifact cached by
the model's bytes, the compile options and this package's build, in
$MCC_CACHE_DIR (default ~/.cache/mcc), so later sessions of the same model
load it in milliseconds. onnxruntime's sess_options (its
intra_op_num_threads) and providers are accepted; providers are ignored.
"""
import hashlib
import json
import os
import tempfile

from . import _mcc
from ._dtypes import onnx_type_name


class NodeArg:
    """An input or output as onnxruntime describes it: name, type
    ('tensor(float)') and shape (ints, dim names, None for unnamed
    symbolic dims)."""

    def __init__(self, info):
        self.name = info.name
        self.type = onnx_type_name(info.dtype)
        self.shape = list(info.shape)
        self.dtype = info.dtype

    def __repr__(self):
        return (f"NodeArg(name='{self.name}', type='{self.type}', "
                f"shape={self.shape})")


def _cache_dir():
    d = os.environ.get("MCC_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "mcc")
    os.makedirs(d, exist_ok=True)
    return d


def _build_id():
    """Changes whenever the compiler in this package is rebuilt."""
    st = os.stat(_mcc.__file__)
    return f"{_mcc.__file__}:{st.st_size}:{st.st_mtime_ns}"


def _model_bytes(model):
    if isinstance(model, (str, os.PathLike)):
        with open(model, "rb") as f:
            return f.read()
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model)
    if hasattr(model, "SerializeToString"):
        return model.SerializeToString()
    raise TypeError("path_or_bytes must be a path, bytes or an "
                    f"onnx.ModelProto, not {type(model).__name__}")


class InferenceSession:
    """Compiles (or finds in the cache) and loads a model; see the module
    docstring. Extra keyword arguments are mcc.compile's options
    (input_shapes, opt_level, int8_activations, ...)."""

    def __init__(self, path_or_bytes, sess_options=None, providers=None,
                 provider_options=None, *, cache_dir=None, num_threads=None,
                 **options):
        from . import Model, _compile_options, _model_source, _run_compiler

        if num_threads is None:
            num_threads = getattr(sess_options, "intra_op_num_threads", 0) or 0
        compile_options = _compile_options(**options)
        data = _model_bytes(path_or_bytes)
        key = hashlib.sha256()
        key.update(data)
        key.update(json.dumps(compile_options, sort_keys=True).encode())
        key.update(_build_id().encode())
        if isinstance(path_or_bytes, (str, os.PathLike)):
            # External data is found next to the model file.
            key.update(os.path.abspath(path_or_bytes).encode())
        folder = cache_dir or _cache_dir()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, key.hexdigest()[:32] + ".so")
        self.compiled = not os.path.exists(path)
        if self.compiled:
            # Written beside its final name and renamed: sessions in other
            # processes never load a half-written artifact.
            with tempfile.TemporaryDirectory(prefix="mcc-", dir=folder) as tmp:
                source = _model_source(
                    path_or_bytes if isinstance(path_or_bytes,
                                                (str, os.PathLike)) else data,
                    tmp)
                out = os.path.join(tmp, "model.so")
                _run_compiler(source, out, **compile_options)
                os.replace(out, path)
        self._model = Model(path, num_threads)
        self._inputs = [NodeArg(i) for i in self._model.inputs]
        self._outputs = [NodeArg(o) for o in self._model.outputs]
        self._providers = list(providers or [])

    @property
    def model(self):
        """The mcc.Model behind the session."""
        return self._model

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def get_overridable_initializers(self):
        return []

    def get_providers(self):
        return ["MccExecutionProvider"]

    def run(self, output_names, input_feed, run_options=None):
        """Outputs named by `output_names` (None or []: all, in the model's
        order) as a list of numpy arrays."""
        result = self._model.run(input_feed)
        if not output_names:
            return [result[o.name] for o in self._outputs]
        unknown = [n for n in output_names if n not in result]
        if unknown:
            raise ValueError(f"Invalid output name(s): {unknown}")
        return [result[n] for n in output_names]
