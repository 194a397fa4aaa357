/*===- alloc.c - Buffer allocation for the generated code ----------------===*
 *
 * Generated code allocates its arena (and the few buffers outside it) on
 * every run. Through malloc, blocks above glibc's mmap threshold are mapped
 * and unmapped each time, so every run paid a page fault and a page clear
 * per 4 KiB of intermediates (half of MobileNetV2's run time). The code is
 * lowered with MLIR's generic allocation functions instead, defined here:
 * each thread keeps its last few freed blocks and hands one back when it
 * is big enough. Runs on different threads never share a block, so
 * concurrent runs stay safe; a thread's cache is freed when it exits.
 *===---------------------------------------------------------------------===*/
#include "checks.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { kCacheSlots = 8, kHeader = 64 };

/* Every block starts with a header recording its usable capacity; the
 * pointer handed out is 64 bytes past the start (so aligned_alloc's
 * alignment up to 64 holds as well). A block allocated on the thread that
 * runs a model (outside pooled loops) is on that run's list until it is
 * freed, so that a run that ends early (mcc_rt_out_of_memory) frees it.
 * The list is that thread's alone: the generated code frees what it
 * allocated outside parallel loops outside them too (checked by the
 * concurrency test under ThreadSanitizer). */
typedef struct block_header {
  size_t capacity;
  struct block_header *prev, *next; /* the run's list */
  mcc_rt_run_record *run;           /* NULL when on no list */
} block_header;

typedef struct {
  char *blocks[kCacheSlots];
  int count;
} block_cache;

/* Only a pointer lives in TLS: an initial-exec variable of a dlopen'ed
 * library takes glibc's small static TLS surplus, shared by every model a
 * process loads. */
static __thread block_cache *tls_cache
    __attribute__((tls_model("initial-exec")));
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void release_cache(void *arg) {
  block_cache *cache = arg;
  if (!cache)
    return;
  for (int i = 0; i < cache->count; ++i)
    free(cache->blocks[i]);
  free(cache);
}

static int key_made;
static void make_key(void) {
  key_made = pthread_key_create(&cache_key, release_cache) == 0;
}

/* When the artifact is unloaded, no thread may later run release_cache
 * (its code is gone): the key goes, with the unloading thread's blocks.
 * Blocks cached by other live threads are leaked then, not freed. */
__attribute__((destructor)) static void unload_cache(void) {
  if (key_made)
    pthread_key_delete(cache_key);
  release_cache(tls_cache);
  tls_cache = NULL;
}

static size_t capacity_of(char *base) {
  return ((block_header *)base)->capacity;
}

static void track(char *base) {
  block_header *h = (block_header *)base;
  mcc_rt_run_record *run = mcc_rt_current_run();
  h->run = NULL;
  if (!run || !run->escape || mcc_rt_in_pooled_loop())
    return;
  h->run = run;
  h->prev = NULL;
  h->next = (block_header *)run->blocks;
  if (h->next)
    h->next->prev = h;
  run->blocks = h;
}

static void untrack(char *base) {
  block_header *h = (block_header *)base;
  if (!h->run)
    return;
  if (h->prev)
    h->prev->next = h->next;
  else
    h->run->blocks = h->next;
  if (h->next)
    h->next->prev = h->prev;
  h->run = NULL;
}

static void *take_untracked(size_t size) {
  block_cache *cache = tls_cache;
  /* Smallest cached block that fits, unless it wastes more than half. */
  int best = -1;
  for (int i = 0; cache && i < cache->count; ++i) {
    size_t cap = capacity_of(cache->blocks[i]);
    if (cap >= size && cap / 2 <= size &&
        (best < 0 || cap < capacity_of(cache->blocks[best])))
      best = i;
  }
  if (best >= 0) {
    char *base = cache->blocks[best];
    cache->blocks[best] = cache->blocks[--cache->count];
    return base + kHeader;
  }
  /* Sizes near SIZE_MAX (a size computed from hostile data) must not wrap
   * to a small block. */
  if (size > SIZE_MAX / 2)
    return NULL;
  char *base = aligned_alloc(kHeader, kHeader + ((size + 63) & ~(size_t)63));
  if (!base)
    return NULL;
  ((block_header *)base)->capacity = size;
  return base + kHeader;
}

static void *take(size_t size) {
  char *p = take_untracked(size);
  if (!p) {
    /* Does not return when the run can end here with an error. */
    mcc_rt_out_of_memory(size);
    return NULL;
  }
  track(p - kHeader);
  return p;
}

static void give_back(void *ptr) {
  if (!ptr)
    return;
  char *base = (char *)ptr - kHeader;
  untrack(base);
  pthread_once(&cache_once, make_key);
  block_cache *cache = tls_cache;
  if (!cache && key_made) {
    cache = calloc(1, sizeof(block_cache));
    if (cache && pthread_setspecific(cache_key, cache) != 0) {
      free(cache);
      cache = NULL;
    }
    tls_cache = cache;
  }
  if (!cache) {
    free(base);
    return;
  }
  if (cache->count == kCacheSlots) {
    /* Evict the smallest block: big ones are the expensive ones. */
    int smallest = 0;
    for (int i = 1; i < cache->count; ++i)
      if (capacity_of(cache->blocks[i]) < capacity_of(cache->blocks[smallest]))
        smallest = i;
    if (capacity_of(cache->blocks[smallest]) >= capacity_of(base)) {
      free(base);
      return;
    }
    free(cache->blocks[smallest]);
    cache->blocks[smallest] = base;
    return;
  }
  cache->blocks[cache->count++] = base;
}

void mcc_rt_release_run_blocks(mcc_rt_run_record *run) {
  while (run->blocks)
    give_back((char *)run->blocks + kHeader);
}

void mcc_rt_forget_run_blocks(mcc_rt_run_record *run) {
  for (block_header *h = run->blocks, *next; h; h = next) {
    next = h->next;
    h->run = NULL;
  }
  run->blocks = NULL;
}

__attribute__((visibility("hidden"))) void *
_mlir_memref_to_llvm_alloc(size_t size) {
  return take(size);
}

__attribute__((visibility("hidden"))) void *
_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  if (alignment > kHeader)
    return NULL; /* the lowering never asks for more than 64 */
  return take(size);
}

__attribute__((visibility("hidden"))) void
_mlir_memref_to_llvm_free(void *ptr) {
  give_back(ptr);
}
