// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(lower-mcc-to-linalg))' | FileCheck %s

// One generic over (batch, m, n, k): both operands widened by their own
// signedness, zero points subtracted (B's per column), into a zero fill.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[ZA:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[ZB:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batched
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8xi8>, %[[W:.*]]: tensor<8x5xi8>, %[[Z:.*]]: tensor<i8>, %[[ZW:.*]]: tensor<5xi8>, %[[I:.*]]: tensor<?x3x5xi32>)
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[I]]
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[ZA]], #[[ZB]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]], %[[Z]], %[[ZW]] : {{.*}}) outs(%[[F]] : tensor<?x3x5xi32>)
// CHECK: ^bb0(%[[XA:.*]]: i8, %[[WB:.*]]: i8, %[[ZAV:.*]]: i8, %[[ZBV:.*]]: i8, %[[ACC:.*]]: i32):
// CHECK-DAG: arith.extui %[[XA]] : i8 to i32
// CHECK-DAG: arith.extui %[[ZAV]] : i8 to i32
// CHECK-DAG: arith.extsi %[[WB]] : i8 to i32
// CHECK-DAG: arith.extsi %[[ZBV]] : i8 to i32
// CHECK: %[[M:.*]] = arith.muli
// CHECK: arith.addi %[[ACC]], %[[M]]
func.func @batched(%a: tensor<?x3x8xi8>, %b: tensor<8x5xi8>, %za: tensor<i8>, %zb: tensor<5xi8>, %i: tensor<?x3x5xi32>) -> tensor<?x3x5xi32> {
  %0 = mcc.qmatmul %a, %b, %za, %zb, %i {a_unsigned} : tensor<?x3x8xi8>, tensor<8x5xi8>, tensor<i8>, tensor<5xi8> -> tensor<?x3x5xi32>
  return %0 : tensor<?x3x5xi32>
}

// -----

// mcc.wmatmul: one generic over (m, n, k) whose body dequantizes the
// weight (its block's scale and zero point: k floordiv block_size) and
// multiplies it into the f32 sum.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[WM:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[P:.*]] = affine_map<(d0, d1, d2) -> (d2 floordiv 16, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @wmatmul
// CHECK-SAME: (%[[X:.*]]: tensor<3x20xf32>, %[[W:.*]]: tensor<20x5xi8>, %[[S:.*]]: tensor<2x5xf32>, %[[Z:.*]]: tensor<2x5xi8>, %[[I:.*]]: tensor<3x5xf32>)
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[I]]
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[WM]], #[[P]], #[[P]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]], %[[S]], %[[Z]] : {{.*}}) outs(%[[F]] : tensor<3x5xf32>)
// CHECK: ^bb0(%[[XA:.*]]: f32, %[[WB:.*]]: i8, %[[SC:.*]]: f32, %[[ZP:.*]]: i8, %[[ACC:.*]]: f32):
// CHECK-DAG: %[[WI:.*]] = arith.extui %[[WB]] : i8 to i32
// CHECK-DAG: %[[ZI:.*]] = arith.extui %[[ZP]] : i8 to i32
// CHECK: %[[Q:.*]] = arith.subi %[[WI]], %[[ZI]]
// CHECK: %[[QF:.*]] = arith.sitofp %[[Q]] : i32 to f32
// CHECK: %[[WF:.*]] = arith.mulf %[[QF]], %[[SC]]
// CHECK: %[[P2:.*]] = arith.mulf %[[XA]], %[[WF]]
// CHECK: arith.addf %[[ACC]], %[[P2]]
func.func @wmatmul(%a: tensor<3x20xf32>, %w: tensor<20x5xi8>, %s: tensor<2x5xf32>, %z: tensor<2x5xi8>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = mcc.wmatmul %a, %w, %s, %z, %i {block_size = 16 : i64, w_unsigned} : tensor<3x20xf32>, tensor<20x5xi8>, tensor<2x5xf32>, tensor<2x5xi8> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
