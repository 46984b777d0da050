import type { NativeBackend } from '@shadow-ts/native';

/**
 * How managed tasks are run and stopped at their syscalls. The ptrace backend is the first; a
 * seccomp user-notification backend can implement the same surface later.
 */
export type Backend = NativeBackend & { readonly name: string };

const factories = new Map<string, () => Promise<Backend>>([
  [
    'ptrace',
    async () => {
      const native = (await import('@shadow-ts/native')).default;
      return Object.assign(Object.create(native) as NativeBackend, { name: 'ptrace' }) as Backend;
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
