// RUN: mcc-opt %s --pass-pipeline='builtin.module(flatten-memref-globals)' | FileCheck %s

// CHECK-LABEL: memref.global "private" constant @w : memref<6xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]>
// CHECK-LABEL: memref.global "private" constant @r : memref<4xf32> = dense_resource<blob>
// CHECK-LABEL: memref.global "private" constant @v : memref<3xf32>
// CHECK-LABEL: memref.global "private" @mutable : memref<2x2xf32>
memref.global "private" constant @w : memref<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
memref.global "private" constant @r : memref<2x1x2xf32> = dense_resource<blob>
memref.global "private" constant @v : memref<3xf32> = dense<1.0>
memref.global "private" @mutable : memref<2x2xf32> = dense<0.0>

// CHECK-LABEL: func.func @use(
// CHECK: %[[W:.*]] = memref.get_global @w : memref<6xf32>
// CHECK: %[[WS:.*]] = memref.expand_shape %[[W]] {{\[\[}}0, 1]] output_shape [2, 3] : memref<6xf32> into memref<2x3xf32>
// CHECK: %[[R:.*]] = memref.get_global @r : memref<4xf32>
// CHECK: %[[RS:.*]] = memref.expand_shape %[[R]] {{\[\[}}0, 1, 2]] output_shape [2, 1, 2] : memref<4xf32> into memref<2x1x2xf32>
// CHECK: %[[V:.*]] = memref.get_global @v : memref<3xf32>
// CHECK: %[[M:.*]] = memref.get_global @mutable : memref<2x2xf32>
// CHECK: return %[[WS]], %[[RS]], %[[V]], %[[M]]
func.func @use() -> (memref<2x3xf32>, memref<2x1x2xf32>, memref<3xf32>, memref<2x2xf32>) {
  %w = memref.get_global @w : memref<2x3xf32>
  %r = memref.get_global @r : memref<2x1x2xf32>
  %v = memref.get_global @v : memref<3xf32>
  %m = memref.get_global @mutable : memref<2x2xf32>
  return %w, %r, %v, %m : memref<2x3xf32>, memref<2x1x2xf32>, memref<3xf32>, memref<2x2xf32>
}

// A scalar's resource becomes a dense value: memref-to-llvm reads a rank-0
// initializer as a splat and cannot read a resource.
// CHECK-LABEL: memref.global "private" constant @scalar_scale : memref<f32> = dense<2.500000e+00>
// CHECK-LABEL: func.func @scalar
// CHECK: memref.get_global @scalar_scale : memref<f32>
memref.global "private" constant @scalar_scale : memref<f32> = dense_resource<qdq_scale>
func.func @scalar() -> memref<f32> {
  %0 = memref.get_global @scalar_scale : memref<f32>
  return %0 : memref<f32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040",
      qdq_scale: "0x0400000000002040"
    }
  }
#-}

