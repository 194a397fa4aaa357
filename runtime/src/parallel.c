/*===- parallel.c - The thread pool behind generated parallel loops -------===*
 *
 * Generated code calls mcc_rt_parallel_for(fn, ctx, n) for each loop nest
 * worth splitting (convert-parallel-loops-to-runtime decides which). The
 * calling thread and up to `threads - 1` pool workers each run chunks of
 * [0, n); the call returns when every chunk is done.
 *
 * - The thread count is per run: model_run sets it for the calling thread
 *   (mcc_rt_set_threads); 1 runs everything inline with no pool involved.
 * - One pool per process, grown on demand, stopped and joined when the
 *   artifact is unloaded (so dlclose never leaves threads in unmapped code).
 * - Concurrent runs: one job owns the pool at a time; a run that finds it busy
 *   runs its loop inline instead of queueing (no deadlock, no
 *oversubscription).
 * - Workers spin briefly after a job before sleeping, so back-to-back ops of
 *   one run do not pay a futex wake-up each.
 *===---------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

enum {
  kMaxWorkers = 255,
  kChunksPerThread = 4, /* some slack for a core shared with other work */
  kSpinIterations = 1 << 16,
};

/* initial-exec: no __tls_get_addr (which lives in ld.so, outside the libc
 * and libm the artifact links); glibc keeps static TLS room for dlopen. */
static _Thread_local int tls_threads
    __attribute__((tls_model("initial-exec"))) = 1;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

static struct {
  pthread_mutex_t submit; /* held by the thread whose job owns the pool */
  pthread_mutex_t mu;     /* guards the job fields and the counters below */
  pthread_cond_t wake;    /* a new job or shutdown */
  pthread_cond_t done_cv; /* the last chunk of a job finished */
  pthread_t workers[kMaxWorkers];
  int num_workers;
  int sleepers;
  int stopping;
  atomic_ulong generation; /* bumped per job; workers spin on it */

  mcc_rt_task_fn fn;
  void *ctx;
  int64_t n;
  int64_t num_chunks;
  int64_t next_chunk;
  atomic_llong chunks_done; /* written under mu, read by a spinning caller */
  int caller_waiting;       /* the caller sleeps on done_cv */
  int participants;         /* workers allowed to join the current job */
} pool = {
    .submit = PTHREAD_MUTEX_INITIALIZER,
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done_cv = PTHREAD_COND_INITIALIZER,
};

int mcc_rt_default_threads(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

int mcc_rt_set_threads(int threads) {
  int previous = tls_threads;
  tls_threads = threads < 1 ? 1 : threads;
  return previous;
}

static void chunk_range(int64_t chunk, int64_t *begin, int64_t *end) {
  /* Even split; the first n % chunks chunks get one extra iteration. */
  int64_t q = pool.n / pool.num_chunks, r = pool.n % pool.num_chunks;
  *begin = chunk * q + (chunk < r ? chunk : r);
  *end = *begin + q + (chunk < r);
}

/* Runs chunks of the current job until none is left. Called with mu held;
 * returns with mu held. */
static void run_chunks(void) {
  while (pool.next_chunk < pool.num_chunks) {
    int64_t chunk = pool.next_chunk++;
    mcc_rt_task_fn fn = pool.fn;
    void *ctx = pool.ctx;
    int64_t begin, end;
    chunk_range(chunk, &begin, &end);
    pthread_mutex_unlock(&pool.mu);
    fn(ctx, begin, end);
    pthread_mutex_lock(&pool.mu);
    if (atomic_fetch_add_explicit(&pool.chunks_done, 1, memory_order_release) +
                1 ==
            pool.num_chunks &&
        pool.caller_waiting)
      pthread_cond_signal(&pool.done_cv);
  }
}

static void *worker_main(void *arg) {
  int index = (int)(intptr_t)arg;
  tls_threads = 1; /* a loop body never forks again */
  unsigned long seen = atomic_load(&pool.generation);
  for (;;) {
    for (int i = 0;
         i < kSpinIterations &&
         atomic_load_explicit(&pool.generation, memory_order_acquire) == seen;
         ++i)
      cpu_relax();
    pthread_mutex_lock(&pool.mu);
    while (!pool.stopping && atomic_load(&pool.generation) == seen) {
      ++pool.sleepers;
      pthread_cond_wait(&pool.wake, &pool.mu);
      --pool.sleepers;
    }
    if (pool.stopping) {
      pthread_mutex_unlock(&pool.mu);
      return NULL;
    }
    seen = atomic_load(&pool.generation);
    if (index < pool.participants)
      run_chunks();
    pthread_mutex_unlock(&pool.mu);
  }
}

/* Starts workers until there are `wanted`; called with submit held. */
static void grow_pool(int wanted) {
  if (wanted > kMaxWorkers)
    wanted = kMaxWorkers;
  while (pool.num_workers < wanted) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20); /* loop bodies use allocas */
    int ok = pthread_create(&pool.workers[pool.num_workers], &attr, worker_main,
                            (void *)(intptr_t)pool.num_workers) == 0;
    pthread_attr_destroy(&attr);
    if (!ok)
      break; /* run with the workers we have */
    ++pool.num_workers;
  }
}

void mcc_rt_parallel_for(mcc_rt_task_fn fn, void *ctx, int64_t n) {
  int threads = tls_threads;
  if (n <= 0)
    return;
  if (threads <= 1 || n == 1 || pthread_mutex_trylock(&pool.submit) != 0) {
    fn(ctx, 0, n);
    return;
  }
  grow_pool(threads - 1);
  int helpers = threads - 1 < pool.num_workers ? threads - 1 : pool.num_workers;
  int64_t chunks = (int64_t)(helpers + 1) * kChunksPerThread;
  if (helpers == 0) {
    pthread_mutex_unlock(&pool.submit);
    fn(ctx, 0, n);
    return;
  }

  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.n = n;
  pool.num_chunks = chunks < n ? chunks : n;
  pool.next_chunk = 0;
  atomic_store_explicit(&pool.chunks_done, 0, memory_order_relaxed);
  pool.participants = helpers;
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  if (pool.sleepers)
    pthread_cond_broadcast(&pool.wake);
  run_chunks();
  /* The last chunks are running on workers: spin for them first (a futex
   * sleep and wake-up per parallel loop cost tens of microseconds, and a
   * network runs a hundred such loops), then sleep. */
  int64_t all = pool.num_chunks;
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0;
       i < kSpinIterations &&
       atomic_load_explicit(&pool.chunks_done, memory_order_acquire) < all;
       ++i)
    cpu_relax();
  pthread_mutex_lock(&pool.mu);
  pool.caller_waiting = 1;
  while (atomic_load_explicit(&pool.chunks_done, memory_order_acquire) < all)
    pthread_cond_wait(&pool.done_cv, &pool.mu);
  pool.caller_waiting = 0;
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.submit);
}

__attribute__((destructor)) static void stop_pool(void) {
  pthread_mutex_lock(&pool.mu);
  pool.stopping = 1;
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < pool.num_workers; ++i)
    pthread_join(pool.workers[i], NULL);
  pool.num_workers = 0;
}
