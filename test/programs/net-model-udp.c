/*
 * UDP datagrams larger than the receive buffer, on loopback (compared with native Linux):
 * the receiver's SO_RCVBUF is set to its minimum; Linux still queues one datagram larger than
 * the buffer when the queue is empty, drops the next ones while it is not, and truncates a
 * datagram read into a smaller buffer (MSG_TRUNC).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char big[65507], in[65536];

static void drain(int r, const char *label) {
  for (;;) {
    ssize_t n = recv(r, in, sizeof in, MSG_DONTWAIT);
    if (n < 0) {
      printf("%s: recv %s\n", label, errno == EAGAIN ? "EAGAIN" : strerror(errno));
      return;
    }
    printf("%s: recv %zd bytes, first byte %d\n", label, n, in[0]);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (bind(r, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(r, (struct sockaddr *)&a, &len) < 0) {
    perror("bind");
    return 1;
  }
  int size = 1;
  setsockopt(r, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  for (int i = 0; i < 3; i++) {
    memset(big, 'a' + i, sizeof big);
    ssize_t n = sendto(s, big, 60000, 0, (struct sockaddr *)&a, sizeof a);
    printf("sendto 60000 bytes: %zd\n", n);
  }
  usleep(100000);
  drain(r, "three 60000-byte datagrams");

  /* one datagram, read into a 1000-byte buffer: the rest is discarded */
  memset(big, 'x', sizeof big);
  sendto(s, big, 65507, 0, (struct sockaddr *)&a, sizeof a);
  usleep(100000);
  ssize_t n = recv(r, in, 1000, MSG_DONTWAIT | MSG_TRUNC);
  printf("65507-byte datagram into 1000 bytes with MSG_TRUNC: %zd\n", n);
  drain(r, "after the truncated read");

  /* 65508 bytes: too long for UDP over IPv4 */
  n = sendto(s, big, 65508, 0, (struct sockaddr *)&a, sizeof a);
  printf("sendto 65508 bytes: %zd %s\n", n, n < 0 ? (errno == EMSGSIZE ? "EMSGSIZE" : strerror(errno)) : "");
  return 0;
}
