// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(winograd-convs{vector-width=16},canonicalize))' | FileCheck %s

// 8x4 outputs divide by 4: F(4x4, 3x3), 2 x 1 tiles of 6x6 inputs. The
// weights become U [36, 16, 24] at compile time; the input transform
// fills V [1, 2, 1, 36, 16] tile by tile; one multiply-accumulate generic
// makes M; the output transform reads M and the bias (a whole vector,
// then the masked tail of channels 16..23) and writes the conv's result.
// CHECK-LABEL: func.func @f4(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x10x6x16xf32>, %[[BIAS:[^:]*]]: tensor<24xf32>
// CHECK: %[[U:.*]] = arith.constant dense_resource<winograd_weight{{.*}}> : tensor<36x16x24xf32>
// CHECK: %[[V:.*]] = scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<1x2x1x36x16xf32>)
// CHECK: vector.transfer_read %[[X]]
// CHECK: tensor.parallel_insert_slice %{{.*}} [1, 1, 1, 36, 16]
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[V]], %[[U]] : tensor<1x2x1x36x16xf32>, tensor<36x16x24xf32>)
// CHECK: math.fma
// CHECK: %[[Y:.*]] = scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<1x8x4x24xf32>)
// CHECK: vector.transfer_read %[[BIAS]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<24xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[M]]
// CHECK: vector.transfer_read %[[BIAS]][%{{.*}}], %{{.*}} : tensor<24xf32>, vector<16xf32>
// CHECK: return %[[Y]]
#x = affine_map<(n, k, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#w = affine_map<(n, k, h, w, c, kh, kw) -> (k, c, kh, kw)>
#o = affine_map<(n, k, h, w, c, kh, kw) -> (n, h, w, k)>
#b = affine_map<(n, h, w, k) -> (k)>
#id = affine_map<(n, h, w, k) -> (n, h, w, k)>
func.func @f4(%x: tensor<1x10x6x16xf32>, %bias: tensor<24xf32>) -> tensor<1x8x4x24xf32> {
  %w = arith.constant dense<0.5> : tensor<24x16x3x3xf32>
  %e = tensor.empty() : tensor<1x8x4x24xf32>
  %init = linalg.generic {indexing_maps = [#b, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<24xf32>) outs(%e : tensor<1x8x4x24xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x4x24xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x10x6x16xf32>, tensor<24x16x3x3xf32>) outs(%init : tensor<1x8x4x24xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x24xf32>
  return %c : tensor<1x8x4x24xf32>
}

// -----

// 6x2 outputs: F(2x2, 3x3), U [16, 16, 16], tiles 3 x 1.
// CHECK-LABEL: func.func @f2(
// CHECK: arith.constant dense_resource<winograd_weight{{.*}}> : tensor<16x16x16xf32>
// CHECK: scf.forall (%{{.*}}) in (3) shared_outs(%{{.*}}) -> (tensor<1x3x1x16x16xf32>)
#x = affine_map<(n, k, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#w = affine_map<(n, k, h, w, c, kh, kw) -> (k, c, kh, kw)>
#o = affine_map<(n, k, h, w, c, kh, kw) -> (n, h, w, k)>
func.func @f2(%x: tensor<1x8x4x16xf32>) -> tensor<1x6x2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x2x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x2x16xf32>) -> tensor<1x6x2x16xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x16xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x6x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x6x2x16xf32>
  return %c : tensor<1x6x2x16xf32>
}

// -----

// An elementwise consumer (here residual add + ReLU) runs in the output
// transform, on each output vector before its store: the consumer generic
// is gone and the transform's result replaces it.
// CHECK-LABEL: func.func @f2_epilogue(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x8x4x16xf32>, %[[RES:[^:]*]]: tensor<1x6x2x16xf32>
// CHECK: %[[M:.*]] = linalg.generic
// CHECK: math.fma
// CHECK: %[[Y:.*]] = scf.forall (%{{.*}}) in (3) shared_outs(%{{.*}}) -> (tensor<1x6x2x16xf32>)
// CHECK: vector.transfer_read %[[M]]
// CHECK: %[[R:.*]] = vector.transfer_read %[[RES]]
// CHECK: %[[S:.*]] = arith.addf %{{.*}}, %[[R]] : vector<16xf32>
// CHECK: arith.maximumf %[[S]], %{{.*}} : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#x = affine_map<(n, k, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#w = affine_map<(n, k, h, w, c, kh, kw) -> (k, c, kh, kw)>
#o = affine_map<(n, k, h, w, c, kh, kw) -> (n, h, w, k)>
#id = affine_map<(n, h, w, k) -> (n, h, w, k)>
func.func @f2_epilogue(%x: tensor<1x8x4x16xf32>, %res: tensor<1x6x2x16xf32>) -> tensor<1x6x2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x2x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x2x16xf32>) -> tensor<1x6x2x16xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x16xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x6x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x6x2x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res : tensor<1x6x2x16xf32>, tensor<1x6x2x16xf32>) outs(%e : tensor<1x6x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x6x2x16xf32>
  return %r : tensor<1x6x2x16xf32>
}

// -----

// Must not fire: a 7x7 output (neither tile size divides it), a stride-2
// window, and 8 input channels (too few for the transforms to pay off).
// CHECK-LABEL: func.func @direct(
// CHECK-NOT: winograd_weight
// CHECK-NOT: scf.forall
// CHECK-COUNT-3: math.fma
#x = affine_map<(n, k, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#x2 = affine_map<(n, k, h, w, c, kh, kw) -> (n, h * 2 + kh, w * 2 + kw, c)>
#w = affine_map<(n, k, h, w, c, kh, kw) -> (k, c, kh, kw)>
#o = affine_map<(n, k, h, w, c, kh, kw) -> (n, h, w, k)>
func.func @direct(%x: tensor<1x9x9x16xf32>, %x8: tensor<1x10x6x8xf32>) -> (tensor<1x7x7x16xf32>, tensor<1x4x4x16xf32>, tensor<1x8x4x16xf32>) {
  %w = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  %w8 = arith.constant dense<0.5> : tensor<16x8x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7x7x16xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7x7x16xf32>) -> tensor<1x7x7x16xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x9x9x16xf32>, tensor<16x16x3x3xf32>) outs(%i : tensor<1x7x7x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x7x7x16xf32>
  %e2 = tensor.empty() : tensor<1x4x4x16xf32>
  %i2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %c2 = linalg.generic {indexing_maps = [#x2, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x9x9x16xf32>, tensor<16x16x3x3xf32>) outs(%i2 : tensor<1x4x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x16xf32>
  %e3 = tensor.empty() : tensor<1x8x4x16xf32>
  %i3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x8x4x16xf32>) -> tensor<1x8x4x16xf32>
  %c3 = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x8, %w8 : tensor<1x10x6x8xf32>, tensor<16x8x3x3xf32>) outs(%i3 : tensor<1x8x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x16xf32>
  return %c, %c2, %c3 : tensor<1x7x7x16xf32>, tensor<1x4x4x16xf32>, tensor<1x8x4x16xf32>
}
