/*
 * A TCP server restarted on its port (iperf3 between two tests, any restarted daemon): the first
 * listener accepts a client over loopback and closes the connection first (so it sits in
 * TIME_WAIT), closes the listener, then listens again on the same port — with SO_REUSEADDR
 * (Linux lets it) and without (EADDRINUSE) — and serves a second client. Prints each step.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 7311

static const char *err(int e) { return e == EADDRINUSE ? "EADDRINUSE" : strerror(e); }

/** A listener on PORT: 0 and the fd on success, else the errno of the step that failed. */
static int listener(int reuse, int *fd, const char **step) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (reuse) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  *step = "bind";
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) return close(s), errno;
  *step = "listen";
  if (listen(s, 4) < 0) return close(s), errno;
  *fd = s;
  return 0;
}

/** One client in a child: connects, reads the greeting, prints it. */
static void client(int round) {
  if (fork() != 0) return;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    printf("client %d: connect: %s\n", round, err(errno));
    _exit(1);
  }
  char buf[32] = {0};
  ssize_t n = read(s, buf, sizeof buf - 1);
  printf("client %d: read %zd \"%s\"\n", round, n, buf);
  fflush(stdout);
  // Close only after the server did, so that the TIME_WAIT is the server's, in every run.
  char rest;
  while (read(s, &rest, 1) > 0) {}
  _exit(0);
}

/** Accepts one client, greets it, closes first (TIME_WAIT here), waits for the child. */
static void serve(int fd, int round) {
  client(round);
  int c = accept(fd, NULL, NULL);
  char greeting[16];
  int len = snprintf(greeting, sizeof greeting, "hello %d", round);
  if (write(c, greeting, len) != len) printf("server %d: short write\n", round);
  close(c);
  int status;
  wait(&status);
  printf("server %d: served, client exit %d\n", round, WEXITSTATUS(status));
  fflush(stdout);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int fd;
  const char *step;
  int e = listener(1, &fd, &step);
  if (e) return printf("first listener: %s: %s\n", step, err(e)), 1;
  serve(fd, 1);
  close(fd);
  e = listener(0, &fd, &step);
  printf("again without SO_REUSEADDR: %s%s%s\n", e ? step : "ok", e ? ": " : "", e ? err(e) : "");
  if (!e) close(fd);
  e = listener(1, &fd, &step);
  printf("again with SO_REUSEADDR: %s%s%s\n", e ? step : "ok", e ? ": " : "", e ? err(e) : "");
  if (e) return 1;
  serve(fd, 2);
  return 0;
}
