// RUN: mcc-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(onnx-shape-inference))'

// Attributes out of the range their operands allow (checkAttributes).
func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{axis 7 is out of range for an input of rank 2 (valid: -2 to 1)}}
  %0 = onnx.Softmax(%x) {axis = 7 : i64} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @onehot_axis(%i: tensor<4xi64>, %d: tensor<i64>, %v: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{axis -3 is out of range for an input of rank 1 (valid: -2 to 1)}}
  %0 = onnx.OneHot(%i, %d, %v) {axis = -3 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// A per-axis scale along axis 10 of a rank-2 input (compile fuzzer
// finding: the lowering indexed past the input's dims and crashed).
func.func @dequantize_axis(%w: tensor<4x3xi8>, %s: tensor<3xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{axis 10 is out of range for an input of rank 2 (valid: -2 to 1)}}
  %0 = onnx.DequantizeLinear(%w, %s, %none) {axis = 10 : i64} : (tensor<4x3xi8>, tensor<3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @quantize_axis(%x: tensor<4x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<*xui8> {
  // expected-error @+1 {{axis -3 is out of range for an input of rank 2 (valid: -2 to 1)}}
  %0 = onnx.QuantizeLinear(%x, %s, %z) {axis = -3 : i64} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<*xui8>
  return %0 : tensor<*xui8>
}

// -----

func.func @transpose_repeated(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm is not a permutation of 0 to 1}}
  %0 = onnx.Transpose(%x) {perm = [1, 1]} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{group 3 does not divide the 4 output channels}}
  %0 = onnx.Conv(%x, %w, %none) {group = 3 : i64} : (tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_kernel_shape(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{kernel_shape 5 at dim 0 contradicts the weights' 3}}
  %0 = onnx.Conv(%x, %w, %none) {kernel_shape = [5, 5]} : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Must not fire: Flatten's axis may equal the rank.
func.func @flatten_axis_rank(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %0 = onnx.Flatten(%x) {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
