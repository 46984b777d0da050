// The simulator's own TSC mode: faultOwnTsc(). On a virtual machine, a context switch between a
// thread whose TSC faults (PR_TSC_SIGSEGV) and one whose TSC does not rewrites CR4.TSD, and that
// write exits to the hypervisor: ~5 µs each way here, twice per stop. A tracer whose own TSC
// faults like its tasks' switches to and from them without touching CR4 (the user-notification
// floor drops from 15 µs to 5 µs per call, docs/ptrace-notes.md §14).
//
// The simulator still reads the counter: the vDSO's clock_gettime executes rdtsc. From the first
// switch on, the entries of its own vDSO that read the counter make the syscall instead (~0.3 µs,
// against ~15 µs for a faulting read), and a SIGSEGV handler, installed once and chained to the
// one before it (Node's), answers any other rdtsc or rdtscp of the simulator's threads with the
// real counter: it lets the instruction through for one read (two prctl calls) and steps over
// it. Threads created after the switch inherit the mode (PR_SET_TSC is per thread, copied at
// clone). Only the tracer thread needs it, so another thread that faults is given a readable TSC
// for good and re-executes the instruction; the addon's own threads start with one
// (ReadableTsc()). A thread that blocks SIGSEGV and inherits the mode would be killed at its
// first rdtsc (the kernel resets a blocked fault signal to its default action), before any
// handler runs: that is why no thread of the addon starts with the mode.
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>

#include "native.h"

namespace shadow {
namespace {

struct sigaction previous;  // the SIGSEGV disposition before ours: anything but rdtsc goes there
std::atomic<uint64_t> emulated{0};
std::atomic<pid_t> tracerTid{0};  // the thread that turned the mode on

// rdtsc is 0f 31 and rdtscp 0f 01 f9: 0 when `ip` holds neither, else the instruction's length.
// Bytes past the first are read only once the earlier ones say the instruction is that long.
int TscInstruction(const uint8_t* ip) {
  if (ip[0] != 0x0f) return 0;
  if (ip[1] == 0x31) return 2;
  return ip[1] == 0x01 && ip[2] == 0xf9 ? 3 : 0;
}

void OnSegv(int sig, siginfo_t* info, void* context) {
  greg_t* regs = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  // A #GP (SI_KERNEL) at an executable ip: reading its first bytes cannot fault.
  int length = info->si_code == SI_KERNEL ? TscInstruction(reinterpret_cast<const uint8_t*>(regs[REG_RIP])) : 0;
  if (length != 0) {
    int savedErrno = errno;
    if (static_cast<pid_t>(syscall(SYS_gettid)) != tracerTid.load(std::memory_order_relaxed)) {
      syscall(SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);  // returning re-executes it, readable
      errno = savedErrno;
      return;
    }
    uint32_t lo, hi, aux = 0;
    syscall(SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
    if (length == 2)
      asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    else
      asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    syscall(SYS_prctl, PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
    regs[REG_RAX] = lo;  // the instruction clears the upper halves
    regs[REG_RDX] = hi;
    if (length == 3) regs[REG_RCX] = aux;
    regs[REG_RIP] += length;
    emulated.fetch_add(1, std::memory_order_relaxed);
    errno = savedErrno;
    return;
  }
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
  } else {
    // Returning re-executes the faulting instruction, which now takes the default action.
    signal(SIGSEGV, SIG_DFL);
  }
}

// An entry of the simulator's own vDSO that reads the counter.
struct VdsoEntry {
  const char* name;
  int nr;
  uint8_t* code = nullptr;
};
VdsoEntry vdsoEntries[] = {{"__vdso_clock_gettime", SYS_clock_gettime, nullptr},
                           {"__vdso_gettimeofday", SYS_gettimeofday, nullptr},
                           {"__vdso_time", SYS_time, nullptr}};

// Finds the entries in the vDSO's dynamic symbols (it is linked at 0: a symbol's value is its
// offset from the image).
void FindVdsoEntries() {
  auto* image = reinterpret_cast<uint8_t*>(getauxval(AT_SYSINFO_EHDR));
  if (image == nullptr) return;
  auto* header = reinterpret_cast<Elf64_Ehdr*>(image);
  auto* sections = reinterpret_cast<Elf64_Shdr*>(image + header->e_shoff);
  for (int i = 0; i < header->e_shnum; i++) {
    if (sections[i].sh_type != SHT_DYNSYM) continue;
    auto* symbols = reinterpret_cast<Elf64_Sym*>(image + sections[i].sh_offset);
    const char* names = reinterpret_cast<const char*>(image + sections[sections[i].sh_link].sh_offset);
    for (size_t s = 0; s < sections[i].sh_size / sizeof(Elf64_Sym); s++) {
      for (VdsoEntry& entry : vdsoEntries) {
        if (strcmp(names + symbols[s].st_name, entry.name) == 0 && symbols[s].st_value != 0) {
          entry.code = image + symbols[s].st_value;
        }
      }
    }
  }
}

// Points each entry at `mov eax, nr; syscall; ret` (8 bytes), for good. The arguments are
// already where the syscall wants them. Through /proc/self/mem: the kernel may seal the vDSO
// against mprotect, not against a debugger's write (docs/ptrace-notes.md §9).
// Never put back: every thread of the simulator calls these (V8's compiler and GC workers time
// their tasks), and one preempted inside the stub's syscall would return into the middle of an
// instruction of the restored code. Putting it back at the end of a run did exactly that: about
// one run in forty of a TCP echo (with the bundled core) died of SIGSEGV in a V8 worker as the
// simulation ended. With the counter readable again a stub costs a syscall (~0.3 µs) where the
// vDSO took 20 ns; only the simulator's own clock reads pay it.
void RedirectVdso() {
  int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
  if (mem < 0) return;
  for (VdsoEntry& entry : vdsoEntries) {
    if (entry.code == nullptr) continue;
    uint8_t stub[8] = {0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3};
    memcpy(stub + 1, &entry.nr, 4);
    if (pwrite(mem, stub, sizeof stub, reinterpret_cast<off_t>(entry.code)) != sizeof stub) break;
  }
  close(mem);
}

}  // namespace

void ReadableTsc() { prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0); }

Napi::Value FaultOwnTsc(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) {
    Napi::TypeError::New(info.Env(), "faultOwnTsc(on: boolean)").ThrowAsJavaScriptException();
    return {};
  }
  bool on = info[0].As<Napi::Boolean>().Value();
  static bool installed = false;  // tracer thread only
  if (on && !installed) {
    struct sigaction action = {};
    action.sa_sigaction = OnSegv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous) < 0) return Napi::Number::New(info.Env(), -errno);
    installed = true;
    tracerTid.store(static_cast<pid_t>(syscall(SYS_gettid)));
    FindVdsoEntries();
    RedirectVdso();
  }
  int r = prctl(PR_SET_TSC, on ? PR_TSC_SIGSEGV : PR_TSC_ENABLE, 0, 0, 0);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

Napi::Value TscEmulations(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), emulated.load(std::memory_order_relaxed));
}

}  // namespace shadow
