import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLines, runShadow, scratchDir, type ShadowRun } from './harness.js';

/**
 * Stock programs under the simulator with its default settings (issue 11): OpenSSH's sshd and
 * ssh, Shadow's etcd example (a three-server raft cluster and etcdctl), a Go net/http server and
 * client (a static Go binary built here), redis-server with redis-benchmark, and iperf3 serving
 * two tests in a row. Each is skipped when its Debian package is not installed
 * (scripts/setup.sh installs them).
 */

/**
 * The run ended well: exit status 0 (every process in its expected state), nothing ENOSYS. The
 * simulator's log is kept as shadow.log beside shadow.data, to look at after a failure.
 */
function ok(run: ShadowRun): void {
  writeFileSync(join(run.dir, 'shadow.log'), run.stdout);
  expect(run.code, run.stdout.slice(-3000) + run.stderr).to.equal(0);
  expect(logLines(run, 'unsupported syscall'), 'nothing is ENOSYS').to.deep.equal([]);
}

/** The simulated time in the log line saying `process` ended with `state` (e.g. `{exited: 0}`). */
function endedAt(run: ShadowRun, process: string, state: string): string {
  const line = logLines(run, `process '${process}' ended: ${state}`)[0];
  expect(line, `${process} ended ${state}\n${run.stdout.slice(-3000)}`).to.be.a('string');
  return / (\d\d:\d\d:\d\d\.\d{9}) /.exec(line!)![1]!;
}

const missing = (...paths: string[]): boolean => paths.some((p) => !existsSync(p));

