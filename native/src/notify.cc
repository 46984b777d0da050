// The seccomp user-notification channel (backend "notify", docs/ptrace-notes.md §13).
//
// A process spawned with `traced` gets a filter that answers the common syscalls through a
// listener fd (SECCOMP_RET_USER_NOTIF) and keeps ptrace stops for the `traced` set (exec, clone:
// what needs registers or ptrace events). The stops of both kinds reach the same stop record:
// a notification becomes a Syscall stop the tracer answers with NOTIF_SEND. Waiting covers both
// sources with one epoll set: the listeners, and an eventfd a reaper thread writes when
// waitid(WNOWAIT) sees a ptrace stop (no other way to wait for one is pollable).
//
// What a notification cannot do — run the call natively to its exit stop, or with rewritten
// arguments — is done by turning it into a ptrace stop: PTRACE_INTERRUPT, answer -ERESTARTNOINTR,
// set the registers at the interrupt's event-stop, and let the kernel restart the call under
// PTRACE_SYSCALL (its notification is then answered CONTINUE), signals blocked until it is issued. The filter is installed with
// WAIT_KILLABLE_RECV, so a received notification is only ended by a fatal signal: a signal the
// tracer queues for a waiting thread is delivered when the answer is sent, as at a ptrace stop.
#include "native.h"

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <linux/seccomp.h>
#include <mutex>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace shadow {
namespace {

constexpr int64_t kRestartNoIntr = 513;  // ERESTARTNOINTR: the kernel restarts the call on the way out
constexpr int kListenerFd = 3;           // the child closes fds above 2 before seccomp() (child.cc)

struct Rewrite {
  int64_t nr;
  int64_t args[6];
};

// A notified call turned into a ptrace-run one: whether its syscall-exit stop is reported, and
// the signal mask to put back at that stop (all signals are blocked until then).
struct Upgraded {
  bool reportExit;
  uint64_t mask;
};

struct Channel {
  bool on = false;
  int epoll = -1;
  int wake = -1;                                 // eventfd written by the reaper
  std::unordered_map<pid_t, uint64_t> held;      // tid -> the notification it waits in
  std::unordered_map<pid_t, Rewrite> rewrites;   // setSyscall at a notified stop
  std::unordered_map<pid_t, Upgraded> upgraded;  // running a notified call under ptrace
  std::unordered_set<pid_t> needListener;        // spawned; its listener is taken at its first stop
  std::deque<std::pair<pid_t, int>> stops;       // ptrace stops taken from the kernel, not yet reported
  std::deque<seccomp_notif> calls;               // notifications received, not yet reported
  std::unordered_map<pid_t, int> listenerOf;     // tid -> the listener its last notification came from
  std::mutex mu;
  std::condition_variable cv;
  bool armed = false;
};

Channel& C() {
  static Channel* c = new Channel();  // never destroyed: the reaper thread outlives module teardown
  return *c;
}

// Sleeps in waitid(WNOWAIT) until some traced task has a stop, tells the tracer through the
// eventfd, and waits to be armed again (the tracer takes the stops first, or this would spin).
void Reap() {
  ReadableTsc();
  Channel& c = C();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(c.mu);
      c.cv.wait(lock, [&] { return c.armed; });
    }
    siginfo_t si;
    while (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | __WALL | WNOWAIT) < 0 && errno == EINTR) {}
    {
      std::lock_guard<std::mutex> lock(c.mu);
      c.armed = false;
    }
    uint64_t one = 1;
    while (write(c.wake, &one, sizeof one) < 0 && errno == EINTR) {}
  }
}

void Arm() {
  Channel& c = C();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.armed) return;
  c.armed = true;
  c.cv.notify_one();
}

// Takes every ptrace stop the kernel holds (the reaper saw one). Note: waitpid(-1), like poll().
void Drain() {
  Channel& c = C();
  uint64_t count;
  while (read(c.wake, &count, sizeof count) < 0 && errno == EINTR) {}
  for (;;) {
    int status;
    pid_t got = waitpid(-1, &status, __WALL | WNOHANG);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    c.stops.emplace_back(got, status);
  }
}

