import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KEY_FLAGS } from '../../core/src/cli-flags.js';
import { noOpReason } from '../../core/src/config/no-ops.js';
import { ROOT, SHADOW, logLines, oneHost, runShadow, scratchDir } from './harness.js';

/** A valid value for each key flag, different from Shadow's default where one exists. */
const VALUES: Readonly<Record<string, string>> = {
  parallelism: '2',
  'bootstrap-end-time': '1 s',
  'heartbeat-interval': '2 s',
  'template-directory': 'null',
  progress: 'false',
  'model-unblocked-syscall-latency': 'true',
  'use-shortest-path': 'true',
  'host-log-level': 'debug',
  'pcap-enabled': 'true',
  'pcap-capture-size': '100 B',
  'use-sched-fifo': 'true',
  'use-syscall-counters': 'false',
  'use-object-counters': 'false',
  'use-preload-libc': 'false',
  'use-preload-openssl-rng': 'false',
  'use-preload-openssl-crypto': 'true',
  'use-memory-manager': 'true',
  'use-cpu-pinning': 'false',
  'use-worker-spinning': 'false',
  runahead: '2 ms',
  'use-dynamic-runahead': 'true',
  'socket-send-buffer': '64 KiB',
  'socket-send-autotune': 'false',
  'socket-recv-buffer': '64 KiB',
  'socket-recv-autotune': 'false',
  'interface-qdisc': 'round-robin',
  'strace-logging-mode': 'standard',
  'max-unapplied-cpu-latency': '2 us',
  'unblocked-syscall-latency': '2 us',
  'unblocked-vdso-latency': '20 ns',
  scheduler: 'thread-per-host',
  'report-errors-to-stderr': 'false',
  'use-new-tcp': 'true',
  'native-preemption-enabled': 'false',
  'native-preemption-native-interval': '200 ms',
  'native-preemption-sim-interval': '20 ms',
};

const TRUE_PROGRAM = `    - { path: /bin/true }\n`;

