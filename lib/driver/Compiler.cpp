//===- Compiler.cpp - mcc::compileModel, stage by stage -------------------===//
//
// import -> onnx (shape inference, unsupported-op report) -> linalg -> LLVM
// dialect -> LLVM IR -> object -> shared library. `--emit` stops after any
// stage and writes what that stage holds.
//
//===----------------------------------------------------------------------===//

#include "mcc/Compiler.h"

#include "lib/driver/Diagnostics.h"
#include "lib/driver/Report.h"
#include "lib/import/Importer.h"
#include "lib/pipeline/Pipeline.h"
#include "lib/target/CHeader.h"
#include "lib/target/cpu/CpuTarget.h"
#include "passes/Passes.h"
#include "passes/common/Decisions.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace mcc;

namespace {

/// Prints "mcc: <stage> <seconds> s" under -v.
class StageClock {
public:
  explicit StageClock(bool verbose) : verbose(verbose) {}
  void done(llvm::StringRef stage) {
    auto now = std::chrono::steady_clock::now();
    if (verbose)
      llvm::errs() << llvm::format(
          "mcc: %-10s %7.3f s\n", stage.str().c_str(),
          std::chrono::duration<double>(now - last).count());
    last = now;
  }

private:
  bool verbose;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

bool runPipeline(ModuleOp module, llvm::StringRef pipeline,
                 const CompileOptions &options) {
  PassManager pm(module->getContext(), ModuleOp::getOperationName());
  if (options.timing)
    pm.enableTiming();
  if (failed(addPipeline(pm, pipeline)))
    return false;
  return succeeded(pm.run(module));
}

/// Reports every op that convert-onnx-to-linalg has no pattern for, with
/// its node, op type and the model's opset; true when there are none.
bool reportUnsupportedOps(ModuleOp module, DiagnosticReporter &reporter) {
  llvm::StringSet<> lowerable = getLowerableOnnxOps(module->getContext());
  int64_t opset = 0;
  if (auto imports =
          module->getAttrOfType<DictionaryAttr>(onnx::kOpsetImportAttr))
    if (auto v = imports.getAs<IntegerAttr>("ai.onnx"))
      opset = v.getInt();
  unsigned count = 0;
  llvm::StringMap<unsigned> perType;
  module.walk([&](Operation *op) {
    if (!isa_and_nonnull<onnx::ONNXDialect>(op->getDialect()) ||
        lowerable.contains(op->getName().getStringRef()))
      return;
    ++count;
    ++perType[op->getName().stripDialect()];
    op->emitError() << "unsupported op " << op->getName().stripDialect()
                    << " (opset " << opset << "): no lowering yet";
  });
  if (count)
    reporter.report(
        mcc::Diagnostic::Severity::Remark,
        llvm::Twine(count) + " unsupported op" + (count == 1 ? "" : "s") +
            " in " + llvm::Twine(perType.size()) + " op type" +
            (perType.size() == 1 ? "" : "s") + "; nothing was compiled");
  return count == 0;
}

bool writeText(llvm::StringRef path,
               llvm::function_ref<void(llvm::raw_ostream &)> write,
               DiagnosticReporter &reporter) {
  std::error_code ec;
  llvm::ToolOutputFile out(path.empty() ? "-" : path, ec,
                           llvm::sys::fs::OF_Text);
  if (ec) {
    reporter.error("cannot write '" + path + "': " + ec.message());
    return false;
  }
  write(out.os());
  out.keep();
  return true;
}

/// Writes `bytes` to `path` as they are.
bool writeBinary(llvm::StringRef path, llvm::StringRef bytes,
                 DiagnosticReporter &reporter) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    reporter.error("cannot write '" + path + "': " + ec.message());
    return false;
  }
  out.os() << bytes;
  out.os().flush();
  if (out.os().has_error()) {
    reporter.error("cannot write '" + path + "'");
    out.os().clear_error();
    return false;
  }
  out.keep();
  return true;
}

