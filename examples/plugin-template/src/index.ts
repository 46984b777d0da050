/**
 * shadow-plugin-syscall-census: counts the syscalls the simulator traps for each host and, when the
 * simulation ends, writes the most frequent ones to `hosts/<host>/syscall-census.json`. A
 * template for plugins in TypeScript: typed options with a schema, per-host options, state made
 * in `apply` (never in module scope), an observer hook and the lifecycle hooks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type HostView } from '@shadow-ts/plugin-sdk';

const NAME = 'shadow-plugin-syscall-census';

/** The options, in `.shadowrc`: `plugins: [[syscall-census, { top: 5 }]]`, or per host. */
export interface CensusOptions {
  /** How many of the most frequent syscalls to write (all when absent). */
  readonly top?: number;
}

export default definePlugin<CensusOptions>({
  meta: {
    name: NAME,
    version: '1.0.0',
    apiVersion: '^2.2.0',
    optionsSchema: {
      type: 'object',
      properties: { top: { type: 'integer', minimum: 1, description: 'how many syscalls to list' } },
      additionalProperties: false,
    },
  },
  apply(kernel) {
    // One count per host and syscall, for this simulation only.
    const counts = new Map<string, Map<string, number>>();
    const hosts: HostView[] = [];
    kernel.hooks.start.tap(NAME, (all) => hosts.push(...all));
    kernel.hooks.syscallEnter.tap(NAME, (ctx) => {
      // A call that blocked runs again when it is woken: count it once.
      if (ctx.restarted) return;
      const host = counts.get(ctx.host.name) ?? new Map<string, number>();
      counts.set(ctx.host.name, host);
      host.set(ctx.name, (host.get(ctx.name) ?? 0) + 1);
    });
    kernel.hooks.finish.tap(NAME, () => {
      for (const host of hosts) {
        const top = kernel.optionsFor(host.name)['top'] as number | undefined;
        // Most frequent first; equal counts by name, so the file is the same every run.
        const rows = [...(counts.get(host.name) ?? [])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const listed = Object.fromEntries(top === undefined ? rows : rows.slice(0, top));
        writeFileSync(join(host.dataDir, 'syscall-census.json'), `${JSON.stringify(listed, null, 2)}\n`);
      }
    });
  },
});
