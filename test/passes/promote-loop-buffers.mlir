// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(promote-loop-buffers))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(promote-loop-buffers{max-total-bytes=48}))' | FileCheck %s --check-prefix=TOTAL

// A row buffer allocated and freed in every iteration becomes one alloca
// at the function's entry; the dealloc goes.
// CHECK-LABEL: func.func @row_buffer(
// CHECK-SAME: %[[OUT:[^:]*]]: memref<4x8xf32>)
// CHECK-NEXT: %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8xf32>
// CHECK: scf.for %[[I:.*]] =
// CHECK-NOT: memref.alloc(
// CHECK: linalg.fill {{.*}} outs(%[[BUF]] : memref<8xf32>)
// CHECK: memref.copy %[[BUF]], %{{.*}}
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @row_buffer(%out: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %buf = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
    linalg.fill ins(%one : f32) outs(%buf : memref<8xf32>)
    %row = memref.subview %out[%i, 0] [1, 8] [1, 1] : memref<4x8xf32> to memref<8xf32, strided<[1], offset: ?>>
    memref.copy %buf, %row : memref<8xf32> to memref<8xf32, strided<[1], offset: ?>>
    memref.dealloc %buf : memref<8xf32>
  }
  return
}

// -----

// Larger than max-bytes (256 KiB), outside any loop, or freed in another
// block: left alone.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: memref.alloca
// CHECK: memref.alloc() : memref<131072xf32>
// CHECK: memref.dealloc
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.dealloc
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: scf.for
// CHECK: memref.dealloc
func.func @left_alone(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %big = memref.alloc() : memref<131072xf32>
    memref.dealloc %big : memref<131072xf32>
  }
  %top = memref.alloc() : memref<8xf32>
  memref.dealloc %top : memref<8xf32>
  scf.for %i = %c0 to %n step %c1 {
    %outer = memref.alloc() : memref<8xf32>
    scf.for %j = %c0 to %n step %c1 {
      memref.dealloc %outer : memref<8xf32>
    }
  }
  return
}

// -----

// Two loops' 32-byte buffers with room for 48 bytes in all: the first
// goes on the stack, the second stays a malloc and free per iteration.
// TOTAL-LABEL: func.func @two_loops(
// TOTAL-NEXT: %[[BUF:.*]] = memref.alloca() : memref<8xf32>
// TOTAL-NOT: memref.alloca
// TOTAL: scf.for
// TOTAL: linalg.fill {{.*}} outs(%[[BUF]] : memref<8xf32>)
// TOTAL: scf.for
// TOTAL: %[[HEAP:.*]] = memref.alloc() : memref<8xf32>
// TOTAL: memref.dealloc %[[HEAP]]
func.func @two_loops(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %buf = memref.alloc() : memref<8xf32>
    linalg.fill ins(%one : f32) outs(%buf : memref<8xf32>)
    memref.copy %buf, %out : memref<8xf32> to memref<8xf32>
    memref.dealloc %buf : memref<8xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %buf = memref.alloc() : memref<8xf32>
    linalg.fill ins(%one : f32) outs(%buf : memref<8xf32>)
    memref.copy %buf, %out : memref<8xf32> to memref<8xf32>
    memref.dealloc %buf : memref<8xf32>
  }
  return
}