/// Writes the --report page (with the kernel times of
/// --report-profile, when given).
bool writeReport(const CompileOptions &options, llvm::TargetMachine &tm,
                 llvm::StringRef modelName, report::Data &data,
                 DiagnosticReporter &reporter) {
  data.modelFile = options.inputPath;
  data.modelName = modelName.str();
  data.target =
      (tm.getTargetTriple().str() + ", CPU " + tm.getTargetCPU()).str();
  if (!options.features.empty())
    data.target += ", --mattr " + options.features;
  data.options = "-O" + std::to_string(options.optLevel);
  for (const auto &[name, dims] : options.inputShapes) {
    data.options += " --input-shape " + name + ":";
    for (size_t i = 0; i < dims.size(); ++i)
      data.options += (i ? "x" : "") + std::to_string(dims[i]);
  }
  if (options.profile)
    data.options += " --profile";
  if (options.int8Activations)
    data.options += " --int8-activations";
  if (!options.int8Isa.empty())
    data.options += " --int8-kernels=" + options.int8Isa;
  if (!options.reportProfilePath.empty()) {
    if (auto err = report::readKernelTimes(options.reportProfilePath,
                                           data.kernels, data.kernelMs)) {
      reporter.error(llvm::toString(std::move(err)));
      return false;
    }
    data.profileSource = options.reportProfilePath;
  }
  std::string html = report::renderHtml(data);
  return writeBinary(options.reportPath, html, reporter);
}

} // namespace

