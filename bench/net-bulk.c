/* Bulk TCP transfer for bench/net.ts.
 *   net-bulk recv PORT            accept one connection, read to EOF, print "<bytes> <seconds>"
 *                                 (CLOCK_MONOTONIC from accept to EOF)
 *   net-bulk send HOST PORT BYTES connect and write BYTES bytes, then close
 *   net-bulk http PORT [BYTES]    an HTTP/1.0 server: answers every request with a short page, or
 *                                 with a body of BYTES bytes */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static int listener(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY};
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4096) < 0) { perror("bind/listen"); exit(1); }
  return s;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "recv")) {
    int s = listener(atoi(argv[2]));
    int c = accept(s, 0, 0);
    double start = now();
    long long total = 0;
    ssize_t n;
    while ((n = read(c, buf, sizeof buf)) > 0) total += n;
    printf("%lld %.6f\n", total, now() - start);
    return 0;
  }
  if (argc == 5 && !strcmp(argv[1], "send")) {
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(argv[2], argv[3], &hints, &ai)) { fprintf(stderr, "getaddrinfo failed\n"); return 1; }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0) { perror("connect"); return 1; }
    long long left = atoll(argv[4]);
    memset(buf, 'x', sizeof buf);
    while (left > 0) {
      ssize_t n = write(s, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
      if (n <= 0) { perror("write"); return 1; }
      left -= n;
    }
    close(s);
    return 0;
  }
  if ((argc == 3 || argc == 4) && !strcmp(argv[1], "http")) {
    int s = listener(atoi(argv[2]));
    static const char page[] = "<p>hello</p>\n";
    long long body = argc == 4 ? atoll(argv[3]) : (long long)sizeof page - 1;
    char head[128];  /* the header, and the short page after it: one write, one segment */
    int headLength = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %lld\r\n\r\n%s",
                                body, argc == 3 ? page : "");
    for (;;) {
      int c = accept(s, 0, 0);
      if (c < 0) continue;
      /* read the request up to the blank line */
      size_t have = 0;
      ssize_t n;
      while (have < sizeof buf - 1 && (n = read(c, buf + have, sizeof buf - 1 - have)) > 0) {
        have += n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n")) break;
      }
      if (write(c, head, headLength) < 0) {}
      if (argc == 4) {
        memset(buf, 'x', sizeof buf);
        for (long long left = body; left > 0;) {
          n = write(c, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
          if (n <= 0) break;
          left -= n;
        }
      }
      close(c);
    }
  }
  fprintf(stderr, "usage: net-bulk recv PORT | send HOST PORT BYTES | http PORT [BYTES]\n");
  return 2;
}
