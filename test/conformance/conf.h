/* Shared by the conformance programs: each case prints one line,
 *
 *     <case name> = <return value>[ <errno name>][ ; <state after the call>]
 *
 * and test/conformance/conformance.test.ts compares the lines of a native run with those of a
 * simulated run by case name. Names are unique within a program and never hold " = ". Only what
 * is the same on every run goes in a line: no pids, addresses, times or inode numbers (print
 * relations such as "advanced" instead). */
#ifndef CONF_H
#define CONF_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* T(name, call) without a state passes an empty format. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

/* Raw system calls, so that glibc neither checks the arguments nor touches the pointers. */
#define SYS(...) syscall(__VA_ARGS__)

/* An address in the user range that is never mapped, and one outside the user range. */
#define BADPTR ((void *)8)
#define KERNELPTR ((void *)0xffff800000000000ull)

/* Helpers a program may leave unused. */
#define HELPER static __attribute__((unused))

/* Formatted text that stays valid for the next few calls (names and states use several at once). */
static char *fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));
HELPER char *fmt(const char *format, ...) {
    static char bufs[16][512];
    static int next;
    char *b = bufs[next++ % 16];
    va_list ap;
    va_start(ap, format);
    vsnprintf(b, sizeof bufs[0], format, ap);
    va_end(ap);
    return b;
}

HELPER const char *ename(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : fmt("E%d", e);
}

static int case_count;

/* Prints one case: its name, what the call returned (with errno when it failed) and the state.
 * With `isfd`, a non-negative value (a descriptor, whose number may differ) prints as "fd". */
static void line(const char *name, long r, int err, int isfd, const char *state, ...) __attribute__((format(printf, 5, 6)));
HELPER void line(const char *name, long r, int err, int isfd, const char *state, ...) {
    case_count++;
    if (r < 0) printf("%s = %ld %s", name, r, ename(err));
    else if (isfd) printf("%s = fd", name);
    else printf("%s = %ld", name, r);
    if (state[0]) {
        va_list ap;
        va_start(ap, state);
        printf(" ; ");
        vprintf(state, ap);
        va_end(ap);
    }
    putchar('\n');
}

/* T(name, call[, state format, args...]): runs the call, then prints its line; the state's
 * arguments are evaluated after the call, and the call's errno is kept whatever they do. */
#define T(name, call, ...)                                                                         \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(call);                                                                    \
        int e_ = errno;                                                                            \
        line(name, r_, e_, 0, "" __VA_ARGS__);                                                     \
    } while (0)

/* TF(name, out, call[, state...]): like T for a call that returns a descriptor, kept in `out`
 * (an int lvalue) and printed as "fd": the numbers themselves may differ between runs. */
#define TF(name, out, call, ...)                                                                   \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(call);                                                                    \
        int e_ = errno;                                                                            \
        (out) = (int)r_;                                                                           \
        line(name, r_, e_, 1, "" __VA_ARGS__);                                                     \
    } while (0)

/* Open-file status flags by name (the bits F_GETFL reports). */
HELPER const char *flagnames(long f) {
    if (f < 0) return "?";
    char *b = fmt("%s", (f & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : (f & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : (f & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_ACCMODE");
    static const struct { long bit; const char *name; } names[] = {
        {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECT, "O_DIRECT"}, {O_LARGEFILE, "O_LARGEFILE"},
        {O_NOATIME, "O_NOATIME"}, {O_ASYNC, "O_ASYNC"}, {O_DSYNC, "O_DSYNC"}, {O_SYNC & ~O_DSYNC, "__O_SYNC"}, {O_PATH, "O_PATH"},
    };
    long rest = f & ~(long)O_ACCMODE;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (rest & names[i].bit) { strcat(b, "|"); strcat(b, names[i].name); rest &= ~names[i].bit; }
    if (rest) sprintf(b + strlen(b), "|%#lx", rest);
    return b;
}

/* poll(2)/epoll(7) event bits by name. */
HELPER const char *evnames(unsigned long ev) {
    static const struct { unsigned long bit; const char *name; } names[] = {
        {POLLIN, "IN"}, {POLLPRI, "PRI"}, {POLLOUT, "OUT"}, {POLLERR, "ERR"}, {POLLHUP, "HUP"}, {POLLNVAL, "NVAL"},
        {POLLRDNORM, "RDNORM"}, {POLLRDBAND, "RDBAND"}, {POLLWRNORM, "WRNORM"}, {POLLWRBAND, "WRBAND"},
        {0x2000, "RDHUP"}, {1u << 31, "ET"}, {1u << 30, "ONESHOT"},
    };
    if (ev == 0) return "0";
    char *b = fmt("%s", "");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ev & names[i].bit) { if (b[0]) strcat(b, "|"); strcat(b, names[i].name); ev &= ~names[i].bit; }
    if (ev) sprintf(b + strlen(b), "%s%#lx", b[0] ? "|" : "", ev);
    return b;
}

/* The poll bits of one descriptor now (asking for every bit), or "err" when poll fails. */
HELPER const char *pollbits(int fd) {
    struct pollfd p = {fd, POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? fmt("err %s", ename(errno)) : evnames((unsigned short)p.revents);
}

/* F_GETFL of a descriptor by name. */
HELPER const char *getfl(int fd) {
    long f = fcntl(fd, F_GETFL);
    return f < 0 ? fmt("F_GETFL %s", ename(errno)) : flagnames(f);
}

/* Whether FD_CLOEXEC is set. */
HELPER const char *cloexec(int fd) {
    long f = fcntl(fd, F_GETFD);
    return f < 0 ? fmt("F_GETFD %s", ename(errno)) : (f & FD_CLOEXEC) ? "cloexec" : "no-cloexec";
}

/* Signals the programs count: a handler that only counts, installed by count_signal(). */
static volatile sig_atomic_t signal_counts[65];
HELPER void counting_handler(int sig) { signal_counts[sig]++; }
HELPER void count_signal(int sig, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = counting_handler;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

/* Starts a program: line-buffered stdout, so a crash loses no line and fork() duplicates none. */
HELPER void conf_start(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Ends a program: the last line counts the cases (a run that stops early is then seen at once). */
HELPER int conf_end(void) {
    printf("cases = %d\n", case_count);
    return 0;
}

#endif
