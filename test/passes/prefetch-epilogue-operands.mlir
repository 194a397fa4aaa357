// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(prefetch-epilogue-operands))' | FileCheck %s

// A register tile: the reduction loop carries the accumulator, then the
// epilogue reads the residual row (32 lanes: two cache lines) at an index
// computed after the loop, and stores the output row. Both get prefetched
// before the loop, the index computation cloned there.
// CHECK-LABEL: func.func @tile(
// CHECK-SAME: %[[A:[^:]*]]: memref<64xf32>, %[[RES:[^:]*]]: memref<8x64xf32>, %[[OUT:[^:]*]]: memref<8x64xf32>, %[[I:[^:]*]]: index
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[J:.*]] = arith.addi %[[I]], %[[C32]] : index
// CHECK: memref.prefetch %[[RES]][%[[I]], %[[J]]], read, locality<3>, data
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[J16:.*]] = arith.addi %[[J]], %[[C16]] : index
// CHECK: memref.prefetch %[[RES]][%[[I]], %[[J16]]], read, locality<3>, data
// CHECK: memref.prefetch %[[OUT]][%[[I]], %[[J]]], write, locality<3>, data
// CHECK: memref.prefetch %[[OUT]][%[[I]], %{{.*}}], write, locality<3>, data
// CHECK: scf.for
// CHECK: vector.fma
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @tile(%a: memref<64xf32>, %res: memref<8x64xf32>, %out: memref<8x64xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %x = memref.load %a[%k] : memref<64xf32>
    %b = vector.broadcast %x : f32 to vector<32xf32>
    %n = vector.fma %b, %b, %s : vector<32xf32>
    scf.yield %n : vector<32xf32>
  }
  %j = arith.addi %i, %c32 : index
  %r = vector.transfer_read %res[%i, %j], %z {in_bounds = [true]} : memref<8x64xf32>, vector<32xf32>
  %y = arith.addf %acc, %r : vector<32xf32>
  vector.transfer_write %y, %out[%i, %j] {in_bounds = [true]} : vector<32xf32>, memref<8x64xf32>
  return
}

// -----

// Not prefetched: a transfer that may run out of bounds (the hint would
// compute an address past the buffer) and one whose index depends on
// the loop's result.
// CHECK-LABEL: func.func @not_prefetched(
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @not_prefetched(%res: memref<8x64xf32>, %out: memref<8x64xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<16xf32>
  %acc:2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init, %t = %c0) -> (vector<16xf32>, index) {
    %n = arith.addf %s, %s : vector<16xf32>
    %t2 = arith.addi %t, %c1 : index
    scf.yield %n, %t2 : vector<16xf32>, index
  }
  %r = vector.transfer_read %res[%i, %i], %z {in_bounds = [false]} : memref<8x64xf32>, vector<16xf32>
  %y = arith.addf %acc#0, %r : vector<16xf32>
  vector.transfer_write %y, %out[%i, %acc#1] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
  return
}
