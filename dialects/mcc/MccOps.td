//===- MccOps.td - The mid-level mcc dialect ---------------*- tablegen -*-===//
//
// Ops that carry decisions made by mcc's own passes, between the onnx
// dialect and upstream MLIR (../../docs/architecture.md). Today: the
// run-time check of an index read from tensor data.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_DIALECTS_MCC_MCCOPS_TD
#define MCC_DIALECTS_MCC_MCCOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Mcc_Dialect : Dialect {
  let name = "mcc";
  let summary = "mcc's mid-level ops: the decisions of its graph passes";
  let description = [{
    Ops that say what a pass decided, so that later passes read the
    decision instead of recognizing it again from loops and maps.
  }];
  let cppNamespace = "::mcc";
}

class Mcc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mcc_Dialect, mnemonic, traits>;

// No memory effect, so that a check dies with the read it guards (the
// shape function keeps only what sizes read), but not speculatable: it
// must not be hoisted to where the read would not run.
def Mcc_CheckIndexOp : Mcc_Op<"check_index", [NoMemoryEffect]> {
  let summary = "An index read from tensor data, checked against its bound";
  let description = [{
    Returns `index` as a position in [0, bound). With `negative`, an index
    in [-bound, 0) counts from the end (bound is added once), as ONNX's
    gathers and scatters allow. Any other value fails the check: the run
    records the failure (`message`, which names the node, with the value
    and the bound; the first failure of a run wins), the result is 0, and
    the run returns MCC_ERROR_OUT_OF_RANGE once it ends. A bound of 0 has
    no valid index, and 0 is then no position either: a read through the
    result must be guarded unless the bound is known to be positive.

    ```mlir
    %i = mcc.check_index %raw, %n negative "node 'g' (Gather): index into axis 0" : i64
    ```
  }];
  let arguments = (ins AnySignlessIntegerOrIndex:$index, Index:$bound,
                       StrAttr:$message, UnitAttr:$negative);
  let results = (outs Index:$result);
  let assemblyFormat = [{
    $index `,` $bound (`negative` $negative^)? $message attr-dict `:`
    type($index)
  }];
  let hasVerifier = 1;
}

#endif // MCC_DIALECTS_MCC_MCCOPS_TD
