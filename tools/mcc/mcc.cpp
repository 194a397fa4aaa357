//===- mcc.cpp - The model compiler's command line ------------------------===//

#include "mcc/Compiler.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <sstream>

static bool parseShape(const std::string &spec, std::string &name,
                       std::vector<int64_t> &dims) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return false;
  name = spec.substr(0, colon);
  std::stringstream ss(spec.substr(colon + 1));
  std::string part;
  while (std::getline(ss, part, 'x')) {
    if (part.empty() ||
        part.find_first_not_of("0123456789") != std::string::npos)
      return false;
    dims.push_back(std::stoll(part));
  }
  return true;
}

int main(int argc, char **argv) {
  CLI::App app{"mcc: compiles an ONNX model into a native shared library with "
               "a small C runtime inside (see runtime/include/mcc/runtime.h)."};
  app.footer("Example:\n  mcc resnet18.onnx -o resnet18.so\n"
             "  mcc-run resnet18.so --input input=image.npy --output-dir out/");
  mcc::CompileOptions opts;
  std::string emit = "so";
  std::string weights = "embed";
  std::vector<std::string> shapes;
  int optLevel = 2;

  app.add_option("model", opts.inputPath, "The ONNX model (.onnx) to compile")
      ->required();
  app.add_option("-o,--output", opts.outputPath,
                 "Output file (default: the model's name with the extension "
                 "of --emit; '-' writes text to stdout)");
  app.add_option("--emit", emit,
                 "Stop after a stage and write it: onnx (the onnx dialect "
                 "after shape inference), linalg (after lowering and fusion), "
                 "llvm (optimized LLVM IR), asm, obj, so (default)")
      ->check(CLI::IsMember({"onnx", "linalg", "llvm", "asm", "obj", "so"}));
  app.add_option("--weights", weights,
                 "embed (default): weights inside the .so; external: in "
                 "<output stem>.weights beside it, mmapped when the model is "
                 "opened (for models near or over 2 GiB; ship both files)")
      ->check(CLI::IsMember({"embed", "external"}));
  app.add_option("-O", optLevel,
                 "Optimization level, -O0..-O3. 0: no graph fusion, no LLVM "
                 "optimization; 1: fusion, light LLVM optimization; 2 "
                 "(default): fusion, LLVM -O2 with vectorization; 3: LLVM -O3")
      ->check(CLI::Range(0, 3));
  app.add_option("--target", opts.triple,
                 "LLVM target triple (default: the host, e.g. "
                 "x86_64-unknown-linux-gnu)");
  app.add_option("--mcpu", opts.cpu,
                 "Target CPU, e.g. znver3, skylake-avx512, or native "
                 "(default: the host's CPU)");
  app.add_option("--mattr", opts.features,
                 "Target features to add or remove, e.g. +avx2,+fma,-avx512f");
  app.add_option("--int8-kernels", opts.int8Isa,
                 "Instructions of the 8-bit matmul kernels (default: what "
                 "--mcpu/--mattr have): none (plain loops), avx2, avx-vnni, "
                 "avx512, avx512-vnni, or vnni-portable (the VNNI kernels in "
                 "plain vector code, to test them where VNNI is missing); "
                 "the artifact then needs those instructions. The 4-bit "
                 "weight kernels take the same vector width (avx512*, "
                 "vnni-portable: 16 lanes)")
      ->check(CLI::IsMember({"none", "avx2", "avx-vnni", "avx512",
                             "avx512-vnni", "vnni-portable"}));
  app.add_flag("--int8-activations", opts.int8Activations,
               "Quantize the activations of weight-only quantized matmuls "
               "(MatMulNBits, 4-bit QDQ weights) to 8 bits per row and "
               "multiply in integers (VNNI), for every such node: faster "
               "over many rows, less accurate. Without it only MatMulNBits "
               "nodes with accuracy_level 4 do");
  app.add_flag("--profile", opts.profile,
               "Compile timers into the artifact: `mcc-run --profile` (and "
               "Python's Model.run(..., profile=True)) then report the time "
               "of every kernel with the ONNX nodes it covers, its FLOPs and "
               "GFLOP/s. Off by default: without it there are no timers");
  app.add_option("--report", opts.reportPath,
                 "Also write FILE.html, one self-contained page: the ONNX "
                 "nodes grouped into the kernels mcc made (a graph), each "
                 "kernel's precision and layout, the passes' decisions "
                 "(fusions, layouts, Winograd, quantization)");
  app.add_option("--report-profile", opts.reportProfilePath,
                 "With --report: colour the kernels by their share of the "
                 "run, from TRACE.json written by `mcc-run --profile "
                 "--profile-json` for a --profile build of the same model "
                 "and options");
  app.add_option("--input-shape", shapes,
                 "Pin an input's shape, NAME:DIMS with DIMS like 1x3x224x224 "
                 "(replaces symbolic dims; repeat per input). Without it a "
                 "symbolic dim takes any size at run time; pinned shapes "
                 "get the fast kernels (tiled convs and matmuls, threads)");
  app.add_option("--name", opts.modelName,
                 "Model name in the artifact: it exports <name>_api() "
                 "(default: the output file's stem without a lib prefix, "
                 "made a C identifier)");
  app.add_option("--header", opts.headerPath,
                 "Also write a C header declaring the model's typed entry "
                 "point: <name>_open, <name>_run (one typed pointer per "
                 "input and output), <name>_close");
  app.add_flag("--check", opts.checkOnly,
               "Compile nothing; list every node that cannot be compiled: "
               "unsupported ops (node name, op type, opset) and supported "
               "ops whose attributes or types are not lowered yet (with the "
               "reason); exit 1 if there is any");
  app.add_flag("-v,--verbose", opts.verbose, "Print each stage and its time");
  app.add_flag("--timing", opts.timing, "Print MLIR's per-pass timing report");
  CLI11_PARSE(app, argc, argv);

  opts.optLevel = optLevel;
  for (const std::string &s : shapes) {
    std::string name;
    std::vector<int64_t> dims;
    if (!parseShape(s, name, dims)) {
      std::fprintf(stderr,
                   "mcc: error: --input-shape '%s': expected NAME:DIMS, e.g. "
                   "input:1x3x224x224\n",
                   s.c_str());
      return 2;
    }
    opts.inputShapes[name] = dims;
  }
  static const std::map<std::string, std::pair<mcc::EmitKind, const char *>>
      kinds = {{"onnx", {mcc::EmitKind::Onnx, ".onnx.mlir"}},
               {"linalg", {mcc::EmitKind::Linalg, ".linalg.mlir"}},
               {"llvm", {mcc::EmitKind::LLVM, ".ll"}},
               {"asm", {mcc::EmitKind::Asm, ".s"}},
               {"obj", {mcc::EmitKind::Obj, ".o"}},
               {"so", {mcc::EmitKind::So, ".so"}}};
  const auto &kind = kinds.at(emit);
  opts.emit = kind.first;
  if (opts.outputPath.empty() && !opts.checkOnly) {
    std::string stem = opts.inputPath;
    size_t slash = stem.find_last_of('/');
    if (slash != std::string::npos)
      stem = stem.substr(slash + 1);
    if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".onnx") == 0)
      stem.resize(stem.size() - 5);
    opts.outputPath = stem + kind.second;
  }
  if (opts.outputPath == "-" &&
      (opts.emit == mcc::EmitKind::So || opts.emit == mcc::EmitKind::Obj)) {
    std::fprintf(stderr, "mcc: error: binary output cannot go to stdout\n");
    return 2;
  }
  opts.externalWeights = weights == "external";
  if (opts.externalWeights && opts.emit != mcc::EmitKind::So &&
      opts.emit != mcc::EmitKind::Obj && opts.emit != mcc::EmitKind::LLVM &&
      opts.emit != mcc::EmitKind::Asm) {
    std::fprintf(stderr, "mcc: error: --weights=external needs --emit=so "
                         "(or llvm, asm, obj)\n");
    return 2;
  }
  if (opts.externalWeights && opts.outputPath == "-") {
    std::fprintf(stderr, "mcc: error: --weights=external needs an output "
                         "file (the weights go beside it)\n");
    return 2;
  }
  if (!opts.reportProfilePath.empty() && opts.reportPath.empty()) {
    std::fprintf(stderr, "mcc: error: --report-profile needs --report\n");
    return 2;
  }
  if (opts.outputPath == "-")
    opts.outputPath.clear();
  return mcc::compileModel(opts) ? 0 : 1;
}
