// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(profile-kernels)' | FileCheck %s

// A tick after each kernel: the parallel call (named after its task, with
// the nodes of its task's ops), the copy, the loop nest; the loop over a
// peeled batch launches a parallel task, so it is entered and its task
// ticks inside. Allocation and the task's address are not kernels. A
// node's FLOPs go to its kernels by their arithmetic: the copy has none, so
// conv1's 1000 all go to the task; add1 (in two kernels with one add
// each) is split in two. Each kernel lists the element types of the
// buffers it works on (the tasks here have none).
// CHECK: module attributes {mcc.profile_kernels = [
// CHECK-SAME: {element_types = [], flops = 1.000000e+03 : f64, name = "main_graph_par0_conv1", nodes = ["conv1", "relu1"], op_types = ["Conv", "Relu"]}
// CHECK-SAME: {element_types = [f32], flops = 0.000000e+00 : f64, name = "memref.copy_conv1", nodes = ["conv1"], op_types = ["Conv"]}
// CHECK-SAME: {element_types = [f32], flops = 5.000000e+00 : f64, name = "scf.for_add1", nodes = ["add1"], op_types = ["Add"]}
// CHECK-SAME: {element_types = [], flops = 5.000000e+00 : f64, name = "main_graph_par1_add1", nodes = ["add1"], op_types = ["Add"]}]}
// CHECK-NOT: mcc.node_flops
// CHECK-LABEL: func.func @main_graph
// CHECK: memref.alloc
// CHECK: call @mcc_rt_parallel_for
// CHECK-NEXT: %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @mcc_rt_profile_tick(%[[K0]])
// CHECK: memref.copy
// CHECK-NEXT: %[[K1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @mcc_rt_profile_tick(%[[K1]])
// CHECK: scf.for
// CHECK: arith.addf
// CHECK: }
// CHECK-NEXT: %[[K2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: call @mcc_rt_profile_tick(%[[K2]])
// CHECK: scf.for
// CHECK: call @mcc_rt_parallel_for
// CHECK-NEXT: %[[K3:.*]] = arith.constant 3 : i32
// CHECK-NEXT: call @mcc_rt_profile_tick(%[[K3]])
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
// CHECK: func.func private @mcc_rt_profile_tick(i32)
module attributes {mcc.node_flops = {conv1 = 1.0e+03 : f64, relu1 = 0.0 : f64, add1 = 1.0e+01 : f64}} {
  func.func private @mcc_rt_parallel_for((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64)
  func.func private @main_graph_par0_conv1(%ctx: !llvm.ptr, %b: i64, %e: i64) {
    %x = arith.constant 1.0 : f32 loc("conv1"("Conv"("m.onnx":1:0)))
    %y = arith.mulf %x, %x : f32 loc("conv1"("Conv"("m.onnx":1:0)))
    %z = arith.maximumf %y, %x : f32 loc("relu1"("Relu"("m.onnx":2:0)))
    return
  }
  func.func private @main_graph_par1_add1(%ctx: !llvm.ptr, %b: i64, %e: i64) {
    %x = arith.constant 1.0 : f32
    %y = arith.addf %x, %x : f32 loc("add1"("Add"("m.onnx":3:0)))
    return
  }
  func.func @main_graph(%in: memref<16xf32>, %out: memref<16xf32>, %ctx: !llvm.ptr) {
    %buf = memref.alloc() : memref<16xf32>
    %n = arith.constant 16 : i64
    %fn = func.constant @main_graph_par0_conv1 : (!llvm.ptr, i64, i64) -> ()
    func.call @mcc_rt_parallel_for(%fn, %ctx, %n) : ((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64) -> ()
    memref.copy %in, %buf : memref<16xf32> to memref<16xf32> loc("conv1"("Conv"("m.onnx":1:0)))
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    scf.for %i = %c0 to %c16 step %c1 {
      %v = memref.load %buf[%i] : memref<16xf32>
      %w = arith.addf %v, %v : f32 loc("add1"("Add"("m.onnx":3:0)))
      memref.store %w, %out[%i] : memref<16xf32>
    }
    %c2 = arith.constant 2 : index
    scf.for %s = %c0 to %c2 step %c1 {
      %fn1 = func.constant @main_graph_par1_add1 : (!llvm.ptr, i64, i64) -> ()
      func.call @mcc_rt_parallel_for(%fn1, %ctx, %n) : ((!llvm.ptr, i64, i64) -> (), !llvm.ptr, i64) -> ()
    }
    memref.dealloc %buf : memref<16xf32>
    return
  }
}

// -----

// peel-batch's graph of one sample, called in a loop: its kernels tick
// inside it, and neither the call nor the loop is a kernel of its own.
// CHECK: module attributes {mcc.profile_kernels = [
// CHECK-SAME: {element_types = [f32], flops = 0.000000e+00 : f64, name = "memref.copy_id1", nodes = ["id1"], op_types = ["Identity"]}]}
// CHECK-LABEL: func.func @main_graph
// CHECK: scf.for
// CHECK-NEXT: func.call @main_graph_sample
// CHECK-NEXT: }
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @main_graph_sample
// CHECK: memref.copy
// CHECK-NEXT: %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @mcc_rt_profile_tick(%[[K0]])
// CHECK-NEXT: return
module {
  func.func @main_graph(%in: memref<4x16xf32>, %out: memref<4x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %s = %c0 to %c4 step %c1 {
      func.call @main_graph_sample(%in, %out) : (memref<4x16xf32>, memref<4x16xf32>) -> ()
    }
    return
  }
  func.func private @main_graph_sample(%in: memref<4x16xf32>, %out: memref<4x16xf32>) {
    memref.copy %in, %out : memref<4x16xf32> to memref<4x16xf32> loc("id1"("Identity"("m.onnx":1:0)))
    return
  }
}
