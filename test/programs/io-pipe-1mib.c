/* Moves 1 MiB of pseudo-random bytes through one pipe within one process: both ends are
 * non-blocking, poll says which end can move, writes and reads go in uneven chunks. Prints the
 * totals and an FNV-1a hash of what was sent and of what was received. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOTAL (1 << 20)

static uint64_t fnv(uint64_t h, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

int main(void) {
    static unsigned char data[TOTAL], got[TOTAL];
    uint32_t x = 12345;
    for (int i = 0; i < TOTAL; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = x >> 24;
    }
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0) {
        printf("pipe2: %s\n", strerrorname_np(errno));
        return 1;
    }
    static const size_t wchunk[] = {100000, 4096, 1, 65536, 333};
    static const size_t rchunk[] = {7000, 65536, 1, 12345};
    size_t sent = 0, received = 0;
    int wi = 0, ri = 0, errors = 0;
    while (received < TOTAL) {
        struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], sent < TOTAL ? POLLOUT : 0, 0}};
        if (poll(f, 2, 1000) <= 0) {
            printf("poll: nothing ready (%s)\n", strerrorname_np(errno));
            return 1;
        }
        if (f[1].revents & POLLOUT) {
            size_t want = wchunk[wi++ % 5];
            if (want > TOTAL - sent) want = TOTAL - sent;
            ssize_t n = write(p[1], data + sent, want);
            if (n > 0) sent += n;
            else if (errno != EAGAIN) errors++;
        }
        if (f[0].revents & POLLIN) {
            ssize_t n = read(p[0], got + received, rchunk[ri++ % 4]);
            if (n > 0) received += n;
            else if (errno != EAGAIN) errors++;
        }
        if (errors) {
            printf("error: %s\n", strerrorname_np(errno));
            return 1;
        }
        if (sent == TOTAL && p[1] >= 0) {
            close(p[1]);
            p[1] = -1;
        }
    }
    char end;
    ssize_t eof = read(p[0], &end, 1);
    printf("sent %zu fnv %016llx\n", sent, (unsigned long long)fnv(0xcbf29ce484222325ull, data, TOTAL));
    printf("received %zu fnv %016llx\n", received, (unsigned long long)fnv(0xcbf29ce484222325ull, got, received));
    printf("read at the end: %zd\n", eof);
    return 0;
}
