/**
 * Shadow 3.x's command-line options that set a key of the simulation file, with Shadow's
 * syntax: `--<key-with-dashes> <value>`, boolean options taking `true` or `false`. Each value is
 * written into the document before it is checked (CLI > file), so it is validated and reported
 * like the key in the file; keys that mean nothing here are accepted and logged once
 * (config/no-ops.ts). The options with behaviour of their own (`--vfork`, `--watchdog`,
 * `--show-config`, …) are declared in cli.ts.
 */

export interface KeyFlag {
  /** The long option, without dashes. */
  readonly name: string;
  readonly short?: string;
  /** The key it sets, as a dotted path. */
  readonly key: string;
  /** What the value is, for --help. */
  readonly value: string;
  readonly boolean?: boolean;
}

const general = (name: string, value: string, short?: string): KeyFlag => ({
  name,
  key: `general.${name.replaceAll('-', '_')}`,
  value,
  ...(short && { short }),
  ...(value === 'bool' && { boolean: true }),
});

const experimental = (name: string, value: string): KeyFlag => ({
  name,
  key: `experimental.${name.replaceAll('-', '_')}`,
  value,
  ...(value === 'bool' && { boolean: true }),
});

/** Every key flag of Shadow 3.x (`shadow --help`). */
export const KEY_FLAGS: readonly KeyFlag[] = [
  general('parallelism', 'cores', 'p'),
  general('bootstrap-end-time', 'time'),
  general('heartbeat-interval', 'time|null'),
  general('template-directory', 'path|null', 'e'),
  general('progress', 'bool'),
  general('model-unblocked-syscall-latency', 'bool'),
  { name: 'use-shortest-path', key: 'network.use_shortest_path', value: 'bool', boolean: true },
  { name: 'host-log-level', key: 'host_option_defaults.log_level', value: 'level' },
  { name: 'pcap-enabled', key: 'host_option_defaults.pcap_enabled', value: 'bool', boolean: true },
  { name: 'pcap-capture-size', key: 'host_option_defaults.pcap_capture_size', value: 'bytes' },
  experimental('use-sched-fifo', 'bool'),
  experimental('use-syscall-counters', 'bool'),
  experimental('use-object-counters', 'bool'),
  experimental('use-preload-libc', 'bool'),
  experimental('use-preload-openssl-rng', 'bool'),
  experimental('use-preload-openssl-crypto', 'bool'),
  experimental('use-memory-manager', 'bool'),
  experimental('use-cpu-pinning', 'bool'),
  experimental('use-worker-spinning', 'bool'),
  experimental('runahead', 'time|null'),
  experimental('use-dynamic-runahead', 'bool'),
  experimental('socket-send-buffer', 'bytes'),
  experimental('socket-send-autotune', 'bool'),
  experimental('socket-recv-buffer', 'bytes'),
  experimental('socket-recv-autotune', 'bool'),
  experimental('interface-qdisc', 'fifo|round-robin'),
  experimental('strace-logging-mode', 'off|standard|deterministic'),
  experimental('max-unapplied-cpu-latency', 'time'),
  experimental('unblocked-syscall-latency', 'time'),
  experimental('unblocked-vdso-latency', 'time'),
  experimental('scheduler', 'thread-per-core|thread-per-host'),
  experimental('report-errors-to-stderr', 'bool'),
  experimental('use-new-tcp', 'bool'),
  experimental('native-preemption-enabled', 'bool'),
  experimental('native-preemption-native-interval', 'time'),
  experimental('native-preemption-sim-interval', 'time'),
];

/**
 * Shadow's boolean options take a value (`--progress true`); a bare `--progress` (this tool's
 * older switch) means true. Inserts that `true` where no value follows — at the end, before
 * another option, or before the last argument (the simulation file) — so the parser can require
 * a value and never takes the simulation file for one; a wrong value stays for it to refuse.
 */
export function withBooleanValues(argv: readonly string[], booleans: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    out.push(arg);
    const next = argv[i + 1];
    const valueFollows = next === 'true' || next === 'false';
    if (booleans.has(arg) && !valueFollows && (next === undefined || next.startsWith('-') || i + 1 === argv.length - 1)) out.push('true');
  }
  return out;
}
