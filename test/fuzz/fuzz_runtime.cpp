//===- fuzz_runtime.cpp - libFuzzer harness: hostile calls into a model ---===//
//
// One compiled model (test/fuzz/models/runtime_checks.onnx: run-time
// Gather, GatherElements, ScatterND indices, Reshape/Range/Expand/Slice/Pad
// parameters, symbolic dims that must fit together) is linked with the
// instrumented runtime, and each input describes one call: tensor counts,
// every input's dtype, rank, dims and values, null data, then
// output_shapes and run with outputs of the sizes it gave (or perturbed).
// Whatever the call, the model must return a status and a terminated
// message, never crash. Buffers end against a PROT_NONE page, so a read or
// write past any input or output by the generated (uninstrumented) code
// faults; writes are also caught by a canary in the slack before the page.
//
// The input, byte by byte (a missing byte reads as 0, which means "as
// declared"; utils/gen_fuzz_seeds.py writes valid calls as seeds):
//   flags: bit0 skip output_shapes, bit1 one input too few, bit2 one
//          output too many, bit3 null input array, bit4 two threads
//   per input: dtype byte (< 200: declared, else byte - 200), rank byte
//          (< 200: declared, else byte - 200, at most 8), one byte per dim
//          (see dimFrom), a byte whose bit0 passes null data, then one
//          byte per element (see the fill functions)
//   per output: a byte (< 200: the size output_shapes gave; else dim
//          (byte - 200) % rank one larger)
//
//===----------------------------------------------------------------------===//

#include "mcc/runtime.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

extern "C" const mcc_model_api *rtfuzz_api(void);

namespace {

/// Sequential reader; bytes past the end read as 0.
struct Reader {
  const uint8_t *p, *end;
  uint8_t byte() { return p < end ? *p++ : 0; }
};

/// A buffer whose last byte sits within 64 bytes of a PROT_NONE page.
struct GuardedBuffer {
  uint8_t *map = nullptr;
  size_t mapSize = 0;
  uint8_t *data = nullptr;
  size_t size = 0;

  static constexpr uint8_t kCanary = 0xA5;

  bool allocate(size_t bytes) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t body = (bytes + 64 + page - 1) / page * page;
    mapSize = body + page;
    void *m = mmap(nullptr, mapSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
      return false;
    map = static_cast<uint8_t *>(m);
    mprotect(map + body, page, PROT_NONE);
    // 64-byte aligned start: the slack before the guard page is < 64.
    uintptr_t start = reinterpret_cast<uintptr_t>(map + body) - bytes;
    data = reinterpret_cast<uint8_t *>(start & ~uintptr_t(63));
    size = bytes;
    std::memset(map, kCanary, body);
    return true;
  }
  /// True when nothing outside [data, data + size) was written.
  bool intact() const {
    size_t body = mapSize - static_cast<size_t>(sysconf(_SC_PAGESIZE));
    for (uint8_t *q = map; q < data; ++q)
      if (*q != kCanary)
        return false;
    for (uint8_t *q = data + size; q < map + body; ++q)
      if (*q != kCanary)
        return false;
    return true;
  }
  ~GuardedBuffer() {
    if (map)
      munmap(map, mapSize);
  }
};

/// A dim from one byte: mostly the declared one or a small size, sometimes
/// negative or huge.
int64_t dimFrom(uint8_t b, int64_t declared) {
  if (b < 160)
    return declared >= 0 ? declared : b % 9;
  if (b < 250)
    return b - 160;
  static const int64_t special[] = {-1,
                                    std::numeric_limits<int32_t>::min(),
                                    int64_t(1) << 31,
                                    std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min(),
                                    int64_t(1) << 40};
  return special[b - 250];
}

int64_t intFrom(uint8_t b) {
  if (b < 0xF0)
    return static_cast<int8_t>(b);
  static const int64_t special[] = {std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min(),
                                    int64_t(1) << 31,
                                    -(int64_t(1) << 31),
                                    int64_t(1) << 40,
                                    -(int64_t(1) << 40),
                                    100,
                                    -100,
                                    1000,
                                    int64_t(1) << 20,
                                    4,
                                    -4,
                                    7,
                                    8,
                                    16,
                                    -1};
  return special[b - 0xF0];
}

float floatFrom(uint8_t b) {
  if (b < 0xF8)
    return (static_cast<int>(b) - 120) / 8.0f;
  static const float special[] = {
      std::nanf(""), INFINITY, -INFINITY, 3.0e38f,
      -3.0e38f,      -0.0f,    1.0e-40f,  std::numeric_limits<float>::max()};
  return special[b - 0xF8];
}

/// Elements of `dims`, or -1 when negative or over `limit`.
int64_t elementsOf(const std::vector<int64_t> &dims, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0)
      return -1;
  for (int64_t d : dims) {
    if (d == 0)
      return 0;
    if (n > limit / d)
      return -1;
    n *= d;
  }
  return n;
}

