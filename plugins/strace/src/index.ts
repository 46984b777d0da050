import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  definePlugin, errno, ok, type ProcessView, type SyscallContext, type SyscallResult, type ThreadView,
} from '@shadow-ts/plugin-sdk';
import { formatCall, formatResult, formatTime, type StraceMode } from './format.js';

export const PLUGIN_NAME = 'core:strace';
export type { StraceMode } from './format.js';

/** Lines a file holds in memory before they are appended to it. */
const FLUSH_BYTES = 1 << 16;

/** One process's `<exe>.<pid>.strace`, named when its first call is seen, written in chunks. */
class StraceFile {
  private pending: string[] = [];
  private size = 0;

  constructor(private readonly path: string) {
    writeFileSync(path, '');
  }

  add(line: string): void {
    this.pending.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    appendFileSync(this.path, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.size = 0;
  }
}

function parseMode(options: Record<string, unknown>): StraceMode {
  const mode = options['mode'] ?? 'standard';
  if (mode !== 'standard' && mode !== 'deterministic') {
    throw new Error(`option "mode" must be "standard" or "deterministic", got ${JSON.stringify(mode)}`);
  }
  return mode;
}

/**
 * Shadow's strace logs: each trapped call of each process as one line of its
 * `<exe>.<pid>.strace` — simulated time, virtual tid, the call with decoded arguments, and what
 * it returned (`-11 (EAGAIN)`, `<blocked>` for a call that parks, logged again when it runs
 * again; what a call the kernel ran returned, seen at its exit). A fork or clone shows the
 * child's virtual id.
 * Built only on the observer hooks: the example of what a third-party observer can do.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.1.0' },
  apply(kernel, options) {
    const mode = parseMode(options);
    const files = new Map<ProcessView, StraceFile>();
    /**
     * Calls whose result comes later, by thread: a clone's line waits for the child's id (the
     * clone hook), a native call for its exit (nativeExit), where its output is rendered too.
     */
    const waiting = new Map<ThreadView, string>();

    const fileOf = (process: ProcessView): StraceFile => {
      let file = files.get(process);
      if (!file) {
        file = new StraceFile(join(process.host.dataDir, `${process.name}.${process.pid}.strace`));
        files.set(process, file);
      }
      return file;
    };
    const head = (ctx: SyscallContext, result: SyscallResult): string =>
      `${formatTime(ctx.now)} [tid ${ctx.thread.tid}] ${formatCall(ctx, result, mode)}`;
    /**
     * A call still waiting when its thread goes on otherwise: a clone the kernel refused (no
     * task came), a native call that did not return to it (a successful execve returns 0).
     */
    const settle = (thread: ThreadView, value: string): void => {
      const line = waiting.get(thread);
      if (line === undefined) return;
      waiting.delete(thread);
      fileOf(thread.process).add(`${line} = ${value}`);
    };

    kernel.hooks.syscallEnter.tap(PLUGIN_NAME, (ctx) => settle(ctx.thread, '<native>'));
    kernel.hooks.syscallExit.tap(PLUGIN_NAME, (ctx, result) => {
      const line = head(ctx, result);
      if (result.kind === 'native' || result.kind === 'rewrite' || result.kind === 'clone' || result.kind === 'calls') waiting.set(ctx.thread, line);
      else fileOf(ctx.process).add(`${line} = ${formatResult(ctx, result, mode)}`);
    });
    kernel.hooks.nativeExit.tap(PLUGIN_NAME, (ctx, value) => {
      waiting.delete(ctx.thread);
      const result = value < 0n && value >= -4095n ? errno(Number(-value)) : ok(value);
      fileOf(ctx.process).add(`${head(ctx, result)} = ${formatResult(ctx, result, mode)}`);
    });
    kernel.hooks.clone.tap(PLUGIN_NAME, ({ parent, child }) => settle(parent, String(child.tid)));
    kernel.hooks.exec.tap(PLUGIN_NAME, ({ process }) => {
      for (const thread of process.threads()) settle(thread, '0');
    });
    // What exit and exit_group return: nothing (strace's `= ?`).
    kernel.hooks.threadExit.tap(PLUGIN_NAME, (thread) => settle(thread, '?'));
    kernel.hooks.finish.tap(PLUGIN_NAME, () => {
      for (const thread of [...waiting.keys()]) settle(thread, '<native>');
      for (const file of files.values()) file.flush();
    });
  },
});
