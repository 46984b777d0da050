// The stop loop: resumeWait(), poll(), setSyscall(); register access and syscall injection.
// One addon call per syscall: resume the current stop, wait for the next, decode it into the
// preallocated stop record (docs/ptrace-notes.md §11). Status decoding follows the SEIZE-mode
// table in docs/ptrace-notes.md §2.
#include "native.h"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

namespace shadow {
namespace {

constexpr long kOrigRax = offsetof(user_regs_struct, orig_rax);
constexpr long kRax = offsetof(user_regs_struct, rax);

long Poke(pid_t tid, long off, int64_t v) {
  return ptrace(PTRACE_POKEUSER, tid, reinterpret_cast<void*>(off), reinterpret_cast<void*>(v));
}

// Performs the resume. Returns 0, or the errno of the first failing ptrace call other than
// ESRCH: ESRCH means the task is gone or was woken by SIGKILL (ptrace-notes §4), and the wait that follows
// reports what happened to it.
int DoResume(pid_t tid, int mode, int64_t value) {
  long r = 0;
  switch (mode) {
    case kContinue:
      r = ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(value));
      break;
    case kReturn:  // skip + value: orig_rax=-1, rax=value, CONT; no exit stop needed (ptrace-notes §3)
      r = Poke(tid, kOrigRax, -1);
      if (r == 0) r = Poke(tid, kRax, value);
      if (r == 0) r = ptrace(PTRACE_CONT, tid, nullptr, nullptr);
      break;
    case kToExit:  // the next stop of this task is its syscall-exit stop 0x85 (ptrace-notes §3)
      r = ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);
      break;
    case kSetReturn:  // at 0x85 rax can still be changed (ptrace-notes §3)
      r = Poke(tid, kRax, value);
      if (r == 0) r = ptrace(PTRACE_CONT, tid, nullptr, nullptr);
      break;
    case kResumeNone:
      break;
    case kRestart: {  // tracer-managed restart (docs/ptrace-notes.md §5)
      // Skip the call with rax = nr and step rip back over the 2-byte `syscall`: after a signal
      // handler returns through sigreturn, the instruction runs again and traps anew.
      errno = 0;
      long rip = ptrace(PTRACE_PEEKUSER, tid, reinterpret_cast<void*>(offsetof(user_regs_struct, rip)), nullptr);
      r = errno ? -1 : Poke(tid, kOrigRax, -1);
      if (r == 0) r = Poke(tid, kRax, value);
      if (r == 0) r = Poke(tid, offsetof(user_regs_struct, rip), rip - 2);
      if (r == 0) r = ptrace(PTRACE_CONT, tid, nullptr, nullptr);
      break;
    }
    default:
      return EINVAL;
  }
  if (r < 0 && errno != ESRCH) return errno;
  return 0;
}

void Clear(int64_t* s) { std::memset(s, 0, sizeof(int64_t) * STOP_WORDS); }

// Fills Nr/Arg0..5/Ip/Sp/Msg at a seccomp stop, or Msg/Ip/Sp at a syscall-exit stop.
// GET_SYSCALL_INFO is cheaper than GETREGS (214 vs 319 ns, ptrace-notes §3). If the task was killed in the
// meantime the call fails (ESRCH) and the words keep their defaults (Nr = -1).
void FillSyscall(pid_t tid, int64_t* s) {
  __ptrace_syscall_info si;
  if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof si), &si) <= 0) return;
  s[kIp] = static_cast<int64_t>(si.instruction_pointer);
  s[kSp] = static_cast<int64_t>(si.stack_pointer);
  if (si.op == PTRACE_SYSCALL_INFO_SECCOMP) {
    s[kNr] = static_cast<int64_t>(si.seccomp.nr);
    for (int i = 0; i < 6; i++) s[kArg0 + i] = static_cast<int64_t>(si.seccomp.args[i]);
    s[kMsg] = si.seccomp.ret_data;  // the filter's SECCOMP_RET_DATA (always 0 today)
  } else if (si.op == PTRACE_SYSCALL_INFO_EXIT) {
    s[kMsg] = si.exit.rval;
    // The exit record has no nr; orig_rax still holds it (-1 if the call was skipped, ptrace-notes §3).
    errno = 0;
    long nr = ptrace(PTRACE_PEEKUSER, tid, reinterpret_cast<void*>(kOrigRax), nullptr);
    if (errno == 0) s[kNr] = nr;
  }
}

int64_t EventMsg(pid_t tid) {
  unsigned long msg = 0;
  if (ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg) < 0) return -1;
  return static_cast<int64_t>(msg);
}

