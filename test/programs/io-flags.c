/* Flags the simulator documents as partly supported, each used twice (the simulator warns once
 * per run for each). `io-flags accepted`: flags Linux and the simulator both accept or both
 * refuse (pipe2 O_DIRECT, EPOLLEXCLUSIVE, temporary signal masks, TFD_TIMER_CANCEL_ON_SET,
 * RWF_* flags on a pipe, an unknown timerfd clock). `io-flags locks`: record locks on pipes
 * and eventfds, which the simulator refuses with EINVAL. Prints results and errno names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

static void accepted(void) {
    int p[2], e = eventfd(0, EFD_NONBLOCK), ep = epoll_create1(0);
    sigset_t mask;
    sigemptyset(&mask);
    struct epoll_event ev[2];
    char buf[8];
    for (int round = 1; round <= 2; round++) {
        printf("-- round %d\n", round);
        show("pipe2 O_DIRECT", pipe2(p, O_DIRECT | O_NONBLOCK));
        show("F_GETFL read end has O_DIRECT", (fcntl(p[0], F_GETFL) & O_DIRECT) != 0);
        show("F_GETFL write end has O_DIRECT", (fcntl(p[1], F_GETFL) & O_DIRECT) != 0);
        show("pwritev2 RWF_DSYNC", pwritev2(p[1], &(struct iovec){"ab", 2}, 1, -1, RWF_DSYNC));
        show("preadv2 RWF_DSYNC", preadv2(p[0], &(struct iovec){buf, sizeof buf}, 1, -1, RWF_DSYNC));
        int fd = eventfd(0, EFD_NONBLOCK);
        show("epoll_ctl ADD EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &(struct epoll_event){EPOLLIN | EPOLLEXCLUSIVE, {0}}));
        show("MOD of an EPOLLEXCLUSIVE entry", epoll_ctl(ep, EPOLL_CTL_MOD, fd, &(struct epoll_event){EPOLLIN, {0}}));
        show("epoll_pwait with a mask", epoll_pwait(ep, ev, 2, 0, &mask));
        show("ppoll with a mask", ppoll(&(struct pollfd){e, POLLIN, 0}, 1, &(struct timespec){0, 0}, &mask));
        show("pselect with a mask", pselect(e + 1, NULL, NULL, NULL, &(struct timespec){0, 0}, &mask));
        show("timerfd_create clock 99", timerfd_create(99, 0));
        int tf = timerfd_create(CLOCK_REALTIME, 0);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        now.tv_sec += 100;
        show("timerfd_settime ABSTIME|CANCEL_ON_SET",
             timerfd_settime(tf, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &(struct itimerspec){{0, 0}, now}, NULL));
        close(tf);
        close(fd);
        close(p[0]);
        close(p[1]);
    }
}

static void locks(void) {
    int p[2];
    pipe(p);
    int e = eventfd(0, 0);
    for (int round = 1; round <= 2; round++) {
        printf("-- round %d\n", round);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        show("F_SETLK on a pipe", fcntl(p[1], F_SETLK, &fl));
        show("F_SETLK on an eventfd", fcntl(e, F_SETLK, &fl));
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "accepted") == 0) accepted();
    else if (argc == 2 && strcmp(argv[1], "locks") == 0) locks();
    else return 2;
    return 0;
}
