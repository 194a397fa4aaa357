// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(plan-arena))' | FileCheck %s

// %a dies before %c is allocated, so %c reuses %a's bytes; %b overlaps both
// and gets its own. Sizes round up to 64 bytes: a=1024, b=64 (4 x f32), c=512.
// CHECK-LABEL: func.func @chain(
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1088xi8>
// CHECK-DAG: %[[O0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[O0]]][] : memref<1088xi8> to memref<256xf32>
// CHECK: %[[O1:.*]] = arith.constant 1024 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[O1]]][] : memref<1088xi8> to memref<4xf32>
// CHECK: %[[O2:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[O2]]][] : memref<1088xi8> to memref<128xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.copy %[[C]], %{{.*}}
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
func.func @chain(%x: memref<256xf32>, %y: memref<128xf32>) {
  %a = memref.alloc() : memref<256xf32>
  memref.copy %x, %a : memref<256xf32> to memref<256xf32>
  %b = memref.alloc() : memref<4xf32>
  %sa = memref.subview %a[0] [4] [1] : memref<256xf32> to memref<4xf32, strided<[1]>>
  memref.copy %sa, %b : memref<4xf32, strided<[1]>> to memref<4xf32>
  memref.dealloc %a : memref<256xf32>
  %c = memref.alloc() : memref<128xf32>
  %sc = memref.subview %c[0] [4] [1] : memref<128xf32> to memref<4xf32, strided<[1]>>
  memref.copy %b, %sc : memref<4xf32> to memref<4xf32, strided<[1]>>
  memref.dealloc %b : memref<4xf32>
  memref.copy %c, %y : memref<128xf32> to memref<128xf32>
  memref.dealloc %c : memref<128xf32>
  return
}

// -----

// A dynamic buffer and one freed inside a region stay as they are.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: memref.view
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<8xf32>
func.func @left_alone(%n: index, %p: i1) {
  %a = memref.alloc(%n) : memref<?xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.dealloc %a : memref<?xf32>
  scf.if %p {
    memref.dealloc %b : memref<8xf32>
  }
  return
}

// -----

// More alignment than the arena promises: left alone.
// CHECK-LABEL: func.func @overaligned(
// CHECK: memref.alloc() {alignment = 128 : i64} : memref<64xf32>
// CHECK: memref.dealloc
func.func @overaligned(%x: memref<64xf32>) {
  %a = memref.alloc() {alignment = 128 : i64} : memref<64xf32>
  %b = memref.alloc() : memref<64xf32>
  memref.copy %x, %a : memref<64xf32> to memref<64xf32>
  memref.copy %a, %b : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  memref.dealloc %b : memref<64xf32>
  return
}
