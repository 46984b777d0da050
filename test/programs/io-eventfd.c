/* eventfd: counter and semaphore modes, EAGAIN on a zero counter and on overflow, EINVAL for
 * short buffers and the value 2^64-1, flags as fcntl reports them, and readiness through poll.
 * Prints results and errno names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

static void put(int fd, uint64_t v, const char *what) { show(what, write(fd, &v, sizeof v)); }

static void take(int fd, const char *what) {
    uint64_t v = 0;
    ssize_t n = read(fd, &v, sizeof v);
    show(what, n);
    if (n == 8) printf("  value %llu\n", (unsigned long long)v);
}

static void readiness(int fd, const char *what) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    int n = poll(&p, 1, 0);
    printf("%s: poll %d revents 0x%x\n", what, n, p.revents);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = eventfd(3, EFD_NONBLOCK);
    show("eventfd(3, EFD_NONBLOCK) ok", fd >= 3);
    show("F_GETFL has O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    show("F_GETFL O_ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE);
    show("F_GETFD", fcntl(fd, F_GETFD));
    readiness(fd, "initial 3");
    take(fd, "read");
    take(fd, "read at zero");
    readiness(fd, "zero");
    put(fd, 5, "write 5");
    put(fd, 7, "write 7");
    take(fd, "read sum");
    char small[4];
    show("read 4-byte buffer", read(fd, small, sizeof small));
    show("write 4-byte buffer", write(fd, small, sizeof small));
    put(fd, UINT64_MAX, "write 2^64-1");
    put(fd, UINT64_MAX - 1, "write 2^64-2 (the maximum)");
    readiness(fd, "maximum");
    put(fd, 1, "write 1 at the maximum");
    take(fd, "read the maximum");
    put(fd, 0, "write 0");
    take(fd, "read after writing 0");
    /* a longer read buffer is fine (a write of more than 8 bytes is not portable across kernels) */
    put(fd, 9, "write 9");
    char big[16] = {0};
    show("read 16-byte buffer", read(fd, big, sizeof big));
    uint64_t nine;
    memcpy(&nine, big, 8);
    printf("  value %llu\n", (unsigned long long)nine);
    show("close", close(fd));

    int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    show("eventfd semaphore ok", sem >= 3);
    show("F_GETFD", fcntl(sem, F_GETFD));
    take(sem, "sem read");
    take(sem, "sem read");
    take(sem, "sem read at zero");
    put(sem, 3, "sem write 3");
    take(sem, "sem read");
    readiness(sem, "sem after one of three");
    show("close", close(sem));

    /* A blocking eventfd with a non-zero counter reads at once */
    int b = eventfd(0, 0);
    put(b, 42, "blocking write 42");
    take(b, "blocking read");
    show("close", close(b));

    /* the glibc wrappers */
    int w = eventfd(0, EFD_NONBLOCK);
    show("eventfd_write 11", eventfd_write(w, 11));
    eventfd_t v = 0;
    show("eventfd_read", eventfd_read(w, &v));
    printf("  value %llu\n", (unsigned long long)v);
    show("close", close(w));
    return 0;
}
