// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(channels-last))' | FileCheck %s

// conv -> relu -> pad -> depthwise conv -> add: every value between the
// two convs is stored NHWC (maps, pad bounds and the relu's loop order
// permuted). The graph input keeps NCHW and the 1x1 conv reads it through
// its map. The returned sum comes from a depthwise conv of 16 channels:
// it is stored NHWC too, and an edge copy writes the NCHW result.
// CHECK-DAG: #[[NHWC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CONVOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d3, d1)>
// CHECK-DAG: #[[DWIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2 + d4, d3 + d5, d1)>
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X:.*]]: tensor<1x8x10x10xf32>
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[CONVOUT]]]
// CHECK-SAME: ins(%[[X]], %{{.*}} : tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>)
// CHECK: } -> tensor<1x10x10x16xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]{{.*}} ins(%[[C]] : tensor<1x10x10x16xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[R]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<1x10x10x16xf32> to tensor<1x12x12x16xf32>
// CHECK: %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x10x10x16xf32>
// CHECK: %[[D:.*]] = linalg.generic {indexing_maps = [#[[DWIN]], #{{.*}}, #{{.*}}]{{.*}} ins(%[[P]], %{{.*}} : tensor<1x12x12x16xf32>, tensor<16x3x3xf32>) outs(%[[F]] : tensor<1x10x10x16xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]{{.*}} ins(%[[D]], %[[R]] : tensor<1x10x10x16xf32>, tensor<1x10x10x16xf32>) outs(%{{.*}} : tensor<1x10x10x16xf32>)
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[NHWC]], #[[ID]]]{{.*}} ins(%[[S]] : tensor<1x10x10x16xf32>) outs(%{{.*}} : tensor<1x16x10x10xf32>)
// CHECK: return %[[T]] : tensor<1x16x10x10xf32>
#in = affine_map<(n, m, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#w = affine_map<(n, m, h, w, c, kh, kw) -> (m, c, kh, kw)>
#out = affine_map<(n, m, h, w, c, kh, kw) -> (n, m, h, w)>
#dwin = affine_map<(n, c, h, w, kh, kw) -> (n, c, h + kh, w + kw)>
#dww = affine_map<(n, c, h, w, kh, kw) -> (c, kh, kw)>
#dwout = affine_map<(n, c, h, w, kh, kw) -> (n, c, h, w)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @chain(%x: tensor<1x8x10x10xf32>) -> tensor<1x16x10x10xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %dw = arith.constant dense<0.25> : tensor<16x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x16x10x10xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32>
  %c = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x16x10x10xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x16x10x10xf32>) outs(%e0 : tensor<1x16x10x10xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x10x10xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x10x10xf32> to tensor<1x16x12x12xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32>
  %d = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%p, %dw : tensor<1x16x12x12xf32>, tensor<16x3x3xf32>) outs(%init2 : tensor<1x16x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x16x10x10xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d, %r : tensor<1x16x10x10xf32>, tensor<1x16x10x10xf32>) outs(%e0 : tensor<1x16x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.addf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x16x10x10xf32>
  return %s : tensor<1x16x10x10xf32>
}

// -----

// A value that a reshape reads keeps NCHW, and so does the init of the
// generic that makes it; the conv still reads its NCHW input directly.
// CHECK-LABEL: func.func @boundary(
// CHECK: %[[C:.*]] = linalg.generic
// CHECK: } -> tensor<1x4x2x2xf32>
// CHECK: tensor.collapse_shape %[[C]]
#in = affine_map<(n, m, h, w, c) -> (n, c, h, w)>
#w = affine_map<(n, m, h, w, c) -> (m, c)>
#out = affine_map<(n, m, h, w, c) -> (n, m, h, w)>
func.func @boundary(%x: tensor<1x3x2x2xf32>) -> tensor<1x16xf32> {
  %w = arith.constant dense<0.5> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %c = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x3x2x2xf32>, tensor<4x3xf32>) outs(%init : tensor<1x4x2x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x4x2x2xf32>
  %f = tensor.collapse_shape %c [[0], [1, 2, 3]] : tensor<1x4x2x2xf32> into tensor<1x16xf32>
  return %f : tensor<1x16xf32>
}

