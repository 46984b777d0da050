/* AF_INET and AF_INET6 sockets on the loopback (ip(7), tcp(7), udp(7)): socket() per type and
 * protocol, bind and its errors, TCP connect/accept/shutdown, UDP datagrams, socket options.
 * Reads wait with poll() first: loopback delivery may take a moment under the simulator. */
#include "conf.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

/* The control messages of one received datagram, in words; timestamps as relations to [lo, hi]. */
static const char *cmsgs(struct msghdr *mh, const struct timespec *lo, const struct timespec *hi) {
    char *out = fmt("flags %s:", mh->msg_flags & MSG_CTRUNC ? "MSG_CTRUNC" : "0");
    long lo_ns = lo->tv_sec * 1000000000L + lo->tv_nsec, hi_ns = hi->tv_sec * 1000000000L + hi->tv_nsec;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        const unsigned char *d = CMSG_DATA(cm);
        char what[256];
        char ip[64];
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMP) {
            struct timeval tv;
            memcpy(&tv, d, sizeof tv);
            long t = tv.tv_sec * 1000000000L + tv.tv_usec * 1000L;
            snprintf(what, sizeof what, "SCM_TIMESTAMP %s", t >= lo_ns - 1000 && t <= hi_ns ? "within the call" : "outside the call");
        } else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, d, sizeof ts);
            long t = ts.tv_sec * 1000000000L + ts.tv_nsec;
            snprintf(what, sizeof what, "SCM_TIMESTAMPNS %s", t >= lo_ns && t <= hi_ns ? "within the call" : "outside the call");
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, d, sizeof pi);
            char spec[64];
            inet_ntop(AF_INET, &pi.ipi_spec_dst, spec, sizeof spec);
            inet_ntop(AF_INET, &pi.ipi_addr, ip, sizeof ip);
            snprintf(what, sizeof what, "IP_PKTINFO ifindex %d spec_dst %s addr %s", pi.ipi_ifindex, spec, ip);
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) {
            snprintf(what, sizeof what, "IP_TTL %d", *(const int *)d);
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS) {
            snprintf(what, sizeof what, "IP_TOS %d (len %zu)", d[0], (size_t)cm->cmsg_len);
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, d, sizeof pi);
            inet_ntop(AF_INET6, &pi.ipi6_addr, ip, sizeof ip);
            snprintf(what, sizeof what, "IPV6_PKTINFO addr %s ifindex %d", ip, pi.ipi6_ifindex);
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT) {
            snprintf(what, sizeof what, "IPV6_HOPLIMIT %d", *(const int *)d);
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_TCLASS) {
            snprintf(what, sizeof what, "IPV6_TCLASS %d", *(const int *)d);
        } else {
            snprintf(what, sizeof what, "level %d type %d len %zu", cm->cmsg_level, cm->cmsg_type, (size_t)cm->cmsg_len);
        }
        out = fmt("%s %s;", out, what);
    }
    return fmt("%s controllen %zu", out, (size_t)mh->msg_controllen);
}

/* Sends one datagram to `to` from `from` and receives it on `to_fd` with `controllen` bytes of control buffer. */
static const char *datagram_with_cmsgs(int from, int to_fd, const struct sockaddr *to, socklen_t tolen, size_t controllen) {
    static char cbuf[512];
    char data[16];
    struct timespec lo, hi;
    clock_gettime(CLOCK_REALTIME, &lo);
    sendto(from, "dgram", 5, 0, to, tolen);
    struct pollfd p = {to_fd, POLLIN, 0};
    poll(&p, 1, 1000);
    memset(cbuf, 0, sizeof cbuf);
    struct msghdr mh = {.msg_iov = &(struct iovec){data, sizeof data}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = controllen};
    long r = recvmsg(to_fd, &mh, 0);
    clock_gettime(CLOCK_REALTIME, &hi);
    return fmt("received %ld, %s", r, cmsgs(&mh, &lo, &hi));
}

