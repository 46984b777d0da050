/* Job control: children stopped by each stop signal and continued by SIGCONT, as wait4 and
 * waitid report them (status words, siginfo, WNOHANG, WNOWAIT, reports given once), a stop
 * signal blocked by the child, ignored or caught, SIGKILL of a stopped child, and bad calls. */
#include "conf.h"
#include <sys/signalfd.h>
#include <sys/wait.h>

static const struct { int sig; const char *name; } STOPS[] = {
    {SIGSTOP, "SIGSTOP"}, {SIGTSTP, "SIGTSTP"}, {SIGTTIN, "SIGTTIN"}, {SIGTTOU, "SIGTTOU"},
};

/* Each child leads a process group of its own, whose parent (this program) is in another group of
 * the same session: the group is not orphaned, so SIGTSTP, SIGTTIN and SIGTTOU stop it whatever
 * group and session the program was started in (Linux discards them in an orphaned group). */
static void own_group(void) {
    setpgid(0, 0);
}

static pid_t idle_child(void) {
    pid_t c = fork();
    if (c == 0) {
        own_group();
        for (;;) pause();
    }
    setpgid(c, c); /* also here, so that a signal sent before the child ran finds it in its group */
    return c;
}

/* The status word in words. */
static const char *status(int st) {
    if (WIFSTOPPED(st)) return fmt("stopped %s", sigabbrev_np(WSTOPSIG(st)));
    if (WIFCONTINUED(st)) return "continued";
    if (WIFEXITED(st)) return fmt("exited %d", WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return fmt("signaled %s", sigabbrev_np(WTERMSIG(st)));
    return fmt("%#x", st);
}

static const char *info(const siginfo_t *si, pid_t child) {
    const char *code = si->si_code == CLD_STOPPED ? "CLD_STOPPED" : si->si_code == CLD_CONTINUED ? "CLD_CONTINUED"
                     : si->si_code == CLD_EXITED ? "CLD_EXITED" : si->si_code == CLD_KILLED ? "CLD_KILLED" : fmt("%d", si->si_code);
    if (si->si_pid == 0) return "nothing";
    return fmt("signo %d code %s pid %s status %d", si->si_signo, code, si->si_pid == child ? "child" : "other", si->si_status);
}

/* What the SIGCHLD handler saw: how many, and the last one's si_code, si_status and sender. */
static volatile sig_atomic_t chld_count, chld_code, chld_status, chld_from_child;
static volatile pid_t chld_child;
static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    chld_count++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_from_child = si->si_pid == chld_child;
}

/* A child in a group of its own that has started running (it says so on a pipe), then idles;
 * a SIGCONT handler says on the pipe that it runs again, by when the kernel has told the parent. */
static int ready_pipe = -1;
static int child_pipe = -1;
static void say_continued(int sig) {
    (void)sig;
    write(child_pipe, "c", 1);
}

static pid_t ready_child(void) {
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        own_group();
        close(p[0]);
        child_pipe = p[1];
        signal(SIGCONT, say_continued);
        write(p[1], "r", 1);
        for (;;) pause();
    }
    setpgid(c, c);
    close(p[1]);
    char b;
    read(p[0], &b, 1);
    if (ready_pipe >= 0) close(ready_pipe);
    ready_pipe = p[0];
    return c;
}

static const char *code_name(int code) {
    return code == CLD_STOPPED ? "CLD_STOPPED" : code == CLD_CONTINUED ? "CLD_CONTINUED" : code == CLD_EXITED ? "CLD_EXITED"
         : code == CLD_KILLED ? "CLD_KILLED" : fmt("%d", code);
}

static const char *chld_seen(void) {
    if (chld_count == 0) return "no SIGCHLD";
    return fmt("%d SIGCHLD, last %s status %d from %s", (int)chld_count, code_name(chld_code), (int)chld_status, chld_from_child ? "the child" : "another");
}

static void chld_handler(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(SIGCHLD, &sa, NULL);
    chld_count = 0;
}

static void reap(pid_t c) {
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
}

