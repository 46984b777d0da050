// Reads the TSC (rdtsc, rdtscp) around a 1 s nanosleep and prints what it saw, plus the other
// clocks; linked statically, so it reaches the vDSO only through its own libc. Under the
// simulator the TSC counts simulated time at 1 GHz. With an argument N it instead spins on
// rdtsc until N ns of TSC time have passed (a busy loop only modelled CPU latency ends).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

static uint64_t rdtscp(uint32_t *aux) {
  uint32_t lo, hi, c;
  __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
  *aux = c;
  return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv) {
  if (argc > 1) {
    uint64_t span = strtoull(argv[1], NULL, 10), start = rdtsc(), reads = 1;
    while (rdtsc() - start < span) reads++;
    printf("spun %llu reads\n", (unsigned long long)reads);
    return 0;
  }
  uint32_t aux0 = 1, aux1 = 1;
  uint64_t a = rdtsc(), b = rdtscp(&aux0);
  struct timespec oneSecond = {1, 0};
  nanosleep(&oneSecond, NULL);
  uint64_t c = rdtsc(), d = rdtscp(&aux1);
  printf("rdtsc %llu %llu\n", (unsigned long long)a, (unsigned long long)c);
  printf("rdtscp %llu %llu aux %s\n", (unsigned long long)b, (unsigned long long)d, aux0 == 0 && aux1 == 0 ? "0" : "not 0");
  printf("slept %.9f s (rdtsc), %.9f s (rdtscp) at 1 GHz\n", (c - a) / 1e9, (d - b) / 1e9);
  struct timespec rt, mono;
  struct timeval tv;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  gettimeofday(&tv, NULL);
  printf("realtime %lld.%09ld monotonic %lld.%09ld gettimeofday %lld.%06ld time %lld\n", (long long)rt.tv_sec, rt.tv_nsec,
         (long long)mono.tv_sec, mono.tv_nsec, (long long)tv.tv_sec, (long)tv.tv_usec, (long long)time(NULL));
  return 0;
}
