// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(peel-batch)' | FileCheck %s

// A batch no op mixes: the graph becomes a loop over samples calling a
// static batch-1 copy, whose results go to slice n of the outputs.
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>) -> tensor<?x2xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[E]])
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
// CHECK: %[[R:.*]] = func.call @main_graph_sample(%[[S]]) : (tensor<1x4xf32>) -> tensor<1x2xf32>
// CHECK: tensor.insert_slice %[[R]] into %[[ACC]][%[[I]], 0] [1, 2] [1, 1]
// CHECK-LABEL: func.func private @main_graph_sample(
// CHECK-SAME: %{{.*}}: tensor<1x4xf32>) -> tensor<1x2xf32> attributes {mcc.sample}
// CHECK: onnx.Gemm
// CHECK: onnx.Softmax
func.func @main_graph(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant() {value = dense<1.0> : tensor<4x2xf32>} : () -> tensor<4x2xf32>
  %none = onnx.NoValue
  %h = onnx.Gemm(%x, %w, %none) : (tensor<?x4xf32>, tensor<4x2xf32>, none) -> tensor<?x2xf32>
  %y = onnx.Softmax(%h) {axis = 1 : i64} : (tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Must not fire: a softmax across the batch mixes the samples.
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT: scf.for
// CHECK-NOT: main_graph_sample
func.func @main_graph(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = onnx.Softmax(%x) {axis = 0 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Must not fire: a reshape that hard-codes batch 1 (only valid for N = 1).
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT: main_graph_sample
func.func @main_graph(%x: tensor<?x4xf32>) -> tensor<1x2x2xf32> {
  %s = onnx.Constant() {value = dense<[1, 2, 2]> : tensor<3xi64>} : () -> tensor<3xi64>
  %y = onnx.Reshape(%x, %s) : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}
