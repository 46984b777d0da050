/* Control messages on AF_UNIX sockets: SCM_RIGHTS (descriptors of every kind, several per
 * message, cut by a small buffer, MSG_PEEK, MSG_CMSG_CLOEXEC, read(2), between processes) and
 * SCM_CREDENTIALS (SO_PASSCRED, explicit credentials, their checks), on stream, datagram and
 * seqpacket sockets. Descriptor numbers are printed as relations ("the lowest free"). */
#include "conf.h"
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

/* A message of `n` descriptors in one SCM_RIGHTS (bytes "m"), or none when n is 0. */
static long send_fds(int s, const int *fds, int n) {
    char cbuf[CMSG_SPACE(sizeof(int) * 256)];
    memset(cbuf, 0, sizeof cbuf);
    struct msghdr mh = {.msg_iov = &(struct iovec){"m", 1}, .msg_iovlen = 1};
    if (n > 0) {
        mh.msg_control = cbuf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
    }
    return sendmsg(s, &mh, 0);
}

/* What the last recv_fds received. */
static int got_fds[256];
static int got_count;
static struct msghdr got;
static char got_data[64];

/* recvmsg with a control buffer of `controllen` bytes (0: none); the descriptors land in got_fds. */
static long recv_fds(int s, size_t controllen, int flags) {
    static char cbuf[4096];
    memset(cbuf, 0, sizeof cbuf);
    memset(got_data, 0, sizeof got_data);
    got = (struct msghdr){.msg_iov = &(struct iovec){got_data, sizeof got_data}, .msg_iovlen = 1,
                          .msg_control = controllen ? cbuf : NULL, .msg_controllen = controllen};
    long r = recvmsg(s, &got, flags);
    got_count = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&got); r >= 0 && cm; cm = CMSG_NXTHDR(&got, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        int n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(got_fds + got_count, CMSG_DATA(cm), sizeof(int) * n);
        got_count += n;
    }
    return r;
}

/* The lowest free descriptor number now. */
static int lowest_free(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

/* How many descriptors the process has open (the count /proc/self/fd shows, without its own). */
static int open_count(void) {
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0) n++;
    return n;
}

static const char *flagbits(int f) {
    return fmt("%s%s%s", f & MSG_CTRUNC ? "MSG_CTRUNC" : "", (f & MSG_CTRUNC) && (f & MSG_TRUNC) ? "|" : "", f & MSG_TRUNC ? "MSG_TRUNC" : (f & MSG_CTRUNC) ? "" : "0");
}

/* What the received descriptors are: count, controllen, msg_flags. */
static const char *summary(void) {
    return fmt("%d descriptor(s), controllen %zu, flags %s, data '%s'", got_count, (size_t)got.msg_controllen, flagbits(got.msg_flags), got_data);
}

/* The first SCM_CREDENTIALS of the last receive, described against this process. */
static const char *creds_seen(pid_t expect) {
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&got); cm; cm = CMSG_NXTHDR(&got, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_CREDENTIALS) continue;
        struct ucred u;
        memcpy(&u, CMSG_DATA(cm), sizeof u);
        return fmt("cmsg_len %zu, pid %s, uid %u, gid %u", (size_t)cm->cmsg_len,
                   u.pid == expect ? "as expected" : u.pid == 0 ? "0" : "another", u.uid, u.gid);
    }
    return "no credentials";
}

/* A receive and what it brought, as one state string (the receive runs first). */
static const char *recv_summary(int s, size_t controllen, int flags) {
    long r = recv_fds(s, controllen, flags);
    return fmt("received %ld, %s", r, summary());
}

static const char *recv_creds(int s, size_t controllen, int flags, pid_t expect) {
    long r = recv_fds(s, controllen, flags);
    return fmt("received %ld, %s", r, creds_seen(expect));
}

