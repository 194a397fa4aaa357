//===- Profile.cpp - mcc-run --profile: per-kernel times ------------------===//

#include "Profile.h"

#include <algorithm>
#include <fstream>
#include <numeric>

using namespace mcc;

namespace {

/// "conv1 (Conv), relu1 (Relu)", the first few nodes of a kernel.
std::string nodeList(const mcc_kernel_info &k, int most) {
  std::string s;
  for (int32_t i = 0; i < k.num_nodes && i < most; ++i)
    s += std::string(i ? ", " : "") + k.nodes[i] + " (" + k.op_types[i] + ")";
  if (k.num_nodes > most)
    s += ", +" + std::to_string(k.num_nodes - most) + " more";
  return s.empty() ? "-" : s;
}

std::string jsonString(const char *s) {
  std::string out = "\"";
  for (const char *p = s; *p; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\')
      out += std::string("\\") + char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += char(c);
  }
  return out + "\"";
}

double gflops(const mcc_kernel_info &k, double nsPerRun) {
  return k.flops > 0 && nsPerRun > 0 ? k.flops / nsPerRun : 0;
}

} // namespace

void mcc::printProfileTable(std::FILE *out, const mcc_model_api &api,
                            const KernelProfile &p) {
  int n = api.num_kernels;
  double runs = std::max(p.runs, 1);
  double total = std::accumulate(p.ns.begin(), p.ns.end(), 0.0) / runs;
  double flops = 0;
  for (int k = 0; k < n; ++k)
    flops += api.kernels[k].flops;
  std::fprintf(out,
               "profile: %d kernels, %d runs; kernels sum %.4f ms per run, "
               "the profiled runs' median %.4f ms; %.3f GFLOP per run, "
               "%.1f GFLOP/s\n",
               n, p.runs, total / 1e6, p.medianRunMs, flops / 1e9,
               total > 0 ? flops / total : 0.0);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return p.ns[a] > p.ns[b]; });
  std::fprintf(out, "%5s %10s %7s %7s %9s  %-40s %s\n", "#", "ms/run", "share",
               "cum", "GFLOP/s", "kernel", "ONNX nodes");
  double cum = 0;
  for (int k : order) {
    const mcc_kernel_info &info = api.kernels[k];
    double ns = p.ns[k] / runs;
    cum += ns;
    double g = gflops(info, ns);
    char gs[32] = "-";
    if (g > 0)
      std::snprintf(gs, sizeof gs, "%.1f", g);
    std::fprintf(out, "%5d %10.4f %6.1f%% %6.1f%% %9s  %-40s %s\n", k, ns / 1e6,
                 total > 0 ? 100 * ns / total : 0.0,
                 total > 0 ? 100 * cum / total : 0.0, gs, info.name,
                 nodeList(info, 4).c_str());
  }
}

bool mcc::writeChromeTrace(const std::string &path, const mcc_model_api &api,
                           const KernelProfile &p, std::string &error) {
  std::ofstream os(path);
  if (!os) {
    error = "cannot write '" + path + "'";
    return false;
  }
  double runs = std::max(p.runs, 1);
  os << "{\"displayTimeUnit\": \"ms\", \"otherData\": {\"model\": "
     << jsonString(api.name) << ", \"runs\": " << p.runs
     << ", \"median_run_ms\": " << p.medianRunMs << "},\n\"traceEvents\": [\n";
  double at = 0; // microseconds
  for (int k = 0; k < api.num_kernels; ++k) {
    const mcc_kernel_info &info = api.kernels[k];
    double us = p.ns[k] / runs / 1e3;
    os << (k ? ",\n" : "") << "{\"name\": " << jsonString(info.name)
       << ", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": 1, \"tid\": 1, "
       << "\"ts\": " << at << ", \"dur\": " << us
       << ", \"args\": {\"index\": " << k << ", \"nodes\": [";
    for (int32_t i = 0; i < info.num_nodes; ++i)
      os << (i ? ", " : "") << jsonString(info.nodes[i]);
    os << "], \"op_types\": [";
    for (int32_t i = 0; i < info.num_nodes; ++i)
      os << (i ? ", " : "") << jsonString(info.op_types[i]);
    os << "], \"flops\": " << info.flops
       << ", \"gflops_per_s\": " << gflops(info, us * 1e3) << "}}";
    at += us;
  }
  os << "\n]}\n";
  if (!os) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}
