/* The ptrace floor among many tracees: what the kernel and the machine charge a supervisor that
 * serves K processes in turn, as the simulator does with K hosts (issue 13: 10,000 hosts cost
 * more than ten times 1000). K children each trap getppid through seccomp and touch WORK KiB of
 * their own memory between calls (a program's working set); the tracer answers one call of each
 * in turn, round after round, tracer and tracees pinned to one CPU. Prints ns per answered call,
 * all included (the tracees' own work too). K = 1 is the floor of bench/ptrace-floor.c plus work.
 * usage: crowd-floor CPU K ROUNDS WORK_KIB */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void child(int go, long work) {
    char byte;
    if (read(go, &byte, 1) != 1) _exit(1);
    unsigned char *mem = work > 0 ? mmap(NULL, work, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
    if (mem == MAP_FAILED) _exit(1);
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {4, filter};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog);
    for (unsigned char round = 0;; round++) {
        for (long i = 0; i < work; i += 64) mem[i] += round;  /* one write per cache line */
        syscall(SYS_getppid);
    }
}

/* Answers the getppid the tracee stopped at and resumes it. */
static void answer(pid_t tid) {
    struct __ptrace_syscall_info info;
    ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info);
    ptrace(PTRACE_POKEUSER, tid, offsetof(struct user_regs_struct, orig_rax), -1);
    ptrace(PTRACE_POKEUSER, tid, offsetof(struct user_regs_struct, rax), 1);
    ptrace(PTRACE_CONT, tid, 0, 0);
}

/* Waits for the tracee's next seccomp stop; 0 when it ended instead. */
static int stopped(pid_t tid) {
    for (;;) {
        int status;
        if (waitpid(tid, &status, __WALL) < 0 || WIFEXITED(status) || WIFSIGNALED(status)) return 0;
        if ((status >> 16) == PTRACE_EVENT_SECCOMP) return 1;
        ptrace(PTRACE_CONT, tid, 0, 0);
    }
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int cpu = atoi(argv[1]);
    long k = atol(argv[2]), rounds = atol(argv[3]), work = atol(argv[4]) * 1024;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
    pid_t *tids = calloc(k, sizeof *tids);
    for (long i = 0; i < k; i++) {
        int go[2];
        if (pipe(go) < 0) return 1;
        tids[i] = fork();
        if (tids[i] < 0) return 1;
        if (tids[i] == 0) child(go[0], work);
        close(go[0]);
        ptrace(PTRACE_SEIZE, tids[i], 0, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL);
        if (write(go[1], "x", 1) != 1) return 1;
        close(go[1]);
        if (!stopped(tids[i])) return 1;  /* parked at its first call, as a blocked task is */
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long calls = 0;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < k; i++) {
            answer(tids[i]);
            if (!stopped(tids[i])) return 1;
            calls++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%.0f\n", ns / (calls ? calls : 1));
    for (long i = 0; i < k; i++) kill(tids[i], SIGKILL);
    while (wait(NULL) > 0) {}
    return 0;
}
