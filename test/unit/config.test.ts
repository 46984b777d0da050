import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, type ConfigOverrides, loadSimulationConfig, type SimulationConfig, splitShellWords,
} from '../../core/src/config/index.js';
import { noOpNotes } from '../../core/src/config/no-ops.js';

const SEC = 1_000_000_000n;
/** The host heartbeat options when none are given. */
const NO_HEARTBEAT = { heartbeatInterval: null, heartbeatLogLevel: 'info', heartbeatLogInfo: ['node'] } as const;

// Shadow's getting-started file (Shadow's docs/getting_started_basic.md), verbatim.
const GETTING_STARTED = `general:
  # stop after 10 simulated seconds
  stop_time: 10s
  # old versions of cURL use a busy loop, so to avoid spinning in this busy
  # loop indefinitely, we add a system call latency to advance the simulated
  # time when running non-blocking system calls
  model_unblocked_syscall_latency: true

network:
  graph:
    # use a built-in network graph containing
    # a single vertex with a bandwidth of 1 Gbit
    type: 1_gbit_switch

hosts:
  # a host with the hostname 'server'
  server:
    network_node_id: 0
    processes:
    - path: python3
      args: -m http.server 80
      start_time: 3s
      # tell shadow to expect this process to still be running at the end of the
      # simulation
      expected_final_state: running
  # three hosts with hostnames 'client1', 'client2', and 'client3' using a yaml
  # anchor to avoid duplicating the options for each host
  client1: &client_host
    network_node_id: 0
    processes:
    - path: curl
      args: -s server
      start_time: 5s
  client2: *client_host
  client3: *client_host
`;