bool mcc::compileModel(const CompileOptions &options) {
  DialectRegistry registry;
  registerMccDialects(registry);
  registerAllMccPasses();
  MLIRContext ctx(registry);
  DiagnosticReporter reporter(ctx, options.diagnosticHandler);
  StageClock clock(options.verbose);

  ImportOptions importOptions;
  for (const auto &[name, shape] : options.inputShapes)
    importOptions.inputShapes[name] =
        llvm::SmallVector<int64_t>(shape.begin(), shape.end());
  OwningOpRef<ModuleOp> module =
      importOnnxFile(options.inputPath, ctx, importOptions);
  if (!module)
    return false;
  clock.done("import");

  // Shapes first: the unsupported-op report and the signature need them
  // (onnxruntime's com.microsoft ops become ai.onnx ops on the way).
  if (!runPipeline(*module, "func.func(onnx-shape-inference)", options))
    return false;
  clock.done("shapes");
  bool supported = reportUnsupportedOps(*module, reporter);
  if (options.checkOnly && supported) {
    // Ops we know by name may still have attributes we cannot lower.
    supported = runPipeline(
        *module, "func.func(convert-onnx-to-linalg{check-only=1})", options);
    if (!supported)
      reporter.report(mcc::Diagnostic::Severity::Remark,
                      "some ops have attributes or types that cannot be "
                      "lowered yet; nothing was compiled");
  }
  if (options.checkOnly) {
    if (supported)
      reporter.report(mcc::Diagnostic::Severity::Remark,
                      "every op of '" + options.inputPath + "' is supported");
    return supported;
  }
  if (options.emit == EmitKind::Onnx)
    return writeText(
        options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); },
        reporter);
  if (!supported)
    return false;

  // The name becomes the `<name>_api` symbol and the header's prefix, so it
  // must be a C identifier; one derived from a file name is made into one
  // (lib prefix dropped: libresnet.so is model `resnet`).
  std::string modelName = options.modelName;
  if (modelName.empty()) {
    StringRef stem = llvm::sys::path::stem(
        options.outputPath.empty() ? options.inputPath : options.outputPath);
    if (stem.starts_with("lib") && stem.size() > 3)
      stem = stem.drop_front(3);
    modelName = toCIdentifier(stem);
  } else if (modelName != toCIdentifier(modelName)) {
    reporter.error("--name '" + modelName +
                   "' is not a C identifier (letters, digits, '_'; no "
                   "leading digit)");
    return false;
  }
  auto func = module->lookupSymbol<func::FuncOp>(kMainGraphName);
  FailureOr<ModelSignature> signature = extractSignature(func, modelName);
  if (failed(signature))
    return false;
  if (!options.headerPath.empty() &&
      !writeText(
          options.headerPath,
          [&](llvm::raw_ostream &os) {
            os << emitCHeader(*signature,
                              llvm::sys::path::filename(options.inputPath));
          },
          reporter))
    return false;

  // --report: the graph as imported, and what the passes decide on the way.
  report::Data reportData;
  bool wantReport = !options.reportPath.empty();
  if (wantReport) {
    reportData.nodes = collectReportNodes(*module);
    (*module)->setAttr(kRecordDecisionsAttr, UnitAttr::get(&ctx));
  }

  // The ONNX names now live in the signature; LLVM has no use for them.
  // Inputs are the caller's const buffers: bufferization must copy before
  // updating one in place (a scatter into its data input).
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    func.setArgAttrs(i, ArrayRef<NamedAttribute>{});
    func.setArgAttr(i, "bufferization.writable", BoolAttr::get(&ctx, false));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.setResultAttrs(i, ArrayRef<NamedAttribute>{});

  if (!runPipeline(*module,
                   getOnnxToLinalgPipeline(options.optLevel,
                                           options.int8Activations,
                                           options.profile || wantReport),
                   options))
    return false;
  clock.done("linalg");
  if (options.emit == EmitKind::Linalg)
    return writeText(
        options.outputPath, [&](llvm::raw_ostream &os) { module->print(os); },
        reporter);
  // Symbolic dims need memref descriptors at the graph's boundary.
  bool dynamic = static_cast<bool>(module->lookupSymbol<func::FuncOp>(
      (llvm::Twine(kMainGraphName) + "_shapes").str()));

  CpuTargetOptions targetOptions{options.triple, options.cpu, options.features,
                                 options.optLevel};
  auto tm = createTargetMachine(targetOptions);
  if (!tm) {
    reporter.error(llvm::toString(tm.takeError()));
    return false;
  }
  if (!runPipeline(
          *module,
          getCpuBufferizePipeline(
              options.optLevel, vectorWidthF32(**tm), dynamic,
              options.int8Isa.empty() ? int8MatmulIsa(**tm) : options.int8Isa,
              options.profile, wantReport),
          options))
    return false;
  if (wantReport) {
    collectReportKernels(*module, reportData);
    // A report of a build without timers: the artifact has no kernels.
    if (!options.profile)
      (*module)->removeAttr("mcc.profile_kernels");
    if (!writeReport(options, **tm, modelName, reportData, reporter))
      return false;
  }
  // Bare pointers need static memrefs in every signature (the helpers that
  // buffer deallocation adds for loops take dynamic ones).
  module->walk([&](func::FuncOp f) {
    for (Type t : f.getArgumentTypes())
      if (auto m = dyn_cast<BaseMemRefType>(t);
          m && (!m.hasRank() || !m.hasStaticShape()))
        dynamic = true;
  });
  if (!runPipeline(*module, getCpuToLLVMPipeline(dynamic), options))
    return false;
  clock.done("lowering");

  // --weights=external: <output stem>.weights beside the artifact.
  std::string weightsFile, weightsPath;
  if (options.externalWeights) {
    llvm::SmallString<256> p(options.outputPath);
    llvm::sys::path::replace_extension(p, "weights");
    weightsPath = p.str().str();
  }
  llvm::LLVMContext llvmCtx;
  auto llvmModule =
      translateAndOptimize(*module, llvmCtx, **tm, *signature, options.optLevel,
                           options.externalWeights ? &weightsFile : nullptr,
                           llvm::sys::path::filename(weightsPath));
  if (!llvmModule) {
    reporter.error(llvm::toString(llvmModule.takeError()));
    return false;
  }
  clock.done("llvm-opt");
  if (options.externalWeights &&
      !writeBinary(weightsPath, weightsFile, reporter))
    return false;
  if (options.emit == EmitKind::LLVM)
    return writeText(
        options.outputPath,
        [&](llvm::raw_ostream &os) { (*llvmModule)->print(os, nullptr); },
        reporter);

  // Object (or assembly) to the output, or to a temporary for linking.
  bool assembly = options.emit == EmitKind::Asm;
  llvm::SmallString<128> objectPath(options.outputPath);
  std::optional<llvm::FileRemover> removeObject;
  if (options.emit == EmitKind::So) {
    int fd;
    if (auto ec = llvm::sys::fs::createTemporaryFile("mcc-model", "o", fd,
                                                     objectPath)) {
      reporter.error("cannot create a temporary file: " + ec.message());
      return false;
    }
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    removeObject.emplace(objectPath);
  }
  {
    std::error_code ec;
    llvm::ToolOutputFile out(objectPath, ec,
                             assembly ? llvm::sys::fs::OF_Text
                                      : llvm::sys::fs::OF_None);
    if (ec) {
      reporter.error("cannot write '" + objectPath.str() +
                     "': " + ec.message());
      return false;
    }
    if (auto err = emitMachineCode(**llvmModule, **tm, out.os(), assembly)) {
      reporter.error(llvm::toString(std::move(err)));
      return false;
    }
    out.keep();
  }
  clock.done(assembly ? "asm" : "codegen");
  if (options.emit != EmitKind::So)
    return true;

  if (auto err = linkSharedLibrary(objectPath, options.outputPath,
                                   (*tm)->getTargetTriple())) {
    reporter.error(llvm::toString(std::move(err)));
    return false;
  }
  clock.done("link");
  return true;
}