describe("cli: Shadow's command line", () => {
  it("Shadow's test-harness flags run the getting-started example unchanged", function () {
    this.timeout(120_000);
    const dir = scratchDir();
    cpSync(join(ROOT, 'examples/getting-started/shadow.yaml'), join(dir, 'shadow.yaml'));
    const yaml = readFileSync(join(dir, 'shadow.yaml'), 'utf8');
    const run = runShadow(yaml, ['--use-cpu-pinning', 'false', '--strace-logging-mode', 'standard', '--parallelism', '1', '--report-errors-to-stderr', 'false'], dir);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('client1', 'curl.1000.stdout')).to.contain('Directory listing for /');
    // --strace-logging-mode standard took effect: curl's non-blocking connect, decoded, pointers shown.
    const strace = run.file('client1', 'curl.1000.strace');
    expect(strace).to.match(/^00:00:05\.\d{9} \[tid 1000\] connect\(\d+, \{sa_family=AF_INET, sin_port=htons\(80\), sin_addr=inet_addr\("11\.0\.0\.4"\)\}, 16\) = -115 \(EINPROGRESS\)$/m);
    expect(strace).to.match(/\(0x[0-9a-f]+, /);
    expect(logLines(run, 'strace_logging_mode')).to.deep.equal([]);
  });

  it('takes every key flag of Shadow 3.x once: the value reaches the processed config, and each no-op says so once', function () {
    this.timeout(60_000);
    expect(Object.keys(VALUES).sort()).to.deep.equal(KEY_FLAGS.map((f) => f.name).sort());
    const args = KEY_FLAGS.flatMap((f) => [`--${f.name}`, VALUES[f.name]!]);
    const run = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 3 s'), [...args, '-g', '--debug-hosts', 'alpha', '--shm-cleanup']);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    const processed = parse(readFileSync(join(run.dataDir, 'processed-config.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const flag of KEY_FLAGS) {
      const [section, key] = flag.key.split('.') as [string, string];
      expect(processed[section], flag.key).to.have.property(key);
    }
    expect(processed['general']!['parallelism']).to.equal(2);
    expect(processed['experimental']!['runahead']).to.equal('2 ms');
    expect(processed['experimental']!['template_directory']).to.equal(undefined);
    const notes = logLines(run, 'is accepted and has no effect');
    for (const key of ['general.parallelism', 'experimental.use_preload_libc', 'experimental.interface_qdisc', 'host_option_defaults.log_level', '--gdb', '--debug-hosts', '--shm-cleanup']) {
      expect(notes.filter((l) => l.includes(`${key} is accepted`)), key).to.have.length(1);
    }
    // Honoured keys say nothing: runahead, pinning, preemption, latencies.
    for (const key of ['experimental.runahead', 'experimental.use_cpu_pinning', 'general.bootstrap_end_time']) {
      expect(notes.filter((l) => l.includes(key)), key).to.deep.equal([]);
    }
    expect(run.file('alpha', 'eth0.pcap').length, 'pcap-enabled took effect').to.be.greaterThan(0);
  });

  it('keeps the older switches: a bare boolean flag means true, --no-x means false', () => {
    const run = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 1 s'), ['--model-unblocked-syscall-latency', '--no-pcap-enabled', '--show-config']);
    expect(run.code, run.stderr).to.equal(0);
    const shown = parse(run.stderr) as Record<string, Record<string, unknown>>;
    expect(shown['general']!['model_unblocked_syscall_latency']).to.equal(true);
    expect(shown['host_option_defaults']!['pcap_enabled']).to.equal(false);
    // A boolean value at the very end, after the simulation file, is still the flag's value.
    const dir = scratchDir();
    writeFileSync(join(dir, 'shadow.yaml'), oneHost(TRUE_PROGRAM, 'stop_time: 1 s'));
    const last = spawnSync(process.execPath, [SHADOW, '--show-config', 'shadow.yaml', '--pcap-enabled', 'false'], { cwd: dir, encoding: 'utf8' });
    expect(last.status, last.stderr).to.equal(0);
    expect((parse(last.stderr) as Record<string, Record<string, unknown>>)['host_option_defaults']!['pcap_enabled']).to.equal(false);
  });

  it('--show-config prints the whole configuration to stderr and runs nothing; processed-config.yaml holds the same', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'vfork: as-fork\nwatchdog: 20 s\n');
    const shown = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 3 s'), ['--show-config', '--runahead', '2 ms'], dir);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.equal('');
    expect(existsSync(shown.dataDir), 'nothing ran').to.equal(false);
    const config = parse(shown.stderr) as Record<string, Record<string, unknown>>;
    // Defaults the file did not give, in Shadow's keys and units.
    expect(config['general']).to.include({ stop_time: '3 s', seed: 1, bootstrap_end_time: '0 s', heartbeat_interval: '1 s' });
    expect(config['experimental']).to.include({ runahead: '2 ms', unblocked_vdso_latency: '10 ns', strace_logging_mode: 'off', socket_send_buffer: '131072 B' });
    expect(config['host_option_defaults']).to.deep.equal({
      log_level: null, pcap_enabled: false, pcap_capture_size: '65535 B',
      host_heartbeat_interval: null, host_heartbeat_log_level: 'info', host_heartbeat_log_info: ['node'],
    });
    const alpha = (config['hosts'] as Record<string, { processes: Record<string, unknown>[] }>)['alpha']!;
    expect(alpha.processes[0]).to.deep.include({ path: '/bin/true', start_time: '0 s', shutdown_signal: 'SIGTERM', expected_final_state: { exited: 0 } });
    // The .shadowrc settings that applied, under an extension key the reader skips.
    expect(config['x-shadowrc']).to.deep.include({ file: join(dir, '.shadowrc'), vfork: 'as-fork', watchdog: '20 s', backend: 'ptrace' });

    const ran = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 3 s'), ['--runahead', '2 ms'], dir);
    expect(ran.code, ran.stderr).to.equal(0);
    const processed = readFileSync(join(ran.dataDir, 'processed-config.yaml'), 'utf8');
    expect(processed).to.equal(shown.stderr);
    // It is a simulation file that runs again as it is, to the same configuration.
    const again = runShadow(processed, ['-d', 'again.data'], scratchDir());
    expect(again.code, again.stderr).to.equal(0);
    const reprocessed = parse(readFileSync(join(again.dir, 'again.data', 'processed-config.yaml'), 'utf8')) as Record<string, unknown>;
    expect({ ...reprocessed, 'x-shadowrc': null, general: null }).to.deep.equal({ ...parse(processed), 'x-shadowrc': null, general: null });
  });

  it('a bad value names the key it sets, in one line', () => {
    const run = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 1 s'), ['--parallelism', 'many']);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.match(/general\.parallelism/);
    const bool = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 1 s'), ['--use-cpu-pinning', 'maybe']);
    expect(bool.code).to.not.equal(0);
    expect(bool.stderr).to.match(/--use-cpu-pinning/);
  });

  it('--show-build-info prints the version and exits', () => {
    const run = runShadow(oneHost(TRUE_PROGRAM, 'stop_time: 1 s'), ['--show-build-info']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^shadow-ts \d+\.\d+\.\d+ on Node\.js /);
  });

  it('the README table lists every key flag with its key, and says which have no effect and why', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const flag of KEY_FLAGS) {
      const row = new RegExp(`^\\| \`(-\\w, )?--${flag.name} <[^>]+>\` \\| \`${flag.key}\` \\| (.*) \\|$`, 'm').exec(readme);
      expect(row, flag.name).to.not.equal(null);
      const why = noOpReason(flag.key);
      if (why === undefined) expect(row![2], flag.name).to.match(/^honoured/);
      else expect(row![2], flag.name).to.equal(`accepted, no effect: ${why}`);
    }
  });

  it('-e/--template-directory: the data directory starts as a copy of the template (torrc and keys in the host directory)', () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'template/hosts/alpha/keys'), { recursive: true });
    writeFileSync(join(dir, 'template/hosts/alpha/torrc'), 'SocksPort 9050\n');
    writeFileSync(join(dir, 'template/hosts/alpha/keys/secret_id_key'), 'KEY\n');
    const read = `    - { path: /bin/sh, args: ['-c', 'cat torrc keys/secret_id_key'] }\n`;
    const run = runShadow(oneHost(read, 'stop_time: 1 s'), ['-e', 'template'], dir);
    expect(run.code, run.stderr + run.stdout.slice(-1500)).to.equal(0);
    expect(run.file('alpha', 'sh.1000.stdout')).to.equal('SocksPort 9050\nKEY\n');
    const missing = runShadow(oneHost(read, 'stop_time: 1 s'), ['--template-directory', 'nowhere']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^shadow: error: template directory "nowhere": no such file or directory\n$/);
  });
});
