/**
 * Exec: what a process's execve changes in the simulator — descriptors closed on exec, the
 * patched vDSO, the process's name, a vfork parent let go — and the exec hook plugins observe.
 */
import type { ExecEvent } from '@shadow-ts/plugin-sdk';
import { patchVdso, readAuxv } from '../backend/image.js';
import { commandName } from './procfs.js';
import type { TaskEnv } from './runner.js';
import { releaseVforkParent } from './task-clone.js';
import type { Thread } from './thread.js';

/** The exec event of `thread`: a new image is mapped and ld.so has not run yet (docs/ptrace-notes.md §2). */
export function onExec(env: TaskEnv, thread: Thread): void {
  const process = thread.process;
  const pid = process.realPid;
  // exec closed the close-on-exec placeholders: their virtual files go with them.
  for (const [fd] of [...process.fds.entries()]) {
    if (!process.isOpen(fd)) process.fds.unbind(fd);
  }
  patchVdso(env.backend, pid);
  process.execedImage(() => commandName(pid));
  releaseVforkParent(env, process);
  const event: ExecEvent = { process, host: process.host, memory: process.memory, auxv: readAuxv(pid) };
  env.kernel.hooks.exec.call(event);
}
