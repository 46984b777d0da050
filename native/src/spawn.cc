// spawn(): fork a child, attach to it with PTRACE_SEIZE, install the seccomp filter, execve.
// The sequence follows docs/ptrace-notes.md §1.
#include "native.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <string>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <vector>

namespace shadow {
namespace {

// x32 syscalls set this bit in nr. The filter rejects them (ptrace-notes §1: X32 is off here; reject anyway).
constexpr uint32_t kX32Bit = 0x40000000;

constexpr long kSeizeOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                               PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                               PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;

sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

// Builds: arch != x86_64 -> KILL_PROCESS (int 0x80 uses i386 numbers, ptrace-notes §1); nr >= 0x40000000
// (x32) -> KILL_PROCESS; nr in `allow` -> ALLOW; anything else -> TRACE.
// `allow` is sorted and merged into ranges [lo, hi]. Each range costs four instructions with
// only short local jumps, so no jump offset ever exceeds the 8-bit limit:
//     jgt hi  -> next range          (nr is above this range: keep looking)
//     jge lo  -> ALLOW : TRACE       (ranges are ascending, so nr < lo is in no later range)
//     ret ALLOW
//     ret TRACE
std::vector<sock_filter> BuildFilter(std::vector<uint32_t> allow) {
  std::sort(allow.begin(), allow.end());
  allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (uint32_t nr : allow) {
    if (!ranges.empty() && ranges.back().second + 1 == nr) ranges.back().second = nr;
    else ranges.push_back({nr, nr});
  }

  std::vector<sock_filter> f;
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  f.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  for (auto [lo, hi] : ranges) {
    f.push_back(Jump(BPF_JMP | BPF_JGT | BPF_K, hi, 3, 0));
    f.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 1));
    f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  }
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  return f;
}

// Everything the child needs, prepared before fork(): after fork() in a multi-threaded process
// (Node) only async-signal-safe calls are allowed (ptrace-notes §1).
struct ChildPlan {
  const char* path;
  std::vector<char*> argv, envp;  // null-terminated, pointing into the std::strings below
  const char* cwd;
  const char* stdoutPath;
  const char* stderrPath;
  sock_fprog prog;
  bool pin;
  cpu_set_t cpus;
  int pipeRead, pipeWrite;
};

// --- async-signal-safe helpers for the child ---------------------------------------------------

