/*
 * sendfile(2) as web servers use it (nginx with `sendfile on`): a file of 300,000 bytes into one
 * end of a non-blocking socketpair with the file position (waiting in poll when it is full), then a part of it by offset, read from the other
 * end by a child; plus the errors (a socket as source, a write-only source, a bad offset).
 * Prints counts, positions and a checksum of what arrived.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 300000

static void say(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  static char data[SIZE];
  for (int i = 0; i < SIZE; i++) data[i] = (char)(i * 7 + 3);
  int f = open("payload", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (write(f, data, SIZE) != SIZE) return 1;
  lseek(f, 0, SEEK_SET);
  int sv[2], go[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(go);
  pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    char start;
    if (read(go[0], &start, 1) != 1) _exit(1); // reads only once the parent found the socket full
    static char got[2 * SIZE];
    long total = 0;
    for (ssize_t n; (n = read(sv[1], got + total, sizeof got - total)) > 0;) total += n;
    uint64_t hash = 1469598103934665603ULL;
    for (long i = 0; i < total; i++) hash = (hash ^ (unsigned char)got[i]) * 1099511628211ULL;
    printf("child received %ld bytes, fnv1a64 %016llx\n", total, (unsigned long long)hash);
    _exit(0);
  }
  close(sv[1]);
  // Non-blocking, as web servers do: a full socket says EAGAIN, and poll says when there is room.
  fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  long sent = 0, waits = 0;
  while (sent < SIZE) {
    ssize_t n = sendfile(sv[0], f, NULL, SIZE - sent);
    if (n < 0 && errno == EAGAIN) {
      if (waits == 0 && write(go[1], "g", 1) != 1) return 1;
      struct pollfd p = {.fd = sv[0], .events = POLLOUT};
      poll(&p, 1, -1);
      waits++;
      continue;
    }
    if (n <= 0) {
      say("sendfile", n);
      break;
    }
    sent += n;
  }
  printf("waited for room: %s\n", waits > 0 ? "yes" : "no");
  if (waits == 0 && write(go[1], "g", 1) != 1) return 1;
  fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) & ~O_NONBLOCK);
  printf("sent %ld by position, file position now %ld\n", sent, (long)lseek(f, 0, SEEK_CUR));
  say("sendfile at end of file", sendfile(sv[0], f, NULL, 100));
  off_t off = 1000;
  say("sendfile 5000 at offset 1000", sendfile(sv[0], f, &off, 5000));
  printf("offset now %ld, file position still %ld\n", (long)off, (long)lseek(f, 0, SEEK_CUR));
  off = -1;
  say("sendfile negative offset", sendfile(sv[0], f, &off, 10));
  say("sendfile bad offset pointer", sendfile(sv[0], f, (off_t *)8, 10));
  say("sendfile from a socket", sendfile(sv[0], sv[0], NULL, 10));
  int wo = open("payload", O_WRONLY);
  say("sendfile from a write-only file", sendfile(sv[0], wo, NULL, 10));
  close(sv[0]);
  int status;
  waitpid(child, &status, 0);

  // copy_file_range(2): between regular files the kernel's; a socket or pipe on either side is EINVAL.
  int copy = open("copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
  off_t from = 100;
  say("copy_file_range 1000 bytes at 100", copy_file_range(f, &from, copy, NULL, 1000, 0));
  char check[1000];
  int same = pread(copy, check, sizeof check, 0) == (ssize_t)sizeof check && memcmp(check, data + 100, sizeof check) == 0;
  printf("copied bytes are the file's: %s, source offset now %ld\n", same ? "yes" : "no", (long)from);
  int pair[2], p[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  pipe(p);
  say("copy_file_range into a socket", copy_file_range(f, NULL, pair[0], NULL, 10, 0));
  say("copy_file_range from a pipe", copy_file_range(p[0], NULL, copy, NULL, 10, 0));
  return WEXITSTATUS(status);
}
