// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(int8-matmul-kernels{isa=avx2 rows=4},canonicalize))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(int8-matmul-kernels{isa=avx512-vnni rows=8},canonicalize))' | FileCheck %s --check-prefix=VNNI
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(int8-matmul-kernels{isa=none}))' | FileCheck %s --check-prefix=NONE

// Odd K (5: three pairs, A padded with its zero point), 20 columns (one
// full tile of 16 and a masked one), per-column weight zero points, a
// symbolic batch folded into the rows.
// CHECK-LABEL: func.func @percol
// CHECK-SAME: (%[[A:.*]]: tensor<?x7x5xi8>, %[[ZA:.*]]: tensor<i8>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<mcc_int8_panels> : tensor<2x3x16xi32>
// CHECK: %[[A2:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]]
// CHECK: %[[PAD:.*]] = tensor.pad %[[A2]] low[0, 0] high[0, 1]
// CHECK: %[[PAIRS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[PAD]], %[[PAD]], %[[ZA]] : tensor<?x6xi8>, tensor<?x6xi8>, tensor<i8>)
// CHECK: arith.extui
// CHECK: arith.shli
// CHECK: -> tensor<?x3xi32>
// CHECK: scf.forall (%[[T:.*]], %[[BLK:.*]]) in (2, %{{.*}})
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[W0:.*]] = vector.transfer_read %[[W]][%[[T]], %[[P]], %{{.*}}]{{.*}}in_bounds = [true]{{.*}} : tensor<2x3x16xi32>, vector<8xi32>
// CHECK: %[[S:.*]] = tensor.extract %[[PAIRS]][%{{.*}}, %[[P]]]
// CHECK: %[[B:.*]] = vector.broadcast %[[S]] : i32 to vector<8xi32>
// CHECK: %[[B16:.*]] = vector.bitcast %[[B]] : vector<8xi32> to vector<16xi16>
// CHECK: mcc.dot_pairs %{{.*}}, %[[B16]], %{{.*}} : vector<16xi16> into vector<8xi32>
// CHECK-COUNT-7: mcc.dot_pairs
// CHECK: scf.yield
// The first row is always there; the others only in full blocks.
// CHECK: vector.transfer_write
// CHECK: vector.transfer_write
// CHECK: scf.if
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.expand_shape {{.*}} : tensor<?x20xi32> into tensor<?x7x20xi32>
// With VNNI the weights minus their zero points (2) fit bytes: quads of
// K (5 -> 8, two steps), the unsigned activations read as they are (only
// padded), their zero point times the column sums subtracted at the end.
// VNNI-LABEL: func.func @percol
// VNNI-SAME: (%[[A:.*]]: tensor<?x7x5xi8>, %[[ZA:.*]]: tensor<i8>)
// VNNI-DAG: %[[SUMS:.*]] = arith.constant dense_resource<mcc_int8_colsums> : tensor<32xi32>
// VNNI-DAG: %[[W:.*]] = arith.constant dense_resource<mcc_int8_panels> : tensor<1x2x32xi32>
// VNNI: %[[Z:.*]] = tensor.extract %[[ZA]][] : tensor<i8>
// VNNI: %[[Z32:.*]] = arith.extui %[[Z]] : i8 to i32
// VNNI: scf.forall
// VNNI: %[[Q:.*]] = vector.transfer_read %[[PAD:.*]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x8xi8>, vector<4xi8>
// VNNI: mcc.dot_quads %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi8> into vector<16xi32>
// VNNI: scf.yield
// VNNI: %[[ZV:.*]] = vector.broadcast %[[Z32]] : i32 to vector<16xi32>
// VNNI: %[[S:.*]] = vector.transfer_read %[[SUMS]]
// VNNI: %[[OFF:.*]] = arith.muli %[[ZV]], %[[S]] : vector<16xi32>
// VNNI: arith.subi %{{.*}}, %[[OFF]] : vector<16xi32>
// NONE-LABEL: func.func @percol
// NONE: mcc.qmatmul
func.func @percol(%a: tensor<?x7x5xi8>, %za: tensor<i8>) -> tensor<?x7x20xi32> {
  %b = arith.constant dense<3> : tensor<5x20xi8>
  %zb = arith.constant dense<1> : tensor<20xi8>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x7x5xi8>
  %i = tensor.empty(%n) : tensor<?x7x20xi32>
  %0 = mcc.qmatmul %a, %b, %za, %zb, %i {a_unsigned} : tensor<?x7x5xi8>, tensor<5x20xi8>, tensor<i8>, tensor<20xi8> -> tensor<?x7x20xi32>
  return %0 : tensor<?x7x20xi32>
}

