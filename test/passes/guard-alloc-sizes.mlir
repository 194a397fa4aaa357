// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(guard-alloc-sizes)' | FileCheck %s

// The byte size of a dynamically sized buffer: element size times the
// static dims, then each dynamic dim with an overflow-checked unsigned
// product; over 2^48 bytes the runtime ends the run.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[N:.*]]: index, %[[M:.*]]: index)
// CHECK-DAG: %[[STATIC:.*]] = arith.constant 12 : i64
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[LO1:.*]], %[[HI1:.*]] = arith.mului_extended %[[STATIC]], %[[N64]] : i64
// CHECK: arith.cmpi ne, %[[HI1]], %[[ZERO]]
// CHECK: %[[M64:.*]] = arith.index_cast %[[M]] : index to i64
// CHECK: %[[LO2:.*]], %[[HI2:.*]] = arith.mului_extended %[[LO1]], %[[M64]] : i64
// CHECK: %[[LIMIT:.*]] = arith.constant 281474976710656 : i64
// CHECK: %[[BIG:.*]] = arith.cmpi ugt, %[[LO2]], %[[LIMIT]]
// CHECK: %[[BAD:.*]] = arith.ori %{{.*}}, %[[BIG]]
// CHECK: scf.if %[[BAD]] {
// CHECK:   func.call @mcc_rt_alloc_too_large(%[[LO2]]) : (i64) -> ()
// CHECK: }
// CHECK: memref.alloc(%[[N]], %[[M]]) : memref<?x3x?xf32>
// CHECK: func.func private @mcc_rt_alloc_too_large(i64)
func.func @dynamic(%n: index, %m: index) {
  %0 = memref.alloc(%n, %m) : memref<?x3x?xf32>
  memref.dealloc %0 : memref<?x3x?xf32>
  return
}

// -----

// Must not fire: static buffers are sized at compile time.
// CHECK-LABEL: func.func @static
// CHECK-NOT: mcc_rt_alloc_too_large
func.func @static() {
  %0 = memref.alloc() : memref<4x3xf32>
  memref.dealloc %0 : memref<4x3xf32>
  return
}
