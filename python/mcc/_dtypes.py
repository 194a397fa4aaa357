"""The C ABI's element types (ONNX TensorProto codes) as numpy dtypes.

bfloat16, the float8/float4 types and int4/int2 come from ml_dtypes (one
element per byte, as the ABI stores them); it is imported only when a
model uses one of them.
"""
import numpy as np

_NUMPY = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
          11: np.float64, 12: np.uint32, 13: np.uint64}
_ML_DTYPES = {16: "bfloat16", 17: "float8_e4m3fn", 18: "float8_e4m3fnuz",
              19: "float8_e5m2", 20: "float8_e5m2fnuz", 21: "uint4",
              22: "int4", 23: "float4_e2m1fn", 24: "float8_e8m0fnu",
              25: "uint2", 26: "int2"}
# onnxruntime's NodeArg.type spelling.
_ONNX_NAMES = {1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16",
               6: "int32", 7: "int64", 9: "bool", 10: "float16",
               11: "double", 12: "uint32", 13: "uint64", 16: "bfloat16",
               17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2",
               20: "float8e5m2fnuz", 21: "uint4", 22: "int4",
               23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2"}


def numpy_dtype(code):
    if code in _NUMPY:
        return np.dtype(_NUMPY[code])
    if code in _ML_DTYPES:
        try:
            import ml_dtypes
        except ImportError as e:
            raise ImportError(
                f"the model uses {_ML_DTYPES[code]}, whose numpy dtype comes "
                "from ml_dtypes: pip install ml_dtypes") from e
        return np.dtype(getattr(ml_dtypes, _ML_DTYPES[code]))
    raise ValueError(f"unknown element type code {code}")


def onnx_type_name(dtype):
    """'tensor(float)' for float32, as onnxruntime writes NodeArg.type."""
    for code in list(_NUMPY) + list(_ML_DTYPES):
        try:
            if numpy_dtype(code) == dtype:
                return f"tensor({_ONNX_NAMES[code]})"
        except ImportError:
            continue
    return f"tensor({dtype})"
