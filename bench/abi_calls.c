/* Time per mcc_model_api.run call of an artifact with static shapes, from
 * C: the baseline that bench/python_overhead.py subtracts from mcc's
 * Python Model.run. Inputs are zero-filled buffers of the declared shapes.
 *
 *   abi_calls <model.so> <calls per round> <rounds>
 * prints one line per round: nanoseconds per call. */
#include "mcc/runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int fill(const mcc_tensor_info *info, int n, mcc_tensor *out) {
  for (int i = 0; i < n; ++i) {
    size_t count = 1;
    for (int d = 0; d < info[i].rank; ++d) {
      if (info[i].shape[d] < 0)
        return 0; /* symbolic dims: not this bench's case */
      count *= (size_t)info[i].shape[d];
    }
    out[i].data = calloc(count ? count : 1, mcc_dtype_size(info[i].dtype));
    out[i].dtype = info[i].dtype;
    out[i].rank = info[i].rank;
    out[i].shape = info[i].shape;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s model.so calls rounds\n", argv[0]);
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  const mcc_model_api *(*get)(void) =
      (const mcc_model_api *(*)(void))dlsym(lib, "mcc_model_get_api");
  const mcc_model_api *api = get();
  mcc_model_options options = {0};
  options.num_threads = 1;
  mcc_model *model;
  mcc_error error;
  if (api->open(&options, &model, &error) != MCC_OK) {
    fprintf(stderr, "%s\n", error.message);
    return 1;
  }
  mcc_tensor *in = calloc(api->num_inputs + 1, sizeof(mcc_tensor));
  mcc_tensor *out = calloc(api->num_outputs + 1, sizeof(mcc_tensor));
  if (!fill(api->inputs, api->num_inputs, in) ||
      !fill(api->outputs, api->num_outputs, out)) {
    fprintf(stderr, "symbolic dims: give a model with static shapes\n");
    return 1;
  }
  long calls = atol(argv[2]), rounds = atol(argv[3]);
  for (long r = 0; r < rounds; ++r) {
    double t0 = now_ns();
    for (long c = 0; c < calls; ++c)
      if (api->run(model, in, api->num_inputs, out, api->num_outputs, &error) !=
          MCC_OK) {
        fprintf(stderr, "%s\n", error.message);
        return 1;
      }
    printf("%.1f\n", (now_ns() - t0) / calls);
  }
  api->close(model);
  return 0;
}
