// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(dynamic-results-in-place))' | FileCheck %s

// A dynamic result's buffer becomes the out-parameter: no copy.
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME: %[[X:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<?xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.copy ins(%[[X]] : memref<?xf32>) outs(%[[OUT]] : memref<?xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @main_graph(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %d = memref.dim %x, %c0 : memref<?xf32>
  %a = memref.alloc(%d) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%a : memref<?xf32>)
  memref.copy %a, %out : memref<?xf32> to memref<?xf32>
  return
}

// -----

// Must not fire: the copied buffer is an input, not an allocation.
// CHECK-LABEL: func.func @from_input(
// CHECK: memref.copy
func.func @from_input(%x: memref<?xf32>, %out: memref<?xf32>) {
  memref.copy %x, %out : memref<?xf32> to memref<?xf32>
  return
}
