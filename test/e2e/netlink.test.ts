import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, runShadow } from './harness.js';

/** One host (11.0.0.1) running `path args` at time 0. */
function oneHost(path: string, args: string[]): string {
  return `general:
  stop_time: 10s
network:
  graph:
    type: 1_gbit_switch
hosts:
  alpha:
    network_node_id: 0
    processes:
    - path: ${path}
      args: ${JSON.stringify(args)}
      start_time: 0s
`;
}

describe('netlink: NETLINK_ROUTE link, address and route dumps', function () {
  this.timeout(120_000);

  before(function () {
    this.timeout(120_000);
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
  });

  it('answers getifaddrs(3) and if_nameindex(3) with lo and eth0', () => {
    const run = runShadow(oneHost(join(PROGRAMS, 'net-ifaddrs'), []));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'net-ifaddrs.1000.stdout')).to.equal(
      [
        'eth0 inet 11.0.0.1 255.255.255.0 flags=0x11043',
        'eth0 inet6 fd00::b00:1 ffff:ffff:ffff:ffff:: flags=0x11043',
        'eth0 packet ifindex=2 hw=02:00:0b:00:00:01 - flags=0x11043',
        'lo inet 127.0.0.1 255.0.0.0 flags=0x10049',
        'lo inet6 ::1 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff flags=0x10049',
        'lo packet ifindex=1 hw=00:00:00:00:00:00 - flags=0x10049',
        'index 1 lo',
        'index 2 eth0',
        '',
      ].join('\n'),
    );
  });

  it("answers python's socket.if_nameindex()", () => {
    const run = runShadow(oneHost('/usr/bin/python3', ['-c', 'import socket; print(socket.if_nameindex())']));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal("[(1, 'lo'), (2, 'eth0')]\n");
  });

  it('answers `ip addr` (iproute2: dumps with SOL_NETLINK options set)', function () {
    if (!existsSync('/usr/sbin/ip')) this.skip();
    const run = runShadow(oneHost('/usr/sbin/ip', ['addr']));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'ip.1000.stdout')).to.equal(
      [
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        '    inet 127.0.0.1/8 scope host lo',
        '       valid_lft forever preferred_lft forever',
        '    inet6 ::1/128 scope host ',
        '       valid_lft forever preferred_lft forever',
        '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000',
        '    link/ether 02:00:0b:00:00:01 brd ff:ff:ff:ff:ff:ff',
        '    inet 11.0.0.1/24 brd 11.0.0.255 scope global eth0',
        '       valid_lft forever preferred_lft forever',
        '    inet6 fd00::b00:1/64 scope global ',
        '       valid_lft forever preferred_lft forever',
        '',
      ].join('\n'),
    );
  });

  it('answers `ip route` and `ip route show table all` for both families: a default route and the prefix route on eth0, the local table', function () {
    if (!existsSync('/usr/sbin/ip')) this.skip();
    const run = runShadow(oneHost('/bin/sh', ['-c', 'ip route && ip route show table local && ip -6 route show table all']));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'sh.1000.stdout')).to.equal(
      [
        'default dev eth0 scope link ',
        '11.0.0.0/24 dev eth0 proto kernel scope link src 11.0.0.1 ',
        'local 11.0.0.1 dev eth0 proto kernel scope host src 11.0.0.1 ',
        'broadcast 11.0.0.255 dev eth0 proto kernel scope link src 11.0.0.1 ',
        'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ',
        'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ',
        'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 ',
        '::1 dev lo proto kernel metric 256 pref medium',
        'fd00::/64 dev eth0 proto kernel metric 256 pref medium',
        'default dev eth0 metric 1024 pref medium',
        'local ::1 dev lo table local proto kernel metric 0 pref medium',
        'local fd00::b00:1 dev eth0 table local proto kernel metric 0 pref medium',
        '',
      ].join('\n'),
    );
  });
});