// -----

// Must not fire: no conv (a batched matmul over rank-4 attention tensors
// with no constant operand is not one).
// CHECK-LABEL: func.func @no_conv(
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID4:.*]], #[[ID4]]]{{.*}} outs(%{{.*}} : tensor<1x2x4x4xf32>)
#q = affine_map<(b, h, i, j, k) -> (b, h, i, k)>
#k = affine_map<(b, h, i, j, k) -> (b, h, k, j)>
#o = affine_map<(b, h, i, j, k) -> (b, h, i, j)>
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
func.func @no_conv(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) outs(%init : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Two convs without bias share one zero fill (CSE): each gets its own, so
// the first conv's output moves although the second's is returned.
// CHECK-LABEL: func.func @shared_fill(
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: } -> tensor<1x4x4x8xf32>
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[A]], %{{.*}} : tensor<1x4x4x8xf32>, tensor<8x8x1x1xf32>)
// CHECK: } -> tensor<1x8x4x4xf32>
// CHECK: return %[[B]]
#in = affine_map<(n, m, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#w = affine_map<(n, m, h, w, c, kh, kw) -> (m, c, kh, kw)>
#out = affine_map<(n, m, h, w, c, kh, kw) -> (n, m, h, w)>
func.func @shared_fill(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %a = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%init : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = math.fma %p, %q, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  %b = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%a, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%init : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = math.fma %p, %q, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  return %b : tensor<1x8x4x4xf32>
}

// -----

