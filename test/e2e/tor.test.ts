import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, logLines, runShadow, scratchDir, snapshot, type ShadowRun } from './harness.js';

/**
 * A private Tor network of Debian's tor, made by examples/tor-network/generate.sh: three
 * directory authorities, four relays (two exits), a client with a SocksPort and a web server.
 * Every tor bootstraps, curl fetches the web server's page through the client's SOCKS port (so
 * over a three-hop circuit and out of an exit, which resolves `web` with the simulated DNS),
 * and a second run in the same directory gives the same bytes.
 */

const TOR = '/usr/sbin/tor';
const GENERATE = join(ROOT, 'examples/tor-network/generate.sh');
const TOR_HOSTS = ['auth1', 'auth2', 'auth3', 'relay1', 'relay2', 'relay3', 'relay4', 'client'];
/** The page generate.sh writes into web's www/. */
const PAGE = '<html><body><p>Hello from web, through Tor.</p></body></html>\n';

function hasProgram(name: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => d !== '' && existsSync(join(d, name)));
}

function ok(run: ShadowRun): void {
  expect(run.code, `${run.stderr}\n${run.stdout.slice(-3000)}`).to.equal(0);
}

describe('tor: a private Tor network (examples/tor-network)', function () {
  this.timeout(600_000);
  let dir = '';
  let first: ShadowRun;

  before(function () {
    this.timeout(600_000);
    if (!existsSync(TOR) || !hasProgram('tor-gencert')) this.skip();
    dir = join(scratchDir(), 'tor-network');
    execFileSync('bash', [GENERATE, '--authorities', '3', '--stop-time', '10 min', '--curl-time', '5 min', dir], { stdio: 'pipe' });
    first = runShadow(readFileSync(join(dir, 'shadow.yaml'), 'utf8'), [], dir, 300_000);
  });

  it('bootstraps every tor within two simulated minutes, without a warning from the simulator', () => {
    ok(first);
    for (const host of TOR_HOSTS) {
      const line = first
        .file(host, 'tor.1000.stdout')
        .split('\n')
        .find((l) => l.includes('[notice] Bootstrapped 100% (done): Done'));
      expect(line, `${host} did not bootstrap`).to.be.a('string');
      expect(line!.slice(0, 15), `${host}: ${line}`).to.match(/^Jan 01 00:0[01]:/);
    }
    // No unsupported syscall, ioctl or option: tor ran on what the simulator answers.
    expect(logLines(first, '[WARN]').concat(logLines(first, '[ERROR]'))).to.deep.equal([]);
  });

  it("fetches web's page with curl through the client's SocksPort and an exit", () => {
    ok(first);
    const client = readdirSync(join(first.dataDir, 'hosts/client'));
    const curl = client.filter((name) => /^curl\.\d+\.stdout$/.test(name));
    expect(curl).to.have.length(1);
    expect(first.file('client', curl[0]!)).to.equal(PAGE);
    expect(first.file('client', curl[0]!.replace('stdout', 'stderr'))).to.equal('');
    // The request reached python's http.server (on a dual-stack socket) from one of the two exits.
    expect(first.file('web', 'python3.1000.stderr')).to.match(/^::ffff:11\.0\.1\.[12] - - \[01\/Jan\/2000 00:05:0\d\] "GET \/ HTTP\/1\.1" 200 -$/m);
  });

  it('gives a byte-identical data directory on a second run of the same directory', () => {
    ok(first);
    // Same directory, so that the absolute paths tor prints (its torrc, its DataDirectory) agree.
    const firstData = join(dir, 'first.data');
    renameSync(first.dataDir, firstData);
    const second = runShadow(readFileSync(join(dir, 'shadow.yaml'), 'utf8'), [], dir, 300_000);
    ok(second);
    // Every file of the data directory: the hosts' stdout and stderr, tor's DataDirectories
    // (consensuses, descriptors, state), sim-stats.json.
    const a = snapshot(firstData);
    const b = snapshot(second.dataDir);
    expect([...b.keys()]).to.deep.equal([...a.keys()]);
    for (const host of TOR_HOSTS) expect(a.has(`hosts/${host}/tor.1000.stdout`), host).to.equal(true);
    const differing = [...a].filter(([name, bytes]) => bytes !== b.get(name)).map(([name]) => name);
    expect(differing).to.deep.equal([]);
  });
});
