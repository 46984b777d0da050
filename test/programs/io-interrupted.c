/*
 * Interrupted and timed-out transfers on a pipe, a unix stream socket and a loopback TCP
 * connection. Linux returns the count of bytes a call moved before a signal (with or without
 * SA_RESTART) or a timeout ended it, never EINTR/EAGAIN and never a restart that moves the
 * bytes again (signal(7), pipe(7), socket(7)). The counts themselves depend on buffer sizes,
 * which differ between Linux and the simulator, so the program prints what must agree: whether
 * the result is partial, and whether the peer received exactly that many bytes, intact.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOTAL (1 << 20)
#define SLOW_CHUNK 4096

static volatile int handled;
static unsigned char buffer[TOTAL];

static void on_alarm(int sig) {
  (void)sig;
  handled++;
}

static void die(const char *what) {
  printf("%s: %s\n", what, strerror(errno));
  exit(1);
}

static void handle_alarm(int restart) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  if (sigaction(SIGALRM, &sa, NULL) != 0) die("sigaction");
  handled = 0;
}

/* SIGALRM once, `ms` milliseconds from now. */
static void alarm_in(int ms) {
  struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
  if (setitimer(ITIMER_REAL, &it, NULL) != 0) die("setitimer");
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* A connected pair: w is written, r is read. TCP buffers are kept small so 1 MiB cannot fit. */
static void channel(const char *kind, int *w, int *r) {
  int fds[2];
  if (strcmp(kind, "pipe") == 0) {
    if (pipe(fds) != 0) die("pipe");
    *r = fds[0];
    *w = fds[1];
  } else if (strcmp(kind, "unix") == 0) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) die("socketpair");
    *w = fds[0];
    *r = fds[1];
  } else {
    int small = 65536, one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) die("listener");
    if (setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) != 0) die("SO_RCVBUF");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 1) != 0) die("bind/listen");
    if (getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) die("getsockname");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) != 0) die("SO_SNDBUF");
    if (connect(c, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
    int s = accept(lfd, NULL, NULL);
    if (s < 0) die("accept");
    close(lfd);
    *w = c;
    *r = s;
  }
}

/* Reads `fd` to end of file (slowly: a chunk every 10 ms when `slow`); returns the count, or -1 when a byte differs from what was written. */
static long drain(int fd, int slow) {
  static unsigned char in[TOTAL];
  long got = 0;
  int intact = 1;
  for (;;) {
    if (slow) sleep_ms(10);
    ssize_t n = read(fd, in, slow ? SLOW_CHUNK : sizeof in);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read");
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) intact &= in[i] == buffer[(got + i) % TOTAL];
    got += n;
  }
  return intact ? got : -1;
}

static void report(const char *what, ssize_t n, int err) {
  if (n < 0)
    printf("%s -> -1 %s", what, strerrorname_np(err));
  else if (n == 0 || n == TOTAL)
    printf("%s -> %zd", what, n);
  else
    printf("%s -> partial", what);
}

static void peer_report(ssize_t n, long got) {
  if (got < 0)
    printf(", peer data corrupted\n");
  else
    printf(", peer got %s\n", got == (n < 0 ? 0 : n) ? "exactly that" : "a different count");
}

/* A blocking 1 MiB write that SIGALRM interrupts while a child reads slowly. */
static void interrupted_write(const char *kind, int restart) {
  int w, r, result[2];
  if (pipe(result) != 0) die("pipe");
  channel(kind, &w, &r);
  pid_t child = fork();
  if (child == 0) {
    close(w);
    long got = drain(r, 1);
    if (write(result[1], &got, sizeof got) != sizeof got) _exit(2);
    _exit(0);
  }
  close(r);
  handle_alarm(restart);
  alarm_in(100);
  ssize_t n = write(w, buffer, TOTAL);
  int err = errno;
  close(w);
  long got = -2;
  if (read(result[0], &got, sizeof got) != sizeof got) die("result");
  waitpid(child, NULL, 0);
  close(result[0]);
  close(result[1]);
  char what[64];
  snprintf(what, sizeof what, "%s write, %s", kind, restart ? "SA_RESTART" : "no SA_RESTART");
  report(what, n, err);
  printf(", handler ran %d", handled);
  peer_report(n, got);
}

/* recv(MSG_WAITALL) of 1 MiB while the peer sends 1000 bytes and then nothing; ended by SIGALRM or SO_RCVTIMEO. */
static void interrupted_waitall(const char *kind, const char *by) {
  int w, r;
  channel(kind, &w, &r);
  if (send(w, buffer, 1000, 0) != 1000) die("send");
  if (strcmp(by, "SO_RCVTIMEO") == 0) {
    struct timeval tv = {0, 100000};
    if (setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) die("SO_RCVTIMEO");
  } else {
    handle_alarm(strcmp(by, "SIGALRM with SA_RESTART") == 0);
    alarm_in(100);
  }
  static unsigned char in[TOTAL];
  ssize_t n = recv(r, in, TOTAL, MSG_WAITALL);
  int err = errno;
  printf("%s recv MSG_WAITALL, %s -> %zd%s%s, data %s\n", kind, by, n, n < 0 ? " " : "", n < 0 ? strerrorname_np(err) : "",
         n > 0 && memcmp(in, buffer, (size_t)n) == 0 ? "intact" : "-");
  close(w);
  close(r);
}

/* A blocking 1 MiB send under SO_SNDTIMEO to a peer that reads only afterwards; then one more send into the full buffer. */
static void timed_out_send(const char *kind) {
  int w, r;
  channel(kind, &w, &r);
  struct timeval tv = {0, 100000};
  if (setsockopt(w, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) die("SO_SNDTIMEO");
  ssize_t n = send(w, buffer, TOTAL, 0);
  int err = errno;
  char what[64];
  snprintf(what, sizeof what, "%s send, SO_SNDTIMEO", kind);
  report(what, n, err);
  ssize_t again = send(w, buffer, TOTAL, 0);
  err = errno;
  printf(", then");
  report("", again, err);
  if (shutdown(w, SHUT_WR) != 0) die("shutdown");
  peer_report(n, drain(r, 0));
  close(w);
  close(r);
}

int main(void) {
  for (int i = 0; i < TOTAL; i++) buffer[i] = (unsigned char)(i % 251);
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *kinds[] = {"pipe", "unix", "tcp"};
  for (int k = 0; k < 3; k++) {
    interrupted_write(kinds[k], 0);
    interrupted_write(kinds[k], 1);
  }
  for (int k = 1; k < 3; k++) {
    interrupted_waitall(kinds[k], "SIGALRM");
    interrupted_waitall(kinds[k], "SIGALRM with SA_RESTART");
    interrupted_waitall(kinds[k], "SO_RCVTIMEO");
    timed_out_send(kinds[k]);
  }
  return 0;
}
