// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(register-tile-contractions{vector-width=8 rows=6},canonicalize))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(register-tile-contractions{vector-width=8 rows=6 next-panel-weight-bytes=1048576},canonicalize))' | FileCheck %s --check-prefix=OFF

// Activations times constant weights: 12 rows = two blocks of 6, 40
// columns = two 16-lane tiles and one 8-lane tile. The weights become one
// packed constant; B is one vector per k shared by the 6 rows. The packed
// weights are small (under 256 KiB): row blocks run outside the tiles.
// CHECK-LABEL: func.func @matmul_const_b(
// CHECK-SAME: %[[A:.*]]: tensor<12x24xf32>
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<3x24x16xf32>
// CHECK: %[[R0:.*]] = scf.forall (%[[M:[^,]*]], %[[T:[^)]*]]) in (2, 2) shared_outs(%[[O:.*]] = %{{.*}})
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: %[[BV:.*]] = vector.transfer_read %[[PACKED]][%[[T]], %[[K]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x24x16xf32>, vector<16xf32>
// CHECK: tensor.extract %[[A]][
// CHECK: vector.broadcast
// CHECK-COUNT-6: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-6: vector.transfer_write
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[O]]
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}} = %[[R0]])
// CHECK: vector.transfer_read %[[PACKED]]{{.*}} : tensor<3x24x16xf32>, vector<8xf32>
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_const_b(%a: tensor<12x24xf32>) -> tensor<12x40xf32> {
  %b = arith.constant dense<1.0> : tensor<24x40xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x40xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<12x40xf32>) -> tensor<12x40xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<12x24xf32>, tensor<24x40xf32>) outs(%c : tensor<12x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<12x40xf32>
  return %r : tensor<12x40xf32>
}

// -----

// 28 columns at 8 lanes: one 16-lane tile, then the other 12 as one
// 16-lane tile with the stores masked (not 8 + 4 as two tiles, which would
// read A twice). The packed panel is zero-padded, so the B loads stay
// in bounds.
// CHECK-LABEL: func.func @matmul_masked_pair(
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<2x24x16xf32>
// CHECK: vector.transfer_read %[[PACKED]][%[[C0:[^,]*]], {{.*}} {in_bounds = [true]} : tensor<2x24x16xf32>, vector<16xf32>
// CHECK-COUNT-6: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<6x16xf32>
// CHECK: vector.transfer_read %[[PACKED]][%[[C1:[^,]*]], {{.*}} {in_bounds = [true]} : tensor<2x24x16xf32>, vector<16xf32>
// CHECK-COUNT-6: vector.transfer_write %{{[^ ]*}}, %{{[^ ]*}}[%{{[^]]*}}] : vector<16xf32>, tensor<6x12xf32>
// CHECK-NOT: vector<8xf32>
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_masked_pair(%a: tensor<6x24xf32>) -> tensor<6x28xf32> {
  %b = arith.constant dense<1.0> : tensor<24x28xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x28xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<6x28xf32>) -> tensor<6x28xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<6x24xf32>, tensor<24x28xf32>) outs(%c : tensor<6x28xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<6x28xf32>
  return %r : tensor<6x28xf32>
}

// -----

