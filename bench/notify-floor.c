/* The floor for a seccomp user-notification supervisor on this machine: a minimal C supervisor
 * that answers N getppid calls of a child (NOTIF_RECV + NOTIF_SEND on the listener fd), both
 * pinned to one CPU. Prints ns per answered call, timed by the supervisor. With a third argument
 * `notsc` the child runs with a faulting TSC (PR_TSC_SIGSEGV), as the simulator's default.
 * usage: notify-floor CPU N [notsc] */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) return 2;
    int notsc = argc == 4;
    long n = atol(argv[2]);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(argv[1]), &set);
    sched_setaffinity(0, sizeof set, &set);
    int channel[2];
    if (pipe(channel) < 0) return 1;
    pid_t child = fork();
    if (child == 0) {
        struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(1);
        if (notsc && prctl(PR_SET_TSC, PR_TSC_SIGSEGV) < 0) _exit(1);
        int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                         SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
        if (fd < 0 || write(channel[1], &fd, sizeof fd) != sizeof fd) _exit(1);
        for (long i = 0; i <= n; i++) syscall(SYS_getppid);
        _exit(0);
    }
    int childFd;
    if (read(channel[0], &childFd, sizeof childFd) != sizeof childFd) return 1;
    int pidfd = syscall(SYS_pidfd_open, child, 0);
    int fd = syscall(SYS_pidfd_getfd, pidfd, childFd, 0);
    if (fd < 0) return 1;
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    struct timespec a, z;
    for (long i = 0; i <= n; i++) {
        if (i == 1) clock_gettime(CLOCK_MONOTONIC, &a); /* the first call is the warm-up */
        memset(&req, 0, sizeof req);
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return 1;
        memset(&resp, 0, sizeof resp);
        resp.id = req.id;
        resp.val = 1;
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &z);
    printf("%.0f\n", ((z.tv_sec - a.tv_sec) * 1e9 + (z.tv_nsec - a.tv_nsec)) / n);
    int status;
    waitpid(child, &status, 0);
    return 0;
}
