//===- fuzz_import.cpp - libFuzzer harness: model bytes to linalg ---------===//
//
// Each input is an ONNX file's bytes. The importer must turn it into a
// module or into diagnostics, never crash; a model it imports with at
// most 64 ops also goes through shape inference and the lowering to
// linalg (-O0), which must fail cleanly or succeed. Built with
// -fsanitize=fuzzer,address,undefined in a sanitizer build (MCC_SANITIZE);
// seeds: test/fuzz/seeds/import (utils/gen_fuzz_seeds.py).
//
//===----------------------------------------------------------------------===//

#include "lib/import/Importer.h"
#include "lib/pipeline/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    mcc::registerMccDialects(*r);
    mcc::registerAllMccPasses();
    return r;
  }();
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  // External data resolves beneath a folder that has no files.
  mlir::OwningOpRef<mlir::ModuleOp> module = mcc::importOnnxBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent-fuzz-dir/model.onnx", ctx, mcc::ImportOptions());
  if (!module)
    return 0;
  int64_t ops = 0;
  module->walk([&](mlir::Operation *) { ++ops; });
  if (ops > 64)
    return 0;
  mlir::PassManager pm(&ctx, mlir::ModuleOp::getOperationName());
  if (succeeded(mcc::addPipeline(pm, mcc::getOnnxToLinalgPipeline(0))))
    (void)pm.run(*module);
  return 0;
}