static struct sockaddr_in in4(const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 in6(const char *ip, int port) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

/* An address as text; ports the kernel chose print as "ephemeral" (32768..60999). */
static const char *addrstr(const struct sockaddr_storage *a, socklen_t len) {
    char ip[64];
    int port;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const void *)a;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        port = ntohs(s->sin_port);
    } else if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const void *)a;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        port = ntohs(s->sin6_port);
    } else {
        return fmt("len %u family %d", len, a->ss_family);
    }
    if (port >= 32768 && port <= 60999) return fmt("len %u %s:ephemeral", len, ip);
    return fmt("len %u %s:%d", len, ip, port);
}

static const char *sockname(int fd) {
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    return getsockname(fd, (struct sockaddr *)&a, &len) < 0 ? fmt("getsockname %s", ename(errno)) : addrstr(&a, len);
}

static const char *peername(int fd) {
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    return getpeername(fd, (struct sockaddr *)&a, &len) < 0 ? fmt("getpeername %s", ename(errno)) : addrstr(&a, len);
}

static int port_of(int fd) {
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    return a.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&a)->sin_port) : ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
}

static int intopt(int fd, int level, int name) {
    int v = -12345;
    socklen_t len = sizeof v;
    return getsockopt(fd, level, name, &v, &len) < 0 ? -errno : v;
}

/* Waits (at most 2 s) until fd has `events`; what poll saw. */
static const char *waitfor(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, 2000);
    return n < 0 ? fmt("poll %s", ename(errno)) : evnames((unsigned short)p.revents);
}

