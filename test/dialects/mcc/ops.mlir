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
