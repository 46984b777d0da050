/* recvmmsg(2) on loopback UDP: several datagrams in one call (MSG_WAITFORONE), each msg_len and
 * sender filled in, MSG_DONTWAIT on an empty socket, a bad timeout, a bad vector, an empty vector
 * and a descriptor that is not a socket. Prints what each call returned; the same natively and
 * under the simulator. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void report(const char *what, int r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno));
  else printf("%s: %d\n", what, r);
}

int main(void) {
  int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, me;
  socklen_t len = sizeof to;
  bind(rx, (struct sockaddr *)&to, sizeof to);
  getsockname(rx, (struct sockaddr *)&to, &len);
  bind(tx, (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, sizeof to);
  len = sizeof me;
  getsockname(tx, (struct sockaddr *)&me, &len);
  const char *words[] = {"one", "three", "seventeen"};
  for (int i = 0; i < 3; i++) sendto(tx, words[i], strlen(words[i]), 0, (struct sockaddr *)&to, sizeof to);

  struct mmsghdr msgs[5];
  char bufs[5][32];
  struct iovec iov[5];
  struct sockaddr_in from[5];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 5; i++) {
    iov[i] = (struct iovec){bufs[i], sizeof bufs[i]};
    msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i], .msg_iovlen = 1};
    msgs[i].msg_len = 999;
  }
  int n = recvmmsg(rx, msgs, 5, MSG_WAITFORONE, NULL);
  report("recvmmsg 5 WAITFORONE", n);
  for (int i = 0; i < 5; i++) {
    printf("  message %d: msg_len %u", i, msgs[i].msg_len);
    if (i < n) printf(" \"%.*s\" from the sender: %s", (int)msgs[i].msg_len, bufs[i], from[i].sin_port == me.sin_port ? "yes" : "no");
    printf("\n");
  }
  report("recvmmsg DONTWAIT on an empty socket", recvmmsg(rx, msgs, 5, MSG_DONTWAIT, NULL));
  struct timespec bad = {.tv_sec = 1, .tv_nsec = 2000000000};
  report("recvmmsg bad timeout", recvmmsg(rx, msgs, 5, MSG_DONTWAIT, &bad));
  report("recvmmsg timeout at a bad address", recvmmsg(rx, msgs, 5, MSG_DONTWAIT, (struct timespec *)8));
  sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
  report("recvmmsg bad vector", recvmmsg(rx, (struct mmsghdr *)8, 2, MSG_WAITFORONE, NULL));
  report("recvmmsg empty vector", recvmmsg(rx, msgs, 0, 0, NULL));
  report("recvmmsg after the bad vector", recvmmsg(rx, msgs, 2, MSG_WAITFORONE, NULL));
  report("recvmmsg on a pipe", recvmmsg(0, msgs, 1, MSG_DONTWAIT, NULL));
  return 0;
}