static void rights_on(int type, const char *kind) {
    int sv[2], p[2];
    socketpair(AF_UNIX, type, 0, sv);
    pipe(p);
    T(fmt("%s: send a pipe's write end", kind), send_fds(sv[0], &p[1], 1));
    close(p[1]);
    int want = lowest_free();
    T(fmt("%s: receive it", kind), recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s, %s", summary(),
      got_count == 1 && got_fds[0] == want ? "the lowest free number" : "another number");
    if (got_count == 1) {
        T(fmt("%s: write through the received end", kind), write(got_fds[0], "through", 7), "the pipe reads %ld", (long)read(p[0], got_data, sizeof got_data));
        close(got_fds[0]);
        T(fmt("%s: the pipe after the last write end closed", kind), read(p[0], got_data, sizeof got_data));
    }
    close(p[0]);

    int f = open("scm-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    T(fmt("%s: send a regular file", kind), send_fds(sv[0], &f, 1));
    T(fmt("%s: receive the file", kind), recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s", summary());
    if (got_count == 1) {
        write(f, "abc", 3);
        T(fmt("%s: the received file shares the offset", kind), lseek(got_fds[0], 0, SEEK_CUR));
        T(fmt("%s: and the status flags", kind), fcntl(got_fds[0], F_GETFL) == fcntl(f, F_GETFL), "%s", getfl(got_fds[0]));
        struct stat a, b;
        fstat(f, &a);
        fstat(got_fds[0], &b);
        T(fmt("%s: the same inode", kind), a.st_ino == b.st_ino);
        close(got_fds[0]);
    }
    close(f);
    close(sv[0]);
    close(sv[1]);
}

int main(void) {
    conf_start();
    int sv[2], p[2];
    rights_on(SOCK_STREAM, "stream");
    rights_on(SOCK_DGRAM, "dgram");
    rights_on(SOCK_SEQPACKET, "seqpacket");

    /* several at once, of several kinds */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    int e = eventfd(5, 0);
    int f = open("scm-file", O_RDONLY);
    int three[3] = {e, p[0], f};
    T("send an eventfd, a pipe's read end and a file", send_fds(sv[0], three, 3));
    int before = open_count();
    T("receive all three", recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 3), MSG_CMSG_CLOEXEC), "%s, %d more open", summary(), open_count() - before);
    if (got_count == 3) {
        uint64_t v = 0;
        T("the received eventfd holds the counter", read(got_fds[0], &v, sizeof v), "value %llu", (unsigned long long)v);
        write(p[1], "q", 1);
        T("the received read end reads the pipe", read(got_fds[1], got_data, 1), "'%c'", got_data[0]);
        T("MSG_CMSG_CLOEXEC on each", 0, "%s %s %s", cloexec(got_fds[0]), cloexec(got_fds[1]), cloexec(got_fds[2]));
        for (int i = 0; i < 3; i++) close(got_fds[i]);
    }
    T("send three again", send_fds(sv[0], three, 3));
    T("receive them without MSG_CMSG_CLOEXEC", recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 3), 0), "%s; %s %s %s", summary(),
      got_count == 3 ? cloexec(got_fds[0]) : "-", got_count == 3 ? cloexec(got_fds[1]) : "-", got_count == 3 ? cloexec(got_fds[2]) : "-");
    for (int i = 0; i < got_count; i++) close(got_fds[i]);

    /* a control buffer too small */
    T("send three for a small buffer", send_fds(sv[0], three, 3));
    before = open_count();
    T("receive with room for one", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s, %d more open", summary(), open_count() - before);
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    T("send three for a 20-byte buffer", send_fds(sv[0], three, 3));
    T("receive with 20 bytes of control", recv_fds(sv[1], 20, 0), "%s", summary());
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    T("send three for no buffer", send_fds(sv[0], three, 3));
    before = open_count();
    T("receive without a control buffer", recv_fds(sv[1], 0, 0), "%s, %d more open", summary(), open_count() - before);
    T("send three for a header-sized buffer", send_fds(sv[0], three, 3));
    T("receive with 16 bytes of control", recv_fds(sv[1], 16, 0), "%s", summary());
    T("send one to be read(2)", send_fds(sv[0], &e, 1));
    before = open_count();
    T("read(2) of a message with a descriptor", read(sv[1], got_data, sizeof got_data), "%d more open", open_count() - before);

    /* MSG_PEEK installs a copy and leaves them queued */
    T("send one to peek at", send_fds(sv[0], &e, 1));
    T("peek", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), MSG_PEEK), "%s", summary());
    int peeked = got_count == 1 ? got_fds[0] : -1;
    T("then receive", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s, %s", summary(), got_count == 1 && got_fds[0] != peeked ? "another descriptor" : "the same");
    if (peeked >= 0) close(peeked);
    for (int i = 0; i < got_count; i++) close(got_fds[i]);

    /* a stream read ends after bytes with descriptors, and glues what came before */
    send_fds(sv[0], &e, 1);
    send_fds(sv[0], &e, 1);
    T("two messages with descriptors: the first read", recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 2), 0), "%s", summary());
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    T("the second read", recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 2), 0), "%s", summary());
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    send(sv[0], "ab", 2, 0);
    send_fds(sv[0], &e, 1);
    send(sv[0], "cd", 2, 0);
    T("plain bytes, then bytes with a descriptor, then plain", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s", summary());
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    T("what is left", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0), "%s", summary());
    send_fds(sv[0], &e, 1);
    send(sv[0], "zz", 2, 0);
    T("MSG_WAITALL stops after the descriptor", recv_fds(sv[1], CMSG_SPACE(sizeof(int)), MSG_WAITALL), "%s", summary());
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    recv(sv[1], got_data, sizeof got_data, MSG_DONTWAIT);

    /* recvmmsg: each message's descriptors */
    {
        int dg[2];
        socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
        send(dg[0], "a", 1, 0);
        send_fds(dg[0], &e, 1);
        int two[2] = {e, f};
        send_fds(dg[0], two, 2);
        send(dg[0], "b", 1, 0);
        struct mmsghdr mm[4];
        char cbufs[4][64], datas[4][8];
        memset(cbufs, 0, sizeof cbufs);
        for (int i = 0; i < 4; i++) {
            mm[i].msg_hdr = (struct msghdr){.msg_iov = &(struct iovec){datas[i], sizeof datas[i]}, .msg_iovlen = 1, .msg_control = cbufs[i], .msg_controllen = sizeof cbufs[i]};
            mm[i].msg_len = 0;
        }
        before = open_count();
        int n = recvmmsg(dg[1], mm, 4, MSG_DONTWAIT, NULL);
        char *what = fmt("%d more open;", open_count() - before);
        for (int i = 0; i < n && i < 4; i++) {
            int fds = 0;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c; c = CMSG_NXTHDR(&mm[i].msg_hdr, c)) {
                if (c->cmsg_type != SCM_RIGHTS) continue;
                for (int *fd = (int *)CMSG_DATA(c); (char *)(fd + 1) <= (char *)c + c->cmsg_len; fd++) fds++, close(*fd);
            }
            what = fmt("%s [len %u, %d descriptor(s), controllen %zu]", what, mm[i].msg_len, fds, (size_t)mm[i].msg_hdr.msg_controllen);
        }
        T("recvmmsg of four datagrams, two with descriptors", n, "%s", what);
        close(dg[0]);
        close(dg[1]);
    }

    /* two SCM_RIGHTS messages in one control buffer */
    {
        char cbuf[CMSG_SPACE(sizeof(int)) * 2];
        memset(cbuf, 0, sizeof cbuf);
        struct msghdr mh = {.msg_iov = &(struct iovec){"m", 1}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &e, sizeof(int));
        cm = CMSG_NXTHDR(&mh, cm);
        cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &f, sizeof(int));
        T("two SCM_RIGHTS messages in one sendmsg", sendmsg(sv[0], &mh, 0));
        T("arrive as one", recv_fds(sv[1], 256, 0), "%s", summary());
        for (int i = 0; i < got_count; i++) close(got_fds[i]);
    }

    /* bad control messages */
    {
        char cbuf[256];
        struct msghdr mh = {.msg_iov = &(struct iovec){"m", 1}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int))};
        struct cmsghdr *cm = (struct cmsghdr *)cbuf;
        int bad = 999;
        memset(cbuf, 0, sizeof cbuf);
        cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &bad, sizeof(int));
        T("SCM_RIGHTS with a closed descriptor", sendmsg(sv[0], &mh, 0));
        memcpy(CMSG_DATA(cm), &e, sizeof(int));
        cm->cmsg_len = 8;
        T("cmsg_len shorter than the header", sendmsg(sv[0], &mh, 0));
        cm->cmsg_len = 200;
        T("cmsg_len past msg_controllen", sendmsg(sv[0], &mh, 0));
        cm->cmsg_len = CMSG_LEN(0);
        T("SCM_RIGHTS without descriptors", sendmsg(sv[0], &mh, 0), "%s", recv_summary(sv[1], 64, MSG_DONTWAIT));
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        cm->cmsg_type = 77;
        T("an unknown SOL_SOCKET type", sendmsg(sv[0], &mh, 0));
        cm->cmsg_level = 0; /* SOL_IP */
        T("another level is skipped", sendmsg(sv[0], &mh, 0), "%s", recv_summary(sv[1], 64, MSG_DONTWAIT));
        mh.msg_controllen = 8;
        T("msg_controllen under a header", sendmsg(sv[0], &mh, 0), "received %ld", recv_fds(sv[1], 64, MSG_DONTWAIT));
        mh.msg_control = BADPTR;
        mh.msg_controllen = 64;
        T("msg_control unreadable", sendmsg(sv[0], &mh, 0));
        mh.msg_control = cbuf;
        mh.msg_controllen = 1 << 20;
        T("msg_controllen past optmem_max", sendmsg(sv[0], &mh, 0));
        int many[254];
        for (int i = 0; i < 254; i++) many[i] = e;
        T("254 descriptors", send_fds(sv[0], many, 254));
        T("253 descriptors", send_fds(sv[0], many, 253));
        before = open_count();
        T("receive 253", recv_fds(sv[1], sizeof got_fds + 64, 0), "%s, %d more open", summary(), open_count() - before);
        for (int i = 0; i < got_count; i++) close(got_fds[i]);
    }

    /* at RLIMIT_NOFILE: what fits is installed, the rest is cut */
    {
        int pipes[2][2];
        pipe(pipes[0]);
        pipe(pipes[1]);
        int two[2] = {pipes[0][0], pipes[1][0]};
        send_fds(sv[0], two, 2);
        struct rlimit old;
        getrlimit(RLIMIT_NOFILE, &old);
        int top = 0;
        for (int fd = 0; fd < 1024; fd++)
            if (fcntl(fd, F_GETFD) >= 0) top = fd;
        /* every number below top+2 is taken but one: one more descriptor fits */
        int holes = 0;
        for (int fd = 0; fd <= top; fd++)
            if (fcntl(fd, F_GETFD) < 0) { dup2(0, fd); holes++; }
        struct rlimit low = {top + 2, old.rlim_max};
        setrlimit(RLIMIT_NOFILE, &low);
        T("receive two with room for one descriptor (pipes)", recv_fds(sv[1], 64, 0), "%s", summary());
        setrlimit(RLIMIT_NOFILE, &old);
        for (int i = 0; i < got_count; i++) close(got_fds[i]);
        (void)holes;
        for (int i = 0; i < 2; i++) close(pipes[i][0]), close(pipes[i][1]);
    }
    close(sv[0]);
    close(sv[1]);

    /* a socket passed over a socket, and a descriptor passed to another process */
    {
        int carrier[2], inner[2];
        socketpair(AF_UNIX, SOCK_STREAM, 0, carrier);
        socketpair(AF_UNIX, SOCK_STREAM, 0, inner);
        T("send one end of a socket pair", send_fds(carrier[0], &inner[1], 1));
        close(inner[1]);
        recv_fds(carrier[1], 64, 0);
        if (got_count == 1) {
            T("the received end talks to its peer", write(got_fds[0], "hi", 2), "peer reads %ld", (long)read(inner[0], got_data, sizeof got_data));
            close(got_fds[0]);
            T("the peer sees the end once the received end closes", read(inner[0], got_data, sizeof got_data));
        }
        close(inner[0]);
        T("sent, then the sending socket closed", send_fds(carrier[0], &e, 1));
        close(carrier[0]);
        T("still received", recv_fds(carrier[1], 64, 0), "%s", summary());
        for (int i = 0; i < got_count; i++) close(got_fds[i]);
        close(carrier[1]);

        socketpair(AF_UNIX, SOCK_STREAM, 0, carrier);
        pipe(p);
        pid_t child = fork();
        if (child == 0) {
            close(carrier[0]);
            recv_fds(carrier[1], 64, 0);
            int fd = got_count == 1 ? got_fds[0] : -1;
            if (fd >= 0) write(fd, "from the child", 14);
            recv_fds(carrier[1], 64, 0);
            if (got_count == 1) {
                lseek(got_fds[0], 1, SEEK_SET);
                write(got_fds[0], "X", 1);
            }
            _exit(fd >= 0 ? 0 : 1);
        }
        close(carrier[1]);
        T("send a pipe's write end to a child", send_fds(carrier[0], &p[1], 1));
        int rw = open("scm-file", O_RDWR);
        T("and a file", send_fds(carrier[0], &rw, 1));
        int status;
        waitpid(child, &status, 0);
        T("the child wrote through both", read(p[0], got_data, sizeof got_data), "'%s', exit %d, the file's offset %ld", got_data, WEXITSTATUS(status), (long)lseek(rw, 0, SEEK_CUR));
        close(rw);
        close(p[0]);
        close(p[1]);
        close(carrier[0]);
    }

    /* SCM_CREDENTIALS */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    send(sv[0], "a", 1, 0);
    T("without SO_PASSCRED", recv_fds(sv[1], 64, 0), "%s", creds_seen(getpid()));
    send(sv[0], "b", 1, 0);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));
    T("SO_PASSCRED set after a plain send", recv_fds(sv[1], 64, 0), "%s", creds_seen(getpid()));
    send(sv[0], "c", 1, 0);
    T("SO_PASSCRED on the receiver", recv_fds(sv[1], 64, 0), "%s", creds_seen(getpid()));
    send(sv[0], "d", 1, 0);
    T("SO_PASSCRED with a buffer under a header", recv_fds(sv[1], 8, 0), "controllen %zu, flags %s", (size_t)got.msg_controllen, flagbits(got.msg_flags));
    send(sv[0], "e", 1, 0);
    T("SO_PASSCRED with a cut buffer", recv_fds(sv[1], 20, 0), "controllen %zu, flags %s, %s", (size_t)got.msg_controllen, flagbits(got.msg_flags), creds_seen(getpid()));
    send_fds(sv[0], &e, 1);
    T("credentials and a descriptor", recv_fds(sv[1], 256, 0), "%s, %s", summary(), creds_seen(getpid()));
    for (int i = 0; i < got_count; i++) close(got_fds[i]);
    {
        char cbuf[CMSG_SPACE(sizeof(struct ucred))];
        struct msghdr mh = {.msg_iov = &(struct iovec){"u", 1}, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        struct ucred u = {getpid(), getuid(), getgid()};
        memset(cbuf, 0, sizeof cbuf);
        cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_CREDENTIALS, cm->cmsg_len = CMSG_LEN(sizeof u);
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        T("send explicit credentials", sendmsg(sv[0], &mh, 0), "%s", recv_creds(sv[1], 64, 0, getpid()));
        u.pid = 999999;
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        T("credentials of no process", sendmsg(sv[0], &mh, 0));
        u.pid = getpid();
        u.uid = (uid_t)-1;
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        T("credentials with uid -1", sendmsg(sv[0], &mh, 0));
        u.uid = getuid();
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        cm->cmsg_len = CMSG_LEN(8);
        T("credentials of the wrong length", sendmsg(sv[0], &mh, 0));
        pid_t child = fork();
        if (child == 0) {
            send(sv[0], "k", 1, 0);
            _exit(0);
        }
        waitpid(child, NULL, 0);
        T("credentials of a child's send", recv_fds(sv[1], 64, 0), "%s", creds_seen(child));
        int hold[2];
        pipe(hold);
        child = fork();
        if (child == 0) {
            close(hold[1]);
            read(hold[0], got_data, 1);
            _exit(0);
        }
        close(hold[0]);
        cm->cmsg_len = CMSG_LEN(sizeof u);
        u.pid = child;
        memcpy(CMSG_DATA(cm), &u, sizeof u);
        T("credentials naming a child (privileged)", sendmsg(sv[0], &mh, 0), "%s", recv_creds(sv[1], 64, MSG_DONTWAIT, child));
        close(hold[1]);
        waitpid(child, NULL, 0);
    }
    close(sv[0]);
    close(sv[1]);

    /* datagrams: credentials per message */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));
    send(sv[0], "s", 1, 0);
    T("datagram: SO_PASSCRED on the sender only", recv_fds(sv[1], 64, 0), "%s", creds_seen(getpid()));
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));
    send(sv[0], "t", 1, 0);
    T("datagram: then on the receiver too", recv_fds(sv[1], 64, 0), "%s", creds_seen(getpid()));
    close(sv[0]);
    close(sv[1]);

    close(e);
    close(f);
    unlink("scm-file");
    return conf_end();
}
