/*
 * TCP programs for the network-model tests (test/e2e/net-model.test.ts).
 *   net-model-tcp server PORT MODE          accepts one connection on [::] (dual stack) and echoes
 *                                           it until end of file; MODE is block, epoll or poll
 *   net-model-tcp client HOST PORT N MODE   sends N bytes of a fixed pattern (byte i is
 *                                           (i * 31 + 7) mod 256) and reads them back; prints the
 *                                           count and an FNV-1a 64 hash of what came back
 *   net-model-tcp connect HOST PORT         one connect(2); prints its duration (CLOCK_MONOTONIC)
 *   net-model-tcp sink PORT                 accepts one connection, reads until end of file, closes
 *   net-model-tcp send HOST PORT N          sends N bytes, shuts down writing and waits for the
 *                                           sink's close; prints the time that took
 * HOST may be a name, an IPv4 or an IPv6 literal (getaddrinfo with AF_UNSPEC).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ROUND 65536
enum mode { BLOCK, EPOLL, POLL };

static enum mode parse_mode(const char *s) {
  if (strcmp(s, "epoll") == 0) return EPOLL;
  if (strcmp(s, "poll") == 0) return POLL;
  return BLOCK;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Waits until fd is readable (want_r) or writable (want_w); sets *r and *w. */
static void wait_fd(enum mode m, int ep, int fd, int want_r, int want_w, int *r, int *w) {
  *r = *w = 0;
  if (m == EPOLL) {
    struct epoll_event ev = {.events = (want_r ? EPOLLIN : 0) | (want_w ? EPOLLOUT : 0), .data.fd = fd};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0) die("epoll_ctl");
    struct epoll_event out;
    int n;
    do n = epoll_wait(ep, &out, 1, -1);
    while (n < 0 && errno == EINTR);
    if (n < 0) die("epoll_wait");
    *r = (out.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
    *w = (out.events & (EPOLLOUT | EPOLLERR)) != 0;
  } else {
    struct pollfd p = {.fd = fd, .events = (want_r ? POLLIN : 0) | (want_w ? POLLOUT : 0)};
    int n;
    do n = poll(&p, 1, -1);
    while (n < 0 && errno == EINTR);
    if (n < 0) die("poll");
    *r = (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    *w = (p.revents & (POLLOUT | POLLERR)) != 0;
  }
}

static int epoll_for(enum mode m, int fd) {
  if (m != EPOLL) return -1;
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll");
  return ep;
}

static int listen_on(int port) {
  int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
  struct sockaddr_in6 addr = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 16) < 0) die("server bind/listen");
  return s;
}

static int accept_one(int s, enum mode m) {
  if (m != BLOCK) {
    nonblock(s);
    int ep = epoll_for(m, s), r, w;
    wait_fd(m, ep, s, 1, 0, &r, &w);
    if (ep >= 0) close(ep);
  }
  int c = accept(s, NULL, NULL);
  if (c < 0) die("accept");
  return c;
}

static int server(int port, enum mode m) {
  int s = listen_on(port);
  int c = accept_one(s, m);
  static char buf[ROUND];
  long total = 0;
  if (m == BLOCK) {
    for (;;) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n < 0) die("read");
      if (n == 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(c, buf + off, n - off);
        if (w < 0) die("write");
        off += w;
      }
      total += n;
    }
  } else {
    nonblock(c);
    int ep = epoll_for(m, c);
    size_t have = 0, off = 0; /* buf[off..have) still to write */
    for (;;) {
      int r, w;
      wait_fd(m, ep, c, have == 0, have > 0, &r, &w);
      if (have > 0 && w) {
        ssize_t n = write(c, buf + off, have - off);
        if (n < 0 && errno != EAGAIN) die("write");
        if (n > 0) off += n;
        if (off == have) off = have = 0;
      } else if (have == 0 && r) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n < 0 && errno != EAGAIN) die("read");
        if (n == 0) break;
        if (n > 0) have = n, total += n;
      }
    }
  }
  printf("server echoed %ld bytes\n", total);
  close(c);
  close(s);
  return 0;
}

/* Connects (retrying a refused connection for up to a second, for native runs). */
static int dial(const char *host, const char *port, double *took) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
  int e = getaddrinfo(host, port, &hints, &res);
  if (e != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(e));
    exit(1);
  }
  for (int tries = 0;; tries++) {
    int s = socket(res->ai_family, SOCK_STREAM, 0);
    double t0 = now();
    int r = connect(s, res->ai_addr, res->ai_addrlen);
    if (took) *took = now() - t0;
    if (r == 0) {
      freeaddrinfo(res);
      return s;
    }
    if (errno != ECONNREFUSED || tries == 50) die("connect");
    close(s);
    usleep(20000);
  }
}

