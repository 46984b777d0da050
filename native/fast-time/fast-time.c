/*
 * Time without a trap: the code the patched vDSO entries jump to in every managed process.
 *
 * The tracer maps, per process image, this code (one page, read+exec) and right after it the
 * host's time page, shared with the simulator, which fills it in before it resumes any thread of
 * the host (only one runs at a time). A read answers from the page and then charges what the
 * trapped read would have cost, exactly as the simulator would (core/src/kernel/host.ts
 * chargeLatency): free until `free_reads` reads, then `vdso` ns each, added to `unapplied` and
 * applied to `now` once it reaches `max_unapplied` — unless that would reach the end of the
 * host's round: then the read issues the real syscall instead, which the seccomp filter traps,
 * and the simulator makes the thread wait. Clocks this code does not know go to the syscall
 * too. Position-independent, no data, no libc: build.sh copies .text out as a flat image.
 */
#include <stdint.h>

/* Mirrored by core/src/kernel/fast-time.ts. */
struct time_page {
  int64_t now;           /* CLOCK_REALTIME of the host, ns; advanced here as latency applies */
  int64_t boot;          /* the host's boot on the same scale: MONOTONIC = now - boot */
  int64_t round_end;     /* the host may not pass this before the simulator runs its events */
  int64_t unapplied;     /* latency charged, not yet applied to now */
  int64_t vdso;          /* the cost of one read once reads cost anything */
  int64_t max_unapplied; /* unapplied latency is applied when it reaches this */
  uint64_t free_reads;   /* reads that cost nothing (busy-loop threshold not reached yet) */
  uint64_t reads;        /* reads answered here since the simulator last took them */
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

/* Charges one read answered here; 1 when it must trap instead (nothing is charged then: the
 * simulator charges the trapped call itself). */
static inline int must_trap(struct time_page *p) {
  uint64_t n = p->reads + 1;
  if (n > p->free_reads) {
    int64_t unapplied = p->unapplied + p->vdso;
    if (unapplied >= p->max_unapplied) {
      int64_t target = p->now + unapplied;
      if (target >= p->round_end) return 1;
      p->now = target;
      unapplied = 0;
    }
    p->unapplied = unapplied;
  }
  p->reads = n;
  return 0;
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
  int64_t ns = reading(p, id); /* before the read's own cost, as the trapped call answers */
  if (ns < 0 || must_trap(p)) return sys2(NR_CLOCK_GETTIME, id, (long)ts);
  ts->sec = ns / NS;
  ts->nsec = ns % NS;
  return 0;
}

long fast_gettimeofday(struct tv *tv, struct tz *tz) {
  struct time_page *p = page();
  int64_t ns = p->now;
  if (must_trap(p)) return sys2(NR_GETTIMEOFDAY, (long)tv, (long)tz);
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
  int64_t s = p->now / NS;
  if (must_trap(p)) return sys2(NR_TIME, (long)t, 0);
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