// Receives what listener `fd` has (or notes that it hung up).
void Receive(int fd, uint32_t events) {
  Channel& c = C();
  if (events & EPOLLIN) {
    seccomp_notif n;
    std::memset(&n, 0, sizeof n);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) == 0) {
      c.listenerOf[static_cast<pid_t>(n.pid)] = fd;
      c.calls.push_back(n);
      return;
    }
    if (errno == ENOENT || errno == EINTR) return;  // the caller was killed meanwhile
  }
  if (events & (EPOLLHUP | EPOLLERR)) {  // every task of its tree is gone
    epoll_ctl(c.epoll, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
  }
}

// Blocks (or with `block` false, looks) for the next events of either source.
bool Gather(bool block) {
  Channel& c = C();
  Arm();
  epoll_event ev[8];
  int n;
  do n = epoll_wait(c.epoll, ev, 8, block ? -1 : 0); while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; i++) {
    if (ev[i].data.fd == c.wake) Drain();
    else Receive(ev[i].data.fd, ev[i].events);
  }
  return n > 0;
}

int Send(uint64_t id, int64_t val, uint32_t flags, int fd) {
  seccomp_notif_resp r;
  std::memset(&r, 0, sizeof r);
  r.id = id;
  r.val = val;  // the kernel sets rax = error ?: val, so val carries errors too
  r.flags = flags;
  int rc;
  do rc = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &r); while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != ENOENT) return errno;  // ENOENT: the task was killed while waiting
  return 0;
}

int SendFor(pid_t tid, uint64_t id, int64_t val, uint32_t flags) {
  Channel& c = C();
  auto it = c.listenerOf.find(tid);
  if (it == c.listenerOf.end()) return ESRCH;
  return Send(id, val, flags, it->second);
}

// The first stop of a spawned process: its listener, duplicated into this process.
void TakeListener(pid_t pid) {
  Channel& c = C();
  c.needListener.erase(pid);
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return;
  long fd = syscall(SYS_pidfd_getfd, pidfd, kListenerFd, 0);
  close(static_cast<int>(pidfd));
  if (fd < 0) return;
  uint64_t sync = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
  ioctl(static_cast<int>(fd), SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync);  // best effort (kernel >= 6.6)
  epoll_event ev;
  std::memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = static_cast<int>(fd);
  epoll_ctl(c.epoll, EPOLL_CTL_ADD, static_cast<int>(fd), &ev);
}

bool IsSyscallStop(int status) { return WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80); }
bool IsSeccompStop(int status) { return WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_SECCOMP; }

void Forget(pid_t tid) {
  Channel& c = C();
  c.held.erase(tid);
  c.rewrites.erase(tid);
  c.upgraded.erase(tid);
  c.listenerOf.erase(tid);
}

// A ptrace stop taken from the kernel: reported (its kind), or handled here (0).
int Settle(pid_t tid, int status, int64_t* s) {
  Channel& c = C();
  if (c.needListener.count(tid) && IsSeccompStop(status)) TakeListener(tid);
  auto up = c.upgraded.find(tid);
  if (up != c.upgraded.end()) {
    if (IsSeccompStop(status)) {  // the restarted call is in the traced set: on to its exit
      ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);
      return 0;
    }
    if (IsSyscallStop(status)) {
      __ptrace_syscall_info si;
      long got = ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof si), &si);
      if (got > 0 && si.op == PTRACE_SYSCALL_INFO_ENTRY) {
        ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);
        return 0;
      }
      bool report = up->second.reportExit;
      uint64_t mask = up->second.mask;
      ptrace(PTRACE_SETSIGMASK, tid, reinterpret_cast<void*>(sizeof mask), &mask);
      c.upgraded.erase(up);
      if (!report) {
        ptrace(PTRACE_CONT, tid, nullptr, nullptr);
        return 0;
      }
    } else {
      c.upgraded.erase(up);  // killed or signalled on the way: reported as it is
    }
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    Forget(tid);
    c.needListener.erase(tid);
  } else if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_EXIT) {
    Forget(tid);
  }
  return Decode(tid, status, s);
}