// Concat along the channels (insert_slices into an empty) moves with the
// convs around it: offsets and sizes are permuted.
// CHECK-LABEL: func.func @concat(
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x16xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> into tensor<1x4x4x16xf32>
// CHECK: %[[I1:.*]] = tensor.insert_slice %{{.*}} into %[[I0]][0, 0, 0, 8] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> into tensor<1x4x4x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[I1]], %{{.*}} : tensor<1x4x4x16xf32>, tensor<4x16x1x1xf32>)
#in = affine_map<(n, m, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#w = affine_map<(n, m, h, w, c, kh, kw) -> (m, c, kh, kw)>
#out = affine_map<(n, m, h, w, c, kh, kw) -> (n, m, h, w)>
func.func @concat(%x: tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x16x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %a = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%init : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = math.fma %p, %q, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  %b = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%init : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = math.fma %p, %q, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  %cat0 = tensor.empty() : tensor<1x16x4x4xf32>
  %cat1 = tensor.insert_slice %a into %cat0[0, 0, 0, 0] [1, 8, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> into tensor<1x16x4x4xf32>
  %cat2 = tensor.insert_slice %b into %cat1[0, 8, 0, 0] [1, 8, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> into tensor<1x16x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x4xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%cat2, %w2 : tensor<1x16x4x4xf32>, tensor<4x16x1x1xf32>) outs(%init2 : tensor<1x4x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = math.fma %p, %q, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// -----

// A 3x3 conv over 16 channels of the graph input, and a 1x1 conv of the
// same input: the input is copied (transposed) once, before the pad, and
// both convs read the copy; the returned 3x3 conv result is copied back.
// (The input copy iterates in its output's order: it reads NCHW through
// its map and writes NHWC contiguously.)
// CHECK-DAG: #[[NHWC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-DAG: #[[NCHW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @edges(
// CHECK-SAME: %[[X:.*]]: tensor<1x16x6x6xf32>
// CHECK: %[[IN:.*]] = linalg.generic {indexing_maps = [#[[NCHW]], #[[ID]]]{{.*}} ins(%[[X]] : tensor<1x16x6x6xf32>) outs(%{{.*}} : tensor<1x6x6x16xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[IN]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[C3:.*]] = linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<1x8x8x16xf32>, tensor<16x16x3x3xf32>)
// CHECK: } -> tensor<1x6x6x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[IN]], %{{.*}} : tensor<1x6x6x16xf32>, tensor<16x16x1x1xf32>)
// CHECK: %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[NHWC]], #[[ID]]]{{.*}} ins(%[[C3]] : tensor<1x6x6x16xf32>) outs(%{{.*}} : tensor<1x16x6x6xf32>)
// CHECK: return %[[OUT]], %{{.*}} : tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32>
#in = affine_map<(n, m, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#w = affine_map<(n, m, h, w, c, kh, kw) -> (m, c, kh, kw)>
#out = affine_map<(n, m, h, w, c, kh, kw) -> (n, m, h, w)>
func.func @edges(%x: tensor<1x16x6x6xf32>) -> (tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32>) {
  %w3 = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  %w1 = arith.constant dense<0.25> : tensor<16x16x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x6x6xf32> to tensor<1x16x8x8xf32>
  %e0 = tensor.empty() : tensor<1x16x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  %c3 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%p, %w3 : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x16x6x6xf32>
  %init1 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  %c1 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w1 : tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) outs(%init1 : tensor<1x16x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x16x6x6xf32>
  return %c3, %c1 : tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32>
}

// -----

// A 1x1 conv between the graph's edges is a GEMM in NCHW too: no copies,
// nothing moves.
// CHECK-LABEL: func.func @edges_1x1(
// CHECK-SAME: %[[X:.*]]: tensor<1x32x6x6xf32>
// CHECK-NOT: tensor<1x6x6x32xf32>
// CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<1x32x6x6xf32>, tensor<32x32x1x1xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[C]] : tensor<1x32x6x6xf32>
#in = affine_map<(n, m, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#w = affine_map<(n, m, h, w, c, kh, kw) -> (m, c, kh, kw)>
#out = affine_map<(n, m, h, w, c, kh, kw) -> (n, m, h, w)>
func.func @edges_1x1(%x: tensor<1x32x6x6xf32>) -> tensor<1x32x6x6xf32> {
  %w1 = arith.constant dense<0.25> : tensor<32x32x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x32x6x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x32x6x6xf32>) -> tensor<1x32x6x6xf32>
  %c = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w1 : tensor<1x32x6x6xf32>, tensor<32x32x1x1xf32>) outs(%init : tensor<1x32x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = math.fma %a, %b, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x32x6x6xf32>
  return %c : tensor<1x32x6x6xf32>
}

// -----

// An int8 conv's transposes (QuantizedConv.cpp): the NCHW value between
// the matmul's [N, OH, OW, M] rows and the next conv's [N, H, W, C] rows
// is stored channels-last. Its producer then reads the rows in order, and
// the next transpose is a copy; the rows themselves do not move.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @int8_conv_transposes
// CHECK-SAME: (%[[ACC:.*]]: tensor<1x4x4x8xi32>)
// CHECK: %[[V:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]{{.*}} ins(%[[ACC]] : tensor<1x4x4x8xi32>) outs(%{{.*}} : tensor<1x4x4x8xi8>)
// CHECK: arith.trunci
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]{{.*}} ins(%[[V]] : tensor<1x4x4x8xi8>) outs(%{{.*}} : tensor<1x4x4x8xi8>)
func.func @int8_conv_transposes(%acc: tensor<1x4x4x8xi32>) -> tensor<1x4x4x8xi8> {
  %e = tensor.empty() : tensor<1x8x4x4xi8>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<1x4x4x8xi32>) outs(%e : tensor<1x8x4x4xi8>) {
  ^bb0(%a: i32, %o: i8):
    %t = arith.trunci %a : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x8x4x4xi8>
  %e2 = tensor.empty() : tensor<1x4x4x8xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v : tensor<1x8x4x4xi8>) outs(%e2 : tensor<1x4x4x8xi8>) {
  ^bb0(%a: i8, %o: i8):
    linalg.yield %a : i8
  } -> tensor<1x4x4x8xi8>
  return %r : tensor<1x4x4x8xi8>
}
