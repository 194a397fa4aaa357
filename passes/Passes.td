//===- Passes.td - Every mcc pass --------------------------*- tablegen -*-===//

#ifndef MCC_PASSES_PASSES_TD
#define MCC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxShapeInference : Pass<"onnx-shape-inference", "mlir::func::FuncOp"> {
  let summary = "Infer result shapes of onnx ops and fold shape arithmetic";
  let description = [{
    Walks the function in order: each op first gets its result types from
    its operands, then, when all its operands are small constants (or, for
    Shape, its input has a static shape), it is evaluated and replaced by an
    onnx.Constant. One walk suffices because ONNX graphs are topologically
    sorted. The function's result types are updated at the end.
  }];
  let dependentDialects = ["mcc::onnx::ONNXDialect"];
}

def OnnxFoldBatchNorm : Pass<"onnx-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv";
  let description = [{
    Conv(x, W, B) followed by BatchNormalization(scale, bias, mean, var) with
    constant parameters becomes one Conv with W' = W * s and
    B' = (B - mean) * s + bias, s = scale / sqrt(var + epsilon), computed at
    compile time. Must not fire when the Conv has another user, or when any
    parameter is not a constant.
  }];
  let dependentDialects = ["mcc::onnx::ONNXDialect"];
}

def ConvertOnnxToLinalg : Pass<"convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every op needs static result shapes (run onnx-shape-inference first).
    Ops without a lowering stay and make the pass fail with their node name.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect"
  ];
}

#endif // MCC_PASSES_PASSES_TD
