import { isPlainMap } from './checker.js';

/**
 * Keys of Shadow's simulation file that this simulator accepts and does not act on, with why.
 * A run that gives one (in the file or on the command line) logs one info line saying so, so
 * nobody believes a setting took effect when it did not. `unless` is the value that describes
 * what the simulator does anyway (no line for it).
 */
const NO_OPS: Readonly<Record<string, { readonly why: string; readonly unless?: unknown }>> = {
  'general.parallelism': { why: 'hosts run one after another on the simulator thread; results do not depend on it' },
  'host_option_defaults.log_level': { why: 'one log level applies to the whole run (general.log_level)', unless: null },
  'experimental.use_sched_fifo': { why: 'there are no worker threads to schedule' },
  'experimental.use_syscall_counters': { why: 'syscall counts are not collected' },
  'experimental.use_object_counters': { why: 'object counts are not collected' },
  'experimental.use_preload_libc': { why: 'there is no LD_PRELOAD shim: seccomp traps every syscall' },
  'experimental.use_preload_openssl_rng': { why: 'there is no LD_PRELOAD shim: OpenSSL draws from the simulated getrandom' },
  'experimental.use_preload_openssl_crypto': { why: 'there is no LD_PRELOAD shim: OpenSSL runs as it is' },
  'experimental.use_memory_manager': { why: 'program memory is read and written through process_vm_readv/writev' },
  'experimental.use_worker_spinning': { why: 'there are no worker threads' },
  'experimental.use_dynamic_runahead': { why: 'rounds last the graph\'s smallest latency (or runahead)', unless: false },
  'experimental.socket_send_buffer': { why: 'TCP sockets start with Linux\'s SO_SNDBUF default (tcp_wmem 16384 B), UDP sockets with 131072 B' },
  'experimental.socket_recv_buffer': { why: 'TCP sockets start with Linux\'s SO_RCVBUF default (tcp_rmem 131072 B), UDP sockets with 174760 B' },
  'experimental.socket_send_autotune': { why: 'TCP send buffers without SO_SNDBUF always grow as Linux\'s do (up to tcp_wmem 4 MiB)', unless: true },
  'experimental.socket_recv_autotune': { why: 'TCP receive buffers without SO_RCVBUF always grow as Linux\'s do (up to tcp_rmem 6 MiB)', unless: true },
  'experimental.interface_qdisc': { why: 'packets leave an interface in the order they were sent (fifo)', unless: 'fifo' },
  'experimental.scheduler': { why: 'one simulator thread runs every host' },
  'experimental.report_errors_to_stderr': { why: 'errors always go to stderr as well as to the log', unless: true },
  'experimental.use_new_tcp': { why: 'there is one TCP implementation', unless: false },
  'experimental.edge_bandwidth_limiting_enabled': { why: 'per-edge bandwidth is not modelled', unless: false },
  'experimental.edge_bandwidth_algorithm': { why: 'per-edge bandwidth is not modelled' },
  'experimental.edge_bandwidth_burst_ratio': { why: 'per-edge bandwidth is not modelled' },
};

/** Why `path` (`section.key`) has no effect here, or undefined when it is honoured. */
export function noOpReason(path: string): string | undefined {
  return NO_OPS[path]?.why;
}

/** One line for each key of `document` (the processed simulation file) that has no effect here. */
export function noOpNotes(document: unknown): string[] {
  if (!isPlainMap(document)) return [];
  const notes: string[] = [];
  for (const [path, entry] of Object.entries(NO_OPS)) {
    const [section, key] = path.split('.') as [string, string];
    const map = document[section];
    if (!isPlainMap(map) || !(key in map)) continue;
    if ('unless' in entry && map[key] === entry.unless) continue;
    notes.push(`${path} is accepted and has no effect: ${entry.why}`);
  }
  // A host's own host_options.log_level is no more honoured than the default one.
  const hosts = document['hosts'];
  const logLevel = NO_OPS['host_option_defaults.log_level']!;
  for (const [name, host] of Object.entries(isPlainMap(hosts) ? hosts : {})) {
    const options = isPlainMap(host) ? host['host_options'] : undefined;
    if (!isPlainMap(options) || !('log_level' in options) || options['log_level'] === logLevel.unless) continue;
    notes.push(`hosts.${name}.host_options.log_level is accepted and has no effect: ${logLevel.why}`);
  }
  return notes;
}
