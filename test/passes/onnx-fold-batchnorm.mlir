// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(onnx-fold-batchnorm))' | FileCheck %s

// CHECK-LABEL: func.func @fold
// CHECK-NOT: onnx.BatchNormalization
// CHECK: %[[W:.*]] = onnx.Constant() {value = dense_resource<folded_weight>
// CHECK: %[[B:.*]] = onnx.Constant() {value = dense_resource<folded_bias>
// CHECK: %[[C:.*]] = onnx.Conv(%{{.*}}, %[[W]], %[[B]])
// CHECK: return %[[C]]
func.func @fold(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1.0> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %s = onnx.Constant() {value = dense<[2.0, 3.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %b = onnx.Constant() {value = dense<[0.5, 0.25]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = onnx.Constant() {value = dense<[1.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = onnx.Constant() {value = dense<[1.0, 4.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %y, %rm, %rv = onnx.BatchNormalization(%c, %s, %b, %m, %v) {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4x4xf32>, none, none)
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Must not fire: the raw conv output is also returned, so folding the
// normalization into the weights would change it.
// CHECK-LABEL: func.func @conv_has_two_users
// CHECK: onnx.BatchNormalization
func.func @conv_has_two_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1.0> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %p = onnx.Constant() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = onnx.Conv(%x, %w, %none) : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32>
  %y, %rm, %rv = onnx.BatchNormalization(%c, %p, %p, %p, %p) : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4x4xf32>, none, none)
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Under mcc --report (the module asks for decisions), the fold is recorded
// on the function with the fused location of both nodes; without the
// request nothing is (the cases above).
// CHECK: #[[CONV:.*]] = loc("conv"(
// CHECK: #[[BN:.*]] = loc("bn"(
// CHECK: #[[BOTH:.*]] = loc(fused[#[[CONV]], #[[BN]]])
// CHECK-LABEL: func.func @recorded
// CHECK-SAME: attributes {mcc.decisions = [{decision = "BatchNormalization folded into the Conv's weights and bias", loc = #[[BOTH]], pass = "onnx-fold-batchnorm"}]}
module attributes {mcc.record_decisions} {
  func.func @recorded(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
    %none = onnx.NoValue
    %w = onnx.Constant() {value = dense<1.0> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
    %s = onnx.Constant() {value = dense<[2.0, 3.0]> : tensor<2xf32>} : () -> tensor<2xf32>
    %c = onnx.Conv(%x, %w, %none) : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x4x4xf32> loc("conv"("Conv"("m.onnx":1:0)))
    %y, %rm, %rv = onnx.BatchNormalization(%c, %s, %s, %s, %s) {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4x4xf32>, none, none) loc("bn"("BatchNormalization"("m.onnx":2:0)))
    return %y : tensor<1x2x4x4xf32>
  }
}
