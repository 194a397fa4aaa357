// RUN: mcc-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(expand-ms-ops))' | FileCheck %s

// QLinearAdd: both operands dequantized, a float Add, the sum quantized to
// the operands' type; the absent output zero point is a 0 of that type
// (QuantizeLinear would otherwise write uint8).
// CHECK-LABEL: func.func @qlinear_add
// CHECK-SAME: (%[[A:.*]]: tensor<4xi8>, %[[B:.*]]: tensor<4xi8>, %[[S:.*]]: tensor<f32>, %[[Z:.*]]: tensor<i8>)
// CHECK: %[[DA:.*]] = onnx.DequantizeLinear(%[[A]], %[[S]], %[[Z]]) : {{.*}} -> tensor<*xf32>
// CHECK: %[[DB:.*]] = onnx.DequantizeLinear(%[[B]], %[[S]], %[[Z]])
// CHECK: %[[SUM:.*]] = onnx.Add(%[[DA]], %[[DB]])
// CHECK: %[[Z0:.*]] = onnx.Constant() {value = dense<0> : tensor<i8>}
// CHECK: %[[Y:.*]] = onnx.QuantizeLinear(%[[SUM]], %[[S]], %[[Z0]]) : {{.*}} -> tensor<4xi8>
// CHECK-NOT: onnx.ms.
// CHECK: return %[[Y]]
func.func @qlinear_add(%a: tensor<4xi8>, %b: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xi8> {
  %none = onnx.NoValue
  %y = onnx.ms.QLinearAdd(%a, %s, %z, %b, %s, %z, %s, %none) : (tensor<4xi8>, tensor<f32>, tensor<i8>, tensor<4xi8>, tensor<f32>, tensor<i8>, tensor<f32>, none) -> tensor<4xi8>
  return %y : tensor<4xi8>
}

// -----

// Channels-last global average pool: transposed to channels-first around
// the float pool.
// CHECK-LABEL: func.func @global_pool_nhwc
// CHECK: %[[X:.*]] = onnx.DequantizeLinear
// CHECK: %[[T:.*]] = onnx.Transpose(%[[X]]) {perm = [0, 3, 1, 2]}
// CHECK: %[[P:.*]] = onnx.GlobalAveragePool(%[[T]])
// CHECK-NOT: channels_last
// CHECK: %[[B:.*]] = onnx.Transpose(%[[P]]) {perm = [0, 2, 3, 1]}
// CHECK: onnx.QuantizeLinear(%[[B]]
func.func @global_pool_nhwc(%x: tensor<1x5x5x8xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<1x1x1x8xui8> {
  %y = onnx.ms.QLinearGlobalAveragePool(%x, %s, %z, %s, %z) {channels_last = 1 : i64} : (tensor<1x5x5x8xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x1x8xui8>
  return %y : tensor<1x1x1x8xui8>
}

// -----

// QLinearConcat: (tensor, scale, zero point) triples after the output's
// scale and zero point.
// CHECK-LABEL: func.func @qlinear_concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xui8>, %[[B:.*]]: tensor<2x5xui8>, %[[S:.*]]: tensor<f32>, %[[Z:.*]]: tensor<ui8>)
// CHECK: %[[DA:.*]] = onnx.DequantizeLinear(%[[A]]
// CHECK: %[[DB:.*]] = onnx.DequantizeLinear(%[[B]]
// CHECK: %[[C:.*]] = onnx.Concat(%[[DA]], %[[DB]]) {axis = 1 : i64}
// CHECK: onnx.QuantizeLinear(%[[C]], %[[S]], %[[Z]]) : {{.*}} -> tensor<2x8xui8>
func.func @qlinear_concat(%a: tensor<2x3xui8>, %b: tensor<2x5xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<2x8xui8> {
  %y = onnx.ms.QLinearConcat(%s, %z, %a, %s, %z, %b, %s, %z) {axis = 1 : i64} : (tensor<f32>, tensor<ui8>, tensor<2x3xui8>, tensor<f32>, tensor<ui8>, tensor<2x5xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x8xui8>
  return %y : tensor<2x8xui8>
}

// -----

// QLinearSoftmax before opset 13: the input as a matrix split at `axis`.
// CHECK-LABEL: func.func @qlinear_softmax_12
// CHECK: %[[X:.*]] = onnx.DequantizeLinear
// CHECK: %[[F:.*]] = onnx.Flatten(%[[X]])
// CHECK: %[[SM:.*]] = onnx.Softmax(%[[F]])
// CHECK: %[[SH:.*]] = onnx.Shape(%[[X]])
// CHECK: %[[R:.*]] = onnx.Reshape(%[[SM]], %[[SH]])
// CHECK: onnx.QuantizeLinear(%[[R]]
func.func @qlinear_softmax_12(%x: tensor<2x3x4xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<2x3x4xui8> {
  %y = onnx.ms.QLinearSoftmax(%x, %s, %z, %s, %z) {opset = 12 : i64, axis = 1 : i64} : (tensor<2x3x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3x4xui8>
  return %y : tensor<2x3x4xui8>
}

// -----

// QGemm with an int32 C and no output scale: C scaled by alpha * sa * sb,
// a float Gemm; a per-column B scale lies along B's first dim with transB.
// CHECK-LABEL: func.func @qgemm_float
// CHECK-SAME: (%[[A:.*]]: tensor<2x8xui8>, %[[B:.*]]: tensor<4x8xi8>, %[[C:.*]]: tensor<4xi32>, %[[SA:.*]]: tensor<f32>, %[[SB:.*]]: tensor<4xf32>, %[[ZA:.*]]: tensor<ui8>, %[[ZB:.*]]: tensor<4xi8>)
// CHECK: %[[DA:.*]] = onnx.DequantizeLinear(%[[A]], %[[SA]], %[[ZA]])
// CHECK: %[[DB:.*]] = onnx.DequantizeLinear(%[[B]], %[[SB]], %[[ZB]]) {axis = 0 : i64}
// CHECK: %[[S:.*]] = onnx.Mul(%[[SA]], %[[SB]])
// CHECK: %[[ALPHA:.*]] = onnx.Constant() {value = dense<5.000000e-01> : tensor<f32>}
// CHECK: %[[S2:.*]] = onnx.Mul(%[[S]], %[[ALPHA]])
// CHECK: %[[CF:.*]] = onnx.Cast(%[[C]]) {to = 1 : i64}
// CHECK: %[[CS:.*]] = onnx.Mul(%[[CF]], %[[S2]])
// CHECK: %[[Y:.*]] = onnx.Gemm(%[[DA]], %[[DB]], %[[CS]]) {alpha = 5.000000e-01 : f32, transB = 1 : i64} : {{.*}} -> tensor<2x4xf32>
// CHECK: return %[[Y]]
func.func @qgemm_float(%a: tensor<2x8xui8>, %b: tensor<4x8xi8>, %c: tensor<4xi32>, %sa: tensor<f32>, %sb: tensor<4xf32>, %za: tensor<ui8>, %zb: tensor<4xi8>) -> tensor<2x4xf32> {
  %none = onnx.NoValue
  %y = onnx.ms.QGemm(%a, %sa, %za, %b, %sb, %zb, %c, %none, %none) {transB = 1 : i64, alpha = 0.5 : f32} : (tensor<2x8xui8>, tensor<f32>, tensor<ui8>, tensor<4x8xi8>, tensor<4xf32>, tensor<4xi8>, tensor<4xi32>, none, none) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// DynamicQuantizeMatMul: A quantized as DynamicQuantizeLinear does, the
// integer product scaled once, the bias added.
// CHECK-LABEL: func.func @dynamic_quantize_matmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x8xf32>, %[[B:.*]]: tensor<8x4xi8>, %[[SB:.*]]: tensor<4xf32>, %[[BIAS:.*]]: tensor<4xf32>)
// CHECK: %[[Q:.*]], %[[QS:.*]], %[[QZ:.*]] = onnx.DynamicQuantizeLinear(%[[A]])
// CHECK: %[[ACC:.*]] = onnx.MatMulInteger(%[[Q]], %[[B]], %[[QZ]], %{{.*}}) : {{.*}} -> tensor<*xi32>
// CHECK: %[[S:.*]] = onnx.Mul(%[[QS]], %[[SB]])
// CHECK: %[[F:.*]] = onnx.Cast(%[[ACC]]) {to = 1 : i64}
// CHECK: %[[P:.*]] = onnx.Mul(%[[F]], %[[S]])
// CHECK: %[[Y:.*]] = onnx.Add(%[[P]], %[[BIAS]]) : {{.*}} -> tensor<?x4xf32>
// CHECK: return %[[Y]]
func.func @dynamic_quantize_matmul(%a: tensor<?x8xf32>, %b: tensor<8x4xi8>, %sb: tensor<4xf32>, %bias: tensor<4xf32>) -> tensor<?x4xf32> {
  %none = onnx.NoValue
  %y = onnx.ms.DynamicQuantizeMatMul(%a, %b, %sb, %none, %bias) : (tensor<?x8xf32>, tensor<8x4xi8>, tensor<4xf32>, none, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// MatMulNBits, 4 bits, K = 20 in blocks of 16 (the last one padded):
// weights unpacked low nibble first and transposed into [K, N] bytes (the
// padding dropped), zero points unpacked and scales transposed into
// [blocks, N], a DequantizeLinear blocked along K, the MatMul.
// CHECK-LABEL: func.func @matmul_nbits
// CHECK-DAG: %[[W:.*]] = onnx.Constant() {value = dense_resource<nbits_weights> : tensor<20x2xui8>}
// CHECK-DAG: %[[S:.*]] = onnx.Constant() {value = dense_resource<nbits_scales> : tensor<2x2xf32>}
// CHECK-DAG: %[[Z:.*]] = onnx.Constant() {value = dense_resource<nbits_zero_points> : tensor<2x2xui8>}
// CHECK: %[[D:.*]] = onnx.DequantizeLinear(%[[W]], %[[S]], %[[Z]]) {axis = 0 : i64, block_size = 16 : i64}
// CHECK-NOT: onnx.Slice
// CHECK-NOT: onnx.Transpose
// CHECK: %[[Y:.*]] = onnx.MatMul(%{{.*}}, %[[D]]) : {{.*}} -> tensor<3x2xf32>
// CHECK: return %[[Y]]
func.func @matmul_nbits(%a: tensor<3x20xf32>) -> tensor<3x2xf32> {
  %b = onnx.Constant() {value = dense<33> : tensor<2x2x8xui8>} : () -> tensor<2x2x8xui8>
  %s = onnx.Constant() {value = dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %z = onnx.Constant() {value = dense<[120, 7]> : tensor<2xui8>} : () -> tensor<2xui8>
  %none = onnx.NoValue
  %y = onnx.ms.MatMulNBits(%a, %b, %s, %z, %none, %none) {K = 20 : i64, N = 2 : i64, bits = 4 : i64, block_size = 16 : i64} : (tensor<3x20xf32>, tensor<2x2x8xui8>, tensor<4xf32>, tensor<2xui8>, none, none) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// accuracy_level 4 allows 8-bit activations: the MatMul carries the mark
// for fold-qdq; other levels do not.
// CHECK-LABEL: func.func @matmul_nbits_int8_activations
// CHECK: onnx.MatMul(%{{.*}}) {mcc.int8_activations}
// CHECK: onnx.MatMul
// CHECK-NOT: mcc.int8_activations
func.func @matmul_nbits_int8_activations(%a: tensor<3x20xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %b = onnx.Constant() {value = dense<33> : tensor<2x2x8xui8>} : () -> tensor<2x2x8xui8>
  %s = onnx.Constant() {value = dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %none = onnx.NoValue
  %y = onnx.ms.MatMulNBits(%a, %b, %s, %none, %none, %none) {K = 20 : i64, N = 2 : i64, accuracy_level = 4 : i64, block_size = 16 : i64} : (tensor<3x20xf32>, tensor<2x2x8xui8>, tensor<4xf32>, none, none, none) -> tensor<3x2xf32>
  %y1 = onnx.ms.MatMulNBits(%a, %b, %s, %none, %none, %none) {K = 20 : i64, N = 2 : i64, accuracy_level = 1 : i64, block_size = 16 : i64} : (tensor<3x20xf32>, tensor<2x2x8xui8>, tensor<4xf32>, none, none, none) -> tensor<3x2xf32>
  return %y, %y1 : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Must not expand: weights that are not constants cannot be unpacked at
// compile time.
func.func @matmul_nbits_runtime_weights(%a: tensor<3x20xf32>, %b: tensor<2x2x8xui8>) -> tensor<3x2xf32> {
  %s = onnx.Constant() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %none = onnx.NoValue
  // expected-error @+1 {{B must be a constant (an initializer)}}
  %y = onnx.ms.MatMulNBits(%a, %b, %s, %none, %none, %none) {K = 20 : i64, N = 2 : i64, block_size = 16 : i64} : (tensor<3x20xf32>, tensor<2x2x8xui8>, tensor<4xf32>, none, none, none) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A B whose shape does not match N, K and the block size (a hostile
// model): refused before any unpacking reads it.
func.func @matmul_nbits_wrong_shape(%a: tensor<3x20xf32>) -> tensor<3x2xf32> {
  %b = onnx.Constant() {value = dense<1> : tensor<2x1x8xui8>} : () -> tensor<2x1x8xui8>
  %s = onnx.Constant() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %none = onnx.NoValue
  // expected-error @+1 {{B must be [N, ceil(K / block_size), block_size * bits / 8] = [2, 2, 8]}}
  %y = onnx.ms.MatMulNBits(%a, %b, %s, %none, %none, %none) {K = 20 : i64, N = 2 : i64, block_size = 16 : i64} : (tensor<3x20xf32>, tensor<2x1x8xui8>, tensor<4xf32>, none, none, none) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// QLinearConcat inputs that are not triples.
func.func @qlinear_concat_pairs(%a: tensor<2x3xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{needs its inputs as (tensor, scale, zero point) triples, got 2 inputs}}
  %y = onnx.ms.QLinearConcat(%s, %z, %a, %s) {axis = 1 : i64} : (tensor<f32>, tensor<ui8>, tensor<2x3xui8>, tensor<f32>) -> tensor<2x3xui8>
  return %y : tensor<2x3xui8>
}

// -----

// A channels-last pool needs the rank to place the channels.
func.func @pool_nhwc_unranked(%x: tensor<*xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<*xui8> {
  // expected-error @+1 {{channels_last needs an input of known rank >= 3}}
  %y = onnx.ms.QLinearGlobalAveragePool(%x, %s, %z, %s, %z) {channels_last = 1 : i64} : (tensor<*xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<*xui8>
  return %y : tensor<*xui8>
}

// -----

// A result declared with another element type than the expansion computes
// (the model's error; the quantized value would be read as the wrong type).
func.func @declared_wrong_type(%a: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xui8> {
  // expected-error @+1 {{its result is declared 'ui8' but computes 'i8'}}
  %y = onnx.ms.QLinearSigmoid(%a, %s, %z, %s, %z) : (tensor<4xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<4xui8>
  return %y : tensor<4xui8>
}

// -----

// GatherBlockQuantized: the int4 table dequantized in blocks of 16 along
// its rows' values (quantize_axis 1), then the Gather along axis 0.
// CHECK-LABEL: func.func @gather_block_quantized
// CHECK-SAME: (%[[T:.*]]: tensor<8x32xi4>, %[[I:.*]]: tensor<?x3xi64>, %[[S:.*]]: tensor<8x2xf32>)
// CHECK: %[[D:.*]] = onnx.DequantizeLinear(%[[T]], %[[S]], %{{.*}}) {block_size = 16 : i64}
// CHECK: %[[G:.*]] = onnx.Gather(%[[D]], %[[I]]) : {{.*}} -> tensor<?x3x32xf32>
// CHECK: return %[[G]]
func.func @gather_block_quantized(%t: tensor<8x32xi4>, %i: tensor<?x3xi64>, %s: tensor<8x2xf32>) -> tensor<?x3x32xf32> {
  %none = onnx.NoValue
  %y = onnx.ms.GatherBlockQuantized(%t, %i, %s, %none) {block_size = 16 : i64} : (tensor<8x32xi4>, tensor<?x3xi64>, tensor<8x2xf32>, none) -> tensor<?x3x32xf32>
  return %y : tensor<?x3x32xf32>
}

// -----

// A packed uint8 table (bits 4) must be a constant to be unpacked; a
// 2-bit one is not supported.
func.func @gather_block_quantized_packed(%t: tensor<8x16xui8>, %i: tensor<3xi64>, %s: tensor<8x2xf32>) -> tensor<3x32xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{a packed uint8 table must be a constant (an initializer)}}
  %y = onnx.ms.GatherBlockQuantized(%t, %i, %s, %none) {block_size = 16 : i64} : (tensor<8x16xui8>, tensor<3xi64>, tensor<8x2xf32>, none) -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

func.func @gather_block_quantized_2bit(%t: tensor<8x16xui8>, %i: tensor<3xi64>, %s: tensor<8x2xf32>) -> tensor<3x32xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{only int4, uint4 and (with bits=4 or 8) uint8 tables are supported, not 'ui8' with bits=2}}
  %y = onnx.ms.GatherBlockQuantized(%t, %i, %s, %none) {bits = 2 : i64, block_size = 16 : i64} : (tensor<8x16xui8>, tensor<3xi64>, tensor<8x2xf32>, none) -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

// A constant packed table: unpacked low nibble first into one byte per
// value, the absent zero point 8, a blocked DequantizeLinear, the Gather.
// CHECK-LABEL: func.func @gather_block_quantized_nibbles
// CHECK-DAG: %[[T:.*]] = onnx.Constant() {value = dense_resource<unpacked> : tensor<2x32xui8>}
// CHECK-DAG: %[[Z:.*]] = onnx.Constant() {value = dense<8> : tensor<2x2xui8>}
// CHECK: %[[D:.*]] = onnx.DequantizeLinear(%[[T]], %{{.*}}, %[[Z]]) {block_size = 16 : i64}
// CHECK: onnx.Gather(%[[D]], %{{.*}})
func.func @gather_block_quantized_nibbles(%i: tensor<3xi64>, %s: tensor<2x2xf32>) -> tensor<3x32xf32> {
  %none = onnx.NoValue
  %t = onnx.Constant() {value = dense<33> : tensor<2x16xui8>} : () -> tensor<2x16xui8>
  %y = onnx.ms.GatherBlockQuantized(%t, %i, %s, %none) {block_size = 16 : i64} : (tensor<2x16xui8>, tensor<3xi64>, tensor<2x2xf32>, none) -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// -----

// DynamicQuantizeLSTM: W [dirs, input, 4H] and R [dirs, H, 4H] (int8,
// scales per direction) dequantized and transposed into LSTM's
// [dirs, 4H, input] / [dirs, 4H, H] f32 constants at compile time; the
// attributes carried over.
// CHECK-LABEL: func.func @dynamic_quantize_lstm
// CHECK-SAME: (%[[X:.*]]: tensor<3x1x2xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant() {value = dense_resource<lstm_w> : tensor<1x4x2xf32>}
// CHECK-DAG: %[[R:.*]] = onnx.Constant() {value = dense_resource<lstm_r> : tensor<1x4x1xf32>}
// CHECK: %{{.*}}, %[[H:.*]], %{{.*}} = onnx.LSTM(%[[X]], %[[W]], %[[R]], %{{.*}}) {hidden_size = 1 : i64}
// CHECK: return %[[H]]
func.func @dynamic_quantize_lstm(%x: tensor<3x1x2xf32>) -> tensor<1x1x1xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<[[[1, 2, 3, 4], [5, 6, 7, 8]]]> : tensor<1x2x4xi8>} : () -> tensor<1x2x4xi8>
  %r = onnx.Constant() {value = dense<[[[1, -1, 2, -2]]]> : tensor<1x1x4xi8>} : () -> tensor<1x1x4xi8>
  %s = onnx.Constant() {value = dense<0.5> : tensor<1xf32>} : () -> tensor<1xf32>
  %z = onnx.Constant() {value = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y, %yh, %yc = onnx.ms.DynamicQuantizeLSTM(%x, %w, %r, %none, %none, %none, %none, %none, %s, %z, %s, %z) {hidden_size = 1 : i64} : (tensor<3x1x2xf32>, tensor<1x2x4xi8>, tensor<1x1x4xi8>, none, none, none, none, none, tensor<1xf32>, tensor<1xi8>, tensor<1xf32>, tensor<1xi8>) -> (none, tensor<1x1x1xf32>, none)
  return %yh : tensor<1x1x1xf32>
}

// -----

// W's scale must be per direction or per direction and gate column.
func.func @dynamic_quantize_lstm_scales(%x: tensor<3x1x2xf32>) -> tensor<1x1x1xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1> : tensor<1x2x4xi8>} : () -> tensor<1x2x4xi8>
  %r = onnx.Constant() {value = dense<1> : tensor<1x1x4xi8>} : () -> tensor<1x1x4xi8>
  %s = onnx.Constant() {value = dense<0.5> : tensor<1xf32>} : () -> tensor<1xf32>
  %s3 = onnx.Constant() {value = dense<0.5> : tensor<3xf32>} : () -> tensor<3xf32>
  %z = onnx.Constant() {value = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z3 = onnx.Constant() {value = dense<0> : tensor<3xi8>} : () -> tensor<3xi8>
  // expected-error @+1 {{W's scale and zero point must have one element per direction or per direction and column (1 or 4), got 3}}
  %y, %yh, %yc = onnx.ms.DynamicQuantizeLSTM(%x, %w, %r, %none, %none, %none, %none, %none, %s3, %z3, %s, %z) {hidden_size = 1 : i64} : (tensor<3x1x2xf32>, tensor<1x2x4xi8>, tensor<1x1x4xi8>, none, none, none, none, none, tensor<3xf32>, tensor<3xi8>, tensor<1xf32>, tensor<1xi8>) -> (none, tensor<1x1x1xf32>, none)
  return %yh : tensor<1x1x1xf32>
}

// -----

// A splat W claiming 2^34 weights is refused before it is read.
func.func @dynamic_quantize_lstm_huge(%x: tensor<3x1x65536xf32>) -> tensor<1x1x65536xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1> : tensor<1x65536x262144xi8>} : () -> tensor<1x65536x262144xi8>
  %r = onnx.Constant() {value = dense<1> : tensor<1x65536x262144xi8>} : () -> tensor<1x65536x262144xi8>
  %s = onnx.Constant() {value = dense<0.5> : tensor<1xf32>} : () -> tensor<1xf32>
  %z = onnx.Constant() {value = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{W has more than 2^31 weights}}
  %y, %yh, %yc = onnx.ms.DynamicQuantizeLSTM(%x, %w, %r, %none, %none, %none, %none, %none, %s, %z, %s, %z) {hidden_size = 65536 : i64} : (tensor<3x1x65536xf32>, tensor<1x65536x262144xi8>, tensor<1x65536x262144xi8>, none, none, none, none, none, tensor<1xf32>, tensor<1xi8>, tensor<1xf32>, tensor<1xi8>) -> (none, tensor<1x1x65536xf32>, none)
  return %yh : tensor<1x1x65536xf32>
}

// -----

// QAttention: the QKV projection as MatMulInteger, scaled once, the bias
// added; Q, K, V sliced and split into 2 heads; scores scaled by
// 1/sqrt(head size), the key end positions' mask added, Softmax, the
// values, the heads merged back into [B, S, hidden].
// CHECK-LABEL: func.func @qattention
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4xui8>, %[[M:.*]]: tensor<1xi32>)
// CHECK: %[[ACC:.*]] = onnx.MatMulInteger(%[[X]], %{{.*}}, %{{.*}}, %{{.*}}) : {{.*}} -> tensor<*xi32>
// CHECK: onnx.Cast(%[[ACC]])
// CHECK: onnx.Add
// CHECK-COUNT-3: onnx.Slice
// CHECK: %[[SC:.*]] = onnx.MatMul
// CHECK: onnx.Mul(%[[SC]]
// CHECK: onnx.Range
// CHECK: onnx.Less
// CHECK: onnx.Where
// CHECK: onnx.Softmax(
// CHECK: onnx.MatMul
// CHECK: %[[Y:.*]] = onnx.Reshape({{.*}}) : {{.*}} -> tensor<1x3x4xf32>
// CHECK: return %[[Y]]
func.func @qattention(%x: tensor<1x3x4xui8>, %m: tensor<1xi32>) -> tensor<1x3x4xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1> : tensor<4x12xi8>} : () -> tensor<4x12xi8>
  %b = onnx.Constant() {value = dense<0.5> : tensor<12xf32>} : () -> tensor<12xf32>
  %s = onnx.Constant() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32>
  %z = onnx.Constant() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  %y, %p = onnx.ms.QAttention(%x, %w, %b, %s, %s, %m, %z, %none, %none) {num_heads = 2 : i64} : (tensor<1x3x4xui8>, tensor<4x12xi8>, tensor<12xf32>, tensor<f32>, tensor<f32>, tensor<1xi32>, tensor<ui8>, none, none) -> (tensor<1x3x4xf32>, none)
  return %y : tensor<1x3x4xf32>
}

// -----

// A key/value cache (past) is not supported.
func.func @qattention_past(%x: tensor<1x3x4xui8>, %past: tensor<2x1x2x5x2xf32>) -> tensor<1x3x4xf32> {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<1> : tensor<4x12xi8>} : () -> tensor<4x12xi8>
  %b = onnx.Constant() {value = dense<0.5> : tensor<12xf32>} : () -> tensor<12xf32>
  %s = onnx.Constant() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32>
  // expected-error @+1 {{past (a key/value cache) is not supported}}
  %y, %p = onnx.ms.QAttention(%x, %w, %b, %s, %s, %none, %none, %none, %past) {num_heads = 2 : i64} : (tensor<1x3x4xui8>, tensor<4x12xi8>, tensor<12xf32>, tensor<f32>, tensor<f32>, none, none, none, tensor<2x1x2x5x2xf32>) -> (tensor<1x3x4xf32>, none)
  return %y : tensor<1x3x4xf32>
}

// -----

// QEmbedLayerNormalization: the tables dequantized, word[ids] +
// position[0..S) + segment[segment_ids], LayerNormalization with the
// dequantized gamma and beta; mask_index counts each mask row's ones.
// CHECK-LABEL: func.func @qembed_layernorm
// CHECK-SAME: (%[[IDS:.*]]: tensor<2x5xi32>, %[[SEG:.*]]: tensor<2x5xi32>, %[[M:.*]]: tensor<2x5xi32>)
// CHECK: %[[WD:.*]] = onnx.DequantizeLinear
// CHECK: %[[W:.*]] = onnx.Gather(%[[WD]], %[[IDS]])
// CHECK: onnx.Range
// CHECK: onnx.Gather
// CHECK: %[[A1:.*]] = onnx.Add(%[[W]],
// CHECK: onnx.Gather({{.*}}, %[[SEG]])
// CHECK: %[[A2:.*]] = onnx.Add(%[[A1]],
// CHECK: onnx.Equal(%[[M]],
// CHECK: %[[MI:.*]] = onnx.ReduceSum({{.*}}) {keepdims = 0 : i64} : {{.*}} -> tensor<2xi32>
// CHECK: %[[Y:.*]], %{{.*}}, %{{.*}} = onnx.LayerNormalization(%[[A2]], {{.*}}) {epsilon = 1.000000e-03 : f32} : {{.*}} -> (tensor<2x5x4xf32>, none, none)
// CHECK: return %[[Y]], %[[MI]]
func.func @qembed_layernorm(%ids: tensor<2x5xi32>, %seg: tensor<2x5xi32>, %m: tensor<2x5xi32>) -> (tensor<2x5x4xf32>, tensor<2xi32>) {
  %none = onnx.NoValue
  %w = onnx.Constant() {value = dense<3> : tensor<10x4xui8>} : () -> tensor<10x4xui8>
  %p = onnx.Constant() {value = dense<4> : tensor<8x4xui8>} : () -> tensor<8x4xui8>
  %sg = onnx.Constant() {value = dense<5> : tensor<2x4xui8>} : () -> tensor<2x4xui8>
  %g = onnx.Constant() {value = dense<6> : tensor<4xui8>} : () -> tensor<4xui8>
  %s = onnx.Constant() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32>
  %z = onnx.Constant() {value = dense<2> : tensor<ui8>} : () -> tensor<ui8>
  %y, %mi = onnx.ms.QEmbedLayerNormalization(%ids, %seg, %w, %p, %sg, %g, %g, %m, %s, %s, %s, %s, %s, %z, %z, %z, %z, %z) {epsilon = 1.0e-3 : f32} : (tensor<2x5xi32>, tensor<2x5xi32>, tensor<10x4xui8>, tensor<8x4xui8>, tensor<2x4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<2x5xi32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<ui8>, tensor<ui8>, tensor<ui8>, tensor<ui8>, tensor<ui8>) -> (tensor<2x5x4xf32>, tensor<2xi32>)
  return %y, %mi : tensor<2x5x4xf32>, tensor<2xi32>
}
