// RUN: mcc-opt %s -split-input-file -verify-diagnostics

func.func @check_without_message(%i: i64, %n: index) -> index {
  // expected-error @+1 {{'mcc.check_index' op needs a message naming what is indexed}}
  %0 = mcc.check_index %i, %n "" : i64
  return %0 : index
}

// -----

func.func @check_of_a_float(%f: f32, %n: index) -> index {
  // expected-error @+1 {{operand #0 must be signless integer or index}}
  %0 = mcc.check_index %f, %n "x" : f32
  return %0 : index
}