// -----

// Must not fire: the weights are only known at run time (left to
// lower-mcc-to-linalg).
// CHECK-LABEL: func.func @runtime_weights
// CHECK-NOT: scf.forall
// CHECK: mcc.qmatmul
func.func @runtime_weights(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>, %z: tensor<i8>) -> tensor<4x2xi32> {
  %i = tensor.empty() : tensor<4x2xi32>
  %0 = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xi8>, tensor<8x2xi8>, tensor<i8>, tensor<i8> -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

// With VNNI, signed activations become unsigned bytes (xor 128) and their
// zero point moves with them.
// VNNI-LABEL: func.func @signed_activations
// VNNI: %[[X:.*]] = linalg.generic
// VNNI: arith.xori %{{.*}}, %{{.*}} : i8
// VNNI: %[[Z:.*]] = arith.extsi %{{.*}} : i8 to i32
// VNNI: arith.addi %[[Z]], %{{.*}} : i32
// VNNI: mcc.dot_quads
// CHECK-LABEL: func.func @signed_activations
// CHECK: mcc.dot_pairs
func.func @signed_activations(%a: tensor<6x8xi8>, %za: tensor<i8>) -> tensor<6x16xi32> {
  %b = arith.constant dense<-7> : tensor<8x16xi8>
  %zb = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<6x16xi32>
  %0 = mcc.qmatmul %a, %b, %za, %zb, %i : tensor<6x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<6x16xi32>
  return %0 : tensor<6x16xi32>
}

// -----

// Weights that do not fit a signed byte (unsigned 200, zero point 0):
// 16-bit pairs, with vpdpwssd under VNNI.
// VNNI-LABEL: func.func @wide_weights
// VNNI-NOT: mcc.dot_quads
// VNNI: mcc.dot_pairs {{.*}} {vnni} : vector<32xi16> into vector<16xi32>
func.func @wide_weights(%a: tensor<6x8xi8>, %za: tensor<i8>) -> tensor<6x16xi32> {
  %b = arith.constant dense<-56> : tensor<8x16xi8>
  %zb = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<6x16xi32>
  %0 = mcc.qmatmul %a, %b, %za, %zb, %i {a_unsigned, b_unsigned} : tensor<6x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<6x16xi32>
  return %0 : tensor<6x16xi32>
}

// -----

// The dequantizing consumer (cast, per-tensor scale, per-column bias) runs
// on the accumulators and the kernel stores its f32 result; the tensor.dim
// that sized it reads the init instead. 16 columns are one whole tile:
// the bias is read and the result stored unmasked.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @dequantize_epilogue
// CHECK-SAME: (%[[A:.*]]: tensor<?x8xi8>, %[[S:.*]]: tensor<f32>, %[[BIAS:.*]]: tensor<16xf32>)
// CHECK-NOT: linalg.generic {{.*}}#[[ID]], #{{.*}}, #{{.*}}, #[[ID]]
// CHECK: %[[OUT:.*]] = tensor.empty(%{{.*}}) : tensor<?x16xf32>
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %[[OUT]]) -> (tensor<?x16xf32>)
// CHECK: %[[SV:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK: vector.transfer_read %[[BIAS]]{{.*}}in_bounds = [true]
// CHECK: arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: vector.transfer_write {{.*}}in_bounds = [true]{{.*}} : vector<8xf32>, tensor<?x16xf32>
// CHECK-NOT: mcc.qmatmul
func.func @dequantize_epilogue(%a: tensor<?x8xi8>, %s: tensor<f32>, %bias: tensor<16xf32>) -> tensor<?x16xf32> {
  %b = arith.constant dense<5> : tensor<8x16xi8>
  %z = arith.constant dense<0> : tensor<i8>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x8xi8>
  %i = tensor.empty(%n) : tensor<?x16xi32>
  %q = mcc.qmatmul %a, %b, %z, %z, %i {a_unsigned} : tensor<?x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<?x16xi32>
  %m = tensor.dim %q, %c0 : tensor<?x16xi32>
  %o = tensor.empty(%m) : tensor<?x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s, %bias : tensor<?x16xi32>, tensor<f32>, tensor<16xf32>) outs(%o : tensor<?x16xf32>) {
  ^bb0(%acc: i32, %sc: f32, %bb: f32, %out: f32):
    %f = arith.sitofp %acc : i32 to f32
    %x = arith.mulf %f, %sc : f32
    %r = arith.addf %x, %bb : f32
    linalg.yield %r : f32
  } -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// A residual (read with the identity map, like the result) is read per
