import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { HostView, OpenFile } from '@shadow-ts/plugin-sdk';
import { ContentFile, RandomDevice } from './files.js';

/** An emulated path: what opening it gives, and whether writers are welcome. */
interface EmulatedPath {
  open(host: HostView, statusFlags: number): OpenFile;
  readonly writable: boolean;
}

/**
 * The zone file for UTC: simulated hosts live in UTC. Read from the machine's tzdata once; a
 * machine without it gets an empty file, which glibc also treats as UTC.
 */
const UTC_ZONE = (() => {
  try {
    return readFileSync('/usr/share/zoneinfo/Etc/UTC');
  } catch {
    return new Uint8Array(0);
  }
})();

/**
 * The bytes of each simulation's `/etc/hosts`, by its list of hosts (the same list for every
 * host): built at the first open, not at each one, which would cost every program that resolves
 * a name time in proportion to the number of hosts. A memo of a pure function of the list, gone
 * with it; no simulation state.
 */
const hostsFiles = new WeakMap<object, Uint8Array>();

/** `/etc/hosts` of the simulation, as Shadow writes it: localhost, then every host by address. */
function hostsFile(host: HostView): Uint8Array {
  const known = host.knownHosts();
  let bytes = hostsFiles.get(known);
  if (bytes === undefined) {
    const lines = ['127.0.0.1 localhost', ...known.map((h) => `${h.ipAddress} ${h.name}`)];
    hostsFiles.set(known, (bytes = Buffer.from(`${lines.join('\n')}\n`)));
  }
  return bytes;
}

/**
 * `/etc/resolv.conf`: every host asks the simulated resolver, which core:net answers at
 * 127.0.0.53 (plugins/net/src/dns/resolver.ts: a loopback address, so no host can own it and no
 * query ever reaches a real DNS). The same for all hosts, hence a constant.
 */
const RESOLV_CONF = Buffer.from("# shadow-ts: the simulated resolver knows the simulation's hosts\nnameserver 127.0.0.53\n");

const content = (bytes: (host: HostView) => Uint8Array): EmulatedPath => ({
  open: (host, statusFlags) => new ContentFile(bytes(host), statusFlags),
  writable: false,
});

const random = (minor: bigint): EmulatedPath => ({
  open: (host, statusFlags) => new RandomDevice(host, minor, statusFlags),
  writable: true,
});

const EMULATED = new Map<string, EmulatedPath>([
  ['/dev/urandom', random(9n)],
  ['/dev/random', random(8n)],
  ['/etc/hosts', content(hostsFile)],
  ['/etc/hostname', content((host) => Buffer.from(`${host.name}\n`))],
  ['/etc/resolv.conf', content(() => RESOLV_CONF)],
  ['/etc/localtime', content(() => UTC_ZONE)],
]);

/** The emulation of an absolute `path`, if the simulator provides that file. */
export function emulatedPath(path: string): EmulatedPath | undefined {
  if (!path.startsWith('/')) return undefined;
  return EMULATED.get(posix.normalize(path));
}
