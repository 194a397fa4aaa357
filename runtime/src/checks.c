/*===- checks.c - Run-time checks of values read from tensors -------------===*/
#include "checks.h"

#include <stdlib.h>

/* initial-exec, as parallel.c's thread count: no __tls_get_addr. */
static _Thread_local mcc_rt_run_record *tls_run
    __attribute__((tls_model("initial-exec")));

mcc_rt_run_record *mcc_rt_current_run(void) { return tls_run; }

mcc_rt_run_record *mcc_rt_set_run(mcc_rt_run_record *run) {
  mcc_rt_run_record *previous = tls_run;
  tls_run = run;
  return previous;
}

void mcc_rt_check_failed(int32_t check, int64_t value, int64_t lowest,
                         int64_t bound) {
  mcc_rt_run_record *run = tls_run;
  int none = 0;
  /* The first failure wins; later ones (other threads too) keep it. */
  if (!run || !atomic_compare_exchange_strong(&run->check, &none, check))
    return;
  run->value = value;
  run->lowest = lowest;
  run->bound = bound;
}

void mcc_rt_out_of_memory(size_t bytes) {
  mcc_rt_run_record *run = tls_run;
  if (!run || !run->escape || mcc_rt_in_pooled_loop())
    return;
  run->failed_bytes = bytes;
  longjmp(*run->escape, 1);
}

void mcc_rt_alloc_too_large(int64_t bytes) {
  (void)bytes; /* wrapped: not the size that was asked for */
  mcc_rt_out_of_memory(SIZE_MAX);
  /* No way out (inside a pooled loop): allocating the wrapped size would
   * write past the block. */
  abort();
}
