// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(order-contraction-loops))' | FileCheck %s

// matmul (m, n, k) -> (m, k, n): the inner loop walks a row of B and C.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul(
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%c : tensor<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// B transposed (n, k): n innermost would gather, so the order stays.
// CHECK-LABEL: func.func @matmul_bt(
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
#tA = affine_map<(m, n, k) -> (m, k)>
#tB = affine_map<(m, n, k) -> (n, k)>
#tC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_bt(%a: tensor<8x16xf32>, %b: tensor<32x16xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %r = linalg.generic {indexing_maps = [#tA, #tB, #tC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<32x16xf32>) outs(%c : tensor<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// 1-D conv (n, f, ow, c, kw) -> (n, f, c, kw, ow).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
// CHECK-LABEL: func.func @conv1d(
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]}
#cx = affine_map<(n, f, ow, c, kw) -> (n, c, ow + kw)>
#cw = affine_map<(n, f, ow, c, kw) -> (f, c, kw)>
#co = affine_map<(n, f, ow, c, kw) -> (n, f, ow)>
func.func @conv1d(%x: tensor<1x4x18xf32>, %w: tensor<8x4x3xf32>, %o: tensor<1x8x16xf32>) -> tensor<1x8x16xf32> {
  %r = linalg.generic {indexing_maps = [#cx, #cw, #co], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x4x18xf32>, tensor<8x4x3xf32>) outs(%o : tensor<1x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = math.fma %a, %b, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x8x16xf32>
  return %r : tensor<1x8x16xf32>
}

// -----

// Scores over a symbolic sequence (n dynamic): reordered all the same.
// CHECK-LABEL: func.func @scores_dynamic(
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
#sA = affine_map<(m, n, k) -> (m, k)>
#sB = affine_map<(m, n, k) -> (k, n)>
#sC = affine_map<(m, n, k) -> (m, n)>
func.func @scores_dynamic(%a: tensor<?x64xf32>, %b: tensor<64x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [#sA, #sB, #sC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<?x64xf32>, tensor<64x?xf32>) outs(%c : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
