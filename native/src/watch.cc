// Watched runs: watchRuns(), and the helper thread that ends a run which went on too long.
//
// The simulator resumes one task and blocks in waitpid() for its next stop. A task that never
// stops (a CPU loop, a native call that never returns) would hold that wait forever. While a
// watched wait is in progress, a helper thread samples the task's CPU time and the wall time
// since the wait began; past a limit it sends the task SIGSTOP. SIGSTOP cannot be blocked or
// caught, so a signal-delivery-stop follows at once (a native blocking call is interrupted and
// restarts transparently once the signal is suppressed), and that stop ends the wait. Decode()
// reports it as StopKind.Interrupted with the limit that was hit.
//
// Why SIGSTOP and not PTRACE_INTERRUPT: only the tracer thread may issue ptrace requests for a
// tracee (ptrace-notes §11), and it is the one blocked in waitpid(). A signal needs no ptrace
// rights, and the tracer already suppresses SIGSTOP at its delivery-stop (ptrace-notes §10).
//
// Mechanism only: the limits come from the caller, which decides what an interruption means
// (preemption, a report). The helper never touches simulated state.
#include "native.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <initializer_list>
#include <mutex>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace shadow {
namespace {

constexpr int64_t kMs = 1'000'000;

// A task the helper sent SIGSTOP, until its delivery-stop is decoded or the task ends.
struct Sent {
  pid_t tid;
  int limit;
  int64_t cpu;
  int64_t wall;
};

struct Watch {
  std::atomic<int64_t> cpuLimit{0};
  std::atomic<int64_t> wallLimit{0};
  // The watched wait, published as a seqlock: odd while a wait is in progress; tid and pid are
  // written before seq turns odd and only while it is even.
  std::atomic<uint64_t> seq{0};
  std::atomic<int32_t> tid{0};
  std::atomic<int32_t> pid{0};
  // Read by Decode() on every final status: checking it avoids the lock on the common path.
  std::atomic<int> sentCount{0};
  std::mutex mu;  // guards sent
  std::vector<Sent> sent;
  bool helperStarted = false;  // tracer thread only
};

// Never freed: the detached helper may still run while the process exits.
Watch& W() {
  static Watch* w = new Watch();
  return *w;
}

// A syscall, not the vDSO, whose entries the simulator points at syscalls and back while its
// own TSC faults (tsc.cc); the helper itself starts with a readable TSC (ReadableTsc).
int64_t Now(clockid_t clock) {
  timespec ts;
  if (syscall(SYS_clock_gettime, clock, &ts) != 0) return -1;
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The helper wakes every tick. The CPU time a task used between the start of its wait and the
// helper's first look at it is not counted, so a limit is met within one tick. Ten looks per
// limit, at most every 10 ms: 100 wake-ups a second of a thread that does almost nothing.
int64_t Tick() {
  Watch& w = W();
  int64_t least = 0;
  for (int64_t limit : {w.cpuLimit.load(), w.wallLimit.load()}) {
    if (limit > 0 && (least == 0 || limit < least)) least = limit;
  }
  int64_t tick = least / 10;
  return tick < kMs ? kMs : tick > 10 * kMs ? 10 * kMs : tick;
}

void Record(const Sent& s) {
  Watch& w = W();
  std::lock_guard<std::mutex> lock(w.mu);
  for (auto& e : w.sent) {
    if (e.tid == s.tid) return;  // a signal already on its way: the first one's figures stand
  }
  w.sent.push_back(s);
  w.sentCount.store(static_cast<int>(w.sent.size()));
}

void* Helper(void*) {
  ReadableTsc();
  Watch& w = W();
  uint64_t seen = 0;  // the wait being measured
  clockid_t cpuClock = 0;
  int64_t startCpu = 0, startWall = 0;
  int looks = 0;  // looks since the signal was sent for this wait (0: not sent)
  for (;;) {
    int64_t tick = Tick();
    timespec ts = {static_cast<time_t>(tick / 1'000'000'000), static_cast<long>(tick % 1'000'000'000)};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, nullptr);
    uint64_t s1 = w.seq.load(std::memory_order_acquire);
    if ((s1 & 1) == 0) continue;  // nothing is running
    pid_t tid = w.tid.load(std::memory_order_relaxed);
    pid_t pid = w.pid.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (w.seq.load(std::memory_order_relaxed) != s1) continue;  // it changed while we read
    if (s1 != seen) {
      // A new wait. The process CPU clock (not the thread's: Linux refuses another process's
      // thread clocks) counts only this task: every other managed task sits in a ptrace stop.
      seen = s1;
      looks = 0;
      startWall = Now(CLOCK_MONOTONIC);
      startCpu = clock_getcpuclockid(pid, &cpuClock) == 0 ? Now(cpuClock) : -1;
      continue;
    }
    if (looks > 0) {
      // Sent, and the wait goes on. The signal may have been lost (a SIGCONT generated in
      // between discards pending stop signals): send it again now and then.
      if (++looks % 10 == 0) syscall(SYS_tgkill, pid, tid, SIGSTOP);
      continue;
    }
    // CPU first, wall last (the reverse of the start): the wall interval then contains the CPU
    // one, so a report never says the task used more CPU than time passed.
    int64_t cpu = startCpu < 0 ? 0 : Now(cpuClock) - startCpu;
    int64_t wall = Now(CLOCK_MONOTONIC) - startWall;
    int64_t cpuLimit = w.cpuLimit.load(), wallLimit = w.wallLimit.load();
    int limit = cpuLimit > 0 && cpu >= cpuLimit ? kLimitCpu : wallLimit > 0 && wall >= wallLimit ? kLimitWall : 0;
    if (limit == 0) continue;
    // If the task stops on its own meanwhile, the signal stays pending and its delivery-stop
    // comes after the next resume: still reported as this interruption (the time was used).
    Record({tid, limit, cpu, wall});
    syscall(SYS_tgkill, pid, tid, SIGSTOP);
    looks = 1;
  }
  return nullptr;
}

}  // namespace

