/*
 * Time reads through libc (the vDSO) and through raw syscalls, which must agree under the
 * simulator whether or not the reads are answered in the process.
 *   fast-time [N]        every clock both ways, then N reads (100,000) and the time they took
 *   fast-time spin US    spins on clock_gettime until US simulated microseconds have passed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static void both(const char *name, clockid_t id) {
  struct timespec a, b, ra, rb;
  int ea = clock_gettime(id, &a), eb = (int)syscall(SYS_clock_gettime, id, &b);
  clock_getres(id, &ra);
  syscall(SYS_clock_getres, id, &rb);
  printf("%-18s %d %lld.%09lld | %d %lld.%09lld | res %lld %lld\n", name, ea, (long long)a.tv_sec,
         (long long)a.tv_nsec, eb, (long long)b.tv_sec, (long long)b.tv_nsec, ns(&ra), ns(&rb));
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "spin") == 0) {
    long long until = atoll(argv[2]) * 1000LL, reads = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
      clock_gettime(CLOCK_MONOTONIC, &now);
      reads++;
    } while (ns(&now) - ns(&start) < until);
    printf("spun %lld reads for %lld us\n", reads, (ns(&now) - ns(&start)) / 1000);
    return 0;
  }
  both("REALTIME", CLOCK_REALTIME);
  both("MONOTONIC", CLOCK_MONOTONIC);
  both("MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
  both("REALTIME_COARSE", CLOCK_REALTIME_COARSE);
  both("MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
  both("BOOTTIME", CLOCK_BOOTTIME);
  both("TAI", CLOCK_TAI);
  both("PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
  struct timeval tv, rtv;
  struct timezone tz = {-1, -1};
  gettimeofday(&tv, &tz);
  syscall(SYS_gettimeofday, &rtv, NULL);
  printf("gettimeofday %lld.%06lld tz %d %d | %lld.%06lld\n", (long long)tv.tv_sec, (long long)tv.tv_usec,
         tz.tz_minuteswest, tz.tz_dsttime, (long long)rtv.tv_sec, (long long)rtv.tv_usec);
  time_t t;
  long long r = time(&t);
  printf("time %lld %lld | %ld\n", r, (long long)t, syscall(SYS_time, NULL));
  long reads = argc > 1 ? atol(argv[1]) : 100000;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < reads; i++) clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%ld reads took %lld ns\n", reads, ns(&b) - ns(&a));
  return 0;
}
