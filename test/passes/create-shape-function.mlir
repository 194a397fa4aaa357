// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(create-shape-function)' | FileCheck %s

// The copy returns the result dims (static ones as constants) and keeps
// the checks; the graph drops them; the computation is dead in the copy.
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK-LABEL: func.func @main_graph_shapes(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[Y:.*]]: tensor<?x4xf32>) -> (tensor<2xi64>, i32)
// CHECK-DAG: %[[OK:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[FOUR:.*]] = arith.constant 4 : i64
// CHECK-DAG: %[[D:.*]] = tensor.dim %[[X]], %c0
// CHECK: cf.assert %{{.*}}, "rows differ"
// CHECK-NOT: linalg.generic
// CHECK: %[[D64:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[R:.*]] = tensor.from_elements %[[D64]], %[[FOUR]] : tensor<2xi64>
// CHECK: return %[[R]], %[[OK]]
func.func @main_graph(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %dx = tensor.dim %x, %c0 : tensor<?x4xf32>
  %dy = tensor.dim %y, %c0 : tensor<?x4xf32>
  %same = arith.cmpi eq, %dx, %dy : index
  cf.assert %same, "rows differ"
  %e = tensor.empty(%dx) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<?x4xf32>, tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// Static shapes and no checks: nothing to do.
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT: main_graph_shapes
func.func @main_graph(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
