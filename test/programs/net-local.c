/*
 * Socket semantics on one host (loopback), printed line by line so that a native run and a
 * simulated run can be compared: UDP datagrams, TCP connections, poll bits, options, errors,
 * and named AF_UNIX sockets. Nothing printed depends on timing, port choice or defaults that
 * the simulation sets differently (buffer sizes).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *ename(int e) {
  switch (e) {
    case 0: return "OK";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EINPROGRESS: return "EINPROGRESS";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case EMSGSIZE: return "EMSGSIZE";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ENOTSOCK: return "ENOTSOCK";
    case EALREADY: return "EALREADY";
    case EPROTOTYPE: return "EPROTOTYPE";
    case ENODEV: return "ENODEV";
    default: return strerror(e);
  }
}

/* Prints "what: result" where result is the value or the errno name. */
static long say(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, ename(errno));
  else printf("%s: %ld\n", what, r);
  return r;
}

static void bits(const char *what, int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP};
  poll(&p, 1, 0);
  printf("%s:%s%s%s%s%s\n", what, p.revents & POLLIN ? " IN" : "", p.revents & POLLOUT ? " OUT" : "", p.revents & POLLHUP ? " HUP" : "",
         p.revents & POLLRDHUP ? " RDHUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static struct sockaddr_in loop4(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return a;
}

static int portof(int fd) {
  struct sockaddr_storage s;
  socklen_t l = sizeof s;
  getsockname(fd, (struct sockaddr *)&s, &l);
  return ntohs(((struct sockaddr_in *)&s)->sin_port);
}

