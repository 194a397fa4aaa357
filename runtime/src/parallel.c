/*===- parallel.c - The thread pool behind generated parallel loops -------===*
 *
 * Generated code calls mcc_rt_parallel_for(fn, ctx, n) for each loop nest
 * worth splitting (convert-parallel-loops-to-runtime decides which). The
 * calling thread and up to `threads - 1` pool workers each own a
 * contiguous share of [0, n), the same one for every loop of the same
 * size: what a core wrote in one op is in its own cache when the next op
 * reads the same rows (in one quiet A/B, MobileNetV2 at 2 threads took
 * 2.87 ms with chunks dealt out in turn, 2.47 ms with static halves;
 * later runs on the shared host were too noisy to tell the two apart).
 * A participant runs its share front to back, claiming half of what is
 * left each time (so the chunks shrink to single iterations at the end);
 * one done with its share steals half of what is left of another's from
 * its end. With fixed grains (4 per thread) the last one, an eighth of a
 * loop at 2 threads, was often run by one core while the other waited.
 * The call returns when every iteration is done and no worker is still
 * inside.
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

#include "checks.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

enum {
  kMaxWorkers = 255,
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

/* A participant's units not yet taken: [begin, end) packed in one word so
 * that the owner (from the front) and a thief (from the back) claim with
 * one compare-and-swap. A unit is one iteration, or several when n does
 * not fit in 32 bits. */
static inline uint64_t pack_share(uint32_t begin, uint32_t end) {
  return (uint64_t)begin << 32 | end;
}

static struct {
  pthread_mutex_t submit; /* held by the thread whose job owns the pool */
  pthread_mutex_t mu;     /* guards the job fields and the flags below */
  pthread_cond_t wake;    /* a new job or shutdown */
  pthread_cond_t done_cv; /* the job's last unit or participant finished */
  pthread_t workers[kMaxWorkers];
  int num_workers;
  int sleepers;
  int stopping;
  atomic_ulong generation; /* bumped per job; workers spin on it */

  mcc_rt_task_fn fn;
  void *ctx;
  mcc_rt_run_record *run; /* where the job's failed checks go */
  int64_t n;
  int64_t unit; /* iterations per unit */
  int64_t num_units;
  int shares;              /* participants: the caller and `shares - 1` */
  int open;                /* workers may still join the job */
  int caller_waiting;      /* the caller sleeps on done_cv */
  atomic_llong units_done; /* units whose iterations have run */
  atomic_int active;       /* workers inside the job */
  _Alignas(64) _Atomic uint64_t share[kMaxWorkers + 1];
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

/* Set while this thread runs its share of a pooled loop (it then holds the
 * pool: no longjmp out of it). */
static _Thread_local int tls_in_pool __attribute__((tls_model("initial-exec")));

int mcc_rt_in_pooled_loop(void) { return tls_in_pool; }

int mcc_rt_set_threads(int threads) {
  int previous = tls_threads;
  tls_threads = threads < 1 ? 1 : threads;
  return previous;
}

/* Takes half (at least one) of the units left in participant `t`'s share:
 * its first ones when `front` (the owner), else its last ones. Returns 0
 * when the share is empty. */
static int claim(int t, int front, int64_t *begin, int64_t *end) {
  uint64_t cur = atomic_load_explicit(&pool.share[t], memory_order_relaxed);
  for (;;) {
    uint32_t b = (uint32_t)(cur >> 32), e = (uint32_t)cur;
    if (b >= e)
      return 0;
    uint32_t take = (uint32_t)(((uint64_t)e - b + 1) / 2);
    uint64_t next = front ? pack_share(b + take, e) : pack_share(b, e - take);
    if (atomic_compare_exchange_weak_explicit(&pool.share[t], &cur, next,
                                              memory_order_acq_rel,
                                              memory_order_relaxed)) {
      *begin = front ? b : e - take;
      *end = front ? b + take : e;
      return 1;
    }
  }
}

/* Runs units of the job as participant `self` until none is left: its own
 * share in order (the same rows on the same core from one op to the next,
 * so what an op wrote is still in that core's cache for the next), then
 * the others' from their ends. */
static void run_share(int self, mcc_rt_task_fn fn, void *ctx, int64_t n,
                      int64_t unit, int shares) {
  int victim = (self + 1) % shares; /* the last one robbed, tried first */
  for (;;) {
    int64_t ub, ue;
    int got = claim(self, 1, &ub, &ue);
    for (int i = 0; !got && i < shares; ++i) {
      int t = (victim + i) % shares;
      if (t != self && (got = claim(t, 0, &ub, &ue)))
        victim = t;
    }
    if (!got)
      return;
    int64_t end = ue * unit < n ? ue * unit : n;
    fn(ctx, ub * unit, end);
    atomic_fetch_add_explicit(&pool.units_done, ue - ub, memory_order_release);
  }
}

/* True when every unit has run and no worker is inside the job. */
static int job_finished(void) {
  return atomic_load_explicit(&pool.units_done, memory_order_acquire) ==
             pool.num_units &&
         atomic_load_explicit(&pool.active, memory_order_acquire) == 0;
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
    /* Join only while the caller has not closed the job: after that it
     * may return and publish the next one. */
    if (!pool.open || index + 1 >= pool.shares) {
      pthread_mutex_unlock(&pool.mu);
      continue;
    }
    atomic_fetch_add_explicit(&pool.active, 1, memory_order_relaxed);
    mcc_rt_task_fn fn = pool.fn;
    void *ctx = pool.ctx;
    int64_t n = pool.n, unit = pool.unit;
    int shares = pool.shares;
    mcc_rt_set_run(pool.run);
    pthread_mutex_unlock(&pool.mu);
    tls_in_pool = 1;
    run_share(index + 1, fn, ctx, n, unit, shares);
    tls_in_pool = 0;
    mcc_rt_set_run(NULL);
    if (atomic_fetch_sub_explicit(&pool.active, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&pool.mu);
      if (pool.caller_waiting)
        pthread_cond_signal(&pool.done_cv);
      pthread_mutex_unlock(&pool.mu);
    }
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
  if (helpers == 0) {
    pthread_mutex_unlock(&pool.submit);
    fn(ctx, 0, n);
    return;
  }
  int shares = helpers + 1;
  int64_t unit = n / UINT32_MAX + 1;
  int64_t units = (n + unit - 1) / unit;

  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.run = mcc_rt_current_run();
  pool.n = n;
  pool.unit = unit;
  pool.num_units = units;
  pool.shares = shares;
  for (int t = 0; t < shares; ++t)
    atomic_store_explicit(&pool.share[t],
                          pack_share((uint32_t)(units * t / shares),
                                     (uint32_t)(units * (t + 1) / shares)),
                          memory_order_relaxed);
  atomic_store_explicit(&pool.units_done, 0, memory_order_relaxed);
  pool.open = 1;
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  if (pool.sleepers)
    pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  tls_in_pool = 1;
  run_share(0, fn, ctx, n, unit, shares);
  tls_in_pool = 0;
  pthread_mutex_lock(&pool.mu);
  pool.open = 0;
  pthread_mutex_unlock(&pool.mu);
  /* The last units are running on workers: spin for them first (a futex
   * sleep and wake-up per parallel loop cost tens of microseconds, and a
   * network runs a hundred such loops), then sleep. */
  for (int i = 0; i < kSpinIterations && !job_finished(); ++i)
    cpu_relax();
  pthread_mutex_lock(&pool.mu);
  pool.caller_waiting = 1;
  while (!job_finished())
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
