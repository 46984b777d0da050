// Tracee memory: readMemory/writeMemory (process_vm_readv/writev, honour page protections),
// patchMemory (/proc/PID/mem, bypasses them), and mapShared (pages the simulator shares with tracees). Facts: docs/ptrace-notes.md §9 and §8.
#include "native.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

namespace shadow {
namespace {

// Parses (pid, addr, bytes) and returns false with a pending exception on bad arguments.
bool Args(const Napi::CallbackInfo& info, const char* fn, int32_t* pid, int64_t* addr,
          Napi::Uint8Array* bytes) {
  if (!ArgInt(info, 0, pid) || !ArgBigInt(info, 1, addr)) return false;
  if (info.Length() < 3 || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), std::string(fn) + ": argument 2 must be a Uint8Array")
        .ThrowAsJavaScriptException();
    return false;
  }
  *bytes = info[2].As<Napi::Uint8Array>();
  return true;
}

// process_vm_readv/writev with one local and one remote iovec. Returns bytes or -errno.
// A range that runs into an unreadable page gives a short count; a bad start gives -EFAULT
// (ptrace-notes §9). The caller turns either into EFAULT for the program if it needs the whole range.
Napi::Value VmCopy(const Napi::CallbackInfo& info, bool write) {
  int32_t pid;
  int64_t addr;
  Napi::Uint8Array bytes;
  if (!Args(info, write ? "writeMemory" : "readMemory", &pid, &addr, &bytes)) return {};
  size_t len = bytes.ByteLength();
  if (len == 0) return Napi::Number::New(info.Env(), 0);
  iovec local{bytes.Data(), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
                    : process_vm_readv(pid, &local, 1, &remote, 1, 0);
  return Napi::Number::New(info.Env(), n < 0 ? -errno : static_cast<double>(n));
}

}  // namespace

Napi::Value ReadMemory(const Napi::CallbackInfo& info) { return VmCopy(info, false); }
Napi::Value WriteMemory(const Napi::CallbackInfo& info) { return VmCopy(info, true); }

// pwrite on /proc/PID/mem: succeeds on read-only and execute-only mappings (COW), where
// process_vm_writev fails with EFAULT, e.g. the vDSO (ptrace-notes §8). For supervisor-owned code patches only.
Napi::Value PatchMemory(const Napi::CallbackInfo& info) {
  int32_t pid;
  int64_t addr;
  Napi::Uint8Array bytes;
  if (!Args(info, "patchMemory", &pid, &addr, &bytes)) return {};
  std::string path = "/proc/" + std::to_string(pid) + "/mem";
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Napi::Number::New(info.Env(), -errno);
  ssize_t n = pwrite(fd, bytes.Data(), bytes.ByteLength(), static_cast<off_t>(addr));
  int err = errno;
  close(fd);
  return Napi::Number::New(info.Env(), n < 0 ? -err : static_cast<double>(n));
}

// mapShared(fd, bytes): an ArrayBuffer over a MAP_SHARED read/write mapping of the file `fd`,
// unmapped when the buffer is collected; tracees that map the same file see every store at once.
Napi::Value MapShared(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  if (!ArgInt(info, 0, &fd)) return {};
  if (info.Length() < 2 || !info[1].IsNumber() || info[1].As<Napi::Number>().DoubleValue() <= 0) {
    Napi::TypeError::New(env, "mapShared: argument 1 must be a positive byte count").ThrowAsJavaScriptException();
    return {};
  }
  size_t len = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  void* at = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (at == MAP_FAILED) {
    ThrowErrno(env, "mapShared: mmap", errno);
    return {};
  }
  return Napi::ArrayBuffer::New(env, at, len, [](Napi::Env, void* data, size_t* bytes) {
    munmap(data, *bytes);
    delete bytes;
  }, new size_t(len));
}

}  // namespace shadow
