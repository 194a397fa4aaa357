// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fuse-depthwise-pointwise{min-bytes=0},canonicalize))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fuse-depthwise-pointwise))' | FileCheck %s --check-prefix=SMALL
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fuse-depthwise-pointwise{min-bytes=0 min-expand-bytes=0},canonicalize))' | FileCheck %s --check-prefix=EXPAND

// Depthwise conv -> ReLU -> 1x1 conv -> residual add: one scf.forall over
// the output's image rows. Each row reads its 3-row window of the
// depthwise input through a slice, computes its depthwise row (bias
// init, conv, ReLU) into a row-sized tensor, then the 1x1 conv and the
// add write the output row.
// CHECK-LABEL: func.func @dw_relu_pw_add(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x6x6x8xf32>, %[[DW:[^:]*]]: tensor<8x3x3xf32>, %[[DB:[^:]*]]: tensor<8xf32>, %[[PW:[^:]*]]: tensor<4x8x1x1xf32>, %[[PB:[^:]*]]: tensor<4xf32>, %[[RES:[^:]*]]: tensor<1x4x4x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x4xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[H:.*]]) in (4) shared_outs(%[[OUT:.*]] = %[[E]])
// CHECK: %[[XS:.*]] = tensor.extract_slice %[[X]][0, %[[H]], 0, 0] [1, 3, 6, 8]
// CHECK: %[[DE:.*]] = tensor.empty() : tensor<1x1x4x8xf32>
// CHECK: %[[DI:.*]] = linalg.generic {{.*}} ins(%[[DB]] : tensor<8xf32>) outs(%[[DE]] : tensor<1x1x4x8xf32>)
// CHECK: %[[D:.*]] = linalg.generic {{.*}} ins(%[[XS]], %[[DW]] : {{.*}}) outs(%[[DI]] : tensor<1x1x4x8xf32>)
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[D]] : tensor<1x1x4x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[PI:.*]] = linalg.generic {{.*}} ins(%[[PB]] : tensor<4xf32>)
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[PW]] : {{.*}}) outs(%[[PI]] : tensor<1x1x4x4xf32>)
// CHECK-DAG: %[[RS:.*]] = tensor.extract_slice %[[RES]][0, %[[H]], 0, 0] [1, 1, 4, 4]
// CHECK-DAG: %[[ROW:.*]] = tensor.extract_slice %[[OUT]][0, %[[H]], 0, 0] [1, 1, 4, 4]
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[RS]] : {{.*}}) outs(%[[ROW]] : tensor<1x1x4x4xf32>)
// CHECK: arith.addf
// CHECK: tensor.parallel_insert_slice %[[S]] into %[[OUT]][0, %[[H]], 0, 0] [1, 1, 4, 4]
// CHECK: return %[[R]]
// Under the default min-bytes (256 KiB) an intermediate this small stays
// unfused.
// SMALL-LABEL: func.func @dw_relu_pw_add(
// SMALL-NOT: scf.forall
#dwx = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh + kh, ow + kw, c)>
#dww = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#dwo = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh, ow, c)>
#pwx = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh + kh, ow + kw, c)>
#pww = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#pwo = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh, ow, f)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#bias = affine_map<(a, b, c, d) -> (d)>
func.func @dw_relu_pw_add(%x: tensor<1x6x6x8xf32>, %dw: tensor<8x3x3xf32>, %db: tensor<8xf32>, %pw: tensor<4x8x1x1xf32>, %pb: tensor<4xf32>, %res: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %e0 = tensor.empty() : tensor<1x4x4x8xf32>
  %i0 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%db : tensor<8xf32>) outs(%e0 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x4x4x8xf32>
  %d = linalg.generic {indexing_maps = [#dwx, #dww, #dwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %dw : tensor<1x6x6x8xf32>, tensor<8x3x3xf32>) outs(%i0 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = math.fma %a, %b, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x4x4x8xf32>
  %e1 = tensor.empty() : tensor<1x4x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d : tensor<1x4x4x8xf32>) outs(%e1 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x8xf32>
  %e2 = tensor.empty() : tensor<1x4x4x4xf32>
  %i2 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pb : tensor<4xf32>) outs(%e2 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x4x4x4xf32>
  %p = linalg.generic {indexing_maps = [#pwx, #pww, #pwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%r, %pw : tensor<1x4x4x8xf32>, tensor<4x8x1x1xf32>) outs(%i2 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %q = math.fma %a, %b, %acc : f32
    linalg.yield %q : f32
  } -> tensor<1x4x4x4xf32>
  %e3 = tensor.empty() : tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p, %res : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) outs(%e3 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x4x4x4xf32>
  return %s : tensor<1x4x4x4xf32>
}

// -----

// The depthwise result is also returned: computing it per row would still
// need the whole tensor, so nothing is fused.
// CHECK-LABEL: func.func @depthwise_used_twice(
// CHECK-NOT: scf.forall
// CHECK: return
#dwx = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh + kh, ow + kw, c)>
#dww = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#dwo = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh, ow, c)>
#pwx = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh + kh, ow + kw, c)>
#pww = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#pwo = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh, ow, f)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#bias = affine_map<(a, b, c, d) -> (d)>
func.func @depthwise_used_twice(%x: tensor<1x6x6x8xf32>, %dw: tensor<8x3x3xf32>, %db: tensor<8xf32>, %pw: tensor<4x8x1x1xf32>, %pb: tensor<4xf32>, %res: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32>) {
  %e0 = tensor.empty() : tensor<1x4x4x8xf32>
  %i0 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%db : tensor<8xf32>) outs(%e0 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x4x4x8xf32>
  %d = linalg.generic {indexing_maps = [#dwx, #dww, #dwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %dw : tensor<1x6x6x8xf32>, tensor<8x3x3xf32>) outs(%i0 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = math.fma %a, %b, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x4x4x8xf32>
  %e1 = tensor.empty() : tensor<1x4x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d : tensor<1x4x4x8xf32>) outs(%e1 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x8xf32>
  %e2 = tensor.empty() : tensor<1x4x4x4xf32>
  %i2 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pb : tensor<4xf32>) outs(%e2 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x4x4x4xf32>
  %p = linalg.generic {indexing_maps = [#pwx, #pww, #pwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%r, %pw : tensor<1x4x4x8xf32>, tensor<4x8x1x1xf32>) outs(%i2 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %q = math.fma %a, %b, %acc : f32
    linalg.yield %q : f32
  } -> tensor<1x4x4x4xf32>
  %e3 = tensor.empty() : tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p, %res : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) outs(%e3 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x4x4x4xf32>
  return %s, %d : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32>
}

// -----

// Expand 1x1 conv -> ReLU -> zero pad -> stride-2 depthwise conv -> ReLU
// -> 1x1 conv. With the expand fused (EXPAND), the pad moves to the
// expand's small input and a constant mask zeroes the expand's border
// pixels; each tile of 2 output rows recomputes its 5-row window of the
// expand's output (2 * 2 + 1 rows at stride 2), so nothing image-sized is
// left between the input pad and the output.
// EXPAND-LABEL: func.func @expand_dw_pw(
// EXPAND-SAME: %[[X:[^:]*]]: tensor<1x16x16x4xf32>, %[[EW:[^:]*]]: tensor<8x4x1x1xf32>, %[[EB:[^:]*]]: tensor<8xf32>
// EXPAND: %[[MASK:.*]] = arith.constant dense_resource<pad_mask> : tensor<18x18xf32>
// EXPAND: %[[XP:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// EXPAND: : tensor<1x16x16x4xf32> to tensor<1x18x18x4xf32>
// EXPAND: scf.forall (%[[H:.*]]) = (0) to (8) step (2)
// EXPAND: %[[XS:.*]] = tensor.extract_slice %[[XP]][0, %{{.*}}, 0, 0] [1, 5, 17, 4]
// EXPAND: %[[EI:.*]] = linalg.generic {{.*}} ins(%[[EB]] : tensor<8xf32>) outs(%{{.*}} : tensor<1x5x17x8xf32>)
// EXPAND: %[[E:.*]] = linalg.generic {{.*}} ins(%[[XS]], %[[EW]] : {{.*}}) outs(%[[EI]] : tensor<1x5x17x8xf32>)
// EXPAND: %[[MS:.*]] = tensor.extract_slice %[[MASK]][%{{.*}}, 0] [5, 17]
// EXPAND: %[[SEL:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[MS]] : {{.*}}) outs(%{{.*}} : tensor<1x5x17x8xf32>)
// EXPAND: arith.maximumf
// EXPAND: arith.cmpf one
// EXPAND: arith.select
// EXPAND: %[[D:.*]] = linalg.generic {{.*}} ins(%[[SEL]], %{{.*}} : tensor<1x5x17x8xf32>, tensor<8x3x3xf32>) outs(%{{.*}} : tensor<1x2x8x8xf32>)
// EXPAND: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[H]], 0, 0] [1, 2, 8, 4]
// EXPAND-NOT: tensor.pad
// Under the default min-expand-bytes (1 MiB) only the depthwise conv is
// fused, one output row per tile, and the expand's padded output stays
// whole.
// CHECK-LABEL: func.func @expand_dw_pw(
// CHECK: tensor.pad
// CHECK: : tensor<1x16x16x8xf32> to tensor<1x18x18x8xf32>
// CHECK: scf.forall (%{{.*}}) in (8)
#pwx = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh + kh, ow + kw, c)>
#pww = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#pwo = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, oh, ow, f)>
#dwx2 = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh * 2 + kh, ow * 2 + kw, c)>
#dww = affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>
#dwo = affine_map<(n, c, oh, ow, kh, kw) -> (n, oh, ow, c)>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#bias = affine_map<(a, b, c, d) -> (d)>
func.func @expand_dw_pw(%x: tensor<1x16x16x4xf32>, %ew: tensor<8x4x1x1xf32>, %eb: tensor<8xf32>, %dw: tensor<8x3x3xf32>, %db: tensor<8xf32>, %pw: tensor<4x8x1x1xf32>, %pb: tensor<4xf32>) -> tensor<1x8x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x16x16x8xf32>
  %i0 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%eb : tensor<8xf32>) outs(%e0 : tensor<1x16x16x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x16x16x8xf32>
  %ex = linalg.generic {indexing_maps = [#pwx, #pww, #pwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %ew : tensor<1x16x16x4xf32>, tensor<8x4x1x1xf32>) outs(%i0 : tensor<1x16x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %q = math.fma %a, %b, %acc : f32
    linalg.yield %q : f32
  } -> tensor<1x16x16x8xf32>
  %e1 = tensor.empty() : tensor<1x16x16x8xf32>
  %r0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex : tensor<1x16x16x8xf32>) outs(%e1 : tensor<1x16x16x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x16x8xf32>
  %padded = tensor.pad %r0 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x16x8xf32> to tensor<1x18x18x8xf32>
  %e2 = tensor.empty() : tensor<1x8x8x8xf32>
  %i2 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%db : tensor<8xf32>) outs(%e2 : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x8x8xf32>
  %d = linalg.generic {indexing_maps = [#dwx2, #dww, #dwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%padded, %dw : tensor<1x18x18x8xf32>, tensor<8x3x3xf32>) outs(%i2 : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = math.fma %a, %b, %acc : f32
    linalg.yield %p : f32
  } -> tensor<1x8x8x8xf32>
  %e3 = tensor.empty() : tensor<1x8x8x8xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d : tensor<1x8x8x8xf32>) outs(%e3 : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x8xf32>
  %e4 = tensor.empty() : tensor<1x8x8x4xf32>
  %i4 = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pb : tensor<4xf32>) outs(%e4 : tensor<1x8x8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x8x4xf32>
  %p = linalg.generic {indexing_maps = [#pwx, #pww, #pwo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%r1, %pw : tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>) outs(%i4 : tensor<1x8x8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %q = math.fma %a, %b, %acc : f32
    linalg.yield %q : f32
  } -> tensor<1x8x8x4xf32>
  return %p : tensor<1x8x8x4xf32>
}
