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

/// f32 lanes in one vector register of `tm`'s CPU (AVX-512: 16, AVX: 8,
/// otherwise 4), the width the kernels are tiled for.
int64_t vectorWidthF32(const llvm::TargetMachine &tm);

/// The instructions int8-matmul-kernels may use on `tm`'s CPU:
/// "avx512-vnni", "avx512" (AVX512BW), "avx-vnni", "avx2", or "none".
std::string int8MatmulIsa(const llvm::TargetMachine &tm);

/// --weights=external: what the artifact records about its weights file.
struct ExternalWeights {
  std::string fileName; ///< looked up next to the artifact
  uint64_t size = 0;    ///< bytes of data (after the file's header)
  uint64_t id = 0;      ///< content hash, also in the file's header
  llvm::GlobalVariable *slot = nullptr; ///< `mcc__weights`; null: none moved
};

/// Moves every large constant global of `module` into `file`, the whole
/// weights file (the 64-byte header runtime/src/weights.c checks, then the
/// data, 64-byte aligned), and rewrites its users to address
/// `mcc__weights`, which the runtime sets to the mapped data. Returns size,
/// id and that slot.
ExternalWeights externalizeWeights(llvm::Module &module, std::string &file);

/// Translates a module in the LLVM dialect to LLVM IR, adds the model
/// descriptor that the runtime reads, hides everything but the ABI, and runs
/// the LLVM optimization pipeline for the target machine. With
/// `weightsFile`, the weights move into that file's bytes (see
/// externalizeWeights) and the descriptor names `weightsFileName`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &llvmCtx,
                     llvm::TargetMachine &tm, const ModelSignature &signature,
                     int optLevel, std::string *weightsFile = nullptr,
                     llvm::StringRef weightsFileName = {});

/// One kernel of a `--profile` artifact (runtime.h's mcc_kernel_info),
/// from profile-kernels' `mcc.profile_kernels` module attribute.
struct ProfiledKernel {
  std::string name;
  std::vector<std::string> nodes, opTypes;
  double flops = 0;
};

/// Adds `mcc__graph_desc`, the entry wrapper and `<name>_api` to `module`,
/// whose graph function is `graphFn` (inputs then outputs, as bare pointers
/// or memref descriptors), and the wrapper of `<graphFn>_shapes` if there
/// is one, whose checks fail with `shapeChecks`; `indexChecks` are the
/// messages of the graph's checks of indices read from data; `kernels`,
/// what a `--profile` graph's timers measure.
llvm::Error addModelDescriptor(llvm::Module &module, llvm::StringRef graphFn,
                               const ModelSignature &signature,
                               const ExternalWeights &weights = {},
                               llvm::ArrayRef<std::string> shapeChecks = {},
                               llvm::ArrayRef<std::string> indexChecks = {},
                               llvm::ArrayRef<ProfiledKernel> kernels = {});

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
