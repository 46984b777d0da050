import type { NativeBackend, SpawnOptions } from '@shadow-ts/native';
import { SYSCALL_NUMBERS } from '@shadow-ts/plugin-sdk';

/**
 * How managed tasks are run and stopped at their syscalls. Two implementations of the same
 * surface: `ptrace` (every trapped call is a seccomp ptrace stop; the reference) and `notify`
 * (the common calls come through a seccomp user-notification listener, docs/ptrace-notes.md §13).
 */
export type Backend = NativeBackend & { readonly name: string };

/**
 * The calls the notify backend keeps as ptrace stops: those answered with ptrace events or
 * register edits (exec, clone and its kin, exit); those whose usual answer runs the call natively
 * to its exit (descriptor bookkeeping, reaping children), which a notification only reaches by
 * turning itself into a ptrace stop at three times the cost; and the signal calls, which may run
 * natively and change the mask that such a turned call keeps blocked (notify.cc).
 */
const PTRACE_CALLS = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'exit', 'exit_group',
  'close', 'dup', 'dup2', 'dup3', 'fcntl', 'close_range', 'wait4', 'waitid',
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigsuspend', 'rt_sigtimedwait', 'sigaltstack',
] as const;

async function native(): Promise<NativeBackend> {
  return (await import('@shadow-ts/native')).default;
}

const factories = new Map<string, () => Promise<Backend>>([
  ['ptrace', async () => Object.assign(Object.create(await native()) as NativeBackend, { name: 'ptrace' }) as Backend],
  [
    'notify',
    async () => {
      const base = await native();
      const traced = PTRACE_CALLS.map((name) => SYSCALL_NUMBERS[name]);
      // A call the filter lets run natively stays native.
      const spawn = (options: SpawnOptions): number => base.spawn({ ...options, traced: traced.filter((nr) => !options.allow.includes(nr)) });
      return Object.assign(Object.create(base) as NativeBackend, { name: 'notify', spawn }) as Backend;
    },
  ],
]);

/** Names of the registered backends. */
export function backendNames(): string[] {
  return [...factories.keys()];
}

/** Loads the backend registered as `name`. */
export async function loadBackend(name: string): Promise<Backend> {
  const factory = factories.get(name);
  if (!factory) throw new Error(`unknown backend "${name}"; registered backends: ${backendNames().join(', ')}`);
  return factory();
}
