import { Errno, checkOptionKeys, errno, type VforkStrategyFactory } from '@shadow-ts/plugin-sdk';

/**
 * `reject`: vfork fails with a configurable errno (ENOSYS by default), to test callers' fallbacks.
 * Each host gets its own instance, holding the errno of its own settings.
 */
export const rejectVfork: VforkStrategyFactory = {
  name: 'reject',
  description: 'fail vfork with an errno (default ENOSYS; `vfork: [reject, { errno: EAGAIN }]`)',
  create(options) {
    checkOptionKeys(options, ['errno']);
    const name = options.errno ?? 'ENOSYS';
    const refusal = typeof name === 'string' ? (Errno as Record<string, number>)[name] : undefined;
    if (refusal === undefined) {
      throw new Error(`option errno ${JSON.stringify(name)}: unknown errno; expected ENOSYS, EAGAIN or another errno name`);
    }
    return { onVfork: () => errno(refusal) };
  },
};
