import { closeSync, openSync, writeSync } from 'node:fs';
import { NS_PER_SEC, NS_PER_US, type SimTime } from '@shadow-ts/plugin-sdk';
import { writingTo } from '../output.js';

/** LINKTYPE_RAW: each record is a bare IPv4 or IPv6 packet, no link-layer header (as Shadow writes). */
export const LINKTYPE_RAW = 101;

/**
 * A classic libpcap file (little-endian, magic 0xa1b2c3d4, version 2.4, microsecond timestamps),
 * written synchronously as packets are captured. Timestamps are simulated time (since the Unix
 * epoch, so the capture reads 2000-01-01 onward).
 */
export class PcapWriter {
  private fd: number | null;

  constructor(
    private readonly path: string,
    private readonly snaplen: number,
  ) {
    this.fd = writingTo(path, () => openSync(path, 'w'));
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4); // version major
    header.writeUInt16LE(4, 6); // version minor
    header.writeInt32LE(0, 8); // thiszone
    header.writeUInt32LE(0, 12); // sigfigs
    header.writeUInt32LE(snaplen >>> 0, 16);
    header.writeUInt32LE(LINKTYPE_RAW, 20);
    this.append(header);
  }

  private append(bytes: Buffer): void {
    const fd = this.fd;
    if (fd !== null) writingTo(this.path, () => writeSync(fd, bytes));
  }

  /** Appends one packet captured at `time`, cut to the snap length. */
  write(time: SimTime, packet: Uint8Array): void {
    if (this.fd === null) return;
    const included = Math.min(packet.length, this.snaplen);
    const record = Buffer.alloc(16 + included);
    record.writeUInt32LE(Number(time / NS_PER_SEC), 0);
    record.writeUInt32LE(Number((time % NS_PER_SEC) / NS_PER_US), 4);
    record.writeUInt32LE(included, 8);
    record.writeUInt32LE(packet.length, 12);
    record.set(packet.subarray(0, included), 16);
    this.append(record);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
