//===- CpuCodegen.cpp - LLVM dialect to optimized machine code ------------===//

#include "lib/target/cpu/CpuTarget.h"

#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace llvm;

static Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

int64_t mcc::vectorWidthF32(const TargetMachine &tm) {
  const MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (tm.getTargetTriple().isX86()) {
    if (sti->checkFeatures("+avx512f"))
      return 16;
    if (sti->checkFeatures("+avx"))
      return 8;
  }
  return 4;
}

std::string mcc::int8MatmulIsa(const TargetMachine &tm) {
  const MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (!tm.getTargetTriple().isX86())
    return "none";
  if (sti->checkFeatures("+avx512bw"))
    return sti->checkFeatures("+avx512vnni") ? "avx512-vnni" : "avx512";
  if (sti->checkFeatures("+avx2"))
    return sti->checkFeatures("+avxvnni") ? "avx-vnni" : "avx2";
  return "none";
}

Expected<std::unique_ptr<TargetMachine>>
mcc::createTargetMachine(const CpuTargetOptions &options) {
  InitializeAllTargetInfos();
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  Triple triple(options.triple.empty() ? sys::getDefaultTargetTriple()
                                       : options.triple);
  std::string err;
  const Target *target = TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return makeError("target '" + triple.str() + "': " + err);
  bool host =
      options.triple.empty() ||
      Triple(sys::getDefaultTargetTriple()).getArch() == triple.getArch();
  std::string cpu = options.cpu;
  std::string features = options.features;
  if ((cpu.empty() || cpu == "native") && host) {
    cpu = sys::getHostCPUName().str();
    if (features.empty()) {
      SubtargetFeatures f;
      for (const auto &kv : sys::getHostCPUFeatures())
        f.AddFeature(kv.getKey(), kv.getValue());
      features = f.getString();
    }
  } else if (cpu == "native") {
    return makeError("--mcpu=native needs the host's architecture; give a "
                     "CPU name for " +
                     triple.str());
  }
  if (!cpu.empty()) {
    // Owned here: the sanitizer build's leak check caught it leaking.
    std::unique_ptr<MCSubtargetInfo> sti(
        target->createMCSubtargetInfo(triple, cpu, ""));
    if (!sti->isCPUStringValid(cpu))
      return makeError("unknown CPU '" + cpu + "' for " + triple.str());
  }
  TargetOptions to;
  auto level = options.optLevel >= 3   ? CodeGenOptLevel::Aggressive
               : options.optLevel == 0 ? CodeGenOptLevel::None
                                       : CodeGenOptLevel::Default;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return makeError("cannot create a target machine for " + triple.str());
  return tm;
}

Expected<std::unique_ptr<Module>>
mcc::translateAndOptimize(mlir::ModuleOp module, LLVMContext &llvmCtx,
                          TargetMachine &tm, const ModelSignature &signature,
                          int optLevel, std::string *weightsFile,
                          StringRef weightsFileName) {
  // The messages of the shape function's checks (lower-shape-checks) and
  // of the index checks (lower-index-checks), in order.
  auto messages = [&](StringRef attr) {
    std::vector<std::string> out;
    if (auto a = module->getAttrOfType<mlir::ArrayAttr>(attr))
      for (mlir::Attribute m : a)
        out.push_back(cast<mlir::StringAttr>(m).str());
    return out;
  };
  std::vector<std::string> shapeChecks = messages("mcc.shape_checks");
  std::vector<std::string> indexChecks = messages("mcc.index_checks");
  // mcc --profile: the kernels profile-kernels put timers after.
  std::vector<ProfiledKernel> kernels;
  if (auto a = module->getAttrOfType<mlir::ArrayAttr>("mcc.profile_kernels"))
    for (auto k : a.getAsRange<mlir::DictionaryAttr>()) {
      ProfiledKernel &pk = kernels.emplace_back();
      pk.name = k.getAs<mlir::StringAttr>("name").str();
      for (auto n : k.getAs<mlir::ArrayAttr>("nodes"))
        pk.nodes.push_back(cast<mlir::StringAttr>(n).str());
      for (auto n : k.getAs<mlir::ArrayAttr>("op_types"))
        pk.opTypes.push_back(cast<mlir::StringAttr>(n).str());
      pk.flops = k.getAs<mlir::FloatAttr>("flops").getValueAsDouble();
    }
  mlir::DialectRegistry registry;
  mlir::registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmCtx, "mcc_model");
  if (!llvmModule)
    return makeError("translation to LLVM IR failed");
  // Without the triple and data layout LLVM neither vectorizes for the
  // target nor expands memcpy well (TOOLCHAIN.md, pitfall 1).
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  ExternalWeights weights;
  if (weightsFile) {
    weights = externalizeWeights(*llvmModule, *weightsFile);
    weights.fileName = weightsFileName.str();
  }
  if (Error e = addModelDescriptor(*llvmModule, "main_graph", signature,
                                   weights, shapeChecks, indexChecks, kernels))
    return std::move(e);

  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PipelineTuningOptions pto;
  pto.LoopVectorization = optLevel >= 2;
  pto.SLPVectorization = optLevel >= 2;
  PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = optLevel >= 3   ? OptimizationLevel::O3
                            : optLevel == 2 ? OptimizationLevel::O2
                            : optLevel == 1 ? OptimizationLevel::O1
                                            : OptimizationLevel::O0;
  ModulePassManager mpm = level == OptimizationLevel::O0
                              ? pb.buildO0DefaultPipeline(level)
                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);
  return llvmModule;
}

Error mcc::emitMachineCode(Module &module, TargetMachine &tm,
                           raw_pwrite_stream &os, bool assembly) {
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             assembly ? CodeGenFileType::AssemblyFile
                                      : CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}
