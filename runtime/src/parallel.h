/*===- parallel.h - Thread pool entry points (private) --------------------===*
 *
 * mcc_rt_parallel_for is what generated code calls (the name and signature
 * are fixed by passes/lowering/ParallelToRuntime); the rest is for
 * runtime.c. All hidden: an artifact exports only the model API.
 *===---------------------------------------------------------------------===*/
#ifndef MCC_RUNTIME_PARALLEL_H
#define MCC_RUNTIME_PARALLEL_H

#include <stdint.h>

#ifndef MCC_HIDDEN
#define MCC_HIDDEN __attribute__((visibility("hidden")))
#endif

/* One chunk of a parallel loop: iterations [begin, end) of the collapsed
 * outer loops, with the loop's captured values in ctx. */
typedef void (*mcc_rt_task_fn)(void *ctx, int64_t begin, int64_t end);

/* Runs fn over [0, n) on up to the calling thread's thread count. */
MCC_HIDDEN void mcc_rt_parallel_for(mcc_rt_task_fn fn, void *ctx, int64_t n);

/* Sets the calling thread's thread count for the loops it runs; returns the
 * previous one. */
MCC_HIDDEN int mcc_rt_set_threads(int threads);

/* The cores this process may run on. */
MCC_HIDDEN int mcc_rt_default_threads(void);

#endif