// Conv (n, m, oh, ow, c, kh, kw) with a bias and a ReLU consumer: rows are
// output channels (the weights A use them, the input B does not), lanes
// run along ow, the accumulators start from the bias and the ReLU runs on
// them before the store; the conv and the ReLU generics are gone.
// CHECK-LABEL: func.func @conv_bias_relu(
// CHECK-SAME: %[[X:.*]]: tensor<1x8x10x18xf32>, %[[W:.*]]: tensor<6x8x3x3xf32>, %[[BIAS:.*]]: tensor<6xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%[[OH:.*]]) in (8)
// CHECK: %[[B0:.*]] = tensor.extract %[[BIAS]][
// CHECK: vector.broadcast %[[B0]] : f32 to vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read %[[X]]
// CHECK: tensor.extract %[[W]]
// CHECK: vector.fma
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
#cX = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#cW = affine_map<(n, m, oh, ow, c, kh, kw) -> (m, c, kh, kw)>
#cO = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, m, oh, ow)>
#id = affine_map<(n, m, oh, ow) -> (n, m, oh, ow)>
#bias = affine_map<(n, m, oh, ow) -> (m)>
func.func @conv_bias_relu(%x: tensor<1x8x10x18xf32>, %w: tensor<6x8x3x3xf32>, %bias: tensor<6xf32>) -> tensor<1x6x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x8x16xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<6xf32>) outs(%e : tensor<1x6x8x16xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  } -> tensor<1x6x8x16xf32>
  %conv = linalg.generic {indexing_maps = [#cX, #cW, #cO], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x8x10x18xf32>, tensor<6x8x3x3xf32>) outs(%init : tensor<1x6x8x16xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %p = math.fma %in, %wt, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x6x8x16xf32>
  %e2 = tensor.empty() : tensor<1x6x8x16xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x6x8x16xf32>) outs(%e2 : tensor<1x6x8x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x6x8x16xf32>
  return %relu : tensor<1x6x8x16xf32>
}

// -----

// Stride 2 along the lanes: the input is first copied with its last index
// split into (phase, column) so every lane read is contiguous.
// CHECK-LABEL: func.func @conv_stride2(
// CHECK: %[[COPY:.*]] = linalg.generic
// CHECK: affine.min
// CHECK: -> tensor<1x4x9x2x9xf32>
// CHECK: scf.forall
// CHECK: vector.transfer_read %[[COPY]]
// CHECK: vector.fma
#sX = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#sW = affine_map<(n, m, oh, ow, c, kh, kw) -> (m, c, kh, kw)>
#sO = affine_map<(n, m, oh, ow, c, kh, kw) -> (n, m, oh, ow)>
func.func @conv_stride2(%x: tensor<1x4x9x17xf32>, %w: tensor<6x4x3x3xf32>, %init: tensor<1x6x4x8xf32>) -> tensor<1x6x4x8xf32> {
  %conv = linalg.generic {indexing_maps = [#sX, #sW, #sO], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x4x9x17xf32>, tensor<6x4x3x3xf32>) outs(%init : tensor<1x6x4x8xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %p = math.fma %in, %wt, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x6x4x8xf32>
  return %conv : tensor<1x6x4x8xf32>
}

// -----

// Not a float32 multiply-accumulate: left alone.
// CHECK-LABEL: func.func @f16_matmul(
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#hA = affine_map<(m, n, k) -> (m, k)>
#hB = affine_map<(m, n, k) -> (k, n)>
#hC = affine_map<(m, n, k) -> (m, n)>
func.func @f16_matmul(%a: tensor<8x16xf16>, %b: tensor<16x32xf16>, %c: tensor<8x32xf16>) -> tensor<8x32xf16> {
  %r = linalg.generic {indexing_maps = [#hA, #hB, #hC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x16xf16>, tensor<16x32xf16>) outs(%c : tensor<8x32xf16>) {
  ^bb0(%x: f16, %y: f16, %acc: f16):
    %p = math.fma %x, %y, %acc : f16
    linalg.yield %p : f16
  } -> tensor<8x32xf16>
  return %r : tensor<8x32xf16>
}

// -----

// A 1x1 conv with constant weights, 64 input and 32 output channels and a
// 7-wide image:
// lanes along the channels (weights packed, 2 tiles of 16), rows along the
// image width (7 = 4 + 3), outputs stored across channel planes.
// CHECK-LABEL: func.func @conv_channel_lanes(
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<2x64x16xf32>
// CHECK: scf.forall
// CHECK: vector.transfer_read %[[PACKED]]
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] {in_bounds = [true], permutation_map = #{{.*}}} : vector<16xf32>, tensor<16x4xf32>
#kX = affine_map<(n, m, oh, ow, c) -> (n, c, oh, ow)>
#kW = affine_map<(n, m, oh, ow, c) -> (m, c)>
#kO = affine_map<(n, m, oh, ow, c) -> (n, m, oh, ow)>
func.func @conv_channel_lanes(%x: tensor<1x64x7x7xf32>, %init: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<0.5> : tensor<32x64xf32>
  %conv = linalg.generic {indexing_maps = [#kX, #kW, #kO], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x64x7x7xf32>, tensor<32x64xf32>) outs(%init : tensor<1x32x7x7xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %p = math.fma %in, %wt, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x32x7x7xf32>
  return %conv : tensor<1x32x7x7xf32>
}

// -----

// Weights over 256 KiB (512 x 256 floats) keep the column tiles outside
// every other loop, the image rows (oh) included: each packed panel is read
// once for the whole image.
// CHECK-LABEL: func.func @conv_large_weights(
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<32x256x16xf32>
// CHECK: scf.forall (%[[T:.*]], %[[OH:.*]]) in (32, 2)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[OH]], 0, %{{.*}}] [1, 1, 6, 16]
// CHECK: scf.for
// CHECK: vector.transfer_read %[[PACKED]][%[[T]],
// A kernel with few rows per panel (12) marks its reduction loop:
// prefetch-weights fetches the next tile's panel (index 0 of the packed
// shape) too, spread over the forall's dims after the tiles (batch, image
// rows, row blocks).
// CHECK: } {mcc.next_panel = {passes = array<i64: 1, 2, 1>, tile = 0 : i64}}
// Not when the function's constants (here 512 KiB) are at most
// next-panel-weight-bytes.
// OFF-LABEL: func.func @conv_large_weights(
// OFF: scf.forall (%{{.*}}, %{{.*}}) in (32, 2)
// OFF-NOT: mcc.next_panel
// OFF: return
#lX = affine_map<(n, oh, ow, m, c) -> (n, oh, ow, c)>
#lW = affine_map<(n, oh, ow, m, c) -> (m, c)>
#lO = affine_map<(n, oh, ow, m, c) -> (n, oh, ow, m)>
func.func @conv_large_weights(%x: tensor<1x2x6x256xf32>, %init: tensor<1x2x6x512xf32>) -> tensor<1x2x6x512xf32> {
  %w = arith.constant dense<0.5> : tensor<512x256xf32>
  %conv = linalg.generic {indexing_maps = [#lX, #lW, #lO], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x2x6x256xf32>, tensor<512x256xf32>) outs(%init : tensor<1x2x6x512xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %p = math.fma %in, %wt, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x2x6x512xf32>
  return %conv : tensor<1x2x6x512xf32>
}

// -----

// Constant weights with a parallel dim of their own (Winograd's points: one
// GEMM per point) are packed per point, [points][tiles][k][lanes], and read
// at the point's loop index.
// CHECK-LABEL: func.func @batched_weights(
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<4x2x32x16xf32>
// CHECK: scf.forall (%[[P:.*]], %[[T:.*]]) in (4, 2)
// CHECK: scf.for %[[K:[^ ]*]] =
// CHECK: vector.transfer_read %[[PACKED]][%[[P]], %[[T]], %[[K]], %{{.*}}]
#wV = affine_map<(p, t, k, c) -> (p, t, c)>
#wU = affine_map<(p, t, k, c) -> (p, c, k)>
#wM = affine_map<(p, t, k, c) -> (p, t, k)>
func.func @batched_weights(%v: tensor<4x6x32xf32>, %init: tensor<4x6x32xf32>) -> tensor<4x6x32xf32> {
  %u = arith.constant dense<0.5> : tensor<4x32x32xf32>
  %m = linalg.generic {indexing_maps = [#wV, #wU, #wM], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%v, %u : tensor<4x6x32xf32>, tensor<4x32x32xf32>) outs(%init : tensor<4x6x32xf32>) {
  ^bb0(%in: f32, %wt: f32, %acc: f32):
    %f = math.fma %in, %wt, %acc : f32
    linalg.yield %f : f32
  } -> tensor<4x6x32xf32>
  return %m : tensor<4x6x32xf32>
}

// -----

// A GEMM whose A (2040 x 512 floats, 4 MB) exceeds L2 (2 MiB), with
// weights over 1 MiB (tiles outside): the 340 row blocks of 6 go in 4
// groups of 85, each group's rows of A (1 MB) serving every column tile
// before the next.
// CHECK-LABEL: func.func @gemm_grouped_rows(
// CHECK: scf.forall (%[[G:.*]], %[[T:.*]], %[[B:.*]]) in (4, 40, 85)
// CHECK: %[[ROW:.*]] = affine.apply #{{.*}}()[%[[G]], %[[B]]]
// CHECK: tensor.extract_slice %{{.*}}[%[[ROW]], %{{.*}}] [6, 16]
#gA = affine_map<(m, n, k) -> (m, k)>
#gB = affine_map<(m, n, k) -> (k, n)>
#gC = affine_map<(m, n, k) -> (m, n)>
func.func @gemm_grouped_rows(%a: tensor<2040x512xf32>, %init: tensor<2040x640xf32>) -> tensor<2040x640xf32> {
  %w = arith.constant dense<0.5> : tensor<512x640xf32>
  %c = linalg.generic {indexing_maps = [#gA, #gB, #gC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<2040x512xf32>, tensor<512x640xf32>) outs(%init : tensor<2040x640xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %f = math.fma %x, %y, %acc : f32
    linalg.yield %f : f32
  } -> tensor<2040x640xf32>
  return %c : tensor<2040x640xf32>
}

// -----

// Weights that stay in L2 (512 KiB here, over the 256 KiB of always) with
// a larger A (1.6 MB): row blocks outside the tiles, so a block of A is
// read from L3 once and reused from L1 by all 16 tiles.
// CHECK-LABEL: func.func @gemm_rows_outside(
// CHECK: scf.forall (%[[B:.*]], %[[T:.*]]) in (130, 16)
#hA = affine_map<(m, n, k) -> (m, k)>
#hB = affine_map<(m, n, k) -> (k, n)>
#hC = affine_map<(m, n, k) -> (m, n)>
func.func @gemm_rows_outside(%a: tensor<784x512xf32>, %init: tensor<784x256xf32>) -> tensor<784x256xf32> {
  %w = arith.constant dense<0.5> : tensor<512x256xf32>
  %c = linalg.generic {indexing_maps = [#hA, #hB, #hC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<784x512xf32>, tensor<512x256xf32>) outs(%init : tensor<784x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %f = math.fma %x, %y, %acc : f32
    linalg.yield %f : f32
  } -> tensor<784x256xf32>
  return %c : tensor<784x256xf32>
}

// -----

// Cache blocking (panel-bytes): K = 64 steps of a 16-lane panel is 4 KiB;
// with 1 KiB panels (12 x 32 outputs: 2 x 2 tiles) the reduction runs in 4 passes of 16 steps, the later
// ones starting from the partial sums in the output, the ReLU in the last.
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(register-tile-contractions{vector-width=8 rows=6 panel-bytes=1024},canonicalize))' | FileCheck %s --check-prefix=BLOCK
// BLOCK-LABEL: func.func @blocked(
// BLOCK: %[[P0:.*]] = scf.forall
// BLOCK: scf.for %{{.*}} = %c0 to %c16
// BLOCK-NOT: arith.maximumf
// BLOCK: scf.forall {{.*}} shared_outs(%[[O1:.*]] = %[[P0]])
// BLOCK: %[[T1:.*]] = tensor.extract_slice %[[O1]]
// BLOCK: vector.transfer_read %[[T1]][%c0, %c0]
// BLOCK: scf.for %{{.*}} = %c16 to %c32
// BLOCK-NOT: arith.maximumf
// BLOCK: scf.forall
// BLOCK: scf.for %{{.*}} = %c32 to %c48
// BLOCK-NOT: arith.maximumf
// BLOCK: scf.forall
// BLOCK: scf.for %{{.*}} = %c48 to %c64
// BLOCK: arith.maximumf {{.*}} : vector<16xf32>
#bA = affine_map<(m, n, k) -> (m, k)>
#bB = affine_map<(m, n, k) -> (k, n)>
#bC = affine_map<(m, n, k) -> (m, n)>
#bid = affine_map<(m, n) -> (m, n)>
func.func @blocked(%a: tensor<12x64xf32>, %b: tensor<64x32xf32>) -> tensor<12x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x32xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<12x32xf32>) -> tensor<12x32xf32>
  %r = linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<12x64xf32>, tensor<64x32xf32>) outs(%c : tensor<12x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = math.fma %x, %y, %acc : f32
    linalg.yield %p : f32
  } -> tensor<12x32xf32>
  %e2 = tensor.empty() : tensor<12x32xf32>
  %relu = linalg.generic {indexing_maps = [#bid, #bid], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<12x32xf32>) outs(%e2 : tensor<12x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<12x32xf32>
  return %relu : tensor<12x32xf32>
}

// -----

// Depthwise conv stored NHWC: both operands vary along the channel lanes.
// The constant weights are B (packed [tiles][kh][kw][16], one load per tap
// for all rows); the input A is read as a vector per row (rows along ow).
// CHECK-LABEL: func.func @depthwise_nhwc(
// CHECK-SAME: %[[X:.*]]: tensor<1x6x6x40xf32>
// CHECK: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<3x3x3x16xf32>
// CHECK: scf.forall (%[[OH:.*]], %[[T:.*]]) in (4, 2)
// CHECK: scf.for %[[KH:[^ ]*]] =
// CHECK: scf.for %[[KW:[^ ]*]] =
// CHECK: %[[WV:.*]] = vector.transfer_read %[[PACKED]][%[[T]], %[[KH]], %[[KW]], %{{.*}}]{{.*}} : tensor<3x3x3x16xf32>, vector<16xf32>
// CHECK: %[[XV:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<1x6x6x40xf32>, vector<16xf32>
// CHECK: vector.fma %[[XV]], %[[WV]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-3: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
#dwin = affine_map<(n, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#dww = affine_map<(n, h, w, c, kh, kw) -> (c, kh, kw)>
#dwout = affine_map<(n, h, w, c, kh, kw) -> (n, h, w, c)>
func.func @depthwise_nhwc(%x: tensor<1x6x6x40xf32>) -> tensor<1x4x4x40xf32> {
  %w = arith.constant dense<0.5> : tensor<40x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x40xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x40xf32>) -> tensor<1x4x4x40xf32>
  %d = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<1x6x6x40xf32>, tensor<40x3x3xf32>) outs(%init : tensor<1x4x4x40xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x40xf32>
  return %d : tensor<1x4x4x40xf32>
}

// -----

// A residual add whose other operand (%r) is computed here and read by
// nothing after it: the kernel writes its result over %r (shared_outs is
// %r), reading the residual from the output tile before each store. When
// the residual is a function argument (the caller's buffer) or the
// contraction reads it too, the output is a buffer of its own.
// CHECK-LABEL: func.func @residual_in_place(
// CHECK-SAME: %[[A:[^:]*]]: tensor<12x24xf32>, %[[X:[^:]*]]: tensor<12x16xf32>
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: scf.forall ({{.*}}) in (2) shared_outs(%[[O:.*]] = %[[R]])
// CHECK: %[[T:.*]] = tensor.extract_slice %[[O]]
// CHECK: scf.for
// CHECK: scf.yield
// CHECK: %[[RES:.*]] = vector.transfer_read %[[T]]
// CHECK: arith.addf %{{.*}}, %[[RES]] : vector<16xf32>
// CHECK: %[[MM2:.*]] = scf.forall ({{.*}}) in (2) shared_outs(%{{.*}} = %[[E:[^)]*]])
// CHECK: vector.transfer_read %[[X]]
// CHECK: %[[MM3:.*]] = scf.forall ({{.*}}) in (2) shared_outs(%{{.*}} = %[[E]])
// CHECK: linalg.generic {{.*}} ins(%[[MM2]], %[[MM3]] : {{.*}}) outs(%[[E]] :
#rA = affine_map<(m, n, k) -> (m, k)>
#rB = affine_map<(m, n, k) -> (k, n)>
#rC = affine_map<(m, n, k) -> (m, n)>
#rI = affine_map<(m, n) -> (m, n)>
func.func @residual_in_place(%a: tensor<12x24xf32>, %x: tensor<12x16xf32>) -> tensor<12x16xf32> {
  %b = arith.constant dense<1.0> : tensor<24x16xf32>
  %b2 = arith.constant dense<1.0> : tensor<16x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<12x16xf32>) -> tensor<12x16xf32>
  %r = linalg.generic {indexing_maps = [#rI, #rI], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<12x16xf32>) outs(%e : tensor<12x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<12x16xf32>
  // In place over %r.
  %mm = linalg.generic {indexing_maps = [#rA, #rB, #rC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<12x24xf32>, tensor<24x16xf32>) outs(%fill : tensor<12x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %f = math.fma %p, %q, %acc : f32
    linalg.yield %f : f32
  } -> tensor<12x16xf32>
  %add = linalg.generic {indexing_maps = [#rI, #rI, #rI], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %r : tensor<12x16xf32>, tensor<12x16xf32>) outs(%e : tensor<12x16xf32>) {
  ^bb0(%u: f32, %w: f32, %o: f32):
    %s = arith.addf %u, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x16xf32>
  // The residual is the argument %x: not in place.
  %mm2 = linalg.generic {indexing_maps = [#rA, #rB, #rC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<12x24xf32>, tensor<24x16xf32>) outs(%fill : tensor<12x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %f = math.fma %p, %q, %acc : f32
    linalg.yield %f : f32
  } -> tensor<12x16xf32>
  %add2 = linalg.generic {indexing_maps = [#rI, #rI, #rI], iterator_types = ["parallel", "parallel"]}
      ins(%mm2, %x : tensor<12x16xf32>, tensor<12x16xf32>) outs(%e : tensor<12x16xf32>) {
  ^bb0(%u: f32, %w: f32, %o: f32):
    %s = arith.addf %u, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x16xf32>
  // The contraction reads its residual (%add + %add W): not in place.
  %mm3 = linalg.generic {indexing_maps = [#rA, #rB, #rC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%add, %b2 : tensor<12x16xf32>, tensor<16x16xf32>) outs(%fill : tensor<12x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %f = math.fma %p, %q, %acc : f32
    linalg.yield %f : f32
  } -> tensor<12x16xf32>
  %add3 = linalg.generic {indexing_maps = [#rI, #rI, #rI], iterator_types = ["parallel", "parallel"]}
      ins(%mm3, %add : tensor<12x16xf32>, tensor<12x16xf32>) outs(%e : tensor<12x16xf32>) {
  ^bb0(%u: f32, %w: f32, %o: f32):
    %s = arith.addf %u, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x16xf32>
  %sum = linalg.generic {indexing_maps = [#rI, #rI, #rI], iterator_types = ["parallel", "parallel"]}
      ins(%add2, %add3 : tensor<12x16xf32>, tensor<12x16xf32>) outs(%e : tensor<12x16xf32>) {
  ^bb0(%u: f32, %w: f32, %o: f32):
    %s = arith.addf %u, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x16xf32>
  return %sum : tensor<12x16xf32>
}

// -----

// wide-rows: a GEMM whose weight panels serve 256 rows (or more) takes
// tiles of 4 vectors (here 32 lanes) with that many rows: 256 rows in 64
// blocks of 4, 64 columns in 2 tiles, 4 x 32-lane FMAs per step. With 132
// rows it keeps the 2-vector tiles of 6 rows.
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(register-tile-contractions{vector-width=8 rows=6 wide-rows=4},canonicalize))' | FileCheck %s --check-prefix=WIDE
// WIDE-LABEL: func.func @gemm_wide(
// WIDE: %[[PACKED:.*]] = arith.constant dense_resource<packed_weight{{.*}}> : tensor<2x64x32xf32>
// WIDE: scf.forall (%{{.*}}, %[[T:.*]]) in (64, 2)
// WIDE: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// WIDE: vector.transfer_read %[[PACKED]][%[[T]], %[[K]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x64x32xf32>, vector<32xf32>
// WIDE-COUNT-4: vector.fma {{.*}} : vector<32xf32>
// WIDE-NOT: vector.fma
// WIDE: scf.yield
// WIDE-LABEL: func.func @gemm_few_rows(
// WIDE: scf.forall (%{{.*}}, %{{.*}}) in (22, 2)
// WIDE: vector.transfer_read {{.*}} vector<16xf32>
// WIDE-COUNT-6: vector.fma {{.*}} : vector<16xf32>
#wA = affine_map<(m, n, k) -> (m, k)>
#wB = affine_map<(m, n, k) -> (k, n)>
#wC = affine_map<(m, n, k) -> (m, n)>
func.func @gemm_wide(%a: tensor<256x64xf32>, %init: tensor<256x64xf32>) -> tensor<256x64xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64xf32>
  %c = linalg.generic {indexing_maps = [#wA, #wB, #wC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<256x64xf32>, tensor<64x64xf32>) outs(%init : tensor<256x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %f = math.fma %x, %y, %acc : f32
    linalg.yield %f : f32
  } -> tensor<256x64xf32>
  return %c : tensor<256x64xf32>
}
func.func @gemm_few_rows(%a: tensor<132x64xf32>, %init: tensor<132x32xf32>) -> tensor<132x32xf32> {
  %w = arith.constant dense<0.5> : tensor<64x32xf32>
  %c = linalg.generic {indexing_maps = [#wA, #wB, #wC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<132x64xf32>, tensor<64x32xf32>) outs(%init : tensor<132x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %f = math.fma %x, %y, %acc : f32
    linalg.yield %f : f32
  } -> tensor<132x32xf32>
  return %c : tensor<132x32xf32>
}
