//===- Pipeline.cpp - Pass pipelines per target and -O level --------------===//
//
// Pipelines are kept in their textual form: the same strings work with
// mcc-opt, so a lit test or a bug report can replay any stage.
//
//===----------------------------------------------------------------------===//

#include "lib/pipeline/Pipeline.h"

#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

void mcc::registerMccDialects(DialectRegistry &registry) {
  registry.insert<onnx::ONNXDialect, MccDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
}

void mcc::registerAllMccPasses() {
  registerAllPasses();
  mcc::registerMccPasses();
}

std::string mcc::getOnnxToLinalgPipeline(int optLevel, bool int8Activations,
                                         bool profile) {
  std::string p = profile ? "count-node-flops," : "";
  p += "func.func(onnx-shape-inference";
  // A symbolic batch that no op mixes: the graph at batch 1 (static
  // kernels) in a loop over the samples.
  if (optLevel > 0)
    p += std::string("),peel-batch,func.func(onnx-fold-batchnorm,fold-qdq") +
         (int8Activations ? "{int8-activations=1}" : "");
  p += ",convert-onnx-control-flow,convert-onnx-to-linalg,canonicalize";
  if (optLevel > 0)
    p += ",fuse-elementwise-ops,cse,canonicalize";
  // Symbolic dims: the run-time shape work and checks get a function of
  // their own, which the runtime calls before the graph.
  p += "),create-shape-function";
  return p;
}

std::string mcc::getCpuLoweringPipeline(int optLevel, int64_t vectorWidth,
                                        bool memrefDescriptors,
                                        StringRef int8Isa) {
  return getCpuBufferizePipeline(optLevel, vectorWidth, memrefDescriptors,
                                 int8Isa) +
         "," + getCpuToLLVMPipeline(memrefDescriptors);
}

