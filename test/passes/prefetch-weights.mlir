// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(prefetch-weights))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(prefetch-weights{distance-bytes=4096}))' | FileCheck %s --check-prefix=FAR

// A register tile's reduction reads a packed panel of 32 lanes (128 bytes,
// two cache lines) per step: both lines are prefetched 2048 bytes (16
// steps) ahead; the activation operand is not a weight and is left alone.
// CHECK-LABEL: func.func @panel(
// CHECK-SAME: %[[A:[^:]*]]: memref<64xf32>
// CHECK: %[[W:.*]] = memref.get_global @packed : memref<4x64x32xf32>
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[AHEAD:.*]] = arith.addi %[[K]], %[[C16]] : index
// CHECK: memref.prefetch %[[W]][%{{.*}}, %[[AHEAD]], %{{.*}}], read, locality<3>, data
// CHECK: %[[L1:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: memref.prefetch %[[W]][%{{.*}}, %[[AHEAD]], %[[L1]]], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK: vector.transfer_read %[[W]]
// CHECK: vector.fma
// FAR-LABEL: func.func @panel(
// FAR: arith.constant 32 : index
// FAR: memref.prefetch
memref.global "private" constant @packed : memref<4x64x32xf32> = dense<1.0>
func.func @panel(%a: memref<64xf32>, %t: index) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %w = memref.get_global @packed : memref<4x64x32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %x = memref.load %a[%k] : memref<64xf32>
    %xa = vector.broadcast %x : f32 to vector<32xf32>
    %wv = vector.transfer_read %w[%t, %k, %c0], %z {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
    %f = vector.fma %xa, %wv, %s : vector<32xf32>
    scf.yield %f : vector<32xf32>
  }
  return %acc : vector<32xf32>
}

// -----

// Only the innermost loop of a reduction nest, and only reads of weights:
// a loop carrying no vectors and reads of arguments get nothing.
// CHECK-LABEL: func.func @not_streams(
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @not_streams(%a: memref<64x32xf32>, %out: memref<64x32xf32>) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %v = vector.transfer_read %a[%k, %c0], %z {in_bounds = [true]} : memref<64x32xf32>, vector<32xf32>
    %f = arith.addf %v, %s : vector<32xf32>
    scf.yield %f : vector<32xf32>
  }
  scf.for %k = %c0 to %c64 step %c1 {
    vector.transfer_write %acc, %out[%k, %c0] {in_bounds = [true]} : vector<32xf32>, memref<64x32xf32>
  }
  return %acc : vector<32xf32>
}

// -----

// A loop marked by register-tile-contractions (weights from DRAM, few rows
// per panel) also prefetches the next tile's panel, index 0 + 1, into the
// outer caches (locality 1); outside the scf.forall its marks describe, at
// the same step.
// CHECK-LABEL: func.func @next_panel(
// CHECK-SAME: %{{[^:]*}}: memref<64xf32>, %[[T:[^:]*]]: index
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: memref.prefetch %{{.*}}, read, locality<3>, data
// CHECK: memref.prefetch %{{.*}}, read, locality<3>, data
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[NEXT:.*]] = arith.addi %[[T]], %[[C1]] : index
// CHECK: memref.prefetch %{{.*}}[%[[NEXT]], %[[K]], %{{.*}}], read, locality<1>, data
// CHECK: memref.prefetch %{{.*}}[%[[NEXT]], %[[K]], %{{.*}}], read, locality<1>, data
// CHECK-NOT: memref.prefetch
// CHECK: vector.fma
memref.global "private" constant @packed2 : memref<4x64x32xf32> = dense<1.0>
func.func @next_panel(%a: memref<64xf32>, %t: index) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %w = memref.get_global @packed2 : memref<4x64x32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %x = memref.load %a[%k] : memref<64xf32>
    %xa = vector.broadcast %x : f32 to vector<32xf32>
    %wv = vector.transfer_read %w[%t, %k, %c0], %z {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
    %f = vector.fma %xa, %wv, %s : vector<32xf32>
    scf.yield %f : vector<32xf32>
  } {mcc.next_panel = {passes = array<i64: 2>, tile = 0 : i64}}
  return %acc : vector<32xf32>
}

