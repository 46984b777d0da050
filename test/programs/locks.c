/* File locks between processes: `locks flock`, `locks fcntl`, `locks ofd`. Each prints the order
 * of events and, rounded to 100 ms, when blocked lock calls return: the simulator must wake a
 * waiter exactly when the holder unlocks, closes or exits, and answer as Linux does. Pids are
 * printed as relations (the holder F_GETLK names is "parent" or "child"). */
#include "timing.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *FILE_NAME = "lockfile";

static int open_file(void) {
    int fd = open(FILE_NAME, O_RDWR | O_CREAT, 0600);
    if (fd < 0) { perror("open"); exit(1); }
    return fd;
}

static void reap(pid_t child) {
    int status;
    waitpid(child, &status, 0);
    printf("parent: child exited %d\n", WEXITSTATUS(status));
}

/* Closes `first` and, `ms` later, its dup `last`: only the second close ends the description. */
static void close_both(int first, int last, long ms) {
    pause_ms(ms);
    printf("parent: closing one of two descriptors at %.1f\n", elapsed());
    close(first);
    pause_ms(ms);
    printf("parent: closing the last one at %.1f\n", elapsed());
    close(last);
}

/* flock: a blocked LOCK_EX wakes at the unlock, at the holder's exit, and at the close of the
 * last descriptor of the holder's description (not of a dup); LOCK_NB fails at once; a
 * description inherited by fork is the same lock. */
static void flock_test(void) {
    int p[2], q[2];
    pipe(p);
    pipe(q);
    show("LOCK_EX|LOCK_NB on a pipe", flock(p[0], LOCK_EX | LOCK_NB));
    show("LOCK_EX|LOCK_NB on another pipe", flock(q[0], LOCK_EX | LOCK_NB));
    close(p[0]), close(p[1]), close(q[0]), close(q[1]);
    int fd = open_file();
    show("parent: LOCK_EX", flock(fd, LOCK_EX));
    pid_t child = fork();
    if (child == 0) {
        int own = open_file();
        show("child: LOCK_EX|LOCK_NB", flock(own, LOCK_EX | LOCK_NB));
        show("child: LOCK_SH|LOCK_NB", flock(own, LOCK_SH | LOCK_NB));
        show("child: inherited LOCK_EX|LOCK_NB", flock(fd, LOCK_EX | LOCK_NB));
        close(fd);
        show("child: LOCK_EX", flock(own, LOCK_EX));
        printf("child: locked at %.1f\n", elapsed());
        pause_ms(500);
        show("child: LOCK_SH (a conversion)", flock(own, LOCK_SH));
        pause_ms(300);
        printf("child: exiting at %.1f holding LOCK_SH\n", elapsed());
        exit(0);
    }
    pause_ms(1000);
    printf("parent: unlocking at %.1f\n", elapsed());
    if (flock(fd, LOCK_UN) != 0) show("parent: LOCK_UN", -1);
    pause_ms(100);
    show("parent: LOCK_EX while the child holds it", flock(fd, LOCK_EX));
    printf("parent: locked at %.1f\n", elapsed());
    reap(child);
    int dup_fd = dup(fd);
    child = fork();
    if (child == 0) {
        int own = open_file();
        close(fd);
        close(dup_fd);
        show("child 2: LOCK_SH", flock(own, LOCK_SH));
        printf("child 2: locked at %.1f\n", elapsed());
        exit(0);
    }
    close_both(fd, dup_fd, 400);
    reap(child);
}

static long setlk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

/* F_GETLK on [start, start+len): the type, range and holder ("parent"/"child"/"none"/"-1"). */
static void getlk(const char *who, int fd, int cmd, off_t start, off_t len, pid_t parent, pid_t child) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, cmd, &fl) < 0) { show(who, -1); return; }
    const char *holder = fl.l_pid == parent ? "parent" : fl.l_pid == child ? "child" : fl.l_pid == -1 ? "-1" : fl.l_pid == 0 ? "none" : "other";
    const char *type = fl.l_type == F_RDLCK ? "F_RDLCK" : fl.l_type == F_WRLCK ? "F_WRLCK" : "F_UNLCK";
    if (fl.l_type == F_UNLCK) printf("%s [%ld,+%ld): F_UNLCK\n", who, (long)start, (long)len);
    else printf("%s [%ld,+%ld): %s [%ld,+%ld) held by %s\n", who, (long)start, (long)len, type, (long)fl.l_start, (long)fl.l_len, holder);
}

/* Conflict answers EAGAIN or EACCES (POSIX allows both; Linux says EAGAIN). */
static void conflict(const char *what, long r) {
    if (r < 0 && (errno == EAGAIN || errno == EACCES)) printf("%s: conflict\n", what);
    else show(what, r);
}

/* POSIX record locks: conflicts, F_GETLK, splitting an unlock, F_SETLKW woken by the close of
 * another descriptor of the file, EDEADLK. */
