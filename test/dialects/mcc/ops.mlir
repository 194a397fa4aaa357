// RUN: mcc-opt %s | mcc-opt | FileCheck %s

// CHECK-LABEL: func.func @check_index
// CHECK-SAME: (%[[I:.*]]: i64, %[[J:.*]]: i32, %[[N:.*]]: index)
// CHECK: mcc.check_index %[[I]], %[[N]] negative "node 'g' (Gather): index" : i64
// CHECK: mcc.check_index %[[J]], %[[N]] "a position" : i32
func.func @check_index(%i: i64, %j: i32, %n: index) -> (index, index) {
  %0 = mcc.check_index %i, %n negative "node 'g' (Gather): index" : i64
  %1 = mcc.check_index %j, %n "a position" : i32
  return %0, %1 : index, index
}

// CHECK-LABEL: func.func @qmatmul
// CHECK-SAME: (%[[A:.*]]: tensor<?x7x37xi8>, %[[B:.*]]: tensor<37x45xi8>, %[[ZA:.*]]: tensor<i8>, %[[ZB:.*]]: tensor<45xi8>, %[[I:.*]]: tensor<?x7x45xi32>)
// CHECK: mcc.qmatmul %[[A]], %[[B]], %[[ZA]], %[[ZB]], %[[I]] {a_unsigned} : tensor<?x7x37xi8>, tensor<37x45xi8>, tensor<i8>, tensor<45xi8> -> tensor<?x7x45xi32>
func.func @qmatmul(%a: tensor<?x7x37xi8>, %b: tensor<37x45xi8>, %za: tensor<i8>, %zb: tensor<45xi8>, %i: tensor<?x7x45xi32>) -> tensor<?x7x45xi32> {
  %0 = mcc.qmatmul %a, %b, %za, %zb, %i {a_unsigned} : tensor<?x7x37xi8>, tensor<37x45xi8>, tensor<i8>, tensor<45xi8> -> tensor<?x7x45xi32>
  return %0 : tensor<?x7x45xi32>
}

// CHECK-LABEL: func.func @wmatmul
// CHECK-SAME: (%[[A:.*]]: tensor<2x1x40xf32>, %[[W:.*]]: tensor<40x24xi8>, %[[S:.*]]: tensor<2x24xf32>, %[[Z:.*]]: tensor<2x24xi8>, %[[I:.*]]: tensor<2x1x24xf32>)
// CHECK: mcc.wmatmul %[[A]], %[[W]], %[[S]], %[[Z]], %[[I]] {block_size = 32 : i64, w_unsigned} : tensor<2x1x40xf32>, tensor<40x24xi8>, tensor<2x24xf32>, tensor<2x24xi8> -> tensor<2x1x24xf32>
func.func @wmatmul(%a: tensor<2x1x40xf32>, %w: tensor<40x24xi8>, %s: tensor<2x24xf32>, %z: tensor<2x24xi8>, %i: tensor<2x1x24xf32>) -> tensor<2x1x24xf32> {
  %0 = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 32 : i64, w_unsigned} : tensor<2x1x40xf32>, tensor<40x24xi8>, tensor<2x24xf32>, tensor<2x24xi8> -> tensor<2x1x24xf32>
  return %0 : tensor<2x1x24xf32>
}

// CHECK-LABEL: func.func @dot_pairs
// CHECK: mcc.dot_pairs %{{.*}}, %{{.*}}, %{{.*}} {vnni} : vector<32xi16> into vector<16xi32>
func.func @dot_pairs(%acc: vector<16xi32>, %a: vector<32xi16>, %b: vector<32xi16>) -> vector<16xi32> {
  %0 = mcc.dot_pairs %acc, %a, %b {vnni} : vector<32xi16> into vector<16xi32>
  return %0 : vector<16xi32>
}
