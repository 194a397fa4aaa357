/* peak_int8.c - the int8 multiply-add peak of the instruction mcc's int8
 * kernels use on this host (int8-matmul-kernels):
 *   AVX512-VNNI: vpdpbusd on 512 bits (64 u8 x s8 products per instruction)
 *   AVX-VNNI:    vpdpbusd on 256 bits (32)
 *   AVX512BW:    vpmaddwd + vpaddd on 512 bits (32 16-bit products per pair)
 *   AVX2:        vpmaddwd + vpaddd on 256 bits (16)
 * Each thread runs 12 independent accumulators for a fixed count.
 * bench/quantized.py compiles this with clang for the host CPU and quotes
 * the int8 GEMM as a share of it.
 *
 *   peak_int8 THREADS  ->  prints "gops=<2 x multiply-adds / s> isa=<name>"
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kChains = 12, kIters = 50 * 1000 * 1000 };

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
typedef __m512i vec;
#define ISA "avx512-vnni"
enum { kMacs = 64 };
#define SET1 _mm512_set1_epi32
#define STEP(acc, a, b) acc = _mm512_dpbusd_epi32(acc, a, b)
#define FIRST(v) _mm512_cvtsi512_si32(v)
#elif defined(__AVXVNNI__)
typedef __m256i vec;
#define ISA "avx-vnni"
enum { kMacs = 32 };
#define SET1 _mm256_set1_epi32
#define STEP(acc, a, b) acc = _mm256_dpbusd_avx_epi32(acc, a, b)
#define FIRST(v) _mm256_cvtsi256_si32(v)
#elif defined(__AVX512BW__)
typedef __m512i vec;
#define ISA "avx512"
enum { kMacs = 32 };
#define SET1 _mm512_set1_epi32
#define STEP(acc, a, b) acc = _mm512_add_epi32(acc, _mm512_madd_epi16(a, b))
#define FIRST(v) _mm512_cvtsi512_si32(v)
#else
typedef __m256i vec;
#define ISA "avx2"
enum { kMacs = 16 };
#define SET1 _mm256_set1_epi32
#define STEP(acc, a, b) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a, b))
#define FIRST(v) _mm256_cvtsi256_si32(v)
#endif

static void *spin(void *out) {
  vec acc[kChains], a[kChains];
  vec b = SET1(0x01010101);
  for (int i = 0; i < kChains; ++i) {
    acc[i] = SET1(i);
    a[i] = SET1(i + 1); /* distinct, so that no product is shared */
  }
  for (long it = 0; it < kIters; ++it) {
    for (int i = 0; i < kChains; ++i)
      STEP(acc[i], a[i], b);
    __asm__ volatile("" : "+x"(b)); /* keeps each step in the loop */
  }
  int sum = 0;
  for (int i = 0; i < kChains; ++i)
    sum += FIRST(acc[i]);
  *(int *)out = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256)
    return 2;
  pthread_t tid[256];
  int sink[256];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int t = 0; t < threads; ++t)
    pthread_create(&tid[t], NULL, spin, &sink[t]);
  for (int t = 0; t < threads; ++t)
    pthread_join(tid[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double ops = 2.0 * kMacs * kChains * (double)kIters * threads;
  printf("gops=%.1f isa=%s\n", ops / s / 1e9, ISA);
  return sink[0] == 12345; /* never true; uses the result */
}