// -----

// Inside the forall it was made in (4 tiles, then the passes: a unit dim
// canonicalize dropped and 3 row blocks), the 3 passes walk the next
// panel (tile %t + 1, 64 steps of 32 floats, from element (t + 1) * 2048
// of the flattened weights) linearly: global step p * 64 + k of the 192
// fetches the line at 11 floats (ceil(32 / 3)) times it, one prefetch
// per step and no division.
// CHECK-LABEL: func.func @next_panel_spread(
// CHECK: %[[W:.*]] = memref.get_global @packed3
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[W]] {{\[}}[0, 1, 2]] : memref<4x64x32xf32> into memref<8192xf32>
// CHECK: scf.forall (%[[T:[^,]*]], %[[P:[^)]*]]) in (4, 3)
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: memref.prefetch %{{.*}}, read, locality<3>, data
// CHECK: memref.prefetch %{{.*}}, read, locality<3>, data
// CHECK: %[[NEXT:.*]] = arith.addi %[[T]], %{{.*}} : index
// CHECK: %[[PASS:.*]] = arith.addi %{{.*}}, %[[P]] : index
// CHECK: %[[C2048:.*]] = arith.constant 2048 : index
// CHECK: arith.muli %[[NEXT]], %[[C2048]] : index
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[BASE:.*]] = arith.muli %[[PASS]], %[[C64]] : index
// CHECK: %[[K0:.*]] = arith.subi %[[K]], %{{.*}} : index
// CHECK: %[[G:.*]] = arith.addi %[[BASE]], %[[K0]] : index
// CHECK: %[[C11:.*]] = arith.constant 11 : index
// CHECK: %[[OFF:.*]] = arith.muli %[[G]], %[[C11]] : index
// CHECK: %[[AT:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
// CHECK: memref.prefetch %[[FLAT]][%[[AT]]], read, locality<1>, data : memref<8192xf32>
// CHECK-NOT: memref.prefetch
// CHECK-NOT: arith.divui
// CHECK: vector.fma
memref.global "private" constant @packed3 : memref<4x64x32xf32> = dense<1.0>
func.func @next_panel_spread(%a: memref<3x64xf32>, %out: memref<3x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %w = memref.get_global @packed3 : memref<4x64x32xf32>
  scf.forall (%t, %p) in (4, 3) {
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
      %x = memref.load %a[%p, %k] : memref<3x64xf32>
      %xa = vector.broadcast %x : f32 to vector<32xf32>
      %wv = vector.transfer_read %w[%t, %k, %c0], %z {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
      %f = vector.fma %xa, %wv, %s : vector<32xf32>
      scf.yield %f : vector<32xf32>
    } {mcc.next_panel = {passes = array<i64: 1, 3>, tile = 0 : i64}}
    vector.transfer_write %acc, %out[%p, %c0] {in_bounds = [true]} : vector<32xf32>, memref<3x32xf32>
  }
  return
}

// -----

// Steps that are not the panel's second-to-last dim (here its outer one):
// the panel is not one contiguous run, so pass %p of 3 fetches the lines
// of step (p * 64 + k) / 3 of the next tile.
// CHECK-LABEL: func.func @next_panel_strided(
// CHECK: scf.forall (%[[T:[^,]*]], %[[P:[^)]*]]) in (4, 3)
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: %[[NEXT:.*]] = arith.addi %[[T]], %{{.*}} : index
// CHECK: %[[PASS:.*]] = arith.addi %{{.*}}, %[[P]] : index
// CHECK: %[[BASE:.*]] = arith.muli %[[PASS]], %{{.*}} : index
// CHECK: %[[K0:.*]] = arith.subi %[[K]], %{{.*}} : index
// CHECK: %[[SUM:.*]] = arith.addi %[[BASE]], %[[K0]] : index
// CHECK: %[[DIV:.*]] = arith.divui %[[SUM]], %{{.*}} : index
// CHECK: %[[STEP:.*]] = arith.addi %[[DIV]], %{{.*}} : index
// CHECK: memref.prefetch %{{.*}}[%[[STEP]], %[[NEXT]], %{{.*}}], read, locality<1>, data
// CHECK: memref.prefetch %{{.*}}[%[[STEP]], %[[NEXT]], %{{.*}}], read, locality<1>, data
// CHECK-NOT: memref.prefetch
// CHECK: vector.fma
memref.global "private" constant @packed4 : memref<64x4x32xf32> = dense<1.0>
func.func @next_panel_strided(%a: memref<3x64xf32>, %out: memref<3x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %w = memref.get_global @packed4 : memref<64x4x32xf32>
  scf.forall (%t, %p) in (4, 3) {
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
      %x = memref.load %a[%p, %k] : memref<3x64xf32>
      %xa = vector.broadcast %x : f32 to vector<32xf32>
      %wv = vector.transfer_read %w[%k, %t, %c0], %z {in_bounds = [true]} : memref<64x4x32xf32>, vector<32xf32>
      %f = vector.fma %xa, %wv, %s : vector<32xf32>
      scf.yield %f : vector<32xf32>
    } {mcc.next_panel = {passes = array<i64: 1, 3>, tile = 1 : i64}}
    vector.transfer_write %acc, %out[%p, %c0] {in_bounds = [true]} : vector<32xf32>, memref<3x32xf32>
  }
  return
}

