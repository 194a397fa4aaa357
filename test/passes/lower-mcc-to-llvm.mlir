// RUN: mcc-opt %s -split-input-file -lower-mcc-to-llvm | FileCheck %s

// Without VNNI: vpmaddwd, then the add.
// CHECK-LABEL: func.func @avx2
// CHECK-SAME: (%[[ACC:.*]]: vector<8xi32>, %[[A:.*]]: vector<16xi16>, %[[B:.*]]: vector<16xi16>)
// CHECK: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[A]], %[[B]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: arith.addi %[[ACC]], %[[P]] : vector<8xi32>
func.func @avx2(%acc: vector<8xi32>, %a: vector<16xi16>, %b: vector<16xi16>) -> vector<8xi32> {
  %0 = mcc.dot_pairs %acc, %a, %b : vector<16xi16> into vector<8xi32>
  return %0 : vector<8xi32>
}

// -----

// CHECK-LABEL: func.func @avx512
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// CHECK: arith.addi
func.func @avx512(%acc: vector<16xi32>, %a: vector<32xi16>, %b: vector<32xi16>) -> vector<16xi32> {
  %0 = mcc.dot_pairs %acc, %a, %b : vector<32xi16> into vector<16xi32>
  return %0 : vector<16xi32>
}

// -----

// With VNNI the add is part of the instruction.
// CHECK-LABEL: func.func @vnni
// CHECK-SAME: (%[[ACC:.*]]: vector<8xi32>, %[[A:.*]]: vector<16xi16>, %[[B:.*]]: vector<16xi16>)
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.256"(%[[ACC]], %[[A]], %[[B]])
// CHECK-NOT: arith.addi
func.func @vnni(%acc: vector<8xi32>, %a: vector<16xi16>, %b: vector<16xi16>) -> vector<8xi32> {
  %0 = mcc.dot_pairs %acc, %a, %b {vnni} : vector<16xi16> into vector<8xi32>
  return %0 : vector<8xi32>
}

// -----

// CHECK-LABEL: func.func @quads
// CHECK-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[A]], %[[B]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
func.func @quads(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %0 = mcc.dot_quads %acc, %a, %b : vector<64xi8> into vector<16xi32>
  return %0 : vector<16xi32>
}

// -----

// Portable: the activation bytes are unsigned, the weights signed; the
// four products of each lane are picked by shuffles and added.
// CHECK-LABEL: func.func @quads_portable
// CHECK-SAME: (%[[ACC:.*]]: vector<4xi32>, %[[A:.*]]: vector<16xi8>, %[[B:.*]]: vector<16xi8>)
// CHECK-NOT: llvm.call_intrinsic
// CHECK-DAG: %[[AW:.*]] = arith.extui %[[A]] : vector<16xi8> to vector<16xi32>
// CHECK-DAG: %[[BW:.*]] = arith.extsi %[[B]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[P:.*]] = arith.muli %[[AW]], %[[BW]]
// CHECK: %[[S0:.*]] = vector.shuffle %[[P]], %[[P]] [0, 4, 8, 12]
// CHECK: %[[R0:.*]] = arith.addi %[[ACC]], %[[S0]]
// CHECK: vector.shuffle %[[P]], %[[P]] [1, 5, 9, 13]
// CHECK: vector.shuffle %[[P]], %[[P]] [2, 6, 10, 14]
// CHECK: vector.shuffle %[[P]], %[[P]] [3, 7, 11, 15]
func.func @quads_portable(%acc: vector<4xi32>, %a: vector<16xi8>, %b: vector<16xi8>) -> vector<4xi32> {
  %0 = mcc.dot_quads %acc, %a, %b {portable} : vector<16xi8> into vector<4xi32>
  return %0 : vector<4xi32>
}

// -----

// CHECK-LABEL: func.func @pairs_portable
// CHECK-DAG: arith.extsi %{{.*}} : vector<32xi16> to vector<32xi32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4,
// CHECK: vector.shuffle {{.*}} [1, 3, 5,
// CHECK-NOT: llvm.call_intrinsic
func.func @pairs_portable(%acc: vector<16xi32>, %a: vector<32xi16>, %b: vector<32xi16>) -> vector<16xi32> {
  %0 = mcc.dot_pairs %acc, %a, %b {vnni, portable} : vector<32xi16> into vector<16xi32>
  return %0 : vector<16xi32>
}
