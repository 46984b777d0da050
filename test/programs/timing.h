/* Helpers of the test programs that print when things happen: seconds since `start_clock()`,
 * rounded to 100 ms so that native and simulated runs print the same, and errno names. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct timespec clock_origin;

static void start_clock(void) { clock_gettime(CLOCK_MONOTONIC, &clock_origin); }

static double elapsed(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - clock_origin.tv_sec) + (double)(now.tv_nsec - clock_origin.tv_nsec) / 1e9;
    return (double)(long)(s * 10 + 0.5) / 10;
}

/* "name: value", or "name: -1 ENAME" when the call failed. */
static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno));
    else printf("%s: %ld\n", what, r);
}

/* Sleeps `ms` milliseconds. */
static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}
