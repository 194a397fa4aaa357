/* interleave.c: A/B of mcc artifacts in one process, in short turns.
 *
 *   clang-22 -O2 -Iruntime/include bench/interleave.c -o /tmp/interleave -ldl
 *   /tmp/interleave THREADS ROUNDS RUNS a.so b.so [c.so ...]
 *
 * Each round runs every artifact RUNS times in turn (after one warm-up
 * round), on the same random float inputs. Per artifact it prints the
 * median and minimum of all runs and the median over rounds of (its
 * median in the round) / (the first artifact's median in that round).
 * On a host whose speed changes for seconds at a time (a busy hyperthread
 * sibling), separate processes minutes apart compare the host's modes;
 * rounds of a few runs each see the same mode. Run it in both orders.
 * (At 2 threads each artifact has its own thread pool; prefer
 * bench/bench.py's separate runs there.)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcc/runtime.h"

enum { kMaxArtifacts = 16 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int byValue(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(const double *v, int n) {
  double *c = malloc(sizeof(double) * n);
  memcpy(c, v, sizeof(double) * n);
  qsort(c, n, sizeof(double), byValue);
  double m = c[n / 2];
  free(c);
  return m;
}

/* Tensors for `n` infos, filled with uniform [0, 1) floats (other types
 * zero). */
static mcc_tensor *makeTensors(const mcc_tensor_info *info, int n) {
  mcc_tensor *t = calloc(n ? n : 1, sizeof(mcc_tensor));
  for (int i = 0; i < n; ++i) {
    size_t count = 1;
    for (int d = 0; d < info[i].rank; ++d)
      count *= info[i].shape[d] < 0 ? 1 : (size_t)info[i].shape[d];
    size_t bytes = count * mcc_dtype_size(info[i].dtype);
    unsigned char *p = calloc(bytes ? bytes : 1, 1);
    if (info[i].dtype == MCC_FLOAT32)
      for (size_t j = 0; j < count; ++j)
        ((float *)p)[j] = (float)(rand() / ((double)RAND_MAX + 1));
    t[i] = (mcc_tensor){p, info[i].dtype, info[i].rank, info[i].shape};
  }
  return t;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc - 4 > kMaxArtifacts) {
    fprintf(stderr, "usage: %s THREADS ROUNDS RUNS a.so b.so [...]\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]), rounds = atoi(argv[2]), runs = atoi(argv[3]);
  int n = argc - 4;
  if (rounds < 1 || runs < 1) {
    fprintf(stderr, "ROUNDS and RUNS must be at least 1\n");
    return 2;
  }
  const mcc_model_api *api[kMaxArtifacts];
  mcc_model *model[kMaxArtifacts];
  mcc_tensor *in[kMaxArtifacts], *out[kMaxArtifacts];
  for (int f = 0; f < n; ++f) {
    void *lib = dlopen(argv[4 + f], RTLD_NOW | RTLD_LOCAL);
    void *get = lib ? dlsym(lib, "mcc_model_get_api") : NULL;
    if (!get) {
      fprintf(stderr, "%s: not an mcc artifact (%s)\n", argv[4 + f],
              lib ? "no mcc_model_get_api" : dlerror());
      return 1;
    }
    api[f] = ((const mcc_model_api *(*)(void))get)();
    mcc_model_options options = {0};
    options.num_threads = threads;
    mcc_error e;
    if (api[f]->open(&options, &model[f], &e) != MCC_OK) {
      fprintf(stderr, "%s: %s\n", argv[4 + f], e.message);
      return 1;
    }
    in[f] = makeTensors(api[f]->inputs, api[f]->num_inputs);
    out[f] = makeTensors(api[f]->outputs, api[f]->num_outputs);
  }
  double *t = malloc(sizeof(double) * n * rounds * runs);
  double *roundMedian = malloc(sizeof(double) * n * rounds);
  for (int r = -1; r < rounds; ++r)
    for (int f = 0; f < n; ++f)
      for (int i = 0; i < runs; ++i) {
        mcc_error e;
        double start = now();
        if (api[f]->run(model[f], in[f], api[f]->num_inputs, out[f],
                        api[f]->num_outputs, &e) != MCC_OK) {
          fprintf(stderr, "%s: %s\n", argv[4 + f], e.message);
          return 1;
        }
        if (r >= 0)
          t[(f * rounds + r) * runs + i] = now() - start;
      }
  for (int f = 0; f < n; ++f)
    for (int r = 0; r < rounds; ++r)
      roundMedian[f * rounds + r] = median(t + (f * rounds + r) * runs, runs);
  double *ratio = malloc(sizeof(double) * rounds);
  for (int f = 0; f < n; ++f) {
    double best = t[f * rounds * runs];
    for (int j = 1; j < rounds * runs; ++j)
      if (t[f * rounds * runs + j] < best)
        best = t[f * rounds * runs + j];
    for (int r = 0; r < rounds; ++r)
      ratio[r] = roundMedian[f * rounds + r] / roundMedian[r];
    printf("%-40s median %9.3f ms  min %9.3f  ratio %.3f\n", argv[4 + f],
           median(t + f * rounds * runs, rounds * runs) * 1e3, best * 1e3,
           median(ratio, rounds));
  }
  for (int f = 0; f < n; ++f)
    api[f]->close(model[f]);
  return 0;
}
