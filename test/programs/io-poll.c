/* poll and ppoll on pipes, eventfds and timerfds: POLLIN/POLLOUT/POLLHUP/POLLERR/POLLNVAL,
 * negative fds ignored, timeouts (0, finite, infinite with a timer), ppoll's timespec, and
 * the error cases. Durations are printed to 0.1 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;

static double elapsed(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

static void report(const char *what, int n, struct pollfd *p, int count) {
    if (n < 0) {
        printf("[%.1f] %s: -1 %s(%d)\n", elapsed(), what, strerrorname_np(errno), errno);
        return;
    }
    printf("[%.1f] %s: %d", elapsed(), what, n);
    for (int i = 0; i < count; i++) printf(" 0x%x", p[i].revents);
    printf("\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[64];
    int p[2];
    pipe2(p, O_NONBLOCK);
    int e = eventfd(0, EFD_NONBLOCK);

    struct pollfd f[4] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {e, POLLIN | POLLOUT, 0}, {-1, POLLIN, 0}};
    report("pipe empty, eventfd zero, timeout 0", poll(f, 4, 0), f, 4);
    report("only the read end, timeout 100 ms", poll(f, 1, 100), f, 1);
    write(p[1], "hi", 2);
    eventfd_write(e, 1);
    report("after writes", poll(f, 4, -1), f, 4);
    f[1].events = POLLIN; /* a write end is never readable */
    f[2].events = 0;      /* nothing asked: nothing reported */
    report("POLLIN on the write end, no events on the eventfd", poll(f, 4, 0), f, 4);
    read(p[0], buf, sizeof buf);

    /* hang-up and error conditions are reported even when not asked for */
    close(p[1]);
    struct pollfd h = {p[0], 0, 0};
    report("read end after the writer closed, events 0", poll(&h, 1, 0), &h, 1);
    int q[2];
    pipe2(q, O_NONBLOCK);
    close(q[0]);
    struct pollfd w = {q[1], POLLOUT, 0};
    report("write end after the reader closed", poll(&w, 1, 0), &w, 1);

    /* POLLNVAL for fds that are not open; they count as ready */
    struct pollfd bad[2] = {{999, POLLIN, 0}, {e, POLLIN, 0}};
    report("fd 999 and a ready eventfd", poll(bad, 2, 0), bad, 2);

    /* infinite timeout ended by a timer; ppoll with a timespec */
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec in = {{0, 0}, {0, 200000000}};
    timerfd_settime(tf, 0, &in, NULL);
    struct pollfd t = {tf, POLLIN, 0};
    report("timer 0.2 s, infinite timeout", poll(&t, 1, -1), &t, 1);
    uint64_t x;
    read(tf, &x, sizeof x);
    struct timespec ts = {0, 100000000};
    report("ppoll 100 ms", ppoll(&t, 1, &ts, NULL), &t, 1);
    timerfd_settime(tf, 0, &in, NULL);
    ts.tv_sec = 5;
    sigset_t mask;
    sigemptyset(&mask);
    report("ppoll with a mask, timer 0.2 s", ppoll(&t, 1, &ts, &mask), &t, 1);
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    read(tf, &x, sizeof x);
    report("ppoll zero timespec", ppoll(&t, 1, &ts, NULL), &t, 1);
    report("ppoll no fds, 100 ms", ppoll(NULL, 0, &(struct timespec){0, 100000000}, NULL), NULL, 0);
    report("poll no fds, 100 ms", poll(NULL, 0, 100), NULL, 0);

    /* errors */
    ts.tv_nsec = 1000000000;
    report("ppoll tv_nsec 1e9", ppoll(&t, 1, &ts, NULL), &t, 1);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    show("poll more fds than RLIMIT_NOFILE", poll(f, rl.rlim_cur + 1, 0));
    show("close", close(tf));
    printf("[%.1f] done\n", elapsed());
    return 0;
}
