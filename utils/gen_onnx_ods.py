#!/usr/bin/env python3
"""Generate dialects/onnx/OnnxOps.td from the installed ONNX operator schemas.

Every default-domain (ai.onnx) operator is emitted at its newest version, so an
op that mcc cannot lower yet still imports and is reported by name. So are the
com.microsoft ops that onnxruntime's quantizers write (MS_OPS), from the
schemas the installed onnxruntime registers: `onnx.ms.QLinearAdd`, class
ONNXMsQLinearAddOp, named "ms.QLinearAdd" in the schema table. Conventions
the importer and the lowerings rely on:

  * operand and result positions match the ONNX schema exactly: an absent
    optional input or output is a value of type `none` (from onnx.NoValue on
    the operand side), never a missing operand;
  * variadic inputs/outputs (Concat, Split, If, ...) are ODS `Variadic<>`;
  * ONNX intN maps to signless iN, uintN to unsigned uiN, bool to i1;
  * GRAPH attributes (If, Loop, Scan) become regions.

Usage: utils/gen_onnx_ods.py dialects/onnx
  writes OnnxOps.td (the ops) and OnnxSchema.inc (operand/result counts per op,
  which the importer uses to pad omitted optional inputs with `none`).
"""
import os
import keyword
import sys

import onnx
from onnx import defs

ELEM_TYPES = {
    "float": "F32", "double": "F64", "float16": "F16", "bfloat16": "BF16",
    "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64",
    "uint8": "UI8", "uint16": "UI16", "uint32": "UI32", "uint64": "UI64",
    "bool": "I1", "int4": "I<4>", "uint4": "UI<4>", "int2": "I<2>",
    "uint2": "UI<2>",
    "complex64": "Complex<F32>", "complex128": "Complex<F64>",
    "float8e4m3fn": "F8E4M3FN", "float8e4m3fnuz": "F8E4M3FNUZ",
    "float8e5m2": "F8E5M2", "float8e5m2fnuz": "F8E5M2FNUZ",
    "float8e8m0": "F8E8M0FNU", "float4e2m1": "F4E2M1FN",
    "float6e2m3": "F6E2M3FN", "float6e3m2": "F6E3M2FN",
}

AT = onnx.AttributeProto
ATTR_KINDS = {
    AT.FLOAT: "F32Attr", AT.INT: "ONNX_I64Attr", AT.STRING: "StrAttr",
    AT.FLOATS: "F32ArrayAttr", AT.INTS: "I64ArrayAttr",
    AT.STRINGS: "StrArrayAttr", AT.TENSOR: "ElementsAttr",
    AT.SPARSE_TENSOR: "AnyAttr", AT.TYPE_PROTO: "TypeAttr",
    AT.TENSORS: "ArrayAttr", AT.TYPE_PROTOS: "ArrayAttr",
}

# Identifiers the generated C++ builders cannot take as parameter names.
CPP_RESERVED = set(keyword.kwlist) | {
    "default", "case", "new", "delete", "float", "int", "double", "long",
    "template", "operator", "this", "switch", "register", "bool", "char",
    "short", "signed", "unsigned", "union", "struct", "class", "auto",
    "const", "volatile", "static", "typename", "namespace", "using",
    "public", "private", "protected", "virtual", "friend", "inline",
    "explicit", "export", "extern", "goto", "sizeof", "typedef", "void",
    "enum", "mutable", "result", "context", "odsState", "odsBuilder",
    "properties", "attributes", "operands", "regions", "location",
}


# com.microsoft ops emitted (what onnxruntime.quantization writes and
# passes/quantize/ExpandMsOps.cpp expands into ai.onnx ops).
MS_OPS = [
    "DynamicQuantizeLSTM", "DynamicQuantizeMatMul", "GatherBlockQuantized",
    "MatMulIntegerToFloat", "MatMulNBits", "QAttention", "QGemm", "QLinearAdd",
    "QLinearAveragePool",
    "QLinearConcat", "QLinearGlobalAveragePool", "QLinearLeakyRelu",
    "QEmbedLayerNormalization", "QLinearMul", "QLinearSigmoid",
    "QLinearSoftmax",
]

