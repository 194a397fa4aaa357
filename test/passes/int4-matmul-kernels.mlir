// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(int4-matmul-kernels{vector-width=8},canonicalize))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(int4-matmul-kernels{vector-width=16},canonicalize))' | FileCheck %s --check-prefix=WIDE

// One row, K = 40 in blocks of 32 (A zero-padded to 64), 24 columns: AVX2
// tiles of one row x two vectors (16 columns, the second tile masked).
// The weights are packed eight nibbles per word ([tiles, K' / 8, 16]), the
// scales and -scale * zero point per block ([tiles, blocks, 2, 16]); the
// block sums of A carry the zero points. The consumer (bias, ReLU) runs on
// the totals before the one store.
// CHECK-LABEL: func.func @one_row
// CHECK-SAME: (%[[A:.*]]: tensor<1x40xf32>, %[[BIAS:.*]]: tensor<24xf32>)
// CHECK-DAG: %[[P:.*]] = arith.constant dense_resource<mcc_int4_panels> : tensor<2x8x16xi32>
// CHECK-DAG: %[[Q:.*]] = arith.constant dense_resource<mcc_int4_scales> : tensor<2x2x2x16xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %[[A]] low[0, 0] high[0, 24]
// CHECK: %[[X:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2]] {{.*}} : tensor<1x64xf32> into tensor<1x2x32xf32>
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x2x32xf32>)
// CHECK: scf.forall (%[[T:.*]]) in (2)
// CHECK: scf.for %[[BL:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[WD:.*]] = vector.transfer_read %[[P]][%[[T]], %[[S]], %{{.*}}]{{.*}} : tensor<2x8x16xi32>, vector<8xi32>
// CHECK: %[[LO:.*]] = arith.andi %[[WD]], %{{.*}} : vector<8xi32>
// CHECK: %[[F:.*]] = arith.sitofp %[[LO]] : vector<8xi32> to vector<8xf32>
// CHECK: %[[E:.*]] = tensor.extract %[[PAD]]
// CHECK: %[[BA:.*]] = vector.broadcast %[[E]] : f32 to vector<8xf32>
// CHECK: vector.fma %[[BA]], %[[F]], %{{.*}} : vector<8xf32>
// CHECK: arith.shrui
// CHECK-COUNT-14: vector.fma
// CHECK: scf.yield
// CHECK: %[[SC:.*]] = vector.transfer_read %[[Q]][%[[T]], %[[BL]], %c0
// CHECK: %[[OF:.*]] = vector.transfer_read %[[Q]][%[[T]], %[[BL]], %c1
// CHECK: %[[SUM:.*]] = arith.addf
// CHECK: %[[T1:.*]] = vector.fma %[[SUM]], %[[SC]]
// CHECK: %[[AS:.*]] = tensor.extract %[[SUMS]]
// CHECK: %[[ASB:.*]] = vector.broadcast %[[AS]]
// CHECK: vector.fma %[[ASB]], %[[OF]], %[[T1]]
// CHECK: scf.yield
// CHECK: vector.transfer_read %[[BIAS]]
// CHECK: arith.addf {{.*}} : vector<8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8xf32>
// CHECK: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
// CHECK-NOT: mcc.wmatmul
// AVX-512: one row takes four vectors (64 columns, one masked tile).
// WIDE-LABEL: func.func @one_row
// WIDE: arith.constant dense_resource<mcc_int4_panels> : tensor<1x8x64xi32>
// WIDE: vector.transfer_read {{.*}} : tensor<1x8x64xi32>, vector<16xi32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @one_row(%a: tensor<1x40xf32>, %bias: tensor<24xf32>) -> tensor<1x24xf32> {
  %w = arith.constant dense<9> : tensor<40x24xi8>
  %s = arith.constant dense<0.25> : tensor<2x24xf32>
  %z = arith.constant dense<8> : tensor<2x24xi8>
  %i = tensor.empty() : tensor<1x24xf32>
  %y = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 32 : i64, w_unsigned} : tensor<1x40xf32>, tensor<40x24xi8>, tensor<2x24xf32>, tensor<2x24xi8> -> tensor<1x24xf32>
  %o = tensor.empty() : tensor<1x24xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %bias : tensor<1x24xf32>, tensor<24xf32>) outs(%o : tensor<1x24xf32>) {
  ^bb0(%v: f32, %b: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %sum = arith.addf %v, %b : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<1x24xf32>
  return %r : tensor<1x24xf32>
}

// -----

// Six rows (2 x 3 leading dims), signed weights without zero points
// (-8 becomes nibble 0, so the zero point moves to 8), K = 16 one block,
// one column (a masked tile): AVX2 tiles of two rows x two vectors, three
// row blocks; AVX-512 ones of four rows, two blocks (the second short).
// CHECK-LABEL: func.func @rows
// CHECK: arith.constant dense_resource<mcc_int4_panels> : tensor<1x2x16xi32>
// CHECK: tensor.collapse_shape
// CHECK: scf.forall (%{{.*}}) in (3)
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x1xf32>
// WIDE-LABEL: func.func @rows
// WIDE: arith.constant dense_resource<mcc_int4_panels> : tensor<1x2x32xi32>
// WIDE: scf.forall (%{{.*}}) in (2)
func.func @rows(%a: tensor<2x3x16xf32>) -> tensor<2x3x1xf32> {
  %w3 = arith.constant dense<[[-8], [7], [0], [1], [2], [3], [4], [5], [6], [-1], [-2], [-3], [-4], [-5], [-6], [-7]]> : tensor<16x1xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %z = arith.constant dense<0> : tensor<1x1xi8>
  %i = tensor.empty() : tensor<2x3x1xf32>
  %y = mcc.wmatmul %a, %w3, %s, %z, %i {block_size = 16 : i64} : tensor<2x3x16xf32>, tensor<16x1xi8>, tensor<1x1xf32>, tensor<1x1xi8> -> tensor<2x3x1xf32>
  return %y : tensor<2x3x1xf32>
}

// -----

// Left to lower-mcc-to-linalg: weights spanning more than 16 levels, and
// blocks (12) that are not whole steps of 8.
// CHECK-LABEL: func.func @not_4bit
// CHECK-COUNT-2: mcc.wmatmul
func.func @not_4bit(%a: tensor<1x2xf32>, %b: tensor<1x24xf32>) -> (tensor<1x3xf32>, tensor<1x4xf32>) {
  %w = arith.constant dense<[[-100, 0, 100], [1, 2, 3]]> : tensor<2x3xi8>
  %s = arith.constant dense<0.5> : tensor<1x3xf32>
  %z = arith.constant dense<0> : tensor<1x3xi8>
  %i = tensor.empty() : tensor<1x3xf32>
  %y = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 2 : i64} : tensor<1x2xf32>, tensor<2x3xi8>, tensor<1x3xf32>, tensor<1x3xi8> -> tensor<1x3xf32>
  %w2 = arith.constant dense<1> : tensor<24x4xi8>
  %s2 = arith.constant dense<0.5> : tensor<2x4xf32>
  %z2 = arith.constant dense<0> : tensor<2x4xi8>
  %i2 = tensor.empty() : tensor<1x4xf32>
  %y2 = mcc.wmatmul %b, %w2, %s2, %z2, %i2 {block_size = 12 : i64} : tensor<1x24xf32>, tensor<24x4xi8>, tensor<2x4xf32>, tensor<2x4xi8> -> tensor<1x4xf32>
  return %y, %y2 : tensor<1x3xf32>, tensor<1x4xf32>
}
