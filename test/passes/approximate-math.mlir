// RUN: mcc-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(approximate-math))' | FileCheck %s

// f32 erf, exp and tanh, scalars and vectors, become arith/math.fma code.
// CHECK-LABEL: func.func @approximated(
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.fma
// CHECK: return
func.func @approximated(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>, f32) {
  %0 = math.erf %x : f32
  %1 = math.exp %v : vector<8xf32>
  %2 = math.tanh %x : f32
  return %0, %1, %2 : f32, vector<8xf32>, f32
}

// -----

// Must not fire: f64 keeps libm's precision; other functions (log, sin)
// keep their calls.
// CHECK-LABEL: func.func @kept(
// CHECK: math.erf %{{.*}} : f64
// CHECK: math.log %{{.*}} : f32
// CHECK: math.sin %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32, f32) {
  %0 = math.erf %x : f64
  %1 = math.log %y : f32
  %2 = math.sin %y : f32
  return %0, %1, %2 : f64, f32, f32
}
