//===- Profile.h - mcc-run --profile: per-kernel times ----------*- C++ -*-===//

#ifndef MCC_TOOLS_MCC_RUN_PROFILE_H
#define MCC_TOOLS_MCC_RUN_PROFILE_H

#include "mcc/runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mcc {

/// Kernel times summed over `runs` profiled runs (api->num_kernels
/// entries, nanoseconds), and the runs' median wall time.
struct KernelProfile {
  std::vector<uint64_t> ns;
  int runs = 0;
  double medianRunMs = 0;
};

/// The kernels sorted by time: time per run, share, cumulative share,
/// GFLOP/s where the FLOPs are known, and the ONNX nodes each covers.
void printProfileTable(std::FILE *out, const mcc_model_api &api,
                       const KernelProfile &profile);

/// The same as a Chrome trace (chrome://tracing, Perfetto): one run's
/// kernels in order, each the average of the profiled runs, with nodes,
/// op types, FLOPs and GFLOP/s in its args.
bool writeChromeTrace(const std::string &path, const mcc_model_api &api,
                      const KernelProfile &profile, std::string &error);

} // namespace mcc

#endif // MCC_TOOLS_MCC_RUN_PROFILE_H