SINGLE, OPTIONAL, VARIADIC = "Single", "Optional", "Variadic"


class Param:
    def __init__(self, name, option, type_str, min_arity):
        self.name, self.option = name, option
        self.type_str, self.min_arity = type_str, min_arity


class Attr:
    def __init__(self, type_, required, default_value):
        self.type, self.required = type_, required
        self.default_value = default_value


class Schema:
    """What the generator reads of an onnx or an onnxruntime OpSchema."""

    def __init__(self, name, mnemonic, since_version, doc, inputs, outputs,
                 attributes, type_constraints, domain_name, versions):
        self.name, self.mnemonic = name, mnemonic
        self.since_version, self.doc = since_version, doc
        self.inputs, self.outputs = inputs, outputs
        self.attributes = attributes
        self.type_constraints = type_constraints
        self.domain_name, self.versions = domain_name, versions


def option_name(option):
    return str(option).rsplit(".", 1)[-1]


def from_onnx(s, versions):
    params = lambda ps: [Param(p.name, option_name(p.option), p.type_str,
                               p.min_arity) for p in ps]
    attrs = {n: Attr(a.type, a.required, a.default_value)
             for n, a in s.attributes.items()}
    return Schema(s.name, s.name, s.since_version, s.doc, params(s.inputs),
                  params(s.outputs), attrs, s.type_constraints, "ai.onnx",
                  versions)


def from_onnxruntime(s):
    # onnxruntime's bindings give the default as a serialized
    # AttributeProto (empty when there is none) and no min arity.
    params = lambda ps: [Param(p.name, option_name(p.option), p.typeStr, 1)
                         for p in ps]
    attrs = {}
    for n, a in s.attributes.items():
        dv = AT.FromString(a._default_value)
        attrs[n] = Attr(getattr(AT, option_name(a.type)), a.required, dv)
    return Schema(s.name, "ms." + s.name, s.since_version, s.doc,
                  params(s.inputs), params(s.outputs), attrs,
                  s.type_constraints, "com.microsoft", [s.since_version])


def camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


def type_constraint(type_strs):
    """ODS type constraint for the allowed ONNX type strings of one param."""
    elems = []
    for t in type_strs:
        if not (t.startswith("tensor(") and t.endswith(")")):
            return "AnyType"  # seq(...), optional(...), map(...)
        e = t[len("tensor("):-1]
        if e not in ELEM_TYPES:
            return "AnyTensor"  # string tensors have no MLIR builtin type
        elems.append(ELEM_TYPES[e])
    return "TensorOf<[" + ", ".join(dict.fromkeys(elems)) + "]>"


def param_type(param, constraints):
    if param.type_str in constraints:
        return constraints[param.type_str]
    return type_constraint([param.type_str])


def default_value(attr):
    """C++ expression text for DefaultValuedAttr, or None."""
    d = attr.default_value
    if not d.name:
        return None
    if attr.type == AT.INT:
        return f'"{d.i}"'
    if attr.type == AT.FLOAT:
        return f'"{float(d.f)!r}"'
    if attr.type == AT.STRING:
        s = d.s.decode()
        return '"\\"' + s.replace("\\", "\\\\").replace('"', '\\"') + '\\""'
    if attr.type == AT.INTS:
        return '"{' + ", ".join(str(i) for i in d.ints) + '}"'
    if attr.type == AT.FLOATS:
        return '"{' + ", ".join(repr(float(f)) + "f" for f in d.floats) + '}"'
    return None


class Namer:
    """Gives each operand/attribute/result a name whose ODS getter is unique."""

    def __init__(self):
        self.getters = set()

    def __call__(self, name, suffix):
        base = name if name not in CPP_RESERVED else name + "_"
        cand = base
        while camel(cand).lower() in self.getters:
            cand = cand + suffix
        self.getters.add(camel(cand).lower())
        return cand


def doc_text(text):
    text = (text or "").strip().replace("[{", "[ {").replace("}]", "} ]")
    return text


