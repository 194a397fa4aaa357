//===- OnnxBase.td - ONNX dialect definition and base op class -*- tablegen -*-===//
//
// Hand-written part of the onnx dialect: the dialect itself, the op base class
// that the generated OnnxOps.td builds on, and the few ops that are not ONNX
// operators (onnx.NoValue, onnx.Yield).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_DIALECTS_ONNX_ONNXBASE_TD
#define MCC_DIALECTS_ONNX_ONNXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let summary = "ONNX operators as imported from a model";
  let description = [{
    One op per ONNX operator of the default (ai.onnx) domain, generated from
    the operator schemas. Absent optional inputs and outputs are `none`
    values, so operand positions always match the ONNX schema. The module
    carries the model's opset imports in `onnx.opset_import`.
  }];
  let cppNamespace = "::mcc::onnx";
}

// ONNX INT attributes are signed (axis=-1 is common); upstream I64Attr's
// getter returns uint64_t, which silently breaks `axis < 0` tests.
def ONNX_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                                "64-bit integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, traits>;

def ONNXNoValueOp : ONNX_Op<"NoValue", [Pure]> {
  let summary = "Marks an absent optional input";
  let description = [{
    ONNX leaves optional inputs empty by naming them "". The importer passes
    the result of this op instead, so every op keeps the schema's operand
    positions.
  }];
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
}

def ONNXYieldOp : ONNX_Op<"Yield", [Pure, Terminator]> {
  let summary = "Ends a subgraph (an If branch, a Loop or Scan body)";
  let description = [{
    A subgraph attribute of an If, Loop or Scan node becomes a region of
    the op; its outputs, in order, are the operands of this terminator.
  }];
  let arguments = (ins Variadic<AnyType>:$outputs);
  let assemblyFormat = "attr-dict ($outputs^ `:` type($outputs))?";
}

#endif // MCC_DIALECTS_ONNX_ONNXBASE_TD
