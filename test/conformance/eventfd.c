/* eventfd(2): flags, the counter and semaphore modes, the sizes a read or write must have,
 * overflow, poll bits, and the calls an eventfd refuses. */
#include "conf.h"
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static const char *counter(int fd) {
    /* A read empties the counter; write the value back to keep it. */
    uint64_t v = 0;
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    ssize_t n = read(fd, &v, 8);
    if (n == 8 && !(fl & 0)) write(fd, &v, 8);
    fcntl(fd, F_SETFL, fl);
    return n == 8 ? fmt("counter %llu", (unsigned long long)v) : fmt("counter 0");
}

int main(void) {
    conf_start();
    int e;
    uint64_t v;
    char buf[32];

    static const struct { int flags; const char *name; } flags[] = {
        {0, "0"}, {EFD_CLOEXEC, "EFD_CLOEXEC"}, {EFD_NONBLOCK, "EFD_NONBLOCK"}, {EFD_SEMAPHORE, "EFD_SEMAPHORE"},
        {EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE, "all three"}, {O_APPEND, "O_APPEND"}, {O_RDONLY | 2, "O_RDWR"}, {-1, "-1"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        e = SYS(SYS_eventfd2, 5, flags[i].flags);
        T(fmt("eventfd2 initval=5 flags=%s", flags[i].name), e < 0 ? e : 0, "%s %s %s", e < 0 ? "" : getfl(e), e < 0 ? "" : cloexec(e), e < 0 ? "" : counter(e));
        if (e >= 0) close(e);
    }
    e = SYS(SYS_eventfd, 3);
    T("eventfd (no flags argument) initval=3", e < 0 ? e : 0, "%s %s", getfl(e), counter(e));
    close(e);
    e = SYS(SYS_eventfd2, 0xffffffffu, 0);
    T("eventfd2 initval=UINT_MAX", e < 0 ? e : 0, "%s", counter(e));
    close(e);

    e = eventfd(0, EFD_NONBLOCK);
    struct stat st;
    T("fstat", fstat(e, &st), "type %o mode %o size %ld", st.st_mode & S_IFMT, st.st_mode & 0777, (long)st.st_size);
    T("poll counter 0", 0, "%s", pollbits(e));
    T("read counter 0 (non-blocking)", read(e, &v, 8));
    T("read 4 bytes", read(e, buf, 4));
    T("read 7 bytes", read(e, buf, 7));
    T("read 0 bytes", read(e, buf, 0));
    T("write 4 bytes", write(e, buf, 4));
    T("write 0 bytes", write(e, buf, 0));
    v = 2;
    T("write 2", write(e, &v, 8), "%s; %s", counter(e), pollbits(e));
    v = 3;
    T("write 3 more", write(e, &v, 8), "%s", counter(e));
    T("write 16 bytes (Linux 6.x: EINVAL)", write(e, (uint64_t[]){1, 100}, 16), "%s", counter(e));
    v = 0;
    T("write 0", write(e, &v, 8), "%s", counter(e));
    v = UINT64_MAX;
    T("write UINT64_MAX", write(e, &v, 8), "%s", counter(e));
    v = UINT64_MAX - 1;
    T("write UINT64_MAX-1 onto 6 (would overflow)", write(e, &v, 8), "%s", counter(e));
    T("read 16 bytes", read(e, buf, 16), "value %llu; %s", (unsigned long long)*(uint64_t *)buf, counter(e));
    v = UINT64_MAX - 1;
    T("write UINT64_MAX-1 onto 0", write(e, &v, 8), "%s; %s", counter(e), pollbits(e));
    T("write 1 onto UINT64_MAX-1", write(e, &(uint64_t){1}, 8));
    T("read UINT64_MAX-1", read(e, &v, 8), "value %llu; %s", (unsigned long long)v, pollbits(e));
    v = 9;
    write(e, &v, 8);
    T("read into an unmapped buffer", SYS(SYS_read, e, BADPTR, 8), "%s", counter(e));
    T("write from an unmapped buffer", SYS(SYS_write, e, BADPTR, 8), "%s", counter(e));
    T("readv 8 bytes in two iovecs", SYS(SYS_readv, e, (struct iovec[]){{buf, 4}, {buf + 4, 4}}, 2), "value %llu", (unsigned long long)*(uint64_t *)buf);
    T("pread", pread(e, buf, 8, 0));
    T("pwrite", pwrite(e, &v, 8, 0));
    T("lseek", lseek(e, 0, SEEK_SET));
    T("lseek SEEK_END 5", lseek(e, 5, SEEK_END));
    T("ioctl FIONREAD", ioctl(e, FIONREAD, &(int){0}));
    T("ioctl FIONBIO 0", ioctl(e, FIONBIO, &(int){0}), "%s", getfl(e));
    T("ioctl FIONBIO 1", ioctl(e, FIONBIO, &(int){1}), "%s", getfl(e));
    T("fsync", fsync(e));
    T("ftruncate", ftruncate(e, 0));
    T("F_SETFL O_APPEND|O_NONBLOCK", fcntl(e, F_SETFL, O_APPEND | O_NONBLOCK), "%s", getfl(e));
    T("F_GETPIPE_SZ", fcntl(e, F_GETPIPE_SZ));
    close(e);

    /* semaphore mode */
    e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    T("semaphore: read", read(e, &v, 8), "value %llu", (unsigned long long)v);
    T("semaphore: read again", read(e, &v, 8), "value %llu; %s", (unsigned long long)v, pollbits(e));
    T("semaphore: read at 0", read(e, &v, 8));
    v = 5;
    write(e, &v, 8);
    T("semaphore: read after a write of 5", read(e, &v, 8), "value %llu; %s", (unsigned long long)v, counter(e));
    close(e);

    /* descriptors sharing the counter */
    e = eventfd(0, 0);
    int d = dup(e);
    v = 4;
    T("write through a dup", write(d, &v, 8), "original %s", counter(e));
    T("F_SETFL O_NONBLOCK through a dup", fcntl(d, F_SETFL, O_NONBLOCK), "original %s", getfl(e));
    close(d);
    T("close the original", close(e));
    T("read the closed descriptor", read(e, &v, 8));
    return conf_end();
}
