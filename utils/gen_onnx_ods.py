#!/usr/bin/env python3
"""Generate dialects/onnx/OnnxOps.td from the installed ONNX operator schemas.

Every default-domain (ai.onnx) operator is emitted at its newest version, so an
op that mcc cannot lower yet still imports and is reported by name. Conventions
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
    F = defs.OpSchema.FormalParameterOption
    args, regions, results = [], [], []
    variadic_operands = 0
    for p in s.inputs:
        ty = param_type(p, constraints)
        n = namer(p.name, "_in")
        if p.option == F.Variadic:
            variadic_operands += 1
            args.append(f"Variadic<{ty}>:${n}")
        elif p.option == F.Optional:
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
        if p.option == F.Variadic:
            results.append(f"Variadic<{ty}>:${n}")
        elif p.option == F.Optional:
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
    out.write(f"def ONNX{s.name}Op : ONNX_Op<\"{s.name}\", [{', '.join(traits)}]> {{\n")
    out.write(f"  let summary = \"ONNX {s.name} (opset {s.since_version})\";\n")
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
              f"    /// The ai.onnx opset in which this form of the op appeared.\n"
              f"    static constexpr int64_t kSinceVersion = {s.since_version};\n"
              f"  }}];\n")
    out.write("}\n\n")


# Ops with side effects or non-determinism: never Pure, so never CSE'd or DCE'd.
PURE_EXCLUDED = {
    "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
    "Multinomial", "Bernoulli", "Dropout",
}


def emit_schema_table(schemas, out):
    F = defs.OpSchema.FormalParameterOption
    out.write(f"// GENERATED by utils/gen_onnx_ods.py from onnx {onnx.__version__}. Do not edit.\n")
    out.write(f"#ifdef ONNX_SCHEMA_OPSET\nONNX_SCHEMA_OPSET({defs.onnx_opset_version()})\n#else\n")
    out.write("// ONNX_SCHEMA(name, sinceVersion, numInputs, variadicInput, numOutputs, "
              "variadicOutput,\n//             requiredAttributes, versions, minVariadicInputs, "
              "minVariadicOutputs, requiredInputs)\n")
    # Every opset at which each op changed (the importer honors an old
    # opset only where the op has not changed since).
    history = {}
    for h in defs.get_all_schemas_with_history():
        if h.domain == "":
            history.setdefault(h.name, set()).add(h.since_version)
    for s in schemas:
        vin = next((i for i, p in enumerate(s.inputs) if p.option == F.Variadic), -1)
        vout = next((i for i, p in enumerate(s.outputs) if p.option == F.Variadic), -1)
        # Space-separated: the importer checks each is present (a missing
        # one would be a null attribute behind the op's getter).
        required = " ".join(sorted(n for n, a in s.attributes.items()
                                   if a.required))
        versions = " ".join(str(v) for v in sorted(history[s.name]))
        # How many values a variadic input or output takes at least.
        vin_min = s.inputs[vin].min_arity if vin >= 0 else 0
        vout_min = s.outputs[vout].min_arity if vout >= 0 else 0
        # The inputs before the variadic one that a node must give, by
        # position: "start limit delta"; "-" marks an optional one.
        req_in = " ".join(p.name if p.option == F.Single else "-"
                          for p in s.inputs if p.option != F.Variadic)
        out.write(f"ONNX_SCHEMA({s.name}, {s.since_version}, {len(s.inputs)}, {vin}, "
                  f"{len(s.outputs)}, {vout}, \"{required}\", \"{versions}\", "
                  f"{vin_min}, {vout_min}, \"{req_in}\")\n")
    out.write("#endif\n")


def main():
    schemas = sorted(
        (s for s in defs.get_all_schemas() if s.domain == "" and not s.deprecated),
        key=lambda s: s.name)
    outdir = sys.argv[1] if len(sys.argv) > 1 else "dialects/onnx"
    with open(os.path.join(outdir, "OnnxSchema.inc"), "w") as t:
        emit_schema_table(schemas, t)
    out = open(os.path.join(outdir, "OnnxOps.td"), "w")
    out.write(
        "//===- OnnxOps.td - ONNX operators (generated) -------------*- tablegen -*-===//\n"
        "//\n"
        f"// GENERATED by utils/gen_onnx_ods.py from onnx {onnx.__version__}\n"
        f"// (ai.onnx opset {defs.onnx_opset_version()}, {len(schemas)} ops). Do not edit:\n"
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
