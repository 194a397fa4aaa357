// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-onnx-to-linalg))' | FileCheck %s

// Broadcasting add: the [3] operand reads with a projected map.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Add(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Relu is a max with zero; NaN stays NaN, the sign of a zero is free
// (nsz: one vmaxps on x86).
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.*}}, %[[Z]] fastmath<nsz> : f32
func.func @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = onnx.Relu(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Depthwise conv: one generic on the 4-D tensors (loops n, c, oh, ow, kh,
// kw), weights [C, 1, 3, 3] read as [C, 3, 3], padding with tensor.pad,
// the bias is the accumulator's initial value.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[P:.*]] = tensor.pad
// CHECK: %[[B:.*]] = linalg.generic
// CHECK: %[[WC:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[WC]] : tensor<1x8x8x8xf32>, tensor<8x3x3xf32>) outs(%[[B]] : tensor<1x8x6x6xf32>)
// CHECK: math.fma
// CHECK-NOT: tensor.collapse_shape
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x6x6xf32> {
  %0 = onnx.Conv(%x, %w, %b) {group = 8 : i64, pads = [1, 1, 1, 1]} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// Two groups of two channels: views with the group explicit ([N, G, C/G,
// H, W] input, [G, M/G, C/G, kh, kw] weights), collapsed back after.
// CHECK-LABEL: func.func @grouped
// CHECK: %[[X:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5]
// CHECK: %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[W]] : tensor<1x2x2x5x5xf32>, tensor<2x3x2x3x3xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %none = onnx.NoValue
  %0 = onnx.Conv(%x, %w, %none) {group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, none) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// Zero-sized pieces: Split gives an empty tensor for them (a slice may not
// start at the end), Concat skips them.
// CHECK-LABEL: func.func @zero_sized
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[A:.*]] = tensor.extract_slice %[[X]][0, 0] [2, 8] [1, 1]
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x0xf32>
// CHECK: %[[ACC:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK-NOT: tensor.insert_slice %[[E]]
// CHECK: %[[R:.*]] = tensor.insert_slice %[[A]] into %[[ACC]][0, 0] [2, 8] [1, 1]
// CHECK-NOT: tensor.insert_slice
// CHECK: return %[[R]]
func.func @zero_sized(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %s = onnx.Constant() {value = dense<[8, 0]> : tensor<2xi64>} : () -> tensor<2xi64>
  %a, %b = onnx.Split(%x, %s) {axis = -1 : i64} : (tensor<2x8xf32>, tensor<2xi64>) -> (tensor<2x8xf32>, tensor<2x0xf32>)
  %c = onnx.Concat(%a, %b) {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x0xf32>) -> tensor<2x8xf32>
  return %c : tensor<2x8xf32>
}

// -----

// Integer Mod with fmod = 0 takes the divisor's sign; CastLike casts to its
// second operand's element type; Expand broadcasts.
// CHECK-LABEL: func.func @mod_castlike_expand
// CHECK: linalg.generic
// CHECK: %[[R:.*]] = arith.remsi
// CHECK: arith.xori
// CHECK: %[[FIX:.*]] = arith.addi %[[R]]
// CHECK: arith.select %{{.*}}, %[[FIX]], %[[R]]
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<3x4xf32>)
func.func @mod_castlike_expand(%a: tensor<4xi32>, %b: tensor<4xi32>, %like: tensor<f32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  %m = onnx.Mod(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c = onnx.CastLike(%m, %like) : (tensor<4xi32>, tensor<f32>) -> tensor<4xf32>
  %s = onnx.Constant() {value = dense<[3, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %e = onnx.Expand(%c, %s) : (tensor<4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %c, %e : tensor<4xf32>, tensor<3x4xf32>
}

// -----

// LayerNormalization over the last dim: sum / n, centered, sum of squares,
// rsqrt(var + eps), scale and bias; Mean and InvStdDev come out when used.
// CHECK-LABEL: func.func @layer_norm
// CHECK: linalg.generic {{.*}}["parallel", "reduction"]
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: math.fma
// CHECK: %[[INV:.*]] = linalg.generic
// CHECK: math.rsqrt
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK: return %[[Y]], %[[INV]]
func.func @layer_norm(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>) {
  %y, %m, %inv = onnx.LayerNormalization(%x, %s, %b) {axis = -1 : i64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, none, tensor<2x1xf32>)
  return %y, %inv : tensor<2x8xf32>, tensor<2x1xf32>
}

// -----

// ArgMax: one generic carrying the best value and its index; ties keep the
// first index (ogt) unless select_last_index (oge).
// CHECK-LABEL: func.func @argmax
// CHECK: %[[G:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: %[[BETTER:.*]] = arith.cmpf ogt
// CHECK: %[[I:.*]] = linalg.index 1
// CHECK: arith.select %[[BETTER]]
// CHECK: tensor.expand_shape %[[G]]#1
// CHECK-LABEL: func.func @argmax_last
// CHECK: arith.cmpf oge
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = onnx.ArgMax(%x) {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}
func.func @argmax_last(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = onnx.ArgMax(%x) {axis = 1 : i64, select_last_index = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// Trilu with k known only at run time: read through a map to element 0.
// CHECK-LABEL: func.func @trilu_runtime_k
// CHECK-SAME: (%[[X:.*]]: tensor<4x5xf32>, %[[K:.*]]: tensor<i64>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[K]] : tensor<4x5xf32>, tensor<i64>)
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: arith.subi %[[J]], %[[I]]
// CHECK: arith.cmpi sge
func.func @trilu_runtime_k(%x: tensor<4x5xf32>, %k: tensor<i64>) -> tensor<4x5xf32> {
  %0 = onnx.Trilu(%x, %k) : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Pad with an axes input: pads apply to the named axes only.
// CHECK-LABEL: func.func @pad_axes
// CHECK: tensor.pad %{{.*}} low[0, 1, 0] high[0, 2, 0]
func.func @pad_axes(%x: tensor<2x3x4xf32>) -> tensor<2x6x4xf32> {
  %p = onnx.Constant() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %a = onnx.Constant() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  %y = onnx.Pad(%x, %p, %none, %a) : (tensor<2x3x4xf32>, tensor<2xi64>, none, tensor<1xi64>) -> tensor<2x6x4xf32>
  return %y : tensor<2x6x4xf32>
}

// -----

// Unsigned tensors become signless (the signature too); division and
// comparison pick the unsigned forms from the onnx op's types.
// CHECK-LABEL: func.func @unsigned_div
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>)
// CHECK: arith.divui
// CHECK: arith.cmpi ult
// CHECK-NOT: ui8
func.func @unsigned_div(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>) {
  %0 = onnx.Div(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = onnx.Less(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  return %0, %1 : tensor<4xui8>, tensor<4xi1>
}

// -----

// Grouped-query attention: 4 query heads share 2 KV heads through a
// floordiv in K's and V's indexing maps; the causal mask compares indices.
// CHECK-DAG: #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 2, d3, d4)>
// CHECK-DAG: #[[VMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 2, d4, d3)>
// CHECK-LABEL: func.func @attention_gqa_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x3x8xf32>, %[[K:.*]]: tensor<1x2x5x8xf32>, %[[V:.*]]: tensor<1x2x5x8xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[KMAP]], #{{.*}}]{{.*}}ins(%[[Q]], %[[K]]
// CHECK: arith.cmpi sge
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[VMAP]], #{{.*}}]{{.*}}, %[[V]] :
func.func @attention_gqa_causal(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %none = onnx.NoValue
  %y, %pk, %pv, %qk = onnx.Attention(%q, %k, %v, %none, %none, %none, %none) {is_causal = 1 : i64} : (tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, none, none, none, none) -> (tensor<1x4x3x8xf32>, none, none, none)
  return %y : tensor<1x4x3x8xf32>
}

// -----

// NLL with mean reduction: per position the weighted loss and its weight
// (0 for ignore_index), then the two sums divided.
// CHECK-LABEL: func.func @nll_mean
// CHECK: %[[PER:.*]]:2 = linalg.generic
// CHECK: tensor.extract
// CHECK: arith.cmpi eq
// CHECK: arith.negf
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[PER]]#0
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[PER]]#1
// CHECK: arith.divf
func.func @nll_mean(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  %none = onnx.NoValue
  %0 = onnx.NegativeLogLikelihoodLoss(%x, %t, %none) {ignore_index = 1 : i64} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// ScatterElements applies the updates in order in an scf.for nest that
// carries the output; each index is checked against the data's axis.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[D:.*]]: tensor<4x3xf32>
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[D]])
// CHECK: scf.for
// CHECK: %[[RAW:.*]] = tensor.extract %{{.*}} : tensor<2x3xi64>
// CHECK: mcc.check_index %[[RAW]], %[[C4]] negative "index into axis 0 of its data" : i64
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements_add(%d: tensor<4x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = onnx.ScatterElements(%d, %i, %u) {axis = 0 : i64, reduction = "add"} : (tensor<4x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Run-time axes: [3,2,2] -> [3,2] reduces dim 1 or dim 2; the axes' value
// picks one of the two reductions.
// CHECK-LABEL: func.func @reduce_runtime_axes
// CHECK: tensor.extract %{{.*}}[%{{.*}}] : tensor<1xi64>
// CHECK: scf.if
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: } else {
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @reduce_runtime_axes(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = onnx.ReduceSum(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Resize, linear, run-time scales: the scale is read once, each output
// element blends 2 x 2 clamped taps in f64.
// CHECK-LABEL: func.func @resize_linear
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xf32>
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @resize_linear(%x: tensor<1x1x4x4xf32>, %scales: tensor<2xf32>) -> tensor<1x1x8x8xf32> {
  %none = onnx.NoValue
  %0 = onnx.Resize(%x, %none, %scales, %none) {mode = "linear", axes = [2, 3]} : (tensor<1x1x4x4xf32>, none, tensor<2xf32>, none) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Einsum: one generic; the repeated letter j is a reduction.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @einsum_bmm
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @einsum_bmm(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = onnx.Einsum(%a, %b) {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Reflect pad: each output index maps back by a modulo and a mirror.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %p = onnx.Constant() {value = dense<[0, 2, 0, 2]> : tensor<4xi64>} : () -> tensor<4xi64>
  %none = onnx.NoValue
  %0 = onnx.Pad(%x, %p, %none, %none) {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>, none, none) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// ConvTranspose: weights flipped and regrouped by a generic, the input
// spread by the stride into zeros, then a stride-1 convolution.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, -d2 + 2, -d3 + 2)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[W:.*]] = linalg.generic {indexing_maps = [#[[FLIP]]
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: %[[X:.*]] = tensor.insert_slice %{{.*}} into %[[Z]][0, 0, 2, 2] [1, 2, 3, 3] [1, 1, 2, 2]
// CHECK: linalg.generic {{.*}}"reduction", "reduction", "reduction"]} ins(%[[X]], %[[W]] : tensor<1x2x9x9xf32>, tensor<4x2x3x3xf32>)
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %none = onnx.NoValue
  %0 = onnx.ConvTranspose(%x, %w, %none) {strides = [2, 2]} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>, none) -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// -----

// GridSample, bilinear with zero padding: 2 x 2 taps read from the image,
// each masked when it falls outside.
// CHECK-LABEL: func.func @grid_sample
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<1x3x2x2xf32>
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x4x4xf32>
func.func @grid_sample(%x: tensor<1x1x4x4xf32>, %g: tensor<1x3x2x2xf32>) -> tensor<1x1x3x2xf32> {
  %0 = onnx.GridSample(%x, %g) : (tensor<1x1x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<1x1x3x2xf32>
  return %0 : tensor<1x1x3x2xf32>
}

// -----

// HannWindow with a run-time size: the declared length, cosines in f64.
// CHECK-LABEL: func.func @hann
// CHECK: linalg.generic
// CHECK: math.cos %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @hann(%n: tensor<i32>) -> tensor<10xf32> {
  %0 = onnx.HannWindow(%n) : (tensor<i32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// LSTM: an scf.for over time carrying the two-slot H and C states and Y;
// each step two contractions (X W^T, H R^T) and one cell generic.
// CHECK-LABEL: func.func @lstm
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x2x4xf32>, tensor<3x2x4xf32>, tensor<2x2x4xf32>)
// CHECK: arith.remui
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: math.tanh
// CHECK: scf.yield
func.func @lstm(%x: tensor<3x2x5xf32>, %w: tensor<1x16x5xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x2x4xf32> {
  %none = onnx.NoValue
  %y, %h, %c = onnx.LSTM(%x, %w, %r, %none, %none, %none, %none, %none) {hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x16x5xf32>, tensor<1x16x4xf32>, none, none, none, none, none) -> (none, tensor<1x2x4xf32>, none)
  return %h : tensor<1x2x4xf32>
}

// -----

// DFT along axis 1 of a real signal: the input bins are a reduction, the
// angle from (k n mod N), accumulated in f64.
// CHECK-LABEL: func.func @dft
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.remsi
// CHECK: math.cos %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @dft(%x: tensor<1x8x3x1xf32>) -> tensor<1x8x3x2xf32> {
  %axis = onnx.Constant() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %none = onnx.NoValue
  %0 = onnx.DFT(%x, %none, %axis) : (tensor<1x8x3x1xf32>, none, tensor<i64>) -> tensor<1x8x3x2xf32>
  return %0 : tensor<1x8x3x2xf32>
}

// -----

// Training-mode BatchNormalization: batch mean and variance per channel,
// the running statistics blended by momentum.
// CHECK-LABEL: func.func @batchnorm_training
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: math.fma
// CHECK: math.rsqrt
func.func @batchnorm_training(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv = onnx.BatchNormalization(%x, %s, %b, %m, %v) {training_mode = 1 : i64} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm, %rv : tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Out-of-range floats cast to uint4 wrap: through a signed i32 (fptoui of
// a negative value would be poison), then the low four bits.
// CHECK-LABEL: func.func @cast_to_uint4
// CHECK: %[[I:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %[[I]] : i32 to i4
// CHECK-NOT: arith.fptoui
func.func @cast_to_uint4(%x: tensor<4xf32>) -> tensor<4xui4> {
  %r = onnx.Cast(%x) {to = 21 : i64} : (tensor<4xf32>) -> tensor<4xui4>
  return %r : tensor<4xui4>
}

// -----

// QLinearConv: x and w widened to i32 minus their zero points (w's per
// output channel), an i32 conv started from the i32 bias, then one
// requantizing generic reading w_scale per output channel (d1).
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @qlinear_conv(
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#[[CH]], {{.*}} ins(%{{.*}} : tensor<3xi32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} outs(%[[B]] : tensor<1x3x4x4xi32>)
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x3x4x4xi32>, tensor<f32>, tensor<3xf32>, tensor<f32>, tensor<i8>)
// CHECK: math.roundeven
func.func @qlinear_conv(%x: tensor<1x2x4x4xui8>, %w: tensor<3x2x1x1xi8>, %b: tensor<3xi32>) -> tensor<1x3x4x4xui8> {
  %xs = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %xz = onnx.Constant() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  %ws = onnx.Constant() {value = dense<[0.1, 0.2, 0.3]> : tensor<3xf32>} : () -> tensor<3xf32>
  %wz = onnx.Constant() {value = dense<0> : tensor<3xi8>} : () -> tensor<3xi8>
  %ys = onnx.Constant() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %yz = onnx.Constant() {value = dense<10> : tensor<ui8>} : () -> tensor<ui8>
  %0 = onnx.QLinearConv(%x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b) : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<3x2x1x1xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>, tensor<3xi32>) -> tensor<1x3x4x4xui8>
  return %0 : tensor<1x3x4x4xui8>
}

// -----

// ConvInteger with constant weights and no groups: the input padded with
// its zero point, stored channels-last, unrolled into rows of its 3x3
// windows (taps outer, channels inner: 9 x 2 = 18), an mcc.qmatmul with
// the weights transposed at compile time to [18, 3], and the result
// [N, OH, OW, M] read back as [N, M, OH, OW]. Symbolic batch and image.
// CHECK-DAG: #[[NHWC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[BACK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func.func @conv_integer_windows(
// CHECK-SAME: %[[X:.*]]: tensor<?x2x?x?xi8>
// CHECK: %[[W:.*]] = arith.constant dense_resource<conv_window_weights> : tensor<18x3xi8>
// CHECK: %[[ZP:.*]] = tensor.extract
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, %{{.*}}, %{{.*}}]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[NHWC]], {{.*}} ins(%[[P]] : tensor<?x2x?x?xi8>) outs(%{{.*}} : tensor<?x?x?x2xi8>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[WIN]], {{.*}} ins(%[[T]] : tensor<?x?x?x2xi8>) outs(%{{.*}} : tensor<?x?x?x3x3x2xi8>)
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1], [2], [3, 4, 5]]
// CHECK: %[[Q:.*]] = mcc.qmatmul %[[A]], %[[W]], {{.*}} {a_unsigned} : tensor<?x?x?x18xi8>, tensor<18x3xi8>
// CHECK: linalg.generic {indexing_maps = [#[[BACK]], {{.*}} ins(%[[Q]] : tensor<?x?x?x3xi32>)
func.func @conv_integer_windows(%x: tensor<?x2x?x?xui8>) -> tensor<?x3x?x?xi32> {
  %w = onnx.Constant() {value = dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]> : tensor<3x2x3x3xi8>} : () -> tensor<3x2x3x3xi8>
  %xz = onnx.Constant() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  %none = onnx.NoValue
  %0 = onnx.ConvInteger(%x, %w, %xz, %none) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<?x2x?x?xui8>, tensor<3x2x3x3xi8>, tensor<ui8>, none) -> tensor<?x3x?x?xi32>
  return %0 : tensor<?x3x?x?xi32>
}

// -----

// Dynamic dims are sized from the operand: no check, no copy when both
// dims come from the same input dim.
// CHECK-LABEL: func.func @dynamic_relu
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<?x4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK-NOT: cf.assert
func.func @dynamic_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = onnx.Relu(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Two dynamic dims that may differ: the result is the one that is not 1,
// a run-time check names the node, and an operand whose dim is 1 while the
// result's is not is expanded first (scf.if), so the maps stay identities.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @dynamic_broadcast
// CHECK: cf.assert %{{.*}}, "node 'add' (Add): dimension 0 of operand 1 cannot be broadcast to the result"
// CHECK: %[[N:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK: %[[X:.*]] = scf.if
// CHECK: tensor.extract %arg0
// CHECK: %[[Y:.*]] = scf.if
// CHECK: tensor.extract %arg1
// CHECK: %[[E:.*]] = tensor.empty(%[[N]])
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], {{.*}} ins(%[[X]], %[[Y]] : {{.*}}) outs(%[[E]]
func.func @dynamic_broadcast(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = onnx.Add(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> loc(#add)
  return %0 : tensor<?xf32>
}
#add = loc("add"("Add"("m.onnx":3:0)))

// -----

// A dynamic dim against a static one is that size or 1.
// CHECK-LABEL: func.func @dynamic_against_static
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[D]], %c1
// CHECK: %[[FOUR:.*]] = arith.cmpi eq, %[[D]], %c4
// CHECK: %[[OK:.*]] = arith.ori %[[ONE]], %[[FOUR]]
// CHECK: cf.assert %[[OK]]
// CHECK: tensor.empty() : tensor<4xf32>
func.func @dynamic_against_static(%a: tensor<?xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = onnx.Mul(%a, %b) : (tensor<?xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// MatMul with a dynamic batch: the inner dims are checked, the result is
// sized by A's rows.
// CHECK-LABEL: func.func @dynamic_matmul
// CHECK: %[[K:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[K2:.*]] = tensor.dim %arg1, %c0
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[K]], %[[K2]]
// CHECK: cf.assert %[[EQ]], "the inner dimensions of A and B differ"
// CHECK: %[[M:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[M]]) : tensor<?x8xf32>
// CHECK: math.fma
func.func @dynamic_matmul(%a: tensor<?x?xf32>, %b: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = onnx.MatMul(%a, %b) : (tensor<?x?xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// NonZero: a reduction counts the nonzeros (the result's run-time size),
// then a loop writes each one's indices at the next column.
// CHECK-LABEL: func.func @nonzero
// CHECK: %[[CNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[OUT:.*]] = tensor.empty(%[[N]]) : tensor<2x?xi64>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.insert
func.func @nonzero(%x: tensor<3x4xf32>) -> tensor<2x?xi64> {
  %0 = onnx.NonZero(%x) : (tensor<3x4xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// MaxPool: a window reduction from -inf with the same max as Relu (NaN
// propagates, zeros unordered).
// CHECK-LABEL: func.func @maxpool
// CHECK: linalg.fill ins(%{{.*}} : f32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : f32
func.func @maxpool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0, %i = onnx.MaxPool(%x) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, none)
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Reshape with a symbolic dim that a 0 copies: views (a collapse of the
// static run, an expand to the target), no tensor.reshape; and back.
// CHECK-LABEL: func.func @heads
// CHECK-SAME: (%[[X:.*]]: tensor<1x?x768xf32>)
// CHECK-NOT: tensor.reshape
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<1x?x768xf32> into tensor<?x768xf32>
// CHECK: %[[H:.*]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2, 3]] output_shape [1, %{{.*}}, 12, 64] : tensor<?x768xf32> into tensor<1x?x12x64xf32>
// CHECK: %[[C2:.*]] = tensor.collapse_shape %[[H]] {{\[}}[0, 1], [2, 3]] : tensor<1x?x12x64xf32> into tensor<?x768xf32>
// CHECK: tensor.expand_shape %[[C2]] {{\[}}[0, 1], [2]]
// CHECK-NOT: tensor.reshape
func.func @heads(%x: tensor<1x?x768xf32>) -> tensor<1x?x768xf32> {
  %s = onnx.Constant() {value = dense<[1, 0, 12, 64]> : tensor<4xi64>} : () -> tensor<4xi64>
  %h = onnx.Reshape(%x, %s) : (tensor<1x?x768xf32>, tensor<4xi64>) -> tensor<1x?x12x64xf32>
  %m = onnx.Constant() {value = dense<[1, 0, 768]> : tensor<3xi64>} : () -> tensor<3xi64>
  %r = onnx.Reshape(%h, %m) : (tensor<1x?x12x64xf32>, tensor<3xi64>) -> tensor<1x?x768xf32>
  return %r : tensor<1x?x768xf32>
}

// -----

// Gather checks each run-time index once, in a generic of its own, before
// the gather reads a row per index; the message names the node.
// CHECK-LABEL: func.func @gather_checked
// CHECK: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[SAFE:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<5xi32>) outs(%{{.*}} : tensor<5xi64>)
// CHECK: mcc.check_index %{{.*}}, %[[C10]] negative "node 'embed' (Gather): index into axis 0 of its data" : i32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SAFE]] : tensor<5xi64>)
// CHECK-NOT: mcc.check_index
// CHECK: return
func.func @gather_checked(%t: tensor<10x8xf32>, %i: tensor<5xi32>) -> tensor<5x8xf32> {
  %0 = onnx.Gather(%t, %i) {axis = 0 : i64} : (tensor<10x8xf32>, tensor<5xi32>) -> tensor<5x8xf32> loc(#embed)
  return %0 : tensor<5x8xf32>
}
#file = loc("m.onnx":1:0)
#op = loc("Gather"(#file))
#embed = loc("embed"(#op))

// -----

// Must not fire: constant indices in range are checked at compile time.
// CHECK-LABEL: func.func @gather_constant_indices
// CHECK-NOT: mcc.check_index
func.func @gather_constant_indices(%t: tensor<10x8xf32>) -> tensor<2x8xf32> {
  %i = onnx.Constant() {value = dense<[9, -10]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = onnx.Gather(%t, %i) {axis = 0 : i64} : (tensor<10x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Run-time pads: each padded dim is asserted non-negative (a crop past
// the axis), and edge padding asserts the input's axis is not empty where
// the result's is not.
// CHECK-LABEL: func.func @pad_runtime_edge
// CHECK: cf.assert %{{.*}}, "node 'pad' (Pad): pads make dimension 0 of the result negative"
// CHECK: cf.assert %{{.*}}, "node 'pad' (Pad): edge padding of dimension 0, which is empty"
// CHECK: linalg.generic
func.func @pad_runtime_edge(%x: tensor<?x4xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %none = onnx.NoValue
  %0 = onnx.Pad(%x, %p, %none, %none) {mode = "edge"} : (tensor<?x4xf32>, tensor<4xi64>, none, none) -> tensor<?x?xf32> loc(#pad)
  return %0 : tensor<?x?xf32>
}

#pad = loc("pad"("Pad"("m.onnx":1:0)))

// -----

// TensorScatter in linear mode: write_indices are checked against the room
// the update leaves in the cache (not counted from the end), in a generic
// of their own before the one that writes.
// CHECK-LABEL: func.func @tensor_scatter_linear
// CHECK: cf.assert %{{.*}}, "node 'kv' (TensorScatter): write_indices has not one entry per batch"
// CHECK: cf.assert %{{.*}}, "node 'kv' (TensorScatter): the update is longer than the cache"
// CHECK: %[[W:.*]] = linalg.generic
// CHECK: mcc.check_index %{{.*}}, %{{.*}} "node 'kv' (TensorScatter): write index along axis 1 (the update must fit in the cache)" : i64
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<2x5x3xf32>)
// CHECK: tensor.extract %[[W]]
func.func @tensor_scatter_linear(%past: tensor<2x5x3xf32>, %upd: tensor<2x?x3xf32>, %wi: tensor<?xi64>) -> tensor<2x5x3xf32> {
  %0 = onnx.TensorScatter(%past, %upd, %wi) {axis = -2 : i64, mode = "linear"} : (tensor<2x5x3xf32>, tensor<2x?x3xf32>, tensor<?xi64>) -> tensor<2x5x3xf32> loc(#kv)
  return %0 : tensor<2x5x3xf32>
}

#kv = loc("kv"("TensorScatter"("m.onnx":1:0)))

// -----

// MatMulInteger with a symbolic batch becomes mcc.qmatmul (the int8
// kernels' op): the signedness moves to attributes, the absent A zero
// point is a constant 0, the inner dims are checked at run time.
// CHECK-LABEL: func.func @matmul_integer
// CHECK-SAME: (%[[A:.*]]: tensor<?x7x37xi8>, %[[B:.*]]: tensor<37x45xi8>, %[[ZB:.*]]: tensor<45xi8>)
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0> : tensor<i8>
// CHECK-DAG: %[[I:.*]] = tensor.empty(%{{.*}}) : tensor<?x7x45xi32>
// CHECK: mcc.qmatmul %[[A]], %[[B]], %[[Z]], %[[ZB]], %[[I]] {a_unsigned} : tensor<?x7x37xi8>, tensor<37x45xi8>, tensor<i8>, tensor<45xi8> -> tensor<?x7x45xi32>
func.func @matmul_integer(%a: tensor<?x7x37xui8>, %b: tensor<37x45xi8>, %zb: tensor<45xi8>) -> tensor<?x7x45xi32> {
  %none = onnx.NoValue
  %0 = onnx.MatMulInteger(%a, %b, %none, %zb) : (tensor<?x7x37xui8>, tensor<37x45xi8>, none, tensor<45xi8>) -> tensor<?x7x45xi32>
  return %0 : tensor<?x7x45xi32>
}

// -----

// A constant scale: x / s as x * (1/s) with one FMA correction (the
// reciprocals ride along as a constant); a scale read at run time keeps
// the division.
// CHECK-LABEL: func.func @quantize_reciprocal
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[S:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32
// CHECK: %[[Q0:.*]] = arith.mulf %[[X]], %[[R]] : f32
// CHECK: %[[N:.*]] = arith.negf %[[Q0]] : f32
// CHECK: %[[REM:.*]] = math.fma %[[N]], %[[S]], %[[X]] : f32
// CHECK: %[[Q1:.*]] = math.fma %[[REM]], %[[R]], %[[Q0]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[Q1]], %[[Q1]] : f32
// CHECK: arith.select %[[NAN]], %[[Q0]], %[[Q1]] : f32
// CHECK: math.roundeven
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
func.func @quantize_reciprocal(%x: tensor<8xf32>, %s: tensor<f32>) -> (tensor<8xi8>, tensor<8xi8>) {
  %c = onnx.Constant() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32>
  %z = onnx.Constant() {value = dense<3> : tensor<i8>} : () -> tensor<i8>
  %a = onnx.QuantizeLinear(%x, %c, %z) : (tensor<8xf32>, tensor<f32>, tensor<i8>) -> tensor<8xi8>
  %b = onnx.QuantizeLinear(%x, %s, %z) : (tensor<8xf32>, tensor<f32>, tensor<i8>) -> tensor<8xi8>
  return %a, %b : tensor<8xi8>, tensor<8xi8>
}

// -----

// Softmax and Hardmax of a model before opset 13 (the importer's
// onnx.flattened_axis): the input flattened at axis 1 and normalized over
// dims 1 and 2 together; Hardmax's first maximum is found by its position
// in the flattened row (i1 * 4 + i2).
// CHECK-LABEL: func.func @softmax_flattened
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x1xf32>
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: %[[I1:.*]] = linalg.index 1 : index
// CHECK: %[[P1:.*]] = arith.index_cast %[[I1]]
// CHECK: %[[I2:.*]] = linalg.index 2 : index
// CHECK: arith.index_cast %[[I2]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x3x4xi64>)
func.func @softmax_flattened(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %y = onnx.Softmax(%x) {axis = 1 : i64, onnx.flattened_axis} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %h = onnx.Hardmax(%x) {axis = 1 : i64, onnx.flattened_axis} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y, %h : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}