// row of the tile and added in registers: no i32 tensor, no consumer left.
// CHECK-LABEL: func.func @residual_consumer
// CHECK-SAME: (%{{.*}}: tensor<4x8xi8>, %[[RES:[a-z0-9_]+]]: tensor<4x16xf32>)
// CHECK: %[[R:.*]] = vector.transfer_read %[[RES]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<4x16xf32>, vector<8xf32>
// CHECK: arith.addf %{{.*}}, %[[R]] : vector<8xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8xf32>, tensor<4x16xf32>
// CHECK-NOT: linalg.generic
func.func @residual_consumer(%a: tensor<4x8xi8>, %res: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %b = arith.constant dense<5> : tensor<8x16xi8>
  %z = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<4x16xi32>
  %q = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<4x16xi32>
  %o = tensor.empty() : tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %res : tensor<4x16xi32>, tensor<4x16xf32>) outs(%o : tensor<4x16xf32>) {
  ^bb0(%acc: i32, %r: f32, %out: f32):
    %f = arith.sitofp %acc : i32 to f32
    %x = arith.addf %f, %r : f32
    linalg.yield %x : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Channels-last leaves a conv's per-channel scale shaped [C, 1, 1], read
// through (d3, 0, 0): a per-column operand, read as the vector [C].
// CHECK-LABEL: func.func @per_channel_unit_dims
// CHECK-SAME: (%{{.*}}: tensor<1x2x2x8xi8>, %[[S:[a-z0-9_]+]]: tensor<16x1x1xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[S]] {{\[}}[0, 1, 2]] : tensor<16x1x1xf32> into tensor<16xf32>
// CHECK: vector.transfer_read %[[C]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<16xf32>, vector<8xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8xf32>, tensor<4x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @per_channel_unit_dims(%a: tensor<1x2x2x8xi8>, %s: tensor<16x1x1xf32>) -> tensor<1x2x2x16xf32> {
  %b = arith.constant dense<5> : tensor<8x16xi8>
  %z = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<1x2x2x16xi32>
  %q = mcc.qmatmul %a, %b, %z, %z, %i : tensor<1x2x2x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<1x2x2x16xi32>
  %o = tensor.empty() : tensor<1x2x2x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q, %s : tensor<1x2x2x16xi32>, tensor<16x1x1xf32>) outs(%o : tensor<1x2x2x16xf32>) {
  ^bb0(%acc: i32, %sc: f32, %out: f32):
    %f = arith.sitofp %acc : i32 to f32
    %x = arith.mulf %f, %sc : f32
    linalg.yield %x : f32
  } -> tensor<1x2x2x16xf32>
  return %y : tensor<1x2x2x16xf32>
}