static void udp(void) {
  printf("-- udp\n");
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in any = {.sin_family = AF_INET};
  say("bind a port 0", bind(a, (struct sockaddr *)&any, sizeof any));
  int pa = portof(a);
  printf("ephemeral in range: %d\n", pa >= 32768 && pa <= 60999);
  struct sockaddr_in to = loop4(pa);
  say("send without destination", send(b, "x", 1, 0));
  say("sendto a", sendto(b, "hello world", 11, 0, (struct sockaddr *)&to, sizeof to));
  /* Loopback delivery is immediate on Linux, a packet event of the same instant in the
     simulation: wait for it before looking. */
  struct pollfd w = {.fd = a, .events = POLLIN};
  poll(&w, 1, 1000);
  int q = -1;
  ioctl(a, FIONREAD, &q);
  printf("FIONREAD %d\n", q);
  char buf[70000];
  say("peek 5", recv(a, buf, 5, MSG_PEEK));
  say("trunc 5 with MSG_TRUNC", recv(a, buf, 5, MSG_TRUNC));
  say("recv nothing nonblocking", recv(a, buf, 5, MSG_DONTWAIT));
  sendto(b, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof to);
  struct iovec iov = {.iov_base = buf, .iov_len = 4};
  struct sockaddr_in from;
  struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
  say("recvmsg 4", recvmsg(a, &m, 0));
  printf("msg_flags trunc %d, namelen %d, from loopback %d, from b %d\n", !!(m.msg_flags & MSG_TRUNC), m.msg_namelen,
         from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), ntohs(from.sin_port) == portof(b));
  say("sendto 65507", sendto(b, buf, 65507, 0, (struct sockaddr *)&to, sizeof to));
  say("sendto 65508", sendto(b, buf, 65508, 0, (struct sockaddr *)&to, sizeof to));
  say("recv big", recv(a, buf, sizeof buf, 0));
  say("sendto empty", sendto(b, buf, 0, 0, (struct sockaddr *)&to, sizeof to));
  say("recv empty", recv(a, buf, sizeof buf, 0));
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in same = loop4(pa);
  say("bind same port", bind(c, (struct sockaddr *)&same, sizeof same));
  struct sockaddr_in far = {.sin_family = AF_INET, .sin_addr.s_addr = inet_addr("10.255.1.1")};
  say("bind foreign address", bind(c, (struct sockaddr *)&far, sizeof far));
  int one = 1, r1 = socket(AF_INET, SOCK_DGRAM, 0), r2 = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(r1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(r2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in fixed = loop4(40123);
  say("reuseaddr bind 1", bind(r1, (struct sockaddr *)&fixed, sizeof fixed));
  say("reuseaddr bind 2", bind(r2, (struct sockaddr *)&fixed, sizeof fixed));
  say("bind twice", bind(r2, (struct sockaddr *)&fixed, sizeof fixed));
  /* A receive buffer of 8192 bytes holds three 1000-byte datagrams; one big datagram fits an empty queue. */
  int small = socket(AF_INET, SOCK_DGRAM, 0), size = 4096, v;
  socklen_t vl = sizeof v;
  setsockopt(small, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  getsockopt(small, SOL_SOCKET, SO_RCVBUF, &v, &vl);
  printf("SO_RCVBUF 4096 -> %d\n", v);
  bind(small, (struct sockaddr *)&any, sizeof any);
  struct sockaddr_in st = loop4(portof(small));
  for (int i = 0; i < 20; i++) sendto(b, buf, 1000, 0, (struct sockaddr *)&st, sizeof st);
  usleep(1000);
  int n = 0;
  while (recv(small, buf, sizeof buf, MSG_DONTWAIT) >= 0) n++;
  printf("1000-byte datagrams kept: %d\n", n);
  for (int i = 0; i < 3; i++) sendto(b, buf, 30000, 0, (struct sockaddr *)&st, sizeof st);
  usleep(1000);
  n = 0;
  while (recv(small, buf, sizeof buf, MSG_DONTWAIT) >= 0) n++;
  printf("30000-byte datagrams kept: %d\n", n);
  say("connect b to a", connect(b, (struct sockaddr *)&to, sizeof to));
  say("send connected", send(b, "abc", 3, 0));
  say("recv", recv(a, buf, sizeof buf, 0));
  struct sockaddr_in peer;
  socklen_t pl = sizeof peer;
  say("getpeername b", getpeername(b, (struct sockaddr *)&peer, &pl));
  pl = sizeof peer;
  say("getpeername a", getpeername(a, (struct sockaddr *)&peer, &pl));
  bits("udp a poll", a);
  struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
  say("SO_RCVTIMEO", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  say("recv with a timeout", recv(a, buf, sizeof buf, 0));
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = a}, out[4];
  say("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
  say("epoll_wait idle", epoll_wait(ep, out, 4, 0));
  send(b, "e", 1, 0);
  say("epoll_wait", epoll_wait(ep, out, 4, 1000));
  printf("epoll events IN %d\n", !!(out[0].events & EPOLLIN));
  say("epoll_wait again (edge-triggered)", epoll_wait(ep, out, 4, 0));
  recv(a, buf, sizeof buf, 0);
  close(ep);
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  say("disconnect b", connect(b, &unspec, sizeof unspec));
  say("send after disconnect", send(b, "x", 1, 0));
  close(a), close(b), close(c), close(r1), close(r2), close(small);
}

static void tcp(void) {
  printf("-- tcp\n");
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  bits("fresh tcp poll", l);
  struct sockaddr_in any = {.sin_family = AF_INET};
  say("bind", bind(l, (struct sockaddr *)&any, sizeof any));
  say("listen", listen(l, 8));
  int acc, alen = sizeof acc;
  getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &acc, (socklen_t *)&alen);
  printf("SO_ACCEPTCONN %d\n", acc);
  bits("listener poll", l);
  struct sockaddr_in to = loop4(portof(l));
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  say("nonblocking connect", connect(c, (struct sockaddr *)&to, sizeof to));
  struct pollfd p = {.fd = c, .events = POLLOUT};
  say("poll POLLOUT", poll(&p, 1, 5000));
  say("connect again", connect(c, (struct sockaddr *)&to, sizeof to));
  say("connect a third time", connect(c, (struct sockaddr *)&to, sizeof to));
  int err = -1;
  socklen_t el = sizeof err;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
  printf("SO_ERROR %d\n", err);
  bits("listener poll with a connection", l);
  struct sockaddr_in6 peer6;
  socklen_t pl = sizeof peer6;
  int s = accept4(l, (struct sockaddr *)&peer6, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
  say("accept4", s >= 0 ? 0 : -1);
  printf("accepted peer len %d, port matches %d, O_NONBLOCK %d, FD_CLOEXEC %d\n", pl,
         ntohs(((struct sockaddr_in *)&peer6)->sin_port) == portof(c), !!(fcntl(s, F_GETFL) & O_NONBLOCK), !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
  fcntl(l, F_SETFL, O_NONBLOCK);
  say("accept nothing", accept(l, NULL, NULL) >= 0 ? 0 : -1);
  fcntl(l, F_SETFL, 0);
  bits("client poll", c);
  bits("server poll", s);
  say("send", send(c, "hello, tcp", 10, 0));
  p.fd = s, p.events = POLLIN;
  poll(&p, 1, 5000);
  int q = -1;
  ioctl(s, FIONREAD, &q);
  printf("FIONREAD %d\n", q);
  char buf[100];
  say("peek", recv(s, buf, 5, MSG_PEEK));
  say("recv 5", recv(s, buf, 5, 0));
  say("recv rest", recv(s, buf, sizeof buf, 0));
  say("recv nothing", recv(s, buf, sizeof buf, 0));
  send(c, "01234", 5, 0);
  send(c, "56789", 5, 0);
  fcntl(s, F_SETFL, 0);
  say("recv MSG_WAITALL 10", recv(s, buf, 10, MSG_WAITALL));
  fcntl(s, F_SETFL, O_NONBLOCK);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int v = -1;
  socklen_t vl = sizeof v;
  getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
  printf("TCP_NODELAY %d\n", v);
  say("TCP_CONGESTION reno", setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
  char cc[32] = {0};
  socklen_t cl = sizeof cc;
  getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, &cl);
  printf("congestion %s (%d bytes)\n", cc, cl);
  say("TCP_CONGESTION nonsense", setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "nonsense", 8));
  vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl);
  printf("SO_TYPE %d\n", v);
  getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &v, &vl);
  printf("SO_PROTOCOL %d\n", v);
  getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &vl);
  printf("SO_DOMAIN %d\n", v);
  int sz = 50000;
  setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &vl);
  printf("SO_SNDBUF 50000 -> %d\n", v);
  say("shutdown SHUT_WR", shutdown(c, SHUT_WR));
  p.fd = s, p.events = POLLIN;
  poll(&p, 1, 5000);
  bits("server poll after peer SHUT_WR", s);
  say("server recv eof", recv(s, buf, sizeof buf, 0));
  say("client send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
  say("server send", send(s, "bye", 3, 0));
  p.fd = c, p.events = POLLIN;
  poll(&p, 1, 5000);
  say("client recv", recv(c, buf, sizeof buf, 0));
  close(s);
  p.fd = c, p.events = POLLIN;
  poll(&p, 1, 5000);
  say("client recv eof", recv(c, buf, sizeof buf, 0));
  bits("client poll at the end", c);
  close(c);
  /* A peer that closes with unread data resets; the writer then fails. */
  int c2 = socket(AF_INET, SOCK_STREAM, 0);
  say("blocking connect", connect(c2, (struct sockaddr *)&to, sizeof to));
  int s2 = accept(l, NULL, NULL);
  send(c2, "unread", 6, 0);
  p.fd = s2, p.events = POLLIN;
  poll(&p, 1, 5000);
  close(s2);
  p.fd = c2, p.events = POLLIN;
  poll(&p, 1, 5000);
  bits("after reset", c2);
  say("recv after reset", recv(c2, buf, sizeof buf, 0));
  say("send after reset", send(c2, "x", 1, MSG_NOSIGNAL));
  close(c2);
  int c3 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in closed = loop4(1);
  say("connect to a closed port", connect(c3, (struct sockaddr *)&closed, sizeof closed));
  say("send unconnected", send(c3, "x", 1, MSG_NOSIGNAL));
  say("recv unconnected", recv(c3, buf, 1, 0));
  say("getpeername unconnected", getpeername(c3, (struct sockaddr *)&peer6, &pl));
  say("listen on udp", listen(socket(AF_INET, SOCK_DGRAM, 0), 1));
  int l2 = socket(AF_INET, SOCK_STREAM, 0);
  say("bind listener port", bind(l2, (struct sockaddr *)&to, sizeof to));
  setsockopt(l2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  say("bind listener port with SO_REUSEADDR", bind(l2, (struct sockaddr *)&to, sizeof to));
  close(l2), close(c3), close(l);
  /* IPv6: a dual-stack listener takes IPv4 connections, reported as v4-mapped. */
  int l6 = socket(AF_INET6, SOCK_STREAM, 0);
  int v6only = -1;
  vl = sizeof v6only;
  getsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &vl);
  printf("IPV6_V6ONLY %d\n", v6only);
  struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
  say("bind [::]", bind(l6, (struct sockaddr *)&a6, sizeof a6));
  say("IPV6_V6ONLY after bind", setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
  listen(l6, 4);
  socklen_t a6l = sizeof a6;
  getsockname(l6, (struct sockaddr *)&a6, &a6l);
  struct sockaddr_in to4 = loop4(ntohs(a6.sin6_port));
  int c4 = socket(AF_INET, SOCK_STREAM, 0);
  say("connect v4 to [::]", connect(c4, (struct sockaddr *)&to4, sizeof to4));
  pl = sizeof peer6;
  int s4 = accept(l6, (struct sockaddr *)&peer6, &pl);
  char text[64];
  inet_ntop(AF_INET6, &peer6.sin6_addr, text, sizeof text);
  printf("v6 accept: len %d peer %s\n", pl, text);
  int c6 = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 lo6 = {.sin6_family = AF_INET6, .sin6_port = a6.sin6_port, .sin6_addr = in6addr_loopback};
  say("connect [::1]", connect(c6, (struct sockaddr *)&lo6, sizeof lo6));
  pl = sizeof peer6;
  int s6 = accept(l6, (struct sockaddr *)&peer6, &pl);
  inet_ntop(AF_INET6, &peer6.sin6_addr, text, sizeof text);
  printf("v6 accept: len %d peer %s\n", pl, text);
  close(c4), close(s4), close(c6), close(s6), close(l6);
}

static void unixsock(void) {
  printf("-- unix\n");
  unlink("sock-a");
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strcpy(a.sun_path, "sock-a");
  socklen_t alen = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
  bits("unconnected unix poll", l);
  say("bind path", bind(l, (struct sockaddr *)&a, alen));
  struct stat st;
  printf("path exists %d\n", stat("sock-a", &st) == 0);
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  say("bind path again", bind(l2, (struct sockaddr *)&a, alen));
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  say("connect before listen", connect(c, (struct sockaddr *)&a, alen));
  say("listen", listen(l, 4));
  say("connect", connect(c, (struct sockaddr *)&a, alen));
  struct sockaddr_un got;
  socklen_t gl = sizeof got;
  int s = accept(l, (struct sockaddr *)&got, &gl);
  say("accept", s >= 0 ? 0 : -1);
  printf("accepted peer len %d\n", gl);
  gl = sizeof got;
  getpeername(c, (struct sockaddr *)&got, &gl);
  printf("client peer %s len %d\n", got.sun_path, gl);
  gl = sizeof got;
  getsockname(s, (struct sockaddr *)&got, &gl);
  printf("server name %s len %d\n", got.sun_path, gl);
  say("write", write(c, "over unix", 9));
  char buf[64];
  say("read", read(s, buf, sizeof buf));
  close(s), close(c);
  unlink("sock-a");
  int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
  say("connect after unlink", connect(c2, (struct sockaddr *)&a, alen));
  close(l), close(l2), close(c2);
  /* Abstract names and datagrams with sender addresses. */
  int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un n1 = {.sun_family = AF_UNIX}, n2 = {.sun_family = AF_UNIX};
  memcpy(n1.sun_path, "\0net-local-1", 12);
  memcpy(n2.sun_path, "\0net-local-2", 12);
  socklen_t nl = offsetof(struct sockaddr_un, sun_path) + 12;
  say("bind abstract 1", bind(d1, (struct sockaddr *)&n1, nl));
  say("bind abstract 1 again", bind(d2, (struct sockaddr *)&n1, nl));
  say("bind abstract 2", bind(d2, (struct sockaddr *)&n2, nl));
  say("sendto abstract", sendto(d2, "dgram", 5, 0, (struct sockaddr *)&n1, nl));
  gl = sizeof got;
  say("recvfrom", recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr *)&got, &gl));
  printf("sender len %d name %s\n", gl, got.sun_path + 1);
  int d3 = socket(AF_UNIX, SOCK_DGRAM, 0);
  say("unnamed sendto", sendto(d3, "anon", 4, 0, (struct sockaddr *)&n1, nl));
  gl = sizeof got;
  say("recvfrom unnamed", recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr *)&got, &gl));
  printf("sender len %d\n", gl);
  struct sockaddr_un n3 = {.sun_family = AF_UNIX};
  memcpy(n3.sun_path, "\0nobody-here", 12);
  say("sendto nobody", sendto(d3, "x", 1, 0, (struct sockaddr *)&n3, nl));
  say("stream connect to dgram", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&n1, nl));
  close(d1), close(d2), close(d3);
}

