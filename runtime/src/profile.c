/*===- profile.c - Per-kernel times of artifacts built with --profile ----===*/
#include "checks.h"

#include <time.h>

uint64_t mcc_rt_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void mcc_rt_profile_tick(int32_t kernel) {
  mcc_rt_run_record *run = mcc_rt_current_run();
  if (!run || !run->kernel_ns)
    return;
  uint64_t now = mcc_rt_now_ns();
  run->kernel_ns[kernel] += now - run->profile_last;
  run->profile_last = now;
}
