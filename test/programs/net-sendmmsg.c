/* sendmmsg(2) on loopback UDP, as glibc's resolver uses it (A and AAAA queries in one call), and
 * its edges: each msg_len filled in, an empty vector, a bad vector, a bad second message (the
 * count of those sent, the error lost), per-message destinations, a socket that is not one.
 * Prints what each call returned; the same natively and under the simulator. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int udp_bound(struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  socklen_t len = sizeof *addr;
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, (struct sockaddr *)addr, sizeof *addr);
  getsockname(fd, (struct sockaddr *)addr, &len);
  return fd;
}

static void report(const char *what, int r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerror(errno));
  else printf("%s: %d\n", what, r);
}

/* Receives `n` datagrams and prints their lengths and first bytes. */
static void drain(int fd, int n) {
  char buf[64];
  for (int i = 0; i < n; i++) {
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    printf("  received %zd bytes%s%c\n", got, got > 0 ? ", first " : "", got > 0 ? buf[0] : ' ');
  }
}

int main(void) {
  struct sockaddr_in to;
  int rx = udp_bound(&to);
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  connect(tx, (struct sockaddr *)&to, sizeof to);

  char a[] = "alpha", c[] = "charlie";
  struct iovec iov[3] = {{a, 5}, {NULL, 0}, {c, 7}};
  struct mmsghdr msgs[3];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 3; i++) {
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_len = 12345;
  }
  report("three messages", sendmmsg(tx, msgs, 3, 0));
  printf("  msg_len %u %u %u\n", msgs[0].msg_len, msgs[1].msg_len, msgs[2].msg_len);
  drain(rx, 3);

  report("no messages", sendmmsg(tx, msgs, 0, 0));
  report("a NULL vector", sendmmsg(tx, NULL, 2, 0));

  struct iovec bad = {(void *)8, 4};
  msgs[1].msg_hdr.msg_iov = &bad;
  msgs[0].msg_len = msgs[1].msg_len = 0;
  report("a bad second message", sendmmsg(tx, msgs, 3, 0));
  printf("  msg_len %u %u\n", msgs[0].msg_len, msgs[1].msg_len);
  drain(rx, 1);

  /* Unconnected: each message names its destination. */
  struct sockaddr_in to2;
  int rx2 = udp_bound(&to2);
  int un = socket(AF_INET, SOCK_DGRAM, 0);
  msgs[1].msg_hdr.msg_iov = &iov[2];
  msgs[0].msg_hdr.msg_name = &to;
  msgs[0].msg_hdr.msg_namelen = sizeof to;
  msgs[1].msg_hdr.msg_name = &to2;
  msgs[1].msg_hdr.msg_namelen = sizeof to2;
  report("two destinations", sendmmsg(un, msgs, 2, MSG_DONTWAIT));
  drain(rx, 1);
  drain(rx2, 1);
  msgs[0].msg_hdr.msg_name = NULL;
  msgs[0].msg_hdr.msg_namelen = 0;
  report("no destination", sendmmsg(un, msgs, 1, 0));

  int p[2];
  if (pipe(p) == 0) report("a pipe", sendmmsg(p[1], msgs, 1, 0));
  report("a closed descriptor", sendmmsg(99, msgs, 1, 0));
  return 0;
}
