// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(tile-transposes))' | FileCheck %s

// A ReLU reading NHWC (channels fastest) into an NCHW result (width
// fastest): tiled over (n, c / 16, h, w / 10) with 16 x 10 blocks of
// channels and width inside (10 divides the width of 40, so every block
// is whole), each block as vectors: a transposing read, the ReLU, a write.
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-LABEL: func.func @nhwc_to_nchw(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x32x40x64xf32>
// CHECK: scf.forall (%[[C:[^,]*]], %[[H:[^,]*]], %[[W:[^)]*]]) = (0, 0, 0) to (64, 32, 40) step (16, 1, 10)
// CHECK: %[[IN:.*]] = tensor.extract_slice %[[X]][0, %[[H]], %[[W]], %[[C]]] [1, 1, 10, 16] [1, 1, 1, 1]
// CHECK: %[[V:.*]] = vector.transfer_read %[[IN]]{{.*}} {permutation_map = #[[T]]} : tensor<1x1x10x16xf32>, vector<1x16x1x10xf32>
// CHECK: %[[R:.*]] = arith.maximumf %[[V]], %{{.*}} : vector<1x16x1x10xf32>
// CHECK: vector.transfer_write %[[R]]
// CHECK-NOT: linalg.generic
// CHECK: tensor.parallel_insert_slice
#nhwc = affine_map<(n, c, h, w) -> (n, h, w, c)>
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @nhwc_to_nchw(%x: tensor<1x32x40x64xf32>) -> tensor<1x64x32x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x32x40xf32>
  %r = linalg.generic {indexing_maps = [#nhwc, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x32x40x64xf32>) outs(%e : tensor<1x64x32x40xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x32x40xf32>
  return %r : tensor<1x64x32x40xf32>
}

// -----

// A width of 37 has no block size from 8 to 16: blocks of 16 with a
// partial last one, left as a generic.
// CHECK-LABEL: func.func @prime_width(
// CHECK: scf.forall {{.*}} = (0, 0, 0) to (64, 32, 37) step (16, 1, 16)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x?x16xf32>)
// CHECK-NOT: vector.transfer_read
#nhwc = affine_map<(n, c, h, w) -> (n, h, w, c)>
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @prime_width(%x: tensor<1x32x37x64xf32>) -> tensor<1x64x32x37xf32> {
  %e = tensor.empty() : tensor<1x64x32x37xf32>
  %r = linalg.generic {indexing_maps = [#nhwc, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x32x37x64xf32>) outs(%e : tensor<1x64x32x37xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<1x64x32x37xf32>
  return %r : tensor<1x64x32x37xf32>
}

// -----

// Not tiled: a bias broadcast along the channels (its only index is not
// the output's fastest dim, but it does not walk that dim), and a small
// transpose (under 64 KiB).
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: scf.forall
// CHECK: return
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#row = affine_map<(n, c, h, w) -> (c)>
#t2 = affine_map<(i, j) -> (j, i)>
#id2 = affine_map<(i, j) -> (i, j)>
func.func @left_alone(%x: tensor<1x64x32x40xf32>, %b: tensor<64xf32>, %s: tensor<64x64xf32>) -> (tensor<1x64x32x40xf32>, tensor<64x64xf32>) {
  %e = tensor.empty() : tensor<1x64x32x40xf32>
  %r = linalg.generic {indexing_maps = [#nchw, #row, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : tensor<1x64x32x40xf32>, tensor<64xf32>) outs(%e : tensor<1x64x32x40xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %a = arith.addf %v, %w : f32
    linalg.yield %a : f32
  } -> tensor<1x64x32x40xf32>
  %e2 = tensor.empty() : tensor<64x64xf32>
  %t = linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<64x64xf32>) outs(%e2 : tensor<64x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<64x64xf32>
  return %r, %t : tensor<1x64x32x40xf32>, tensor<64x64xf32>
}