// Ip/Sp for the rare stops that are not syscall stops (Exec: entry point and initial stack with
// argv/envp/auxv; Signal: the faulting instruction). One GETREGS (319 ns, ptrace-notes §3).
void FillRegs(pid_t tid, int64_t* s) {
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) == 0) {
    s[kIp] = static_cast<int64_t>(regs.rip);
    s[kSp] = static_cast<int64_t>(regs.rsp);
  }
}

// Signal-delivery-stop: si_code, si_addr, si_pid, si_status into Arg0..Arg3 (the last three
// share a union in siginfo_t; which one is meaningful depends on the signal and si_code), plus
// Ip/Sp, so that a crash can be reported from the stop alone (ptrace-notes §10).
void FillSignal(pid_t tid, int64_t* s) {
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) == 0) {
    s[kArg0] = si.si_code;
    s[kArg0 + 1] = static_cast<int64_t>(reinterpret_cast<uintptr_t>(si.si_addr));
    s[kArg0 + 2] = si.si_pid;
    s[kArg0 + 3] = si.si_status;
  }
  FillRegs(tid, s);
}

}  // namespace

// Decodes one waitpid result into the stop record and returns its kind.
int Decode(pid_t tid, int status, int64_t* s) {
  Clear(s);
  s[kTid] = tid;
  s[kNr] = -1;
  s[kStatus] = status;
  int kind;
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    TakeSent(tid, nullptr);  // its SIGSTOP died with it
    ReleaseSpawn(tid);       // a spawned child that never exec'd
  }
  if (WIFEXITED(status)) {
    kind = kExited;
    s[kMsg] = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    kind = kSignaled;
    s[kMsg] = WTERMSIG(status);
  } else if (WIFSTOPPED(status)) {
    int sig = WSTOPSIG(status);
    int event = (status >> 16) & 0xff;
    switch (event) {
      case PTRACE_EVENT_SECCOMP:
        kind = kSyscall;
        FillSyscall(tid, s);
        break;
      case PTRACE_EVENT_FORK: kind = kFork; s[kMsg] = EventMsg(tid); break;
      case PTRACE_EVENT_VFORK: kind = kVfork; s[kMsg] = EventMsg(tid); break;
      case PTRACE_EVENT_CLONE: kind = kClone; s[kMsg] = EventMsg(tid); break;
      case PTRACE_EVENT_EXEC:
        kind = kExec;
        ReleaseSpawn(tid);  // it no longer reads the simulator's memory (spawn.cc)
        s[kMsg] = EventMsg(tid);
        FillRegs(tid, s);
        break;
      case PTRACE_EVENT_EXIT: kind = kExitEvent; s[kMsg] = EventMsg(tid); break;
      case PTRACE_EVENT_VFORK_DONE: kind = kVforkDone; s[kMsg] = EventMsg(tid); break;
      case PTRACE_EVENT_STOP:
        // SIGTRAP: initial stop of an auto-attached task, PTRACE_INTERRUPT or LISTEN re-trap.
        // A stop signal: group-stop (ptrace-notes §2: tell it from a delivery-stop by the event number).
        kind = sig == SIGTRAP ? kEventStop : kGroupStop;
        s[kMsg] = sig;
        break;
      default:
        if (sig == (SIGTRAP | 0x80)) {  // TRACESYSGOOD marks syscall stops
          kind = kSyscallExit;
          FillSyscall(tid, s);
        } else if (sig == SIGSTOP && TakeSent(tid, s)) {
          kind = kInterrupted;  // the watch helper's SIGSTOP (watch.cc); resume with CONT(0)
          FillRegs(tid, s);
        } else {
          kind = kSignal;
          s[kMsg] = sig;
          FillSignal(tid, s);
        }
    }
  } else {
    kind = kNone;  // WIFCONTINUED is not requested; should not happen
  }
  s[kKind] = kind;
  return kind;
}

int NoStopRecord(int64_t* s, int err) {
  Clear(s);
  s[kNr] = -1;
  s[kMsg] = -err;
  return kNone;
}

