/* peak.c - the machine's FMA peak, measured the way the kernels use it.
 *
 * Each thread runs 12 independent chains of fused multiply-adds on the
 * widest vectors the host has (16 lanes with AVX-512, else 8: the width
 * mcc's kernels pick from the host too; enough chains to cover the FMA
 * latency on two pipes) for a fixed count and reports GFLOP/s;
 * bench/bench.py compiles this with clang for the host CPU and quotes
 * kernel speeds as a share of it. (An 8-lane peak understates a CPU with
 * full-width 512-bit FMA units by half.)
 *
 *   peak THREADS  ->  prints "gflops=<total over threads> lanes=<n>"
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512 vec;
enum { kLanes = 16 };
#define SET1 _mm512_set1_ps
#define FMADD _mm512_fmadd_ps
#define STORE _mm512_storeu_ps
#else
typedef __m256 vec;
enum { kLanes = 8 };
#define SET1 _mm256_set1_ps
#define FMADD _mm256_fmadd_ps
#define STORE _mm256_storeu_ps
#endif

enum { kChains = 12, kIters = 50 * 1000 * 1000 };

static void *spin(void *out) {
  vec acc[kChains];
  vec a = SET1(0.999f), b = SET1(1e-7f);
  for (int i = 0; i < kChains; ++i)
    acc[i] = SET1((float)i);
  for (long it = 0; it < kIters; ++it)
    for (int i = 0; i < kChains; ++i)
      acc[i] = FMADD(acc[i], a, b);
  float sum = 0, lanes[kLanes];
  for (int i = 0; i < kChains; ++i) {
    STORE(lanes, acc[i]);
    sum += lanes[0];
  }
  *(float *)out = sum; /* keeps the loop alive */
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256)
    return 2;
  pthread_t tid[256];
  float sink[256];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int t = 0; t < threads; ++t)
    pthread_create(&tid[t], NULL, spin, &sink[t]);
  for (int t = 0; t < threads; ++t)
    pthread_join(tid[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double flops = 2.0 * kLanes * kChains * (double)kIters * threads;
  printf("gflops=%.1f lanes=%d\n", flops / s / 1e9, (int)kLanes);
  return sink[0] == 12345.0f; /* never true; uses the result */
}
