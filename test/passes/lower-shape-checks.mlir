// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(lower-shape-checks)' | FileCheck %s

// In the shape function each check returns its number; the messages go to
// the module in that order. Elsewhere checks are dropped.
// CHECK: module attributes {mcc.shape_checks = ["first", "second"]}
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT: cf.assert
// CHECK-LABEL: func.func @main_graph_shapes(
// CHECK-SAME: %[[A:.*]]: i1, %[[B:.*]]: i1
// CHECK: cf.cond_br %[[A]], ^[[OK1:.*]], ^[[FAIL1:.*]]
// CHECK: ^[[FAIL1]]:
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: return %[[ONE]] : i32
// CHECK: ^[[OK1]]:
// CHECK: cf.cond_br %[[B]], ^[[OK2:.*]], ^[[FAIL2:.*]]
// CHECK: ^[[FAIL2]]:
// CHECK: %[[TWO:.*]] = arith.constant 2 : i32
// CHECK: return %[[TWO]] : i32
// CHECK: ^[[OK2]]:
// CHECK: return %{{.*}} : i32
module {
  func.func @main_graph(%a: i1) {
    cf.assert %a, "dropped"
    return
  }
  func.func @main_graph_shapes(%a: i1, %b: i1) -> i32 {
    cf.assert %a, "first"
    cf.assert %b, "second"
    %ok = arith.constant 0 : i32
    return %ok : i32
  }
}