// resumeWait(tid, mode, value, waitTid[, watchPid]): resume `tid`, wait for the next stop of
// `waitTid` (-1: any traced task; 0: don't wait), decode it. With `watchPid` (the real pid of
// waitTid's process) and limits set by watchRuns, the wait is watched (watch.cc).
Napi::Value ResumeWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t tid, mode, waitTid;
  int64_t value;
  if (!ArgInt(info, 0, &tid) || !ArgInt(info, 1, &mode) || !ArgBigInt(info, 2, &value) ||
      !ArgInt(info, 3, &waitTid))
    return {};
  int32_t watchPid = 0;
  if (info.Length() > 4 && !info[4].IsUndefined() && !ArgInt(info, 4, &watchPid)) return {};
  int64_t* s = StopRecord(env);
  // Published before the resume: the task may run into its limit at once.
  bool watched = watchPid > 0 && waitTid > 0 && Watching();
  if (watched) BeginWatch(waitTid, watchPid);

  bool notified = false;
  int err = NotifyOn() ? NotifyResume(tid, mode, value, &notified) : 0;
  if (!notified) err = DoResume(tid, mode, value);
  if (err) {
    if (watched) EndWatch();
    ThrowErrno(env, mode < 0 || mode > kRestart ? "resumeWait: bad mode" : "resumeWait: ptrace",
               err);
    return {};
  }
  if (waitTid == 0) return Napi::Number::New(env, NoStopRecord(s, 0));
  if (NotifyOn()) {
    int kind = NotifyWait(waitTid, s, true);
    if (watched) EndWatch();
    return Napi::Number::New(env, kind);
  }

  int status;
  pid_t got;
  do got = waitpid(waitTid, &status, __WALL); while (got < 0 && errno == EINTR);
  if (watched) EndWatch();
  int kind = got < 0 ? NoStopRecord(s, errno) : Decode(got, status, s);
  return Napi::Number::New(env, kind);
}

// poll(): waitpid(-1, __WALL|WNOHANG) and decode; StopKind.None when nothing is pending
// (Msg = -errno when the wait failed, e.g. -ECHILD with no tracees left).
Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t* s = StopRecord(env);
  if (NotifyOn()) return Napi::Number::New(env, NotifyWait(-1, s, false));
  int status;
  pid_t got;
  do got = waitpid(-1, &status, __WALL | WNOHANG); while (got < 0 && errno == EINTR);
  int kind = got < 0 ? NoStopRecord(s, errno) : got == 0 ? NoStopRecord(s, 0) : Decode(got, status, s);
  return Napi::Number::New(env, kind);
}

// setSyscall(tid, nr, args): at a seccomp stop, replace orig_rax and the six argument registers.
// The kernel re-runs the filter on the rewritten call (ptrace-notes §3).
Napi::Value SetSyscall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t tid, nr;
  if (!ArgInt(info, 0, &tid) || !ArgInt(info, 1, &nr)) return {};
  if (info.Length() < 3 || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array ||
      info[2].As<Napi::BigInt64Array>().ElementLength() < 6) {
    Napi::TypeError::New(env, "setSyscall: args must be a BigInt64Array of 6 words")
        .ThrowAsJavaScriptException();
    return {};
  }
  const int64_t* a = info[2].As<Napi::BigInt64Array>().Data();
  if (NotifyOn() && NotifySetSyscall(tid, nr, a)) return env.Undefined();
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) < 0) {
    ThrowErrno(env, "setSyscall: PTRACE_GETREGS", errno);
    return {};
  }
  regs.orig_rax = static_cast<uint64_t>(static_cast<int64_t>(nr));
  regs.rdi = a[0];
  regs.rsi = a[1];
  regs.rdx = a[2];
  regs.r10 = a[3];
  regs.r8 = a[4];
  regs.r9 = a[5];
  if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) < 0) {
    ThrowErrno(env, "setSyscall: PTRACE_SETREGS", errno);
    return {};
  }
  return env.Undefined();
}

}  // namespace shadow

namespace shadow {

// setSignalSender(tid, code, pid): at a signal-delivery-stop, rewrite who the siginfo says sent
// the signal (si_code, si_pid), leaving the rest as the kernel filled it. Returns 0 or -errno.
Napi::Value SetSignalSender(const Napi::CallbackInfo& info) {
  int32_t tid, code, pid, status = 0;
  if (!ArgInt(info, 0, &tid) || !ArgInt(info, 1, &code) || !ArgInt(info, 2, &pid)) return {};
  bool withStatus = info.Length() > 3 && !info[3].IsUndefined();
  if (withStatus && !ArgInt(info, 3, &status)) return {};
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) < 0) return Napi::Number::New(info.Env(), -errno);
  si.si_code = code;
  si.si_pid = pid;
  if (withStatus) si.si_status = status;
  long r = ptrace(PTRACE_SETSIGINFO, tid, nullptr, &si);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

}  // namespace shadow

namespace shadow {
namespace {

constexpr int kRegWords = sizeof(user_regs_struct) / sizeof(uint64_t);
static_assert(kRegWords == 27, "user_regs_struct is 27 words on x86_64 (index.d.ts Reg)");

// Checks that argument `i` is a BigInt64Array of at least `words` words; TypeError otherwise.
bool ArgWords(const Napi::CallbackInfo& info, size_t i, size_t words, const char* what, int64_t** out) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array ||
      info[i].As<Napi::BigInt64Array>().ElementLength() < words) {
    Napi::TypeError::New(info.Env(), what).ThrowAsJavaScriptException();
    return false;
  }
  *out = info[i].As<Napi::BigInt64Array>().Data();
  return true;
}

}  // namespace

