// Shared declarations of the shadow-ts native addon (see ../index.d.ts for the contract).
// Mechanism only: nothing here decides what a syscall means.
#pragma once

#include <napi.h>
#include <cstdint>
#include <sys/types.h>

namespace shadow {

// The stop record: STOP_WORDS int64 words, mirrored by `Stop` in index.d.ts.
constexpr int STOP_WORDS = 16;
enum StopWord : int {
  kKind = 0, kTid = 1, kNr = 2, kArg0 = 3, kMsg = 9, kIp = 10, kSp = 11, kStatus = 12,
};

// Mirrors `StopKind` in index.d.ts.
enum StopKind : int {
  kNone = 0, kSyscall = 1, kSyscallExit = 2, kExec = 3, kFork = 4, kVfork = 5, kClone = 6,
  kExitEvent = 7, kExited = 8, kSignaled = 9, kSignal = 10, kGroupStop = 11, kEventStop = 12,
  kVforkDone = 13, kInterrupted = 14,
};

// Mirrors `RunLimit` in index.d.ts: which limit of watchRuns ended a run (Msg of kInterrupted).
enum RunLimit : int { kLimitCpu = 1, kLimitWall = 2 };

// Mirrors `Resume` in index.d.ts.
enum Resume : int {
  kContinue = 0, kReturn = 1, kToExit = 2, kSetReturn = 3, kResumeNone = 4, kRestart = 5,
};

// Per-addon-instance state, stored with napi_set_instance_data.
struct Instance {
  Napi::Reference<Napi::BigInt64Array> stopRef;  // keeps the record alive
  int64_t* stop = nullptr;                        // its backing store (never moves)
};

inline int64_t* StopRecord(Napi::Env env) { return env.GetInstanceData<Instance>()->stop; }

// Throws a JS Error "<what>: <strerror(err)>" (pending exception; caller returns).
void ThrowErrno(Napi::Env env, const char* what, int err);

// Argument helpers: return false (with a pending TypeError) on a bad argument.
bool ArgInt(const Napi::CallbackInfo& info, size_t i, int32_t* out);
bool ArgBigInt(const Napi::CallbackInfo& info, size_t i, int64_t* out);

// spawn.cc
Napi::Value Spawn(const Napi::CallbackInfo& info);
// stop.cc
Napi::Value ResumeWait(const Napi::CallbackInfo& info);
Napi::Value Poll(const Napi::CallbackInfo& info);
Napi::Value SetSyscall(const Napi::CallbackInfo& info);
Napi::Value SetSignalSender(const Napi::CallbackInfo& info);
Napi::Value GetRegisters(const Napi::CallbackInfo& info);
Napi::Value SetRegisters(const Napi::CallbackInfo& info);
Napi::Value InjectSyscall(const Napi::CallbackInfo& info);
// spawn.cc: frees what a spawned child read from the simulator's memory, once it has exec'd or
// exited (Decode calls it for every such stop; cheap when no spawn is pending).
void ReleaseSpawn(pid_t pid);
// tsc.cc: the simulator's own TSC mode, and the rdtsc of its threads answered while it faults.
Napi::Value FaultOwnTsc(const Napi::CallbackInfo& info);
// Gives the calling thread a readable TSC: the first call of every thread the addon starts,
// which would otherwise inherit the tracer's faulting one (tsc.cc).
void ReadableTsc();
Napi::Value TscEmulations(const Napi::CallbackInfo& info);
// watch.cc: the watched wait of resumeWait and the helper thread that ends runs past a limit.
Napi::Value WatchRuns(const Napi::CallbackInfo& info);
bool Watching();
void BeginWatch(pid_t tid, pid_t pid);
void EndWatch();
// If the helper sent `tid` its SIGSTOP, forgets that and, when `s` is given, writes the limit,
// CPU and wall time into the stop record (Msg, Arg0, Arg0+1). Returns whether it had.
bool TakeSent(pid_t tid, int64_t* s);
// stop.cc: decodes one waitpid status into the stop record `s` and returns its kind.
int Decode(pid_t tid, int status, int64_t* s);
// Fills the record for "no stop" (Msg = -err) and returns StopKind None.
int NoStopRecord(int64_t* s, int err);
// notify.cc: the seccomp user-notification channel (backend "notify").
bool NotifyOn();
// `pid` was spawned with a notifying filter: its listener is taken at its first stop.
void NotifySpawned(pid_t pid);
// Answers `tid`'s notification as `mode` says (*handled); false in *handled: `tid` is at a ptrace stop.
int NotifyResume(pid_t tid, int mode, int64_t value, bool* handled);
// The next stop (ptrace or notification) of `waitTid` (-1: any) into `s`; its kind.
int NotifyWait(pid_t waitTid, int64_t* s, bool block);
// waitpid(tid) for a sequence the tracer drives; notifications of `tid` meanwhile run natively.
pid_t NotifyWaitOwn(pid_t tid, int* status);
// setSyscall at a notified stop: kept for the resume (false: `tid` is at a ptrace stop).
bool NotifySetSyscall(pid_t tid, int64_t nr, const int64_t* args);
// memory.cc
Napi::Value ReadMemory(const Napi::CallbackInfo& info);
Napi::Value WriteMemory(const Napi::CallbackInfo& info);
Napi::Value PatchMemory(const Napi::CallbackInfo& info);
Napi::Value MapShared(const Napi::CallbackInfo& info);

}  // namespace shadow
