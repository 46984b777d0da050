/* UDP to a closed port on loopback: Linux answers with an ICMP port unreachable, so a connected
 * socket's next call fails with ECONNREFUSED (and poll shows POLLERR, SO_ERROR holds it until
 * read), while an unconnected socket hears nothing. Prints each step. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void report(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
}

/** A loopback port nobody listens on: bound once, then closed. */
static struct sockaddr_in closed_port(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  bind(s, (struct sockaddr *)&a, sizeof a);
  getsockname(s, (struct sockaddr *)&a, &len);
  close(s);
  return a;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sockaddr_in to = closed_port();
  char buf[8];
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  report("connect to a closed port", connect(c, (struct sockaddr *)&to, sizeof to));
  report("send", send(c, "x", 1, 0));
  report("recv", recv(c, buf, sizeof buf, 0));
  report("recv again (the error is taken)", recv(c, buf, sizeof buf, MSG_DONTWAIT));
  report("send again", send(c, "y", 1, 0));
  struct pollfd p = {.fd = c, .events = POLLIN};
  report("poll", poll(&p, 1, 100));
  printf("revents:%s%s\n", p.revents & POLLERR ? " ERR" : "", p.revents & POLLIN ? " IN" : "");
  int err = -1;
  socklen_t len = sizeof err;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
  printf("SO_ERROR: %s\n", err ? strerrorname_np(err) : "0");
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
  printf("SO_ERROR again: %s\n", err ? strerrorname_np(err) : "0");

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  report("unconnected sendto", sendto(u, "z", 1, 0, (struct sockaddr *)&to, sizeof to));
  struct pollfd q = {.fd = u, .events = POLLIN};
  report("poll unconnected", poll(&q, 1, 100));
  report("recvfrom unconnected", recvfrom(u, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));
  return 0;
}
