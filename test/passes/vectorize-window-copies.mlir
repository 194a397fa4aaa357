// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(vectorize-window-copies))' | FileCheck %s

// An NHWC im2col: each run of 64 channels is one vector read at the
// window's pixel and one vector write, in an scf.forall over the rest.
// CHECK-LABEL: func.func @im2col_3x3_s2
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x9x9x64xi8>)
// CHECK: scf.forall (%[[N:[a-z0-9_]+]], %[[OH:[a-z0-9_]+]], %[[OW:[a-z0-9_]+]], %[[KH:[a-z0-9_]+]], %[[KW:[a-z0-9_]+]]) in (1, 4, 4, 3, 3)
// CHECK: %[[H:.*]] = affine.apply #{{.*}}(%[[OH]], %[[KH]])
// CHECK: %[[W:.*]] = affine.apply #{{.*}}(%[[OW]], %[[KW]])
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]][%[[N]], %[[H]], %[[W]], %[[Z:[a-z0-9_]+]]], %{{.*}} {in_bounds = [true]} : tensor<1x9x9x64xi8>, vector<64xi8>
// CHECK: %[[F:.*]] = arith.xori %[[V]], %{{.*}} : vector<64xi8>
// CHECK: vector.transfer_write %[[F]]
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
func.func @im2col_3x3_s2(%x: tensor<1x9x9x64xi8>) -> tensor<1x4x4x3x3x64xi8> {
  %e = tensor.empty() : tensor<1x4x4x3x3x64xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x9x9x64xi8>) outs(%e : tensor<1x4x4x3x3x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    %c = arith.constant -128 : i8
    %f = arith.xori %in, %c : i8
    linalg.yield %f : i8
  } -> tensor<1x4x4x3x3x64xi8>
  return %w : tensor<1x4x4x3x3x64xi8>
}

// -----

// Left alone: plain elementwise maps (LLVM vectorizes those), a window
// whose channel run is too short for a vector (3 bytes: the RGB stem),
// a window that walks the channels in another index, and booleans (a
// vector of i1 is packed bits, their tensor one byte each).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: scf.forall
func.func @left_alone(%x: tensor<1x9x9x64xi8>, %rgb: tensor<1x9x9x3xi8>, %mask: tensor<1x9x9x64xi1>) -> (tensor<1x9x9x64xi8>, tensor<1x7x7x3x3x3xi8>, tensor<1x4x64x3x9xi8>, tensor<1x7x7x3x3x64xi1>) {
  %e0 = tensor.empty() : tensor<1x9x9x64xi8>
  %r0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x9x9x64xi8>) outs(%e0 : tensor<1x9x9x64xi8>) {
  ^bb0(%in: i8, %out: i8):
    linalg.yield %in : i8
  } -> tensor<1x9x9x64xi8>
  %e1 = tensor.empty() : tensor<1x7x7x3x3x3xi8>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%rgb : tensor<1x9x9x3xi8>) outs(%e1 : tensor<1x7x7x3x3x3xi8>) {
  ^bb0(%in: i8, %out: i8):
    linalg.yield %in : i8
  } -> tensor<1x7x7x3x3x3xi8>
  %e2 = tensor.empty() : tensor<1x4x64x3x9xi8>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x9x9x64xi8>) outs(%e2 : tensor<1x4x64x3x9xi8>) {
  ^bb0(%in: i8, %out: i8):
    linalg.yield %in : i8
  } -> tensor<1x4x64x3x9xi8>
  %e3 = tensor.empty() : tensor<1x7x7x3x3x64xi1>
  %r3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%mask : tensor<1x9x9x64xi1>) outs(%e3 : tensor<1x7x7x3x3x64xi1>) {
  ^bb0(%in: i1, %out: i1):
    linalg.yield %in : i1
  } -> tensor<1x7x7x3x3x64xi1>
  return %r0, %r1, %r2, %r3 : tensor<1x9x9x64xi8>, tensor<1x7x7x3x3x3xi8>, tensor<1x4x64x3x9xi8>, tensor<1x7x7x3x3x64xi1>
}