describe('config: loadSimulationConfig', () => {
  let dir: string;
  let bin: string;
  let savedPath: string | undefined;
  let count = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shadow-ts-config-'));
    // Fake programs on PATH so the tests don't depend on what the machine has installed.
    bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const name of ['python3', 'curl', 'prog']) {
      writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(bin, 'notexec'), 'data');
    chmodSync(join(bin, 'notexec'), 0o644);
    savedPath = process.env['PATH'];
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
  });

  after(() => {
    process.env['PATH'] = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  function write(yaml: string, name = `c${count++}.yaml`): string {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    return file;
  }

  function load(yaml: string, overrides: ConfigOverrides = {}): SimulationConfig {
    return loadSimulationConfig(write(yaml), overrides);
  }

  /** Loads `yaml`, expecting a ConfigError; returns it with the file name it was written to. */
  function loadError(yaml: string, overrides: ConfigOverrides = {}): ConfigError & { path: string } {
    const file = write(yaml);
    try {
      loadSimulationConfig(file, overrides);
    } catch (e) {
      expect(e, String(e)).to.be.instanceOf(ConfigError);
      return Object.assign(e as ConfigError, { path: file });
    }
    return expect.fail('expected a ConfigError');
  }

  /** A minimal valid file around the given hosts section (indented 2). */
  const withHosts = (hosts: string, general = 'stop_time: 10 s') =>
    `general:\n  ${general}\nnetwork:\n  graph:\n    type: 1_gbit_switch\nhosts:\n${hosts}`;
  const oneProcess = (proc: string) => withHosts(`  a:\n    network_node_id: 0\n    processes:\n    - path: prog\n${proc}`);

  it('loads Shadow\'s getting-started file with 4 hosts sorted by name', () => {
    const c = load(GETTING_STARTED);
    expect(c.hosts.map((h) => h.name)).to.deep.equal(['client1', 'client2', 'client3', 'server']);
    expect(c.general).to.deep.equal({
      stopTime: 10n * SEC, seed: 1, parallelism: 0, bootstrapEndTime: 0n, logLevel: 'info',
      heartbeatInterval: SEC, dataDirectory: 'shadow.data', templateDirectory: null, progress: false,
      modelUnblockedSyscallLatency: true,
    });
    expect(c.network.useShortestPath).to.equal(true);
    expect(c.network.graph.nodes).to.deep.equal([{ id: 0, bandwidthUp: 1_000_000_000n, bandwidthDown: 1_000_000_000n }]);
    const server = c.hosts[3]!;
    expect(server.options).to.deep.equal({ logLevel: null, pcapEnabled: false, pcapCaptureSize: 65535, ...NO_HEARTBEAT });
    expect(server.processes[0]).to.deep.equal({
      path: join(bin, 'python3'), args: ['-m', 'http.server', '80'], argv0: 'python3', environment: {},
      startTime: 3n * SEC, shutdownTime: null, shutdownSignal: 15, expectedFinalState: 'running',
    });
    for (const client of c.hosts.slice(0, 3)) {
      expect(client.networkNodeId).to.equal(0);
      expect(client.ipAddr).to.equal(null);
      expect(client.processes[0]!.args).to.deep.equal(['-s', 'server']);
      expect(client.processes[0]!.path).to.equal(join(bin, 'curl'));
      expect(client.processes[0]!.expectedFinalState).to.deep.equal({ exited: 0 });
    }
    expect(c.experimental).to.include({
      runahead: 1_000_000n, useCpuPinning: true, unblockedSyscallLatency: 1_000n,
      unblockedVdsoLatency: 10n, maxUnappliedCpuLatency: 1_000n,
    });
    expect(c.experimental.other).to.include({ strace_logging_mode: 'off', use_new_tcp: false, scheduler: 'thread-per-core' });
    expect(c.experimental.other['socket_recv_buffer']).to.equal(174_760n);
  });

  it('expands aliases in the processed document', () => {
    const doc = load(GETTING_STARTED).document as { hosts: Record<string, unknown> };
    expect(doc.hosts['client2']).to.deep.equal(doc.hosts['client1']);
    expect(doc.hosts['client2']).to.not.equal(doc.hosts['client1']);
  });

  it('reads the file from stdin for "-"', () => {
    const c = loadSimulationConfig('-', {}, () => GETTING_STARTED);
    expect(c.source).to.equal('-');
    expect(c.hosts).to.have.length(4);
    expect(() => loadSimulationConfig('-', {}, () => 'general: [')).to.throw(ConfigError, /^<stdin>:1: invalid YAML/);
  });

  it('applies merge keys and drops top-level x- keys', () => {
    const c = load(`x-host: &host
  network_node_id: 0
  host_options: { pcap_enabled: true }
x-proc: &proc
  path: prog
  start_time: 2 s
general: { stop_time: 10 }
network: { graph: { type: 1_gbit_switch } }
hosts:
  b:
    <<: *host
    processes:
    - <<: *proc
      args: [one, two]
  a:
    <<: *host
    ip_addr: 11.0.0.9
    processes: [{ <<: *proc, start_time: 1 }]
`);
    expect(c.hosts.map((h) => h.name)).to.deep.equal(['a', 'b']);
    expect(c.hosts[0]!.options.pcapEnabled).to.equal(true);
    expect(c.hosts[0]!.ipAddr).to.equal('11.0.0.9');
    expect(c.hosts[0]!.processes[0]!.startTime).to.equal(SEC);
    expect(c.hosts[1]!.processes[0]!.startTime).to.equal(2n * SEC);
    expect(c.hosts[1]!.processes[0]!.args).to.deep.equal(['one', 'two']);
    const doc = c.document as Record<string, unknown>;
    expect(Object.keys(doc)).to.deep.equal(['general', 'network', 'hosts']);
    expect((doc['hosts'] as Record<string, Record<string, unknown>>)['b']!['network_node_id']).to.equal(0);
  });

  it('reports an unknown key with its path and line', () => {
    const e = loadError(withHosts('  server:\n    network_node_id: 0\n    procesess: []\n'));
    expect(e.keyPath).to.equal('hosts.server.procesess');
    expect(e.line).to.equal(9);
    expect(e.file).to.equal(e.path);
    expect(e.message).to.equal(`${e.path}:9: hosts.server.procesess: unknown key (did you mean "processes"?); valid keys here: network_node_id, processes, ip_addr, bandwidth_down, bandwidth_up, host_options`);
  });

  it('reports unknown keys in every section, including through merge keys', () => {
    expect(loadError('general: { stop_time: 1, stop: 2 }\nnetwork: { graph: { type: 1_gbit_switch } }\nhosts: {}\n').keyPath).to.equal('general.stop');
    expect(loadError('bogus: 1\n').keyPath).to.equal('bogus');
    const merged = loadError(`x-p: &p
  path: prog
  start: 1
general: { stop_time: 10 }
network: { graph: { type: 1_gbit_switch } }
hosts:
  a:
    network_node_id: 0
    processes:
    - <<: *p
`);
    expect(merged.keyPath).to.equal('hosts.a.processes[0].start');
    expect(merged.line).to.equal(3); // where the key is written, inside the anchor
    const exp = loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n') + 'experimental:\n  use_magic: true\n');
    expect(exp.keyPath).to.equal('experimental.use_magic');
    expect(exp.line).to.equal(9);
  });

  it('rejects a start_time at or after stop_time', () => {
    const e = loadError(oneProcess('      start_time: 20 s\n'));
    expect(e.keyPath).to.equal('hosts.a.processes[0].start_time');
    expect(e.line).to.equal(11);
    expect(e.detail).to.equal('20 s must be before general.stop_time (10 s)');
    expect(loadError(oneProcess('      start_time: 10\n')).keyPath).to.equal('hosts.a.processes[0].start_time');
  });

  it('checks shutdown_time against start_time and stop_time', () => {
    const after = loadError(oneProcess('      shutdown_time: 11 s\n'));
    expect(after.keyPath).to.equal('hosts.a.processes[0].shutdown_time');
    expect(after.detail).to.match(/must be before general\.stop_time/);
    const before = loadError(oneProcess('      start_time: 5 s\n      shutdown_time: 5 s\n'));
    expect(before.detail).to.equal('5 s must be after start_time (5 s)');
    const ok = load(oneProcess('      start_time: 1 s\n      shutdown_time: 2 s\n      shutdown_signal: SIGINT\n'));
    expect(ok.hosts[0]!.processes[0]).to.include({ shutdownTime: 2n * SEC, shutdownSignal: 2 });
  });

  it('reports a missing executable with its key path', () => {
    const e = loadError(withHosts('  a:\n    network_node_id: 0\n    processes:\n    - path: nosuch-shadow-ts-prog\n'));
    expect(e.keyPath).to.equal('hosts.a.processes[0].path');
    expect(e.line).to.equal(10);
    expect(e.detail).to.equal('executable "nosuch-shadow-ts-prog" not found on PATH');
  });

  it('resolves paths with a slash against the cwd and requires them to be executable', () => {
    const abs = load(withHosts(`  a:\n    network_node_id: 0\n    processes:\n    - path: ${join(bin, 'prog')}\n`));
    expect(abs.hosts[0]!.processes[0]!.path).to.equal(join(bin, 'prog'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const rel = load(withHosts('  a:\n    network_node_id: 0\n    processes:\n    - path: ./bin/prog\n'));
      expect(rel.hosts[0]!.processes[0]!.path).to.equal(join(dir, 'bin', 'prog'));
      expect(rel.hosts[0]!.processes[0]!.argv0).to.equal('./bin/prog');
      expect(loadError(withHosts('  a:\n    network_node_id: 0\n    processes:\n    - path: ./bin/notexec\n')).detail)
        .to.match(/^executable "\.\/bin\/notexec" is not executable/);
      expect(loadError(withHosts('  a:\n    network_node_id: 0\n    processes:\n    - path: ./bin/missing\n')).detail)
        .to.equal(`executable "./bin/missing" does not exist (resolved to ${join(dir, 'bin', 'missing')})`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports unparsable YAML with its line', () => {
    const e = loadError('general:\n  stop_time: 10\nnetwork: [1, 2\nhosts: {}\n');
    expect(e.line).to.be.a('number');
    expect(e.keyPath).to.equal('');
    expect(e.message).to.match(new RegExp(`^${e.path}:\\d+: invalid YAML: `));
    expect(e.message).to.not.include('\n');
    const dup = loadError('general: { stop_time: 1 }\ngeneral: { stop_time: 2 }\n');
    expect(dup.line).to.equal(2);
    expect(dup.detail).to.match(/Map keys must be unique/);
  });

  it('reports a missing file and an empty file', () => {
    expect(() => loadSimulationConfig(join(dir, 'none.yaml'), {})).to.throw(ConfigError, /none\.yaml: cannot read the configuration file: no such file/);
    expect(loadError('').detail).to.match(/got an empty file/);
  });

  it('reads regular files only: a device, a directory or a named pipe is refused without reading it', () => {
    const refused = (path: string) => () => loadSimulationConfig(path, {});
    expect(refused('/dev/zero')).to.throw(ConfigError, /^\/dev\/zero: cannot read the configuration file: it is a character device, not a regular file/);
    expect(refused(dir)).to.throw(ConfigError, /cannot read the configuration file: it is a directory$/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refused(fifo)).to.throw(ConfigError, /fifo: cannot read the configuration file: it is a named pipe, not a regular file/);
  });

  it('an alias without its anchor is an error on the alias line', () => {
    const e = loadError('general:\n  stop_time: 10s\n  seed: *seed\n');
    expect(e.line).to.equal(3);
    expect(e.detail).to.equal('invalid YAML: alias *seed has no anchor &seed before it');
  });

  it('requires general, network, hosts and general.stop_time', () => {
    expect(loadError('network: { graph: { type: 1_gbit_switch } }\nhosts: {}\n').message).to.match(/: general: is a required section$/);
    const st = loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n', 'seed: 3'));
    expect(st.keyPath).to.equal('general.stop_time');
    expect(st.line).to.equal(1); // falls back to the nearest existing ancestor: the general key
    expect(st.detail).to.match(/^is required/);
    expect(loadError(withHosts('  {}\n')).detail).to.equal('needs at least one host');
  });

  it('lets command-line overrides win and records them in the document', () => {
    const c = load(GETTING_STARTED, {
      stopTime: '1 min', seed: '42', dataDirectory: 'out.data', logLevel: 'debug',
      keys: { 'general.progress': true, 'general.model_unblocked_syscall_latency': false },
    });
    expect(c.general).to.include({
      stopTime: 60n * SEC, seed: 42, dataDirectory: 'out.data', logLevel: 'debug', progress: true,
      modelUnblockedSyscallLatency: false,
    });
    expect((c.document as { general: unknown }).general).to.deep.equal({
      stop_time: '1 min', model_unblocked_syscall_latency: false, seed: 42, data_directory: 'out.data',
      log_level: 'debug', progress: true,
    });
  });

  it('applies the use_cpu_pinning override to experimental and records it in the document', () => {
    expect(load(GETTING_STARTED).experimental.useCpuPinning).to.equal(true);
    const c = load(GETTING_STARTED, { keys: { 'experimental.use_cpu_pinning': false } });
    expect(c.experimental.useCpuPinning).to.equal(false);
    expect((c.document as { experimental: unknown }).experimental).to.deep.equal({ use_cpu_pinning: false });
    const file = `${withHosts('  a: { network_node_id: 0, processes: [] }\n')}experimental:\n  use_cpu_pinning: false\n  runahead: 2 ms\n`;
    const set = load(file, { keys: { 'experimental.use_cpu_pinning': true } });
    expect(set.experimental).to.include({ useCpuPinning: true, runahead: 2_000_000n });
  });

  it('reports bad overrides as coming from the command line, without a line', () => {
    const e = loadError(GETTING_STARTED, { stopTime: '10 parsecs' });
    expect(e.line).to.equal(undefined);
    expect(e.message).to.equal(`${e.path}: general.stop_time: expected a time like "10 s" or "500 ms", got "10 parsecs" (unknown unit "parsecs") (set on the command line)`);
    expect(loadError(GETTING_STARTED, { seed: 'abc' }).detail).to.match(/expected an integer 0\.\.4294967295, got "abc"/);
    expect(loadError(GETTING_STARTED, { logLevel: 'loud' }).keyPath).to.equal('general.log_level');
    // The override shrinks stop_time below a start_time: reported where the start_time is.
    expect(loadError(GETTING_STARTED, { stopTime: '4' }).keyPath).to.equal('hosts.client1.processes[0].start_time');
  });

  it('splits args like a shell, without expansion', () => {
    expect(splitShellWords('-m http.server 80')).to.deep.equal(['-m', 'http.server', '80']);
    expect(splitShellWords('  a   b\tc\n')).to.deep.equal(['a', 'b', 'c']);
    expect(splitShellWords(`'single quoted' "double \\"q\\" \\\\ \\n" x\\ y`)).to.deep.equal(['single quoted', 'double "q" \\ \\n', 'x y']);
    expect(splitShellWords(`a'b'"c"d ''`)).to.deep.equal(['abcd', '']);
    expect(splitShellWords('$HOME ~ *')).to.deep.equal(['$HOME', '~', '*']);
    expect(splitShellWords('')).to.deep.equal([]);
    expect(() => splitShellWords('"open')).to.throw(/unterminated double quote/);
    expect(() => splitShellWords('\'open')).to.throw(/unterminated single quote/);
    const c = load(oneProcess(`      args: --name "a b" 'c d' e\\ f\n`));
    expect(c.hosts[0]!.processes[0]!.args).to.deep.equal(['--name', 'a b', 'c d', 'e f']);
    expect(loadError(oneProcess(`      args: "'open"\n`)).detail).to.match(/unterminated single quote/);
    expect(loadError(oneProcess('      args: {a: 1}\n')).detail).to.match(/expected a string .* or a list of strings/);
    expect(load(oneProcess('      args: [-p, 80, "a b"]\n')).hosts[0]!.processes[0]!.args).to.deep.equal(['-p', '80', 'a b']);
  });

  it('reads environment and every expected_final_state form', () => {
    const env = load(oneProcess('      environment: { A: x, PORT: 80 }\n')).hosts[0]!.processes[0]!;
    expect(env.environment).to.deep.equal({ A: 'x', PORT: '80' });
    const state = (s: string) => load(oneProcess(`      expected_final_state: ${s}\n`)).hosts[0]!.processes[0]!.expectedFinalState;
    expect(state('running')).to.equal('running');
    expect(state('{exited: 1}')).to.deep.equal({ exited: 1 });
    expect(state('{signaled: SIGINT}')).to.deep.equal({ signaled: 2 });
    expect(state('{signaled: 9}')).to.deep.equal({ signaled: 9 });
    expect(loadError(oneProcess('      expected_final_state: done\n')).detail).to.match(/expected running, \{exited: N\} or \{signaled: SIGNAL\}, got "done"/);
    expect(loadError(oneProcess('      expected_final_state: {signaled: kill}\n')).keyPath).to.equal('hosts.a.processes[0].expected_final_state.signaled');
    expect(loadError(oneProcess('      shutdown_signal: SIGRTMIN\n')).detail).to.match(/realtime signals are not supported/);
  });

  it('validates host names, node ids, addresses and bandwidths', () => {
    const host = (name: string, body = 'network_node_id: 0, processes: []') => withHosts(`  ${name}: { ${body} }\n`);
    expect(loadError(host('Server')).detail).to.match(/invalid hostname character "S"/);
    expect(loadError(host('localhost')).detail).to.match(/"localhost" is reserved/);
    expect(loadError(host('-a')).detail).to.match(/must not begin with "-"/);
    expect(loadError(host('a', 'network_node_id: 3, processes: []')).detail).to.match(/node 3 is not in the network graph \(its nodes: 0\)/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: 127.0.0.2')).detail).to.match(/loopback/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: 0.0.0.0')).detail).to.match(/unspecified/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: 224.0.0.1')).detail).to.match(/multicast/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: 255.255.255.255')).detail).to.match(/broadcast/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: 1.2.3')).detail).to.match(/expected an IPv4 address/);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], ip_addr: "::1"')).detail).to.match(/expected an IPv4 address/);
    const dup = loadError(withHosts('  a: { network_node_id: 0, processes: [], ip_addr: 11.0.0.5 }\n  b: { network_node_id: 0, processes: [], ip_addr: 11.0.0.5 }\n'));
    expect(dup.keyPath).to.equal('hosts.b.ip_addr');
    expect(dup.detail).to.equal('11.0.0.5 is already the address of host "a"');
    const bw = load(host('a', 'network_node_id: 0, processes: [], bandwidth_down: 10 Mbit, bandwidth_up: 8')).hosts[0]!;
    expect([bw.bandwidthDown, bw.bandwidthUp]).to.deep.equal([10_000_000n, 8n]);
    expect(loadError(host('a', 'network_node_id: 0, processes: [], bandwidth_up: 30 bit')).keyPath).to.equal('hosts.a.bandwidth_up');
    expect(loadError(host('a', 'network_node_id: 0')).detail).to.match(/^is required/);
  });

  it('requires a bandwidth from the host or its graph node', () => {
    const graph = 'type: gml\n    inline: |\n      graph [\n        node [ id 0 ]\n        edge [ source 0 target 0 latency "1 ms" ]\n      ]\n';
    const yaml = (bw: string) => `general: { stop_time: 10 }\nnetwork:\n  graph:\n    ${graph}hosts:\n  a: { network_node_id: 0, processes: []${bw} }\n`;
    expect(loadError(yaml('')).detail).to.equal('is required because graph node 0 has no host_bandwidth_down');
    expect(load(yaml(', bandwidth_down: 1 Gbit, bandwidth_up: 1 Gbit')).hosts[0]!.bandwidthUp).to.equal(1_000_000_000n);
  });

  it('merges host_options over host_option_defaults', () => {
    const c = load(`${withHosts('  a: { network_node_id: 0, processes: [] }\n  b: { network_node_id: 0, processes: [], host_options: { log_level: trace, pcap_capture_size: 1 KiB } }\n')}host_option_defaults:\n  pcap_enabled: true\n  log_level: debug\n`);
    expect(c.hosts[0]!.options).to.deep.equal({ logLevel: 'debug', pcapEnabled: true, pcapCaptureSize: 65535, ...NO_HEARTBEAT });
    expect(c.hosts[1]!.options).to.deep.equal({ logLevel: 'trace', pcapEnabled: true, pcapCaptureSize: 1024, ...NO_HEARTBEAT });
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [], host_options: { pcap: true } }\n')).keyPath).to.equal('hosts.a.host_options.pcap');
    // Neither log level is honoured (one level for the run): each says so once.
    expect(noOpNotes(c.document).filter((n) => n.includes('log_level'))).to.deep.equal([
      'host_option_defaults.log_level is accepted and has no effect: one log level applies to the whole run (general.log_level)',
      'hosts.b.host_options.log_level is accepted and has no effect: one log level applies to the whole run (general.log_level)',
    ]);
  });

  it('reads host heartbeat options per host, over the defaults', () => {
    const c = load(`${withHosts('  a: { network_node_id: 0, processes: [] }\n  b: { network_node_id: 0, processes: [], host_options: { host_heartbeat_interval: null } }\n')}host_option_defaults:\n  host_heartbeat_interval: 500 ms\n  host_heartbeat_log_info: [ram, node, ram]\n  host_heartbeat_log_level: debug\n`);
    expect(c.hosts[0]!.options).to.include({ heartbeatInterval: 500_000_000n, heartbeatLogLevel: 'debug' });
    expect(c.hosts[0]!.options.heartbeatLogInfo).to.deep.equal(['ram', 'node']);
    expect(c.hosts[1]!.options.heartbeatInterval).to.equal(null);
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n') + 'host_option_defaults: { host_heartbeat_interval: 0 s }\n').detail)
      .to.equal('must be more than 0 (or null for no heartbeat)');
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n') + 'host_option_defaults: { host_heartbeat_log_info: node }\n').detail)
      .to.equal('expected a list of node, socket, ram, got "node"');
  });

  it('reads general options and rejects bad values', () => {
    const c = load(withHosts('  a: { network_node_id: 0, processes: [] }\n', 'stop_time: 1 hr\n  seed: 7\n  parallelism: 4\n  bootstrap_end_time: 5 s\n  heartbeat_interval: null\n  template_directory: tmpl\n  log_level: warning'));
    expect(c.general).to.include({ stopTime: 3600n * SEC, seed: 7, parallelism: 4, bootstrapEndTime: 5n * SEC, heartbeatInterval: null, templateDirectory: 'tmpl', logLevel: 'warning' });
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n', 'stop_time: 10 S')).detail).to.match(/case-sensitive/);
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n', 'stop_time: 10\n  parallelism: -1')).keyPath).to.equal('general.parallelism');
    expect(loadError(withHosts('  a: { network_node_id: 0, processes: [] }\n', 'stop_time: 10\n  progress: yes')).detail).to.equal('expected true or false, got "yes"');
  });

  it('reads experimental options into typed fields and other', () => {
    const c = load(`${withHosts('  a: { network_node_id: 0, processes: [] }\n')}experimental:\n  runahead: null\n  use_cpu_pinning: false\n  unblocked_syscall_latency: 2 us\n  strace_logging_mode: deterministic\n  socket_send_buffer: 1 MiB\n  interface_qdisc: round-robin\n`);
    expect(c.experimental).to.include({ runahead: null, useCpuPinning: false, unblockedSyscallLatency: 2_000n });
    expect(c.experimental.other).to.include({ strace_logging_mode: 'deterministic', socket_send_buffer: 1_048_576n, interface_qdisc: 'round-robin' });
    expect(c.experimental.other).to.not.have.property('runahead');
    expect(c.experimental).to.include({
      nativePreemptionEnabled: false, nativePreemptionNativeInterval: 100_000_000n, nativePreemptionSimInterval: 10_000_000n,
    });
    const preempt = load(
      `${withHosts('  a: { network_node_id: 0, processes: [] }\n')}experimental:\n  native_preemption_sim_interval: 5 ms\n`,
      { keys: { 'experimental.native_preemption_enabled': true, 'experimental.native_preemption_native_interval': '20 ms' } },
    );
    expect(preempt.experimental).to.include({
      nativePreemptionEnabled: true, nativePreemptionNativeInterval: 20_000_000n, nativePreemptionSimInterval: 5_000_000n,
    });
    expect(preempt.experimental.other).to.not.have.property('native_preemption_enabled');
    const bad = loadError(`${withHosts('  a: { network_node_id: 0, processes: [] }\n')}experimental:\n  scheduler: fast\n`);
    expect(bad.keyPath).to.equal('experimental.scheduler');
    expect(bad.detail).to.match(/expected one of thread-per-core, thread-per-host; got "fast"/);
  });

  describe('network graphs', () => {
    const GML = 'graph [\n  node [ id 0 host_bandwidth_up "10 Mbit" host_bandwidth_down "10 Mbit" ]\n  node [ id 1 host_bandwidth_up "10 Mbit" host_bandwidth_down "10 Mbit" ]\n  edge [ source 0 target 0 latency "1 ms" ]\n  edge [ source 1 target 1 latency "1 ms" ]\n  edge [ source 0 target 1 latency "30 ms" ]\n]\n';
    const net = (graph: string, extra = '') => `general: { stop_time: 10 }\nnetwork:\n${extra}  graph:\n${graph}hosts:\n  a: { network_node_id: 1, processes: [] }\n`;
    const inline = (gml: string) => `    type: gml\n    inline: |\n${gml.split('\n').map((l) => (l === '' ? '' : `      ${l}`)).join('\n')}`;

    it('reads an inline GML graph', () => {
      const c = load(net(inline(GML)));
      expect(c.network.graph.nodes.map((n) => n.id)).to.deep.equal([0, 1]);
      expect(c.network.graph.edges[2]!.latency).to.equal(30_000_000n);
      expect(c.hosts[0]!.networkNodeId).to.equal(1);
    });

    it('maps inline GML errors to the YAML line', () => {
      const e = loadError(net(inline('graph [\n  node [ id 0 ]\n  # no comments\n]\n')));
      expect(e.keyPath).to.equal('network.graph.inline');
      expect(e.line).to.equal(8);
      expect(e.detail).to.equal('GML line 3, column 3: unexpected character \'#\' (GML has no comments)');
    });

    it('reads a GML file relative to the config file, plain or xz-compressed', () => {
      mkdirSync(join(dir, 'graphs'), { recursive: true });
      writeFileSync(join(dir, 'graphs', 'net.gml'), GML);
      expect(load(net('    type: gml\n    file: { path: graphs/net.gml }\n')).network.graph.nodes).to.have.length(2);
      execFileSync('xz', ['-zkf', join(dir, 'graphs', 'net.gml')]);
      const xz = load(net('    type: gml\n    file:\n      path: graphs/net.gml.xz\n      compression: xz\n'));
      expect(xz.network.graph.edges).to.have.length(3);
    });

    it('reports GML file errors with the graph file and line', () => {
      writeFileSync(join(dir, 'bad.gml'), 'graph [\n  node [ id 0 ]\n  edge [ source 0 target 0 latency "0 ms" ]\n]\n');
      const e = loadError(net('    type: gml\n    file: { path: bad.gml }\n'));
      expect(e.file).to.equal(join(dir, 'bad.gml'));
      expect(e.line).to.equal(3);
      expect(e.message).to.equal(`${join(dir, 'bad.gml')}:3: network.graph.file.path: column 28: "latency" must be greater than 0`);
      expect(loadError(net('    type: gml\n    file: { path: missing.gml }\n')).detail).to.match(/^graph file "missing.gml" does not exist/);
    });

    it('requires exactly one graph source and a known type', () => {
      expect(loadError(net('    type: gml\n')).detail).to.match(/needs "inline" .* or "file"/);
      expect(loadError(net('    type: gml\n    inline: "graph [ ]"\n    file: { path: x }\n')).detail).to.match(/either "inline" or "file", not both/);
      expect(loadError(net('    type: star\n')).detail).to.match(/expected one of gml, 1_gbit_switch; got "star"/);
      expect(loadError(net('    type: 1_gbit_switch\n    inline: "graph [ ]"\n')).keyPath).to.equal('network.graph.inline');
      expect(loadError(net('    type: gml\n    file: { path: x, compression: gzip }\n')).keyPath).to.equal('network.graph.file.compression');
    });

    it('with use_shortest_path false, needs a direct edge between used nodes', () => {
      const twoHosts = (gml: string) => net(inline(gml), '  use_shortest_path: false\n').replace('hosts:\n', 'hosts:\n  b: { network_node_id: 0, processes: [] }\n');
      expect(load(twoHosts(GML)).network.useShortestPath).to.equal(false);
      const doubled = `${GML.slice(0, GML.lastIndexOf(']'))}  edge [ source 1 target 0 latency "5 ms" ]\n]\n`;
      expect(loadError(twoHosts(doubled)).detail).to.match(/exactly one edge .* 0 -> 1 has 2/);
    });
  });
});
