/*
 * An event loop that polls without waiting (redis-benchmark's epoll_wait returning at once, a
 * node or iperf3 loop): poll(2) with timeout 0 on a pipe nobody writes, until CLOCK_MONOTONIC has
 * moved on by the milliseconds given (default 5). Natively that takes a moment; under a
 * simulator whose clock only moves when threads wait, it would never end.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  long long wait = (argc > 1 ? atoll(argv[1]) : 5) * 1000000LL;
  int p[2];
  if (pipe(p) < 0) return 1;
  struct pollfd fd = {.fd = p[0], .events = POLLIN};
  long long start = ns(), polls = 0;
  while (ns() - start < wait) {
    poll(&fd, 1, 0);
    polls++;
  }
  printf("%s after %lld polls\n", polls > 0 ? "time moved on" : "no poll needed", polls);
  return 0;
}
