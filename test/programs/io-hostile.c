/*
 * Counts and pointers a hostile program passes: a count of 2^32 and more on a pipe, an eventfd
 * and a socket; pointers at the very top of the address space, where address + length wraps.
 * Linux caps the count (MAX_RW_COUNT) and answers EFAULT for the pointers; the simulator must
 * answer the same and keep running.
 */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static unsigned char buffer[1 << 20];

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s -> -1 %s\n", what, strerrorname_np(errno));
  else
    printf("%s -> %ld\n", what, r);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const size_t huge = (size_t)1 << 32;
  void *top = (void *)(uintptr_t)0xfffffffffffffff0ull;

  int p[2];
  if (pipe2(p, O_NONBLOCK) != 0) return 1;
  show("write 2^32 to a non-blocking pipe", write(p[1], buffer, huge));
  show("write SIZE_MAX to a full pipe", write(p[1], buffer, SIZE_MAX));
  struct iovec big[2] = {{buffer, huge}, {buffer, huge}};
  show("writev 2 x 2^32 to a full pipe", writev(p[1], big, 2));
  show("read into a pointer near 2^64", read(p[0], top, 10));
  struct iovec wrap = {top, 64};
  show("readv into an iovec near 2^64", readv(p[0], &wrap, 1));
  show("write from a pointer near 2^64", write(p[1], top, 64));

  int e = eventfd(0, EFD_NONBLOCK);
  unsigned char one[8] = {1};
  memcpy(buffer, one, sizeof one);
  show("write 2^32 to an eventfd", write(e, buffer, huge));
  uint64_t value = 0;
  show("read the eventfd", read(e, &value, sizeof value));
  printf("eventfd counter %llu\n", (unsigned long long)value);

  int s[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, s) != 0) return 1;
  show("write 2^32 to a unix datagram socket", write(s[0], buffer, huge));

  show("rt_sigaction with act near 2^64", syscall(SYS_rt_sigaction, SIGUSR1, top, NULL, 8));
  struct sigaction old;
  show("rt_sigaction with oldact near 2^64", syscall(SYS_rt_sigaction, SIGUSR1, &old, top, 8));
  show("nanosleep with a timespec near 2^64", syscall(SYS_nanosleep, top, NULL));
  show("pipe2 into a pointer near 2^64", syscall(SYS_pipe2, top, 0));
  printf("still running\n");
  return 0;
}