def emit_op(s, out):
    constraints = {
        t.type_param_str: type_constraint(t.allowed_type_strs)
        for t in s.type_constraints
    }
    namer = Namer()
    args, regions, results = [], [], []
    variadic_operands = 0
    for p in s.inputs:
        ty = param_type(p, constraints)
        n = namer(p.name, "_in")
        if p.option == VARIADIC:
            variadic_operands += 1
            args.append(f"Variadic<{ty}>:${n}")
        elif p.option == OPTIONAL:
            args.append(f"AnyTypeOf<[{ty}, NoneType]>:${n}")
        else:
            args.append(f"{ty}:${n}")
    for name in sorted(s.attributes):
        a = s.attributes[name]
        n = namer(name, "_attr")
        if a.type in (AT.GRAPH, AT.GRAPHS):
            regions.append(f"AnyRegion:${n}")
            continue
        kind = ATTR_KINDS[a.type]
        dv = default_value(a)
        if a.required:
            args.append(f"{kind}:${n}")
        elif dv is not None:
            args.append(f"DefaultValuedAttr<{kind}, {dv}>:${n}")
        else:
            args.append(f"OptionalAttr<{kind}>:${n}")
    for p in s.outputs:
        ty = param_type(p, constraints)
        n = namer(p.name, "_out")
        if p.option == VARIADIC:
            results.append(f"Variadic<{ty}>:${n}")
        elif p.option == OPTIONAL:
            results.append(f"AnyTypeOf<[{ty}, NoneType]>:${n}")
        else:
            results.append(f"{ty}:${n}")

    traits = []
    if s.name in PURE_EXCLUDED:
        pass
    else:
        traits.append("Pure")
    if variadic_operands > 1:
        traits.append("AttrSizedOperandSegments")
    if regions:
        traits = [t for t in traits if t != "Pure"]
    doc = doc_text(s.doc)
    cls = camel(s.mnemonic.replace(".", "_"))
    out.write(f"def ONNX{cls}Op : ONNX_Op<\"{s.mnemonic}\", [{', '.join(traits)}]> {{\n")
    label = "ONNX" if s.domain_name == "ai.onnx" else s.domain_name
    out.write(f"  let summary = \"{label} {s.name} (opset {s.since_version})\";\n")
    out.write(f"  let description = [{{\n{doc}\n  }}];\n")
    out.write("  let arguments = (ins" + "".join(
        ("\n    " if i == 0 else ",\n    ") + a for i, a in enumerate(args)) + ");\n")
    out.write("  let results = (outs" + "".join(
        ("\n    " if i == 0 else ",\n    ") + r for i, r in enumerate(results)) + ");\n")
    if regions:
        out.write("  let regions = (region " + ", ".join(regions) + ");\n")
    else:
        out.write("  let assemblyFormat = [{\n"
                  "    `(` operands `)` attr-dict `:` functional-type(operands, results)\n"
                  "  }];\n")
    out.write(f"  let extraClassDeclaration = [{{\n"
              f"    /// The {s.domain_name} opset in which this form of the op appeared.\n"
              f"    static constexpr int64_t kSinceVersion = {s.since_version};\n"
              f"  }}];\n")
    out.write("}\n\n")


# Ops with side effects or non-determinism: never Pure, so never CSE'd or DCE'd.
PURE_EXCLUDED = {
    "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
    "Multinomial", "Bernoulli", "Dropout",
}


