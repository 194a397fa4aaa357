/*===- parallel_test.c - The runtime thread pool runs every iteration once -===*
 *
 * mcc_rt_parallel_for over many sizes and thread counts: each iteration
 * must run exactly once per call. Uneven iterations make participants
 * finish early and take grains from the others; pauses longer than the
 * workers' spin put them to sleep, so jobs also start with no worker
 * awake (the caller then runs every grain itself). A lost grain or a
 * missed wake-up hangs: ctest's timeout turns that into a failure.
 *===---------------------------------------------------------------------===*/
#include "../../runtime/src/parallel.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { kMaxN = 1000 };

static atomic_int hits[kMaxN];

struct job {
  int slow; /* which iteration is slow, or -1 */
};

static void spin_us(int us) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do
    clock_gettime(CLOCK_MONOTONIC, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 <
         us);
}

static void body(void *ctx, int64_t begin, int64_t end) {
  struct job *j = ctx;
  for (int64_t i = begin; i < end; ++i) {
    atomic_fetch_add(&hits[i], 1);
    if (i == j->slow)
      spin_us(200);
  }
}

int main(void) {
  static const int sizes[] = {1, 2, 3, 5, 7, 8, 9, 16, 17, 100, 678, 1000};
  int failures = 0;
  for (int threads = 2; threads <= 5; ++threads) {
    mcc_rt_set_threads(threads);
    for (int round = 0; round < 40; ++round)
      for (unsigned s = 0; s < sizeof sizes / sizeof *sizes; ++s) {
        int n = sizes[s];
        struct job j = {round % 3 == 0 ? -1 : (round * 7 + s) % n};
        memset(hits, 0, sizeof hits);
        mcc_rt_parallel_for(body, &j, n);
        for (int i = 0; i < n; ++i)
          if (atomic_load(&hits[i]) != 1) {
            fprintf(stderr, "threads %d, n %d: iteration %d ran %d times\n",
                    threads, n, i, atomic_load(&hits[i]));
            ++failures;
            break;
          }
        if (round % 10 == 9) {
          struct timespec pause = {0, 20 * 1000 * 1000}; /* workers sleep */
          nanosleep(&pause, NULL);
        }
      }
  }
  printf("%s\n", failures ? "FAIL" : "PASS: every iteration ran once");
  return failures != 0;
}
