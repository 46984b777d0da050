/* Benchmark target for bench/io.ts: N round trips of one kind, as fast as it can.
 * usage: io-loop pipe|epoll N
 *   pipe:  write 1 byte into a pipe and read it back, N times (one process, no threads);
 *   epoll: N calls of epoll_wait(timeout 0) on a set holding one always-ready eventfd. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    long n = atol(argv[2]);
    if (strcmp(argv[1], "pipe") == 0) {
        int p[2];
        char c = 'x';
        if (pipe(p) != 0) return 1;
        for (long i = 0; i < n; i++)
            if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1) return 1;
    } else if (strcmp(argv[1], "epoll") == 0) {
        int e = eventfd(1, 0), ep = epoll_create1(0);
        struct epoll_event ev = {.events = EPOLLIN};
        if (e < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) != 0) return 1;
        for (long i = 0; i < n; i++)
            if (epoll_wait(ep, &ev, 1, 0) != 1) return 1;
    } else {
        return 2;
    }
    return 0;
}
