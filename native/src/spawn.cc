// spawn(): parse the options, start a child, attach to it with PTRACE_SEIZE, install the seccomp filter, execve.
// The sequence follows docs/ptrace-notes.md §1.
//
// The child is a clone with CLONE_VM, not a fork: a fork copies the page tables of the whole
// simulator and write-protects every page it has, which costs in proportion to its memory
// (about 5 ms per spawn at 300 MB, 9 ms at 600 MB) and makes every page it writes next fault
// once. The child then shares the simulator's memory until its execve, so everything it reads
// (its plan, the strings, its stack) lives in an arena that stays until its exec event or its
// exit has been decoded (ReleaseSpawn), and it writes nothing but its own stack (child.cc).
#include "native.h"
#include "child.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string>
#include <memory>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unordered_map>
#include <unistd.h>
#include <vector>

namespace shadow {
namespace {

constexpr long kSeizeOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                               PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                               PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;

// --- argument parsing -------------------------------------------------------------------------

bool GetString(Napi::Object o, const char* key, std::string* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) {
    Napi::TypeError::New(o.Env(), std::string("spawn: options.") + key + " must be a string")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) {
    Napi::TypeError::New(o.Env(), std::string("spawn: options.") + key + " contains a NUL byte")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool GetStrings(Napi::Object o, const char* key, std::vector<std::string>* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) {
    Napi::TypeError::New(o.Env(), std::string("spawn: options.") + key + " must be an array")
        .ThrowAsJavaScriptException();
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) {
      Napi::TypeError::New(o.Env(), std::string("spawn: options.") + key + " must hold strings")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->push_back(e.As<Napi::String>().Utf8Value());
  }
  return true;
}

// Reads the syscall numbers of the array `key` into `out`: a TypeError if it is not an array, a
// RangeError for an element that is not a number below the x32 bit.
bool GetSyscallNumbers(Napi::Object o, const char* key, std::vector<uint32_t>* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) {
    Napi::TypeError::New(o.Env(), std::string("spawn: options.") + key + " must be an array")
        .ThrowAsJavaScriptException();
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d < kX32Bit) || d != static_cast<double>(static_cast<uint32_t>(d))) {
      Napi::RangeError::New(o.Env(), std::string("spawn: options.") + key + " must hold syscall numbers")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->push_back(static_cast<uint32_t>(d));
  }
  return true;
}

// What a spawned child reads until it has exec'd: its plan and everything the plan points into.
struct SpawnArena {
  static constexpr size_t kChildStack = 64 * 1024;
  std::string path, cwd, out, err;
  std::vector<std::string> argv, envp;
  std::vector<sock_filter> filter;
  ChildPlan plan;
  void* stack = MAP_FAILED;
  ~SpawnArena() {
    if (stack != MAP_FAILED) munmap(stack, kChildStack);
  }
};

// Arenas of children that have not exec'd or exited yet, by pid. Tracer thread only.
std::unordered_map<pid_t, std::unique_ptr<SpawnArena>>& Arenas() {
  static auto* arenas = new std::unordered_map<pid_t, std::unique_ptr<SpawnArena>>();
  return *arenas;
}

}  // namespace

void ReleaseSpawn(pid_t pid) {
  auto& arenas = Arenas();
  if (!arenas.empty()) arenas.erase(pid);
}

Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "spawn: options must be an object").ThrowAsJavaScriptException();
    return {};
  }
  Napi::Object o = info[0].As<Napi::Object>();

  auto arena = std::make_unique<SpawnArena>();
  SpawnArena& a = *arena;
  if (!GetString(o, "path", &a.path) || !GetStrings(o, "argv", &a.argv) ||
      !GetStrings(o, "envp", &a.envp) || !GetString(o, "cwd", &a.cwd) ||
      !GetString(o, "stdout", &a.out) || !GetString(o, "stderr", &a.err))
    return {};

  std::vector<uint32_t> allow, traced;
  if (!GetSyscallNumbers(o, "allow", &allow)) return {};
  // `traced` (optional): the notification channel is on, these syscalls stay ptrace stops.
  bool notify = !o.Get("traced").IsUndefined();
  if (notify && !GetSyscallNumbers(o, "traced", &traced)) return {};
  Napi::Value cpuV = o.Get("cpu");
  if (!cpuV.IsNumber()) {
    Napi::TypeError::New(env, "spawn: options.cpu must be a number").ThrowAsJavaScriptException();
    return {};
  }
  int32_t cpu = cpuV.As<Napi::Number>().Int32Value();
  if (cpu >= CPU_SETSIZE) {
    Napi::RangeError::New(env, "spawn: options.cpu is out of range").ThrowAsJavaScriptException();
    return {};
  }

  // Prepare everything the child touches.
  a.filter = BuildFilter(std::move(allow), traced, notify);
  ChildPlan& plan = a.plan;
  plan.path = a.path.c_str();
  for (auto& arg : a.argv) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  for (auto& var : a.envp) plan.envp.push_back(var.data());
  plan.envp.push_back(nullptr);
  plan.cwd = a.cwd.c_str();
  plan.stdoutPath = a.out.c_str();
  plan.stderrPath = a.err.c_str();
  plan.prog.len = static_cast<unsigned short>(a.filter.size());
  plan.prog.filter = a.filter.data();
  plan.seccompFlags = SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                      (notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0);
  plan.pin = cpu >= 0;
  CPU_ZERO(&plan.cpus);
  if (plan.pin) CPU_SET(cpu, &plan.cpus);

  a.stack = mmap(nullptr, SpawnArena::kChildStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (a.stack == MAP_FAILED) {
    ThrowErrno(env, "spawn: mmap", errno);
    return {};
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    ThrowErrno(env, "spawn: pipe2", errno);
    return {};
  }
  plan.pipeRead = fds[0];
  plan.pipeWrite = fds[1];

  // SIGCHLD: an ordinary child to wait for; no CLONE_FILES, CLONE_FS or CLONE_SIGHAND, so its
  // descriptors, cwd and signal handlers are its own copies.
  pid_t pid = clone(RunChild, static_cast<char*>(a.stack) + SpawnArena::kChildStack, CLONE_VM | SIGCHLD, &plan);
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    ThrowErrno(env, "spawn: clone", e);
    return {};
  }
  Arenas()[pid] = std::move(arena);

  // Parent. The calling thread (the JS main thread) becomes the tracer: every later ptrace call
  // and waitpid for this child must come from it (ptrace-notes §11).
  close(fds[0]);
  if (ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(kSeizeOptions)) < 0) {
    int e = errno;
    close(fds[1]);  // the child reads EOF and exits; make sure it is gone and reaped
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    ReleaseSpawn(pid);
    ThrowErrno(env, "spawn: PTRACE_SEIZE", e);
    return {};
  }
  // The child is blocked in read(), so this succeeds; if something killed it meanwhile, the
  // next wait reports that, so the result needs no check.
  char go = 1;
  ssize_t w;
  do w = write(fds[1], &go, 1); while (w < 0 && errno == EINTR);
  close(fds[1]);
  if (notify) NotifySpawned(pid);
  return Napi::Number::New(env, pid);
}

}  // namespace shadow
