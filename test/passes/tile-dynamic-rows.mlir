// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(tile-dynamic-rows{rows=8 tail-rows=4}))' | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// Rows over a symbolic dim, with a bias add: chunks of 8 rows, then chunks
// of 4 with the input padded; the fill is made again per chunk and the
// add moves in with the matmul.
// CHECK-LABEL: func.func @matmul_bias(
// CHECK-SAME: %[[X:.*]]: tensor<?x16xf32>, %[[BIAS:.*]]: tensor<32xf32>)
// CHECK: %[[E:.*]] = tensor.empty(
// CHECK: %[[M:.*]] = tensor.dim %[[E]], %c0
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[Q:.*]] = arith.divui %[[M]], %[[C8]]
// CHECK: %[[FULL:.*]] = arith.muli %[[Q]], %[[C8]]
// CHECK: %[[MAIN:.*]] = scf.for %[[I:.*]] = %c0{{.*}} to %[[FULL]] step %[[C8]] iter_args(%[[ACC:.*]] = %[[E]])
// CHECK: %[[A:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [8, 16] [1, 1] : tensor<?x16xf32> to tensor<8x16xf32>
// CHECK: %[[F:.*]] = linalg.fill {{.*}} -> tensor<8x32xf32>
// CHECK: %[[MM:.*]] = linalg.generic {{.*}} ins(%[[A]], %{{.*}} : tensor<8x16xf32>, tensor<16x32xf32>) outs(%[[F]] : tensor<8x32xf32>)
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[MM]], %[[BIAS]] : tensor<8x32xf32>, tensor<32xf32>)
// CHECK: tensor.insert_slice %[[ADD]] into %[[ACC]][%[[I]], 0] [8, 32]
// CHECK: %[[TAIL:.*]] = scf.for %[[J:.*]] = %[[FULL]] to %[[M]] step %[[C4]] iter_args(%[[ACC2:.*]] = %[[MAIN]])
// CHECK: %[[SIZE:.*]] = affine.min
// CHECK: %[[AS:.*]] = tensor.extract_slice %[[X]][%[[J]], 0] [%[[SIZE]], 16]
// CHECK: %[[AP:.*]] = tensor.pad %[[AS]]
// CHECK: tensor<?x16xf32> to tensor<4x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[AP]], %{{.*}} : tensor<4x16xf32>, tensor<16x32xf32>)
// CHECK: %[[ADD2:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[BIAS]] : tensor<4x32xf32>, tensor<32xf32>)
// CHECK: %[[KEEP:.*]] = tensor.extract_slice %[[ADD2]][0, 0] [%[[SIZE]], 32]
// CHECK: tensor.insert_slice %[[KEEP]] into %[[ACC2]][%[[J]], 0] [%[[SIZE]], 32]
// CHECK: return %[[TAIL]]
func.func @matmul_bias(%x: tensor<?x16xf32>, %bias: tensor<32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<16x32xf32>
  %m = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%m) : tensor<?x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<?x16xf32>, tensor<16x32xf32>) outs(%f : tensor<?x32xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %r = math.fma %in, %wt, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?x32xf32>
  %add = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<?x32xf32>, tensor<32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %add : tensor<?x32xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Both operands symbolic (attention's scores): no static weights, left
// alone.
// CHECK-LABEL: func.func @both_dynamic(
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<16x?xf32>)
func.func @both_dynamic(%x: tensor<?x16xf32>, %y: tensor<16x?xf32>, %init: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %y : tensor<?x16xf32>, tensor<16x?xf32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %r = math.fma %in, %wt, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  return %mm : tensor<?x?xf32>
}

// -----

// A conv over a symbolic height reads rows h + kh: the dim is not a plain
// index of the input, left alone.
// CHECK-LABEL: func.func @conv_rows(
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @conv_rows(%x: tensor<?x8xf32>, %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<0.5> : tensor<3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(h, w, k) -> (h + k, w)>, affine_map<(h, w, k) -> (k)>, affine_map<(h, w, k) -> (h, w)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<?x8xf32>, tensor<3xf32>) outs(%init : tensor<?x8xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// An init that is data (an accumulation into %init) is sliced from the
// carried tensor, not made again.
// CHECK-LABEL: func.func @data_init(
// CHECK-SAME: %[[X:.*]]: tensor<?x16xf32>, %[[INIT:.*]]: tensor<?x32xf32>)
// CHECK: scf.for %[[I:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK: %[[S:.*]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [8, 32]
// CHECK: linalg.generic {{.*}} outs(%[[S]] : tensor<8x32xf32>)
func.func @data_init(%x: tensor<?x16xf32>, %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %w = arith.constant dense<0.5> : tensor<16x32xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<?x16xf32>, tensor<16x32xf32>) outs(%init : tensor<?x32xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %r = math.fma %in, %wt, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?x32xf32>
  return %mm : tensor<?x32xf32>
}
