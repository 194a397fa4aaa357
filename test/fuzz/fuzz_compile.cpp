//===- fuzz_compile.cpp - libFuzzer harness: model bytes to LLVM IR -------===//
//
// Each input is an ONNX file's bytes. A model that imports with at most 48
// ops goes through the whole compiler as `mcc model.onnx --emit=llvm` runs
// it at -O2 for the host: shape inference, the lowering to linalg and its
// fusions, bufferization, the lowering to the LLVM dialect, translation and
// LLVM's optimizations. Every stage must fail with diagnostics or succeed,
// never crash. Diagnostics go to stderr: run with -close_fd_mask=2 (the
// sanitizers' reports still reach the terminal). Built in sanitizer builds
// (MCC_SANITIZE); seeds: test/fuzz/seeds/import, shared with the importer's
// harness.
//
//===----------------------------------------------------------------------===//

#include "lib/import/Importer.h"
#include "lib/pipeline/Pipeline.h"
#include "mcc/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

/// A private folder for the model and its output, made for each input
/// and removed after it: external data a mutated model names resolves
/// beneath it and finds nothing.
struct WorkDir {
  llvm::SmallString<128> path;
  WorkDir() {
    if (llvm::sys::fs::createUniqueDirectory("mcc-fuzz-compile", path))
      std::abort();
  }
  ~WorkDir() { (void)llvm::sys::fs::remove_directories(path); }
  std::string file(llvm::StringRef name) const {
    return (path + "/" + name).str();
  }
};

/// Ops in the module the importer makes of `bytes`; -1 if it refuses it.
int64_t importedOps(llvm::StringRef bytes, const WorkDir &dir) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    mcc::registerMccDialects(*r);
    return r;
  }();
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module = mcc::importOnnxBytes(
      bytes, dir.file("model.onnx"), ctx, mcc::ImportOptions());
  if (!module)
    return -1;
  int64_t ops = 0;
  module->walk([&](mlir::Operation *) { ++ops; });
  return ops;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  // The importer's own harness covers what it refuses; big models only
  // slow the search down.
  WorkDir dir;
  int64_t ops = importedOps(bytes, dir);
  if (ops < 0 || ops > 48)
    return 0;
  mcc::CompileOptions options;
  options.inputPath = dir.file("model.onnx");
  options.outputPath = dir.file("model.ll");
  options.emit = mcc::EmitKind::LLVM;
  // One input in four also takes --profile and --report (the timers, the
  // kernels' description, the passes' decisions and the HTML page).
  if (size % 4 == 0) {
    options.profile = true;
    options.reportPath = dir.file("report.html");
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(options.inputPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      std::abort();
    out << bytes;
  }
  (void)mcc::compileModel(options);
  return 0;
}
