/* prctl(2): each option read and set on the calling process, with the bad values Linux rejects.
 * Runs as root (PR_CAPBSET_READ and PR_SET_MM answers depend on it). */
#include "conf.h"
#include <linux/capability.h>
#include <sys/prctl.h>

static long get(int option) {
    return prctl(option, 0, 0, 0, 0);
}

int main(void) {
    conf_start();
    char name[32];

    /* PR_SET_NAME / PR_GET_NAME */
    memset(name, 'z', sizeof name);
    T("PR_GET_NAME", prctl(PR_GET_NAME, name), "'%.16s'", name);
    T("PR_SET_NAME conf-name", prctl(PR_SET_NAME, "conf-name"), "reads back '%s'", (prctl(PR_GET_NAME, name), name));
    T("PR_SET_NAME 20 characters (cut to 15)", prctl(PR_SET_NAME, "abcdefghijklmnopqrst"), "reads back '%s'", (prctl(PR_GET_NAME, name), name));
    T("PR_SET_NAME empty", prctl(PR_SET_NAME, ""), "reads back '%s'", (prctl(PR_GET_NAME, name), name));
    T("PR_SET_NAME from an unmapped string", prctl(PR_SET_NAME, BADPTR));
    T("PR_GET_NAME into an unmapped buffer", prctl(PR_GET_NAME, BADPTR));
    prctl(PR_SET_NAME, "prctl");
    char comm[64] = "";
    int fd = open("/proc/self/comm", O_RDONLY);
    ssize_t n = read(fd, comm, sizeof comm - 1);
    close(fd);
    T("/proc/self/comm after PR_SET_NAME prctl", n > 0, "'%.*s'", (int)(n > 0 ? n - 1 : 0), comm);

    /* simple flags */
    T("PR_GET_DUMPABLE", get(PR_GET_DUMPABLE));
    T("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0), "reads back %ld", get(PR_GET_DUMPABLE));
    T("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2));
    T("PR_SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1), "reads back %ld", get(PR_GET_DUMPABLE));
    T("PR_GET_KEEPCAPS", get(PR_GET_KEEPCAPS));
    T("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1), "reads back %ld", get(PR_GET_KEEPCAPS));
    T("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2));
    prctl(PR_SET_KEEPCAPS, 0);
    T("PR_GET_CHILD_SUBREAPER", ({ int v = -1; prctl(PR_GET_CHILD_SUBREAPER, &v); v; }));
    T("PR_SET_CHILD_SUBREAPER 1", prctl(PR_SET_CHILD_SUBREAPER, 1), "reads back %d", ({ int v = -1; prctl(PR_GET_CHILD_SUBREAPER, &v); v; }));
    T("PR_GET_CHILD_SUBREAPER into an unmapped int", prctl(PR_GET_CHILD_SUBREAPER, BADPTR));
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    T("PR_GET_PDEATHSIG", ({ int v = -1; prctl(PR_GET_PDEATHSIG, &v); v; }));
    T("PR_SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1), "reads back %d", ({ int v = -1; prctl(PR_GET_PDEATHSIG, &v); v; }));
    T("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65));
    T("PR_GET_PDEATHSIG into an unmapped int", prctl(PR_GET_PDEATHSIG, BADPTR));
    prctl(PR_SET_PDEATHSIG, 0);
    T("PR_GET_NO_NEW_PRIVS", get(PR_GET_NO_NEW_PRIVS));
    T("PR_GET_NO_NEW_PRIVS with a nonzero argument", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
    T("PR_SET_NO_NEW_PRIVS 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
    T("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "reads back %ld", get(PR_GET_NO_NEW_PRIVS));
    T("PR_SET_NO_NEW_PRIVS 0 once set", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    T("PR_GET_SECCOMP", get(PR_GET_SECCOMP));
    T("PR_GET_TIMERSLACK", get(PR_GET_TIMERSLACK));
    T("PR_SET_TIMERSLACK 1000", prctl(PR_SET_TIMERSLACK, 1000), "reads back %ld", get(PR_GET_TIMERSLACK));
    T("PR_SET_TIMERSLACK 0 (back to the default)", prctl(PR_SET_TIMERSLACK, 0), "reads back %ld", get(PR_GET_TIMERSLACK));
    T("PR_GET_THP_DISABLE", get(PR_GET_THP_DISABLE));
    T("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), "reads back %ld", get(PR_GET_THP_DISABLE));
    prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
    T("PR_GET_TSC", ({ int v = -1; prctl(PR_GET_TSC, &v); v; }));
    T("PR_GET_TSC into an unmapped int", prctl(PR_GET_TSC, BADPTR));
    T("PR_GET_TIMING", get(PR_GET_TIMING));
    T("PR_SET_TIMING PR_TIMING_TIMESTAMP", prctl(PR_SET_TIMING, PR_TIMING_TIMESTAMP));
    T("PR_GET_ENDIAN", prctl(PR_GET_ENDIAN, name));
    T("PR_GET_FPEMU", prctl(PR_GET_FPEMU, name));
    T("PR_MCE_KILL_GET", get(PR_MCE_KILL_GET));
    T("PR_MCE_KILL bad", prctl(PR_MCE_KILL, 5, 0, 0, 0));
    T("PR_TASK_PERF_EVENTS_DISABLE", prctl(PR_TASK_PERF_EVENTS_DISABLE));
    T("PR_TASK_PERF_EVENTS_ENABLE", prctl(PR_TASK_PERF_EVENTS_ENABLE));
    T("PR_GET_SPECULATION_CTRL bad which", prctl(PR_GET_SPECULATION_CTRL, 99, 0, 0, 0));
    T("PR_SET_FPEXC", prctl(PR_SET_FPEXC, 0, 0, 0, 0));
    T("PR_SET_VMA bad attribute", prctl(0x53564d41, 99, 0, 0, 0));

    /* capabilities (root: every bounding-set bit is set) */
    T("PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, CAP_CHOWN));
    T("PR_CAPBSET_READ CAP_SYS_ADMIN", prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN));
    T("PR_CAPBSET_READ 99", prctl(PR_CAPBSET_READ, 99));
    T("PR_CAP_AMBIENT_IS_SET CAP_CHOWN", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
    T("PR_CAP_AMBIENT bad sub-option", prctl(PR_CAP_AMBIENT, 99, 0, 0, 0));
    T("PR_GET_SECUREBITS", get(PR_GET_SECUREBITS));

    /* unknown options */
    T("prctl option 9999", prctl(9999, 0, 0, 0, 0));
    T("prctl option -1", prctl(-1, 0, 0, 0, 0));
    return conf_end();
}
