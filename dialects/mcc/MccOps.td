//===- MccOps.td - The mid-level mcc dialect ---------------*- tablegen -*-===//
//
// Ops that carry decisions made by mcc's own passes, between the onnx
// dialect and upstream MLIR (../../docs/architecture.md). Today: the
// run-time check of an index read from tensor data, the integer matmul of
// quantized models and the matmul of weight-only quantized ones.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_DIALECTS_MCC_MCCOPS_TD
#define MCC_DIALECTS_MCC_MCCOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
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

def Mcc_QMatMulOp : Mcc_Op<"qmatmul", [Pure, AllTypesMatch<["init", "result"]>,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>]> {
  let summary = "8-bit integer matmul with zero points, accumulated in i32";
  let description = [{
    `init[..., m, n] = sum_k (a[..., m, k] - a_zp) * (b[k, n] - b_zp[n])`
    in 32-bit integers: ONNX's MatMulInteger, and the integer product in
    QLinearMatMul. `a` has any leading (batch) dims, `b` is one matrix
    (weights, as quantizers write them). The zero points are per tensor
    (one element), `b_zero_point` may also hold one per column. The 8-bit
    operands are signless; `a_unsigned` and `b_unsigned` say how their
    bits are read (the zero points are read the same way). `init` only
    gives the result's shape (its contents are not read).

    Named so that the CPU kernel generator (int8-matmul-kernels) packs
    the weights and picks the instructions without recognizing a matmul
    in loops; lower-mcc-to-linalg lowers what it leaves.

    ```mlir
    %c = mcc.qmatmul %a, %b, %az, %bz, %init {a_unsigned}
        : tensor<?x768xi8>, tensor<768x3072xi8>, tensor<i8>, tensor<i8>
          -> tensor<?x3072xi32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                       AnyRankedTensor:$a_zero_point,
                       AnyRankedTensor:$b_zero_point, AnyRankedTensor:$init,
                       UnitAttr:$a_unsigned, UnitAttr:$b_unsigned);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $a `,` $b `,` $a_zero_point `,` $b_zero_point `,` $init attr-dict `:`
    type($a) `,` type($b) `,` type($a_zero_point) `,` type($b_zero_point)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mcc_WMatMulOp : Mcc_Op<"wmatmul", [Pure, AllTypesMatch<["init", "result"]>,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>]> {
  let summary = "f32 activations times weights quantized in blocks along K";
  let description = [{
    `init[..., m, n] = sum_k a[..., m, k] * scale[k / block_size, n] *
    (w[k, n] - zero_point[k / block_size, n])` in f32: a MatMul whose
    weights are a DequantizeLinear blocked along K (MatMulNBits, the QDQ
    form of 4-bit weight-only quantizers), kept quantized so that a kernel
    reads them as they are stored (a batch-1 matmul is bound by the bytes
    of its weights). `w` is [K, N] 8-bit integers read per `w_unsigned`,
    `scale` and `zero_point` are [ceil(K / block_size), N]; the last block
    may be short. `init` only gives the result's shape.

    With `int8_activations` (MatMulNBits' accuracy_level 4: the model
    allows its activations quantized to 8 bits), a kernel may quantize
    each row of `a` to 8 bits and run the products in integers; every
    other lowering computes in f32, which the permission also allows.

    fold-qdq makes it where the weights fit 4 bits and the activations have
    few rows (int4-matmul-kernels packs the weights two per byte into a
    register-tiled kernel), and with `int8_activations` for any rows where
    each weight minus its zero point fits a signed byte
    (int8-matmul-kernels); lower-mcc-to-linalg lowers what they leave.

    ```mlir
    %y = mcc.wmatmul %a, %w, %s, %z, %init {block_size = 32 : i64, w_unsigned}
        : tensor<1x768xf32>, tensor<768x3072xi8>, tensor<24x3072xf32>,
          tensor<24x3072xi8> -> tensor<1x3072xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$w,
                       AnyRankedTensor:$scale, AnyRankedTensor:$zero_point,
                       AnyRankedTensor:$init, I64Attr:$block_size,
                       UnitAttr:$w_unsigned, UnitAttr:$int8_activations);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $a `,` $w `,` $scale `,` $zero_point `,` $init attr-dict `:`
    type($a) `,` type($w) `,` type($scale) `,` type($zero_point)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mcc_DotPairsOp : Mcc_Op<"dot_pairs", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["a", "b"]>]> {
  let summary = "Adds the products of 16-bit pairs to 32-bit lanes";
  let description = [{
    `result[i] = acc[i] + a[2i] * b[2i] + a[2i+1] * b[2i+1]`, the products
    and sums in 32 bits (wrapping): x86's `vpmaddwd` and an add, or with
    `vnni` the single `vpdpwssd`. A vector op with no memory effects, so
    that it lives in kernels on tensors through bufferization;
    lower-mcc-to-llvm makes it the intrinsic call, or with `portable`
    plain vector arithmetic (any target; tests of VNNI kernels on hosts
    without VNNI).

    ```mlir
    %r = mcc.dot_pairs %acc, %a, %b : vector<16xi16> into vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I16]>:$a,
                       VectorOfRankAndType<[1], [I16]>:$b, UnitAttr:$vnni,
                       UnitAttr:$portable);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($a) `into` type($acc)
  }];
  let hasVerifier = 1;
}

def Mcc_DotQuadsOp : Mcc_Op<"dot_quads", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["a", "b"]>]> {
  let summary = "Adds the products of unsigned x signed 8-bit quads";
  let description = [{
    `result[i] = acc[i] + sum_j zext(a[4i+j]) * sext(b[4i+j])`, j < 4, in
    32 bits: VNNI's `vpdpbusd` (no intermediate saturates, unlike
    `vpmaddubsw`). lower-mcc-to-llvm makes it the intrinsic, or with
    `portable` plain vector arithmetic.

    ```mlir
    %r = mcc.dot_quads %acc, %a, %b : vector<64xi8> into vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$a,
                       VectorOfRankAndType<[1], [I8]>:$b, UnitAttr:$portable);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $a `,` $b attr-dict `:` type($a) `into` type($acc)
  }];
  let hasVerifier = 1;
}

#endif // MCC_DIALECTS_MCC_MCCOPS_TD