def emit_schema_table(schemas, out):
    out.write(f"// GENERATED by utils/gen_onnx_ods.py from {SOURCES}. Do not edit.\n")
    out.write(f"#if defined(ONNX_SCHEMA_OPSET)\nONNX_SCHEMA_OPSET({defs.onnx_opset_version()})\n")
    # The input whose element type a com.microsoft op's result has (its
    # type parameter), -1 where no input shares it: what the importer
    # gives a result the model leaves untyped.
    out.write("#elif defined(ONNX_RESULT_TYPE_FROM)\n")
    for s in schemas:
        if s.domain_name == "com.microsoft":
            src = next((i for i, p in enumerate(s.inputs)
                        if p.type_str == s.outputs[0].type_str), -1)
            out.write(f"ONNX_RESULT_TYPE_FROM(\"{s.mnemonic}\", {src})\n")
    out.write("#else\n")
    out.write("// ONNX_SCHEMA(name, sinceVersion, numInputs, variadicInput, numOutputs, "
              "variadicOutput,\n//             requiredAttributes, versions, minVariadicInputs, "
              "minVariadicOutputs, requiredInputs)\n")
    for s in schemas:
        vin = next((i for i, p in enumerate(s.inputs) if p.option == VARIADIC), -1)
        vout = next((i for i, p in enumerate(s.outputs) if p.option == VARIADIC), -1)
        # Space-separated: the importer checks each is present (a missing
        # one would be a null attribute behind the op's getter).
        required = " ".join(sorted(n for n, a in s.attributes.items()
                                   if a.required))
        # Every opset at which the op changed (the importer honors an old
        # opset only where the op has not changed since).
        versions = " ".join(str(v) for v in sorted(s.versions))
        # How many values a variadic input or output takes at least.
        vin_min = s.inputs[vin].min_arity if vin >= 0 else 0
        vout_min = s.outputs[vout].min_arity if vout >= 0 else 0
        # The inputs before the variadic one that a node must give, by
        # position: "start limit delta"; "-" marks an optional one.
        req_in = " ".join(p.name if p.option == SINGLE else "-"
                          for p in s.inputs if p.option != VARIADIC)
        out.write(f"ONNX_SCHEMA(\"{s.mnemonic}\", {s.since_version}, {len(s.inputs)}, {vin}, "
                  f"{len(s.outputs)}, {vout}, \"{required}\", \"{versions}\", "
                  f"{vin_min}, {vout_min}, \"{req_in}\")\n")
    out.write("#endif\n")


def load_schemas():
    history = {}
    for h in defs.get_all_schemas_with_history():
        if h.domain == "":
            history.setdefault(h.name, set()).add(h.since_version)
    schemas = [from_onnx(s, history[s.name]) for s in defs.get_all_schemas()
               if s.domain == "" and not s.deprecated]
    from onnxruntime.capi import onnxruntime_pybind11_state as ort
    ms = {s.name: s for s in ort.get_all_operator_schema()
          if s.domain == "com.microsoft"}
    schemas += [from_onnxruntime(ms[n]) for n in MS_OPS]
    # The importer looks names up by binary search.
    return sorted(schemas, key=lambda s: s.mnemonic)


def main():
    import onnxruntime
    global SOURCES
    SOURCES = f"onnx {onnx.__version__} and onnxruntime {onnxruntime.__version__}"
    schemas = load_schemas()
    n_ms = len(MS_OPS)
    outdir = sys.argv[1] if len(sys.argv) > 1 else "dialects/onnx"
    with open(os.path.join(outdir, "OnnxSchema.inc"), "w") as t:
        emit_schema_table(schemas, t)
    out = open(os.path.join(outdir, "OnnxOps.td"), "w")
    out.write(
        "//===- OnnxOps.td - ONNX operators (generated) -------------*- tablegen -*-===//\n"
        "//\n"
        f"// GENERATED by utils/gen_onnx_ods.py from {SOURCES}\n"
        f"// (ai.onnx opset {defs.onnx_opset_version()}, {len(schemas) - n_ms} ops; {n_ms} com.microsoft ops).\n"
        "// Do not edit:\n"
        "// change the generator and run it again.\n"
        "//\n"
        "//===----------------------------------------------------------------------===//\n\n"
        "#ifndef MCC_DIALECTS_ONNX_ONNXOPS_TD\n"
        "#define MCC_DIALECTS_ONNX_ONNXOPS_TD\n\n"
        "include \"OnnxBase.td\"\n\n"
        f"defvar ONNX_GeneratedOpsetVersion = {defs.onnx_opset_version()};\n\n")
    for s in schemas:
        emit_op(s, out)
    out.write("#endif // MCC_DIALECTS_ONNX_ONNXOPS_TD\n")


if __name__ == "__main__":
    main()