static void fcntl_test(void) {
    pid_t parent = getpid();
    int fd = open_file();
    show("parent: F_SETLK F_WRLCK [0,100)", setlk(fd, F_SETLK, F_WRLCK, 0, 100));
    show("parent: F_SETLK F_UNLCK [40,60)", setlk(fd, F_SETLK, F_UNLCK, 40, 20));
    show("parent: F_SETLK F_RDLCK [200,+inf)", setlk(fd, F_SETLK, F_RDLCK, 200, 0));
    int pipe_fds[2];
    pipe(pipe_fds);
    pid_t child = fork();
    if (child == 0) {
        int own = open_file();
        conflict("child: F_SETLK F_WRLCK [30,50)", setlk(own, F_SETLK, F_WRLCK, 30, 20));
        show("child: F_SETLK F_WRLCK [45,55)", setlk(own, F_SETLK, F_WRLCK, 45, 10));
        show("child: F_SETLK F_RDLCK [300,310)", setlk(own, F_SETLK, F_RDLCK, 300, 10));
        conflict("child: F_SETLK F_WRLCK [300,310)", setlk(own, F_SETLK, F_WRLCK, 300, 10));
        getlk("child: F_GETLK", own, F_GETLK, 30, 5, parent, getpid());
        getlk("child: F_GETLK", own, F_GETLK, 41, 3, parent, getpid());
        getlk("child: F_GETLK", own, F_GETLK, 70, 100, parent, getpid());
        getlk("child: F_GETLK", own, F_GETLK, 250, 10, parent, getpid());
        write(pipe_fds[1], "x", 1);
        show("child: F_SETLKW F_WRLCK [0,10)", setlk(own, F_SETLKW, F_WRLCK, 0, 10));
        printf("child: locked at %.1f\n", elapsed());
        show("child: F_SETLK F_WRLCK [1000,1001)", setlk(own, F_SETLK, F_WRLCK, 1000, 1));
        pause_ms(200);
        show("child: F_SETLKW F_WRLCK [2000,2001)", setlk(own, F_SETLKW, F_WRLCK, 2000, 1));
        printf("child: locked [2000,2001) at %.1f\n", elapsed());
        exit(0);
    }
    char c;
    read(pipe_fds[0], &c, 1);
    getlk("parent: F_GETLK", fd, F_GETLK, 45, 1, parent, child);
    int other = open_file();
    pause_ms(1000);
    printf("parent: closing another descriptor of the file at %.1f\n", elapsed());
    close(other);
    pause_ms(100);
    // The child holds [0,10) and [1000,1001), and will wait for [2000,2001).
    show("parent: F_SETLK F_WRLCK [2000,2001)", setlk(fd, F_SETLK, F_WRLCK, 2000, 1));
    pause_ms(300);
    show("parent: F_SETLKW F_WRLCK [1000,1001) (the child waits for the parent)", setlk(fd, F_SETLKW, F_WRLCK, 1000, 1));
    pause_ms(200);
    printf("parent: unlocking [2000,2001) at %.1f\n", elapsed());
    if (setlk(fd, F_SETLK, F_UNLCK, 2000, 1) != 0) show("parent: F_SETLK F_UNLCK [2000,2001)", -1);
    show("parent: F_SETLKW F_WRLCK [1000,1001) until the child exits", setlk(fd, F_SETLKW, F_WRLCK, 1000, 1));
    printf("parent: locked [1000,1001) at %.1f\n", elapsed());
    reap(child);
}

/* Open-file-description locks: owned by the description, so two opens in one process conflict,
 * and OFD and POSIX locks conflict; F_OFD_GETLK reports -1; closing the description's last
 * descriptor wakes a waiter. */
static void ofd_test(void) {
    int a = open_file();
    int b = open_file();
    show("parent: F_OFD_SETLK F_WRLCK [0,10) on a", setlk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
    conflict("parent: F_OFD_SETLK F_WRLCK [5,15) on b", setlk(b, F_OFD_SETLK, F_WRLCK, 5, 10));
    conflict("parent: F_SETLK F_WRLCK [0,1) (POSIX)", setlk(b, F_SETLK, F_WRLCK, 0, 1));
    show("parent: F_OFD_SETLK F_WRLCK [0,10) again on a", setlk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
    show("parent: F_OFD_SETLK F_RDLCK [20,30) on b", setlk(b, F_OFD_SETLK, F_RDLCK, 20, 10));
    getlk("parent: F_OFD_GETLK on b", b, F_OFD_GETLK, 0, 100, getpid(), -2);
    int a2 = dup(a);
    pid_t child = fork();
    if (child == 0) {
        int own = open_file();
        close(a);
        close(a2);
        show("child: F_OFD_SETLK F_RDLCK [20,30)", setlk(own, F_OFD_SETLK, F_RDLCK, 20, 10));
        show("child: F_OFD_SETLKW F_WRLCK [0,10)", setlk(own, F_OFD_SETLKW, F_WRLCK, 0, 10));
        printf("child: locked at %.1f\n", elapsed());
        exit(0);
    }
    close_both(a, a2, 500);
    reap(child);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    start_clock();
    if (argc == 2 && strcmp(argv[1], "flock") == 0) flock_test();
    else if (argc == 2 && strcmp(argv[1], "fcntl") == 0) fcntl_test();
    else if (argc == 2 && strcmp(argv[1], "ofd") == 0) ofd_test();
    else return 2;
    unlink(FILE_NAME);
    return 0;
}