// -----

// Signed activations made by an im2col copy that only the matmul reads:
// the copy itself flips them to unsigned bytes for `vpdpbusd` (no second
// pass over the matrix).
// VNNI-LABEL: func.func @flip_in_im2col
// VNNI: linalg.generic
// VNNI-SAME: ins(%{{.*}} : tensor<1x4x4x4xi8>) outs(%{{.*}} : tensor<1x3x3x2x2x4xi8>)
// VNNI: %[[X:.*]] = arith.xori
// VNNI-NEXT: linalg.yield %[[X]] : i8
// VNNI-NOT: linalg.generic
// VNNI: scf.forall
func.func @flip_in_im2col(%x: tensor<1x4x4x4xi8>) -> tensor<1x3x3x16xi32> {
  %e = tensor.empty() : tensor<1x3x3x2x2x4xi8>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x4xi8>) outs(%e : tensor<1x3x3x2x2x4xi8>) {
  ^bb0(%in: i8, %out: i8):
    linalg.yield %in : i8
  } -> tensor<1x3x3x2x2x4xi8>
  %a = tensor.collapse_shape %w [[0], [1], [2], [3, 4, 5]] : tensor<1x3x3x2x2x4xi8> into tensor<1x3x3x16xi8>
  %b = arith.constant dense<3> : tensor<16x16xi8>
  %z = arith.constant dense<1> : tensor<i8>
  %zb = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<1x3x3x16xi32>
  %q = mcc.qmatmul %a, %b, %z, %zb, %i : tensor<1x3x3x16xi8>, tensor<16x16xi8>, tensor<i8>, tensor<i8> -> tensor<1x3x3x16xi32>
  return %q : tensor<1x3x3x16xi32>
}

// -----

// A result that a pad reads (the next conv's input) is tiled along its
// image rows, 8 = 2 tiles of 4 per row, and written in its own shape:
// pad-in-producer can then point the kernel at the padded buffer.
// CHECK-LABEL: func.func @image_rows_for_pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x8x16xf32>
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs(%[[O:.*]] = %[[E]]) -> (tensor<1x2x8x16xf32>)
// CHECK: tensor.extract_slice %[[O]]{{.*}} : tensor<1x2x8x16xf32> to tensor<?x16xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[O]]{{.*}} : tensor<?x16xf32> into tensor<1x2x8x16xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: tensor.pad
func.func @image_rows_for_pad(%a: tensor<1x2x8x8xi8>) -> tensor<1x4x10x16xf32> {
  %b = arith.constant dense<5> : tensor<8x16xi8>
  %z = arith.constant dense<0> : tensor<i8>
  %i = tensor.empty() : tensor<1x2x8x16xi32>
  %q = mcc.qmatmul %a, %b, %z, %z, %i : tensor<1x2x8x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8> -> tensor<1x2x8x16xi32>
  %o = tensor.empty() : tensor<1x2x8x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x8x16xi32>) outs(%o : tensor<1x2x8x16xf32>) {
  ^bb0(%acc: i32, %out: f32):
    %f = arith.sitofp %acc : i32 to f32
    linalg.yield %f : f32
  } -> tensor<1x2x8x16xf32>
  %c0 = arith.constant 0.0 : f32
  %p = tensor.pad %y low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %c0 : f32
  } : tensor<1x2x8x16xf32> to tensor<1x4x10x16xf32>
  return %p : tensor<1x4x10x16xf32>
}

// -----

