/*===- builtins.c - Compiler-rt conversions the artifact may call ---------===*
 *
 * LLVM lowers bfloat16 <-> float and double -> half conversions on x86 to
 * libcalls that live in compiler-rt, which the in-process link does not
 * include; these are the same conversions (round to nearest even, NaN kept quiet). Hidden: only
 * the generated code in the same artifact calls them.
 *===---------------------------------------------------------------------===*/
#include <stdint.h>
#include <string.h>

#define MCC_HIDDEN __attribute__((visibility("hidden")))

MCC_HIDDEN __bf16 __truncsfbf2(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  uint16_t h;
  if ((u & 0x7fffffffu) > 0x7f800000u)
    h = (uint16_t)((u >> 16) | 0x40u); /* NaN: keep it quiet */
  else
    h = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  __bf16 r;
  memcpy(&r, &h, sizeof r);
  return r;
}

/* Rounds a double to the nearest (ties to even) value of a binary format
 * with `eb` exponent bits and `mb` mantissa bits; returns its bits. One
 * rounding: going through float first would round twice. */
static uint32_t round_double(double x, int eb, int mb) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  uint32_t sign = (uint32_t)(u >> 63) << (eb + mb);
  uint64_t a = u & 0x7fffffffffffffffull;
  uint32_t inf = ((1u << eb) - 1u) << mb;
  int exp = (int)(a >> 52);
  uint64_t mant = a & ((1ull << 52) - 1);
  if (exp == 0x7ff) /* Inf stays Inf, NaN stays a quiet NaN */
    return sign | inf | (mant ? 1u << (mb - 1) : 0);
  int bias = (1 << (eb - 1)) - 1;
  int e = exp - 1023 + bias;
  if (e >= (1 << eb) - 1)
    return sign | inf;
  int shift = 52 - mb;
  uint64_t m = mant;
  if (e <= 0) { /* subnormal in the target (or zero) */
    if (e < -mb)
      return sign;
    m |= 1ull << 52;
    shift += 1 - e;
    e = 0;
  }
  uint64_t r = ((uint64_t)e << mb) + (m >> shift);
  uint64_t rem = m & ((1ull << shift) - 1), half = 1ull << (shift - 1);
  if (rem > half || (rem == half && (r & 1)))
    ++r; /* a carry into the exponent is the right rounding, up to Inf */
  return sign | (uint32_t)r;
}

MCC_HIDDEN __bf16 __truncdfbf2(double x) {
  uint16_t h = (uint16_t)round_double(x, 8, 7);
  __bf16 r;
  memcpy(&r, &h, sizeof r);
  return r;
}

MCC_HIDDEN _Float16 __truncdfhf2(double x) {
  uint16_t h = (uint16_t)round_double(x, 5, 10);
  _Float16 r;
  memcpy(&r, &h, sizeof r);
  return r;
}