void BeginWatch(pid_t tid, pid_t pid) {
  Watch& w = W();
  // Seqlock writer: the fence keeps these stores after the end of the previous wait.
  std::atomic_thread_fence(std::memory_order_release);
  w.tid.store(tid, std::memory_order_relaxed);
  w.pid.store(pid, std::memory_order_relaxed);
  w.seq.fetch_add(1, std::memory_order_release);
}

void EndWatch() { W().seq.fetch_add(1, std::memory_order_release); }

bool Watching() {
  Watch& w = W();
  return w.cpuLimit.load(std::memory_order_relaxed) > 0 || w.wallLimit.load(std::memory_order_relaxed) > 0;
}

bool TakeSent(pid_t tid, int64_t* s) {
  Watch& w = W();
  if (w.sentCount.load() == 0) return false;
  std::lock_guard<std::mutex> lock(w.mu);
  for (size_t i = 0; i < w.sent.size(); i++) {
    if (w.sent[i].tid != tid) continue;
    if (s) {
      s[kMsg] = w.sent[i].limit;
      s[kArg0] = w.sent[i].cpu;
      s[kArg0 + 1] = w.sent[i].wall;
    }
    w.sent.erase(w.sent.begin() + static_cast<long>(i));
    w.sentCount.store(static_cast<int>(w.sent.size()));
    return true;
  }
  return false;
}

// watchRuns(cpuNs, wallNs): the limits of a watched run (0n: none). The helper thread starts on
// the first call; it inherits the caller's CPU affinity, so it shares the simulator's CPU.
Napi::Value WatchRuns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t cpu, wall;
  if (!ArgBigInt(info, 0, &cpu) || !ArgBigInt(info, 1, &wall)) return {};
  if (cpu < 0 || wall < 0) {
    Napi::RangeError::New(env, "watchRuns: limits must not be negative").ThrowAsJavaScriptException();
    return {};
  }
  Watch& w = W();
  w.cpuLimit.store(cpu);
  w.wallLimit.store(wall);
  if ((cpu > 0 || wall > 0) && !w.helperStarted) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // The helper must never take a signal meant for Node's threads.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&thread, &attr, Helper, nullptr);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
    if (err != 0) {
      ThrowErrno(env, "watchRuns: pthread_create", err);
      return {};
    }
    w.helperStarted = true;
  }
  return env.Undefined();
}

}  // namespace shadow
