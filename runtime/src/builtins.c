/*===- builtins.c - Compiler-rt conversions the artifact may call ---------===*
 *
 * LLVM lowers bfloat16 <-> float conversions on x86 to libcalls that live in
 * compiler-rt, which the in-process link does not include; these are the
 * same conversions (round to nearest even, NaN kept quiet). Hidden: only
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

MCC_HIDDEN __bf16 __truncdfbf2(double x) { return __truncsfbf2((float)x); }
