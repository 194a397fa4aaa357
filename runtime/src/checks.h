/*===- checks.h - Run-time checks of values read from tensors (private) ---===*
 *
 * Generated code calls mcc_rt_check_failed (passes/lowering/IndexChecks)
 * when an index it read from tensor data is out of range, then goes on with
 * a safe one. The failure goes to the record of the run on this thread:
 * model_run installs one for the calling thread, and the thread pool hands
 * it to the workers that run the call's loops.
 *===---------------------------------------------------------------------===*/
#ifndef MCC_RUNTIME_CHECKS_H
#define MCC_RUNTIME_CHECKS_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifndef MCC_HIDDEN
#define MCC_HIDDEN __attribute__((visibility("hidden")))
#endif

/* The first failed check of one run (check 0: none yet), and the way out
 * of a run whose buffers cannot be allocated. */
typedef struct mcc_rt_run_record {
  atomic_int check; /* 1-based index into the model's index check messages */
  int64_t value;    /* the index that was read */
  int64_t lowest;   /* the valid range: [lowest, bound) (lowest is -bound */
  int64_t bound;    /* where negative indices count from the end) */
  /* Set by model_run around the generated code on its thread: an
   * allocation that fails there jumps back (alloc.c), after freeing the
   * blocks this run still holds (`blocks`, a list alloc.c keeps). */
  jmp_buf *escape;
  void *blocks;
  size_t failed_bytes; /* the allocation that failed */
  /* run_profiled: per-kernel nanoseconds, and when the last kernel (or the
   * run) ended; NULL when the run is not profiled. */
  uint64_t *kernel_ns;
  uint64_t profile_last;
} mcc_rt_run_record;

MCC_HIDDEN void mcc_rt_check_failed(int32_t check, int64_t value,
                                    int64_t lowest, int64_t bound);

/* An allocation of `bytes` failed: jumps to the run's escape when this is
 * the thread that started the run and it is not inside a parallel loop
 * (which holds the pool); returns otherwise. */
MCC_HIDDEN void mcc_rt_out_of_memory(size_t bytes);

/* A buffer's byte size computed from the inputs overflowed
 * (passes/memory/AllocSizes): ends the run as mcc_rt_out_of_memory does,
 * or aborts where that cannot return. */
MCC_HIDDEN void mcc_rt_alloc_too_large(int64_t bytes);

/* Frees the blocks the run still holds (after an escape or a failed
 * shape check); or, at its normal end, takes any it did not free off its
 * list (the record is on the run's stack). */
MCC_HIDDEN void mcc_rt_release_run_blocks(mcc_rt_run_record *run);
MCC_HIDDEN void mcc_rt_forget_run_blocks(mcc_rt_run_record *run);

/* Whether the calling thread is running a share of a pooled parallel loop
 * (parallel.c). */
MCC_HIDDEN int mcc_rt_in_pooled_loop(void);

/* The monotonic clock in nanoseconds. */
MCC_HIDDEN uint64_t mcc_rt_now_ns(void);

/* Emitted after each kernel of a --profile artifact (profile-kernels):
 * adds the time since the previous tick (or the run's start) to kernel
 * `kernel` of a profiled run; nothing for a plain run. */
MCC_HIDDEN void mcc_rt_profile_tick(int32_t kernel);

/* The calling thread's record, and setting it (returns the previous one). */
MCC_HIDDEN mcc_rt_run_record *mcc_rt_current_run(void);
MCC_HIDDEN mcc_rt_run_record *mcc_rt_set_run(mcc_rt_run_record *run);

#endif
