// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(convert-parallel-loops-to-runtime{min-work=64 min-outer-iterations=8})' | FileCheck %s

// Outer dims collapse until 8 iterations (2x4); the last dim stays an inner
// scf.parallel; memrefs travel as pointers, the scalar by value, constants
// are cloned.
// CHECK: func.func private @mcc_rt_parallel_for((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64)
// CHECK-LABEL: func.func private @scale_par0(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, f32, ptr)>
// CHECK: %[[A:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[MX:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)> to memref<2x4x16xf32>
// CHECK: %[[PS:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: %[[S:.*]] = llvm.load %[[PS]] : !llvm.ptr -> f32
// CHECK: %[[MY:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<2x4x16xf32>
// CHECK: %[[LO:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK: %[[HI:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK: scf.for %[[LIN:.*]] = %[[LO]] to %[[HI]] step
// CHECK: %[[I:.*]] = arith.divui %[[LIN]], %[[C4]]
// CHECK: %[[J:.*]] = arith.remui %[[LIN]], %[[C4]]
// CHECK: scf.parallel (%[[K:.*]]) = (%{{.*}}) to (%[[C16]])
// CHECK: %[[V:.*]] = memref.load %[[MX]][%[[I]], %[[J]], %[[K]]]
// CHECK: %[[W:.*]] = arith.mulf %[[V]], %[[S]]
// CHECK: memref.store %[[W]], %[[MY]][%[[I]], %[[J]], %[[K]]]

// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[X:.*]]: memref<2x4x16xf32>, %[[Y:.*]]: memref<2x4x16xf32>, %[[SC:.*]]: f32)
// CHECK: %[[CTXA:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, f32, ptr)>
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: llvm.store %[[SC]]
// CHECK: memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK: %[[FN:.*]] = constant @scale_par0 : (!llvm.ptr, i64, i64) -> ()
// CHECK: %[[N:.*]] = arith.constant 8 : i64
// CHECK: call @mcc_rt_parallel_for(%[[FN]], %[[CTXA]], %[[N]])
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @scale(%x: memref<2x4x16xf32>, %y: memref<2x4x16xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c4, %c16) step (%c1, %c1, %c1) {
    %v = memref.load %x[%i, %j, %k] : memref<2x4x16xf32>
    %w = arith.mulf %v, %s : f32
    memref.store %w, %y[%i, %j, %k] : memref<2x4x16xf32>
    scf.reduce
  }
  return
}

// -----

// The outlined task is named after the ONNX node the loop came from (the
// first NameLoc of its location), so that profiles read per node.
// CHECK-LABEL: func.func private @named_par0__stage1_conv_2_Conv(
// CHECK: constant @named_par0__stage1_conv_2_Conv
func.func @named(%x: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %z, %x[%i, %j] : memref<64x64xf32>
    scf.reduce
  } loc(fused["/stage1/conv.2/Conv"("Conv"("m.onnx":3:0)), "other"])
  return
}

// -----

// Outer dims of 1 x 2 x 2 give 4 iterations, under 8, but the innermost
// dim is not collapsed into them: it stays a loop that LLVM vectorizes.
// CHECK-LABEL: func.func private @keep_inner_par0(
// CHECK: scf.for
// CHECK: arith.divui
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK-LABEL: func.func @keep_inner(
// CHECK: arith.constant 4 : i64
func.func @keep_inner(%x: memref<1x2x2x1152xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1152 = arith.constant 1152 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%c1, %c2, %c2, %c1152) step (%c1, %c1, %c1, %c1) {
    memref.store %z, %x[%i, %j, %k, %l] : memref<1x2x2x1152xf32>
    scf.reduce
  }
  return
}

// -----

