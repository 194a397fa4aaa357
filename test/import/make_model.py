"""Writes small ONNX models for the import tests: make_model.py KIND OUT."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

kind, out = sys.argv[1], sys.argv[2]
if kind == "opset11":
    # Squeeze's axes and Clip's bounds were attributes before opset 13/11;
    # Softmax normalized over every dim from its axis (default 1).
    nodes = [helper.make_node("Softmax", ["x"], ["sm"], name="softmax"),
             helper.make_node("Squeeze", ["sm"], ["s"], name="squeeze", axes=[0]),
             helper.make_node("Clip", ["s"], ["y"], name="clip6", min=0.0, max=6.0)]
    opset = 10
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "N"])]
    inits = []
elif kind == "upsample7":
    # Upsample-7 (scales an attribute) is Resize of its time.
    nodes = [helper.make_node("Upsample", ["x"], ["y"], name="up",
                              scales=[1.0, 1.0, 2.0, 2.0], mode="bilinear")]
    opset = 7
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                            [1, 2, 3, 4])]
    inits = []
elif kind == "untyped":
    # Intermediate values without value_info, one of unknown rank (Det
    # has no shape rule yet): results still get their fixed element types.
    nodes = [helper.make_node("Det", ["x"], ["h"], name="det"),
             helper.make_node("Equal", ["h", "h"], ["e"], name="eq"),
             helper.make_node("Shape", ["h"], ["s"], name="shape"),
             helper.make_node("Size", ["x"], ["n"], name="size"),
             helper.make_node("Cast", ["e"], ["y"], name="cast", to=1)]
    opset = 17
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])]
    inits = []
elif kind == "prelu6":
    # Opset 6 PRelu: a [C] slope broadcast along the channels.
    nodes = [helper.make_node("PRelu", ["x", "slope"], ["y"], name="prelu")]
    opset = 6
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])]
    inits = [numpy_helper.from_array(np.array([0.1, 0.2, 0.3], np.float32),
                                     "slope")]
elif kind == "subgraph":
    # A Scan body that reads a value of the enclosing graph ("bias") and
    # an untyped body input (its type comes from the scan input's slice).
    body = helper.make_graph(
        [helper.make_node("Add", ["acc", "x_t"], ["s"], name="acc_add"),
         helper.make_node("Add", ["s", "bias"], ["acc_out"], name="bias_add"),
         helper.make_node("Identity", ["acc_out"], ["y_t"], name="emit")],
        "body",
        [helper.make_tensor_value_info("acc", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("x_t", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("y_t", TensorProto.FLOAT, None)])
    nodes = [helper.make_node("Scan", ["init", "x"], ["last", "y"], name="scan",
                              num_scan_inputs=1, body=body)]
    opset = 17
    inputs = [helper.make_tensor_value_info("init", TensorProto.FLOAT, [4]),
              helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])]
    inits = [numpy_helper.from_array(np.ones(4, np.float32), "bias")]
else:
    w = numpy_helper.from_array(np.ones((4, 8), np.float32), "weight")
    nodes = [helper.make_node("MatMul", ["x", "weight"], ["y"], name="fc")]
    opset = 17
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])]
    inits = [w]
g = helper.make_graph(nodes, "g", inputs,
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), out)
