/* Benchmark target: issues N syscalls of one kind, as fast as it can.
 * usage: syscall-loop getppid|clock_gettime|nanosleep0 N */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    long n = atol(argv[2]);
    struct timespec ts = {0, 0};
    if (strcmp(argv[1], "getppid") == 0) {
        for (long i = 0; i < n; i++) syscall(SYS_getppid);
    } else if (strcmp(argv[1], "clock_gettime") == 0) {
        for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &ts); /* through the vDSO */
    } else {
        return 2;
    }
    return 0;
}
