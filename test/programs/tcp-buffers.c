/*
 * TCP buffer sizes as getsockopt reports them, before and after a bulk transfer (autotuning).
 *   tcp-buffers fresh              a new TCP socket's SO_SNDBUF and SO_RCVBUF, then after
 *                                  setsockopt(SO_RCVBUF, 65536) (doubled, autotuning off)
 *   tcp-buffers server PORT        accepts one connection, reads to end of file; prints its
 *                                  SO_RCVBUF after accept and after the transfer
 *   tcp-buffers client HOST PORT N connects, prints SO_SNDBUF, sends N bytes, prints it again
 */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int intopt(int fd, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, name, &v, &len) != 0) return -1;
  return v;
}

static int die(const char *what) {
  perror(what);
  return 1;
}

static int fresh(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0), size = 65536;
  printf("fresh sndbuf %d rcvbuf %d\n", intopt(s, SO_SNDBUF), intopt(s, SO_RCVBUF));
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  printf("after SO_RCVBUF 65536: rcvbuf %d\n", intopt(s, SO_RCVBUF));
  return 0;
}

static int server(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0) return die("bind/listen");
  int c = accept(s, NULL, NULL);
  if (c < 0) return die("accept");
  printf("accepted rcvbuf %d\n", intopt(c, SO_RCVBUF));
  static char buf[1 << 16];
  long total = 0;
  ssize_t n;
  while ((n = read(c, buf, sizeof buf)) > 0) total += n;
  if (n < 0) return die("read");
  int grown = intopt(c, SO_RCVBUF);
  printf("read %ld bytes, rcvbuf %s\n", total, grown > 131072 ? "grew" : "did not grow");
  printf("rcvbuf %d\n", grown);
  return 0;
}

static int client(const char *host, int port, long bytes) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  if (getaddrinfo(host, service, &hints, &ai) != 0) return die("getaddrinfo");
  int s = socket(AF_INET, SOCK_STREAM, 0);
  printf("unconnected sndbuf %d\n", intopt(s, SO_SNDBUF));
  if (connect(s, ai->ai_addr, ai->ai_addrlen) != 0) return die("connect");
  printf("connected sndbuf %d\n", intopt(s, SO_SNDBUF));
  static char buf[1 << 16];
  memset(buf, 'x', sizeof buf);
  for (long sent = 0; sent < bytes;) {
    ssize_t n = write(s, buf, bytes - sent < (long)sizeof buf ? (size_t)(bytes - sent) : sizeof buf);
    if (n <= 0) return die("write");
    sent += n;
  }
  int grown = intopt(s, SO_SNDBUF);
  printf("sent %ld bytes, sndbuf %s\n", bytes, grown > 87040 ? "grew" : "did not grow");
  printf("sndbuf %d\n", grown);
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 2 && !strcmp(argv[1], "fresh")) return fresh();
  if (argc == 3 && !strcmp(argv[1], "server")) return server(atoi(argv[2]));
  if (argc == 5 && !strcmp(argv[1], "client")) return client(argv[2], atoi(argv[3]), atol(argv[4]));
  fprintf(stderr, "usage: tcp-buffers fresh | server PORT | client HOST PORT BYTES\n");
  return 2;
}
