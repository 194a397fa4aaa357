// RUN: mcc-opt %s --pass-pipeline='builtin.module(func.func(distinct-return-values))' | FileCheck %s

// The second occurrence of %v gets its own copy; other results are kept.
// CHECK-LABEL: func.func @twice(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<2xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK: return %[[X]], %[[C]], %[[Y]]
func.func @twice(%x: tensor<4xf32>, %y: tensor<2xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<2xf32>) {
  return %x, %x, %y : tensor<4xf32>, tensor<4xf32>, tensor<2xf32>
}