describe('workloads: stock programs with the default settings', function () {
  this.timeout(300_000);

  it('sshd and ssh: a public-key login as root runs remote commands; their output and exit status come back', function () {
    if (missing('/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen')) this.skip();
    const dir = scratchDir();
    // sshd will not start without its privilege-separation directory (systemd's tmpfiles makes
    // it at boot): native setup, as the package's service would have it.
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    for (const key of ['host_key', 'user_key']) {
      const r = spawnSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', key, '-f', join(dir, key)], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
    }
    copyFileSync(join(dir, 'user_key.pub'), join(dir, 'authorized_keys'));
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        'Port 22',
        'ListenAddress 0.0.0.0',
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        // The scratch directory is not root's home: no ownership checks, no PAM stack.
        'StrictModes no',
        'UsePAM no',
        'PidFile none',
        // bash reads ~/.bashrc for a command from sshd only at SHLVL 1 (SSH_SOURCE_BASHRC): this
        // keeps the machine's own root .bashrc (whatever it runs) out of the test.
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    );
    const ssh = (command: string, start: string, state = '') =>
      `    - { path: /usr/bin/ssh, args: ['-i', '${dir}/user_key', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', 'root@server', '${command}'], start_time: ${start}${state} }\n`;
    const yaml = `general: { stop_time: 30 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  server:
    network_node_id: 0
    processes:
    - { path: /usr/sbin/sshd, args: ['-D', '-e', '-f', '${dir}/sshd_config'], expected_final_state: running }
  client:
    network_node_id: 0
    processes:
${ssh('echo hello from $(hostname) as $(id -un)', '1 s')}${ssh('exit 3', '2 s', ', expected_final_state: { exited: 3 }')}`;
    const run = runShadow(yaml, [], dir, 120_000);
    ok(run);
    expect(run.file('client', 'ssh.1000.stdout')).to.equal('hello from server as root\n');
    expect(run.file('client', 'ssh.1000.stderr')).to.equal("Warning: Permanently added 'server' (ED25519) to the list of known hosts.\r\n");
    endedAt(run, 'client.ssh.1000', '{exited: 0}');
    // The second session's remote exit status is ssh's own.
    const second = readdirSync(join(run.dataDir, 'hosts/client')).find((f) => /^ssh\.\d+\.stdout$/.test(f) && f !== 'ssh.1000.stdout')!;
    expect(run.file('client', second)).to.equal('');
    endedAt(run, `client.${second.replace(/\.stdout$/, '')}`, '{exited: 3}');
    // OpenSSH ends the lines it logs to stderr with \r\n (log.c).
    const log = run.file('server', 'sshd.1000.stderr').replaceAll('\r\n', '\n');
    expect(log).to.contain('Server listening on 0.0.0.0 port 22.\n');
    expect(log.match(/^Accepted publickey for root from 11\.0\.0\.\d+ port \d+ ssh2: ED25519 SHA256:/gm)).to.have.length(2);
  });

  it("Shadow's etcd example: three servers form a raft cluster; etcdctl puts a key and gets it back", function () {
    if (missing('/usr/bin/etcd', '/usr/bin/etcdctl')) this.skip();
    const cluster = 'server1=http://server1:2380,server2=http://server2:2380,server3=http://server3:2380';
    // Shadow's example: the servers start at different times (etcd seeds its ids from the clock).
    const server = (name: string, start: string) => `  ${name}:
    network_node_id: 0
    processes:
    - path: /usr/bin/etcd
      args: --name ${name} --log-output=stdout --initial-cluster-token etcd-cluster-1 --initial-cluster '${cluster}' --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls http://${name}:2379 --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls http://${name}:2380
      start_time: ${start}
      expected_final_state: running
`;
    const endpoints = '--endpoints=http://server1:2379,http://server2:2379,http://server3:2379';
    const yaml = `general: { stop_time: 30 s }
network:
  graph:
    type: gml
    inline: |
      graph [
        node [ id 0 host_bandwidth_down "20 Mbit" host_bandwidth_up "20 Mbit" ]
        edge [ source 0 target 0 latency "100 ms" packet_loss 0.01 ]
      ]
hosts:
${server('server1', '0 s')}${server('server2', '1 s')}${server('server3', '2 s')}  client:
    network_node_id: 0
    processes:
    - { path: /usr/bin/etcdctl, args: "${endpoints} put greeting 'hello from etcd'", start_time: 10 s }
    - { path: /usr/bin/etcdctl, args: "${endpoints} get greeting", start_time: 15 s }
`;
    const run = runShadow(yaml);
    ok(run);
    const outputs = readdirSync(join(run.dataDir, 'hosts/client')).filter((f) => f.endsWith('.stdout')).sort((a, b) => a.length - b.length || a.localeCompare(b));
    expect(outputs).to.have.length(2);
    expect(run.file('client', outputs[0]!)).to.equal('OK\n');
    expect(run.file('client', outputs[1]!)).to.equal('greeting\nhello from etcd\n');
    // One leader, elected by all three; each server serves clients. (etcd 3.4 logs to stderr.)
    const logs = ['server1', 'server2', 'server3'].map((h) => run.file(h, 'etcd.1000.stdout') + run.file(h, 'etcd.1000.stderr'));
    expect(logs.join('').match(/ became leader at term \d+/g)).to.have.length(1);
    for (const log of logs) {
      expect(log).to.match(/elected leader [0-9a-f]+ at term \d+/);
      expect(log).to.contain('ready to serve client requests');
    }
  });

  it("a Go net/http server (a static binary built here) answers a Go client fetching concurrently and curl; Go's own resolver asks the simulated DNS", function () {
    if (missing('/usr/bin/go')) this.skip();
    this.timeout(600_000);
    const dir = scratchDir();
    writeFileSync(join(dir, 'go.mod'), 'module hello\n\ngo 1.19\n');
    writeFileSync(
      join(dir, 'main.go'),
      `package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
)

// "get URL..." fetches the URLs concurrently and prints each status and body in order;
// "lookup NAME..." resolves each name with Go's own resolver (no libc); otherwise it serves on :8080.
func main() {
	if len(os.Args) > 2 && os.Args[1] == "lookup" {
		for _, name := range os.Args[2:] {
			addrs, err := net.LookupHost(name)
			if err != nil {
				fmt.Printf("%s: %v\\n", name, err)
			} else {
				fmt.Printf("%s: %v\\n", name, addrs)
			}
		}
		return
	}
	if len(os.Args) > 2 && os.Args[1] == "get" {
		urls := os.Args[2:]
		bodies := make([]string, len(urls))
		failed := false
		var wg sync.WaitGroup
		for i, u := range urls {
			wg.Add(1)
			go func(i int, u string) {
				defer wg.Done()
				r, err := http.Get(u)
				if err != nil {
					bodies[i], failed = "error: "+err.Error()+"\\n", true
					return
				}
				defer r.Body.Close()
				b, _ := io.ReadAll(r.Body)
				bodies[i] = fmt.Sprintf("%d %s", r.StatusCode, b)
			}(i, u)
		}
		wg.Wait()
		for _, b := range bodies {
			fmt.Print(b)
		}
		if failed {
			os.Exit(1)
		}
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from go at %s\\n", r.URL.Path)
	})
	fmt.Println("listening on :8080")
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
`,
    );
    // A cache that outlives the scratch directory: the standard library is compiled once.
    const env = { ...process.env, CGO_ENABLED: '0', GOCACHE: join(tmpdir(), 'shadow-ts-gocache'), GOPATH: join(dir, 'gopath'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
    const build = spawnSync('/usr/bin/go', ['build', '-o', 'hello', '.'], { cwd: dir, env, encoding: 'utf8', timeout: 500_000 });
    expect(build.status, build.stderr).to.equal(0);
    // Static: no dynamic loader, Go's own runtime makes every call.
    expect(readFileSync(join(dir, 'hello')).subarray(0, 4).toString('latin1')).to.equal('\x7fELF');
    const paths = ['a', 'b', 'c', 'd', 'e'];
    const yaml = `general: { stop_time: 10 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  server:
    network_node_id: 0
    processes:
    - { path: ${dir}/hello, expected_final_state: running }
  client:
    network_node_id: 0
    processes:
    - { path: ${dir}/hello, args: [get, ${paths.map((p) => `'http://server:8080/${p}'`).join(', ')}], start_time: 1 s }
    - { path: /usr/bin/curl, args: [-s, -S, 'http://server:8080/curl'], start_time: 2 s }
    - { path: ${dir}/hello, args: [lookup, server, nosuch.sim], start_time: 3 s }
`;
    const run = runShadow(yaml, [], dir);
    ok(run);
    expect(run.file('server', 'hello.1000.stdout')).to.equal('listening on :8080\n');
    expect(run.file('client', 'hello.1000.stdout')).to.equal(paths.map((p) => `200 hello from go at /${p}\n`).join(''));
    const curl = readdirSync(join(run.dataDir, 'hosts/client')).find((f) => /^curl\.\d+\.stdout$/.test(f))!;
    expect(run.file('client', curl)).to.equal('hello from go at /curl\n');
    // The host name from the simulated /etc/hosts; an unknown one sent to the resolver that
    // /etc/resolv.conf names, which answers NXDOMAIN.
    const lookup = readdirSync(join(run.dataDir, 'hosts/client')).filter((f) => /^hello\.\d+\.stdout$/.test(f)).sort().at(-1)!;
    expect(run.file('client', lookup)).to.equal('server: [11.0.0.2]\nnosuch.sim: lookup nosuch.sim on 127.0.0.53:53: no such host\n');
  });

  it('redis-server and redis-benchmark (SET and GET, 50 clients) finish; redis-cli reads what the benchmark set', function () {
    if (missing('/usr/bin/redis-server', '/usr/bin/redis-benchmark', '/usr/bin/redis-cli')) this.skip();
    const dir = scratchDir();
    mkdirSync(join(dir, 'redis'));
    const yaml = `general: { stop_time: 10 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  server:
    network_node_id: 0
    processes:
    - { path: /usr/bin/redis-server, args: ['--port', '6379', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', '${dir}/redis'], expected_final_state: running }
  client:
    network_node_id: 0
    processes:
    - { path: /usr/bin/redis-benchmark, args: ['-h', 'server', '-q', '-n', '1000', '-t', 'set,get'], start_time: 1 s }
    - { path: /usr/bin/redis-cli, args: ['-h', 'server', 'get', 'key:__rand_int__'], start_time: 5 s }
`;
    const run = runShadow(yaml, [], dir);
    ok(run);
    endedAt(run, 'client.redis-benchmark.1000', '{exited: 0}');
    // -q prints progress lines ending in \r, then one result line per test.
    const lines = run.file('client', 'redis-benchmark.1000.stdout').split(/[\r\n]/).map((l) => l.trim()).filter((l) => /requests per second/.test(l) && !/rps=/.test(l));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^SET: \d+\.\d\d requests per second, p50=\d+\.\d{3} msec$/);
    expect(lines[1]).to.match(/^GET: \d+\.\d\d requests per second, p50=\d+\.\d{3} msec$/);
    // The benchmark's SET wrote its 3-byte value (from its own fixed-seed generator: natively
    // the same) under its literal key.
    const cli = readdirSync(join(run.dataDir, 'hosts/client')).find((f) => /^redis-cli\.\d+\.stdout$/.test(f))!;
    expect(run.file('client', cli)).to.equal('VXK\n');
    expect(run.file('server', 'redis-server.1000.stdout')).to.contain('Ready to accept connections');
  });

  it('iperf3 serves two tests in a row on a 100 Mbit link (it listens again on its port after the first)', function () {
    if (missing('/usr/bin/iperf3')) this.skip();
    // iperf3 must bind 0.0.0.0 (Shadow's docs: its default is IPv6).
    const client = (start: string) => `    - { path: /usr/bin/iperf3, args: ['-4', '-c', 'server', '-t', '2'], start_time: ${start} }\n`;
    const yaml = `general: { stop_time: 20 s }
network:
  graph:
    type: gml
    inline: |
      graph [
        node [ id 0 host_bandwidth_down "100 Mbit" host_bandwidth_up "100 Mbit" ]
        edge [ source 0 target 0 latency "10 ms" ]
      ]
hosts:
  server:
    network_node_id: 0
    processes:
    - { path: /usr/bin/iperf3, args: ['-s', '-B', '0.0.0.0'], expected_final_state: running }
  client:
    network_node_id: 0
    processes:
${client('1 s')}${client('6 s')}`;
    const run = runShadow(yaml, [], scratchDir(), 280_000);
    ok(run);
    const outputs = readdirSync(join(run.dataDir, 'hosts/client')).filter((f) => /^iperf3\.\d+\.stdout$/.test(f)).sort();
    expect(outputs).to.have.length(2);
    for (const name of outputs) {
      const out = run.file('client', name);
      expect(out, name).to.match(/^Connecting to host server, port 5201\n/);
      const receiver = /([\d.]+) Mbits\/sec\s+receiver\n/.exec(out);
      expect(receiver, out).to.not.equal(null);
      expect(Number(receiver![1]), out).to.be.within(80, 100);
      expect(out).to.match(/\niperf Done\.\n$/);
    }
    // The first test ended before the second began; the server took both.
    const first = endedAt(run, `client.${outputs[0]!.replace(/\.stdout$/, '')}`, '{exited: 0}');
    expect(first < '00:00:06.000000000', first).to.equal(true);
    endedAt(run, `client.${outputs[1]!.replace(/\.stdout$/, '')}`, '{exited: 0}');
    const server = run.file('server', 'iperf3.1000.stdout');
    expect(server.match(/^Accepted connection from 11\.0\.0\.\d+, port \d+$/gm)).to.have.length(2);
    expect(server).to.contain('Server listening on 5201 (test #2)');
  });
});
