/* peak.c - the machine's FMA peak, measured the way the kernels use it.
 *
 * Each thread runs 12 independent chains of 8-lane fused multiply-adds
 * (enough to cover the FMA latency on two pipes) for a fixed count and
 * reports GFLOP/s; bench/bench.py compiles this with clang for the host
 * CPU and quotes kernel speeds as a share of it.
 *
 *   peak THREADS  ->  prints "gflops=<total over threads>"
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kChains = 12, kIters = 50 * 1000 * 1000 };

static void *spin(void *out) {
  __m256 acc[kChains];
  __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm256_set1_ps((float)i);
  for (long it = 0; it < kIters; ++it)
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  float sum = 0, lanes[8];
  for (int i = 0; i < kChains; ++i) {
    _mm256_storeu_ps(lanes, acc[i]);
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
  double flops = 2.0 * 8 * kChains * (double)kIters * threads;
  printf("gflops=%.1f\n", flops / s / 1e9);
  return sink[0] == 12345.0f; /* never true; uses the result */
}
