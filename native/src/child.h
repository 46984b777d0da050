// The child side of spawn(): the seccomp filter and what runs between clone() and execve().
// No N-API and no libc in the child: it shares the simulator's memory until it execs (child.cc).
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

// Everything the child needs, prepared before clone(); it must stay in place until the child has
// exec'd or exited, since the child reads it from the simulator's memory.
struct ChildPlan {
  const char* path;
  std::vector<char*> argv, envp;  // null-terminated, pointing into the strings of the spawn's arena (spawn.cc)
  const char* cwd;
  const char* stdoutPath;
  const char* stderrPath;
  sock_fprog prog;
  unsigned long seccompFlags;
  bool pin;
  cpu_set_t cpus;
  int pipeRead, pipeWrite;
};

// The child's entry (clone's fn, `arg` a ChildPlan): waits for the tracer, sets the process up
// as the plan says, installs the filter and execs; it never returns.
int RunChild(void* arg);

}  // namespace shadow