// A notification: reported as a Syscall stop, or answered here (0) for a call being run under ptrace.
int Note(const seccomp_notif& n, int64_t* s) {
  Channel& c = C();
  pid_t tid = static_cast<pid_t>(n.pid);
  if (c.upgraded.count(tid)) {
    SendFor(tid, n.id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    return 0;
  }
  c.held[tid] = n.id;
  std::memset(s, 0, sizeof(int64_t) * STOP_WORDS);
  s[kKind] = kSyscall;
  s[kTid] = tid;
  s[kNr] = n.data.nr;
  for (int i = 0; i < 6; i++) s[kArg0 + i] = static_cast<int64_t>(n.data.args[i]);
  s[kIp] = static_cast<int64_t>(n.data.instruction_pointer);
  s[kSp] = 0;  // not in a notification; the calls that need it (clone) are traced
  return kSyscall;
}

// Takes the first kept ptrace stop of `tid` (-1: of any task).
bool TakeStop(pid_t tid, std::pair<pid_t, int>* out) {
  Channel& c = C();
  for (auto it = c.stops.begin(); it != c.stops.end(); ++it) {
    if (tid != -1 && it->first != tid) continue;
    *out = *it;
    c.stops.erase(it);
    return true;
  }
  return false;
}

// Takes the first kept notification of `tid` (-1: of any task).
bool TakeCall(pid_t tid, seccomp_notif* out) {
  Channel& c = C();
  for (auto it = c.calls.begin(); it != c.calls.end(); ++it) {
    if (tid != -1 && static_cast<pid_t>(it->pid) != tid) continue;
    *out = *it;
    c.calls.erase(it);
    return true;
  }
  return false;
}

// Waits for the next stop of `tid` itself (ptrace or notification), for a sequence the tracer
// drives: other tasks' events are kept for later. Returns what waitpid would.
pid_t WaitOwn(pid_t tid, int* status) {
  for (;;) {
    std::pair<pid_t, int> stop;
    if (TakeStop(tid, &stop)) {
      *status = stop.second;
      return tid;
    }
    seccomp_notif n;
    if (TakeCall(tid, &n)) {
      SendFor(tid, n.id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);  // a call the sequence runs natively
      continue;
    }
    pid_t got = waitpid(tid, status, __WALL | WNOHANG);
    if (got != 0 && !(got < 0 && errno == EINTR)) return got;
    Gather(true);
  }
}

// Runs the notified call of `tid` under ptrace (see the top of the file).
int Upgrade(pid_t tid, uint64_t id, bool reportExit) {
  Channel& c = C();
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) < 0) return errno == ESRCH ? 0 : errno;
  if (int err = SendFor(tid, id, -kRestartNoIntr, 0)) return err;
  int status;
  if (WaitOwn(tid, &status) != tid) return 0;
  if (!WIFSTOPPED(status) || (status >> 16) != PTRACE_EVENT_STOP) {
    c.stops.emplace_front(tid, status);  // killed on the way: reported by the next wait
    return 0;
  }
  // Until the call has run no signal may come in between: a handler's calls would look like
  // this one's, and a pending one would end the restarted call's notification before it is
  // received (-ERESTARTSYS). Blocked here, the mask is put back at the syscall-exit stop, as
  // injectSyscall does; so calls that change the mask are not run this way (backend.ts).
  uint64_t mask, all = ~0ULL;
  if (ptrace(PTRACE_GETSIGMASK, tid, reinterpret_cast<void*>(sizeof mask), &mask) < 0 ||
      ptrace(PTRACE_SETSIGMASK, tid, reinterpret_cast<void*>(sizeof all), &all) < 0)
    return errno;
  auto rw = c.rewrites.find(tid);
  if (rw != c.rewrites.end()) {
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) < 0) return errno;
    // rax stays -ERESTARTNOINTR: leaving the event-stop, the kernel sets rax = orig_rax and
    // steps rip back over `syscall`, so the rewritten call is the one issued again.
    regs.orig_rax = static_cast<uint64_t>(rw->second.nr);
    regs.rdi = rw->second.args[0];
    regs.rsi = rw->second.args[1];
    regs.rdx = rw->second.args[2];
    regs.r10 = rw->second.args[3];
    regs.r8 = rw->second.args[4];
    regs.r9 = rw->second.args[5];
    c.rewrites.erase(rw);
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) < 0) return errno;
  }
  c.upgraded[tid] = {reportExit, mask};
  if (ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr) < 0 && errno != ESRCH) return errno;
  return 0;
}

}  // namespace

