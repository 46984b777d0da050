import { readlinkSync } from 'node:fs';
import type { ProcessView, SimTime } from '@shadow-ts/plugin-sdk';
import type { ExpectedFinalState, ProcessOptions } from '../config/types.js';
import type { Host } from './host.js';
import type { Thread } from './thread.js';
import { FdTable } from './fd-table.js';
import { ProcessMemory } from './memory.js';

/** How a process ended (or 'running' when the simulation stopped it). */
export type FinalState = ExpectedFinalState;

/** A managed process: one real Linux process, its threads, and its virtual identity. */
export class Process implements ProcessView {
  readonly threads = new Map<number, Thread>();
  readonly fds = new FdTable();
  final: FinalState | null = null;
  /** True once the new image of its first execve is running. */
  execed = false;

  constructor(
    readonly host: Host,
    readonly pid: number,
    readonly parentPid: number,
    readonly name: string,
    readonly realPid: number,
    readonly memory: ProcessMemory,
    readonly startTime: SimTime,
    /** Set for processes the simulation file started: they have an expected final state. */
    readonly options: ProcessOptions | null,
  ) {}

  /** `host.exe.pid`, Shadow's display name. */
  get displayName(): string {
    return `${this.host.name}.${this.name}.${this.pid}`;
  }

  isOpen(fd: number): boolean {
    if (fd < 0) return false;
    try {
      readlinkSync(`/proc/${this.realPid}/fd/${fd}`);
      return true;
    } catch {
      return false;
    }
  }

  get alive(): boolean {
    return this.final === null;
  }
}

/** Renders a final state as Shadow does in its messages: `{exited: 0}`, `{signaled: SIGKILL}`, `running`. */
export function formatFinalState(state: FinalState, signalName: (n: number) => string): string {
  if (state === 'running') return 'running';
  if ('exited' in state) return `{exited: ${state.exited}}`;
  return `{signaled: ${signalName(state.signaled)}}`;
}

/** Whether two final states are the same. */
export function sameFinalState(a: FinalState, b: FinalState): boolean {
  if (a === 'running' || b === 'running') return a === b;
  if ('exited' in a) return 'exited' in b && a.exited === b.exited;
  return 'signaled' in b && a.signaled === b.signaled;
}
