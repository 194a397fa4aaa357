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

enum { kMaxRank = 16 };

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
  int64_t idx[kMaxRank] = {0};
  /* Innermost dim contiguous on both sides: copy rows with memcpy. */
  int64_t inner = sizes[rank - 1];
  int contiguous = sst[rank - 1] == 1 && dst_st[rank - 1] == 1;
  for (;;) {
    int64_t so = 0, dof = 0;
    for (int64_t i = 0; i < rank - 1; ++i) {
      so += idx[i] * sst[i];
      dof += idx[i] * dst_st[i];
    }
    if (contiguous) {
      memcpy(d + dof * elem_size, s + so * elem_size,
             (size_t)(inner * elem_size));
    } else {
      for (int64_t j = 0; j < inner; ++j)
        memcpy(d + (dof + j * dst_st[rank - 1]) * elem_size,
               s + (so + j * sst[rank - 1]) * elem_size, (size_t)elem_size);
    }
    int64_t axis = rank - 2;
    while (axis >= 0 && ++idx[axis] == sizes[axis])
      idx[axis--] = 0;
    if (axis < 0)
      return;
  }
}
