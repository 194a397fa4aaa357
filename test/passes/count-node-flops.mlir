// RUN: mcc-opt %s --pass-pipeline='builtin.module(count-node-flops)' | FileCheck %s

// Per node: a conv 2 * output elements * (C/group * KH * KW), a matmul
// 2 * output elements * K, a Gemm with transA its K from A's rows, a
// pool one per input element, data movement none, the rest one per output
// element. A node with a symbolic shape is left out (unknown).
// CHECK: module attributes {mcc.node_flops = {
// CHECK-SAME: conv1 = 1.843200e+04
// CHECK-SAME: gemm1 = 1.536000e+03
// CHECK-SAME: mm1 = 1.536000e+03
// CHECK-SAME: pool1 = 5.120000e+02
// CHECK-SAME: relu1 = 5.120000e+02
// CHECK-SAME: reshape1 = 0.000000e+00
// CHECK-NOT: dyn1
// CHECK-SAME: }}
// CHECK-LABEL: func.func @main_graph
func.func @main_graph(%x: tensor<1x8x8x8xf32>, %w: tensor<8x2x3x3xf32>,
                      %a: tensor<4x16xf32>, %b: tensor<16x12xf32>,
                      %t: tensor<16x4xf32>, %d: tensor<?x4xf32>)
    -> (tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<4x12xf32>,
        tensor<4x12xf32>, tensor<512xf32>, tensor<?x4xf32>) {
  %none = onnx.NoValue
  %c = onnx.Conv(%x, %w, %none) {group = 4 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x8x8x8xf32>, tensor<8x2x3x3xf32>, none) -> tensor<1x8x8x8xf32> loc("conv1"("Conv"("m.onnx":1:0)))
  %r = onnx.Relu(%c) : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> loc("relu1"("Relu"("m.onnx":2:0)))
  %p = onnx.AveragePool(%r) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32> loc("pool1"("AveragePool"("m.onnx":3:0)))
  %m = onnx.MatMul(%a, %b) : (tensor<4x16xf32>, tensor<16x12xf32>) -> tensor<4x12xf32> loc("mm1"("MatMul"("m.onnx":4:0)))
  %g = onnx.Gemm(%t, %b, %none) {transA = 1 : i64} : (tensor<16x4xf32>, tensor<16x12xf32>, none) -> tensor<4x12xf32> loc("gemm1"("Gemm"("m.onnx":5:0)))
  %shape = onnx.Constant() {value = dense<512> : tensor<1xi64>} : () -> tensor<1xi64>
  %flat = onnx.Reshape(%r, %shape) : (tensor<1x8x8x8xf32>, tensor<1xi64>) -> tensor<512xf32> loc("reshape1"("Reshape"("m.onnx":6:0)))
  %e = onnx.Exp(%d) : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("dyn1"("Exp"("m.onnx":7:0)))
  return %r, %p, %m, %g, %flat, %e : tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<4x12xf32>, tensor<4x12xf32>, tensor<512xf32>, tensor<?x4xf32>
}