int main(void) {
    conf_start();
    int st = 0;
    siginfo_t si;
    for (size_t i = 0; i < sizeof STOPS / sizeof STOPS[0]; i++) {
        const char *n = STOPS[i].name;
        pid_t c = idle_child();
        T(fmt("kill %s", n), kill(c, STOPS[i].sig));
        T(fmt("wait4 WUNTRACED after %s", n), waitpid(c, &st, WUNTRACED) == c, "%s", status(st));
        st = 0;
        T(fmt("wait4 WUNTRACED|WNOHANG again after %s", n), waitpid(c, &st, WUNTRACED | WNOHANG), "%s", status(st));
        T(fmt("kill SIGCONT after %s", n), kill(c, SIGCONT));
        T(fmt("wait4 WCONTINUED after %s", n), waitpid(c, &st, WCONTINUED) == c, "%s", status(st));
        T(fmt("kill %s again", n), kill(c, STOPS[i].sig));
        memset(&si, 0, sizeof si);
        T(fmt("waitid WSTOPPED|WNOWAIT after %s", n), waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), "%s", info(&si, c));
        memset(&si, 0, sizeof si);
        T(fmt("waitid WSTOPPED after %s", n), waitid(P_PID, c, &si, WSTOPPED), "%s", info(&si, c));
        memset(&si, 0, sizeof si);
        T(fmt("waitid WSTOPPED|WNOHANG again after %s", n), waitid(P_PID, c, &si, WSTOPPED | WNOHANG), "%s", info(&si, c));
        T(fmt("kill SIGCONT once more after %s", n), kill(c, SIGCONT));
        memset(&si, 0, sizeof si);
        T(fmt("waitid WCONTINUED after %s", n), waitid(P_ALL, 0, &si, WCONTINUED), "%s", info(&si, c));
        memset(&si, 0, sizeof si);
        T(fmt("waitid WCONTINUED|WNOHANG again after %s", n), waitid(P_PID, c, &si, WCONTINUED | WNOHANG), "%s", info(&si, c));
        reap(c);
    }

    /* A stopped child killed: the kill is what wait reports. */
    pid_t c = idle_child();
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    T("kill SIGKILL a stopped child", kill(c, SIGKILL));
    memset(&si, 0, sizeof si);
    T("waitid WEXITED|WSTOPPED after SIGKILL", waitid(P_PID, c, &si, WEXITED | WSTOPPED), "%s", info(&si, c));

    /* A stopped child sent SIGTERM dies only once it is continued. */
    c = idle_child();
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGTERM);
    st = 0;
    T("wait4 WNOHANG on a stopped child sent SIGTERM", waitpid(c, &st, WNOHANG), "%s", status(st));
    kill(c, SIGCONT);
    T("wait4 after SIGCONT of a stopped child sent SIGTERM", waitpid(c, &st, 0) == c, "%s", status(st));

    /* Ignored and caught SIGTSTP do not stop. */
    c = fork();
    if (c == 0) {
        own_group();
        signal(SIGTSTP, SIG_IGN);
        raise(SIGTSTP);
        _exit(5);
    }
    T("wait4 WUNTRACED on a child ignoring SIGTSTP", waitpid(c, &st, WUNTRACED) == c, "%s", status(st));

    /* A blocked SIGTSTP stops the child when it is unblocked. */
    c = fork();
    if (c == 0) {
        own_group();
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTSTP);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGTSTP);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        _exit(6);
    }
    T("wait4 WUNTRACED on a child that unblocks a raised SIGTSTP", waitpid(c, &st, WUNTRACED) == c, "%s", status(st));
    kill(c, SIGCONT);
    T("wait4 after continuing it", waitpid(c, &st, 0) == c, "%s", status(st));

    /* A SIGCONT discards every pending stop signal: the blocked SIGTSTP and SIGTTOU are gone, and
     * the child that unblocks them exits instead of stopping. Its exit status says what
     * sigpending saw before and after (bits 1, 2: TSTP, TTOU before; 4, 8: after). */
    c = fork();
    if (c == 0) {
        own_group();
        sigset_t set, pending;
        sigemptyset(&set);
        sigaddset(&set, SIGTSTP);
        sigaddset(&set, SIGTTOU);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGTSTP);
        raise(SIGTTOU);
        sigpending(&pending);
        int bits = sigismember(&pending, SIGTSTP) | sigismember(&pending, SIGTTOU) << 1;
        raise(SIGCONT);
        sigpending(&pending);
        bits |= sigismember(&pending, SIGTSTP) << 2 | sigismember(&pending, SIGTTOU) << 3;
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        _exit(bits);
    }
    T("wait4 WUNTRACED on a child whose SIGCONT discarded its pending SIGTSTP and SIGTTOU", waitpid(c, &st, WUNTRACED) == c, "%s", status(st));

    /* SIGCHLD when a child stops or continues: CLD_STOPPED / CLD_CONTINUED, none with SA_NOCLDSTOP.
     * SIGCHLD stays blocked until each wait has returned (it is pending by then: the kernel sends
     * it before it wakes the waiter), so the handler runs at a point that is the same every run. */
    sigset_t chld_set;
    sigemptyset(&chld_set);
    sigaddset(&chld_set, SIGCHLD);
    for (int flags = 0; flags < 3; flags++) {
        const char *how = flags == 0 ? "handler" : flags == 1 ? "SA_RESTART handler" : "SA_NOCLDSTOP handler";
        chld_handler(flags == 0 ? 0 : flags == 1 ? SA_RESTART : SA_NOCLDSTOP);
        sigprocmask(SIG_BLOCK, &chld_set, NULL);
        c = ready_child();
        chld_child = c;
        static const int sends[] = {SIGSTOP, SIGCONT, SIGTSTP, SIGKILL};
        static const int waits[] = {WUNTRACED, WCONTINUED, WUNTRACED, 0};
        for (int k = 0; k < 4; k++) {
            kill(c, sends[k]);
            long r = waitpid(c, &st, waits[k]);
            char b;
            if (sends[k] == SIGCONT) read(ready_pipe, &b, 1);
            sigset_t pending;
            sigpending(&pending);
            int was_pending = sigismember(&pending, SIGCHLD);
            sigprocmask(SIG_UNBLOCK, &chld_set, NULL);
            sigprocmask(SIG_BLOCK, &chld_set, NULL);
            T(fmt("%s: wait4 after %s", how, sigabbrev_np(sends[k])), r == c, "%s; SIGCHLD %s; %s", status(st), was_pending ? "pending" : "not pending", chld_seen());
        }
        sigprocmask(SIG_UNBLOCK, &chld_set, NULL);
    }
    signal(SIGCHLD, SIG_DFL);

    /* The same, taken by sigtimedwait and by a signalfd while SIGCHLD is blocked. */
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, NULL);
        c = ready_child();
        kill(c, SIGSTOP);
        waitpid(c, &st, WUNTRACED);
        memset(&si, 0, sizeof si);
        T("sigtimedwait SIGCHLD of a stopped child", sigtimedwait(&set, &si, &(struct timespec){0, 0}), "%s %s status %d",
          code_name(si.si_code), si.si_pid == c ? "from the child" : "from another", si.si_status);
        int sfd = signalfd(-1, &set, 0);
        kill(c, SIGCONT);
        waitpid(c, &st, WCONTINUED);
        struct signalfd_siginfo ssi;
        memset(&ssi, 0, sizeof ssi);
        T("signalfd read of SIGCHLD for a continued child", read(sfd, &ssi, sizeof ssi), "%s %s status %d", code_name(ssi.ssi_code),
          (pid_t)ssi.ssi_pid == c ? "from the child" : "from another", ssi.ssi_status);
        close(sfd);
        reap(c);
        sigtimedwait(&set, &si, &(struct timespec){0, 0});
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    }

    /* Bad calls. */
    T("waitid with no WEXITED, WSTOPPED or WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG));
    T("waitid WSTOPPED without children", waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG));
    T("wait4 WUNTRACED without children", waitpid(-1, &st, WUNTRACED));
    c = idle_child();
    kill(c, SIGSTOP);
    T("wait4 WUNTRACED into a bad status pointer", SYS(SYS_wait4, c, BADPTR, WUNTRACED, NULL));
    T("wait4 WUNTRACED after the bad pointer", waitpid(c, &st, WUNTRACED | WNOHANG) == c, "%s", status(st));
    reap(c);
    return conf_end();
}
