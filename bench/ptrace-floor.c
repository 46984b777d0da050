/* The floor for a ptrace + seccomp supervisor on this machine: a minimal C tracer that answers
 * N trapped getppid calls (GET_SYSCALL_INFO + 2 POKEUSER + CONT, the cheapest complete emulation,
 * docs/ptrace-notes.md §11), tracer and tracee pinned to one CPU. Prints ns per emulated call.
 * With a third argument `notsc` the tracee runs with a faulting TSC (PR_TSC_SIGSEGV), as the
 * simulator runs programs by default: the kernel then rewrites CR4 at each switch.
 * usage: ptrace-floor CPU N [notsc] */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) return 2;
    int notsc = argc == 4;
    int cpu = atoi(argv[1]);
    long n = atol(argv[2]);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
    int go[2];
    if (pipe(go) < 0) return 1;
    pid_t child = fork();
    if (child == 0) {
        char byte;
        if (read(go[0], &byte, 1) != 1) _exit(1);
        struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {4, filter};
        if (notsc) prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog);
        for (long i = 0; i < n; i++) syscall(SYS_getppid);
        _exit(0);
    }
    ptrace(PTRACE_SEIZE, child, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL);
    if (write(go[1], "x", 1) != 1) return 1;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long stops = 0;
    for (;;) {
        int status;
        waitpid(child, &status, __WALL);
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
        if ((status >> 16) == PTRACE_EVENT_SECCOMP) {
            struct __ptrace_syscall_info info;
            ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof info, &info);
            ptrace(PTRACE_POKEUSER, child, offsetof(struct user_regs_struct, orig_rax), -1);
            ptrace(PTRACE_POKEUSER, child, offsetof(struct user_regs_struct, rax), 1);
            stops++;
        }
        ptrace(PTRACE_CONT, child, 0, 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%.0f\n", ns / (stops ? stops : 1));
    return 0;
}
