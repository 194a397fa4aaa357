// RUN: mcc-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(convert-onnx-to-linalg))'
// RUN: mcc-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(convert-onnx-to-linalg{check-only=1}))'

// An op we lower, with an attribute we do not: the error says which.
func.func @resize_antialias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %scales = onnx.Constant() {value = dense<[1.0, 1.0, 0.5, 0.5]> : tensor<4xf32>} : () -> tensor<4xf32>
  %none = onnx.NoValue
  // expected-error @+1 {{cannot lower this op: antialias is not supported yet}}
  %y = onnx.Resize(%x, %none, %scales, %none) {mode = "linear", antialias = 1 : i64} : (tensor<1x2x4x4xf32>, none, tensor<4xf32>, none) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @lp_norm_p3(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{cannot lower this op: p must be 1 or 2}}
  %y = onnx.LpNormalization(%x) {p = 3 : i64} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Constant indices are checked at compile time.
func.func @gather_constant_out_of_range(%t: tensor<10x8xf32>) -> tensor<1x8xf32> {
  %i = onnx.Constant() {value = dense<[10]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{cannot lower this op: index 10 is out of range for a dimension of size 10}}
  %0 = onnx.Gather(%t, %i) {axis = 0 : i64} : (tensor<10x8xf32>, tensor<1xi64>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// GatherElements walks the indices' dims: they may not exceed the data's.
func.func @gather_elements_indices_too_wide(%d: tensor<3x2xf32>, %i: tensor<3x4xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{cannot lower this op: the indices exceed the data (dimension 1)}}
  %0 = onnx.GatherElements(%d, %i) {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
