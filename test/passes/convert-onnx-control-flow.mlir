// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-onnx-control-flow))' | FileCheck %s

// If: scf.if on the condition's element; branch results cast to the If's
// (joined) type; the branches' onnx ops stay for convert-onnx-to-linalg.
// CHECK-LABEL: func.func @if_branches
// CHECK: %[[C:.*]] = tensor.extract %arg0[] : tensor<i1>
// CHECK: scf.if %[[C]] -> (tensor<?xf32>)
// CHECK: onnx.Relu
// CHECK: tensor.cast %{{.*}} : tensor<2xf32> to tensor<?xf32>
// CHECK: } else {
// CHECK: tensor.cast %arg2 : tensor<3xf32> to tensor<?xf32>
// CHECK-NOT: onnx.Yield
func.func @if_branches(%c: tensor<i1>, %a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<?xf32> {
  %0 = "onnx.If"(%c) ({
    onnx.Yield %b : tensor<3xf32>
  }, {
    %r = onnx.Relu(%a) : (tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %r : tensor<2xf32>
  }) : (tensor<i1>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Loop: scf.while over (iteration, condition, carried..., scan buffers):
// continues while iteration < M and the body's condition holds; a scan
// output is written one row per iteration and cut to the rows written.
// CHECK-LABEL: func.func @loop_scan
// CHECK: %[[M:.*]] = tensor.extract %arg0[] : tensor<i64>
// CHECK: %[[W:.*]]:4 = scf.while (%[[I:.*]] = %{{.*}}, %[[GO:.*]] = %{{.*}}, %[[V:.*]] = %arg2, %[[BUF:.*]] = %{{.*}}) : (i64, i1, tensor<2xf32>, tensor<?x2xf32>)
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[M]] : i64
// CHECK: %[[MORE:.*]] = arith.andi %[[LT]], %[[GO]] : i1
// CHECK: scf.condition(%[[MORE]])
// CHECK: } do {
// CHECK: onnx.Add
// CHECK: tensor.insert_slice
// CHECK: scf.yield
// CHECK: %[[N:.*]] = arith.index_cast %[[W]]#0 : i64 to index
// CHECK: tensor.extract_slice %[[W]]#3[0, 0] [%[[N]], 2] [1, 1]
func.func @loop_scan(%m: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>) {
  %0:2 = "onnx.Loop"(%m, %c, %v) ({
  ^bb0(%i: tensor<i64>, %go: tensor<i1>, %x: tensor<2xf32>):
    %s = onnx.Add(%x, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %go, %s, %s : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<?x2xf32>
}

// -----

// Scan: scf.for over the scanned length; each step reads the input's
// slice (reversed direction: counted from the end) and writes the
// output's.
// CHECK-LABEL: func.func @scan_reverse
// CHECK: %[[LEN:.*]] = tensor.dim %arg1, %c0
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %[[LEN]] step %{{.*}} iter_args(%[[ACC:.*]] = %arg0, %[[OUT:.*]] = %{{.*}})
// CHECK: %[[REV:.*]] = arith.subi %{{.*}}, %[[T]] : index
// CHECK: tensor.extract_slice %arg1[%[[REV]], 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<4xf32>
// CHECK: onnx.Add
// CHECK: tensor.insert_slice %{{.*}} into %[[OUT]][%[[T]], 0] [1, 4] [1, 1]
func.func @scan_reverse(%init: tensor<4xf32>, %x: tensor<3x4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  %0:2 = "onnx.Scan"(%init, %x) <{num_scan_inputs = 1 : i64, scan_input_directions = [1]}> ({
  ^bb0(%acc: tensor<4xf32>, %xt: tensor<4xf32>):
    %s = onnx.Add(%acc, %xt) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    onnx.Yield %s, %s : tensor<4xf32>, tensor<4xf32>
  }) : (tensor<4xf32>, tensor<3x4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<3x4xf32>
}
