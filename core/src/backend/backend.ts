import type { NativeBackend, SpawnOptions } from '@shadow-ts/native';
import { SYSCALL_NUMBERS } from '@shadow-ts/plugin-sdk';

/**
 * How managed tasks are run and stopped at their syscalls. Two implementations of the same
 * surface: `ptrace` (every trapped call is a seccomp ptrace stop; the reference) and `notify`
 * (the common calls come through a seccomp user-notification listener, docs/ptrace-notes.md §13).
 */
export type Backend = NativeBackend & { readonly name: string };

/**
 * The calls the notify backend keeps as ptrace stops: those the kernel answers with ptrace
 * events or register edits (exec, clone and its kin), and those whose usual answer runs the call
 * natively to its exit (descriptor bookkeeping), which a notification could only reach by
 * turning itself into a ptrace stop at three times the cost.
 */
const PTRACE_CALLS = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork',
  'close', 'dup', 'dup2', 'dup3', 'fcntl', 'close_range',
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
      const spawn = (options: SpawnOptions): number => base.spawn({ ...options, traced });
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
