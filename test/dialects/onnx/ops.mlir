// RUN: mcc-opt %s | mcc-opt | FileCheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK: %[[N:.*]] = onnx.NoValue
// CHECK: onnx.Conv(%{{.*}}, %{{.*}}, %[[N]]) {strides = [2, 2]} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, none) -> tensor<1x1x2x2xf32>
func.func @roundtrip(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %none = onnx.NoValue
  %0 = onnx.Conv(%x, %w, %none) {group = 1 : i64, strides = [2, 2]} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, none) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
