/* Calls a syscall the simulator does not handle (io_uring_setup) twice, then goes on.
 * Prints what each call returned and that the program continued. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 2; i++) {
        char params[120] = {0};
        long r = syscall(SYS_io_uring_setup, 4, params);
        printf("io_uring_setup: %ld %s\n", r, r < 0 ? strerror(errno) : "ok");
    }
    printf("still running, pid %d\n", getpid());
    return 0;
}