// 5 column tiles x 8 row blocks, each iteration a whole reduction (heavy):
// the innermost dim is collapsed too, so 40 iterations are split instead
// of 5 (3:2 over two threads).
// CHECK-LABEL: func.func private @heavy_inner_par0(
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK-LABEL: func.func @heavy_inner(
// CHECK: arith.constant 40 : i64
// CHECK: call @mcc_rt_parallel_for
func.func @heavy_inner(%x: memref<5x8x16xf32>, %w: memref<8192xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c8192 = arith.constant 8192 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c8) step (%c1, %c1) {
    scf.for %k = %c0 to %c8192 step %c1 {
      %v = memref.load %w[%k] : memref<8192xf32>
      %a = memref.load %x[%i, %j, %c0] : memref<5x8x16xf32>
      %s = arith.addf %a, %v : f32
      memref.store %s, %x[%i, %j, %c0] : memref<5x8x16xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Too little work: stays sequential, nothing outlined.
// CHECK-LABEL: func.func @tiny(
// CHECK: scf.parallel
// CHECK-NOT: mcc_rt_parallel_for
func.func @tiny(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %z, %x[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// A symbolic bound counts as 16 trips: too little work here, sequential.
// CHECK-LABEL: func.func @dynamic(
// CHECK: scf.parallel
// CHECK-NOT: call @mcc_rt_parallel_for
func.func @dynamic(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %z, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}


// -----

// Static bounds over a memref with a dynamic offset, size and stride (a
// chunk of a symbolic-length buffer): the pointer travels with those three
// as i64 slots, and the task's descriptor takes them back.
// CHECK-LABEL: func.func private @chunk_par0(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr,
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[OFF:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: %[[SIZE:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: %[[STRIDE:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: llvm.insertvalue %[[OFF]], %{{.*}}[2]
// CHECK: llvm.insertvalue %[[STRIDE]], %{{.*}}[4, 0]
// CHECK: llvm.insertvalue %[[SIZE]], %{{.*}}[3, 1]
// CHECK: unrealized_conversion_cast %{{.*}} to memref<8x?xf32, strided<[?, 1], offset: ?>>
// CHECK-LABEL: func.func @chunk(
// CHECK-SAME: %[[X:.*]]: memref<8x?xf32, strided<[?, 1], offset: ?>>
// CHECK: %{{.*}}, %[[O:.*]], %[[SZ:.*]]:2, %[[ST:.*]]:2 = memref.extract_strided_metadata %[[X]]
// CHECK: arith.index_cast %[[O]] : index to i64
// CHECK: arith.index_cast %[[SZ]]#1 : index to i64
// CHECK: arith.index_cast %[[ST]]#0 : index to i64
// CHECK: call @mcc_rt_parallel_for
func.func @chunk(%x: memref<8x?xf32, strided<[?, 1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c64) step (%c1, %c1) {
    memref.store %z, %x[%i, %j] : memref<8x?xf32, strided<[?, 1], offset: ?>>
    scf.reduce
  }
  return
}

// -----

// Symbolic rows: the count is computed at the call (max(n - 0, 0)) and the
// bound travels in the context; the 64 columns stay an inner loop.
// CHECK-LABEL: func.func private @rows_par0(
// CHECK: scf.for %[[LIN:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.parallel (%[[J:.*]]) = (%c0) to (%c64)
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[LIN]], %[[J]]] : memref<?x64xf32>
// CHECK-LABEL: func.func @rows(
// CHECK-SAME: %[[X:.*]]: memref<?x64xf32>, %[[N:.*]]: index)
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: llvm.store %[[N64]]
// CHECK: %[[D:.*]] = arith.subi %[[N]], %c0
// CHECK: %[[T:.*]] = arith.maxsi %[[D]], %c0
// CHECK: %[[P:.*]] = arith.muli %{{.*}}, %[[T]]
// CHECK: %[[COUNT:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: call @mcc_rt_parallel_for(%{{.*}}, %{{.*}}, %[[COUNT]])
func.func @rows(%x: memref<?x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c64) step (%c1, %c1) {
    memref.store %z, %x[%i, %j] : memref<?x64xf32>
    scf.reduce
  }
  return
}
