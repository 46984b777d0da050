/* select and pselect6 on pipes, eventfds and timerfds: read/write sets, the remaining time
 * select writes back into its timeval, timeouts (0, finite, none with a timer), and the error
 * cases (EBADF for an fd that is not open, EINVAL for a negative nfds or a bad timeval).
 * Durations are printed to 0.1 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;

static double elapsed(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Prints the result and which of the fds in `fds` are left in each set. */
static void report(const char *what, int n, int *fds, int count, fd_set *r, fd_set *w) {
    if (n < 0) {
        printf("[%.1f] %s: -1 %s(%d)\n", elapsed(), what, strerrorname_np(errno), errno);
        return;
    }
    printf("[%.1f] %s: %d read {", elapsed(), what, n);
    for (int i = 0; i < count; i++)
        if (r && FD_ISSET(fds[i], r)) printf(" #%d", i);
    printf(" } write {");
    for (int i = 0; i < count; i++)
        if (w && FD_ISSET(fds[i], w)) printf(" #%d", i);
    printf(" }\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[64];
    int p[2];
    pipe2(p, O_NONBLOCK);
    int e = eventfd(0, EFD_NONBLOCK);
    int fds[3] = {p[0], p[1], e}; /* #0 read end, #1 write end, #2 eventfd */
    int nfds = e + 1;
    fd_set r, w;

#define SETS()                          \
    do {                                \
        FD_ZERO(&r);                    \
        FD_ZERO(&w);                    \
        for (int i = 0; i < 3; i++) {   \
            FD_SET(fds[i], &r);         \
            FD_SET(fds[i], &w);         \
        }                               \
    } while (0)

    SETS();
    struct timeval tv = {0, 0};
    report("all in both sets, timeout 0", select(nfds, &r, &w, NULL, &tv), fds, 3, &r, &w);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_usec = 100000;
    report("read end, timeout 100 ms", select(nfds, &r, NULL, NULL, &tv), fds, 3, &r, NULL);
    printf("timeval left: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    write(p[1], "hi", 2);
    eventfd_write(e, 3);
    SETS();
    report("after writes, no timeout", select(nfds, &r, &w, NULL, NULL), fds, 3, &r, &w);
    read(p[0], buf, sizeof buf);
    eventfd_t v;
    eventfd_read(e, &v);

    /* a timer ends a wait; the timeval left is what remained */
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec in = {{0, 0}, {0, 200000000}};
    timerfd_settime(tf, 0, &in, NULL);
    int tfds[1] = {tf};
    FD_ZERO(&r);
    FD_SET(tf, &r);
    tv.tv_sec = 1;
    tv.tv_usec = 0;
    report("timer 0.2 s, timeout 1 s", select(tf + 1, &r, NULL, NULL, &tv), tfds, 1, &r, NULL);
    printf("timeval left: %.1f\n", tv.tv_sec + tv.tv_usec / 1e6);
    uint64_t x;
    read(tf, &x, sizeof x);
    timerfd_settime(tf, 0, &in, NULL);
    FD_ZERO(&r);
    FD_SET(tf, &r);
    report("timer 0.2 s, no timeout", select(tf + 1, &r, NULL, NULL, NULL), tfds, 1, &r, NULL);
    read(tf, &x, sizeof x);

    /* pselect6 with a timespec (left unchanged by glibc's pselect) and a mask */
    FD_ZERO(&r);
    FD_SET(tf, &r);
    struct timespec ts = {0, 100000000};
    sigset_t mask;
    sigemptyset(&mask);
    report("pselect 100 ms", pselect(tf + 1, &r, NULL, NULL, &ts, &mask), tfds, 1, &r, NULL);
    printf("timespec after pselect: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    report("select with no fds, 100 ms", select(0, NULL, NULL, NULL, &tv), NULL, 0, NULL, NULL);

    /* errors */
    /* (an fd beyond the kernel's fd table size is ignored, not an error: use a closed low one) */
    int closed = dup(e);
    close(closed);
    int badfds[1] = {closed};
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv.tv_usec = 0;
    report("closed fd", select(closed + 1, &r, NULL, NULL, &tv), badfds, 1, &r, NULL);
    FD_ZERO(&r);
    report("nfds -1", select(-1, &r, NULL, NULL, &tv), NULL, 0, NULL, NULL);
    tv.tv_usec = -1;
    report("tv_usec -1", select(1, &r, NULL, NULL, &tv), NULL, 0, NULL, NULL);
    ts.tv_nsec = 1000000000;
    report("pselect tv_nsec 1e9", pselect(1, &r, NULL, NULL, &ts, NULL), NULL, 0, NULL, NULL);
    close(tf);
    printf("[%.1f] done\n", elapsed());
    return 0;
}
