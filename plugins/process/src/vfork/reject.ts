import { Errno, errno, type SyscallResult, type VforkStrategy } from '@shadow-ts/plugin-sdk';

let refusal: number = Errno.ENOSYS;

/** `reject`: vfork fails with a configurable errno (ENOSYS by default), to test callers' fallbacks. */
export const rejectVfork: VforkStrategy = {
  name: 'reject',
  description: 'fail vfork with an errno (default ENOSYS; `vfork: [reject, { errno: EAGAIN }]`)',
  onVfork(): SyscallResult {
    return errno(refusal);
  },
  configure(options) {
    const name = options.errno ?? 'ENOSYS';
    const value = typeof name === 'string' ? (Errno as Record<string, number>)[name] : undefined;
    if (value === undefined) throw new Error(`reject: option errno must be an errno name such as ENOSYS or EAGAIN, got ${JSON.stringify(name)}`);
    refusal = value;
  },
};
