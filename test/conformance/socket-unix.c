/* AF_UNIX sockets (unix(7)): socket/socketpair per type, bind (pathname, abstract, autobind),
 * listen/connect/accept, names, send/recv in every state, shutdown, socket options. */
#include "conf.h"
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static const struct { int type; const char *name; } TYPES[] = {
    {SOCK_STREAM, "STREAM"}, {SOCK_DGRAM, "DGRAM"}, {SOCK_SEQPACKET, "SEQPACKET"},
};

static socklen_t pathaddr(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t abstractaddr(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

/* An address as text: its length, family and path ("@name" for abstract ones; autobound
 * names, five hex digits chosen by the kernel, are printed as "@<auto>"). */
static const char *addrstr(const struct sockaddr_un *a, socklen_t len) {
    if (len <= offsetof(struct sockaddr_un, sun_path)) return fmt("len %u family %d unnamed", len, len >= 2 ? a->sun_family : -1);
    if (a->sun_path[0] == 0) {
        int n = (int)(len - offsetof(struct sockaddr_un, sun_path) - 1);
        return n == 5 ? fmt("len %u family %d @<auto>", len, a->sun_family) : fmt("len %u family %d @%.*s", len, a->sun_family, n, a->sun_path + 1);
    }
    return fmt("len %u family %d %s", len, a->sun_family, a->sun_path);
}

static const char *sockname(int fd) {
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    memset(&a, 0xff, sizeof a);
    return getsockname(fd, (struct sockaddr *)&a, &len) < 0 ? fmt("getsockname %s", ename(errno)) : addrstr(&a, len);
}

static const char *peername(int fd) {
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    memset(&a, 0xff, sizeof a);
    return getpeername(fd, (struct sockaddr *)&a, &len) < 0 ? fmt("getpeername %s", ename(errno)) : addrstr(&a, len);
}

static int intopt(int fd, int level, int name) {
    int v = -12345;
    socklen_t len = sizeof v;
    return getsockopt(fd, level, name, &v, &len) < 0 ? -errno : v;
}

int main(void) {
    conf_start();
    count_signal(SIGPIPE, 0);
    char buf[256];
    int s, c, a, sv[2];
    struct sockaddr_un addr;
    socklen_t len;

    /* socket() per type, and the bad ones */
    for (size_t i = 0; i < 3; i++) {
        TF(fmt("socket AF_UNIX %s", TYPES[i].name), s, socket(AF_UNIX, TYPES[i].type, 0), "SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d SO_ACCEPTCONN %d SO_ERROR %d; %s; %s",
           intopt(s, SOL_SOCKET, SO_TYPE), intopt(s, SOL_SOCKET, SO_DOMAIN), intopt(s, SOL_SOCKET, SO_PROTOCOL),
           intopt(s, SOL_SOCKET, SO_ACCEPTCONN), intopt(s, SOL_SOCKET, SO_ERROR), sockname(s), peername(s));
        close(s);
        TF(fmt("socket AF_UNIX %s|SOCK_NONBLOCK|SOCK_CLOEXEC", TYPES[i].name), s, socket(AF_UNIX, TYPES[i].type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "%s %s", getfl(s), cloexec(s));
        close(s);
        TF(fmt("socketpair AF_UNIX %s", TYPES[i].name), s, socketpair(AF_UNIX, TYPES[i].type, 0, sv), "%s; %s; %s", getfl(sv[0]), sockname(sv[0]), peername(sv[1]));
        close(sv[0]);
        close(sv[1]);
    }
    TF("socket AF_UNIX SOCK_RAW (Linux makes it a datagram socket)", s, socket(AF_UNIX, SOCK_RAW, 0), "SO_TYPE %d", intopt(s, SOL_SOCKET, SO_TYPE));
    close(s);
    TF("socket AF_UNIX protocol 1 (PF_UNIX)", s, socket(AF_UNIX, SOCK_STREAM, 1));
    close(s);
    T("socket AF_UNIX protocol 2", socket(AF_UNIX, SOCK_STREAM, 2));
    T("socket AF_UNIX type 99", socket(AF_UNIX, 99, 0));
    T("socket AF_UNIX bad type flag", socket(AF_UNIX, SOCK_STREAM | 0x40000000, 0));
    T("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    T("socketpair into an unmapped array", SYS(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR));
    T("socket family 12345", socket(12345, SOCK_STREAM, 0));

    /* bind */
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    len = pathaddr(&addr, "sock-a");
    T("bind a pathname", bind(s, (struct sockaddr *)&addr, len), "%s", sockname(s));
    struct stat st;
    T("the bound path exists", stat("sock-a", &st));
    T("bind the same socket to the same path again", bind(s, (struct sockaddr *)&addr, len));
    T("bind the bound socket to another path", bind(s, (struct sockaddr *)&(struct sockaddr_un){0}, pathaddr(&(struct sockaddr_un){0}, "sock-other")));
    T("bind to another path left no file", stat("sock-other", &st));
    pathaddr(&addr, "sock-a");
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("bind another socket to the same path", bind(c, (struct sockaddr *)&addr, len));
    T("bind addrlen 1", bind(c, (struct sockaddr *)&addr, 1));
    T("bind addrlen larger than sockaddr_un", bind(c, (struct sockaddr *)&addr, sizeof addr + 1));
    addr.sun_family = AF_INET;
    T("bind with family AF_INET", bind(c, (struct sockaddr *)&addr, len));
    T("bind a path in a missing directory", bind(c, (struct sockaddr *)&addr, pathaddr(&addr, "no-such-dir/s")));
    T("bind an unmapped address", SYS(SYS_bind, c, BADPTR, 20));
    T("bind addrlen 2 (autobind)", bind(c, (struct sockaddr *)&(struct sockaddr_un){.sun_family = AF_UNIX}, 2), "%s", sockname(c));
    T("bind addrlen 2 again on the autobound socket", bind(c, (struct sockaddr *)&(struct sockaddr_un){.sun_family = AF_UNIX}, 2), "%s", sockname(c));
    T("bind addrlen 2 on a socket bound to a path", bind(s, (struct sockaddr *)&(struct sockaddr_un){.sun_family = AF_UNIX}, 2), "%s", sockname(s));
    close(c);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("bind an abstract name", bind(c, (struct sockaddr *)&addr, abstractaddr(&addr, "conf-abstract")), "%s", sockname(c));
    a = socket(AF_UNIX, SOCK_DGRAM, 0);
    T("bind a datagram socket to the same abstract name", bind(a, (struct sockaddr *)&addr, abstractaddr(&addr, "conf-abstract")));
    T("bind the bound datagram socket to another abstract name", bind(a, (struct sockaddr *)&addr, abstractaddr(&addr, "conf-other")));
    T("connect a stream socket to an abstract name only a datagram socket holds", ({
          int t = socket(AF_UNIX, SOCK_STREAM, 0);
          struct sockaddr_un d;
          socklen_t l = abstractaddr(&d, "conf-other");
          int r = connect(t, (struct sockaddr *)&d, l);
          close(t);
          r;
      }));
    close(a);
    close(c);

    /* listen, connect, accept */
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("listen on an unbound stream socket", listen(c, 5), "%s", sockname(c));
    close(c);
    T("accept on a bound socket that is not listening", accept(s, NULL, NULL));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("connect to a bound socket that is not listening", connect(c, (struct sockaddr *)&addr, pathaddr(&addr, "sock-a")));
    T("listen", listen(s, 5), "SO_ACCEPTCONN %d", intopt(s, SOL_SOCKET, SO_ACCEPTCONN));
    T("listen again with another backlog", listen(s, 1));
    T("connect to a missing path", connect(c, (struct sockaddr *)&addr, pathaddr(&addr, "no-such-sock")));
    close(open("sock-file", O_CREAT | O_WRONLY, 0600));
    T("connect to a path that is a regular file", connect(c, (struct sockaddr *)&addr, pathaddr(&addr, "sock-file")));
    T("connect addrlen 1", connect(c, (struct sockaddr *)&addr, 1));
    T("connect to the listener", connect(c, (struct sockaddr *)&addr, pathaddr(&addr, "sock-a")), "%s; %s", sockname(c), peername(c));
    T("connect again", connect(c, (struct sockaddr *)&addr, pathaddr(&addr, "sock-a")));
    T("listen on a connected socket", listen(c, 5));
    memset(&addr, 0xff, sizeof addr);
    len = sizeof addr;
    TF("accept with an address buffer", a, accept(s, (struct sockaddr *)&addr, &len), "peer %s; accepted %s; its peer %s", addrstr(&addr, len), sockname(a), peername(a));
    fcntl(s, F_SETFL, O_NONBLOCK);
    T("accept with nothing pending (non-blocking)", accept(s, NULL, NULL));
    T("accept4 bad flags", accept4(s, NULL, NULL, 0x1));
    T("accept on a connected socket", accept(c, NULL, NULL));
    len = 1;
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c2, (struct sockaddr *)&addr, pathaddr(&addr, "sock-a"));
    memset(&addr, 0xff, sizeof addr);
    int acc2;
    TF("accept with addrlen 1", acc2, accept(s, (struct sockaddr *)&addr, &len), "addrlen %u", len);
    close(acc2);
    close(c2);
    int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
    T("connect a stream socket to a datagram socket's path", ({
          struct sockaddr_un d;
          bind(dg, (struct sockaddr *)&d, pathaddr(&d, "sock-dgram"));
          connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&d, pathaddr(&d, "sock-dgram"));
      }));
    T("listen on a datagram socket", listen(dg, 5));

    /* data on a connected stream */
    T("write 5 bytes to the client", write(c, "hello", 5), "FIONREAD on the accepted %d", ({ int n = -1; ioctl(a, FIONREAD, &n); n; }));
    T("recv MSG_PEEK 3", recv(a, buf, 3, MSG_PEEK), "'%.3s'", buf);
    memset(&addr, 0xff, sizeof addr);
    len = sizeof addr;
    T("recvfrom on the accepted socket", recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&addr, &len), "'%.5s' from %s", buf, addrstr(&addr, len));
    write(a, "back", 4);
    memset(&addr, 0xff, sizeof addr);
    len = sizeof addr;
    T("recvfrom on the connecting socket", recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&addr, &len), "'%.4s' from %s", buf, addrstr(&addr, len));
    T("recv MSG_DONTWAIT with nothing queued", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    T("recv 0 bytes with nothing queued", recv(c, buf, 0, MSG_DONTWAIT));
    T("read 0 bytes with nothing queued", read(c, buf, 0));
    T("send with an address on a connected stream", sendto(c, "x", 1, 0, (struct sockaddr *)&addr, pathaddr(&addr, "sock-a")));
    T("send unknown flag 0x80000000", send(c, "x", 1, 0x80000000));
    T("recv into an unmapped buffer", SYS(SYS_recvfrom, a, BADPTR, 4, MSG_DONTWAIT, NULL, NULL));
    T("send from an unmapped buffer", SYS(SYS_sendto, c, BADPTR, 4, 0, NULL, 0));
    T("sendmsg with an unmapped msghdr", SYS(SYS_sendmsg, c, BADPTR, 0));
    T("sendmsg with msg_iovlen 1025", sendmsg(c, &(struct msghdr){.msg_iov = &(struct iovec){"x", 1}, .msg_iovlen = 1025}, 0));
    T("getsockopt SO_SNDBUF is positive", intopt(c, SOL_SOCKET, SO_SNDBUF) > 0);
    T("setsockopt SO_RCVBUF 1000", setsockopt(c, SOL_SOCKET, SO_RCVBUF, &(int){1000}, sizeof(int)), "reads back %d", intopt(c, SOL_SOCKET, SO_RCVBUF));
    T("setsockopt SO_SNDBUF 100000", setsockopt(c, SOL_SOCKET, SO_SNDBUF, &(int){100000}, sizeof(int)), "reads back %d", intopt(c, SOL_SOCKET, SO_SNDBUF));
    T("setsockopt optlen 2", setsockopt(c, SOL_SOCKET, SO_RCVBUF, &(int){1000}, 2));
    T("setsockopt unknown level", setsockopt(c, 9999, 1, &(int){1}, sizeof(int)));
    T("setsockopt SOL_SOCKET unknown name", setsockopt(c, SOL_SOCKET, 9999, &(int){1}, sizeof(int)));
    T("setsockopt SO_PASSCRED 1", setsockopt(c, SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)), "reads back %d", intopt(c, SOL_SOCKET, SO_PASSCRED));
    int v = -1;
    len = 2;
    T("getsockopt SO_TYPE with optlen 2", getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len), "optlen %u", len);
    len = (socklen_t)-1;
    T("getsockopt SO_TYPE with optlen -1", getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len));
    T("getsockopt on a pipe", ({ int p[2]; pipe(p); getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &(socklen_t){4}); }));
    struct ucred uc;
    socklen_t ul = sizeof uc;
    T("getsockopt SO_PEERCRED on the connecting socket", getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "optlen %u pid %s uid %u gid %u", ul, uc.pid == getpid() ? "own pid" : "other", uc.uid, uc.gid);
    ul = sizeof uc;
    T("getsockopt SO_PEERCRED on the accepted socket", getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "optlen %u pid %s", ul, uc.pid == getpid() ? "own pid" : "other");
    ul = 4;
    T("getsockopt SO_PEERCRED with optlen 4", getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "optlen %u", ul);
    ul = sizeof uc;
    T("getsockopt SO_PEERCRED on an unconnected socket", ({ int t = socket(AF_UNIX, SOCK_STREAM, 0); int r = getsockopt(t, SOL_SOCKET, SO_PEERCRED, &uc, &ul); close(t); r; }), "pid %d uid %u gid %u", uc.pid, uc.uid, uc.gid);
    ul = sizeof uc;
    T("getsockopt SO_PEERCRED on a socketpair", ({ int sp[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sp); int r = getsockopt(sp[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul); close(sp[0]); close(sp[1]); r; }), "pid %s", uc.pid == getpid() ? "own pid" : "other");
    pid_t kid = fork();
    if (kid == 0) {
        int t = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un d;
        connect(t, (struct sockaddr *)&d, pathaddr(&d, "sock-a"));
        _exit(0);
    }
    waitpid(kid, NULL, 0);
    fcntl(s, F_SETFL, 0);
    int fromkid = accept(s, NULL, NULL);
    ul = sizeof uc;
    T("getsockopt SO_PEERCRED of a connection from a child", getsockopt(fromkid, SOL_SOCKET, SO_PEERCRED, &uc, &ul), "pid %s", uc.pid == kid ? "the child" : "other");
    close(fromkid);

    /* shutdown */
    T("shutdown how 3", shutdown(c, 3));
    T("shutdown how -1", shutdown(c, -1));
    T("shutdown a pipe", ({ int p[2]; pipe(p); shutdown(p[0], SHUT_RD); }));
    T("shutdown SHUT_WR", shutdown(c, SHUT_WR), "peer %s", pollbits(a));
    T("read on the peer after SHUT_WR", read(a, buf, sizeof buf));
    signal_counts[SIGPIPE] = 0;
    T("write after SHUT_WR", write(c, "x", 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("write 0 bytes after SHUT_WR", write(c, "x", 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("send MSG_NOSIGNAL after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("send 0 bytes MSG_NOSIGNAL after SHUT_WR", send(c, "x", 0, MSG_NOSIGNAL), "SIGPIPE %d", signal_counts[SIGPIPE]);
    T("the peer can still write back", write(a, "ok", 2), "read %ld", (long)read(c, buf, sizeof buf));
    T("shutdown SHUT_RD", shutdown(c, SHUT_RD), "%s", pollbits(c));
    T("read after SHUT_RD", read(c, buf, sizeof buf));
    T("shutdown SHUT_RDWR twice", shutdown(c, SHUT_RDWR));
    write(c, "unread", 0);
    close(a);
    T("poll after the peer closed", 0, "%s", pollbits(c));
    T("read after the peer closed", read(c, buf, sizeof buf));
    close(c);

    /* a peer that closes with data it never read */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "unread", 6);
    close(sv[1]);
    T("poll after the peer closed with unread data", 0, "%s", pollbits(sv[0]));
    T("SO_ERROR after the peer closed with unread data", 0, "%s", ename(intopt(sv[0], SOL_SOCKET, SO_ERROR)));
    T("read after the peer closed with unread data", read(sv[0], buf, sizeof buf));
    T("read again", read(sv[0], buf, sizeof buf));
    close(sv[0]);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T("shutdown an unconnected stream socket", shutdown(c, SHUT_RDWR));
    T("write on an unconnected stream socket", write(c, "x", 1));
    T("read on an unconnected stream socket", read(c, buf, 1));
    T("getpeername on an unconnected socket", 0, "%s", peername(c));
    close(c);

    /* peer closed while data flows */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[1], "bye", 3);
    close(sv[1]);
    T("read what the closed peer sent", read(sv[0], buf, sizeof buf));
    T("read after that (EOF)", read(sv[0], buf, sizeof buf));
    signal_counts[SIGPIPE] = 0;
    T("write to a closed peer", write(sv[0], "x", 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    close(sv[0]);

    /* datagrams */
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a1, a2;
    socklen_t l1 = pathaddr(&a1, "dgram-1"), l2 = pathaddr(&a2, "dgram-2");
    bind(d1, (struct sockaddr *)&a1, l1);
    T("sendto an unbound path", sendto(d2, "x", 1, 0, (struct sockaddr *)&addr, pathaddr(&addr, "no-such-dgram")));
    T("send without an address or peer", send(d2, "x", 1, 0));
    T("sendto from an unbound socket", sendto(d2, "hello", 5, 0, (struct sockaddr *)&a1, l1));
    memset(&addr, 0xff, sizeof addr);
    len = sizeof addr;
    T("recvfrom a datagram of an unbound sender", recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr *)&addr, &len), "'%.5s' from %s", buf, addrstr(&addr, len));
    bind(d2, (struct sockaddr *)&a2, l2);
    sendto(d2, "0123456789", 10, 0, (struct sockaddr *)&a1, l1);
    T("FIONREAD with a datagram queued", ioctl(d1, FIONREAD, &v), "%d", v);
    memset(&addr, 0xff, sizeof addr);
    len = sizeof addr;
    T("recvfrom 4 of a 10-byte datagram", recvfrom(d1, buf, 4, 0, (struct sockaddr *)&addr, &len), "from %s", addrstr(&addr, len));
    T("the rest of the datagram is gone", recv(d1, buf, sizeof buf, MSG_DONTWAIT));
    sendto(d2, "0123456789", 10, 0, (struct sockaddr *)&a1, l1);
    T("recv MSG_TRUNC into 4 bytes", recv(d1, buf, 4, MSG_TRUNC));
    sendto(d2, "0123456789", 10, 0, (struct sockaddr *)&a1, l1);
    struct msghdr mh = {.msg_iov = &(struct iovec){buf, 4}, .msg_iovlen = 1};
    T("recvmsg of a truncated datagram", recvmsg(d1, &mh, 0), "msg_flags %s", mh.msg_flags & MSG_TRUNC ? "MSG_TRUNC" : "0");
    T("send an empty datagram", sendto(d2, "", 0, 0, (struct sockaddr *)&a1, l1));
    T("recv the empty datagram", recv(d1, buf, sizeof buf, MSG_DONTWAIT));
    T("connect a datagram socket", connect(d2, (struct sockaddr *)&a1, l1), "%s", peername(d2));
    T("send on the connected datagram socket", send(d2, "c", 1, 0), "received %ld", (long)recv(d1, buf, sizeof buf, MSG_DONTWAIT));
    T("connect to AF_UNSPEC dissolves the association", connect(d2, (struct sockaddr *)&(struct sockaddr){.sa_family = AF_UNSPEC}, sizeof(struct sockaddr)), "%s", peername(d2));
    static char huge[300000];
    T("send a datagram larger than SO_SNDBUF", sendto(d2, huge, sizeof huge, 0, (struct sockaddr *)&a1, l1));
    close(d1);
    signal_counts[SIGPIPE] = 0;
    T("sendto a path whose socket closed", sendto(d2, "x", 1, 0, (struct sockaddr *)&a1, l1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    close(d2);

    /* seqpacket */
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    send(sv[0], "abcdef", 6, 0);
    send(sv[0], "gh", 2, 0);
    T("seqpacket: recv 3 of a 6-byte record", recv(sv[1], buf, 3, 0), "'%.3s'", buf);
    T("seqpacket: the next record", recv(sv[1], buf, sizeof buf, 0), "'%.2s'", buf);
    mh = (struct msghdr){.msg_iov = &(struct iovec){buf, 2}, .msg_iovlen = 1};
    send(sv[0], "ijkl", 4, 0);
    T("seqpacket: recvmsg flags of a truncated record", recvmsg(sv[1], &mh, 0), "msg_flags %s", mh.msg_flags & MSG_TRUNC ? "MSG_TRUNC" : "0");
    close(sv[0]);
    T("seqpacket: recv after the peer closed", recv(sv[1], buf, sizeof buf, 0));
    close(sv[1]);

    /* SCM_RIGHTS */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int p[2];
    pipe(p);
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    mh = (struct msghdr){.msg_iov = &(struct iovec){"f", 1}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
    T("sendmsg SCM_RIGHTS with a pipe's write end", sendmsg(sv[0], &mh, 0));
    memset(cbuf, 0, sizeof cbuf);
    mh = (struct msghdr){.msg_iov = &(struct iovec){buf, 1}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    T("recvmsg SCM_RIGHTS", recvmsg(sv[1], &mh, 0), "controllen %zu, a descriptor %s", (size_t)mh.msg_controllen,
      CMSG_FIRSTHDR(&mh) && CMSG_FIRSTHDR(&mh)->cmsg_type == SCM_RIGHTS ? "arrived" : "did not arrive");
    close(sv[0]);
    close(sv[1]);

    /* urgent data */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    T("send MSG_OOB on a stream socketpair", send(sv[0], "x", 1, MSG_OOB), "peer %s", pollbits(sv[1]));
    close(sv[0]);
    close(sv[1]);

    unlink("sock-a");
    unlink("sock-file");
    unlink("sock-dgram");
    unlink("dgram-1");
    unlink("dgram-2");
    close(s);
    close(dg);
    return conf_end();
}
