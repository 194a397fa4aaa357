// RUN: mcc-opt %s -split-input-file -verify-diagnostics

func.func @sqrt_of_integers(%a: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'onnx.Sqrt' op operand #0 must be tensor of}}
  %0 = onnx.Sqrt(%a) : (tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @conv_missing_bias_operand(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) {
  // expected-error @+1 {{'onnx.Conv' op expected 3 operands, but found 2}}
  %0 = "onnx.Conv"(%x, %w) : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return
}
