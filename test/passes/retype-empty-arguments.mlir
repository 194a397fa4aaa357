// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(retype-empty-arguments))' | FileCheck %s

// A zero-element argument becomes one pointer's worth of memref; its uses
// see a zero-element stack buffer. Other arguments are unchanged.
// CHECK-LABEL: func.func @empty_input
// CHECK-SAME: (%{{.*}}: memref<1xf32>, %[[OUT:.*]]: memref<2x4xf32>)
// CHECK: %[[S:.*]] = memref.alloca() : memref<2x0x4xf32>
// CHECK: memref.copy %[[S]], %{{.*}} : memref<2x0x4xf32> to memref<2x0x4xf32>
// CHECK: memref.copy %{{.*}}, %[[OUT]]
func.func @empty_input(%a: memref<2x0x4xf32>, %b: memref<2x4xf32>) {
  %t = memref.alloc() : memref<2x0x4xf32>
  memref.copy %a, %t : memref<2x0x4xf32> to memref<2x0x4xf32>
  %z = memref.alloc() : memref<2x4xf32>
  memref.copy %z, %b : memref<2x4xf32> to memref<2x4xf32>
  return
}