bool NotifyOn() { return C().on; }

void NotifySpawned(pid_t pid) {
  Channel& c = C();
  if (!c.on) {
    c.epoll = epoll_create1(EPOLL_CLOEXEC);
    c.wake = eventfd(0, EFD_CLOEXEC);
    epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = c.wake;
    epoll_ctl(c.epoll, EPOLL_CTL_ADD, c.wake, &ev);
    std::thread(Reap).detach();  // inherits the tracer's CPU affinity
    c.on = true;
  }
  c.needListener.insert(pid);
}

int NotifyResume(pid_t tid, int mode, int64_t value, bool* handled) {
  Channel& c = C();
  auto it = c.held.find(tid);
  if (it == c.held.end()) {
    *handled = false;
    return 0;
  }
  *handled = true;
  if (mode == kResumeNone) return 0;
  uint64_t id = it->second;
  c.held.erase(it);
  if (mode == kToExit || c.rewrites.count(tid)) return Upgrade(tid, id, mode == kToExit);
  switch (mode) {
    case kContinue: return SendFor(tid, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    case kReturn: return SendFor(tid, id, value, 0);
    // A signal is queued: leaving the call it is delivered, then the call is issued again.
    case kRestart: return SendFor(tid, id, -kRestartNoIntr, 0);
    default: c.held[tid] = id; return EINVAL;  // kSetReturn: not at a syscall-exit stop
  }
}

int NotifyWait(pid_t waitTid, int64_t* s, bool block) {
  Channel& c = C();
  for (;;) {
    std::pair<pid_t, int> stop;
    if (TakeStop(waitTid, &stop)) {
      if (int kind = Settle(stop.first, stop.second, s)) return kind;
      continue;
    }
    seccomp_notif n;
    if (TakeCall(waitTid, &n)) {
      if (Note(n, s)) return kSyscall;
      continue;
    }
    if (!Gather(block) && !block) {
      // Nothing pending; tell "nothing to wait for" apart as poll() does.
      siginfo_t si;
      si.si_pid = 0;
      if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | __WALL | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
        return NoStopRecord(s, ECHILD);
      return NoStopRecord(s, 0);
    }
    if (waitTid > 0 && c.stops.empty() && c.calls.empty()) {
      // A spurious wake-up, or the waited task is gone and nothing will come: ask the kernel.
      int status;
      pid_t got = waitpid(waitTid, &status, __WALL | WNOHANG);
      if (got < 0 && errno == ECHILD) return NoStopRecord(s, ECHILD);
      if (got > 0) c.stops.emplace_back(got, status);
    }
  }
}

pid_t NotifyWaitOwn(pid_t tid, int* status) { return WaitOwn(tid, status); }

bool NotifySetSyscall(pid_t tid, int64_t nr, const int64_t* args) {
  Channel& c = C();
  if (!c.held.count(tid)) return false;
  Rewrite r;
  r.nr = nr;
  std::memcpy(r.args, args, sizeof r.args);
  c.rewrites[tid] = r;
  return true;
}

}  // namespace shadow