static unsigned char pattern(long i) { return (unsigned char)(i * 31 + 7); }

static int client(const char *host, const char *port, long n, enum mode m) {
  int s = dial(host, port, NULL);
  static unsigned char out[ROUND], in[ROUND];
  uint64_t hash = 14695981039346656037ULL;
  long sent = 0, got = 0;
  if (m == BLOCK) {
    while (sent < n) {
      long chunk = n - sent < ROUND ? n - sent : ROUND;
      for (long i = 0; i < chunk; i++) out[i] = pattern(sent + i);
      if (write(s, out, chunk) != chunk) die("write");
      sent += chunk;
      for (long have = 0; have < chunk;) {
        ssize_t r = read(s, in, chunk - have);
        if (r <= 0) {
          fprintf(stderr, "read: %s\n", r == 0 ? "end of file" : strerror(errno));
          return 1;
        }
        for (ssize_t i = 0; i < r; i++) hash = (hash ^ in[i]) * 1099511628211ULL;
        have += r;
        got += r;
      }
    }
  } else {
    nonblock(s);
    int ep = epoll_for(m, s);
    while (got < n) {
      int r, w;
      wait_fd(m, ep, s, 1, sent < n, &r, &w);
      if (w && sent < n) {
        long chunk = n - sent < ROUND ? n - sent : ROUND;
        for (long i = 0; i < chunk; i++) out[i] = pattern(sent + i);
        ssize_t k = write(s, out, chunk);
        if (k < 0 && errno != EAGAIN) die("write");
        if (k > 0) sent += k;
      }
      if (r) {
        ssize_t k = read(s, in, sizeof in);
        if (k == 0) {
          fprintf(stderr, "read: end of file\n");
          return 1;
        }
        if (k < 0 && errno != EAGAIN) die("read");
        for (ssize_t i = 0; i < k; i++) hash = (hash ^ in[i]) * 1099511628211ULL;
        if (k > 0) got += k;
      }
    }
    if (ep >= 0) close(ep);
    int fl = fcntl(s, F_GETFL);
    fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
  }
  shutdown(s, SHUT_WR);
  char end;
  ssize_t r = read(s, &end, 1);
  printf("received %ld bytes, fnv1a64 %016llx, then %s\n", got, (unsigned long long)hash, r == 0 ? "end of file" : "more data");
  close(s);
  return 0;
}

static int sink(int port) {
  int s = listen_on(port);
  int c = accept_one(s, BLOCK);
  static char buf[ROUND];
  long total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0) die("read");
    if (n == 0) break;
    total += n;
  }
  printf("sink got %ld bytes\n", total);
  close(c);
  close(s);
  return 0;
}

static int send_n(const char *host, const char *port, long n) {
  int s = dial(host, port, NULL);
  static unsigned char out[ROUND];
  double t0 = now();
  for (long sent = 0; sent < n;) {
    long chunk = n - sent < ROUND ? n - sent : ROUND;
    for (long i = 0; i < chunk; i++) out[i] = pattern(sent + i);
    ssize_t w = write(s, out, chunk);
    if (w < 0) die("write");
    sent += w;
  }
  shutdown(s, SHUT_WR);
  char end;
  ssize_t r = read(s, &end, 1);
  double t = now() - t0;
  printf("sent %ld bytes in %.3f s (then %s)\n", n, t, r == 0 ? "end of file" : "more data");
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 4 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]), parse_mode(argv[3]));
  if (argc == 6 && strcmp(argv[1], "client") == 0) return client(argv[2], argv[3], atol(argv[4]), parse_mode(argv[5]));
  if (argc == 4 && strcmp(argv[1], "connect") == 0) {
    double took;
    int s = dial(argv[2], argv[3], &took);
    printf("connect %.3f\n", took);
    close(s);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "sink") == 0) return sink(atoi(argv[2]));
  if (argc == 5 && strcmp(argv[1], "send") == 0) return send_n(argv[2], argv[3], atol(argv[4]));
  fprintf(stderr, "usage: %s server PORT MODE | client HOST PORT N MODE | connect HOST PORT | sink PORT | send HOST PORT N\n", argv[0]);
  return 2;
}
