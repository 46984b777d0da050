/* Resource limits (getrlimit(2), setrlimit, prlimit64): every resource read, the checks on bad
 * values, and what a lowered RLIMIT_NOFILE and RLIMIT_FSIZE do to the calls that make
 * descriptors or write. Only soft limits are lowered; no hard limit is raised and RLIMIT_CPU is
 * never touched. */
#include "conf.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

static const struct { int resource; const char *name; } RESOURCES[] = {
    {RLIMIT_CPU, "RLIMIT_CPU"}, {RLIMIT_FSIZE, "RLIMIT_FSIZE"}, {RLIMIT_DATA, "RLIMIT_DATA"}, {RLIMIT_STACK, "RLIMIT_STACK"},
    {RLIMIT_CORE, "RLIMIT_CORE"}, {RLIMIT_RSS, "RLIMIT_RSS"}, {RLIMIT_NPROC, "RLIMIT_NPROC"}, {RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"}, {RLIMIT_AS, "RLIMIT_AS"}, {RLIMIT_LOCKS, "RLIMIT_LOCKS"}, {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"}, {RLIMIT_NICE, "RLIMIT_NICE"}, {RLIMIT_RTPRIO, "RLIMIT_RTPRIO"}, {RLIMIT_RTTIME, "RLIMIT_RTTIME"},
};

static const char *lim(rlim_t v) {
    return v == RLIM_INFINITY ? "unlimited" : fmt("%llu", (unsigned long long)v);
}

