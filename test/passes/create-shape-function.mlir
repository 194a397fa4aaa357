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

// -----

// A run-time broadcast (an operand whose rows may be 1) is an scf.if; the
// result's dim comes from the dims the branches yield, so the matmul
// before it is dead in the copy.
// CHECK-LABEL: func.func @main_graph_shapes(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[Y:.*]]: tensor<?x4xf32>)
// CHECK-NOT: linalg.
// CHECK-DAG: %[[DX:.*]] = tensor.dim %[[X]]
// CHECK-DAG: %[[DY:.*]] = tensor.dim %[[Y]]
// CHECK: %[[D:.*]] = scf.if %{{.*}} -> (index) {
// CHECK-NEXT: scf.yield %[[DY]] : index
// CHECK: scf.yield %[[DX]] : index
// CHECK-NOT: linalg.
// CHECK: %[[D64:.*]] = arith.index_cast %[[D]]
// CHECK: tensor.from_elements %[[D64]]
func.func @main_graph(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = arith.constant dense<1.0> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %dx = tensor.dim %x, %c0 : tensor<?x4xf32>
  %dy = tensor.dim %y, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%dx) : tensor<?x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x4xf32>) outs(%f : tensor<?x4xf32>) -> tensor<?x4xf32>
  %one = arith.cmpi eq, %dx, %c1 : index
  %b = scf.if %one -> (tensor<?x4xf32>) {
    %eb = tensor.empty(%dy) : tensor<?x4xf32>
    %g = linalg.generic {indexing_maps = [affine_map<(i, j) -> (0, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<?x4xf32>) outs(%eb : tensor<?x4xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<?x4xf32>
    scf.yield %g : tensor<?x4xf32>
  } else {
    scf.yield %mm : tensor<?x4xf32>
  }
  %ey = tensor.empty(%dy) : tensor<?x4xf32>
  %r = linalg.add ins(%b, %y : tensor<?x4xf32>, tensor<?x4xf32>) outs(%ey : tensor<?x4xf32>) -> tensor<?x4xf32>
  %bad = arith.cmpi ne, %dy, %c0 : index
  cf.assert %bad, "rows"
  %rd = tensor.dim %b, %c0 : tensor<?x4xf32>
  %re = tensor.empty(%rd) : tensor<?x4xf32>
  %out = linalg.copy ins(%r : tensor<?x4xf32>) outs(%re : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %out : tensor<?x4xf32>
}
