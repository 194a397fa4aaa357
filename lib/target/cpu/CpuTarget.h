//===- CpuTarget.h - Object emission and linking for LLVM CPUs --*- C++ -*-===//

#ifndef MCC_LIB_TARGET_CPU_CPUTARGET_H
#define MCC_LIB_TARGET_CPU_CPUTARGET_H

#include "lib/target/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mcc {

struct CpuTargetOptions {
  std::string triple;   // empty: the host
  std::string cpu;      // empty or "native": the host CPU
  std::string features; // e.g. "+avx2,+fma"; empty: the CPU's own
  int optLevel = 2;
};

/// A TargetMachine for `options` (PIC, since artifacts are shared libraries).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTargetOptions &options);

/// Translates a module in the LLVM dialect to LLVM IR, adds the model
/// descriptor that the runtime reads, hides everything but the ABI, and runs
/// the LLVM optimization pipeline for the target machine.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &llvmCtx,
                     llvm::TargetMachine &tm, const ModelSignature &signature,
                     int optLevel);

/// Adds `mcc__graph_desc`, the entry wrapper and `<name>_api` to `module`,
/// whose graph function is `graphFn` (inputs then outputs, bare pointers).
llvm::Error addModelDescriptor(llvm::Module &module, llvm::StringRef graphFn,
                               const ModelSignature &signature);

/// Writes the module as an object file or assembly text.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::raw_pwrite_stream &os, bool assembly);

/// Links `objectPath` and the embedded runtime into the shared library
/// `outputPath` with the in-process lld.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath,
                              const llvm::Triple &triple);

} // namespace mcc

#endif // MCC_LIB_TARGET_CPU_CPUTARGET_H
