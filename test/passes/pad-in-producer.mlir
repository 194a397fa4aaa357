// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(pad-in-producer))' | FileCheck %s

// The kernel (an scf.forall started from a tensor.empty) writes into the
// interior of the padded tensor, whose border alone is filled (rows above
// and below the image within its columns, then whole columns left and
// right); the pad becomes an insert_slice of the kernel's result there.
// CHECK-LABEL: func.func @pad_kernel_output(
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x1x8xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x1x8xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x10x1xf32>)
// CHECK: %[[SLAB:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x10x1xf32>)
// CHECK: %[[FULL:.*]] = tensor.insert_slice %[[SLAB]] into %{{.*}}[0, 0, 0, 9] [1, 4, 10, 1]
// CHECK: %[[INNER:.*]] = tensor.extract_slice %[[FULL]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK: %[[DEST:.*]] = tensor.expand_shape %[[INNER]] {{\[}}[0], [1, 2], [3], [4]]
// CHECK: %[[K:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[DEST]])
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[K]]
// CHECK: %[[R:.*]] = tensor.insert_slice %[[C]] into %[[FULL]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[R]]
func.func @pad_kernel_output(%x: tensor<8xf32>) -> tensor<1x4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x4x8x8xf32>
  %k = scf.forall (%c, %h) in (4, 8) shared_outs(%o = %e) -> (tensor<1x1x4x8x8xf32>) {
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[0, 0, %c, %h, 0] [1, 1, 1, 1, 8] [1, 1, 1, 1, 1] : tensor<8xf32> into tensor<1x1x4x8x8xf32>
    }
  }
  %c = tensor.collapse_shape %k [[0], [1, 2], [3], [4]] : tensor<1x1x4x8x8xf32> into tensor<1x4x8x8xf32>
  %p = tensor.pad %c low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k2: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
  return %p : tensor<1x4x10x10xf32>
}

// -----

// A reshape that merges real dims (rows of the image) cannot view the
// padded interior, which is not contiguous: the pad stays.
// CHECK-LABEL: func.func @merged_rows(
// CHECK: tensor.pad
func.func @merged_rows(%x: tensor<8xf32>) -> tensor<1x4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x64xf32>
  %k = scf.forall (%c, %h) in (4, 8) shared_outs(%o = %e) -> (tensor<1x4x64xf32>) {
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[0, %c, %h] [1, 1, 8] [1, 1, 1] : tensor<8xf32> into tensor<1x4x64xf32>
    }
  }
  %c = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [1, 4, 8, 8] : tensor<1x4x64xf32> into tensor<1x4x8x8xf32>
  %p = tensor.pad %c low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k2: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
  return %p : tensor<1x4x10x10xf32>
}