// mcc.wmatmul with 8-bit activations allowed (4-bit weights, K = 48 in
// blocks of 32, the last one short: K padded to two whole blocks, 64; the
// range reads whole vectors of the 48 columns, the quantization's reads
// past them are masked). On
// VNNI, each row quantized to bytes over its range in one scf.forall
// (vector min/max, then the bytes, the scale and the zero point), a tile of
// 4 rows x 3 vectors whose integer sums are scaled into f32 totals per
// block, and the rows' scale and zero point applied at the end against the
// scaled column sums. Without VNNI it stays for int4-matmul-kernels.
// VNNI-LABEL: func.func @wmatmul_int8
// VNNI-SAME: (%[[A:.*]]: tensor<?x48xf32>)
// VNNI-DAG: %[[C:.*]] = arith.constant dense_resource<mcc_int8w_colsums> : tensor<48xf32>
// VNNI-DAG: %[[S:.*]] = arith.constant dense_resource<mcc_int8w_scales> : tensor<1x2x48xf32>
// VNNI-DAG: %[[W:.*]] = arith.constant dense_resource<mcc_int8w_panels> : tensor<1x16x48xi32>
// VNNI: %[[Q:.*]]:3 = scf.forall (%[[R:.*]]) in (%{{.*}}) shared_outs({{.*}}) -> (tensor<?x64xi8>, tensor<?xf32>, tensor<?xf32>)
// VNNI: vector.transfer_read %[[A]][%[[R]], %{{[a-z0-9_]+}}], %{{[a-z0-9_]+}} {in_bounds = [true]} : tensor<?x48xf32>, vector<16xf32>
// VNNI: arith.minimumf
// VNNI: arith.maximumf
// VNNI: vector.reduction <minimumf>
// VNNI: vector.reduction <maximumf>
// VNNI: math.roundeven %{{.*}} : f32
// VNNI: vector.transfer_read %[[A]][%[[R]], %{{[a-z0-9_]+}}], %{{[a-z0-9_]+}} : tensor<?x48xf32>, vector<16xf32>
// VNNI: math.roundeven %{{.*}} : vector<16xf32>
// VNNI: arith.fptoui %{{.*}} : vector<16xf32> to vector<16xi8>
// VNNI: tensor.parallel_insert_slice
// VNNI: scf.forall
// VNNI: scf.for %[[BL:.*]] = %{{.*}} to %{{.*}} step
// VNNI: vector.transfer_read %[[W]]
// VNNI: vector.transfer_read %[[Q]]#0
// VNNI: mcc.dot_quads %{{.*}} : vector<64xi8> into vector<16xi32>
// VNNI: %[[SC:.*]] = vector.transfer_read %[[S]][%{{.*}}, %[[BL]], %{{.*}}]
// VNNI: %[[F:.*]] = arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// VNNI: vector.fma %[[F]], %[[SC]], %{{.*}} : vector<16xf32>
// VNNI: scf.yield
// VNNI: vector.transfer_read %[[C]]
// VNNI: %[[SA:.*]] = tensor.extract %[[Q]]#1
// VNNI: %[[ZA:.*]] = tensor.extract %[[Q]]#2
// VNNI: %[[SZ:.*]] = arith.mulf %[[SA]], %[[ZA]] : f32
// VNNI: arith.negf %[[SZ]]
// VNNI: vector.fma
// VNNI: vector.transfer_write
// CHECK-LABEL: func.func @wmatmul_int8
// CHECK: mcc.wmatmul
func.func @wmatmul_int8(%a: tensor<?x48xf32>) -> tensor<?x24xf32> {
  %w = arith.constant dense<9> : tensor<48x24xi8>
  %s = arith.constant dense<0.25> : tensor<2x24xf32>
  %z = arith.constant dense<8> : tensor<2x24xi8>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x48xf32>
  %i = tensor.empty(%m) : tensor<?x24xf32>
  %y = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 32 : i64, int8_activations, w_unsigned} : tensor<?x48xf32>, tensor<48x24xi8>, tensor<2x24xf32>, tensor<2x24xi8> -> tensor<?x24xf32>
  return %y : tensor<?x24xf32>
}
