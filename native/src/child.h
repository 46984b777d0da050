// The child side of spawn(): the seccomp filter and what runs between fork() and execve().
// No N-API here: after fork() in a multi-threaded process only async-signal-safe calls are allowed.
#pragma once

#include <cstdint>
#include <linux/filter.h>
#include <sched.h>
#include <vector>

namespace shadow {

// x32 syscalls set this bit in nr. The filter rejects them (ptrace-notes §1: X32 is off here; reject anyway).
constexpr uint32_t kX32Bit = 0x40000000;

// The program for SECCOMP_SET_MODE_FILTER: syscalls in `allow` run natively, all others trap —
// as ptrace stops, or with `notify` as user notifications except those in `traced`.
std::vector<sock_filter> BuildFilter(std::vector<uint32_t> allow, const std::vector<uint32_t>& traced, bool notify);

// Everything the child needs, prepared before fork(): after fork() in a multi-threaded process
// (Node) only async-signal-safe calls are allowed (ptrace-notes §1).
struct ChildPlan {
  const char* path;
  std::vector<char*> argv, envp;  // null-terminated, pointing into the std::strings below
  const char* cwd;
  const char* stdoutPath;
  const char* stderrPath;
  sock_fprog prog;
  unsigned long seccompFlags;
  bool pin;
  cpu_set_t cpus;
  int pipeRead, pipeWrite;
};

// Waits for the tracer, sets the process up as the plan says, installs the filter and execs.
[[noreturn]] void RunChild(const ChildPlan& p);

}  // namespace shadow
