/*===- memref_copy_test.c - The runtime's memrefCopy on strided views -----===*
 *
 * memrefCopy merges dims that are contiguous on both sides before copying
 * row by row. Each case copies a view into another of the same sizes and
 * different strides (a padded buffer's interior, a transposed view, unit
 * dims with arbitrary strides) and checks every element of the
 * destination: copied where the view is, untouched elsewhere.
 *===---------------------------------------------------------------------===*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes_and_strides[8];
} desc4;

typedef struct {
  int64_t rank;
  desc4 *desc;
} unranked;

void memrefCopy(int64_t elem_size, unranked *src, unranked *dst);

enum { kRank = 4 };

static desc4 view(float *base, int64_t offset, const int64_t sizes[kRank],
                  const int64_t strides[kRank]) {
  desc4 d = {(char *)base, (char *)base, offset, {0}};
  for (int i = 0; i < kRank; ++i) {
    d.sizes_and_strides[i] = sizes[i];
    d.sizes_and_strides[kRank + i] = strides[i];
  }
  return d;
}

/* Copies the view (sizes, src strides/offset) into a buffer of `dst_len`
 * floats through (dst strides/offset), compares with a scalar copy. */
static int check(const char *name, const int64_t sizes[kRank],
                 const int64_t sst[kRank], int64_t soff,
                 const int64_t dst[kRank], int64_t doff, int64_t src_len,
                 int64_t dst_len) {
  float *s = malloc(sizeof(float) * src_len);
  float *d = malloc(sizeof(float) * dst_len);
  float *ref = malloc(sizeof(float) * dst_len);
  for (int64_t i = 0; i < src_len; ++i)
    s[i] = (float)i;
  for (int64_t i = 0; i < dst_len; ++i)
    d[i] = ref[i] = -1.0f;
  for (int64_t a = 0; a < sizes[0]; ++a)
    for (int64_t b = 0; b < sizes[1]; ++b)
      for (int64_t c = 0; c < sizes[2]; ++c)
        for (int64_t e = 0; e < sizes[3]; ++e)
          ref[doff + a * dst[0] + b * dst[1] + c * dst[2] + e * dst[3]] =
              s[soff + a * sst[0] + b * sst[1] + c * sst[2] + e * sst[3]];
  desc4 sd = view(s, soff, sizes, sst), dd = view(d, doff, sizes, dst);
  unranked su = {kRank, &sd}, du = {kRank, &dd};
  memrefCopy(sizeof(float), &su, &du);
  int bad = memcmp(d, ref, sizeof(float) * dst_len) != 0;
  if (bad)
    fprintf(stderr, "memrefCopy: %s: wrong destination\n", name);
  free(s);
  free(d);
  free(ref);
  return bad;
}

int main(void) {
  int failures = 0;
  /* 1x5x6x3 NHWC into the interior of a 1x7x8x3 zero-padded buffer: rows
   * of 6 * 3 contiguous floats on both sides. */
  {
    int64_t sizes[] = {1, 5, 6, 3}, sst[] = {90, 18, 3, 1},
            dst[] = {168, 24, 3, 1};
    failures += check("padded nhwc", sizes, sst, 0, dst, 24 + 3, 90, 168);
  }
  /* Fully contiguous on both sides: one memcpy. */
  {
    int64_t sizes[] = {2, 3, 4, 5}, st[] = {60, 20, 5, 1};
    failures += check("contiguous", sizes, st, 0, st, 0, 120, 120);
  }
  /* A transposed source: the innermost dim is strided. */
  {
    int64_t sizes[] = {1, 3, 4, 5}, sst[] = {60, 1, 15, 3},
            dst[] = {60, 20, 5, 1};
    failures += check("transposed", sizes, sst, 0, dst, 0, 60, 60);
  }
  /* Unit dims with strides that fit no merge rule, and an offset source:
   * a slice of a 1x1x4x8 buffer into 1x1x4x8 with a wider row. */
  {
    int64_t sizes[] = {1, 1, 4, 6}, sst[] = {7, 99, 8, 1},
            dst[] = {1000, 3, 10, 1};
    failures += check("unit dims", sizes, sst, 1, dst, 2, 40, 50);
  }
  /* Merge across three dims but not the outermost (padded batch). */
  {
    int64_t sizes[] = {2, 2, 3, 4}, sst[] = {24, 12, 4, 1},
            dst[] = {30, 12, 4, 1};
    failures += check("padded batch", sizes, sst, 0, dst, 1, 48, 61);
  }
  /* Short rows, copied inline (up to 64 bytes): a 1x3x7x7 NCHW image
   * into a 9x9 padded buffer (28-byte rows), and rows of 1, 3, 9 and 16
   * floats, one per size class of the inline copy. */
  {
    int64_t sizes[] = {1, 3, 7, 7}, sst[] = {147, 49, 7, 1},
            dst[] = {243, 81, 9, 1};
    failures += check("short rows", sizes, sst, 0, dst, 10, 147, 243);
  }
  {
    const int64_t widths[] = {1, 3, 9, 16};
    for (int i = 0; i < 4; ++i) {
      int64_t w = widths[i];
      int64_t sizes[] = {1, 1, 3, w}, sst[] = {3 * w, 3 * w, w, 1},
              dst[] = {5 * (w + 2), 5 * (w + 2), w + 2, 1};
      failures += check("short row sizes", sizes, sst, 0, dst, w + 3, 3 * w,
                        5 * (w + 2));
    }
  }
  if (failures)
    return 1;
  printf("memrefCopy: all cases match\n");
  return 0;
}
