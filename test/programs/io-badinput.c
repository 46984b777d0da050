/* Bad input to the I/O syscalls: descriptors that are not open (EBADF), pointers into
 * unmapped memory (EFAULT), an epoll set added to itself and flags Linux rejects (EINVAL),
 * seeking on pipes (ESPIPE). Prints each result with its errno name and goes on: the last
 * line says the process survived. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

/* Raw syscalls, so that glibc neither checks arguments nor touches the pointers. */
#define SYS(...) syscall(__VA_ARGS__)

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char buf[64];
    void *bad = (void *)8;                          /* unmapped, in the user range */
    void *kernel = (void *)0xffff800000000000ull;  /* outside the user range */

    printf("-- EBADF\n");
    show("read -1", SYS(SYS_read, -1, buf, 1));
    show("read 999", SYS(SYS_read, 999, buf, 1));
    show("write 999", SYS(SYS_write, 999, "x", 1));
    show("readv 999", SYS(SYS_readv, 999, &(struct iovec){buf, 1}, 1));
    show("writev 999", SYS(SYS_writev, 999, &(struct iovec){"x", 1}, 1));
    show("close -1", SYS(SYS_close, -1));
    show("close 999", SYS(SYS_close, 999));
    show("dup 999", SYS(SYS_dup, 999));
    show("dup2 999 -> 5", SYS(SYS_dup2, 999, 5));
    show("dup3 999 -> 5", SYS(SYS_dup3, 999, 5, 0));
    show("fcntl 999 F_GETFL", SYS(SYS_fcntl, 999, F_GETFL));
    show("ioctl 999 FIONREAD", SYS(SYS_ioctl, 999, FIONREAD, buf));
    show("lseek 999", SYS(SYS_lseek, 999, 0, SEEK_SET));
    struct stat st;
    show("fstat 999", SYS(SYS_fstat, 999, &st));
    show("epoll_ctl on 999", SYS(SYS_epoll_ctl, 999, EPOLL_CTL_ADD, 0, &(struct epoll_event){EPOLLIN, {0}}));
    show("epoll_wait on 999", SYS(SYS_epoll_wait, 999, buf, 1, 0));
    show("timerfd_gettime on 999", SYS(SYS_timerfd_gettime, 999, buf));

    int p[2];
    show("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK)); /* a wrong answer must not hang the program */
    int e = eventfd(1, EFD_NONBLOCK);
    int tf = timerfd_create(CLOCK_MONOTONIC, 0);
    int ep = epoll_create1(0);

    printf("-- EFAULT\n");
    show("pipe into an unmapped array", SYS(SYS_pipe, bad));
    show("pipe2 into a kernel address", SYS(SYS_pipe2, kernel, 0));
    show("write 'data' to the pipe", write(p[1], "data", 4));
    show("read into an unmapped buffer", SYS(SYS_read, p[0], bad, sizeof buf));
    show("read into a kernel address", SYS(SYS_read, p[0], kernel, sizeof buf));
    show("read 0 bytes into NULL", SYS(SYS_read, p[0], NULL, 0));
    ssize_t n = read(p[0], buf, sizeof buf);
    show("read: the data is still there", n);
    printf("got '%.*s'\n", (int)(n > 0 ? n : 0), buf);
    show("write from an unmapped buffer", SYS(SYS_write, p[1], bad, 4));
    show("write from a kernel address", SYS(SYS_write, p[1], kernel, 4));
    show("readv with an unmapped iovec array", SYS(SYS_readv, p[0], bad, 1));
    show("writev with an unmapped iovec array", SYS(SYS_writev, p[1], bad, 1));
    show("writev with an unmapped base", SYS(SYS_writev, p[1], &(struct iovec){bad, 4}, 1));
    show("ioctl FIONREAD into an unmapped int", SYS(SYS_ioctl, p[0], FIONREAD, bad));
    show("eventfd read into an unmapped buffer", SYS(SYS_read, e, bad, 8));
    show("eventfd write from an unmapped buffer", SYS(SYS_write, e, bad, 8));
    show("timerfd_settime from an unmapped spec", SYS(SYS_timerfd_settime, tf, 0, bad, NULL));
    show("timerfd_gettime into an unmapped spec", SYS(SYS_timerfd_gettime, tf, bad));
    show("epoll_ctl with an unmapped event", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, e, bad));
    eventfd_write(e, 1);
    show("epoll_ctl ADD eventfd", epoll_ctl(ep, EPOLL_CTL_ADD, e, &(struct epoll_event){EPOLLIN, {0}}));
    show("epoll_wait into an unmapped array (one ready)", SYS(SYS_epoll_wait, ep, bad, 4, 0));
    show("epoll_wait into a kernel address", SYS(SYS_epoll_wait, ep, kernel, 4, 0));
    show("poll with an unmapped array", SYS(SYS_poll, bad, 1, 0));
    show("ppoll with an unmapped timespec", SYS(SYS_ppoll, &(struct pollfd){e, POLLIN, 0}, 1, bad, NULL, 8));
    show("select with an unmapped set", SYS(SYS_select, e + 1, bad, NULL, NULL, &(struct timeval){0, 0}));
    show("select with an unmapped timeval", SYS(SYS_select, e + 1, NULL, NULL, NULL, bad));
    show("epoll_wait still works", SYS(SYS_epoll_wait, ep, buf, 1, 0));

    printf("-- EINVAL\n");
    show("epoll_ctl ADD the set to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &(struct epoll_event){EPOLLIN, {0}}));
    show("pipe2 flags O_WRONLY", SYS(SYS_pipe2, p, O_WRONLY));
    show("pipe2 flags 0x80000000", SYS(SYS_pipe2, p, 0x80000000));
    show("eventfd2 flags O_RDWR", SYS(SYS_eventfd2, 0, O_RDWR));
    show("timerfd_create flags 0x1", SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0x1));
    show("epoll_create1 flags 0x1", SYS(SYS_epoll_create1, 0x1));
    show("epoll_create size 0", SYS(SYS_epoll_create, 0));
    show("dup3 flags 0x1", SYS(SYS_dup3, p[0], 20, 0x1));
    show("dup3 to itself", SYS(SYS_dup3, p[0], p[0], 0));
    show("fcntl unknown command 9999", SYS(SYS_fcntl, p[0], 9999, 0));
    show("readv 1025 iovecs", SYS(SYS_readv, p[0], buf, 1025));
    show("readv -1 iovecs", SYS(SYS_readv, p[0], buf, -1));
    show("epoll_wait maxevents 0", SYS(SYS_epoll_wait, ep, buf, 0, 0));

    printf("-- ESPIPE and others\n");
    show("lseek on a pipe", SYS(SYS_lseek, p[0], 0, SEEK_SET));
    show("pread64 on a pipe", SYS(SYS_pread64, p[0], buf, 1, 0));
    show("pwrite64 on a pipe", SYS(SYS_pwrite64, p[1], "x", 1, 0));
    show("read on an epoll fd", SYS(SYS_read, ep, buf, sizeof buf));
    show("write on an epoll fd", SYS(SYS_write, ep, "x", 1));
    show("ioctl FIONBIO 0 on a pipe", ioctl(p[0], FIONBIO, &(int){0}));
    show("F_GETFL has O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    show("ioctl FIONBIO 1 on a pipe", ioctl(p[0], FIONBIO, &(int){1}));
    show("F_GETFL has O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    show("read non-blocking after FIONBIO", read(p[0], buf, sizeof buf));
    show("ioctl TCGETS on a pipe", SYS(SYS_ioctl, p[0], 0x5401, buf));

    printf("still running\n");
    return 0;
}
