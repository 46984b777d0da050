/* Signals and child processes (signal(7), wait(2)): sigaction's checks, kill/tkill/tgkill on
 * the caller and on unknown ids, masks and pending signals, sigtimedwait, interrupted and
 * restarted calls, and the ways a child ends as seen by wait4 and waitid. Ids are printed as
 * relations ("own pid"), never as numbers. */
#include "conf.h"
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static int pipefd[2];
static void writing_handler(int sig) {
    (void)sig;
    write(pipefd[1], "s", 1);
}

static volatile int queued_value = -1;
static void info_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    signal_counts[sig]++;
    queued_value = si->si_value.sival_int;
}

static const char *status(int st) {
    if (WIFEXITED(st)) return fmt("exited %d", WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return fmt("killed by %s%s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?", WCOREDUMP(st) ? " (core)" : "");
    return fmt("status %#x", st);
}

static const char *pending(void) {
    sigset_t set;
    sigpending(&set);
    char *b = fmt("%s", "");
    for (int s = 1; s < 65; s++)
        if (sigismember(&set, s)) sprintf(b + strlen(b), "%s%s", b[0] ? "," : "", sigabbrev_np(s) ? sigabbrev_np(s) : "RT");
    return b[0] ? b : "none";
}

static void arm_timer_ms(int ms) {
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, ms * 1000}}, NULL);
}

static volatile int noted_code = -1, noted_pid = -1;

/* A SA_SIGINFO handler that notes the si_code and si_pid of what it got. */
static void note_info(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    noted_pid = si->si_pid;
    noted_code = si->si_code;
}

