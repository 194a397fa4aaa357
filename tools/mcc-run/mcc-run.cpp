//===- mcc-run.cpp - Run and benchmark a compiled model -------------------===//
//
//   mcc-run model.so --input NAME=FILE.npy ... --output-dir DIR
//   mcc-run model.so --bench 50 --threads 1 [--shape x=8x3x224x224]
//
// Loads the artifact with dlopen and uses only the runtime ABI
// (mcc/runtime.h), as any user program would.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "Profile.h"

#include "mcc/runtime.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace {

int fail(const std::string &msg) {
  std::fprintf(stderr, "mcc-run: error: %s\n", msg.c_str());
  return 1;
}

std::string safeFileName(const std::string &name) {
  std::string out = name;
  for (char &c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
          c == '-'))
      c = '_';
  return out.empty() ? "_" : out;
}

int64_t numel(const std::vector<int64_t> &shape) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end())
    return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The bytes of a tensor of `shape`, or 0 with `error` set when the dims
/// are negative or need more than this machine's memory (a size that the
/// inputs' data made: a Range's count, a ConstantOfShape's shape).
size_t tensorBytes(const std::vector<int64_t> &shape, int32_t dtype,
                   const std::string &what, std::string &error) {
  uint64_t limit =
      uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  uint64_t bytes = mcc_dtype_size(dtype);
  for (int64_t d : shape)
    if (d < 0) {
      error = what + " has a negative dimension (" + std::to_string(d) + ")";
      return 0;
    }
  // Empty whatever its other dims (a [2^40, 0] tensor needs no memory).
  if (std::find(shape.begin(), shape.end(), 0) != shape.end())
    return 0;
  for (int64_t d : shape) {
    if (bytes > limit / uint64_t(d)) {
      error = what + " would need more than this machine's " +
              std::to_string(limit >> 20) + " MiB";
      return 0;
    }
    bytes *= uint64_t(d);
  }
  return size_t(bytes);
}

