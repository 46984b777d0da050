import { native, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/** sysExit implements Linux syscall exit(2): the kernel ends the thread; the simulator sees its exit stop. */
export function sysExit(_ctx: SyscallContext): SyscallResult {
  return native();
}

/** sysExitGroup implements Linux syscall exit_group(2). */
export function sysExitGroup(_ctx: SyscallContext): SyscallResult {
  return native();
}

/** sysExecve implements Linux syscall execve(2): the kernel loads the image; the exec stop prepares it. */
export function sysExecve(_ctx: SyscallContext): SyscallResult {
  return native();
}
