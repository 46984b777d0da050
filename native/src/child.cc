// The child side of spawn() (see child.h); the sequence follows docs/ptrace-notes.md §1.
#include "child.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace shadow {
namespace {

sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

}  // namespace

// Builds: arch != x86_64 -> KILL_PROCESS (int 0x80 uses i386 numbers, ptrace-notes §1); nr >= 0x40000000
// (x32) -> KILL_PROCESS; nr in `traced` -> TRACE; nr in `allow` -> ALLOW; anything else -> TRACE,
// or USER_NOTIF with `notify`.
// `allow` is sorted and merged into ranges [lo, hi]. Each range costs four instructions with
// only short local jumps, so no jump offset ever exceeds the 8-bit limit:
//     jgt hi  -> next range          (nr is above this range: keep looking)
//     jge lo  -> ALLOW : TRACE       (ranges are ascending, so nr < lo is in no later range)
//     ret ALLOW
//     ret TRACE
std::vector<sock_filter> BuildFilter(std::vector<uint32_t> allow, const std::vector<uint32_t>& traced, bool notify) {
  const uint32_t trap = notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_TRACE;
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
  for (uint32_t nr : traced) {
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  }
  for (auto [lo, hi] : ranges) {
    f.push_back(Jump(BPF_JMP | BPF_JGT | BPF_K, hi, 3, 0));
    f.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 1));
    f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    f.push_back(Stmt(BPF_RET | BPF_K, trap));
  }
  f.push_back(Stmt(BPF_RET | BPF_K, trap));
  return f;
}

namespace {

// --- the child: raw syscalls only ------------------------------------------------------------
// The child shares the simulator's memory until its execve (spawn.cc: clone with CLONE_VM, so
// that starting a process does not copy the page tables of a large simulator). It must write
// nothing but its own stack: not even errno, which lives in the memory of the simulator's
// thread. Hence no libc calls here, only the `syscall` instruction (results are -errno).

long Raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return ret;
}

size_t Length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

void WriteAll(int fd, const char* s, size_t n) {
  while (n > 0) {
    long w = Raw(SYS_write, fd, reinterpret_cast<long>(s), static_cast<long>(n));
    if (w == -EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

// Writes "shadow-ts spawn: <step> failed (errno N)\n" to fd 2 and exits with 127; `ret` is the
// failed call's result (-errno).
[[noreturn]] void ChildFail(const char* step, long ret) {
  long err = ret < 0 ? -ret : ret;
  char num[16];
  int i = sizeof num;
  do { num[--i] = static_cast<char>('0' + err % 10); err /= 10; } while (err > 0 && i > 0);
  WriteAll(2, "shadow-ts spawn: ", 17);
  WriteAll(2, step, Length(step));
  WriteAll(2, " failed (errno ", 15);
  WriteAll(2, num + i, sizeof num - i);
  WriteAll(2, ")\n", 2);
  for (;;) Raw(SYS_exit_group, 127);
}

// Runs a call that returns -errno on failure; a failure ends the child.
long Must(long ret, const char* step) {
  if (ret < 0) ChildFail(step, ret);
  return ret;
}

// Opens `path` and moves it to `target` (dup3 clears FD_CLOEXEC, which Node sets on 0-2, ptrace-notes §1).
void OpenAs(const char* path, int flags, int target, const char* step) {
  long fd = Must(Raw(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), flags, 0644), step);
  if (fd != target) {
    Must(Raw(SYS_dup3, fd, target, 0), step);
    Raw(SYS_close, fd);
  }
}

// The kernel's struct sigaction for rt_sigaction(2).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

}  // namespace

int RunChild(void* arg) {
  const ChildPlan& p = *static_cast<const ChildPlan*>(arg);
  Raw(SYS_close, p.pipeWrite);  // so that the read below sees EOF if the parent gives up

  // Pipe handshake: block until the parent has PTRACE_SEIZEd us (ptrace-notes §1: SEIZE + pipe is the
  // recommended handshake; raise(SIGSTOP) would leave the process marked group-stopped).
  // It comes first so that a failing setup step below is always seen the same way, as the
  // exit (code 127) of a traced child, instead of racing with the parent's PTRACE_SEIZE.
  // Until the filter is installed there are no syscall stops, so the setup runs unhindered.
  char byte;
  long r;
  do r = Raw(SYS_read, p.pipeRead, reinterpret_cast<long>(&byte), 1); while (r == -EINTR);
  if (r != 1) ChildFail("wait for tracer", r < 0 ? r : -EPIPE);

  Must(Raw(SYS_personality, ADDR_NO_RANDOMIZE), "personality");
  if (p.pin) Must(Raw(SYS_sched_setaffinity, 0, sizeof p.cpus, reinterpret_cast<long>(&p.cpus)), "sched_setaffinity");

  OpenAs("/dev/null", O_RDONLY, 0, "open /dev/null");
  OpenAs(p.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 1, "open stdout");
  OpenAs(p.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 2, "open stderr");

  // Node ignores SIGPIPE and SIGXFSZ, and ignored dispositions survive execve (ptrace-notes §1). Errors for
  // SIGKILL and SIGSTOP are expected and harmless. The child has its own copy of the handlers (no CLONE_SIGHAND).
  KernelSigaction dfl = {};
  dfl.handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) Raw(SYS_rt_sigaction, sig, reinterpret_cast<long>(&dfl), 0, 8);
  uint64_t empty = 0;
  Must(Raw(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&empty), 0, sizeof empty), "rt_sigprocmask");

  Must(Raw(SYS_chdir, reinterpret_cast<long>(p.cwd)), "chdir");

  // Close every fd above 2 (Node's own fds, the pipe's read end).
  Must(Raw(SYS_close_range, 3, ~0U, 0), "close_range");

  // The filter goes in after the tracer has attached with TRACESECCOMP; otherwise RET_TRACE
  // syscalls fail with ENOSYS (ptrace-notes §1). NO_NEW_PRIVS is needed by non-root callers.
  Must(Raw(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
  // With notifications the filter's listener becomes fd 3 (close_range above), which the tracer
  // copies at the execve stop; it is close-on-exec. WAIT_KILLABLE_RECV: notify.cc.
  // SPEC_ALLOW: without it the kernel turns on speculative-store-bypass mitigation for every
  // filtered task (Shadow passes it too, see Shadow's docs/sidechannels.md); it is not a security boundary here.
  Must(Raw(SYS_seccomp, SECCOMP_SET_MODE_FILTER, static_cast<long>(p.seccompFlags), reinterpret_cast<long>(&p.prog)), "seccomp");

  long e = Raw(SYS_execve, reinterpret_cast<long>(p.path), reinterpret_cast<long>(p.argv.data()), reinterpret_cast<long>(p.envp.data()));
  ChildFail("execve", e);
}

}  // namespace shadow
