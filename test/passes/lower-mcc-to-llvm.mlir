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
