// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(guard-empty-outputs))' | FileCheck %s

// An op whose output has dynamic dims runs only when none of them is 0:
// one compare per dynamic dim, outside the op's loops.
// CHECK-LABEL: func.func @dynamic_output
// CHECK-SAME: (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>)
// CHECK-DAG: %[[D0:.*]] = memref.dim %[[Y]], %c0
// CHECK-DAG: %[[NE0:.*]] = arith.cmpi ne, %[[D0]], %{{.*}}
// CHECK-DAG: %[[D1:.*]] = memref.dim %[[Y]], %c1
// CHECK-DAG: %[[NE1:.*]] = arith.cmpi ne, %[[D1]], %{{.*}}
// CHECK: %[[ALL:.*]] = arith.andi %[[NE0]], %[[NE1]]
// CHECK: scf.if %[[ALL]] {
// CHECK-NEXT: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @dynamic_output(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}

// -----

// Must not fire: static outputs (a dynamic input alone cannot empty the
// output), and ops already inside a loop.
// CHECK-LABEL: func.func @static_or_nested
// CHECK-NOT: scf.if
// CHECK: linalg.fill
// CHECK: scf.for
// CHECK-NOT: scf.if
// CHECK: linalg.fill
func.func @static_or_nested(%s: memref<4x8xf32>, %d: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 0.0 : f32
  linalg.fill ins(%f : f32) outs(%s : memref<4x8xf32>)
  scf.for %i = %c0 to %n step %c1 {
    linalg.fill ins(%f : f32) outs(%d : memref<?xf32>)
  }
  return
}
