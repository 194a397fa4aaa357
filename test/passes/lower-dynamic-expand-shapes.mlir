// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(lower-dynamic-expand-shapes),expand-strided-metadata)' | FileCheck %s

// Three dynamic dims in one group (a kernel's [N * H * W, M] result seen
// as [N, H, W, M]): a reinterpret_cast whose strides are products of the
// output_shape's sizes; expand-strided-metadata (which crashes on the
// expand_shape in LLVM 22) then takes it.
// CHECK-LABEL: func.func @rows(
// CHECK-SAME: %[[M:.*]]: memref<?x16xi32>, %[[N:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index
// CHECK-NOT: memref.expand_shape
// CHECK: %[[BASE:.*]], %{{.*}}, %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[M]]
// CHECK: %[[WS:.*]] = arith.muli %[[W]], %c16
// CHECK: %[[HS:.*]] = arith.muli %[[WS]], %[[H]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[N]], %[[H]], %[[W]], 16], strides: [%[[HS]], %[[WS]], 16, 1]
func.func @rows(%m: memref<?x16xi32>, %n: index, %h: index, %w: index) -> memref<?x?x?x16xi32> {
  %e = memref.expand_shape %m [[0, 1, 2], [3]] output_shape [%n, %h, %w, 16] : memref<?x16xi32> into memref<?x?x?x16xi32>
  return %e : memref<?x?x?x16xi32>
}

// -----

// One dynamic dim per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic(
// CHECK-NOT: memref.expand_shape
// CHECK: memref.reinterpret_cast
func.func @one_dynamic(%m: memref<?x16xi32>, %n: index) -> memref<?x4x16xi32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%n, 4, 16] : memref<?x16xi32> into memref<?x4x16xi32>
  return %e : memref<?x4x16xi32>
}
