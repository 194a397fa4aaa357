// RUN: mcc-opt %s -split-input-file -verify-diagnostics

func.func @check_without_message(%i: i64, %n: index) -> index {
  // expected-error @+1 {{'mcc.check_index' op needs a message naming what is indexed}}
  %0 = mcc.check_index %i, %n "" : i64
  return %0 : index
}

// -----

func.func @check_of_a_float(%f: f32, %n: index) -> index {
  // expected-error @+1 {{operand #0 must be signless integer or index}}
  %0 = mcc.check_index %f, %n "x" : f32
  return %0 : index
}

// -----

func.func @qmatmul_of_floats(%a: tensor<4x8xf32>, %b: tensor<8x2xi8>, %z: tensor<i8>, %i: tensor<4x2xi32>) -> tensor<4x2xi32> {
  // expected-error @+1 {{operands and zero points must be 8-bit integers}}
  %0 = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xf32>, tensor<8x2xi8>, tensor<i8>, tensor<i8> -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

func.func @qmatmul_inner_dims(%a: tensor<4x8xi8>, %b: tensor<6x2xi8>, %z: tensor<i8>, %i: tensor<4x2xi32>) -> tensor<4x2xi32> {
  // expected-error @+1 {{inner dimensions differ: 8 vs 6}}
  %0 = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xi8>, tensor<6x2xi8>, tensor<i8>, tensor<i8> -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

func.func @qmatmul_result_shape(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>, %z: tensor<i8>, %i: tensor<4x3xi32>) -> tensor<4x3xi32> {
  // expected-error @+1 {{result shape does not match the operands}}
  %0 = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xi8>, tensor<8x2xi8>, tensor<i8>, tensor<i8> -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

func.func @qmatmul_row_zero_points(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>, %za: tensor<4xi8>, %z: tensor<i8>, %i: tensor<4x2xi32>) -> tensor<4x2xi32> {
  // expected-error @+1 {{a_zero_point must have one element}}
  %0 = mcc.qmatmul %a, %b, %za, %z, %i : tensor<4x8xi8>, tensor<8x2xi8>, tensor<4xi8>, tensor<i8> -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

func.func @qmatmul_column_zero_points(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>, %z: tensor<i8>, %zb: tensor<3xi8>, %i: tensor<4x2xi32>) -> tensor<4x2xi32> {
  // expected-error @+1 {{b_zero_point must have one element or one per column}}
  %0 = mcc.qmatmul %a, %b, %z, %zb, %i : tensor<4x8xi8>, tensor<8x2xi8>, tensor<i8>, tensor<3xi8> -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

func.func @qmatmul_i8_result(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>, %z: tensor<i8>, %i: tensor<4x2xi8>) -> tensor<4x2xi8> {
  // expected-error @+1 {{result must be 32-bit integers}}
  %0 = mcc.qmatmul %a, %b, %z, %z, %i : tensor<4x8xi8>, tensor<8x2xi8>, tensor<i8>, tensor<i8> -> tensor<4x2xi8>
  return %0 : tensor<4x2xi8>
}

// -----

func.func @dot_pairs_lanes(%acc: vector<8xi32>, %a: vector<8xi16>) -> vector<8xi32> {
  // expected-error @+1 {{needs 2 narrow elements per 32-bit lane}}
  %0 = mcc.dot_pairs %acc, %a, %a : vector<8xi16> into vector<8xi32>
  return %0 : vector<8xi32>
}

// -----

func.func @dot_pairs_width(%acc: vector<2xi32>, %a: vector<4xi16>) -> vector<2xi32> {
  // expected-error @+1 {{needs 4, 8 or 16 lanes (128 to 512 bits)}}
  %0 = mcc.dot_pairs %acc, %a, %a : vector<4xi16> into vector<2xi32>
  return %0 : vector<2xi32>
}

// -----

func.func @dot_quads_lanes(%acc: vector<16xi32>, %a: vector<32xi8>) -> vector<16xi32> {
  // expected-error @+1 {{needs 4 narrow elements per 32-bit lane}}
  %0 = mcc.dot_quads %acc, %a, %a : vector<32xi8> into vector<16xi32>
  return %0 : vector<16xi32>
}

// -----

func.func @wmatmul_of_bytes(%a: tensor<1x8xi8>, %w: tensor<8x2xi8>, %s: tensor<1x2xf32>, %z: tensor<1x2xi8>, %i: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{activations, scales and result must be f32}}
  %0 = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 8 : i64} : tensor<1x8xi8>, tensor<8x2xi8>, tensor<1x2xf32>, tensor<1x2xi8> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @wmatmul_block_params(%a: tensor<1x20xf32>, %w: tensor<20x2xi8>, %s: tensor<2x2xf32>, %z: tensor<2x2xi8>, %i: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{scale and zero_point must be [ceil(K / block_size), N] = [3, 2]}}
  %0 = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 8 : i64} : tensor<1x20xf32>, tensor<20x2xi8>, tensor<2x2xf32>, tensor<2x2xi8> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @wmatmul_inner_dims(%a: tensor<1x16xf32>, %w: tensor<20x2xi8>, %s: tensor<3x2xf32>, %z: tensor<3x2xi8>, %i: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{inner dimensions differ: 16 vs 20}}
  %0 = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 8 : i64} : tensor<1x16xf32>, tensor<20x2xi8>, tensor<3x2xf32>, tensor<3x2xi8> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
