/* epoll on pipes, eventfds and timerfds: level-triggered, edge-triggered and one-shot
 * notification, EPOLLOUT/EPOLLHUP/EPOLLERR, timeouts (0, finite, infinite with a timer),
 * epoll_pwait/epoll_pwait2, maxevents, nested epoll, closing a watched fd, and the
 * epoll_ctl error cases. Durations are printed to 0.1 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
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

/* Waits and prints the events, sorted by their data (the tag given at EPOLL_CTL_ADD). */
static int wait_print(int ep, int max, int timeout, const char *what) {
    struct epoll_event ev[16];
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) {
        printf("[%.1f] %s: -1 %s(%d)\n", elapsed(), what, strerrorname_np(errno), errno);
        return n;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && ev[j - 1].data.u64 > ev[j].data.u64; j--) {
            struct epoll_event t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    printf("[%.1f] %s: %d", elapsed(), what, n);
    for (int i = 0; i < n; i++) printf(" {tag %llu events 0x%x}", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
    return n;
}

static int add(int ep, int fd, uint32_t events, uint64_t tag) {
    struct epoll_event ev = {.events = events, .data.u64 = tag};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t tag) {
    struct epoll_event ev = {.events = events, .data.u64 = tag};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[64];

    int ep = epoll_create1(0);
    show("epoll_create1 ok", ep >= 3);
    show("F_GETFD", fcntl(ep, F_GETFD));
    int ep2 = epoll_create1(EPOLL_CLOEXEC);
    show("epoll_create1(EPOLL_CLOEXEC) F_GETFD", fcntl(ep2, F_GETFD));
    int ep3 = epoll_create(1);
    show("epoll_create(1) ok", ep3 >= 3);

    /* level-triggered: reported while data is there */
    int lt[2];
    pipe2(lt, O_NONBLOCK);
    show("add LT read end", add(ep, lt[0], EPOLLIN, 1));
    wait_print(ep, 16, 0, "empty, timeout 0");
    wait_print(ep, 16, 100, "empty, timeout 100 ms");
    write(lt[1], "abcd", 4);
    wait_print(ep, 16, -1, "LT after write");
    wait_print(ep, 16, -1, "LT again, data still there");
    read(lt[0], buf, 2);
    wait_print(ep, 16, 0, "LT after reading half");
    read(lt[0], buf, sizeof buf);
    wait_print(ep, 16, 0, "LT drained");

    /* edge-triggered: reported once per new arrival */
    int et[2];
    pipe2(et, O_NONBLOCK);
    show("add ET read end", add(ep, et[0], EPOLLIN | EPOLLET, 2));
    write(et[1], "x", 1);
    wait_print(ep, 16, 0, "ET after write");
    wait_print(ep, 16, 0, "ET again without reading");
    write(et[1], "y", 1);
    wait_print(ep, 16, 0, "ET after a second write");
    show("read ET", read(et[0], buf, sizeof buf));
    show("read ET until EAGAIN", read(et[0], buf, sizeof buf));
    wait_print(ep, 16, 0, "ET drained");

    /* one-shot: reported once, then disabled until EPOLL_CTL_MOD */
    int os = eventfd(0, EFD_NONBLOCK);
    show("add ONESHOT eventfd", add(ep, os, EPOLLIN | EPOLLONESHOT, 3));
    eventfd_write(os, 1);
    wait_print(ep, 16, 0, "ONESHOT after write");
    wait_print(ep, 16, 0, "ONESHOT again (disabled)");
    eventfd_write(os, 1);
    wait_print(ep, 16, 0, "ONESHOT after another write (still disabled)");
    show("re-arm with MOD", mod(ep, os, EPOLLIN | EPOLLONESHOT, 3));
    wait_print(ep, 16, 0, "ONESHOT re-armed");
    eventfd_t v;
    eventfd_read(os, &v);
    printf("eventfd value %llu\n", (unsigned long long)v);

    /* EPOLLOUT on a write end; several ready at once and maxevents */
    show("add write end for EPOLLOUT", add(ep, lt[1], EPOLLOUT, 4));
    write(lt[1], "z", 1);
    eventfd_write(os, 1);
    show("re-arm ONESHOT", mod(ep, os, EPOLLIN | EPOLLONESHOT, 3));
    wait_print(ep, 16, 0, "three ready");
    int n1 = epoll_wait(ep, (struct epoll_event[16]){0}, 1, 0);
    printf("maxevents 1 returns %d\n", n1);
    read(lt[0], buf, sizeof buf);
    show("DEL write end", epoll_ctl(ep, EPOLL_CTL_DEL, lt[1], NULL));
    show("MOD ONESHOT off, EPOLLIN only", mod(ep, os, EPOLLIN, 3));
    eventfd_read(os, &v);
    wait_print(ep, 16, 0, "nothing ready");

    /* EPOLLHUP when the writer goes away; EPOLLERR on a write end whose reader went away */
    int h[2];
    pipe2(h, O_NONBLOCK);
    show("add read end (EPOLLIN)", add(ep, h[0], EPOLLIN, 5));
    show("add write end (EPOLLOUT)", add(ep2, h[1], EPOLLOUT, 6));
    close(h[1]);
    wait_print(ep, 16, 0, "read end after writer closed");
    int g[2];
    pipe2(g, O_NONBLOCK);
    show("add write end (EPOLLOUT)", add(ep2, g[1], EPOLLOUT, 7));
    close(g[0]);
    wait_print(ep2, 16, 0, "write end after reader closed");
    show("DEL read end", epoll_ctl(ep, EPOLL_CTL_DEL, h[0], NULL));
    close(h[0]);

    /* closing the last fd of a watched file removes it from the set */
    int c = eventfd(1, EFD_NONBLOCK);
    add(ep3, c, EPOLLIN, 8);
    wait_print(ep3, 16, 0, "eventfd ready");
    close(c);
    wait_print(ep3, 16, 0, "after closing it");

    /* waiting without timeout for a timer; epoll_pwait and epoll_pwait2 */
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec in = {{0, 0}, {0, 200000000}};
    timerfd_settime(tf, 0, &in, NULL);
    show("add timerfd", add(ep3, tf, EPOLLIN, 9));
    wait_print(ep3, 16, -1, "timer 0.2 s, infinite timeout");
    uint64_t exp;
    read(tf, &exp, sizeof exp);
    sigset_t mask;
    sigemptyset(&mask);
    struct epoll_event ev[4];
    int n = epoll_pwait(ep3, ev, 4, 100, &mask);
    printf("[%.1f] epoll_pwait timeout 100 ms: %d\n", elapsed(), n);
    struct timespec ts = {0, 100000000};
    n = syscall(SYS_epoll_pwait2, ep3, ev, 4, &ts, NULL, 8);
    printf("[%.1f] epoll_pwait2 timeout 100 ms: %d\n", elapsed(), n);
    timerfd_settime(tf, 0, &in, NULL);
    ts.tv_sec = 5;
    n = syscall(SYS_epoll_pwait2, ep3, ev, 4, &ts, NULL, 8);
    printf("[%.1f] epoll_pwait2 timer 0.2 s: %d events 0x%x\n", elapsed(), n, n > 0 ? ev[0].events : 0);

    /* nested: an epoll fd is readable when its set has a ready entry */
    show("add epoll into epoll", add(ep2, ep3, EPOLLIN, 10));
    wait_print(ep2, 16, 0, "outer set with inner timer ready");

    /* epoll_ctl errors */
    struct epoll_event e = {.events = EPOLLIN};
    show("ADD twice", add(ep3, tf, EPOLLIN, 9));
    show("MOD not added", mod(ep3, lt[1], EPOLLIN, 0));
    show("DEL not added", epoll_ctl(ep3, EPOLL_CTL_DEL, lt[1], &e));
    show("ADD bad fd", add(ep3, 999, EPOLLIN, 0));
    show("ADD on bad epoll fd", add(999, tf, EPOLLIN, 0));
    show("ADD epoll fd into itself", add(ep3, ep3, EPOLLIN, 0));
    show("ADD to a non-epoll fd", add(lt[0], tf, EPOLLIN, 0));
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    show("ADD a directory", add(ep3, dir, EPOLLIN, 0));
    show("bad op 99", epoll_ctl(ep3, 99, tf, &e));
    show("MOD with EPOLLEXCLUSIVE", mod(ep3, tf, EPOLLIN | EPOLLEXCLUSIVE, 0));
    show("epoll_wait maxevents 0", epoll_wait(ep3, ev, 0, 0));
    volatile int negative = -1;
    show("epoll_wait maxevents -1", epoll_wait(ep3, ev, negative, 0));
    show("epoll_wait on a pipe", epoll_wait(lt[0], ev, 4, 0));
    show("epoll_wait on bad fd", epoll_wait(999, ev, 4, 0));
    show("epoll_create(0)", epoll_create(0));
    show("epoll_create(-1)", epoll_create(-1));
    show("epoll_create1(1)", epoll_create1(1));
    printf("[%.1f] done\n", elapsed());
    return 0;
}