constexpr int64_t kMaxBytes = 1 << 22;

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

/// MCC_FUZZ_VERBOSE=1: print each call's dims and statuses (to see what
/// a seed reaches); read once.
bool verbose() {
  static const bool on = std::getenv("MCC_FUZZ_VERBOSE");
  return on;
}

/// The status is one of the ABI's, and an error carries a message.
void checkResult(const char *call, mcc_status s, const mcc_error &e) {
  check(s >= MCC_OK && s <= MCC_ERROR_OUT_OF_RANGE);
  if (verbose())
    std::fprintf(stderr, "%s: %d %.256s\n", call, s,
                 s == MCC_OK ? "" : e.message);
  if (s == MCC_OK)
    return;
  check(e.code == s);
  check(std::memchr(e.message, 0, sizeof e.message) != nullptr);
  check(e.message[0] != 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
  static const mcc_model_api *api = rtfuzz_api();
  static mcc_model *models[2] = {};
  if (!models[0]) {
    for (int i = 0; i < 2; ++i) {
      mcc_model_options o = {};
      o.num_threads = i + 1;
      mcc_error e;
      if (api->open(&o, &models[i], &e) != MCC_OK)
        std::abort();
    }
  }
  Reader r{bytes, bytes + size};
  uint8_t flags = r.byte();
  mcc_model *model = models[(flags >> 4) & 1];

  int32_t numInputs = api->num_inputs - ((flags >> 1) & 1);
  int32_t numOutputs = api->num_outputs + ((flags >> 2) & 1);
  std::vector<std::vector<int64_t>> inDims(numInputs);
  std::vector<GuardedBuffer> inBufs(numInputs);
  std::vector<mcc_tensor> inputs(numInputs);
  for (int32_t i = 0; i < numInputs; ++i) {
    const mcc_tensor_info &info = api->inputs[i];
    uint8_t dt = r.byte(), rk = r.byte();
    mcc_tensor &t = inputs[i];
    t.dtype = dt < 200 ? info.dtype : dt - 200;
    t.rank = rk < 200 ? info.rank : std::min(rk - 200, 8);
    for (int32_t d = 0; d < t.rank; ++d)
      inDims[i].push_back(
          dimFrom(r.byte(), d < info.rank ? info.shape[d] : -1));
    t.shape = inDims[i].data();
    bool nullData = r.byte() & 1;
    size_t elemSize = mcc_dtype_size(t.dtype);
    int64_t n = elementsOf(inDims[i], kMaxBytes / 8);
    t.data = nullptr;
    if (nullData || n < 0)
      continue;
    if (!inBufs[i].allocate(static_cast<size_t>(n) * (elemSize ? elemSize : 1)))
      return 0;
    t.data = inBufs[i].data;
    for (int64_t k = 0; k < n; ++k) {
      uint8_t b = r.byte();
      switch (t.dtype) {
      case MCC_INT64: {
        int64_t v = intFrom(b);
        std::memcpy(inBufs[i].data + 8 * k, &v, 8);
        break;
      }
      case MCC_FLOAT32: {
        float v = floatFrom(b);
        std::memcpy(inBufs[i].data + 4 * k, &v, 4);
        break;
      }
      default:
        std::memset(inBufs[i].data + k * elemSize, b, elemSize);
      }
    }
  }
  const mcc_tensor *inArray = (flags & 8) ? nullptr : inputs.data();
  if (verbose())
    for (int32_t i = 0; i < numInputs; ++i) {
      std::fprintf(stderr, "input %d: dtype %d dims", i, inputs[i].dtype);
      for (int64_t d : inDims[i])
        std::fprintf(stderr, " %lld", static_cast<long long>(d));
      if (inputs[i].dtype == MCC_INT64 && inputs[i].data)
        for (int64_t k = 0;
             k < std::min<int64_t>(elementsOf(inDims[i], kMaxBytes / 8), 8);
             ++k)
          std::fprintf(stderr, "%s%lld", k ? ", " : " values ",
                       static_cast<long long>(
                           static_cast<const int64_t *>(inputs[i].data)[k]));
      std::fprintf(stderr, "\n");
    }

  // Output shapes: from output_shapes, or the declared ones (symbolic as 1).
  std::vector<std::vector<int64_t>> outDims(numOutputs);
  std::vector<int64_t *> outShapePtrs(numOutputs);
  for (int32_t i = 0; i < numOutputs; ++i) {
    int32_t rank = i < api->num_outputs ? api->outputs[i].rank : 1;
    outDims[i].assign(rank, 1);
    for (int32_t d = 0; i < api->num_outputs && d < rank; ++d)
      if (api->outputs[i].shape[d] >= 0)
        outDims[i][d] = api->outputs[i].shape[d];
    outShapePtrs[i] = outDims[i].data();
  }
  mcc_error e;
  std::memset(&e, 0x5A, sizeof e);
  if (!(flags & 1)) {
    mcc_status s = api->output_shapes(model, inArray, numInputs,
                                      outShapePtrs.data(), numOutputs, &e);
    checkResult("output_shapes", s, e);
    if (s != MCC_OK)
      return 0;
  }
  std::vector<GuardedBuffer> outBufs(numOutputs);
  std::vector<mcc_tensor> outputs(numOutputs);
  for (int32_t i = 0; i < numOutputs; ++i) {
    if (verbose()) {
      std::fprintf(stderr, "output %d: dims", i);
      for (int64_t d : outDims[i])
        std::fprintf(stderr, " %lld", static_cast<long long>(d));
      std::fprintf(stderr, "\n");
    }
    uint8_t b = r.byte();
    std::vector<int64_t> &dims = outDims[i];
    if (b >= 200 && !dims.empty() &&
        dims[(b - 200) % dims.size()] < std::numeric_limits<int64_t>::max())
      ++dims[(b - 200) % dims.size()];
    mcc_tensor &t = outputs[i];
    t.dtype = i < api->num_outputs ? api->outputs[i].dtype : MCC_FLOAT32;
    t.rank = static_cast<int32_t>(dims.size());
    t.shape = dims.data();
    int64_t n = elementsOf(dims, kMaxBytes / 8);
    if (n < 0)
      return 0; // the caller could not allocate it either
    if (!outBufs[i].allocate(static_cast<size_t>(n) * mcc_dtype_size(t.dtype)))
      return 0;
    t.data = outBufs[i].data;
  }
  std::memset(&e, 0x5A, sizeof e);
  mcc_status s =
      api->run(model, inArray, numInputs, outputs.data(), numOutputs, &e);
  checkResult("run", s, e);
  for (const GuardedBuffer &b : outBufs)
    check(b.intact());
  return 0;
}
