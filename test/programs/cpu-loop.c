// Loops that never stop for a syscall, for the preemption and watchdog tests.
//   cpu-loop spin N     counts to N million without a syscall, then prints the CLOCK_MONOTONIC
//                       time the count took, in ns (only simulated time can pass: preemption)
//   cpu-loop forever    never ends and never makes a syscall (the watchdog's case)
//   cpu-loop yield      calls sched_yield until 1 ms of CLOCK_MONOTONIC has passed, then prints
//                       the number of calls (time moves only by modelled syscall latency)
//   cpu-loop sleep N    prints CLOCK_MONOTONIC, in ns from its start, after each of N 2 ms sleeps
//   cpu-loop calibrate MS  run natively: prints how many million counts take MS ms of CPU time
//                       (so that a test sizes `spin` for this machine)
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  long long start = now_ns();
  if (strcmp(argv[1], "spin") == 0 && argc == 3) {
    volatile unsigned long counter = 0;
    unsigned long n = strtoul(argv[2], NULL, 10) * 1000000UL;
    while (counter < n) counter++;
    printf("%lld\n", now_ns() - start);
  } else if (strcmp(argv[1], "calibrate") == 0 && argc == 3) {
    struct timespec ts;
    long long budget = atoll(argv[2]) * 1000000LL, used = 0;
    volatile unsigned long counter = 0;
    while (used < budget) {
      for (unsigned long end = counter + 1000000UL; counter < end;) counter++;
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
      used = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    }
    printf("%lu\n", counter / 1000000UL);
  } else if (strcmp(argv[1], "forever") == 0) {
    volatile unsigned long counter = 0;
    for (;;) counter++;
  } else if (strcmp(argv[1], "yield") == 0) {
    long calls = 0;
    while (now_ns() - start < 1000000) {
      sched_yield();
      calls++;
    }
    printf("%ld\n", calls);
  } else if (strcmp(argv[1], "sleep") == 0 && argc == 3) {
    struct timespec two_ms = {0, 2000000};
    for (int i = atoi(argv[2]); i > 0; i--) {
      nanosleep(&two_ms, NULL);
      printf("%lld\n", now_ns() - start);
    }
  } else {
    return 2;
  }
  return 0;
}
