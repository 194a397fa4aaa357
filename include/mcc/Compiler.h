//===- mcc/Compiler.h - The compiler's public C++ API -----------*- C++ -*-===//
//
// Options in, artifact out. The mcc tool is a thin command line over this.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_COMPILER_H
#define MCC_COMPILER_H

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mcc {

/// One message of a compilation.
struct Diagnostic {
  enum class Severity {
    Error,
    Warning,
    Note,   ///< more about the diagnostic before it
    Remark, ///< a summary line (e.g. how many ops are unsupported)
  };
  Severity severity = Severity::Error;
  std::string message;
  /// Where, as the command line prints it: "model.onnx: node 'conv1'
  /// (Conv)", every node of a fused op joined by " + ", or a file and
  /// line; empty when the message is about no place.
  std::string location;
  /// The ONNX node it concerns (the first one of a fused op): its name,
  /// op type and model file; empty when it concerns no node.
  std::string node;
  std::string opType;
  std::string file;
};

/// The line the command line prints: "mcc: error: <location>: <message>"
/// ("mcc: <message>" for a remark).
std::string formatDiagnostic(const Diagnostic &diagnostic);

/// Where compilation stops and what it writes.
enum class EmitKind {
  Onnx,   ///< the onnx dialect after import and shape inference (MLIR text)
  Linalg, ///< linalg on tensors after lowering and fusion (MLIR text)
  LLVM,   ///< optimized LLVM IR (text)
  Asm,    ///< target assembly
  Obj,    ///< relocatable object
  So      ///< shared library with the runtime and the weights
};

struct CompileOptions {
  std::string inputPath;
  std::string outputPath;
  EmitKind emit = EmitKind::So;
  int optLevel = 2;
  std::string triple;   ///< empty: the host
  std::string cpu;      ///< empty or "native": the host CPU
  std::string features; ///< LLVM feature string, e.g. "+avx2,+fma"
  /// Instructions of the 8-bit matmul kernels (int8-matmul-kernels' isa);
  /// empty: what the target has.
  std::string int8Isa;
  /// Quantize the activations of every weight-only quantized matmul
  /// (MatMulNBits, 4-bit QDQ weights) to 8 bits and multiply in integers,
  /// as MatMulNBits' accuracy_level 4 allows for its own node.
  bool int8Activations = false;
  /// Timers after each kernel: the artifact's run_profiled reports the
  /// time of every kernel with the ONNX nodes it covers (zero cost when
  /// off: without it the artifact has no timers).
  bool profile = false;
  /// Also write one self-contained HTML page here: the ONNX nodes grouped
  /// into the artifact's kernels, each kernel's precision and layout, and
  /// the passes' decisions; empty: none.
  std::string reportPath;
  /// Colour the report's kernels by their times in this Chrome trace
  /// (`mcc-run --profile-json` of a --profile build of the same model and
  /// options).
  std::string reportProfilePath;
  /// The model's name in the artifact (`<name>_api`); empty: the output
  /// file's stem.
  std::string modelName;
  /// Weights in `<output stem>.weights` beside the artifact, mmapped by
  /// the runtime at open, instead of inside it (models near or over 2 GiB).
  bool externalWeights = false;
  /// Also write a C header with the model's typed entry point here
  /// (`<name>_open/_run/_close`); empty: none.
  std::string headerPath;
  /// Shapes that pin an input's symbolic dims, by input name.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  bool verbose = false;   ///< one line per stage with its time
  bool timing = false;    ///< MLIR's per-pass timing report
  bool checkOnly = false; ///< import and report unsupported ops, no output
  /// Receives every diagnostic, in order; when empty, each is printed to
  /// stderr as formatDiagnostic writes it.
  std::function<void(const Diagnostic &)> diagnosticHandler;
};

/// Compiles `options.inputPath`. Diagnostics go to the handler (or
/// stderr), each naming the ONNX node it concerns. Returns true on
/// success.
bool compileModel(const CompileOptions &options);

} // namespace mcc

#endif // MCC_COMPILER_H
