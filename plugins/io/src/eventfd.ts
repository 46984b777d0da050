import { Errno, O, POLL, type IoResult, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { AnonInodeFile } from './anon-inode.js';

/** EFD_SEMAPHORE: reads take 1 from the counter instead of all of it (eventfd(2)). */
export const EFD_SEMAPHORE = 1;
/** The largest value the counter can hold (0xfffffffffffffffe); ULLONG_MAX itself is invalid. */
const COUNTER_MAX = 0xfffffffffffffffen;
/** ULLONG_MAX: a write of it is EINVAL. */
const ULLONG_MAX = 0xffffffffffffffffn;

/** Encodes `value` as the 8-byte little-endian integer eventfd and timerfd reads return. */
export function u64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** An eventfd (eventfd(2)): a 64-bit counter that writes add to and reads drain. */
export class EventFd extends AnonInodeFile {
  readonly kind = 'eventfd';
  counter: bigint;
  readonly semaphore: boolean;

  constructor(initval: bigint, flags: number) {
    super(O.RDWR | (flags & O.NONBLOCK));
    this.counter = initval;
    this.semaphore = (flags & EFD_SEMAPHORE) !== 0;
  }

  poll(): number {
    let bits = 0;
    // eventfd_poll() reports plain POLLIN/POLLOUT (no RDNORM/WRNORM).
    if (this.counter > 0n) bits |= POLL.IN;
    if (this.counter === ULLONG_MAX) bits |= POLL.ERR; // overflow; only kernel signalling can do it
    if (this.counter < COUNTER_MAX) bits |= POLL.OUT;
    return bits;
  }

  /**
   * eventfd(2): a buffer under 8 bytes is EINVAL; a zero counter blocks; otherwise the 8-byte
   * counter is returned and reset to 0, or with EFD_SEMAPHORE the value 1 is returned and the
   * counter decremented. An eventfd has no position: pread is ESPIPE.
   */
  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    if (length < 8) return { errno: Errno.EINVAL };
    if (this.counter === 0n) return 'again';
    const value = this.semaphore ? 1n : this.counter;
    this.counter -= value;
    this.readiness.notify(POLL.OUT); // eventfd_read wakes writers: POLLOUT may be back, POLLIN gone
    return u64Bytes(value);
  }

  /**
   * eventfd(2): adds the 8-byte value to the counter. A count other than 8 or the value
   * 0xffffffffffffffff is EINVAL (the kernels this runs on, 6.x, refuse larger buffers too; old
   * ones took them and returned 8); an addition that would pass 0xfffffffffffffffe blocks until
   * a read makes room.
   */
  override write(_ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    if (data.length !== 8) return { errno: Errno.EINVAL };
    const value = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
    if (value === ULLONG_MAX) return { errno: Errno.EINVAL };
    if (value > COUNTER_MAX - this.counter) return 'again';
    if (value > 0n) {
      this.counter += value;
      this.readiness.notify(POLL.IN); // eventfd_write wakes readers
    }
    return 8;
  }
}
