/*
 * Seeded random control messages on unix sockets, and random splice/tee lengths: each round makes
 * a socket pair of a random type (SO_PASSCRED or not) and a pipe, sends one message whose control
 * buffer is random bytes, a plausible SCM_RIGHTS/SCM_CREDENTIALS header over them, or an
 * unmapped pointer, receives it with a random buffer and flags, and prints what each call did.
 * Run natively and under the simulator, the lines must agree. Usage: fuzz-cmsg SEED ROUNDS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long long state;
static unsigned rnd(void) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)(state >> 33);
}

/* A result as "N" or "-ENAME". */
static const char *result(long r) {
  static char bufs[4][32];
  static int next;
  char *b = bufs[next++ % 4];
  if (r < 0) snprintf(b, 32, "-%s", strerrorname_np(errno));
  else snprintf(b, 32, "%ld", r);
  return b;
}

int main(int argc, char **argv) {
  state = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  int rounds = argc > 2 ? atoi(argv[2]) : 200;
  static const int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
  for (int i = 0; i < rounds; i++) {
    int sv[2], p[2];
    if (socketpair(AF_UNIX, types[rnd() % 3] | SOCK_NONBLOCK, 0, sv) < 0 || pipe(p) < 0) return 1;
    if (rnd() % 2) setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));
    unsigned char cbuf[600];
    for (size_t k = 0; k < sizeof cbuf; k++) cbuf[k] = (unsigned char)rnd();
    size_t clen = rnd() % sizeof cbuf;
    int mode = (int)(rnd() % 4);
    if (mode > 0) {
      struct cmsghdr *cm = (struct cmsghdr *)cbuf;
      cm->cmsg_len = mode == 1 ? rnd() % 200 : CMSG_LEN(4 * (rnd() % 8));
      cm->cmsg_level = rnd() % 3 ? SOL_SOCKET : (int)rnd();
      cm->cmsg_type = rnd() % 3 ? SCM_RIGHTS : rnd() % 2 ? SCM_CREDENTIALS : (int)(rnd() % 5);
      int *fds = (int *)CMSG_DATA(cm);
      for (int k = 0; k < 8; k++) fds[k] = rnd() % 3 ? (int)(rnd() % 12) - 1 : p[rnd() % 2];
      if (cm->cmsg_type == SCM_CREDENTIALS) {
        /* Own pid or none (a small number may be a real pid natively, never under the simulator), uid/gid 0, 5 or -1. */
        static const int ids[3] = {0, 5, -1};
        struct ucred u = {rnd() % 2 ? getpid() : 999999, (uid_t)ids[rnd() % 3], (gid_t)ids[rnd() % 3]};
        memcpy(CMSG_DATA(cm), &u, sizeof u);
      }
    }
    struct msghdr mh = {.msg_iov = &(struct iovec){"x", rnd() % 2}, .msg_iovlen = 1,
                        .msg_control = rnd() % 8 ? (void *)cbuf : (void *)8, .msg_controllen = clen};
    long sent = sendmsg(sv[0], &mh, MSG_DONTWAIT);
    const char *sent_text = result(sent);
    unsigned char rbuf[600];
    char data[4];
    struct msghdr rh = {.msg_iov = &(struct iovec){data, rnd() % 5}, .msg_iovlen = 1,
                        .msg_control = rnd() % 8 ? rbuf : NULL, .msg_controllen = rnd() % sizeof rbuf};
    int flags = MSG_DONTWAIT | (rnd() % 3 == 0 ? MSG_PEEK : 0) | (rnd() % 2 ? MSG_CMSG_CLOEXEC : 0);
    long got = recvmsg(sv[1], &rh, flags);
    int descriptors = 0, creds = 0;
    if (got >= 0) {
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&rh); c; c = CMSG_NXTHDR(&rh, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_CREDENTIALS) creds++;
        if (c->cmsg_type != SCM_RIGHTS) continue;
        for (int *f = (int *)CMSG_DATA(c); (unsigned char *)(f + 1) <= (unsigned char *)c + c->cmsg_len; f++) {
          descriptors++;
          if (*f > 2) close(*f);
        }
      }
    }
    printf("%d: send %s, receive %s (flags %#x, controllen %zu, %d descriptors, %d credentials)", i, sent_text, result(got),
           got >= 0 ? rh.msg_flags & ~MSG_CMSG_CLOEXEC : 0, got >= 0 ? (size_t)rh.msg_controllen : 0, descriptors, creds);
    if (rnd() % 2) {
      int q[2];
      if (pipe(q) < 0 || write(p[1], "abcdef", rnd() % 7) < 0) return 1;
      long s = splice(p[0], NULL, q[1], NULL, rnd() % 100, SPLICE_F_NONBLOCK);
      const char *s_text = result(s);
      long t = tee(q[0], p[1], rnd() % 10, SPLICE_F_NONBLOCK);
      printf(", splice %s, tee %s", s_text, result(t));
      close(q[0]);
      close(q[1]);
    }
    putchar('\n');
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
  }
  return 0;
}