// -----

// A tile's rows along the pixels of an NCHW activation: each step moves a
// whole channel (56 x 56 floats, 12.5 KiB), a new line the hardware
// prefetchers do not follow. The first and the last of the three loads
// that differ only in their last index are prefetched 8 steps ahead. A
// 14 x 14 image (784 bytes per step) is left to the hardware.
// CHECK-LABEL: func.func @strided_rows(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x256x56x56xf32>, %[[S:[^:]*]]: memref<1x256x14x14xf32>, %[[P:[^:]*]]: index
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: arith.addi %[[P]], %{{.*}} : index
// CHECK: %[[P2:.*]] = arith.addi %[[P]], %{{.*}} : index
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[AHEAD:.*]] = arith.addi %[[K]], %[[C8]] : index
// CHECK: memref.prefetch %[[X]][%{{.*}}, %[[AHEAD]], %{{.*}}, %[[P]]], read, locality<3>, data
// CHECK-NEXT: memref.load %[[X]][%{{.*}}, %[[K]], %{{.*}}, %[[P]]]
// CHECK-NOT: memref.prefetch
// CHECK: %[[AHEAD2:.*]] = arith.addi %[[K]], %{{.*}} : index
// CHECK: memref.prefetch %[[X]][%{{.*}}, %[[AHEAD2]], %{{.*}}, %[[P2]]], read, locality<3>, data
// CHECK-NEXT: memref.load %[[X]][%{{.*}}, %[[K]], %{{.*}}, %[[P2]]]
// CHECK-NOT: memref.prefetch
// CHECK: memref.load %[[S]]
// CHECK-NOT: memref.prefetch
// CHECK: scf.yield
func.func @strided_rows(%x: memref<1x256x56x56xf32>, %s: memref<1x256x14x14xf32>, %p: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c256 = arith.constant 256 : index
  %init = arith.constant dense<0.0> : vector<16xf32>
  %acc = scf.for %k = %c0 to %c256 step %c1 iter_args(%a = %init) -> (vector<16xf32>) {
    %p1 = arith.addi %p, %c1 : index
    %p2 = arith.addi %p, %c2 : index
    %x0 = memref.load %x[%c0, %k, %c0, %p] : memref<1x256x56x56xf32>
    %x1 = memref.load %x[%c0, %k, %c0, %p1] : memref<1x256x56x56xf32>
    %x2 = memref.load %x[%c0, %k, %c0, %p2] : memref<1x256x56x56xf32>
    %s0 = memref.load %s[%c0, %k, %c0, %p] : memref<1x256x14x14xf32>
    %t0 = arith.addf %x0, %x1 : f32
    %t1 = arith.addf %x2, %s0 : f32
    %t2 = arith.addf %t0, %t1 : f32
    %v = vector.broadcast %t2 : f32 to vector<16xf32>
    %f = arith.addf %v, %a : vector<16xf32>
    scf.yield %f : vector<16xf32>
  }
  return %acc : vector<16xf32>
}