int main(void) {
    conf_start();
    struct rlimit rl, orig, got;
    struct rusage ru;
    int self = getpid();

    /* every resource: getrlimit and prlimit64 agree, soft <= hard */
    for (size_t i = 0; i < sizeof RESOURCES / sizeof RESOURCES[0]; i++) {
        getrlimit(RESOURCES[i].resource, &rl);
        T(fmt("getrlimit %s", RESOURCES[i].name), getrlimit(RESOURCES[i].resource, &rl), "%s", rl.rlim_cur <= rl.rlim_max ? "soft <= hard" : "soft > hard");
        T(fmt("prlimit64 0 %s agrees", RESOURCES[i].name), SYS(SYS_prlimit64, 0, RESOURCES[i].resource, NULL, &got), "%s",
          got.rlim_cur == rl.rlim_cur && got.rlim_max == rl.rlim_max ? "same" : "differs");
    }
    T("getrlimit resource 16", SYS(SYS_getrlimit, 16, &rl));
    T("getrlimit resource -1", SYS(SYS_getrlimit, -1, &rl));
    T("getrlimit into an unmapped struct", SYS(SYS_getrlimit, RLIMIT_NOFILE, BADPTR));
    T("prlimit64 own pid", SYS(SYS_prlimit64, self, RLIMIT_NOFILE, NULL, &got));
    T("prlimit64 unknown pid", SYS(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &got));
    T("prlimit64 resource 99", SYS(SYS_prlimit64, 0, 99, NULL, &got));
    T("prlimit64 both NULL", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
    T("prlimit64 new limit from an unmapped struct", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, BADPTR, NULL));
    T("prlimit64 old limit into an unmapped struct", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BADPTR));

    /* setting */
    getrlimit(RLIMIT_NOFILE, &orig);
    T("setrlimit soft above hard", setrlimit(RLIMIT_NOFILE, &(struct rlimit){orig.rlim_max + 1, orig.rlim_max}));
    T("setrlimit RLIMIT_NOFILE soft above nr_open", setrlimit(RLIMIT_NOFILE, &(struct rlimit){1u << 30, 1u << 30}));
    T("setrlimit resource 99", SYS(SYS_setrlimit, 99, &orig));
    T("setrlimit from an unmapped struct", SYS(SYS_setrlimit, RLIMIT_NOFILE, BADPTR));
    T("setrlimit RLIMIT_CORE soft 0", setrlimit(RLIMIT_CORE, &(struct rlimit){0, ({ getrlimit(RLIMIT_CORE, &rl); rl.rlim_max; })}), "reads back %s", (getrlimit(RLIMIT_CORE, &rl), lim(rl.rlim_cur)));
    T("prlimit64 set and get at once", SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, &(struct rlimit){64, orig.rlim_max}, &got), "old soft %s; now %s",
      got.rlim_cur == orig.rlim_cur ? "the original" : "other", (getrlimit(RLIMIT_NOFILE, &rl), lim(rl.rlim_cur)));

    /* a lowered RLIMIT_NOFILE: 0..15 may be used, 3..15 are taken here */
    setrlimit(RLIMIT_NOFILE, &(struct rlimit){16, orig.rlim_max});
    int taken[13], n = 0;
    while (n < 13 && (taken[n] = eventfd(0, 0)) >= 0) n++;
    T("eventfds until the limit", n, "the last one is %d", taken[n - 1]);
    int p[2];
    T("pipe at the limit", pipe(p));
    T("eventfd at the limit", eventfd(0, 0));
    T("epoll_create1 at the limit", epoll_create1(0));
    T("timerfd_create at the limit", timerfd_create(CLOCK_MONOTONIC, 0));
    T("socket at the limit", socket(AF_UNIX, SOCK_STREAM, 0));
    T("socketpair at the limit", socketpair(AF_UNIX, SOCK_STREAM, 0, p));
    T("open at the limit", open("/dev/null", O_RDONLY));
    T("dup at the limit", dup(0));
    T("F_DUPFD at the limit", fcntl(0, F_DUPFD, 0));
    T("dup2 onto 15 (in range)", dup2(0, 15));
    T("dup2 onto 16 (beyond the limit)", dup2(0, 16));
    T("F_DUPFD from 16", fcntl(0, F_DUPFD, 16));
    close(taken[--n]);
    T("pipe with one descriptor free", pipe(p));
    T("eventfd with one descriptor free", ({ int e = eventfd(0, 0); taken[n++] = e; e; }));
    while (n > 0) close(taken[--n]);
    close(15);
    setrlimit(RLIMIT_NOFILE, &orig);
    T("RLIMIT_NOFILE restored", getrlimit(RLIMIT_NOFILE, &rl), "%s", rl.rlim_cur == orig.rlim_cur ? "the original" : "other");

    /* a lowered RLIMIT_FSIZE: stdout may be a file too, so the lines are printed only once
     * the limit is back */
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &orig);
    int f = open("rlimit-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int pp[2];
    pipe(pp);
    long r[5];
    int e[5];
    setrlimit(RLIMIT_FSIZE, &(struct rlimit){10, orig.rlim_max});
    errno = 0, r[0] = write(f, "01234567890123456789", 20), e[0] = errno;
    errno = 0, r[1] = write(f, "x", 1), e[1] = errno;
    errno = 0, r[2] = pwrite(f, "x", 1, 100), e[2] = errno;
    errno = 0, r[3] = ftruncate(f, 100), e[3] = errno;
    errno = 0, r[4] = write(pp[1], "01234567890123456789", 20), e[4] = errno;
    setrlimit(RLIMIT_FSIZE, &orig);
    static const char *FSIZE_CASES[] = {"write 20 bytes with RLIMIT_FSIZE 10", "write at the limit", "pwrite beyond the limit",
                                        "ftruncate beyond the limit", "a pipe is not limited by RLIMIT_FSIZE"};
    for (int i = 0; i < 5; i++) T(FSIZE_CASES[i], (errno = e[i], r[i]));
    close(pp[0]);
    close(pp[1]);
    close(f);
    unlink("rlimit-file");

    /* getrusage */
    T("getrusage RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru), "%s", ru.ru_utime.tv_usec >= 0 && ru.ru_stime.tv_usec >= 0 ? "valid times" : "invalid");
    T("getrusage RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    T("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    T("getrusage who 5", getrusage(5, &ru));
    T("getrusage into an unmapped struct", SYS(SYS_getrusage, RUSAGE_SELF, BADPTR));
    return conf_end();
}
