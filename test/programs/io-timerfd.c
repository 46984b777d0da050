/* timerfd: relative and absolute timers, periodic expirations counted by read, gettime,
 * disarming (with the old value), non-blocking EAGAIN, waiting through poll, and the error
 * cases. Durations come from CLOCK_MONOTONIC and are printed to 0.1 s: timers expire on even
 * tenths and the program looks on odd ones, so native jitter does not show. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;

static double secs(struct timespec t) { return t.tv_sec + t.tv_nsec / 1e9; }

static double elapsed(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return secs(t) - secs(t0);
}

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

static struct itimerspec spec(double value, double interval) {
    struct itimerspec s;
    s.it_value.tv_sec = (time_t)value;
    s.it_value.tv_nsec = (long)((value - (time_t)value) * 1e9 + 0.5);
    s.it_interval.tv_sec = (time_t)interval;
    s.it_interval.tv_nsec = (long)((interval - (time_t)interval) * 1e9 + 0.5);
    return s;
}

static void take(int fd, const char *what) {
    uint64_t n = 0;
    ssize_t r = read(fd, &n, sizeof n);
    if (r < 0) printf("[%.1f] %s: -1 %s(%d)\n", elapsed(), what, strerrorname_np(errno), errno);
    else printf("[%.1f] %s: %zd bytes, %llu expirations\n", elapsed(), what, r, (unsigned long long)n);
}

static void gettime(int fd, const char *what) {
    struct itimerspec cur;
    int r = timerfd_gettime(fd, &cur);
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: value %.1f interval %.1f\n", what, secs(cur.it_value), secs(cur.it_interval));
}

static void nap(double s) {
    struct itimerspec x = spec(s, 0);
    nanosleep(&x.it_value, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);

    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    show("timerfd_create ok", fd >= 3);
    show("F_GETFL O_ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE);
    gettime(fd, "unarmed");
    struct itimerspec s = spec(0.2, 0.2);
    show("settime 0.2 every 0.2", timerfd_settime(fd, 0, &s, NULL));
    gettime(fd, "armed");
    take(fd, "blocking read");
    gettime(fd, "after first expiration");
    nap(0.5);
    take(fd, "read after sleeping 0.5");
    gettime(fd, "after sleep");
    show("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK));
    take(fd, "non-blocking read before the next expiration");
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, -1);
    printf("[%.1f] poll: %d revents 0x%x\n", elapsed(), n, p.revents);
    take(fd, "read after poll");

    struct itimerspec off = spec(0, 0), old;
    show("disarm", timerfd_settime(fd, 0, &off, &old));
    printf("old value %.1f interval %.1f\n", secs(old.it_value), secs(old.it_interval));
    gettime(fd, "disarmed");
    take(fd, "read disarmed");
    show("F_SETFL blocking", fcntl(fd, F_SETFL, 0));

    /* absolute time, 0.1 s from now */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec abs = {{0, 0}, now};
    abs.it_value.tv_nsec += 100000000;
    if (abs.it_value.tv_nsec >= 1000000000) {
        abs.it_value.tv_nsec -= 1000000000;
        abs.it_value.tv_sec++;
    }
    show("settime TFD_TIMER_ABSTIME +0.1", timerfd_settime(fd, TFD_TIMER_ABSTIME, &abs, NULL));
    take(fd, "blocking read");
    gettime(fd, "one-shot after expiring");
    /* in the past (monotonic time 1 ns; the simulated clock starts at 0): expires at once */
    abs.it_value.tv_sec = 0;
    abs.it_value.tv_nsec = 1;
    show("settime TFD_TIMER_ABSTIME in the past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &abs, NULL));
    take(fd, "read at once");
    show("close", close(fd));

    /* CLOCK_REALTIME and CLOCK_BOOTTIME timers, non-blocking and close-on-exec */
    int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    show("timerfd_create CLOCK_REALTIME ok", rt >= 3);
    show("F_GETFD", fcntl(rt, F_GETFD));
    show("F_GETFL has O_NONBLOCK", (fcntl(rt, F_GETFL) & O_NONBLOCK) != 0);
    s = spec(0.1, 0);
    show("settime 0.1", timerfd_settime(rt, 0, &s, NULL));
    take(rt, "non-blocking read before expiry");
    p.fd = rt;
    n = poll(&p, 1, 1000);
    printf("[%.1f] poll: %d revents 0x%x\n", elapsed(), n, p.revents);
    take(rt, "read");
    show("close", close(rt));
    int bt = timerfd_create(CLOCK_BOOTTIME, 0);
    show("timerfd_create CLOCK_BOOTTIME ok", bt >= 3);

    /* errors */
    show("timerfd_create clock 99", timerfd_create(99, 0));
    show("timerfd_create CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    show("timerfd_create flags 0x1", timerfd_create(CLOCK_MONOTONIC, 0x1));
    struct itimerspec bad = {{0, 0}, {0, 1000000000}};
    show("settime tv_nsec 1e9", timerfd_settime(bt, 0, &bad, NULL));
    bad.it_value.tv_nsec = -1;
    show("settime tv_nsec -1", timerfd_settime(bt, 0, &bad, NULL));
    s = spec(1, 0);
    show("settime flags 0x10", timerfd_settime(bt, 0x10, &s, NULL));
    show("settime on bad fd", timerfd_settime(999, 0, &s, NULL));
    int pp[2];
    pipe(pp);
    show("settime on a pipe", timerfd_settime(pp[0], 0, &s, NULL));
    show("gettime on a pipe", timerfd_gettime(pp[0], &old));
    show("gettime on bad fd", timerfd_gettime(999, &old));
    char small[4];
    show("read 4-byte buffer", read(bt, small, sizeof small));
    uint64_t one = 1;
    show("write to a timerfd", write(bt, &one, sizeof one));
    show("close", close(bt));
    printf("[%.1f] done\n", elapsed());
    return 0;
}