void WriteAll(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

// Writes "shadow-ts spawn: <step> failed (errno N)\n" to fd 2 and exits with 127.
[[noreturn]] void ChildFail(const char* step) {
  int err = errno;
  char num[16];
  int i = sizeof num;
  do { num[--i] = static_cast<char>('0' + err % 10); err /= 10; } while (err > 0 && i > 0);
  WriteAll(2, "shadow-ts spawn: ", 17);
  WriteAll(2, step, strlen(step));
  WriteAll(2, " failed (errno ", 15);
  WriteAll(2, num + i, sizeof num - i);
  WriteAll(2, ")\n", 2);
  _exit(127);
}

// Opens `path` and moves it to `target` (dup2 clears FD_CLOEXEC, which Node sets on 0-2, ptrace-notes §1).
void OpenAs(const char* path, int flags, int target, const char* step) {
  int fd = open(path, flags, 0644);
  if (fd < 0) ChildFail(step);
  if (fd != target) {
    if (dup2(fd, target) < 0) ChildFail(step);
    close(fd);
  }
}

[[noreturn]] void RunChild(const ChildPlan& p) {
  close(p.pipeWrite);  // so that the read below sees EOF if the parent gives up

  // Pipe handshake: block until the parent has PTRACE_SEIZEd us (ptrace-notes §1: SEIZE + pipe is the
  // recommended handshake; raise(SIGSTOP) would leave the process marked group-stopped).
  // It comes first so that a failing setup step below is always seen the same way, as the
  // exit (code 127) of a traced child, instead of racing with the parent's PTRACE_SEIZE.
  // Until the filter is installed there are no syscall stops, so the setup runs unhindered.
  char byte;
  ssize_t r;
  do r = read(p.pipeRead, &byte, 1); while (r < 0 && errno == EINTR);
  if (r != 1) {
    errno = r < 0 ? errno : EPIPE;
    ChildFail("wait for tracer");
  }

  if (personality(ADDR_NO_RANDOMIZE) < 0) ChildFail("personality");
  if (p.pin && sched_setaffinity(0, sizeof p.cpus, &p.cpus) < 0) ChildFail("sched_setaffinity");

  OpenAs("/dev/null", O_RDONLY, 0, "open /dev/null");
  OpenAs(p.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 1, "open stdout");
  OpenAs(p.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 2, "open stderr");

  // Node ignores SIGPIPE and SIGXFSZ, and ignored dispositions survive execve (ptrace-notes §1). Errors for
  // SIGKILL/SIGSTOP and glibc's internal signals are expected and harmless.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, nullptr);
  // Raw rt_sigprocmask: glibc's wrapper would keep its internal signals as they are.
  uint64_t empty = 0;
  if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof empty) < 0)
    ChildFail("rt_sigprocmask");

  if (chdir(p.cwd) < 0) ChildFail("chdir");

  // Close every fd above 2 (Node's own fds, the pipe's read end).
  if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) ChildFail("close_range");

  // The filter goes in after the tracer has attached with TRACESECCOMP; otherwise RET_TRACE
  // syscalls fail with ENOSYS (ptrace-notes §1). NO_NEW_PRIVS is needed by non-root callers.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) ChildFail("prctl(PR_SET_NO_NEW_PRIVS)");
  // SPEC_ALLOW: without it the kernel turns on speculative-store-bypass mitigation for every
  // filtered task (Shadow passes it too, see Shadow's docs/sidechannels.md); it is not a security boundary here.
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &p.prog) < 0)
    ChildFail("seccomp");

  execve(p.path, p.argv.data(), p.envp.data());
  ChildFail("execve");
}

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

}  // namespace

Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "spawn: options must be an object").ThrowAsJavaScriptException();
    return {};
  }
  Napi::Object o = info[0].As<Napi::Object>();

  std::string path, cwd, out, err;
  std::vector<std::string> argv, envp;
  if (!GetString(o, "path", &path) || !GetStrings(o, "argv", &argv) ||
      !GetStrings(o, "envp", &envp) || !GetString(o, "cwd", &cwd) ||
      !GetString(o, "stdout", &out) || !GetString(o, "stderr", &err))
    return {};

  Napi::Value allowV = o.Get("allow");
  Napi::Value cpuV = o.Get("cpu");
  if (!allowV.IsArray() || !cpuV.IsNumber()) {
    Napi::TypeError::New(env, "spawn: options.allow must be an array, options.cpu a number")
        .ThrowAsJavaScriptException();
    return {};
  }
  std::vector<uint32_t> allow;
  Napi::Array allowA = allowV.As<Napi::Array>();
  for (uint32_t i = 0; i < allowA.Length(); i++) {
    Napi::Value e = allowA.Get(i);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d < kX32Bit) || d != static_cast<double>(static_cast<uint32_t>(d))) {
      Napi::RangeError::New(env, "spawn: options.allow must hold syscall numbers")
          .ThrowAsJavaScriptException();
      return {};
    }
    allow.push_back(static_cast<uint32_t>(d));
  }
  int32_t cpu = cpuV.As<Napi::Number>().Int32Value();
  if (cpu >= CPU_SETSIZE) {
    Napi::RangeError::New(env, "spawn: options.cpu is out of range").ThrowAsJavaScriptException();
    return {};
  }

  // Prepare everything the child touches.
  std::vector<sock_filter> filter = BuildFilter(std::move(allow));
  ChildPlan plan;
  plan.path = path.c_str();
  for (auto& s : argv) plan.argv.push_back(s.data());
  plan.argv.push_back(nullptr);
  for (auto& s : envp) plan.envp.push_back(s.data());
  plan.envp.push_back(nullptr);
  plan.cwd = cwd.c_str();
  plan.stdoutPath = out.c_str();
  plan.stderrPath = err.c_str();
  plan.prog.len = static_cast<unsigned short>(filter.size());
  plan.prog.filter = filter.data();
  plan.pin = cpu >= 0;
  CPU_ZERO(&plan.cpus);
  if (plan.pin) CPU_SET(cpu, &plan.cpus);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    ThrowErrno(env, "spawn: pipe2", errno);
    return {};
  }
  plan.pipeRead = fds[0];
  plan.pipeWrite = fds[1];

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    ThrowErrno(env, "spawn: fork", e);
    return {};
  }
  if (pid == 0) RunChild(plan);

  // Parent. The calling thread (the JS main thread) becomes the tracer: every later ptrace call
  // and waitpid for this child must come from it (ptrace-notes §11).
  close(fds[0]);
  if (ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(kSeizeOptions)) < 0) {
    int e = errno;
    close(fds[1]);  // the child reads EOF and exits; make sure it is gone and reaped
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    ThrowErrno(env, "spawn: PTRACE_SEIZE", e);
    return {};
  }
  // The child is blocked in read(), so this succeeds; if something killed it meanwhile, the
  // next wait reports that, so the result needs no check.
  char go = 1;
  ssize_t w;
  do w = write(fds[1], &go, 1); while (w < 0 && errno == EINTR);
  close(fds[1]);
  return Napi::Number::New(env, pid);
}

}  // namespace shadow