/* Prints an int option after setting it to `value` (-1: only read it). */
static void intopt(const char *what, int fd, int level, int name, int value) {
  if (value >= 0 && setsockopt(fd, level, name, &value, sizeof value) < 0) {
    printf("set %s: %s\n", what, ename(errno));
    return;
  }
  int got = -1;
  socklen_t len = sizeof got;
  if (getsockopt(fd, level, name, &got, &len) < 0) printf("get %s: %s\n", what, ename(errno));
  else printf("%s: %d (len %u)\n", what, got, (unsigned)len);
}

/* Options daemons set as a matter of course (sshd, etcd, iperf): accepted, read back as set. */
static void tuning(void) {
  int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), six = socket(AF_INET6, SOCK_STREAM, 0);
  intopt("IP_TOS default", t, IPPROTO_IP, IP_TOS, -1);
  intopt("IP_TOS", t, IPPROTO_IP, IP_TOS, 0x10);
  intopt("IP_TTL default", u, IPPROTO_IP, IP_TTL, -1);
  intopt("IP_TTL", u, IPPROTO_IP, IP_TTL, 7);
  intopt("SO_TIMESTAMP", u, SOL_SOCKET, SO_TIMESTAMP, 1);
  intopt("SO_PRIORITY", t, SOL_SOCKET, SO_PRIORITY, 3);
  intopt("TCP_USER_TIMEOUT", t, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
  intopt("TCP_QUICKACK default", t, IPPROTO_TCP, TCP_QUICKACK, -1);
  intopt("IPV6_TCLASS", six, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
  intopt("IPV6_TCLASS on AF_INET", t, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
  unsigned char ipopts[40];
  socklen_t len = sizeof ipopts;
  say("get IP_OPTIONS", getsockopt(t, IPPROTO_IP, IP_OPTIONS, ipopts, &len));
  printf("IP_OPTIONS length: %u\n", (unsigned)len);
  say("set IP_OPTIONS empty", setsockopt(t, IPPROTO_IP, IP_OPTIONS, NULL, 0));
  say("SO_BINDTODEVICE lo", setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3));
  char dev[16] = {0};
  len = sizeof dev;
  say("get SO_BINDTODEVICE", getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, dev, &len));
  printf("bound to \"%s\" (len %u)\n", dev, (unsigned)len);
  say("SO_BINDTODEVICE nosuch0", setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "nosuch0", 8));
  close(t), close(u), close(six);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  signal(SIGPIPE, SIG_IGN);
  udp();
  tcp();
  unixsock();
  tuning();
  return 0;
}
