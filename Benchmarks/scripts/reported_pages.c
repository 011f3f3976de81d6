// Whether memory given back to the kernel costs more to map in again once some seconds have passed:
// 1 GiB mapped in (madvise(MADV_POPULATE_WRITE)) and unmapped, then mapped in again at once, and again
// after a pause. On a VM with free page reporting (page_reporting.page_reporting_order on the kernel
// command line) the kernel hands free memory back to the host a couple of seconds after it is freed,
// and the host has to back it again on the next touch. See DEVELOPERS.md, "Fresh pages".
//
//   cc -O2 Benchmarks/scripts/reported_pages.c -o /tmp/reported_pages && /tmp/reported_pages [pause seconds, 5]
//
// Measured 2026-12-03 (2-core Firecracker VM, page_reporting_order=11): a process's first 1 GiB 1.14 s
// (4.3 us a page); again at once 0.39-0.40 s (1.5 us); again after 5 s 0.65-0.88 s (2.5-3.3 us). With
// pauses of 0.5-2 s either one may be slow (0.5-0.69 s): the kernel reports free memory every few seconds,
// whenever it happens to run.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double populate(size_t n) {
  double t0 = now();
  char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED || madvise(p, n, MADV_POPULATE_WRITE)) { perror("map"); exit(1); }
  double t = now() - t0;
  munmap(p, n);
  return t;
}
int main(int argc, char **argv) {
  size_t n = (size_t)1 << 30;
  double pause = argc > 1 ? atof(argv[1]) : 5;
  for (int round = 0; round < 4; round++) {
    double first = populate(n), again = populate(n);
    usleep((useconds_t)(pause * 1e6));
    double later = populate(n);
    printf("round %d: first %.3f s, again at once %.3f s, again after %.1f s %.3f s (%.2f us a page)\n",
           round + 1, first, again, pause, later, later / (n / 4096) * 1e6);
  }
  return 0;
}
