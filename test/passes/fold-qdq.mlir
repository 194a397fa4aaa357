// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fold-qdq))' | FileCheck %s
// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(fold-qdq{int8-activations=1}))' | FileCheck %s --check-prefix=INT8

// MatMul of two DequantizeLinear: per-tensor activation parameters,
// per-column weight parameters; the scales are constants, so their
// product is one.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x16xui8>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant() {value = dense<3> : tensor<16x4xi8>}
// CHECK-DAG: %[[ZA:.*]] = onnx.Constant() {value = dense<128> : tensor<ui8>}
// CHECK-DAG: %[[ZW:.*]] = onnx.Constant() {value = dense<0> : tensor<4xi8>}
// CHECK: %[[ACC:.*]] = onnx.MatMulInteger(%[[X]], %[[W]], %[[ZA]], %[[ZW]]) : {{.*}} -> tensor<?x8x4xi32>
// CHECK: %[[F:.*]] = onnx.Cast(%[[ACC]]) {to = 1 : i64} : (tensor<?x8x4xi32>) -> tensor<?x8x4xf32>
// CHECK: %[[S:.*]] = onnx.Constant() {value = dense_resource<qdq_scale> : tensor<4xf32>}
// CHECK: %[[Y:.*]] = onnx.Mul(%[[F]], %[[S]])
// CHECK-NOT: onnx.MatMul(
// CHECK: return %[[Y]]
func.func @matmul(%x: tensor<?x8x16xui8>) -> tensor<?x8x4xf32> {
  %sa = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %za = onnx.Constant() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  %w = onnx.Constant() {value = dense<3> : tensor<16x4xi8>} : () -> tensor<16x4xi8>
  %sw = onnx.Constant() {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %zw = onnx.Constant() {value = dense<0> : tensor<4xi8>} : () -> tensor<4xi8>
  %a = onnx.DequantizeLinear(%x, %sa, %za) : (tensor<?x8x16xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x8x16xf32>
  %b = onnx.DequantizeLinear(%w, %sw, %zw) {axis = 1 : i64} : (tensor<16x4xi8>, tensor<4xf32>, tensor<4xi8>) -> tensor<16x4xf32>
  %y = onnx.MatMul(%a, %b) : (tensor<?x8x16xf32>, tensor<16x4xf32>) -> tensor<?x8x4xf32>
  return %y : tensor<?x8x4xf32>
}

// -----

// Gemm with transB: the weights are transposed at compile time, the bias
// added after the scale.
// CHECK-LABEL: func.func @gemm_transposed
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>, %[[C:.*]]: tensor<4xf32>)
// CHECK: %[[T:.*]] = onnx.Constant() {value = dense_resource<transposed_weights> : tensor<3x4xi8>}
// CHECK: %[[ACC:.*]] = onnx.MatMulInteger(%[[X]], %[[T]], %{{.*}}, %{{.*}}) : {{.*}} -> tensor<2x4xi32>
// CHECK: %[[F:.*]] = onnx.Cast(%[[ACC]])
// CHECK: %[[Y:.*]] = onnx.Mul(%[[F]], %{{.*}})
// CHECK: %[[Z:.*]] = onnx.Add(%[[Y]], %[[C]])
// CHECK: return %[[Z]]
func.func @gemm_transposed(%x: tensor<2x3xi8>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %none = onnx.NoValue
  %s = onnx.Constant() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %w = onnx.Constant() {value = dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]> : tensor<4x3xi8>} : () -> tensor<4x3xi8>
  %a = onnx.DequantizeLinear(%x, %s, %none) : (tensor<2x3xi8>, tensor<f32>, none) -> tensor<2x3xf32>
  %b = onnx.DequantizeLinear(%w, %s, %none) : (tensor<4x3xi8>, tensor<f32>, none) -> tensor<4x3xf32>
  %y = onnx.Gemm(%a, %b, %c) {transB = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Must not fire: the weights are an activation (attention's Q x K^T), and
// per-row weight scales (axis 0) do not factor out of the sum.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: onnx.MatMulInteger
// CHECK: onnx.MatMul
// CHECK: onnx.MatMul
func.func @not_folded(%x: tensor<4x4xi8>, %k: tensor<4x4xi8>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %none = onnx.NoValue
  %s = onnx.Constant() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %rows = onnx.Constant() {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %w = onnx.Constant() {value = dense<1> : tensor<4x4xi8>} : () -> tensor<4x4xi8>
  %a = onnx.DequantizeLinear(%x, %s, %none) : (tensor<4x4xi8>, tensor<f32>, none) -> tensor<4x4xf32>
  %b = onnx.DequantizeLinear(%k, %s, %none) : (tensor<4x4xi8>, tensor<f32>, none) -> tensor<4x4xf32>
  %y = onnx.MatMul(%a, %b) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = onnx.DequantizeLinear(%w, %rows, %none) {axis = 0 : i64} : (tensor<4x4xi8>, tensor<4xf32>, none) -> tensor<4x4xf32>
  %z = onnx.MatMul(%a, %c) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %z : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Conv of DQ(x) and DQ(w) with per-output-channel weight scales: a
// ConvInteger with Conv's attributes, the combined scale as a [M, 1, 1]
// constant and the bias reshaped to [M, 1, 1], both broadcast along the
// channels.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x8x8xui8>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[ACC:.*]] = onnx.ConvInteger(%[[X]], %{{.*}}, %{{.*}}, %{{.*}}) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : {{.*}} -> tensor<?x3x8x8xi32>
// CHECK: %[[F:.*]] = onnx.Cast(%[[ACC]]) {to = 1 : i64}
// CHECK: %[[S:.*]] = onnx.Constant() {value = dense_resource<qdq_channel> : tensor<3x1x1xf32>}
// CHECK: %[[Y:.*]] = onnx.Mul(%[[F]], %[[S]])
// CHECK: %[[SHAPE:.*]] = onnx.Constant() {value = dense<[3, 1, 1]> : tensor<3xi64>}
// CHECK: %[[BR:.*]] = onnx.Reshape(%[[B]], %[[SHAPE]]) : (tensor<3xf32>, tensor<3xi64>) -> tensor<3x1x1xf32>
// CHECK: %[[Z:.*]] = onnx.Add(%[[Y]], %[[BR]])
// CHECK-NOT: onnx.Conv(
// CHECK: return %[[Z]]
func.func @conv(%x: tensor<?x2x8x8xui8>, %b: tensor<3xf32>) -> tensor<?x3x8x8xf32> {
  %sa = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %za = onnx.Constant() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  %w = onnx.Constant() {value = dense<3> : tensor<3x2x3x3xi8>} : () -> tensor<3x2x3x3xi8>
  %sw = onnx.Constant() {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %zw = onnx.Constant() {value = dense<0> : tensor<3xi8>} : () -> tensor<3xi8>
  %a = onnx.DequantizeLinear(%x, %sa, %za) : (tensor<?x2x8x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x2x8x8xf32>
  %k = onnx.DequantizeLinear(%w, %sw, %zw) {axis = 0 : i64} : (tensor<3x2x3x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2x3x3xf32>
  %y = onnx.Conv(%a, %k, %b) {group = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<?x2x8x8xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return %y : tensor<?x3x8x8xf32>
}

// -----

// Must not fire: weight scales along the input channels (axis 1) do not
// factor out of the sum; a depthwise conv has no int8 kernel yet (it
// stays float between its DQ and Q). Their weights, DQ of constants,
// become f32 constants (as in a float model).
// CHECK-LABEL: func.func @conv_not_folded
// CHECK-NOT: onnx.ConvInteger
// CHECK: %[[W:.*]] = onnx.Constant() {value = dense_resource<dequantized> : tensor<3x2x1x1xf32>}
// CHECK: onnx.Conv(%{{.*}}, %[[W]],
// CHECK: %[[WD:.*]] = onnx.Constant() {value = dense_resource<dequantized{{.*}}> : tensor<2x1x3x3xf32>}
// CHECK: onnx.Conv(%{{.*}}, %[[WD]],
func.func @conv_not_folded(%x: tensor<1x2x8x8xui8>) -> tensor<1x3x8x8xf32> {
  %none = onnx.NoValue
  %sa = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %w = onnx.Constant() {value = dense<3> : tensor<3x2x1x1xi8>} : () -> tensor<3x2x1x1xi8>
  %sw = onnx.Constant() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %a = onnx.DequantizeLinear(%x, %sa, %none) : (tensor<1x2x8x8xui8>, tensor<f32>, none) -> tensor<1x2x8x8xf32>
  %k = onnx.DequantizeLinear(%w, %sw, %none) {axis = 1 : i64} : (tensor<3x2x1x1xi8>, tensor<2xf32>, none) -> tensor<3x2x1x1xf32>
  %y = onnx.Conv(%a, %k, %none) {kernel_shape = [1, 1]} : (tensor<1x2x8x8xf32>, tensor<3x2x1x1xf32>, none) -> tensor<1x3x8x8xf32>
  %wd = onnx.Constant() {value = dense<3> : tensor<2x1x3x3xi8>} : () -> tensor<2x1x3x3xi8>
  %kd = onnx.DequantizeLinear(%wd, %sa, %none) : (tensor<2x1x3x3xi8>, tensor<f32>, none) -> tensor<2x1x3x3xf32>
  %d = onnx.Conv(%a, %kd, %none) {group = 2 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x2x8x8xf32>, tensor<2x1x3x3xf32>, none) -> tensor<1x2x8x8xf32>
  return %y : tensor<1x3x8x8xf32>
}

// -----

// Weight-only 4-bit: f32 activations of one row times uint4 weights
// blocked along K (the last block short) stay quantized: mcc.wmatmul
// with the weights as [K, N] bytes, scales and zero points as
// [blocks, N]; the DequantizeLinear goes.
// CHECK-LABEL: func.func @weight_only_blocked
// CHECK-SAME: (%[[A:.*]]: tensor<1x40xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant() {value = dense_resource<wq_weights> : tensor<40x24xi8>}
// CHECK-DAG: %[[S:.*]] = onnx.Constant() {value = dense_resource<wq_scales> : tensor<2x24xf32>}
// CHECK-DAG: %[[Z:.*]] = onnx.Constant() {value = dense_resource<wq_zero_points> : tensor<2x24xi8>}
// CHECK-DAG: %[[I:.*]] = tensor.empty() : tensor<1x24xf32>
// CHECK: %[[Y:.*]] = mcc.wmatmul %[[A]], %[[W]], %[[S]], %[[Z]], %[[I]] {block_size = 32 : i64, w_unsigned}
// CHECK-NOT: onnx.DequantizeLinear
// CHECK: return %[[Y]]
func.func @weight_only_blocked(%a: tensor<1x40xf32>) -> tensor<1x24xf32> {
  %w = onnx.Constant() {value = dense<9> : tensor<40x24xui4>} : () -> tensor<40x24xui4>
  %s = onnx.Constant() {value = dense<0.25> : tensor<2x24xf32>} : () -> tensor<2x24xf32>
  %z = onnx.Constant() {value = dense<8> : tensor<2x24xui4>} : () -> tensor<2x24xui4>
  %f = onnx.DequantizeLinear(%w, %s, %z) {axis = 0 : i64, block_size = 32 : i64} : (tensor<40x24xui4>, tensor<2x24xf32>, tensor<2x24xui4>) -> tensor<40x24xf32>
  %y = onnx.MatMul(%a, %f) : (tensor<1x40xf32>, tensor<40x24xf32>) -> tensor<1x24xf32>
  return %y : tensor<1x24xf32>
}

// -----

// Per column (axis 1), int4, no zero point: one block of all K; any
// leading dims with at most 16 rows in all (2 x 3 here).
// CHECK-LABEL: func.func @weight_only_per_column
// CHECK: %[[Y:.*]] = mcc.wmatmul %{{.*}} {block_size = 20 : i64} : tensor<2x3x20xf32>, tensor<20x24xi8>, tensor<1x24xf32>, tensor<1x24xi8> -> tensor<2x3x24xf32>
// CHECK: return %[[Y]]
func.func @weight_only_per_column(%a: tensor<2x3x20xf32>) -> tensor<2x3x24xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<-3> : tensor<20x24xi4>} : () -> tensor<20x24xi4>
  %s = onnx.Constant() {value = dense<0.5> : tensor<24xf32>} : () -> tensor<24xf32>
  %f = onnx.DequantizeLinear(%w, %s, %none) {axis = 1 : i64} : (tensor<20x24xi4>, tensor<24xf32>, none) -> tensor<20x24xf32>
  %y = onnx.MatMul(%a, %f) : (tensor<2x3x20xf32>, tensor<20x24xf32>) -> tensor<2x3x24xf32>
  return %y : tensor<2x3x24xf32>
}

// -----

// Must not fire: more than 16 rows (the float kernels' f32 weights are
// faster there), weights spanning more than 16 levels, blocks that are not
// a multiple of 8. The weights become f32 constants.
// CHECK-LABEL: func.func @weight_only_not
// With int8-activations every weight-only MatMul allows 8-bit activations:
// the 17 rows take the integer kernels; the others still cannot.
// INT8-LABEL: func.func @weight_only_not
// INT8: mcc.wmatmul %{{.*}} {block_size = 32 : i64, int8_activations, w_unsigned} : tensor<17x40xf32>
// INT8-NOT: mcc.wmatmul
// INT8: return
// CHECK-NOT: mcc.wmatmul
// CHECK-COUNT-3: onnx.MatMul
// CHECK-NOT: mcc.wmatmul
func.func @weight_only_not(%a: tensor<17x40xf32>, %b: tensor<1x40xf32>, %c: tensor<1x2xf32>) -> (tensor<17x24xf32>, tensor<1x3xf32>, tensor<1x24xf32>) {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<9> : tensor<40x24xui4>} : () -> tensor<40x24xui4>
  %s = onnx.Constant() {value = dense<0.25> : tensor<2x24xf32>} : () -> tensor<2x24xf32>
  %f = onnx.DequantizeLinear(%w, %s, %none) {axis = 0 : i64, block_size = 32 : i64} : (tensor<40x24xui4>, tensor<2x24xf32>, none) -> tensor<40x24xf32>
  %y = onnx.MatMul(%a, %f) : (tensor<17x40xf32>, tensor<40x24xf32>) -> tensor<17x24xf32>
  %w8 = onnx.Constant() {value = dense<[[-100, 0, 100], [1, 2, 3]]> : tensor<2x3xi8>} : () -> tensor<2x3xi8>
  %s1 = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %f8 = onnx.DequantizeLinear(%w8, %s1, %none) : (tensor<2x3xi8>, tensor<f32>, none) -> tensor<2x3xf32>
  %y8 = onnx.MatMul(%c, %f8) : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %s12 = onnx.Constant() {value = dense<0.25> : tensor<4x24xf32>} : () -> tensor<4x24xf32>
  %f12 = onnx.DequantizeLinear(%w, %s12, %none) {axis = 0 : i64, block_size = 12 : i64} : (tensor<40x24xui4>, tensor<4x24xf32>, none) -> tensor<40x24xf32>
  %y12 = onnx.MatMul(%b, %f12) : (tensor<1x40xf32>, tensor<40x24xf32>) -> tensor<1x24xf32>
  return %y, %y8, %y12 : tensor<17x24xf32>, tensor<1x3xf32>, tensor<1x24xf32>
}

// -----

// With 8-bit activations allowed (MatMulNBits' accuracy_level 4): any
// number of rows, a symbolic count too (the result sized from the
// activations), for int8-matmul-kernels. Weights that do not fit a signed
// byte once their zero point is off (200 - 0) stay float.
// CHECK-LABEL: func.func @weight_only_int8_activations
// CHECK-SAME: (%[[A:.*]]: tensor<?x40xf32>, %[[B:.*]]: tensor<64x2xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[M:.*]] = tensor.dim %[[A]], %[[C0]]
// CHECK: %[[I:.*]] = tensor.empty(%[[M]]) : tensor<?x24xf32>
// CHECK: mcc.wmatmul %[[A]], %{{.*}}, %[[I]] {block_size = 32 : i64, int8_activations, w_unsigned} : tensor<?x40xf32>, {{.*}} -> tensor<?x24xf32>
// CHECK: mcc.wmatmul %{{.*}} {block_size = 32 : i64, int8_activations, w_unsigned} : tensor<64x40xf32>
// CHECK-NOT: mcc.wmatmul
// CHECK: onnx.MatMul(%[[B]]
func.func @weight_only_int8_activations(%a: tensor<?x40xf32>, %b: tensor<64x2xf32>) -> (tensor<?x24xf32>, tensor<64x24xf32>, tensor<64x3xf32>) {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<9> : tensor<40x24xui4>} : () -> tensor<40x24xui4>
  %s = onnx.Constant() {value = dense<0.25> : tensor<2x24xf32>} : () -> tensor<2x24xf32>
  %z = onnx.Constant() {value = dense<8> : tensor<2x24xui4>} : () -> tensor<2x24xui4>
  %f = onnx.DequantizeLinear(%w, %s, %z) {axis = 0 : i64, block_size = 32 : i64} : (tensor<40x24xui4>, tensor<2x24xf32>, tensor<2x24xui4>) -> tensor<40x24xf32>
  %y = onnx.MatMul(%a, %f) {mcc.int8_activations} : (tensor<?x40xf32>, tensor<40x24xf32>) -> tensor<?x24xf32>
  %a64 = onnx.Constant() {value = dense<1.0> : tensor<64x40xf32>} : () -> tensor<64x40xf32>
  %y64 = onnx.MatMul(%a64, %f) {mcc.int8_activations} : (tensor<64x40xf32>, tensor<40x24xf32>) -> tensor<64x24xf32>
  %w8 = onnx.Constant() {value = dense<[[200, 0, 100], [1, 2, 3]]> : tensor<2x3xui8>} : () -> tensor<2x3xui8>
  %s1 = onnx.Constant() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %f8 = onnx.DequantizeLinear(%w8, %s1, %none) : (tensor<2x3xui8>, tensor<f32>, none) -> tensor<2x3xf32>
  %y8 = onnx.MatMul(%b, %f8) {mcc.int8_activations} : (tensor<64x2xf32>, tensor<2x3xf32>) -> tensor<64x3xf32>
  return %y, %y64, %y8 : tensor<?x24xf32>, tensor<64x24xf32>, tensor<64x3xf32>
}

// -----

// Empty weights (K = 0) stay as they are for the float path (no wmatmul
// over nothing).
// CHECK-LABEL: func.func @weight_only_empty
// CHECK-NOT: mcc.wmatmul
// CHECK: onnx.MatMul
func.func @weight_only_empty(%a: tensor<1x0xf32>) -> tensor<1x24xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<> : tensor<0x24xui4>} : () -> tensor<0x24xui4>
  %s = onnx.Constant() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %f = onnx.DequantizeLinear(%w, %s, %none) : (tensor<0x24xui4>, tensor<f32>, none) -> tensor<0x24xf32>
  %y = onnx.MatMul(%a, %f) : (tensor<1x0xf32>, tensor<0x24xf32>) -> tensor<1x24xf32>
  return %y : tensor<1x24xf32>
}
