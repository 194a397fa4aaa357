//===- Pipeline.h - Pass pipelines per target and -O level ------*- C++ -*-===//

#ifndef MCC_LIB_PIPELINE_PIPELINE_H
#define MCC_LIB_PIPELINE_PIPELINE_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace mcc {

/// Every dialect, interface and extension the pipelines touch.
void registerMccDialects(mlir::DialectRegistry &registry);
/// Every pass (mcc's and upstream's), so pipelines parse from text.
void registerAllMccPasses();

/// onnx dialect -> linalg on tensors: shape inference, graph-level fusion,
/// lowering, elementwise fusion. `int8Activations`: every weight-only
/// quantized matmul may quantize its activations to 8 bits (fold-qdq).
/// `profile`: count each node's FLOPs for profile-kernels (mcc --profile).
std::string getOnnxToLinalgPipeline(int optLevel, bool int8Activations = false,
                                    bool profile = false);
/// linalg on tensors -> LLVM dialect for the CPU: register-tiled kernels
/// with `vectorWidth` f32 lanes per register, bufferization into caller
/// buffers, loops, LLVM conversion. `memrefDescriptors`: functions take
/// memref descriptors (needed for dynamic dims), not bare pointers.
/// `int8Isa`: the instructions of the 8-bit matmul kernels (see
/// int8MatmulIsa; "none": no kernels, loops).
std::string getCpuLoweringPipeline(int optLevel, int64_t vectorWidth,
                                   bool memrefDescriptors = false,
                                   llvm::StringRef int8Isa = "none");
/// Its two halves: kernels, bufferization and loops (down to scf/cf on
/// memrefs), then the conversion to the LLVM dialect. The calling
/// convention can wait for the first half's result: helper functions that
/// bufferization adds may take dynamic memrefs. `profile`: a timer after
/// each kernel (profile-kernels); `describeKernels`: the kernels described
/// without timers (mcc --report).
std::string getCpuBufferizePipeline(int optLevel, int64_t vectorWidth,
                                    bool memrefDescriptors,
                                    llvm::StringRef int8Isa = "none",
                                    bool profile = false,
                                    bool describeKernels = false);
std::string getCpuToLLVMPipeline(bool memrefDescriptors);

/// The pipelines are the textual contents of a pass manager anchored on
/// builtin.module: `mcc-opt --pass-pipeline='builtin.module(<text>)'`
/// replays one. Parses `pipeline` into pm (which must be anchored there).
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm,
                                llvm::StringRef pipeline);

} // namespace mcc

#endif // MCC_LIB_PIPELINE_PIPELINE_H
