// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fuse-contraction-epilogues,canonicalize))' | FileCheck %s

// Conv (bias-initialized) -> ReLU: one scf.forall over output rows; the bias
// init, the conv row and the ReLU all work on the output row (no separate
// full-size pass, no per-row temporary).
// CHECK-LABEL: func.func @conv_relu(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x4x10x10xf32>, %[[W:[^:]*]]: tensor<8x4x3x3xf32>, %[[B:[^:]*]]: tensor<8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x8x8x8xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[F:.*]], %[[H:.*]]) in (8, 8) shared_outs(%[[OUT:.*]] = %[[E]])
// CHECK-DAG: %[[XS:.*]] = tensor.extract_slice %[[X]][0, 0, %[[H]], 0] [1, 4, 3, 10]
// CHECK-DAG: %[[WS:.*]] = tensor.extract_slice %[[W]][%[[F]], 0, 0, 0] [1, 4, 3, 3]
// CHECK-DAG: %[[BS:.*]] = tensor.extract_slice %[[B]][%[[F]]] [1]
// CHECK-DAG: %[[ROW:.*]] = tensor.extract_slice %[[OUT]][0, %[[F]], %[[H]], 0] [1, 1, 1, 8]
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[BS]] : tensor<1xf32>) outs(%[[ROW]] : tensor<1x1x1x8xf32>)
// CHECK: %[[CONV:.*]] = linalg.generic {{.*}} ins(%[[XS]], %[[WS]] : {{.*}}) outs(%[[INIT]] : tensor<1x1x1x8xf32>)
// CHECK: math.fma
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[CONV]] : tensor<1x1x1x8xf32>) outs(%[[ROW]] : tensor<1x1x1x8xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %[[RELU]] into %[[OUT]][0, %[[F]], %[[H]], 0] [1, 1, 1, 8]
// CHECK: return %[[R]]
#x = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#o = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#bias = affine_map<(a, b, c, d) -> (b)>
func.func @conv_relu(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  %e = tensor.empty() : tensor<1x8x8x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<8xf32>) outs(%e : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x8x8xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %acc: f32):
    %p = math.fma %a, %bb, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x8x8x8xf32>
  %e2 = tensor.empty() : tensor<1x8x8x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x8x8xf32>) outs(%e2 : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

// The contraction has another user: nothing is fused.
// CHECK-LABEL: func.func @shared_result(
// CHECK-NOT: scf.forall
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id2 = affine_map<(a, b) -> (a, b)>
func.func @shared_result(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  return %r, %mm : tensor<4x16xf32>, tensor<4x16xf32>
}
