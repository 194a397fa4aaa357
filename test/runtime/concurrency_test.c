/* N threads x M runs on one loaded model (linked in statically, with the
 * runtime under test): every output is bit-identical to a run on one
 * thread, and runs whose input holds an out-of-range index fail with
 * MCC_ERROR_OUT_OF_RANGE while the other threads' runs, at the same time,
 * succeed: a failed check belongs to its own run. Built and run by
 * run_concurrency.py, under ThreadSanitizer and without it.
 *
 * The model (run_concurrency.py): y = Relu(MatMul(Gather(table, ids) + x,
 * W)) with ids [64] int64 in [0, 100) and x [64, 32] float.
 */
#include "mcc/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kThreads = 4, kRuns = 25, kIds = 64, kCols = 32, kTable = 100 };

const mcc_model_api *mcc_model_get_api(void);

static const mcc_model_api *api;
static mcc_model *model;  /* 2 threads per run, shared by all threads */
static mcc_model *serial; /* 1 thread per run: the reference */
static const int64_t ids_shape[] = {kIds};
static const int64_t x_shape[] = {kIds, kCols};
static const int64_t y_shape[] = {kIds, kCols};

typedef struct inputs {
  int64_t ids[kIds];
  float x[kIds * kCols];
  float expected[kIds * kCols];
} inputs;

static inputs sets[kThreads];
static int failures;
static pthread_mutex_t failures_mu = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char *what, int thread, int run) {
  pthread_mutex_lock(&failures_mu);
  ++failures;
  fprintf(stderr, "FAIL: thread %d run %d: %s\n", thread, run, what);
  pthread_mutex_unlock(&failures_mu);
}

static mcc_status run_on(mcc_model *m, const int64_t *ids, const float *x,
                         float *y, mcc_error *error) {
  mcc_tensor in[2] = {{(void *)ids, MCC_INT64, 1, ids_shape},
                      {(void *)x, MCC_FLOAT32, 2, x_shape}};
  mcc_tensor out[1] = {{y, MCC_FLOAT32, 2, y_shape}};
  return api->run(m, in, 2, out, 1, error);
}

static mcc_status run_once(const int64_t *ids, const float *x, float *y,
                           mcc_error *error) {
  return run_on(model, ids, x, y, error);
}

/* Thread t runs its own input set; the last thread also runs one with an
 * index out of range every other time. */
static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  inputs *s = &sets[t];
  float y[kIds * kCols];
  int64_t bad[kIds];
  memcpy(bad, s->ids, sizeof bad);
  bad[kIds / 2] = kTable + t;
  for (int r = 0; r < kRuns; ++r) {
    mcc_error e;
    if (t == kThreads - 1 && r % 2 == 0) {
      mcc_status st = run_once(bad, s->x, y, &e);
      if (st != MCC_ERROR_OUT_OF_RANGE || !strstr(e.message, "Gather"))
        failed("an out-of-range index did not fail its run", t, r);
      continue;
    }
    if (run_once(s->ids, s->x, y, &e) != MCC_OK) {
      failed(e.message, t, r);
      continue;
    }
    if (memcmp(y, s->expected, sizeof y) != 0)
      failed("output differs from the single-threaded run", t, r);
  }
  return NULL;
}

int main(void) {
  api = mcc_model_get_api();
  mcc_model_options options = {0};
  options.num_threads = 2; /* runs use the pool, or run inline when busy */
  mcc_error e;
  mcc_model_options one = {0};
  one.num_threads = 1;
  if (api->open(&options, &model, &e) != MCC_OK ||
      api->open(&one, &serial, &e) != MCC_OK) {
    fprintf(stderr, "open: %s\n", e.message);
    return 1;
  }
  srand(7);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIds; ++i)
      sets[t].ids[i] = rand() % kTable - (i % 3 == 0 ? kTable : 0);
    for (int i = 0; i < kIds * kCols; ++i)
      sets[t].x[i] = (float)((double)rand() / RAND_MAX) - 0.5f;
    if (run_on(serial, sets[t].ids, sets[t].x, sets[t].expected, &e) !=
        MCC_OK) {
      fprintf(stderr, "reference run: %s\n", e.message);
      return 1;
    }
  }
  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t);
  for (int t = 0; t < kThreads; ++t)
    pthread_join(threads[t], NULL);
  api->close(model);
  api->close(serial);
  int checked = kThreads * kRuns;
  printf("%d passed, %d failed\n", checked - failures, failures);
  return failures != 0;
}