int main(void) {
    conf_start();
    count_signal(SIGPIPE, 0);
    char buf[256];
    int s, c, a, u, u2;
    struct sockaddr_storage peer;
    socklen_t len;

    /* socket() matrix */
    static const struct { int family; int type; int protocol; const char *name; } KINDS[] = {
        {AF_INET, SOCK_STREAM, 0, "AF_INET SOCK_STREAM 0"}, {AF_INET, SOCK_STREAM, IPPROTO_TCP, "AF_INET SOCK_STREAM IPPROTO_TCP"},
        {AF_INET, SOCK_DGRAM, 0, "AF_INET SOCK_DGRAM 0"}, {AF_INET, SOCK_DGRAM, IPPROTO_UDP, "AF_INET SOCK_DGRAM IPPROTO_UDP"},
        {AF_INET6, SOCK_STREAM, 0, "AF_INET6 SOCK_STREAM 0"}, {AF_INET6, SOCK_DGRAM, 0, "AF_INET6 SOCK_DGRAM 0"},
        {AF_INET, SOCK_STREAM, IPPROTO_UDP, "AF_INET SOCK_STREAM IPPROTO_UDP"}, {AF_INET, SOCK_DGRAM, IPPROTO_TCP, "AF_INET SOCK_DGRAM IPPROTO_TCP"},
        {AF_INET, SOCK_SEQPACKET, 0, "AF_INET SOCK_SEQPACKET 0"}, {AF_INET, 99, 0, "AF_INET type 99"},
        {AF_INET, SOCK_STREAM, 99, "AF_INET SOCK_STREAM protocol 99"},
    };
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        TF(fmt("socket %s", KINDS[i].name), s, socket(KINDS[i].family, KINDS[i].type, KINDS[i].protocol), "SO_TYPE %d SO_PROTOCOL %d SO_DOMAIN %d; %s",
           intopt(s, SOL_SOCKET, SO_TYPE), intopt(s, SOL_SOCKET, SO_PROTOCOL), intopt(s, SOL_SOCKET, SO_DOMAIN), sockname(s));
        if (s >= 0) close(s);
    }

    /* buffer sizes: TCP starts at tcp_wmem/tcp_rmem's defaults; SO_SNDBUF/SO_RCVBUF double
       (below net.core.[wr]mem_max, which differs between machines) and clamp to the minimum */
    static const struct { int family; int type; const char *name; } BUFKINDS[] = {
        {AF_INET, SOCK_STREAM, "AF_INET TCP"}, {AF_INET6, SOCK_STREAM, "AF_INET6 TCP"},
    };
    for (size_t i = 0; i < sizeof BUFKINDS / sizeof BUFKINDS[0]; i++) {
        s = socket(BUFKINDS[i].family, BUFKINDS[i].type, 0);
        T(fmt("%s: SO_SNDBUF of a new socket", BUFKINDS[i].name), intopt(s, SOL_SOCKET, SO_SNDBUF));
        T(fmt("%s: SO_RCVBUF of a new socket", BUFKINDS[i].name), intopt(s, SOL_SOCKET, SO_RCVBUF));
        T(fmt("%s: setsockopt SO_SNDBUF 50000", BUFKINDS[i].name), setsockopt(s, SOL_SOCKET, SO_SNDBUF, &(int){50000}, sizeof(int)), "reads back %d", intopt(s, SOL_SOCKET, SO_SNDBUF));
        T(fmt("%s: setsockopt SO_RCVBUF 1", BUFKINDS[i].name), setsockopt(s, SOL_SOCKET, SO_RCVBUF, &(int){1}, sizeof(int)), "reads back %d", intopt(s, SOL_SOCKET, SO_RCVBUF));
        close(s);
    }
    {
        /* a listener's fixed SO_RCVBUF is what the accepted socket has */
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in la = in4("127.0.0.1", 0);
        setsockopt(l, SOL_SOCKET, SO_RCVBUF, &(int){40000}, sizeof(int));
        bind(l, (struct sockaddr *)&la, sizeof la);
        listen(l, 1);
        la = in4("127.0.0.1", port_of(l));
        int k = socket(AF_INET, SOCK_STREAM, 0);
        connect(k, (struct sockaddr *)&la, sizeof la);
        int acc = accept(l, NULL, NULL);
        T("SO_RCVBUF of a socket accepted from a listener with SO_RCVBUF 40000", intopt(acc, SOL_SOCKET, SO_RCVBUF));
        T("setsockopt SO_SNDBUF 30000 on a connected socket", setsockopt(k, SOL_SOCKET, SO_SNDBUF, &(int){30000}, sizeof(int)), "reads back %d", intopt(k, SOL_SOCKET, SO_SNDBUF));
        close(acc);
        close(k);
        close(l);
    }

    /* bind */
    s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = in4("127.0.0.1", 0);
    T("bind 127.0.0.1 port 0", bind(s, (struct sockaddr *)&sa, sizeof sa), "%s", sockname(s));
    T("bind again", bind(s, (struct sockaddr *)&sa, sizeof sa));
    int port = port_of(s);
    c = socket(AF_INET, SOCK_STREAM, 0);
    T("bind addrlen 15", bind(c, (struct sockaddr *)&sa, 15));
    T("bind addrlen 0", bind(c, (struct sockaddr *)&sa, 0));
    struct sockaddr_in6 s6 = in6("::1", 0);
    T("bind an AF_INET6 address to an AF_INET socket", bind(c, (struct sockaddr *)&s6, sizeof s6));
    sa.sin_family = AF_UNIX;
    T("bind family AF_UNIX to an AF_INET socket", bind(c, (struct sockaddr *)&sa, sizeof sa));
    sa = in4("10.253.254.1", 0);
    T("bind an address of no interface", bind(c, (struct sockaddr *)&sa, sizeof sa));
    sa = in4("127.0.0.1", port);
    T("bind a port in use", bind(c, (struct sockaddr *)&sa, sizeof sa));
    setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    T("bind a port in use, SO_REUSEADDR on the second only", bind(c, (struct sockaddr *)&sa, sizeof sa));
    sa = in4("127.0.0.1", 80);
    T("bind port 80 (root: allowed)", bind(c, (struct sockaddr *)&sa, sizeof sa), "%s", sockname(c));
    close(c);
    T("bind an unmapped address", SYS(SYS_bind, s, BADPTR, 16));
    c = socket(AF_INET, SOCK_STREAM, 0);
    sa = in4("0.0.0.0", 0);
    T("bind INADDR_ANY port 0", bind(c, (struct sockaddr *)&sa, sizeof sa), "%s", sockname(c));
    close(c);

    /* TCP: listen, connect, accept */
    c = socket(AF_INET, SOCK_STREAM, 0);
    sa = in4("127.0.0.1", port);
    T("connect to a bound port that does not listen", connect(c, (struct sockaddr *)&sa, sizeof sa));
    close(c);
    T("accept before listen", accept(s, NULL, NULL));
    T("listen", listen(s, 8), "SO_ACCEPTCONN %d", intopt(s, SOL_SOCKET, SO_ACCEPTCONN));
    c = socket(AF_INET, SOCK_STREAM, 0);
    T("getsockname before connect", 0, "%s", sockname(c));
    T("getpeername before connect", 0, "%s", peername(c));
    T("connect addrlen 8", connect(c, (struct sockaddr *)&sa, 8));
    T("connect AF_INET6 address on an AF_INET socket", connect(c, (struct sockaddr *)&s6, sizeof s6));
    T("connect to the listener", connect(c, (struct sockaddr *)&sa, sizeof sa), "%s; peer %s", sockname(c), peername(c));
    T("connect again", connect(c, (struct sockaddr *)&sa, sizeof sa));
    len = sizeof peer;
    TF("accept", a, accept(s, (struct sockaddr *)&peer, &len), "peer %s; local %s; %s",
       addrstr(&peer, len), sockname(a), port_of(a) == port ? "same port as the listener" : "another port");
    T("the accepted socket's peer is the client", 0, "%s", port_of(c) == ({
                                                              struct sockaddr_in pa;
                                                              socklen_t pl = sizeof pa;
                                                              getpeername(a, (struct sockaddr *)&pa, &pl);
                                                              ntohs(pa.sin_port);
                                                          }) ? "yes" : "no");
    fcntl(s, F_SETFL, O_NONBLOCK);
    T("accept with nothing pending (non-blocking)", accept(s, NULL, NULL));
    T("listen on a connected socket", listen(c, 1));
    T("TCP_NODELAY default", intopt(c, IPPROTO_TCP, TCP_NODELAY));
    T("setsockopt TCP_NODELAY 1", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int)), "reads back %d", intopt(c, IPPROTO_TCP, TCP_NODELAY));
    T("SO_KEEPALIVE default", intopt(c, SOL_SOCKET, SO_KEEPALIVE));
    T("SO_REUSEADDR default", intopt(c, SOL_SOCKET, SO_REUSEADDR));
    T("setsockopt SO_LINGER", setsockopt(c, SOL_SOCKET, SO_LINGER, &(struct linger){1, 5}, sizeof(struct linger)), "reads back %s", ({
          struct linger l;
          socklen_t ll = sizeof l;
          getsockopt(c, SOL_SOCKET, SO_LINGER, &l, &ll);
          fmt("%d %d", l.l_onoff, l.l_linger);
      }));
    T("setsockopt SO_LINGER optlen 4", setsockopt(c, SOL_SOCKET, SO_LINGER, &(int){1}, 4));
    T("getsockopt TCP_MAXSEG on the loopback", intopt(c, IPPROTO_TCP, TCP_MAXSEG));
    T("getsockopt unknown TCP option", intopt(c, IPPROTO_TCP, 9999));
    T("getsockopt TCP_INFO state", ({
          struct tcp_info ti;
          socklen_t tl = sizeof ti;
          int r = getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &tl);
          r < 0 ? r : ti.tcpi_state;
      }));
    T("SO_ERROR of a connected socket", intopt(c, SOL_SOCKET, SO_ERROR));
    T("SO_SNDBUF is positive", intopt(c, SOL_SOCKET, SO_SNDBUF) > 0);

    /* data */
    T("write 5 bytes", write(c, "hello", 5), "peer %s", waitfor(a, POLLIN));
    T("FIONREAD on the peer", ioctl(a, FIONREAD, &(int){0}), "%d", ({ int n = -1; ioctl(a, FIONREAD, &n); n; }));
    T("recv MSG_PEEK 2", recv(a, buf, 2, MSG_PEEK), "'%.2s'", buf);
    len = sizeof peer;
    memset(&peer, 0, sizeof peer);
    T("recvfrom on a TCP socket", recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len), "'%.5s' addrlen %u", buf, len);
    T("recv MSG_DONTWAIT with nothing queued", recv(a, buf, sizeof buf, MSG_DONTWAIT));
    T("read 0 bytes", read(a, buf, 0));
    T("send with MSG_OOB", send(c, "!", 1, MSG_OOB));
    T("sendto with an address on a connected TCP socket", sendto(c, "x", 1, 0, (struct sockaddr *)&sa, sizeof sa), "peer %s", waitfor(a, POLLIN));
    recv(a, buf, sizeof buf, MSG_DONTWAIT);
    T("send from an unmapped buffer", SYS(SYS_sendto, c, BADPTR, 4, 0, NULL, 0));

    /* shutdown */
    T("shutdown SHUT_WR", shutdown(c, SHUT_WR), "peer %s", waitfor(a, POLLRDHUP));
    T("the peer reads EOF", read(a, buf, sizeof buf));
    signal_counts[SIGPIPE] = 0;
    T("write after SHUT_WR", write(c, "x", 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("write 0 bytes after SHUT_WR", write(c, "x", 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("send MSG_NOSIGNAL after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("send 0 bytes MSG_NOSIGNAL after SHUT_WR", send(c, "", 0, MSG_NOSIGNAL), "SIGPIPE %d", signal_counts[SIGPIPE]);
    T("the peer still writes back", write(a, "ok", 2), "%s", waitfor(c, POLLIN));
    T("read it", read(c, buf, sizeof buf));
    T("shutdown how 7", shutdown(c, 7));
    close(a);
    T("the peer closed", 0, "%s", waitfor(c, POLLHUP));
    T("read after the peer closed", read(c, buf, sizeof buf));
    close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    T("recv on a new unconnected TCP socket", recv(c, buf, 1, MSG_DONTWAIT));
    signal_counts[SIGPIPE] = 0;
    T("write on a new unconnected TCP socket", write(c, "x", 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    T("shutdown an unconnected TCP socket", shutdown(c, SHUT_RDWR));
    T("recv on an unconnected TCP socket after shutdown", recv(c, buf, 1, MSG_DONTWAIT));
    T("poll an unconnected TCP socket after shutdown", 0, "%s", pollbits(c));
    close(c);

    /* non-blocking connect */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    T("non-blocking connect", connect(c, (struct sockaddr *)&sa, sizeof sa), "then %s, SO_ERROR %d", waitfor(c, POLLOUT), intopt(c, SOL_SOCKET, SO_ERROR));
    TF("accept it", a, accept(s, NULL, NULL));
    close(a);
    close(c);
    close(s);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    T("non-blocking connect to a closed port", connect(c, (struct sockaddr *)&sa, sizeof sa), "then %s", waitfor(c, POLLOUT));
    T("SO_ERROR after the refused connect", 0, "%s", ename(intopt(c, SOL_SOCKET, SO_ERROR)));
    T("SO_ERROR again", intopt(c, SOL_SOCKET, SO_ERROR));
    close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    T("blocking connect to a closed port", connect(c, (struct sockaddr *)&sa, sizeof sa));
    close(c);

    /* UDP */
    u = socket(AF_INET, SOCK_DGRAM, 0);
    u2 = socket(AF_INET, SOCK_DGRAM, 0);
    sa = in4("127.0.0.1", 0);
    bind(u, (struct sockaddr *)&sa, sizeof sa);
    struct sockaddr_in ua = in4("127.0.0.1", port_of(u));
    T("UDP send without an address", send(u2, "x", 1, 0));
    T("UDP sendto", sendto(u2, "datagram", 8, 0, (struct sockaddr *)&ua, sizeof ua), "the sender is now bound to %s", sockname(u2));
    waitfor(u, POLLIN);
    T("UDP FIONREAD", ioctl(u, FIONREAD, &(int){0}), "%d", ({ int n = -1; ioctl(u, FIONREAD, &n); n; }));
    len = sizeof peer;
    T("UDP recvfrom 4 of 8", recvfrom(u, buf, 4, 0, (struct sockaddr *)&peer, &len), "from %s; %s", addrstr(&peer, len), port_of(u2) == ntohs(((struct sockaddr_in *)&peer)->sin_port) ? "the sender's port" : "another port");
    T("UDP the rest is gone", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    sendto(u2, "datagram", 8, 0, (struct sockaddr *)&ua, sizeof ua);
    waitfor(u, POLLIN);
    T("UDP recv MSG_TRUNC into 4", recv(u, buf, 4, MSG_TRUNC));
    sendto(u2, "", 0, 0, (struct sockaddr *)&ua, sizeof ua);
    waitfor(u, POLLIN);
    T("UDP an empty datagram", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    static char huge[70000];
    T("UDP sendto 65508 bytes (too large)", sendto(u2, huge, 65508, 0, (struct sockaddr *)&ua, sizeof ua));
    T("UDP sendto 65507 bytes (largest)", sendto(u2, huge, 65507, 0, (struct sockaddr *)&ua, sizeof ua), "%s", waitfor(u, POLLIN));
    T("UDP receive it", recv(u, huge, sizeof huge, 0));
    T("UDP connect", connect(u2, (struct sockaddr *)&ua, sizeof ua), "peer %s", peername(u2));
    T("UDP send on the connected socket", send(u2, "c", 1, 0), "%s", waitfor(u, POLLIN));
    recv(u, buf, sizeof buf, 0);
    T("UDP connect AF_UNSPEC", connect(u2, (struct sockaddr *)&(struct sockaddr){.sa_family = AF_UNSPEC}, sizeof(struct sockaddr)), "peer %s", peername(u2));
    T("UDP shutdown of an unconnected socket", shutdown(u2, SHUT_RDWR));
    T("UDP listen", listen(u, 5));
    T("UDP accept", accept(u, NULL, NULL));
    T("UDP bind a port in use", ({
          struct sockaddr_in b = in4("127.0.0.1", port_of(u));
          bind(socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr *)&b, sizeof b);
      }));
    int r1 = socket(AF_INET, SOCK_DGRAM, 0), r2 = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(r1, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    setsockopt(r2, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    struct sockaddr_in rb = in4("127.0.0.1", 40404);
    bind(r1, (struct sockaddr *)&rb, sizeof rb);
    T("UDP bind a port in use, SO_REUSEADDR on both", bind(r2, (struct sockaddr *)&rb, sizeof rb));
    close(r1);
    close(r2);
    close(u);
    close(u2);

    /* IPv6 */
    s = socket(AF_INET6, SOCK_STREAM, 0);
    T("IPV6_V6ONLY default", intopt(s, IPPROTO_IPV6, IPV6_V6ONLY));
    s6 = in6("::", 0);
    T("bind [::] port 0", bind(s, (struct sockaddr *)&s6, sizeof s6), "%s", sockname(s));
    listen(s, 4);
    c = socket(AF_INET, SOCK_STREAM, 0);
    sa = in4("127.0.0.1", port_of(s));
    T("connect over IPv4 to a dual-stack listener", connect(c, (struct sockaddr *)&sa, sizeof sa));
    len = sizeof peer;
    TF("accept the IPv4 client on the IPv6 socket", a, accept(s, (struct sockaddr *)&peer, &len), "peer family %s, addrlen %u, %s",
       peer.ss_family == AF_INET6 ? "AF_INET6" : "other", len, ({
           char ip[64];
           inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&peer)->sin6_addr, ip, sizeof ip);
           fmt("%s", ip);
       }));
    close(a);
    close(c);
    c = socket(AF_INET6, SOCK_STREAM, 0);
    s6 = in6("::1", port_of(s));
    T("connect [::1]", connect(c, (struct sockaddr *)&s6, sizeof s6), "%s; peer %s", sockname(c), peername(c));
    close(c);
    c = socket(AF_INET6, SOCK_STREAM, 0);
    T("connect with sin6 addrlen 16", connect(c, (struct sockaddr *)&s6, 16));
    close(c);
    close(s);
    /* Control messages of received datagrams (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, SO_TIMESTAMP(NS);
     * IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS). */
    {
        int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in at = in4("127.0.0.1", 47011);
        bind(rx, (struct sockaddr *)&at, sizeof at);
        int one = 1, zero = 0;
        T("UDP: a datagram without options", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 512));
        setsockopt(rx, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        T("UDP: IP_PKTINFO", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 512));
        setsockopt(rx, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
        setsockopt(rx, IPPROTO_IP, IP_RECVTOS, &one, sizeof one);
        T("UDP: IP_PKTINFO, IP_RECVTTL and IP_RECVTOS", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 512));
        T("UDP: the same into a 40-byte control buffer", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 40));
        T("UDP: the same without a control buffer", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 0));
        setsockopt(rx, IPPROTO_IP, IP_PKTINFO, &zero, sizeof zero);
        setsockopt(rx, IPPROTO_IP, IP_RECVTTL, &zero, sizeof zero);
        setsockopt(rx, IPPROTO_IP, IP_RECVTOS, &zero, sizeof zero);
        setsockopt(rx, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one);
        T("UDP: SO_TIMESTAMP", 0, "%s", datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 512));
        setsockopt(rx, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
        T("UDP: SO_TIMESTAMPNS after SO_TIMESTAMP", 0, "%s; getsockopt SO_TIMESTAMP %d SO_TIMESTAMPNS %d",
          datagram_with_cmsgs(tx, rx, (struct sockaddr *)&at, sizeof at, 512), intopt(rx, SOL_SOCKET, SO_TIMESTAMP), intopt(rx, SOL_SOCKET, SO_TIMESTAMPNS));
        setsockopt(rx, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one);
        T("UDP: SO_TIMESTAMP again", 0, "getsockopt SO_TIMESTAMP %d SO_TIMESTAMPNS %d", intopt(rx, SOL_SOCKET, SO_TIMESTAMP), intopt(rx, SOL_SOCKET, SO_TIMESTAMPNS));
        setsockopt(rx, SOL_SOCKET, SO_TIMESTAMPNS, &zero, sizeof zero);
        T("UDP: SO_TIMESTAMPNS off", 0, "getsockopt SO_TIMESTAMP %d SO_TIMESTAMPNS %d", intopt(rx, SOL_SOCKET, SO_TIMESTAMP), intopt(rx, SOL_SOCKET, SO_TIMESTAMPNS));
        close(rx);
        close(tx);

        int rx6 = socket(AF_INET6, SOCK_DGRAM, 0), tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
        struct sockaddr_in6 at6 = in6("::1", 47012);
        bind(rx6, (struct sockaddr *)&at6, sizeof at6);
        setsockopt(rx6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
        setsockopt(rx6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
        setsockopt(rx6, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
        T("UDP over IPv6: IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS", 0, "%s", datagram_with_cmsgs(tx6, rx6, (struct sockaddr *)&at6, sizeof at6, 512));
        close(rx6);
        close(tx6);
    }

    return conf_end();
}
