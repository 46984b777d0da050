/* epoll(7): epoll_create*, epoll_ctl's checks, level- and edge-triggered readiness of pipes,
 * eventfds and sockets, EPOLLONESHOT, nesting, and epoll_wait's argument checks. */
#include "conf.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

/* One epoll_wait with a zero timeout: the count, then each event's bits and data. */
static const char *waitstr(int ep) {
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    if (n < 0) return fmt("wait %s", ename(errno));
    char *b = fmt("%d", n);
    for (int i = 0; i < n; i++) sprintf(b + strlen(b), " [%s data %llu]", evnames(ev[i].events), (unsigned long long)ev[i].data.u64);
    return b;
}

static int add(int ep, int fd, unsigned events, unsigned long long data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static long mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void) {
    conf_start();
    int ep, ep2, p[2], e;
    char buf[256];
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};

    /* creation */
    T("epoll_create 0", epoll_create(0));
    T("epoll_create -1", epoll_create(-1));
    TF("epoll_create 1", ep, epoll_create(1), "%s %s", getfl(ep), cloexec(ep));
    close(ep);
    TF("epoll_create1 0", ep, epoll_create1(0), "%s", cloexec(ep));
    close(ep);
    TF("epoll_create1 EPOLL_CLOEXEC", ep, epoll_create1(EPOLL_CLOEXEC), "%s", cloexec(ep));
    close(ep);
    T("epoll_create1 O_NONBLOCK", epoll_create1(O_NONBLOCK));
    T("epoll_create1 1", epoll_create1(1));
    ep = epoll_create1(0);
    T("poll a new epoll descriptor", 0, "%s", pollbits(ep));
    T("read from an epoll descriptor", read(ep, buf, 8));
    T("write to an epoll descriptor", write(ep, buf, 8));
    T("lseek on an epoll descriptor", lseek(ep, 0, SEEK_SET));
    T("pread on an epoll descriptor", pread(ep, buf, 8, 0));
    T("pwrite on an epoll descriptor", pwrite(ep, buf, 8, 0));
    T("read 0 bytes from an epoll descriptor", read(ep, buf, 0));

    /* epoll_ctl checks */
    pipe(p);
    e = eventfd(0, EFD_NONBLOCK);
    int reg = open(".", O_RDONLY | O_DIRECTORY);
    int file = open("epoll-file", O_RDWR | O_CREAT, 0600);
    T("epoll_ctl on a descriptor that is not open", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev));
    T("epoll_ctl on a pipe instead of an epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, e, &ev));
    T("epoll_ctl ADD a descriptor that is not open", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    T("epoll_ctl ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev));
    T("epoll_ctl ADD a directory", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev));
    T("epoll_ctl ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    T("epoll_ctl ADD with a NULL event", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL));
    T("epoll_ctl ADD with an unmapped event", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], BADPTR));
    T("epoll_ctl bad op 99", epoll_ctl(ep, 99, p[0], &ev));
    T("epoll_ctl MOD a descriptor not in the set", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    T("epoll_ctl DEL a descriptor not in the set", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev));
    T("epoll_ctl ADD pipe read end", add(ep, p[0], EPOLLIN, 1));
    T("epoll_ctl ADD it again", add(ep, p[0], EPOLLIN, 1));
    T("epoll_ctl MOD it", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLOUT, .data.u64 = 2}));
    T("epoll_ctl MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE}));
    T("epoll_ctl ADD EPOLLEXCLUSIVE|EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, e, &(struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT}));
    T("epoll_ctl DEL with a NULL event", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T("epoll_ctl DEL it again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T("epoll_wait on an empty set", 0, "%s", waitstr(ep));
    ep2 = epoll_create1(0);
    T("epoll_ctl ADD an epoll into an epoll", add(ep, ep2, EPOLLIN, 3));
    T("epoll_ctl ADD the outer epoll into the inner (loop)", add(ep2, ep, EPOLLIN, 4));
    close(ep2);
    close(ep);

    /* epoll_wait checks */
    ep = epoll_create1(0);
    struct epoll_event out[4];
    T("epoll_wait maxevents 0", epoll_wait(ep, out, 0, 0));
    T("epoll_wait maxevents -1", SYS(SYS_epoll_wait, ep, out, -1, 0));
    T("epoll_wait on a pipe", epoll_wait(p[0], out, 4, 0));
    T("epoll_wait on a descriptor that is not open", epoll_wait(999, out, 4, 0));
    T("epoll_wait into a kernel address", SYS(SYS_epoll_wait, ep, KERNELPTR, 4, 0));
    T("epoll_wait maxevents too large for the address space", SYS(SYS_epoll_wait, ep, out, 0x7fffffff, 0));
    T("epoll_wait into NULL, nothing ready", SYS(SYS_epoll_wait, ep, NULL, 4, 0));
    long t0 = mono_ns();
    T("epoll_wait 20 ms with nothing ready", epoll_wait(ep, out, 4, 20), "%s", mono_ns() - t0 >= 20000000 ? "waited 20 ms" : "too short");
    T("epoll_pwait sigsetsize 7", SYS(SYS_epoll_pwait, ep, out, 4, 0, &(sigset_t){{0}}, 7));
    T("epoll_pwait with a NULL mask", SYS(SYS_epoll_pwait, ep, out, 4, 0, NULL, 8));
    T("epoll_pwait2 zero timeout", SYS(SYS_epoll_pwait2, ep, out, 4, &(struct timespec){0, 0}, NULL, 8));
    T("epoll_pwait2 bad timeout nsec", SYS(SYS_epoll_pwait2, ep, out, 4, &(struct timespec){0, 1000000000}, NULL, 8));
    T("epoll_pwait2 negative timeout", SYS(SYS_epoll_pwait2, ep, out, 4, &(struct timespec){-1, 0}, NULL, 8));

    /* level-triggered pipe ends */
    add(ep, p[0], EPOLLIN, 10);
    add(ep, p[1], EPOLLOUT, 11);
    T("LT: empty pipe", 0, "%s", waitstr(ep));
    write(p[1], "abc", 3);
    T("LT: after a write", 0, "%s", waitstr(ep));
    T("LT: again without reading", 0, "%s", waitstr(ep));
    read(p[0], buf, 3);
    T("LT: after reading everything", 0, "%s", waitstr(ep));
    T("poll the epoll descriptor", 0, "%s", pollbits(ep));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);

    /* edge-triggered pipe ends: the read end signals on every write, the write end only when
     * a read frees room in a full pipe */
    add(ep, p[0], EPOLLIN | EPOLLET, 20);
    add(ep, p[1], EPOLLOUT | EPOLLET, 21);
    T("ET: first wait", 0, "%s", waitstr(ep));
    T("ET: second wait", 0, "%s", waitstr(ep));
    write(p[1], "abc", 3);
    T("ET: after a write", 0, "%s", waitstr(ep));
    T("ET: again without reading", 0, "%s", waitstr(ep));
    write(p[1], "d", 1);
    T("ET: after a second write", 0, "%s", waitstr(ep));
    read(p[0], buf, 1);
    T("ET: after a partial read", 0, "%s", waitstr(ep));
    read(p[0], buf, sizeof buf);
    T("ET: after reading everything", 0, "%s", waitstr(ep));
    static char big[65536];
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    write(p[1], big, sizeof big);
    T("ET: after filling the pipe", 0, "%s", waitstr(ep));
    read(p[0], buf, 100);
    T("ET: after a read from the full pipe that frees no page", 0, "%s", waitstr(ep));
    read(p[0], big, 3996);
    T("ET: after a read from the full pipe that frees a page", 0, "%s", waitstr(ep));
    read(p[0], big, 4096);
    T("ET: after a read from the pipe no longer full", 0, "%s", waitstr(ep));
    while (read(p[0], big, sizeof big) == sizeof big) {
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    while (read(p[0], big, sizeof big) > 0) {
    }
    waitstr(ep);
    close(p[1]);
    T("ET: the write end closed", 0, "%s", waitstr(ep));
    T("ET: again", 0, "%s", waitstr(ep));
    close(p[0]);

    /* EPOLLONESHOT */
    pipe(p);
    add(ep, p[0], EPOLLIN | EPOLLONESHOT, 30);
    write(p[1], "x", 1);
    T("ONESHOT: first wait", 0, "%s", waitstr(ep));
    T("ONESHOT: second wait", 0, "%s", waitstr(ep));
    write(p[1], "y", 1);
    T("ONESHOT: after another write", 0, "%s", waitstr(ep));
    T("ONESHOT: MOD re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 31}), "%s", waitstr(ep));
    T("ONESHOT: ADD again while disarmed", add(ep, p[0], EPOLLIN, 32));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);

    /* events 0 still report EPOLLHUP and EPOLLERR */
    add(ep, p[0], 0, 40);
    add(ep, p[1], 0, 41);
    T("events 0, both ends open, data", 0, "%s", waitstr(ep));
    int d = dup(p[1]);
    close(p[1]);
    T("write end closed but a dup is open", 0, "%s", waitstr(ep));
    close(d);
    T("write end closed (all descriptors)", 0, "%s", waitstr(ep));
    close(p[0]);
    T("read end closed: its entry is gone", 0, "%s", waitstr(ep));
    pipe(p);
    add(ep, p[1], EPOLLOUT, 42);
    close(p[0]);
    T("reader closed: write end", 0, "%s", waitstr(ep));
    close(p[1]);

    /* eventfd */
    int ef = eventfd(0, EFD_NONBLOCK);
    add(ep, ef, EPOLLIN | EPOLLOUT, 50);
    T("eventfd LT counter 0", 0, "%s", waitstr(ep));
    eventfd_write(ef, 1);
    T("eventfd LT counter 1", 0, "%s", waitstr(ep));
    epoll_ctl(ep, EPOLL_CTL_MOD, ef, &(struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 51});
    T("eventfd ET IN after MOD", 0, "%s", waitstr(ep));
    eventfd_write(ef, 1);
    T("eventfd ET IN after a write", 0, "%s", waitstr(ep));
    T("eventfd ET IN again", 0, "%s", waitstr(ep));
    epoll_ctl(ep, EPOLL_CTL_MOD, ef, &(struct epoll_event){.events = EPOLLOUT | EPOLLET, .data.u64 = 52});
    T("eventfd ET OUT after MOD", 0, "%s", waitstr(ep));
    eventfd_write(ef, 1);
    T("eventfd ET OUT after a write", 0, "%s", waitstr(ep));
    eventfd_t v;
    eventfd_read(ef, &v);
    T("eventfd ET OUT after a read", 0, "%s", waitstr(ep));
    close(ef);
    T("eventfd closed: its entry is gone", 0, "%s", waitstr(ep));

    /* sockets */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    add(ep, sv[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 60);
    T("socketpair LT idle", 0, "%s", waitstr(ep));
    write(sv[1], "hi", 2);
    T("socketpair LT data", 0, "%s", waitstr(ep));
    shutdown(sv[1], SHUT_WR);
    T("socketpair LT peer shut down writing", 0, "%s", waitstr(ep));
    close(sv[1]);
    T("socketpair LT peer closed", 0, "%s", waitstr(ep));
    close(sv[0]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    add(ep, sv[0], EPOLLIN | EPOLLET, 61);
    T("socketpair ET idle", 0, "%s", waitstr(ep));
    write(sv[1], "a", 1);
    T("socketpair ET after a write", 0, "%s", waitstr(ep));
    write(sv[1], "b", 1);
    T("socketpair ET after a second write", 0, "%s", waitstr(ep));
    T("socketpair ET again", 0, "%s", waitstr(ep));
    close(sv[0]);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    add(ep, sv[0], EPOLLOUT | EPOLLET, 62);
    add(ep, sv[1], EPOLLIN | EPOLLOUT | EPOLLET, 63);
    T("socketpair ET OUT: first wait", 0, "%s", waitstr(ep));
    write(sv[0], "a", 1);
    T("socketpair ET OUT: after the end writes", 0, "%s", waitstr(ep));
    read(sv[1], buf, 1);
    T("socketpair ET OUT: after the peer reads", 0, "%s", waitstr(ep));
    shutdown(sv[1], SHUT_WR);
    T("socketpair ET: after the peer shuts down writing", 0, "%s", waitstr(ep));
    close(sv[1]);
    T("socketpair ET: after the peer closes", 0, "%s", waitstr(ep));
    close(sv[0]);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in la = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(l, (struct sockaddr *)&la, sizeof la);
    listen(l, 4);
    socklen_t ll = sizeof la;
    getsockname(l, (struct sockaddr *)&la, &ll);
    add(ep, l, EPOLLIN | EPOLLET, 64);
    int tc = socket(AF_INET, SOCK_STREAM, 0);
    connect(tc, (struct sockaddr *)&la, sizeof la);
    struct epoll_event got1[4];
    T("TCP listener ET: a connection arrives", epoll_wait(ep, got1, 4, 2000), "%s data %llu", evnames(got1[0].events), (unsigned long long)got1[0].data.u64);
    int ta = accept(l, NULL, NULL);
    add(ep, ta, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 65);
    T("TCP accepted ET: first wait", 0, "%s", waitstr(ep));
    write(tc, "x", 1);
    T("TCP accepted ET: data arrives", epoll_wait(ep, got1, 4, 2000), "%s", evnames(got1[0].events));
    shutdown(tc, SHUT_WR);
    T("TCP accepted ET: the peer shuts down writing", epoll_wait(ep, got1, 4, 2000), "%s", evnames(got1[0].events));
    close(tc);
    close(ta);
    close(l);

    /* nesting */
    ep2 = epoll_create1(0);
    pipe(p);
    add(ep2, p[0], EPOLLIN, 70);
    add(ep, ep2, EPOLLIN, 71);
    T("nested: inner has nothing", 0, "%s", waitstr(ep));
    write(p[1], "z", 1);
    T("nested: inner has an event", 0, "%s", waitstr(ep));
    T("nested: the inner wait", 0, "%s", waitstr(ep2));
    read(p[0], buf, 1);
    T("nested: inner drained", 0, "%s", waitstr(ep));
    close(ep2);
    T("nested: inner closed", 0, "%s", waitstr(ep));

    /* timerfd */
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    add(ep, tf, EPOLLIN | EPOLLET, 80);
    timerfd_settime(tf, 0, &(struct itimerspec){{0, 0}, {0, 5000000}}, NULL);
    T("timerfd ET: before it expires", 0, "%s", waitstr(ep));
    T("timerfd ET: it expires", epoll_wait(ep, out, 4, 1000), "%s", evnames(out[0].events));
    T("timerfd ET: again", 0, "%s", waitstr(ep));
    timerfd_settime(tf, 0, &(struct itimerspec){{0, 0}, {0, 0}}, NULL);
    close(tf);

    /* the data field and several ready entries */
    int e1 = eventfd(1, 0), e2 = eventfd(1, 0), e3 = eventfd(0, 0);
    add(ep, e1, EPOLLIN, 0xffffffffffffffffull);
    add(ep, e2, EPOLLIN, 0x123456789ull);
    add(ep, e3, EPOLLIN, 3);
    T("two ready of three, full data values", 0, "%s", waitstr(ep));
    struct epoll_event one[1];
    T("maxevents 1 with two ready", epoll_wait(ep, one, 1, 0), "data %llx", (unsigned long long)one[0].data.u64);
    T("maxevents 1 again (rotates)", epoll_wait(ep, one, 1, 0), "data %llx", (unsigned long long)one[0].data.u64);
    close(e1);
    close(e2);
    close(e3);
    close(ep);
    close(reg);
    close(file);
    unlink("epoll-file");
    return conf_end();
}