std::string mcc::getCpuBufferizePipeline(int optLevel, int64_t vectorWidth,
                                         bool memrefDescriptors,
                                         StringRef int8Isa, bool profile,
                                         bool describeKernels) {
  // From -O1: conv activations are stored NHWC; 3x3 convs go through
  // Winograd's transforms; contractions become register-tiled vector
  // kernels with their epilogue; the ones that cannot get the epilogue
  // fused by rows and a vectorizable row update.
  std::string vw = "{vector-width=" + std::to_string(vectorWidth) + "}";
  // Register tiles of up to 8 rows x 2 vectors with AVX-512's 32 vector
  // registers, 6 x 2 with 16 (MobileNetV2 on a Zen 4 core: 8 rows ran
  // 5-8% faster than 6, 10 and 12 slower again; GEMMs and ResNet-50 the
  // same or better). GEMMs whose weight panels serve 256 rows or more
  // take 6 rows x 4 vectors there (fewer loads per FMA; see wideTiles).
  std::string tileRows = vectorWidth >= 16 ? "8" : "6";
  // 8-bit matmuls after channels-last, which leaves a conv's epilogue
  // (requantization, residual) reading its rows in order, so the kernel
  // takes it: a kernel where the weights are constants and the target has
  // the instructions, one generic loop nest otherwise.
  std::string mccOps;
  if (optLevel > 0 && int8Isa != "none")
    mccOps +=
        "int8-matmul-kernels{isa=" + int8Isa.str() + " rows=" + tileRows + "},";
  // 4-bit weights of few-row matmuls (fold-qdq's mcc.wmatmul), unpacked
  // in registers, as wide as the integer kernels (vnni-portable: the
  // AVX-512 shapes on any host, which the e2e suite tests that way).
  int64_t int4Lanes = vectorWidth;
  if (int8Isa.starts_with("avx512") || int8Isa == "vnni-portable")
    int4Lanes = 16;
  else if (int8Isa.starts_with("avx"))
    int4Lanes = 8;
  if (optLevel > 0)
    mccOps +=
        "int4-matmul-kernels{vector-width=" + std::to_string(int4Lanes) + "},";
  mccOps += "lower-mcc-to-linalg";
  std::string p;
  if (optLevel == 0)
    p += "func.func(" + mccOps + "),";
  else
    p += "func.func(channels-last,canonicalize," + mccOps + ",winograd-convs" +
         vw +
         ",fuse-depthwise-pointwise,canonicalize,tile-dynamic-rows,"
         "register-tile-contractions{"
         "vector-width=" +
         std::to_string(vectorWidth) + " rows=" + tileRows +
         (vectorWidth >= 16 ? " wide-rows=6" : "") + "}" +
         ",canonicalize,fuse-contraction-epilogues,canonicalize,"
         "tile-transposes,order-contraction-loops,approximate-math,"
         // After the greedy passes, which would fold the kernel's other
         // readers back onto its own result (see pad-in-producer).
         "reassociate-reductions,pad-in-producer,vectorize-window-copies),";
  return p + // A kernel whose result is inserted into a bigger tensor
             // (Concat) writes into that tensor's slice instead of its own
             // buffer. Then function arguments become plain memrefs with
             // identity layouts; results become caller-provided
             // out-parameters that the final computation writes directly
             // (no copy) when its buffer is static; a value returned twice
             // is copied first (after the empty-tensor elimination, which
             // would make the copy write in place).
         "eliminate-empty-tensors,func.func(distinct-return-values),"
         "one-shot-bufferize{bufferize-function-boundaries=1 "
         "function-boundary-type-conversion=identity-layout-map "
         // A Loop's carried values are new tensors each iteration.
         "allow-return-allocs-from-loops=1},"
         "buffer-results-to-out-params{hoist-static-allocs=1 "
         "modify-public-functions=1},func.func(dynamic-results-in-place),"
         "buffer-deallocation-pipeline,"
         "convert-bufferization-to-memref,"
         // Weights as flat arrays (fast to translate); one arena per call for
         // the intermediates, with reuse.
         // Sizes read from the inputs: checked before they are summed.
         "guard-alloc-sizes,flatten-memref-globals,func.func(" +
         std::string(memrefDescriptors ? "" : "retype-empty-arguments,") +
         "plan-arena),"
         // Weight prefetches while the kernels' scf.forall still names
         // their passes over a panel. Then parallel dims become
         // scf.parallel; the outermost ones with enough work run on the
         // runtime's thread pool.
         // An op whose output may be empty is skipped when it is (its loops
         // would still count through the other dims).
         "func.func(guard-empty-outputs," +
         std::string(optLevel > 0 ? "prefetch-weights," : "") +
         "scf-forall-to-parallel,convert-linalg-to-parallel-loops),"
         "convert-parallel-loops-to-runtime,func.func(promote-loop-buffers" +
         std::string(optLevel > 0 ? ",prefetch-epilogue-operands" : "") + ")," +
         // mcc --profile: the kernels are the graph's ops by now.
         std::string(profile           ? "profile-kernels,"
                     : describeKernels ? "profile-kernels{timers=0},"
                                       : "") +
         // Indices read from data: compares and a call on the cold path.
         "lower-index-checks,"
         // Transposed (channel-lane) stores and gathers become scalar ops.
         "convert-vector-to-scf{full-unroll=1},"
         // (LLVM 22's expand-strided-metadata crashes on expand_shapes
         // with two dynamic dims in a group: those go first.)
         "func.func(lower-dynamic-expand-shapes),expand-strided-metadata,"
         "lower-affine,convert-scf-to-cf,"
         // The shape function's checks return an error code.
         "lower-shape-checks";
}

std::string mcc::getCpuToLLVMPipeline(bool memrefDescriptors) {
  return std::string(
             "lower-mcc-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
             "convert-vector-to-llvm,"
             "finalize-memref-to-llvm{use-generic-functions=1},"
             "convert-arith-to-llvm,convert-cf-to-llvm,") +
         // Bare pointers when every graph buffer has a static shape; the
         // descriptors (pointer, offset, sizes, strides) otherwise.
         (memrefDescriptors ? "convert-func-to-llvm,"
                            : "convert-func-to-llvm{use-bare-ptr-memref-call-"
                              "conv=1},") +
         "convert-ub-to-llvm,reconcile-unrealized-casts";
}

LogicalResult mcc::addPipeline(OpPassManager &pm, StringRef pipeline) {
  std::string err;
  llvm::raw_string_ostream os(err);
  if (failed(parsePassPipeline(pipeline, pm, os))) {
    llvm::errs() << "mcc: internal error: bad pipeline: " << err << "\n";
    return failure();
  }
  return success();
}
