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
// padded interior, which is not contiguous: the kernel keeps its own
// buffer and the pad stays (its border, 36% of an 8x8 image's padded
// buffer, is filled no cheaper than the whole; see pad_input).
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

// -----

// A pad of a graph input: no kernel can write the interior, so the input
// is copied in (an insert_slice), but only the border is filled, not the
// whole buffer: it is 9% of the buffer here.
// CHECK-LABEL: func.func @pad_input(
// CHECK-SAME: %[[X:.*]]: tensor<1x3x64x64xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x1x64xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x2x64xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x67x1xf32>)
// CHECK: %[[SLAB:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x67x2xf32>)
// CHECK: %[[FULL:.*]] = tensor.insert_slice %[[SLAB]]
// CHECK: %[[R:.*]] = tensor.insert_slice %[[X]] into %[[FULL]][0, 0, 1, 1] [1, 3, 64, 64] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[R]]
func.func @pad_input(%x: tensor<1x3x64x64xf32>) -> tensor<1x3x67x67xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x64x64xf32> to tensor<1x3x67x67xf32>
  return %p : tensor<1x3x67x67xf32>
}

// -----

// The same at 8x8: the border is 47% of the buffer, in runs of one or two
// elements, which cost more than one fill of the whole: the pad stays.
// CHECK-LABEL: func.func @pad_input_small(
// CHECK-NOT: linalg.fill
// CHECK: tensor.pad
func.func @pad_input_small(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x11x11xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x11x11xf32>
  return %p : tensor<1x3x11x11xf32>
}

// -----

// The kernel's result has a second reader besides the pad (a residual
// add, here the return): it reads the padded tensor's interior, taken
// after the insertion, so bufferization sees one buffer and no copy.
// CHECK-LABEL: func.func @second_reader(
// CHECK: %[[INNER:.*]] = tensor.extract_slice %[[FULL:.*]][0, 1, 1, 0] [1, 8, 8, 4] [1, 1, 1, 1]
// CHECK: %[[K:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[INNER]])
// CHECK: %[[R:.*]] = tensor.insert_slice %[[K]] into %[[FULL]][0, 1, 1, 0] [1, 8, 8, 4] [1, 1, 1, 1]
// CHECK: %[[V:.*]] = tensor.extract_slice %[[R]][0, 1, 1, 0] [1, 8, 8, 4] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[R]], %[[V]]
func.func @second_reader(%x: tensor<4xf32>) -> (tensor<1x10x10x4xf32>, tensor<1x8x8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x4xf32>
  %k = scf.forall (%h, %w) in (8, 8) shared_outs(%o = %e) -> (tensor<1x8x8x4xf32>) {
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[0, %h, %w, 0] [1, 1, 1, 4] [1, 1, 1, 1] : tensor<4xf32> into tensor<1x8x8x4xf32>
    }
  }
  %p = tensor.pad %k low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k2: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x4xf32> to tensor<1x10x10x4xf32>
  return %p, %k : tensor<1x10x10x4xf32>, tensor<1x8x8x4xf32>
}

// -----

// A pad inside a kernel (a tile's halo) stays as it is.
// CHECK-LABEL: func.func @pad_in_loop(
// CHECK: scf.forall
// CHECK: tensor.pad
func.func @pad_in_loop(%x: tensor<4x8xf32>) -> tensor<4x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %k = scf.forall (%r) in (4) shared_outs(%o = %e) -> (tensor<4x10xf32>) {
    %row = tensor.extract_slice %x[%r, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
    %p = tensor.pad %row low[0, 1] high[0, 1] {
    ^bb0(%i: index, %j: index):
      tensor.yield %zero : f32
    } : tensor<1x8xf32> to tensor<1x10xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %p into %o[%r, 0] [1, 10] [1, 1] : tensor<1x10xf32> into tensor<4x10xf32>
    }
  }
  return %k : tensor<4x10xf32>
}