/// Seeded random contents for an input the user did not give.
void fillRandom(mcc::NpyArray &a, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ui(0, 3);
  int64_t n = numel(a.shape);
  for (int64_t i = 0; i < n; ++i) {
    switch (a.dtype) {
    case MCC_FLOAT32: {
      float v = uf(rng);
      std::memcpy(&a.data[i * 4], &v, 4);
      break;
    }
    case MCC_FLOAT64: {
      double v = uf(rng);
      std::memcpy(&a.data[i * 8], &v, 8);
      break;
    }
    case MCC_INT64: {
      int64_t v = ui(rng);
      std::memcpy(&a.data[i * 8], &v, 8);
      break;
    }
    case MCC_INT32: {
      int32_t v = ui(rng);
      std::memcpy(&a.data[i * 4], &v, 4);
      break;
    }
    default:
      a.data[i * mcc_dtype_size(a.dtype)] = char(ui(rng) & 1);
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"mcc-run: runs a model compiled by mcc on .npy inputs, or "
               "benchmarks it."};
  std::string artifact, outDir, weightsPath;
  std::vector<std::string> inputs, shapes;
  int bench = 0, threads = 0, warmup = 3;
  unsigned seed = 0;
  app.add_option("artifact", artifact, "The compiled model (.so)")->required();
  app.add_option("--input", inputs,
                 "NAME=FILE.npy for one input (repeat); inputs not given are "
                 "random, seeded by --seed");
  app.add_option("--shape", shapes,
                 "NAME=DIMS (e.g. x=4x3x224x224) for a random input with "
                 "symbolic dims (repeat)");
  app.add_option("--output-dir", outDir,
                 "Write each output to DIR/<output name>.npy (characters "
                 "outside [A-Za-z0-9_.-] become _)");
  app.add_option("--bench", bench,
                 "Run N timed iterations and print median_ms=, p90_ms=");
  app.add_option("--warmup", warmup, "Untimed runs before --bench (default 3)");
  app.add_option("--threads", threads,
                 "Threads per run, the calling thread included (default 0: "
                 "every core this process may use; 1: no worker threads)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "Seed for random inputs (default 0)");
  app.add_option("--weights", weightsPath,
                 "The weights file of a --weights=external artifact "
                 "(default: the one beside the artifact)");
  app.add_flag("--info", "Print the model's inputs and outputs");
  std::string profileJson;
  app.add_flag("--profile",
               "Time every kernel of an artifact compiled with mcc --profile "
               "over the --bench runs (default 10) and print them sorted: "
               "ms per run, share, GFLOP/s, the ONNX nodes each covers");
  app.add_option("--profile-json", profileJson,
                 "With --profile: also write the profile as a Chrome trace "
                 "(chrome://tracing, ui.perfetto.dev) to FILE");
  CLI11_PARSE(app, argc, argv);

  if (artifact.find('/') == std::string::npos)
    artifact = "./" + artifact;
  void *lib = dlopen(artifact.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return fail(std::string("cannot load: ") + dlerror());
  using GetApi = const mcc_model_api *(*)();
  auto getApi = reinterpret_cast<GetApi>(dlsym(lib, "mcc_model_get_api"));
  if (!getApi)
    return fail("'" + artifact +
                "' is not an mcc artifact (no mcc_model_get_api)");
  const mcc_model_api *api = getApi();
  if (api->abi_version != MCC_ABI_VERSION)
    return fail("artifact ABI " + std::to_string(api->abi_version) +
                ", mcc-run ABI " + std::to_string(MCC_ABI_VERSION));

  if (app.count("--info")) {
    auto print = [](const char *kind, const mcc_tensor_info &t) {
      std::printf("%s %s dtype=%d shape=", kind, t.name, t.dtype);
      for (int32_t d = 0; d < t.rank; ++d)
        std::printf(d ? "x%lld" : "%lld", (long long)t.shape[d]);
      std::printf("\n");
    };
    for (int32_t i = 0; i < api->num_inputs; ++i)
      print("input", api->inputs[i]);
    for (int32_t i = 0; i < api->num_outputs; ++i)
      print("output", api->outputs[i]);
  }

  std::map<std::string, std::string> given;
  for (const std::string &s : inputs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos)
      return fail("--input '" + s + "': expected NAME=FILE.npy");
    given[s.substr(0, eq)] = s.substr(eq + 1);
  }
  std::map<std::string, std::vector<int64_t>> givenShapes;
  for (const std::string &s : shapes) {
    size_t eq = s.find('=');
    std::vector<int64_t> dims;
    bool ok = eq != std::string::npos && eq + 1 < s.size();
    for (size_t at = eq + 1; ok && at <= s.size();) {
      size_t x = s.find('x', at);
      std::string part = s.substr(at, x == std::string::npos ? x : x - at);
      char *end = nullptr;
      long long v = std::strtoll(part.c_str(), &end, 10);
      ok = !part.empty() && *end == 0 && v >= 0;
      dims.push_back(v);
      at = x == std::string::npos ? s.size() + 1 : x + 1;
    }
    if (!ok)
      return fail("--shape '" + s + "': expected NAME=DIMS such as x=1x3x8");
    givenShapes[s.substr(0, eq)] = dims;
  }
  std::mt19937 rng(seed);
  std::vector<mcc::NpyArray> in(api->num_inputs), out(api->num_outputs);
  std::vector<mcc_tensor> inT(api->num_inputs), outT(api->num_outputs);
  for (int32_t i = 0; i < api->num_inputs; ++i) {
    const mcc_tensor_info &info = api->inputs[i];
    auto it = given.find(info.name);
    if (it != given.end()) {
      std::string err;
      if (!mcc::readNpy(it->second, in[i], err, info.dtype))
        return fail(err);
      given.erase(it);
    } else {
      in[i].dtype = info.dtype;
      in[i].shape.assign(info.shape, info.shape + info.rank);
      if (auto sh = givenShapes.find(info.name); sh != givenShapes.end()) {
        in[i].shape = sh->second;
        givenShapes.erase(sh);
      } else if (std::count(in[i].shape.begin(), in[i].shape.end(), -1)) {
        return fail(std::string("input '") + info.name +
                    "' has symbolic dims: give it with --input NAME=FILE.npy "
                    "or its size with --shape NAME=DIMS");
      }
      std::string err;
      size_t bytes = tensorBytes(in[i].shape, info.dtype,
                                 std::string("input '") + info.name + "'", err);
      if (!err.empty())
        return fail(err);
      in[i].data.resize(bytes);
      fillRandom(in[i], rng);
    }
    inT[i] = {in[i].data.data(), in[i].dtype, int32_t(in[i].shape.size()),
              in[i].shape.data()};
  }
  if (!given.empty())
    return fail("--input names '" + given.begin()->first +
                "', which is not an input of the model");
  if (!givenShapes.empty())
    return fail("--shape names '" + givenShapes.begin()->first +
                "', which is not a random input of the model");

  mcc_model *model = nullptr;
  mcc_error error{};
  mcc_model_options options{};
  options.num_threads = threads;
  options.weights_path = weightsPath.empty() ? nullptr : weightsPath.c_str();
  if (api->open(&options, &model, &error) != MCC_OK)
    return fail(error.message);
  // Closed on every way out, errors included (the sanitizer build's leak
  // check runs the failing cases too).
  struct Closer {
    const mcc_model_api *api;
    mcc_model *model;
    ~Closer() { api->close(model); }
  } closer{api, model};
  // The outputs' sizes follow from the inputs (symbolic dims).
  std::vector<int64_t *> outShapes(api->num_outputs);
  for (int32_t i = 0; i < api->num_outputs; ++i) {
    out[i].shape.assign(api->outputs[i].rank, 0);
    outShapes[i] = out[i].shape.data();
  }
  if (api->output_shapes(model, inT.data(), api->num_inputs, outShapes.data(),
                         api->num_outputs, &error) != MCC_OK)
    return fail(error.message);
  for (int32_t i = 0; i < api->num_outputs; ++i) {
    out[i].dtype = api->outputs[i].dtype;
    std::string err;
    size_t bytes =
        tensorBytes(out[i].shape, out[i].dtype,
                    std::string("output '") + api->outputs[i].name + "'", err);
    if (!err.empty())
      return fail(err);
    out[i].data.resize(bytes);
    outT[i] = {out[i].data.data(), out[i].dtype, int32_t(out[i].shape.size()),
               out[i].shape.data()};
  }
  auto runOnce = [&]() {
    return api->run(model, inT.data(), api->num_inputs, outT.data(),
                    api->num_outputs, &error);
  };
  if (runOnce() != MCC_OK)
    return fail(error.message);

  if (bench > 0) {
    for (int i = 0; i < warmup; ++i)
      runOnce();
    std::vector<double> ms;
    for (int i = 0; i < bench; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      runOnce();
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("model=%s threads=%d runs=%d median_ms=%.4f p90_ms=%.4f "
                "min_ms=%.4f\n",
                api->name, threads, bench, ms[ms.size() / 2],
                ms[std::min(ms.size() - 1, size_t(ms.size() * 0.9))], ms[0]);
  }

  if (app.count("--profile")) {
    if (api->num_kernels == 0)
      return fail("'" + artifact +
                  "' has no timers: compile it with mcc --profile");
    for (int i = 0; i < warmup; ++i)
      runOnce();
    mcc::KernelProfile profile;
    profile.ns.assign(api->num_kernels, 0);
    profile.runs = bench > 0 ? bench : 10;
    std::vector<double> ms;
    for (int i = 0; i < profile.runs; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      if (api->run_profiled(model, inT.data(), api->num_inputs, outT.data(),
                            api->num_outputs, profile.ns.data(),
                            &error) != MCC_OK)
        return fail(error.message);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    profile.medianRunMs = ms[ms.size() / 2];
    mcc::printProfileTable(stdout, *api, profile);
    std::string err;
    if (!profileJson.empty() &&
        !mcc::writeChromeTrace(profileJson, *api, profile, err))
      return fail(err);
  } else if (!profileJson.empty()) {
    return fail("--profile-json needs --profile");
  }

  if (!outDir.empty()) {
    mkdir(outDir.c_str(), 0755);
    for (int32_t i = 0; i < api->num_outputs; ++i) {
      std::string err;
      std::string path =
          outDir + "/" + safeFileName(api->outputs[i].name) + ".npy";
      if (!mcc::writeNpy(path, out[i], err))
        return fail(err);
    }
  }
  return 0;
}
