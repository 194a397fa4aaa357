//===- HtmlReport.h - mcc --report: one self-contained page -----*- C++ -*-===//
//
// What the compiler made of a model, for a person: the ONNX nodes grouped
// into the kernels of the artifact (a layered graph, in run order), each
// kernel's precision, layout and FLOPs and, given a profile, its share of
// the run as colour; then the tables (kernels, the passes' decisions,
// nodes that became no kernel). Plain data in, HTML out: the driver
// collects the data from the module (lib/driver/Report.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_REPORT_HTMLREPORT_H
#define MCC_LIB_REPORT_HTMLREPORT_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mcc::report {

/// One ONNX node of the imported graph (after shape inference).
struct Node {
  std::string name, opType;
  std::vector<std::string> inputs; ///< the nodes producing its operands
  std::string resultType;          ///< its first result, e.g. "1x64x56x56xf32"
};

/// One kernel of the artifact (profile-kernels' description).
struct Kernel {
  std::string name;
  std::vector<std::string> nodes, opTypes;
  double flops = 0;
  std::vector<std::string> elementTypes; ///< of the buffers it works on
};

/// A line a pass recorded about some nodes (passes/common/Decisions.h).
struct Decision {
  std::string pass, decision;
  std::vector<std::string> nodes;
};

struct Data {
  std::string modelFile, modelName, target, options;
  std::vector<Node> nodes;
  std::vector<Kernel> kernels;
  std::vector<Decision> decisions;
  /// Milliseconds per run of each kernel (a profile); empty without one.
  std::vector<double> kernelMs;
  std::string profileSource; ///< where the times came from
};

/// The page: HTML with inline CSS, SVG and a few lines of script; nothing
/// fetched from the network.
std::string renderHtml(const Data &data);

/// Kernel times from a Chrome trace written by `mcc-run --profile-json`
/// (or mcc.Profile.save_chrome_trace) of the same build: one "X" event per
/// kernel with args.index. Fails when the kernels' count or names differ.
llvm::Error readKernelTimes(const std::string &path,
                            const std::vector<Kernel> &kernels,
                            std::vector<double> &ms);

} // namespace mcc::report

#endif // MCC_LIB_REPORT_HTMLREPORT_H