// getRegisters(tid, out): the task's user_regs_struct into `out` (27 words). 0 or -errno.
Napi::Value GetRegisters(const Napi::CallbackInfo& info) {
  int32_t tid;
  int64_t* out;
  if (!ArgInt(info, 0, &tid) ||
      !ArgWords(info, 1, kRegWords, "getRegisters: out must be a BigInt64Array of 27 words", &out))
    return {};
  user_regs_struct regs;
  long r = ptrace(PTRACE_GETREGS, tid, nullptr, &regs);
  if (r == 0) std::memcpy(out, &regs, sizeof regs);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// setRegisters(tid, regs): write the whole user_regs_struct (27 words). 0 or -errno.
Napi::Value SetRegisters(const Napi::CallbackInfo& info) {
  int32_t tid;
  int64_t* in;
  if (!ArgInt(info, 0, &tid) ||
      !ArgWords(info, 1, kRegWords, "setRegisters: regs must be a BigInt64Array of 27 words", &in))
    return {};
  user_regs_struct regs;
  std::memcpy(&regs, in, sizeof regs);
  long r = ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// injectSyscall(tid, ip, nr, args): at a stop where the registers are the program's and a resume
// returns to user mode (a syscall-exit stop), make the task run syscall `nr` with `args` by
// pointing rip at a `syscall` instruction (`ip`), then put every register and the signal mask
// back (docs/ptrace-notes.md §12). Signals are blocked meanwhile (PTRACE_SETSIGMASK), so none is
// delivered between the stops; a seccomp stop on the way lets the call run natively. Returns the
// call's result, or null if the task reached another stop first (e.g. an ExitEvent after a
// SIGKILL), which is then decoded into the stop record. Throws on ptrace errors.
Napi::Value InjectSyscall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t tid, nr;
  int64_t ip;
  int64_t* args;
  if (!ArgInt(info, 0, &tid) || !ArgBigInt(info, 1, &ip) || !ArgInt(info, 2, &nr) ||
      !ArgWords(info, 3, 6, "injectSyscall: args must be a BigInt64Array of 6 words", &args))
    return {};
  user_regs_struct saved, regs;
  uint64_t mask, all = ~0ULL;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &saved) < 0 ||
      ptrace(PTRACE_GETSIGMASK, tid, reinterpret_cast<void*>(sizeof mask), &mask) < 0) {
    ThrowErrno(env, "injectSyscall: reading the task's state", errno);
    return {};
  }
  regs = saved;
  regs.rip = static_cast<uint64_t>(ip);
  regs.rax = static_cast<uint64_t>(static_cast<int64_t>(nr));
  regs.orig_rax = ~0ULL;  // not in a syscall: no restart logic applies on the way out
  regs.rdi = args[0];
  regs.rsi = args[1];
  regs.rdx = args[2];
  regs.r10 = args[3];
  regs.r8 = args[4];
  regs.r9 = args[5];
  if (ptrace(PTRACE_SETSIGMASK, tid, reinterpret_cast<void*>(sizeof all), &all) < 0 ||
      ptrace(PTRACE_SETREGS, tid, nullptr, &regs) < 0) {
    ThrowErrno(env, "injectSyscall: setting up the call", errno);
    return {};
  }
  // Stops on the way: syscall-entry (PTRACE_SYSCALL), a seccomp stop if the filter traps `nr`,
  // then the syscall-exit stop with the result. Anything else ends the injection.
  for (;;) {
    if (ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr) < 0) {
      ThrowErrno(env, "injectSyscall: PTRACE_SYSCALL", errno);
      return {};
    }
    int status;
    pid_t got;
    if (NotifyOn()) got = NotifyWaitOwn(tid, &status);
    else do got = waitpid(tid, &status, __WALL); while (got < 0 && errno == EINTR);
    if (got < 0) {
      ThrowErrno(env, "injectSyscall: waitpid", errno);
      return {};
    }
    bool syscallStop = WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80);
    bool seccompStop = WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_SECCOMP;
    if (seccompStop) continue;
    if (!syscallStop) {
      Decode(got, status, StopRecord(env));
      return env.Null();
    }
    __ptrace_syscall_info si;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof si), &si) <= 0) {
      ThrowErrno(env, "injectSyscall: PTRACE_GET_SYSCALL_INFO", errno);
      return {};
    }
    if (si.op != PTRACE_SYSCALL_INFO_EXIT) continue;
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &saved) < 0 ||
        ptrace(PTRACE_SETSIGMASK, tid, reinterpret_cast<void*>(sizeof mask), &mask) < 0) {
      ThrowErrno(env, "injectSyscall: restoring the task's state", errno);
      return {};
    }
    return Napi::BigInt::New(env, static_cast<int64_t>(si.exit.rval));
  }
}

}  // namespace shadow
