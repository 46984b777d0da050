/*
 * TCP echo over the simulated network (blocking sockets).
 *   net-tcp-echo server PORT          accepts one connection and echoes it until end of file
 *   net-tcp-echo client HOST PORT N   sends N bytes (a fixed pattern) in 64 KiB rounds, reads
 *                                     each round back, then prints the count and an FNV-1a
 *                                     64-bit hash of everything that came back
 *   net-tcp-echo connect HOST PORT    one connect(2); prints "connected" or the errno name
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUND 65536

static int server(int port) {
  int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in6 addr = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 16) < 0) {
    perror("server bind/listen");
    return 1;
  }
  int c = accept(s, NULL, NULL);
  if (c < 0) {
    perror("accept");
    return 1;
  }
  static char buf[ROUND];
  long total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(c, buf + off, n - off);
      if (w < 0) {
        perror("write");
        return 1;
      }
      off += w;
    }
    total += n;
  }
  printf("server echoed %ld bytes\n", total);
  close(c);
  close(s);
  return 0;
}

static int dial(const char *host, const char *port) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  int e = getaddrinfo(host, port, &hints, &res);
  if (e != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(e));
    return -2;
  }
  int s = socket(res->ai_family, SOCK_STREAM, 0);
  int r = connect(s, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return r < 0 ? -1 : s;
}

static int client(const char *host, const char *port, long n) {
  int s = dial(host, port);
  if (s < 0) {
    perror("connect");
    return 1;
  }
  static unsigned char out[ROUND], in[ROUND];
  uint64_t hash = 14695981039346656037ULL;
  long sent = 0, got = 0;
  while (sent < n) {
    long chunk = n - sent < ROUND ? n - sent : ROUND;
    for (long i = 0; i < chunk; i++) out[i] = (unsigned char)((sent + i) * 31 + 7);
    if (write(s, out, chunk) != chunk) {
      perror("write");
      return 1;
    }
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
  shutdown(s, SHUT_WR);
  char end;
  ssize_t r = read(s, &end, 1);
  printf("received %ld bytes, fnv1a64 %016llx, then %s\n", got, (unsigned long long)hash, r == 0 ? "end of file" : "more data");
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 3 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]));
  if (argc == 5 && strcmp(argv[1], "client") == 0) return client(argv[2], argv[3], atol(argv[4]));
  if (argc == 4 && strcmp(argv[1], "connect") == 0) {
    int s = dial(argv[2], argv[3]);
    if (s >= 0) printf("connected\n");
    else if (s == -1) printf("connect: %s\n", errno == ECONNREFUSED ? "ECONNREFUSED" : errno == ETIMEDOUT ? "ETIMEDOUT" : strerror(errno));
    return 0;
  }
  fprintf(stderr, "usage: %s server PORT | client HOST PORT N | connect HOST PORT\n", argv[0]);
  return 2;
}
