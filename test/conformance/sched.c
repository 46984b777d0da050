/* Scheduling calls (sched(7)): policies and parameters, priority ranges, CPU affinity, nice
 * values and I/O priorities of the calling task, by pid 0 and by its own pid; unknown pids. Runs
 * as root: raising priority and the real-time ranges need CAP_SYS_NICE, which root has. */
#include "conf.h"
#include <sched.h>
#include <sys/resource.h>

/* struct sched_attr of sched_setattr(2) (SCHED_ATTR_SIZE_VER0, 48 bytes). */
struct attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
};

static const char *policyname(int p) {
    switch (p) {
        case SCHED_OTHER: return "SCHED_OTHER";
        case SCHED_FIFO: return "SCHED_FIFO";
        case SCHED_RR: return "SCHED_RR";
        case SCHED_BATCH: return "SCHED_BATCH";
        case SCHED_IDLE: return "SCHED_IDLE";
        default: return fmt("policy %d", p);
    }
}

int main(void) {
    conf_start();
    int self = getpid();
    const int NOPID = 999999;
    struct sched_param sp;

    T("sched_yield", sched_yield());

    /* policies */
    T("sched_getscheduler 0", sched_getscheduler(0), "%s", policyname(sched_getscheduler(0)));
    T("sched_getscheduler own pid", sched_getscheduler(self));
    T("sched_getscheduler -1", SYS(SYS_sched_getscheduler, -1));
    T("sched_getscheduler unknown pid", sched_getscheduler(NOPID));
    T("sched_setscheduler SCHED_OTHER priority 0", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){0}));
    T("sched_setscheduler SCHED_OTHER priority 1", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){1}));
    T("sched_setscheduler policy 99", sched_setscheduler(0, 99, &(struct sched_param){0}));
    T("sched_setscheduler NULL param", SYS(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
    T("sched_setscheduler unknown pid", sched_setscheduler(NOPID, SCHED_OTHER, &(struct sched_param){0}));
    T("sched_setscheduler SCHED_FIFO priority 0", sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){0}));
    T("sched_setscheduler SCHED_FIFO priority 100", sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){100}));
    T("sched_setscheduler SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){0}), "now %s", policyname(sched_getscheduler(0)));
    T("sched_setscheduler SCHED_IDLE by own pid", sched_setscheduler(self, SCHED_IDLE, &(struct sched_param){0}), "now %s", policyname(sched_getscheduler(0)));
    T("sched_setscheduler back to SCHED_OTHER", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){0}), "now %s", policyname(sched_getscheduler(0)));
    T("sched_setscheduler SCHED_RESET_ON_FORK", sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &(struct sched_param){0}), "getscheduler %s",
      sched_getscheduler(0) & SCHED_RESET_ON_FORK ? "has SCHED_RESET_ON_FORK" : "plain");
    sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){0});

    /* parameters */
    memset(&sp, 0xff, sizeof sp);
    T("sched_getparam 0", sched_getparam(0, &sp), "priority %d", sp.sched_priority);
    T("sched_getparam NULL", SYS(SYS_sched_getparam, 0, NULL));
    T("sched_getparam unmapped", SYS(SYS_sched_getparam, 0, BADPTR));
    T("sched_getparam unknown pid", sched_getparam(NOPID, &sp));
    T("sched_getparam -1", SYS(SYS_sched_getparam, -1, &sp));
    T("sched_setparam priority 0", sched_setparam(0, &(struct sched_param){0}));
    T("sched_setparam priority 5 under SCHED_OTHER", sched_setparam(0, &(struct sched_param){5}));
    T("sched_setparam unknown pid", sched_setparam(NOPID, &(struct sched_param){0}));

    /* priority ranges */
    static const int POLICIES[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 6, 99};
    for (size_t i = 0; i < sizeof POLICIES / sizeof POLICIES[0]; i++) {
        T(fmt("sched_get_priority_max %s", policyname(POLICIES[i])), sched_get_priority_max(POLICIES[i]));
        T(fmt("sched_get_priority_min %s", policyname(POLICIES[i])), sched_get_priority_min(POLICIES[i]));
    }
    struct timespec ts;
    T("sched_rr_get_interval 0", sched_rr_get_interval(0, &ts), "%s", ts.tv_sec >= 0 && ts.tv_nsec >= 0 ? "valid timespec" : "invalid");
    T("sched_rr_get_interval unknown pid", sched_rr_get_interval(NOPID, &ts));
    T("sched_rr_get_interval unmapped", SYS(SYS_sched_rr_get_interval, 0, BADPTR));

    /* sched_attr */
    struct attr at;
    memset(&at, 0xff, sizeof at);
    T("sched_getattr 0", SYS(SYS_sched_getattr, 0, &at, sizeof at, 0), "size %u policy %s nice %d", at.size, policyname(at.policy), at.nice);
    T("sched_getattr size 8", SYS(SYS_sched_getattr, 0, &at, 8, 0));
    T("sched_getattr flags 1", SYS(SYS_sched_getattr, 0, &at, sizeof at, 1));
    T("sched_getattr unknown pid", SYS(SYS_sched_getattr, NOPID, &at, sizeof at, 0));
    T("sched_getattr NULL", SYS(SYS_sched_getattr, 0, NULL, sizeof at, 0));
    at = (struct attr){.size = sizeof at, .policy = SCHED_OTHER, .nice = 3};
    T("sched_setattr nice 3", SYS(SYS_sched_setattr, 0, &at, 0), "getpriority %d", getpriority(PRIO_PROCESS, 0));
    at = (struct attr){.size = 8, .policy = SCHED_OTHER};
    T("sched_setattr size 8", SYS(SYS_sched_setattr, 0, &at, 0), "size written back %u", at.size);
    at = (struct attr){.size = sizeof at, .policy = SCHED_OTHER};
    T("sched_setattr flags 1", SYS(SYS_sched_setattr, 0, &at, 1));
    T("sched_setattr unknown pid", SYS(SYS_sched_setattr, NOPID, &at, 0));
    T("sched_setattr back to nice 0", SYS(SYS_sched_setattr, 0, &at, 0), "getpriority %d", getpriority(PRIO_PROCESS, 0));

    /* affinity */
    cpu_set_t set;
    CPU_ZERO(&set);
    T("sched_getaffinity 0, 128 bytes", SYS(SYS_sched_getaffinity, 0, sizeof set, &set), "CPU 0 %s", CPU_ISSET(0, &set) ? "set" : "clear");
    T("sched_getaffinity own pid, 8 bytes", SYS(SYS_sched_getaffinity, self, 8, &set));
    T("sched_getaffinity 4 bytes", SYS(SYS_sched_getaffinity, 0, 4, &set));
    T("sched_getaffinity 12 bytes", SYS(SYS_sched_getaffinity, 0, 12, &set));
    T("sched_getaffinity 0 bytes", SYS(SYS_sched_getaffinity, 0, 0, &set));
    T("sched_getaffinity unmapped", SYS(SYS_sched_getaffinity, 0, sizeof set, BADPTR));
    T("sched_getaffinity unknown pid", SYS(SYS_sched_getaffinity, NOPID, sizeof set, &set));
    T("sched_getaffinity -1", SYS(SYS_sched_getaffinity, -1, sizeof set, &set));
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    T("sched_setaffinity CPU 0", sched_setaffinity(0, sizeof set, &set), "getaffinity: %s", ({
          cpu_set_t g;
          CPU_ZERO(&g);
          sched_getaffinity(0, sizeof g, &g);
          fmt("%d CPU(s), CPU 0 %s", CPU_COUNT(&g), CPU_ISSET(0, &g) ? "set" : "clear");
      }));
    T("sched_setaffinity own pid, CPU 0", sched_setaffinity(self, sizeof set, &set));
    T("sched_setaffinity 4 bytes holding CPU 0", SYS(SYS_sched_setaffinity, 0, 4, &set));
    T("sched_setaffinity 0 bytes", SYS(SYS_sched_setaffinity, 0, 0, &set));
    CPU_ZERO(&set);
    T("sched_setaffinity empty mask", sched_setaffinity(0, sizeof set, &set));
    CPU_SET(1000, &set);
    T("sched_setaffinity CPU 1000 only", sched_setaffinity(0, sizeof set, &set));
    CPU_SET(0, &set);
    T("sched_setaffinity unknown pid", sched_setaffinity(NOPID, sizeof set, &set));
    T("sched_setaffinity unmapped", SYS(SYS_sched_setaffinity, 0, sizeof set, BADPTR));
    unsigned cpu = 12345, node = 12345;
    T("getcpu", SYS(SYS_getcpu, &cpu, &node, NULL), "cpu %s node %s", cpu == 0 ? "0" : "other", node == 0 ? "0" : "other");

    /* nice */
    T("getpriority PRIO_PROCESS 0 (raw: 20 - nice)", SYS(SYS_getpriority, PRIO_PROCESS, 0));
    T("setpriority PRIO_PROCESS 0 to 5", setpriority(PRIO_PROCESS, 0, 5), "getpriority %d", getpriority(PRIO_PROCESS, 0));
    T("setpriority PRIO_PROCESS own pid to 0 (root may lower it)", setpriority(PRIO_PROCESS, self, 0), "getpriority %d", getpriority(PRIO_PROCESS, 0));
    T("setpriority 100 (clamped to 19)", setpriority(PRIO_PROCESS, 0, 100), "getpriority %d", getpriority(PRIO_PROCESS, 0));
    setpriority(PRIO_PROCESS, 0, 0);
    T("getpriority unknown pid", getpriority(PRIO_PROCESS, NOPID));
    T("getpriority which 7", getpriority(7, 0));
    T("setpriority which 7", setpriority(7, 0, 0));
    T("nice 0", SYS(SYS_getpriority, PRIO_PROCESS, 0));

    /* I/O priority */
    T("ioprio_get IOPRIO_WHO_PROCESS 0", SYS(SYS_ioprio_get, 1, 0) >= 0);
    T("ioprio_set IOPRIO_WHO_PROCESS 0 best-effort 4", SYS(SYS_ioprio_set, 1, 0, (2 << 13) | 4), "ioprio_get %ld", (long)SYS(SYS_ioprio_get, 1, 0));
    T("ioprio_set class 7", SYS(SYS_ioprio_set, 1, 0, 7 << 13));
    T("ioprio_get unknown pid", SYS(SYS_ioprio_get, 1, NOPID));
    T("ioprio_get which 9", SYS(SYS_ioprio_get, 9, 0));
    return conf_end();
}
