/*===- weights.c - The weights file of a --weights=external artifact ------===*
 *
 * The first open maps the file read-only and points the artifact's weights
 * slot at its data; later opens share the mapping (refcounted), the last
 * close unmaps it. The file must carry the id the artifact was compiled
 * with, so a stale or foreign weights file is refused rather than read.
 *===---------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "weights.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *mapping;
static size_t mapping_size;
static int users;

/* <directory of this artifact>/<name> into buf. */
static int next_to_artifact(const char *name, char *buf, size_t size) {
  Dl_info info;
  if (!dladdr((const void *)&mcc__graph_desc, &info) || !info.dli_fname)
    return 0;
  const char *slash = strrchr(info.dli_fname, '/');
  int dir_len = slash ? (int)(slash - info.dli_fname) : 1;
  const char *dir = slash ? info.dli_fname : ".";
  return snprintf(buf, size, "%.*s/%s", dir_len, dir, name) < (int)size;
}

static mcc_status map_file(const mcc_graph_desc *g, const char *path,
                           char *message, size_t message_size) {
  /* O_NONBLOCK: a FIFO given as the weights path must not hang open(). */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    snprintf(message, message_size, "cannot open weights file '%s': %s", path,
             strerror(errno));
    return MCC_ERROR_IO;
  }
  struct stat st;
  uint64_t want = MCC_WEIGHTS_HEADER_SIZE + g->weights_size;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(message, message_size, "weights file '%s' is not a regular file",
             path);
    close(fd);
    return MCC_ERROR_IO;
  }
  if ((uint64_t)st.st_size != want) {
    snprintf(message, message_size,
             "weights file '%s' has %lld bytes, the model expects %llu", path,
             (long long)st.st_size, (unsigned long long)want);
    close(fd);
    return MCC_ERROR_IO;
  }
  void *p = mmap(NULL, want, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    snprintf(message, message_size, "cannot map weights file '%s': %s", path,
             strerror(errno));
    return MCC_ERROR_IO;
  }
  const unsigned char *h = (const unsigned char *)p;
  uint64_t id, size;
  memcpy(&id, h + 8, 8);
  memcpy(&size, h + 16, 8);
  if (memcmp(h, MCC_WEIGHTS_MAGIC, 8) != 0 || id != g->weights_id ||
      size != g->weights_size) {
    snprintf(message, message_size,
             "weights file '%s' does not belong to this model (recompile "
             "both together)",
             path);
    munmap(p, want);
    return MCC_ERROR_IO;
  }
  mapping = p;
  mapping_size = want;
  *g->weights_slot = h + MCC_WEIGHTS_HEADER_SIZE;
  return MCC_OK;
}

mcc_status mcc_rt_acquire_weights(const mcc_graph_desc *g, const char *path,
                                  char *message, size_t message_size) {
  if (!g->weights_file || !g->weights_slot)
    return MCC_OK; /* weights are embedded */
  char found[4096];
  if (!path) {
    if (!next_to_artifact(g->weights_file, found, sizeof found)) {
      snprintf(message, message_size,
               "cannot locate the artifact to find its weights file '%s'; "
               "pass mcc_model_options.weights_path",
               g->weights_file);
      return MCC_ERROR_IO;
    }
    path = found;
  }
  pthread_mutex_lock(&lock);
  mcc_status s = MCC_OK;
  if (users == 0)
    s = map_file(g, path, message, message_size);
  if (s == MCC_OK)
    ++users;
  pthread_mutex_unlock(&lock);
  return s;
}

void mcc_rt_release_weights(const mcc_graph_desc *g) {
  if (!g->weights_file || !g->weights_slot)
    return;
  pthread_mutex_lock(&lock);
  if (users > 0 && --users == 0) {
    *g->weights_slot = NULL;
    munmap(mapping, mapping_size);
    mapping = NULL;
  }
  pthread_mutex_unlock(&lock);
}
