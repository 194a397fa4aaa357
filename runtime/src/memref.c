/*===- memref.c - Runtime support the generated code calls ---------------===*
 *
 * MLIR lowers a memref.copy between non-contiguous buffers (e.g. a slice
 * written into a concatenation) to a call of `memrefCopy`, which upstream
 * keeps in a runner library that Debian does not ship. This is the same
 * contract: strided descriptors, any rank.
 *===---------------------------------------------------------------------===*/
#include <stdint.h>
#include <string.h>

/* MLIR's ranked descriptor: allocated, aligned, offset, sizes[r], strides[r].
 */
typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes_and_strides[]; /* sizes[rank] then strides[rank] */
} ranked_desc;

typedef struct {
  int64_t rank;
  ranked_desc *desc;
} unranked_memref;

enum { kMaxRank = 16, kShortRow = 64 };

/* A row of at most kShortRow bytes, without a call: fixed-size copies
 * (a register each), the last one overlapping the one before. A 7x7 NCHW
 * image copied into its padded buffer is 28-byte rows, where the call
 * per row cost more than the copy. */
static inline void copy_short(char *d, const char *s, size_t n) {
  if (n >= 32) {
    memcpy(d, s, 32);
    memcpy(d + n - 32, s + n - 32, 32);
  } else if (n >= 16) {
    memcpy(d, s, 16);
    memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    memcpy(d, s, 8);
    memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    memcpy(d, s, 4);
    memcpy(d + n - 4, s + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; ++i)
      d[i] = s[i];
  }
}

__attribute__((visibility("hidden"))) void
memrefCopy(int64_t elem_size, unranked_memref *src, unranked_memref *dst) {
  int64_t rank = src->rank;
  const int64_t *sizes = src->desc->sizes_and_strides;
  const int64_t *sst = src->desc->sizes_and_strides + rank;
  const int64_t *dst_st = dst->desc->sizes_and_strides + rank;
  char *s = src->desc->aligned + src->desc->offset * elem_size;
  char *d = dst->desc->aligned + dst->desc->offset * elem_size;
  if (rank == 0) {
    memcpy(d, s, (size_t)elem_size);
    return;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  if (rank > kMaxRank)
    return;
  /* Dims that are contiguous with the next inner one on both sides merge
   * into it, so a padded NHWC copy (rows of W * C elements) is one memcpy
   * per row, not one per pixel. */
  int64_t size[kMaxRank], ss[kMaxRank], ds[kMaxRank];
  int64_t n = 0;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (n > 0 && sst[i] == size[n - 1] * ss[n - 1] &&
        dst_st[i] == size[n - 1] * ds[n - 1]) {
      size[n - 1] *= sizes[i];
      continue;
    }
    size[n] = sizes[i];
    ss[n] = sst[i];
    ds[n] = dst_st[i];
    ++n;
  }
  /* Innermost dim first; idx[k] counts dim k of the merged shape. */
  int64_t idx[kMaxRank] = {0};
  int64_t inner = size[0];
  int contiguous = ss[0] == 1 && ds[0] == 1;
  for (;;) {
    int64_t so = 0, dof = 0;
    for (int64_t k = 1; k < n; ++k) {
      so += idx[k] * ss[k];
      dof += idx[k] * ds[k];
    }
    if (contiguous) {
      size_t bytes = (size_t)(inner * elem_size);
      if (bytes <= kShortRow)
        copy_short(d + dof * elem_size, s + so * elem_size, bytes);
      else
        memcpy(d + dof * elem_size, s + so * elem_size, bytes);
    } else {
      for (int64_t j = 0; j < inner; ++j)
        memcpy(d + (dof + j * ds[0]) * elem_size,
               s + (so + j * ss[0]) * elem_size, (size_t)elem_size);
    }
    int64_t k = 1;
    while (k < n && ++idx[k] == size[k])
      idx[k++] = 0;
    if (k >= n)
      return;
  }
}
