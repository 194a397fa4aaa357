// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(lower-index-checks)' | FileCheck %s

// Each check: wrap a negative index once, one unsigned compare against the
// bound, the runtime call (with the valid range, [-bound, bound) or
// [0, bound)) on the failing branch only, 0 in its place. The checks are
// numbered in module order; their messages go to the module.
// CHECK: module attributes {mcc.index_checks = ["node 'g' (Gather): index", "second"]}
// CHECK-LABEL: func.func @two_checks
// CHECK-SAME: (%[[I:.*]]: i32, %[[N:.*]]: index, %[[K:.*]]: i64)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[I64:.*]] = arith.extsi %[[I]] : i32 to i64
// CHECK-DAG: %[[B:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[I64]], %[[ZERO]]
// CHECK: %[[UP:.*]] = arith.addi %[[I64]], %[[B]]
// CHECK: %[[J:.*]] = arith.select %[[NEG]], %[[UP]], %[[I64]]
// CHECK: %[[OK:.*]] = arith.cmpi ult, %[[J]], %[[B]]
// CHECK: %[[BAD:.*]] = arith.xori %[[OK]]
// CHECK: scf.if %[[BAD]] {
// CHECK:   %[[ID:.*]] = arith.constant 1 : i32
// CHECK:   %[[LOW:.*]] = arith.subi %[[ZERO]], %[[B]]
// CHECK:   func.call @mcc_rt_check_failed(%[[ID]], %[[I64]], %[[LOW]], %[[B]])
// CHECK: }
// CHECK: %[[SAFE:.*]] = arith.select %[[OK]], %[[J]], %[[ZERO]]
// CHECK: arith.index_cast %[[SAFE]] : i64 to index
// Without `negative` there is no wrap:
// CHECK-NOT: arith.cmpi slt
// CHECK: %[[Z2:.*]] = arith.constant 0 : i64
// CHECK: arith.cmpi ult, %[[K]]
// CHECK: %[[ID2:.*]] = arith.constant 2 : i32
// CHECK: func.call @mcc_rt_check_failed(%[[ID2]], %[[K]], %[[Z2]], %{{.*}})
// CHECK: func.func private @mcc_rt_check_failed(i32, i64, i64, i64)
func.func @two_checks(%i: i32, %n: index, %k: i64) -> (index, index) {
  %0 = mcc.check_index %i, %n negative "node 'g' (Gather): index" : i32
  %1 = mcc.check_index %k, %n "second" : i64
  return %0, %1 : index, index
}

// -----

// Must not fire: a module without checks gets neither the attribute nor
// the declaration.
// CHECK-NOT: mcc.index_checks
// CHECK-LABEL: func.func @no_checks
// CHECK-NOT: mcc_rt_check_failed
func.func @no_checks(%i: index) -> index {
  return %i : index
}
