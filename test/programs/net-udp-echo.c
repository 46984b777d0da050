/*
 * UDP echo over the simulated network.
 *   net-udp-echo server PORT COUNT     echoes COUNT datagrams back to their senders, then exits
 *   net-udp-echo client HOST PORT COUNT
 *                                      sends COUNT numbered datagrams, prints each echo
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int server(int port, int count) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("server bind");
    return 1;
  }
  for (int i = 0; i < count; i++) {
    char buf[2048];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) {
      perror("recvfrom");
      return 1;
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
    printf("server got %zd bytes from %s (port %s)\n", n, ip, ntohs(from.sin_port) >= 32768 ? "ephemeral" : "fixed");
    if (sendto(s, buf, n, 0, (struct sockaddr *)&from, len) != n) {
      perror("sendto");
      return 1;
    }
  }
  close(s);
  return 0;
}

static int client(const char *host, const char *port, int count) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;
  int e = getaddrinfo(host, port, &hints, &res);
  if (e != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(e));
    return 1;
  }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (connect(s, res->ai_addr, res->ai_addrlen) < 0) {
    perror("connect");
    return 1;
  }
  for (int i = 0; i < count; i++) {
    char msg[64], buf[2048];
    int len = snprintf(msg, sizeof msg, "datagram %d", i);
    if (send(s, msg, len, 0) != len) {
      perror("send");
      return 1;
    }
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) {
      perror("recv");
      return 1;
    }
    buf[n] = 0;
    printf("echo: %s\n", buf);
  }
  freeaddrinfo(res);
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 4 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]), atoi(argv[3]));
  if (argc == 5 && strcmp(argv[1], "client") == 0) return client(argv[2], argv[3], atoi(argv[4]));
  fprintf(stderr, "usage: %s server PORT COUNT | client HOST PORT COUNT\n", argv[0]);
  return 2;
}
