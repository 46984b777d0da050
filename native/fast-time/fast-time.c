/*
 * Time without a trap: the code the patched vDSO entries jump to in every managed process.
 *
 * The tracer maps, per process image, this code (one page, read+exec) and right after it the
 * host's time page (shared with the simulator, which writes it before it resumes any thread of
 * the host). A read answers from the page and counts itself; the read that would cost simulated
 * latency (trap_at, computed by the simulator for the thread it resumes) issues the real
 * syscall instead, which the seccomp filter traps, and the simulator charges the counted reads.
 * Clocks it does not know go to the syscall too. Position-independent, no data, no libc: the
 * build copies .text out as a flat image (build.sh).
 */
#include <stdint.h>

struct time_page {
  volatile int64_t now;       /* CLOCK_REALTIME of the host, ns */
  volatile int64_t boot;      /* the host's boot, ns on the same scale (MONOTONIC = now - boot) */
  volatile uint64_t trap_at;  /* the read that makes this count must trap */
  uint64_t reads;             /* reads answered here since the simulator last took them */
};

struct ts { int64_t sec, nsec; };
struct tv { int64_t sec, usec; };
struct tz { int32_t minuteswest, dsttime; };

enum { NR_GETTIMEOFDAY = 96, NR_TIME = 201, NR_CLOCK_GETTIME = 228, NR_CLOCK_GETRES = 229 };
#define NS 1000000000LL

static inline struct time_page *page(void) {
  uintptr_t ip;
  __asm__("lea 0(%%rip), %0" : "=r"(ip));
  return (struct time_page *)((ip & ~(uintptr_t)4095) + 4096);
}

static inline long sys2(long nr, long a, long b) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
  return r;
}

/* Counts a read; 1 when this one must trap instead (it is then not counted: the simulator
 * charges the trapped call itself). */
static inline int must_trap(struct time_page *p) {
  uint64_t n = __atomic_add_fetch(&p->reads, 1, __ATOMIC_RELAXED);
  if (n < p->trap_at) return 0;
  __atomic_sub_fetch(&p->reads, 1, __ATOMIC_RELAXED);
  return 1;
}

/* The reading of clock `id` in ns, or -1 for a clock this code leaves to the syscall. */
static inline int64_t reading(struct time_page *p, long id) {
  switch (id) {
    case 0: case 5: case 8: case 11:        /* REALTIME, _COARSE, _ALARM, TAI */
      return p->now;
    case 1: case 4: case 6: case 7: case 9: /* MONOTONIC, _RAW, _COARSE, BOOTTIME, _ALARM */
      return p->now - p->boot;
    default:
      return -1;
  }
}

long fast_clock_gettime(long id, struct ts *ts) {
  struct time_page *p = page();
  int64_t ns = reading(p, id);
  if (ns < 0 || must_trap(p)) return sys2(NR_CLOCK_GETTIME, id, (long)ts);
  ts->sec = ns / NS;
  ts->nsec = ns % NS;
  return 0;
}

long fast_gettimeofday(struct tv *tv, struct tz *tz) {
  struct time_page *p = page();
  if (must_trap(p)) return sys2(NR_GETTIMEOFDAY, (long)tv, (long)tz);
  int64_t ns = p->now;
  if (tv) {
    tv->sec = ns / NS;
    tv->usec = ns % NS / 1000;
  }
  if (tz) {
    tz->minuteswest = 0;
    tz->dsttime = 0;
  }
  return 0;
}

long fast_time(int64_t *t) {
  struct time_page *p = page();
  if (must_trap(p)) return sys2(NR_TIME, (long)t, 0);
  int64_t s = p->now / NS;
  if (t) *t = s;
  return s;
}

long fast_clock_getres(long id, struct ts *res) {
  struct time_page *p = page();
  if (reading(p, id) < 0 || must_trap(p)) return sys2(NR_CLOCK_GETRES, id, (long)res);
  if (res) {
    res->sec = 0;
    res->nsec = id == 5 || id == 6 ? 4000000 : 1; /* the coarse clocks tick at HZ=250 */
  }
  return 0;
}
