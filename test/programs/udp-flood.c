/*
 * A UDP flood: `udp-flood send HOST PORT COUNT SIZE` sends COUNT datagrams of SIZE bytes as fast
 * as blocking sends go; `udp-flood sink PORT SECONDS` binds PORT, reads nothing for SECONDS, then
 * counts what its receive buffer kept. Linux bounds both sides: the sender's SO_SNDBUF (a send
 * blocks until earlier datagrams have left the host) and the receiver's SO_RCVBUF (datagrams
 * beyond it are dropped), so a flood costs memory in proportion to the buffers, not the count.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return 1;
  if (argc == 6 && strcmp(argv[1], "send") == 0) {
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *to;
    if (getaddrinfo(argv[2], argv[3], &hints, &to) != 0) return 1;
    long count = atol(argv[4]);
    size_t size = (size_t)atol(argv[5]);
    char *data = calloc(1, size);
    double start = now();
    long sent = 0;
    for (long i = 0; i < count; i++)
      if (sendto(fd, data, size, 0, to->ai_addr, to->ai_addrlen) == (ssize_t)size) sent++;
    printf("sent %ld datagrams of %zu bytes in %.1f s\n", sent, size, now() - start);
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "sink") == 0) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
    sleep((unsigned)atoi(argv[3]));
    static char buf[65536];
    long kept = 0;
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) kept++;
    printf("kept %ld datagrams\n", kept);
    return 0;
  }
  fprintf(stderr, "usage: %s send HOST PORT COUNT SIZE | sink PORT SECONDS\n", argv[0]);
  return 2;
}
