// Module init of the shadow-ts native addon, plus the one-syscall helpers (signal, queueSignal,
// copyDescriptor, pinSelf, currentCpu) and the shared argument helpers.
#include "native.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <initializer_list>
#include <utility>
#include <sched.h>
#include <cstddef>
#include <limits>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <unistd.h>

namespace shadow {

void ThrowErrno(Napi::Env env, const char* what, int err) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
}

bool ArgInt(const Napi::CallbackInfo& info, size_t i, int32_t* out) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = info[i].As<Napi::Number>().Int32Value();
  return true;
}

bool ArgBigInt(const Napi::CallbackInfo& info, size_t i, int64_t* out) {
  bool lossless = false;
  if (i < info.Length() && info[i].IsBigInt()) {
    // Addresses above 2^63 (e.g. the vsyscall page) arrive as unsigned BigInts; values such as
    // negative errnos arrive signed. Accept either as long as it fits 64 bits.
    Napi::BigInt b = info[i].As<Napi::BigInt>();
    int64_t v = b.Int64Value(&lossless);
    if (!lossless) v = static_cast<int64_t>(b.Uint64Value(&lossless));
    *out = v;
  }
  if (!lossless) {
    Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a 64-bit bigint")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// tgkill(tgid, tid, sig) on real ids; 0 or -errno.
static Napi::Value Signal(const Napi::CallbackInfo& info) {
  int32_t tgid, tid, sig;
  if (!ArgInt(info, 0, &tgid) || !ArgInt(info, 1, &tid) || !ArgInt(info, 2, &sig)) return {};
  long r = syscall(SYS_tgkill, tgid, tid, sig);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// rt_tgsigqueueinfo(tgid, tid, sig, info): a signal with a siginfo of the caller's (128 bytes).
// The kernel takes it as it is, but from another process only with a negative si_code
// (SI_QUEUE, SI_TIMER, …): EPERM otherwise.
static Napi::Value QueueSignal(const Napi::CallbackInfo& info) {
  int32_t tgid, tid, sig;
  if (!ArgInt(info, 0, &tgid) || !ArgInt(info, 1, &tid) || !ArgInt(info, 2, &sig)) return {};
  if (info.Length() < 4 || !info[3].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[3].As<Napi::Uint8Array>().ByteLength() != sizeof(siginfo_t)) {
    Napi::TypeError::New(info.Env(), "queueSignal: argument 3 must be a Uint8Array of 128 bytes")
        .ThrowAsJavaScriptException();
    return {};
  }
  long r = syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, info[3].As<Napi::Uint8Array>().Data());
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// At a signal-delivery-stop: PTRACE_GETSIGINFO into `info` (128 bytes), or with `set`
// PTRACE_SETSIGINFO from it. 0 or -errno.
static Napi::Value SignalInfo(const Napi::CallbackInfo& info) {
  int32_t tid;
  if (!ArgInt(info, 0, &tid)) return {};
  if (info.Length() < 3 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[1].As<Napi::Uint8Array>().ByteLength() != sizeof(siginfo_t) || !info[2].IsBoolean()) {
    Napi::TypeError::New(info.Env(), "signalInfo: (tid, a Uint8Array of 128 bytes, set)").ThrowAsJavaScriptException();
    return {};
  }
  bool set = info[2].As<Napi::Boolean>().Value();
  long r = ptrace(set ? PTRACE_SETSIGINFO : PTRACE_GETSIGINFO, tid, nullptr, info[1].As<Napi::Uint8Array>().Data());
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// pidfd_open + pidfd_getfd: a duplicate in this process of descriptor `fd` of process `pid` (the
// same open file description, close-on-exec); the new fd or -errno.
static Napi::Value CopyDescriptor(const Napi::CallbackInfo& info) {
  int32_t pid, fd;
  if (!ArgInt(info, 0, &pid) || !ArgInt(info, 1, &fd)) return {};
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return Napi::Number::New(info.Env(), -errno);
  long r = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  int err = errno;
  close(static_cast<int>(pidfd));
  return Napi::Number::New(info.Env(), r < 0 ? -err : r);
}

// resourceLimit(pid, resource): the soft limit of `resource` (RLIMIT_*) of process `pid`, from
// prlimit(2): Infinity for RLIM_INFINITY, -errno when it cannot be read.
static Napi::Value ResourceLimit(const Napi::CallbackInfo& info) {
  int32_t pid, resource;
  if (!ArgInt(info, 0, &pid) || !ArgInt(info, 1, &resource)) return {};
  struct rlimit limit;
  if (prlimit(pid, static_cast<__rlimit_resource>(resource), nullptr, &limit) < 0) return Napi::Number::New(info.Env(), -errno);
  double soft = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity() : static_cast<double>(limit.rlim_cur);
  return Napi::Number::New(info.Env(), soft);
}

// syscallStack(tid): the stack pointer of `tid`, waiting in a syscall, from /proc/<tid>/syscall
// ("nr args... sp pc"); a notification does not carry it. 0n if it cannot be read.
static Napi::Value SyscallStack(const Napi::CallbackInfo& info) {
  int32_t tid;
  if (!ArgInt(info, 0, &tid)) return {};
  char path[64], text[256];
  snprintf(path, sizeof path, "/proc/%d/syscall", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
  if (fd >= 0) close(fd);
  uint64_t sp = 0;
  if (n > 0) {
    text[n] = '\0';
    char* field = text;
    for (int i = 0; i < 7 && field; i++) {  // skip nr and the six arguments
      field = strchr(field, ' ');
      if (field) field++;
    }
    if (field) sp = strtoull(field, nullptr, 16);
  }
  return Napi::BigInt::New(info.Env(), sp);
}

// Pin the calling thread (pid 0 = caller) to one CPU. Tracer and tracees on one CPU avoid the
// ~30 us cross-vCPU wake-ups on this VM (docs/ptrace-notes.md §11).
static Napi::Value PinSelf(const Napi::CallbackInfo& info) {
  int32_t cpu;
  if (!ArgInt(info, 0, &cpu)) return {};
  if (cpu < 0 || cpu >= CPU_SETSIZE) return Napi::Number::New(info.Env(), -EINVAL);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int r = sched_setaffinity(0, sizeof set, &set);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

static Napi::Value CurrentCpu(const Napi::CallbackInfo& info) {
  int cpu = sched_getcpu();
  return Napi::Number::New(info.Env(), cpu < 0 ? -errno : cpu);
}

// A frozen { name: value } object: the runtime copy of one const enum of index.d.ts.
static Napi::Object Enum(Napi::Env env, std::initializer_list<std::pair<const char*, int>> items) {
  Napi::Object o = Napi::Object::New(env);
  for (auto& [name, value] : items) o.Set(name, Napi::Number::New(env, value));
  o.Freeze();
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // The stop record is allocated once; resumeWait/poll write into its backing store so that a
  // syscall costs one addon crossing and no allocation (docs/ptrace-notes.md §11).
  auto* inst = new Instance();
  Napi::BigInt64Array stop = Napi::BigInt64Array::New(env, STOP_WORDS);
  inst->stop = stop.Data();
  inst->stopRef = Napi::Persistent(stop);
  env.SetInstanceData<Instance>(inst);

  exports.Set("STOP_WORDS", Napi::Number::New(env, STOP_WORDS));
  exports.Set("REG_WORDS", Napi::Number::New(env, sizeof(user_regs_struct) / sizeof(uint64_t)));
  exports.Set("stop", stop);
  // tsc inlines the const enums of index.d.ts; code run by tsx/esbuild cannot, and reads these.
  exports.Set("Stop", Enum(env, {{"Kind", kKind}, {"Tid", kTid}, {"Nr", kNr}, {"Arg0", kArg0},
                                 {"Msg", kMsg}, {"Ip", kIp}, {"Sp", kSp}, {"Status", kStatus}}));
  exports.Set("StopKind",
              Enum(env, {{"None", kNone}, {"Syscall", kSyscall}, {"SyscallExit", kSyscallExit},
                         {"Exec", kExec}, {"Fork", kFork}, {"Vfork", kVfork}, {"Clone", kClone},
                         {"ExitEvent", kExitEvent}, {"Exited", kExited}, {"Signaled", kSignaled},
                         {"Signal", kSignal}, {"GroupStop", kGroupStop},
                         {"EventStop", kEventStop}, {"VforkDone", kVforkDone},
                         {"Interrupted", kInterrupted}}));
  exports.Set("RunLimit", Enum(env, {{"Cpu", kLimitCpu}, {"Wall", kLimitWall}}));
  exports.Set("Resume", Enum(env, {{"Continue", kContinue}, {"Return", kReturn},
                                   {"ToExit", kToExit}, {"SetReturn", kSetReturn},
                                   {"None", kResumeNone}, {"Restart", kRestart}}));
  // Word indexes of user_regs_struct in getRegisters/setRegisters (the ones the core uses).
  constexpr auto word = [](size_t offset) { return static_cast<int>(offset / sizeof(uint64_t)); };
  exports.Set("Reg", Enum(env, {{"Rax", word(offsetof(user_regs_struct, rax))},
                                {"Rcx", word(offsetof(user_regs_struct, rcx))},
                                {"Rdx", word(offsetof(user_regs_struct, rdx))},
                                {"Rip", word(offsetof(user_regs_struct, rip))}}));
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("resumeWait", Napi::Function::New(env, ResumeWait, "resumeWait"));
  exports.Set("watchRuns", Napi::Function::New(env, WatchRuns, "watchRuns"));
  exports.Set("poll", Napi::Function::New(env, Poll, "poll"));
  exports.Set("setSyscall", Napi::Function::New(env, SetSyscall, "setSyscall"));
  exports.Set("setSignalSender", Napi::Function::New(env, SetSignalSender, "setSignalSender"));
  exports.Set("getRegisters", Napi::Function::New(env, GetRegisters, "getRegisters"));
  exports.Set("setRegisters", Napi::Function::New(env, SetRegisters, "setRegisters"));
  exports.Set("injectSyscall", Napi::Function::New(env, InjectSyscall, "injectSyscall"));
  exports.Set("readMemory", Napi::Function::New(env, ReadMemory, "readMemory"));
  exports.Set("writeMemory", Napi::Function::New(env, WriteMemory, "writeMemory"));
  exports.Set("patchMemory", Napi::Function::New(env, PatchMemory, "patchMemory"));
  exports.Set("mapShared", Napi::Function::New(env, MapShared, "mapShared"));
  exports.Set("signal", Napi::Function::New(env, Signal, "signal"));
  exports.Set("queueSignal", Napi::Function::New(env, QueueSignal, "queueSignal"));
  exports.Set("signalInfo", Napi::Function::New(env, SignalInfo, "signalInfo"));
  exports.Set("copyDescriptor", Napi::Function::New(env, CopyDescriptor, "copyDescriptor"));
  exports.Set("resourceLimit", Napi::Function::New(env, ResourceLimit, "resourceLimit"));
  exports.Set("syscallStack", Napi::Function::New(env, SyscallStack, "syscallStack"));
  exports.Set("pinSelf", Napi::Function::New(env, PinSelf, "pinSelf"));
  exports.Set("currentCpu", Napi::Function::New(env, CurrentCpu, "currentCpu"));
  exports.Set("faultOwnTsc", Napi::Function::New(env, FaultOwnTsc, "faultOwnTsc"));
  exports.Set("tscEmulations", Napi::Function::New(env, TscEmulations, "tscEmulations"));
  return exports;
}

}  // namespace shadow

// NODE_API_MODULE pastes the name into an identifier, so it needs an unqualified one.
static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return shadow::Init(env, exports);
}
NODE_API_MODULE(shadow_native, InitModule)