int main(void) {
    conf_start();
    int self = getpid();
    const int NOPID = 999999;
    struct sigaction sa, old;
    sigset_t set;

    /* sigaction */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = counting_handler;
    T("sigaction signal 0", sigaction(0, &sa, NULL));
    T("sigaction signal 65", SYS(SYS_rt_sigaction, 65, &sa, NULL, 8));
    T("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    T("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
    T("sigaction read SIGKILL", sigaction(SIGKILL, NULL, &old), "%s", old.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    T("rt_sigaction sigsetsize 4", SYS(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
    T("rt_sigaction from an unmapped struct", SYS(SYS_rt_sigaction, SIGUSR1, BADPTR, NULL, 8));
    T("rt_sigaction into an unmapped struct", SYS(SYS_rt_sigaction, SIGUSR1, NULL, BADPTR, 8));
    T("sigaction SIGUSR1 with a handler", sigaction(SIGUSR1, &sa, NULL), "reads back %s", (sigaction(SIGUSR1, NULL, &old), old.sa_handler == counting_handler ? "the handler" : "other"));
    T("sigaction SIGRTMIN+1", sigaction(SIGRTMIN + 1, &sa, NULL));
    count_signal(SIGUSR2, 0);
    count_signal(SIGCHLD, 0);
    count_signal(SIGALRM, 0);

    /* kill and friends */
    T("kill own pid, signal 0", kill(self, 0));
    T("kill 0 (own group), signal 0", kill(0, 0));
    T("kill unknown pid, signal 0", kill(NOPID, 0));
    T("kill own pid, signal 99", kill(self, 99));
    T("kill own pid, signal -1", kill(self, -1));
    signal_counts[SIGUSR1] = 0;
    T("kill own pid SIGUSR1", kill(self, SIGUSR1), "handler ran %d time(s)", signal_counts[SIGUSR1]);
    signal_counts[SIGUSR2] = 0;
    T("raise SIGUSR2", raise(SIGUSR2), "handler ran %d time(s)", signal_counts[SIGUSR2]);
    int tid = SYS(SYS_gettid);
    signal_counts[SIGUSR1] = 0;
    T("tgkill own pid and tid", SYS(SYS_tgkill, self, tid, SIGUSR1), "handler ran %d time(s)", signal_counts[SIGUSR1]);
    T("tgkill wrong tgid", SYS(SYS_tgkill, NOPID, tid, SIGUSR1));
    T("tgkill tid -1", SYS(SYS_tgkill, self, -1, SIGUSR1));
    T("tgkill tgid 0", SYS(SYS_tgkill, 0, tid, SIGUSR1));
    T("tkill own tid, signal 0", SYS(SYS_tkill, tid, 0));
    T("tkill unknown tid", SYS(SYS_tkill, NOPID, SIGUSR1));
    T("tkill tid 0", SYS(SYS_tkill, 0, SIGUSR1));
    T("kill process group of an unknown pid", kill(-NOPID, 0));

    /* masks and pending signals */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    T("sigprocmask block SIGUSR1", sigprocmask(SIG_BLOCK, &set, NULL));
    T("sigprocmask bad how", sigprocmask(99, &set, NULL));
    T("rt_sigprocmask sigsetsize 4", SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4));
    T("rt_sigprocmask from an unmapped set", SYS(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR, NULL, 8));
    signal_counts[SIGUSR1] = 0;
    T("kill a blocked SIGUSR1", kill(self, SIGUSR1), "handler ran %d time(s); pending %s", signal_counts[SIGUSR1], pending());
    T("kill it again (not queued twice)", kill(self, SIGUSR1), "pending %s", pending());
    T("sigprocmask unblock", sigprocmask(SIG_UNBLOCK, &set, NULL), "handler ran %d time(s); pending %s", signal_counts[SIGUSR1], pending());
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(self, SIGUSR1);
    siginfo_t si;
    T("sigtimedwait takes the pending SIGUSR1", sigtimedwait(&set, &si, &(struct timespec){0, 0}), "si_code %s, sender %s", si.si_code == SI_USER ? "SI_USER" : "other", si.si_pid == self ? "own pid" : "other");
    pid_t sender = fork();
    if (sender == 0) {
        nanosleep(&(struct timespec){0, 10000000}, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    memset(&si, 0, sizeof si);
    T("sigtimedwait for a SIGUSR1 a child sends 10 ms later", sigtimedwait(&set, &si, &(struct timespec){1, 0}), "si_code %s, sender %s", si.si_code == SI_USER ? "SI_USER" : "other", si.si_pid == sender ? "the child" : "other");
    waitpid(sender, NULL, 0);
    T("sigtimedwait nothing pending, zero timeout", sigtimedwait(&set, &si, &(struct timespec){0, 0}));
    T("sigtimedwait nothing pending, 10 ms", sigtimedwait(&set, &si, &(struct timespec){0, 10000000}));
    T("sigtimedwait nsec 1e9", sigtimedwait(&set, &si, &(struct timespec){0, 1000000000}));
    T("rt_sigtimedwait sigsetsize 4", SYS(SYS_rt_sigtimedwait, &set, &si, &(struct timespec){0, 0}, 4));
    T("rt_sigpending sigsetsize 9", SYS(SYS_rt_sigpending, &set, 9));
    T("sigpending into an unmapped set", SYS(SYS_rt_sigpending, BADPTR, 8));
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* queued real-time signals */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL);
    signal_counts[SIGRTMIN] = 0;
    T("sigqueue SIGRTMIN with value 42", sigqueue(self, SIGRTMIN, (union sigval){.sival_int = 42}), "handler ran %d time(s), value %d", signal_counts[SIGRTMIN], queued_value);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal_counts[SIGRTMIN] = 0;
    kill(self, SIGRTMIN);
    kill(self, SIGRTMIN);
    T("two blocked SIGRTMIN are both queued", sigprocmask(SIG_UNBLOCK, &set, NULL), "handler ran %d time(s)", signal_counts[SIGRTMIN]);

    /* interrupted calls */
    pipe(pipefd);
    char c;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = writing_handler;
    sigaction(SIGALRM, &sa, NULL);
    arm_timer_ms(10);
    T("read interrupted by a handler without SA_RESTART", read(pipefd[0], &c, 1));
    read(pipefd[0], &c, 1);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    arm_timer_ms(10);
    T("read restarted after a handler with SA_RESTART", read(pipefd[0], &c, 1), "got '%c'", c);
    count_signal(SIGALRM, SA_RESTART);
    struct timespec rem = {0, 0};
    arm_timer_ms(10);
    T("nanosleep 1 s interrupted after 10 ms (never restarted)", nanosleep(&(struct timespec){1, 0}, &rem), "%s", rem.tv_sec == 0 && rem.tv_nsec > 900000000 ? "about 0.99 s left" : "other");
    arm_timer_ms(10);
    T("poll interrupted (never restarted)", poll(NULL, 0, 1000));
    arm_timer_ms(10);
    T("pause", pause());
    sigemptyset(&set);
    arm_timer_ms(10);
    T("sigsuspend with an empty mask", sigsuspend(&set));
    count_signal(SIGALRM, 0);

    /* sigaltstack */
    stack_t ss;
    T("sigaltstack read", sigaltstack(NULL, &ss), "%s", ss.ss_flags & SS_DISABLE ? "SS_DISABLE" : "enabled");
    static char altstack[65536];
    T("sigaltstack too small", sigaltstack(&(stack_t){.ss_sp = altstack, .ss_size = 100}, NULL));
    T("sigaltstack bad flags", sigaltstack(&(stack_t){.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0x10}, NULL));
    T("sigaltstack set", sigaltstack(&(stack_t){.ss_sp = altstack, .ss_size = sizeof altstack}, NULL), "%s", (sigaltstack(NULL, &ss), ss.ss_size == sizeof altstack ? "size kept" : "other"));

    /* children */
    pid_t child;
    int st;
    T("wait4 without children", wait4(-1, &st, 0, NULL));
    T("waitpid WNOHANG without children", waitpid(-1, &st, WNOHANG));
    T("waitpid bad options", waitpid(-1, &st, 0x1000000));
    child = fork();
    if (child == 0) _exit(3);
    signal_counts[SIGCHLD] = 0;
    T("waitpid a child that exits 3", waitpid(child, &st, 0) == child, "%s, SIGCHLD %d", status(st), signal_counts[SIGCHLD]);
    T("waitpid it again", waitpid(child, &st, 0));
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    T("waitpid WNOHANG a running child", waitpid(child, &st, WNOHANG));
    kill(child, SIGTERM);
    T("waitpid a child killed by SIGTERM", waitpid(child, &st, 0) == child, "%s", status(st));
    child = fork();
    if (child == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        signal(SIGPIPE, SIG_DFL);
        write(p[1], "x", 1);
        _exit(0);
    }
    T("waitpid a child killed by SIGPIPE", waitpid(child, &st, 0) == child, "%s", status(st));
    child = fork();
    if (child == 0) {
        struct rlimit core = {0, 0};
        setrlimit(RLIMIT_CORE, &core);
        abort();
    }
    T("waitpid a child that aborts (RLIMIT_CORE 0)", waitpid(child, &st, 0) == child, "%s", status(st));
    child = fork();
    if (child == 0) _exit(7);
    siginfo_t wi;
    memset(&wi, 0, sizeof wi);
    T("waitid P_PID WEXITED|WNOWAIT", waitid(P_PID, child, &wi, WEXITED | WNOWAIT), "si_code %s status %d pid %s", wi.si_code == CLD_EXITED ? "CLD_EXITED" : "other", wi.si_status, wi.si_pid == child ? "the child" : "other");
    T("waitid it again for real", waitid(P_PID, child, &wi, WEXITED), "status %d", wi.si_status);
    T("waitid bad idtype", waitid(99, 0, &wi, WEXITED));
    T("waitid no options", waitid(P_ALL, 0, &wi, 0));
    T("waitid P_PID unknown", waitid(P_PID, NOPID, &wi, WEXITED));
    child = fork();
    if (child == 0) _exit(getppid() == self ? 0 : 1);
    T("a child's getppid is the parent", waitpid(child, &st, 0) == child, "%s", status(st));
    child = fork();
    if (child == 0) {
        signal_counts[SIGUSR1] = 0;
        _exit(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == counting_handler ? 0 : 1);
    }
    T("a child keeps the parent's handlers", waitpid(child, &st, 0) == child, "%s", status(st));
    child = fork();
    if (child == 0) _exit(kill(getppid(), 0) == 0 ? 0 : 1);
    T("a child can signal its parent", waitpid(child, &st, 0) == child, "%s", status(st));

    /* signalfd */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd;
    TF("signalfd for SIGUSR2", sfd, signalfd(-1, &set, SFD_NONBLOCK));
    kill(self, SIGUSR2);
    struct signalfd_siginfo ssi;
    memset(&ssi, 0, sizeof ssi);
    T("read a blocked SIGUSR2 from the signalfd", read(sfd, &ssi, sizeof ssi), "%s", ssi.ssi_signo == SIGUSR2 ? "SIGUSR2" : "nothing");
    T("the signalfd read names the sender", ssi.ssi_pid == (uint32_t)self, "code %s", ssi.ssi_code == SI_USER ? "SI_USER" : fmt("%d", ssi.ssi_code));
    T("read the signalfd with nothing pending", read(sfd, &ssi, sizeof ssi));
    T("read the signalfd into a short buffer", read(sfd, &ssi, sizeof ssi - 1));
    struct pollfd spf = {.fd = sfd, .events = POLLIN};
    T("poll the signalfd with nothing pending", poll(&spf, 1, 0), "%s", evnames(spf.revents));
    kill(self, SIGUSR2);
    T("poll the signalfd with SIGUSR2 pending", poll(&spf, 1, 0), "%s", evnames(spf.revents));
    int sep = epoll_create1(0);
    struct epoll_event sev = {.events = EPOLLIN};
    T("epoll_ctl add the signalfd", epoll_ctl(sep, EPOLL_CTL_ADD, sfd, &sev));
    struct epoll_event sgot = {0};
    T("epoll_wait sees the pending SIGUSR2", epoll_wait(sep, &sgot, 1, 0), "%s", evnames(sgot.events));
    T("read it", read(sfd, &ssi, sizeof ssi), "%s", ssi.ssi_signo == SIGUSR2 ? "SIGUSR2" : "nothing");
    union sigval sv = {.sival_int = 77};
    sigqueue(self, SIGUSR2, sv);
    memset(&ssi, 0, sizeof ssi);
    T("read a queued SIGUSR2 from the signalfd", read(sfd, &ssi, sizeof ssi), "code %s int %d", ssi.ssi_code == SI_QUEUE ? "SI_QUEUE" : fmt("%d", ssi.ssi_code), ssi.ssi_int);
    T("signalfd with bad flags", signalfd(-1, &set, 1));
    T("signalfd with a bad size", SYS(SYS_signalfd4, -1, &set, 4, 0));
    T("signalfd with a bad mask pointer", SYS(SYS_signalfd4, -1, BADPTR, 8, 0));
    T("signalfd on a descriptor that is not open", signalfd(987, &set, 0));
    T("signalfd on a descriptor of another kind", signalfd(sep, &set, 0));
    sigset_t both = set;
    sigaddset(&both, SIGUSR1);
    T("signalfd on itself sets the mask", signalfd(sfd, &both, 0) == sfd);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int cfd;
    TF("signalfd for SIGCHLD", cfd, signalfd(-1, &chld, 0));
    pid_t kid = fork();
    if (kid == 0) _exit(9);
    memset(&ssi, 0, sizeof ssi);
    T("a blocking read of SIGCHLD from the signalfd", read(cfd, &ssi, sizeof ssi), "code %s pid %s status %d",
      ssi.ssi_code == CLD_EXITED ? "CLD_EXITED" : fmt("%d", ssi.ssi_code), ssi.ssi_pid == (uint32_t)kid ? "child" : "other", ssi.ssi_status);
    waitpid(kid, NULL, 0);
    char link[64] = "";
    T("readlink the signalfd", readlink(fmt("/proc/self/fd/%d", sfd), link, sizeof link - 1) > 0, "%s", link);
    close(cfd);
    close(sep);

    /* What the siginfo of the kernel's own signals says. */
    struct sigaction ia = {0};
    ia.sa_sigaction = note_info;
    ia.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &ia, NULL);
    sigaction(SIGPIPE, &ia, NULL);
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigaddset(&alrm, SIGPIPE);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    struct itimerval soon = {.it_value = {0, 10000}};
    noted_code = -1;
    setitimer(ITIMER_REAL, &soon, NULL);
    while (noted_code == -1) pause();
    T("setitimer's SIGALRM", noted_code, "si_code %s, si_pid %s", noted_code == SI_KERNEL ? "SI_KERNEL" : fmt("%d", noted_code), noted_pid == 0 ? "0" : "other");
    int bp[2];
    pipe(bp);
    close(bp[0]);
    noted_code = -1;
    T("write to a pipe without a reader", write(bp[1], "x", 1), "SIGPIPE si_code %s, from %s", noted_code == SI_USER ? "SI_USER" : fmt("%d", noted_code),
      noted_pid == self ? "the writer itself" : "another");
    close(bp[1]);
    /* Signal-driven I/O: the plain SIGIO (SI_KERNEL), and an F_SETSIG signal's si_code, si_band
     * and si_fd (the descriptor O_ASYNC was set through), by sigtimedwait and by a signalfd. */
    {
        sigset_t io;
        sigemptyset(&io);
        sigaddset(&io, SIGIO);
        sigaddset(&io, SIGRTMIN + 1);
        sigprocmask(SIG_BLOCK, &io, NULL);
        int sv[2];
        socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
        int spare = dup(sv[0]);
        fcntl(sv[0], F_SETOWN, getpid());
        fcntl(spare, F_SETFL, fcntl(spare, F_GETFL) | O_ASYNC);
        write(sv[1], "a", 1);
        siginfo_t si;
        memset(&si, 0, sizeof si);
        T("SIGIO for data on a socket", sigtimedwait(&io, &si, &(struct timespec){0, 0}), "si_code %d", si.si_code);
        char b[8];
        read(sv[0], b, sizeof b);
        fcntl(sv[0], F_SETSIG, SIGRTMIN + 1);
        write(sv[1], "b", 1);
        memset(&si, 0, sizeof si);
        T("F_SETSIG signal for data on a socket", sigtimedwait(&io, &si, &(struct timespec){0, 0}) == SIGRTMIN + 1,
          "si_code %d, si_band %#lx, si_fd %s", si.si_code, (long)si.si_band, si.si_fd == spare ? "the O_ASYNC one" : si.si_fd == sv[0] ? "the F_SETSIG one" : "another");
        read(sv[0], b, sizeof b);
        int p[2];
        pipe(p);
        fcntl(p[0], F_SETOWN, getpid());
        fcntl(p[0], F_SETSIG, SIGRTMIN + 1);
        fcntl(p[0], F_SETFL, O_ASYNC);
        int sfd = signalfd(-1, &io, SFD_NONBLOCK);
        write(p[1], "c", 1);
        struct signalfd_siginfo ssi;
        memset(&ssi, 0, sizeof ssi);
        T("F_SETSIG signal for data in a pipe, by a signalfd", read(sfd, &ssi, sizeof ssi), "ssi_code %d, ssi_band %#x, ssi_fd %s, ssi_pid %u, ssi_int %d",
          ssi.ssi_code, ssi.ssi_band, (int)ssi.ssi_fd == p[0] ? "the pipe's" : "another", ssi.ssi_pid, ssi.ssi_int);
        close(sfd);
        close(p[0]);
        close(p[1]);
        close(spare);
        close(sv[0]);
        close(sv[1]);
        while (sigtimedwait(&io, &si, &(struct timespec){0, 0}) > 0) {
        }
        sigprocmask(SIG_UNBLOCK, &io, NULL);
    }

    return conf_end();
}
