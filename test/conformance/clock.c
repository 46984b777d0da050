/* Clocks, sleeps and timers (clock_gettime(2), nanosleep(2), setitimer(2), timerfd_create(2)):
 * every clock id, the argument checks, and elapsed time as relations only ("advanced by at
 * least 10 ms"), never as values that differ from run to run. */
#include "conf.h"
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <time.h>

static long ns(clockid_t id) {
    struct timespec t;
    if (SYS(SYS_clock_gettime, id, &t) < 0) return -1;
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* What a SA_SIGINFO handler saw of the last timer signal. */
static volatile sig_atomic_t timer_signals, timer_overrun;
static void on_timer(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    timer_signals++;
    timer_overrun = si->si_overrun;
}

/* Sleeps until `ms` after `from` on CLOCK_MONOTONIC: a late wake-up does not shift later deadlines. */
static void sleep_until_ms(const struct timespec *from, long ms) {
    long ns = from->tv_nsec + (ms % 1000) * 1000000;
    struct timespec at = {from->tv_sec + ms / 1000 + ns / 1000000000, ns % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {}
}

/* Sleeps `ms` milliseconds of CLOCK_MONOTONIC. */
static void sleep_ms(long ms) {
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

/* Takes every pending signal of `set` with sigtimedwait: how many, and the last si_overrun with timer_getoverrun after it. */
static const char *take_all(const sigset_t *set, timer_t t) {
    siginfo_t si;
    int n = 0, last = -1, reported = -1;
    while (sigtimedwait(set, &si, &(struct timespec){0, 0}) > 0) {
        n++;
        last = si.si_overrun;
        reported = timer_getoverrun(t);
    }
    return fmt("%d signal(s), si_overrun %d, timer_getoverrun %d", n, last, reported);
}

static const char *valid(const struct timespec *t) {
    return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000 ? "valid timespec" : "invalid timespec";
}

int main(void) {
    conf_start();
    count_signal(SIGALRM, 0);
    struct timespec t;
    static const struct { clockid_t id; const char *name; } CLOCKS[] = {
        {CLOCK_REALTIME, "CLOCK_REALTIME"}, {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"}, {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
        {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"}, {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
        {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"}, {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
        {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
        {CLOCK_TAI, "CLOCK_TAI"}, {12, "clock 12"}, {99, "clock 99"}, {-1, "clock -1"},
    };
    for (size_t i = 0; i < sizeof CLOCKS / sizeof CLOCKS[0]; i++) {
        memset(&t, 0xff, sizeof t);
        T(fmt("clock_gettime %s", CLOCKS[i].name), SYS(SYS_clock_gettime, CLOCKS[i].id, &t), "%s", valid(&t));
        memset(&t, 0xff, sizeof t);
        T(fmt("clock_getres %s", CLOCKS[i].name), SYS(SYS_clock_getres, CLOCKS[i].id, &t), "%s, %s", valid(&t), t.tv_sec == 0 && t.tv_nsec == 1 ? "1 ns" : "coarser");
    }
    T("clock_gettime into NULL", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
    T("clock_gettime into an unmapped struct", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR));
    T("clock_getres into NULL", SYS(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    T("clock_getres into an unmapped struct", SYS(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR));
    T("clock_settime CLOCK_MONOTONIC", SYS(SYS_clock_settime, CLOCK_MONOTONIC, &(struct timespec){1, 0}));
    T("clock_settime CLOCK_REALTIME nsec 1e9", SYS(SYS_clock_settime, CLOCK_REALTIME, &(struct timespec){1, 1000000000}));
    T("clock_settime CLOCK_REALTIME negative", SYS(SYS_clock_settime, CLOCK_REALTIME, &(struct timespec){-1, 0}));
    T("clock_settime clock 99", SYS(SYS_clock_settime, 99, &(struct timespec){1, 0}));
    T("clock_settime CLOCK_PROCESS_CPUTIME_ID", SYS(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &(struct timespec){1, 0}));
    T("clock_settime CLOCK_THREAD_CPUTIME_ID nsec 1e9", SYS(SYS_clock_settime, CLOCK_THREAD_CPUTIME_ID, &(struct timespec){0, 1000000000}));
    T("clock_settime CLOCK_BOOTTIME", SYS(SYS_clock_settime, CLOCK_BOOTTIME, &(struct timespec){1, 0}));
    T("clock_settime CLOCK_TAI", SYS(SYS_clock_settime, CLOCK_TAI, &(struct timespec){1, 0}));
    T("clock_settime from an unmapped struct", SYS(SYS_clock_settime, CLOCK_REALTIME, BADPTR));
    T("settimeofday usec 1e6", SYS(SYS_settimeofday, &(struct timeval){1, 1000000}, NULL));
    T("settimeofday negative usec", SYS(SYS_settimeofday, &(struct timeval){1, -1}, NULL));
    T("settimeofday from an unmapped timeval", SYS(SYS_settimeofday, BADPTR, NULL));
    T("settimeofday timezone 16 hours west", SYS(SYS_settimeofday, NULL, &(struct timezone){16 * 60, 0}));
    T("settimeofday from an unmapped timezone", SYS(SYS_settimeofday, NULL, BADPTR));

    /* the clocks agree with each other */
    struct timeval tv;
    struct timezone tz = {-1, -1};
    T("gettimeofday", SYS(SYS_gettimeofday, &tv, &tz), "usec %s, tz %d %d", tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "valid" : "invalid", tz.tz_minuteswest, tz.tz_dsttime);
    T("gettimeofday both NULL", SYS(SYS_gettimeofday, NULL, NULL));
    T("gettimeofday into an unmapped struct", SYS(SYS_gettimeofday, BADPTR, NULL));
    long rt = ns(CLOCK_REALTIME);
    time_t now = SYS(SYS_time, NULL);
    T("time agrees with CLOCK_REALTIME", now >= rt / 1000000000L - 1 && now <= rt / 1000000000L + 1, "");
    T("time into an unmapped word", SYS(SYS_time, BADPTR));
    T("CLOCK_REALTIME is 2000-01-01 or later", ns(CLOCK_REALTIME) >= 946684800L * 1000000000L);
    long mb = ns(CLOCK_MONOTONIC);
    T("CLOCK_BOOTTIME read later >= CLOCK_MONOTONIC", ns(CLOCK_BOOTTIME) >= mb);
    long m1 = ns(CLOCK_MONOTONIC), m2 = ns(CLOCK_MONOTONIC);
    T("CLOCK_MONOTONIC never goes back", m2 >= m1);

    /* sleeps */
    long t0 = ns(CLOCK_MONOTONIC);
    T("nanosleep 10 ms", nanosleep(&(struct timespec){0, 10000000}, NULL), "%s", ns(CLOCK_MONOTONIC) - t0 >= 10000000 ? "advanced by at least 10 ms" : "advanced less");
    T("nanosleep 0", nanosleep(&(struct timespec){0, 0}, NULL));
    T("nanosleep nsec 1e9", nanosleep(&(struct timespec){0, 1000000000}, NULL));
    T("nanosleep negative", nanosleep(&(struct timespec){-1, 0}, NULL));
    T("nanosleep negative nsec", nanosleep(&(struct timespec){0, -1}, NULL));
    T("nanosleep from NULL", SYS(SYS_nanosleep, NULL, NULL));
    T("nanosleep from an unmapped struct", SYS(SYS_nanosleep, BADPTR, NULL));
    t0 = ns(CLOCK_MONOTONIC);
    T("clock_nanosleep CLOCK_MONOTONIC 5 ms", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){0, 5000000}, NULL), "%s", ns(CLOCK_MONOTONIC) - t0 >= 5000000 ? "advanced by at least 5 ms" : "advanced less");
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 5000000;
    if (abs.tv_nsec >= 1000000000) abs.tv_sec++, abs.tv_nsec -= 1000000000;
    T("clock_nanosleep TIMER_ABSTIME 5 ms ahead", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), "%s", ns(CLOCK_MONOTONIC) >= abs.tv_sec * 1000000000L + abs.tv_nsec ? "woke at or after the deadline" : "woke early");
    T("clock_nanosleep TIMER_ABSTIME in the past", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){0, 1}, NULL));
    T("clock_nanosleep CLOCK_REALTIME 1 ms", SYS(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &(struct timespec){0, 1000000}, NULL));
    T("clock_nanosleep CLOCK_BOOTTIME 1 ms", SYS(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &(struct timespec){0, 1000000}, NULL));
    T("clock_nanosleep CLOCK_THREAD_CPUTIME_ID", SYS(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &(struct timespec){0, 1000}, NULL));
    T("clock_nanosleep CLOCK_MONOTONIC_RAW", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &(struct timespec){0, 1000}, NULL));
    T("clock_nanosleep CLOCK_MONOTONIC_COARSE", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &(struct timespec){0, 1000}, NULL));
    T("clock_nanosleep CLOCK_REALTIME_COARSE from an unmapped struct", SYS(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, BADPTR, NULL));
    T("clock_nanosleep CLOCK_TAI 1 ms", SYS(SYS_clock_nanosleep, CLOCK_TAI, 0, &(struct timespec){0, 1000000}, NULL));
    T("clock_nanosleep clock 99", SYS(SYS_clock_nanosleep, 99, 0, &(struct timespec){0, 1000}, NULL));
    T("clock_nanosleep bad flags", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, &(struct timespec){0, 1000}, NULL));
    T("clock_nanosleep nsec 1e9", SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000000000}, NULL));

    /* interval timers */
    struct itimerval it, old;
    memset(&old, 0xff, sizeof old);
    T("getitimer ITIMER_REAL unarmed", getitimer(ITIMER_REAL, &old), "%ld.%06ld %ld.%06ld", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec, (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    T("getitimer which 5", SYS(SYS_getitimer, 5, &old));
    T("getitimer into an unmapped struct", SYS(SYS_getitimer, ITIMER_REAL, BADPTR));
    it = (struct itimerval){{0, 0}, {5, 0}};
    T("setitimer ITIMER_REAL 5 s", setitimer(ITIMER_REAL, &it, NULL), "%s", ({ getitimer(ITIMER_REAL, &old); old.it_value.tv_sec >= 4 && old.it_value.tv_sec <= 5 ? "about 5 s left" : "other"; }));
    it = (struct itimerval){{0, 0}, {0, 0}};
    memset(&old, 0, sizeof old);
    T("setitimer disarm returns the old value", setitimer(ITIMER_REAL, &it, &old), "%s", old.it_value.tv_sec >= 4 ? "about 5 s were left" : "other");
    T("setitimer usec 1e6", setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 1000000}}, NULL));
    T("setitimer negative", setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {-1, 0}}, NULL));
    T("setitimer NULL new value (disarms)", SYS(SYS_setitimer, ITIMER_REAL, NULL, NULL));
    signal_counts[SIGALRM] = 0;
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
    T("setitimer 20 ms then pause", pause(), "SIGALRM %d", signal_counts[SIGALRM]);
    T("alarm 0 with none pending", alarm(0));
    alarm(10);
    T("alarm 0 returns the seconds left", alarm(0));

    /* timerfd */
    int tfd;
    TF("timerfd_create CLOCK_MONOTONIC", tfd, timerfd_create(CLOCK_MONOTONIC, 0), "%s", getfl(tfd));
    T("timerfd_create TFD_NONBLOCK|TFD_CLOEXEC", ({ int f = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC); int r = f < 0 ? f : 0; if (f >= 0) close(f); r; }));
    T("timerfd_create clock 99", timerfd_create(99, 0));
    T("timerfd_create CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    T("timerfd_create bad flags", timerfd_create(CLOCK_MONOTONIC, 1));
    struct itimerspec its;
    memset(&its, 0xff, sizeof its);
    T("timerfd_gettime unarmed", timerfd_gettime(tfd, &its), "%ld.%09ld", (long)its.it_value.tv_sec, its.it_value.tv_nsec);
    T("timerfd_settime bad flags", timerfd_settime(tfd, 4, &(struct itimerspec){{0, 0}, {1, 0}}, NULL));
    T("timerfd_settime nsec 1e9", timerfd_settime(tfd, 0, &(struct itimerspec){{0, 0}, {0, 1000000000}}, NULL));
    T("timerfd_settime on a pipe", ({ int p[2]; pipe(p); timerfd_settime(p[0], 0, &its, NULL); }));
    T("timerfd_settime 10 ms", timerfd_settime(tfd, 0, &(struct itimerspec){{0, 0}, {0, 10000000}}, NULL), "%s", pollbits(tfd));
    fcntl(tfd, F_SETFL, O_NONBLOCK);
    uint64_t ticks = 0;
    T("read an unexpired timerfd", read(tfd, &ticks, 8));
    T("read 4 bytes from a timerfd", read(tfd, &ticks, 4));
    nanosleep(&(struct timespec){0, 15000000}, NULL);
    T("poll after it expired", 0, "%s", pollbits(tfd));
    T("read the expiration count", read(tfd, &ticks, 8), "%llu", (unsigned long long)ticks);
    T("read again", read(tfd, &ticks, 8));
    timerfd_settime(tfd, 0, &(struct itimerspec){{0, 0}, {0, 1000000}}, NULL);
    nanosleep(&(struct timespec){0, 2000000}, NULL);
    T("read an expired timerfd into an unmapped buffer", SYS(SYS_read, tfd, BADPTR, 8), "then %s", pollbits(tfd));
    T("read after the fault (the count was taken)", read(tfd, &ticks, 8));
    T("lseek on a timerfd", lseek(tfd, 0, SEEK_SET));
    T("pread on a timerfd", pread(tfd, &ticks, 8, 0));
    T("write to a timerfd", write(tfd, &ticks, 8));
    T("pwrite to a timerfd", pwrite(tfd, &ticks, 8, 0));
    close(tfd);

    /* adjtimex reads the clock state without changing it (modes 0) */
    struct timex tx = {.modes = 0};
    T("adjtimex modes 0 succeeds", SYS(SYS_adjtimex, &tx) >= 0);
    T("adjtimex from an unmapped struct", SYS(SYS_adjtimex, BADPTR));
    T("adjtimex ADJ_OFFSET_SS_READ succeeds", ({ struct timex r = {.modes = ADJ_OFFSET_SS_READ}; SYS(SYS_adjtimex, &r) >= 0; }));
    T("clock_adjtime CLOCK_REALTIME modes 0 succeeds", ({ struct timex r = {.modes = 0}; SYS(SYS_clock_adjtime, CLOCK_REALTIME, &r) >= 0; }));
    T("clock_adjtime CLOCK_MONOTONIC", ({ struct timex r = {.modes = 0}; SYS(SYS_clock_adjtime, CLOCK_MONOTONIC, &r); }));
    T("clock_adjtime clock 99", ({ struct timex r = {.modes = 0}; SYS(SYS_clock_adjtime, 99, &r); }));
    /* POSIX timer overruns: one signal waits while the timer keeps expiring; its si_overrun and
     * timer_getoverrun count the expiries since (20 ms period, taken at 110 ms and 210 ms after
     * arming, midway between expiries: 4 each time). */
    {
        timer_t t;
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGRTMIN);
        sigprocmask(SIG_BLOCK, &set, NULL);
        struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
        timer_create(CLOCK_MONOTONIC, &ev, &t);
        T("timer_getoverrun before any expiry", timer_getoverrun(t));
        struct itimerspec its = {{0, 20000000}, {0, 20000000}};
        struct timespec armed;
        clock_gettime(CLOCK_MONOTONIC, &armed);
        timer_settime(t, 0, &its, NULL);
        sleep_until_ms(&armed, 110);
        T("a blocked real-time timer signal 110 ms into a 20 ms period", 0, "%s", take_all(&set, t));
        sleep_until_ms(&armed, 210);
        T("and at 210 ms", 0, "%s", take_all(&set, t));
        struct itimerspec left;
        timer_gettime(t, &left);
        T("timer_gettime while armed", 0, "interval %ld ms, next in at most 20 ms: %s", left.it_interval.tv_nsec / 1000000,
          left.it_value.tv_sec == 0 && left.it_value.tv_nsec > 0 && left.it_value.tv_nsec <= 20000000 ? "yes" : "no");
        its = (struct itimerspec){{0, 0}, {0, 20000000}};
        timer_settime(t, 0, &its, NULL);
        sleep_ms(105);
        T("a one-shot timer", 0, "%s", take_all(&set, t));
        timer_delete(t);
        T("timer_getoverrun of a deleted timer", timer_getoverrun(t));
        sigprocmask(SIG_UNBLOCK, &set, NULL);

        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_timer;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR2, &sa, NULL);
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigprocmask(SIG_BLOCK, &set, NULL);
        ev = (struct sigevent){.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
        timer_create(CLOCK_REALTIME, &ev, &t);
        its = (struct itimerspec){{0, 20000000}, {0, 20000000}};
        timer_settime(t, 0, &its, NULL);
        sleep_ms(105);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        T("a handler for a standard timer signal unblocked after 105 ms", 0, "%d signal(s), si_overrun %d, timer_getoverrun %d",
          (int)timer_signals, (int)timer_overrun, timer_getoverrun(t));
        timer_delete(t);
        signal(SIGUSR2, SIG_DFL);
    }

    return conf_end();
}
