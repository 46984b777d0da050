/**
 * Control messages on AF_UNIX sockets (unix(7), cmsg(3)): descriptors (SCM_RIGHTS) and
 * credentials (SCM_CREDENTIALS), after Linux's net/core/scm.c. A message keeps what it carries
 * beside its bytes until it is received: the descriptors as holds of what they referred to (a
 * virtual file, or a real copy of an ordinary descriptor), so the sender may close its own at
 * once; the receiver gets new descriptors of the same open file descriptions.
 */
import { Errno, type HeldDescriptor, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { SOL_SOCKET } from './constants.js';
import { CMSG_ALIGN, CMSG_HEADER, type ControlWriter } from './socket-common.js';
import { failure, type Failure } from './socket.js';
import { identity, ucred } from './unix-options.js';

export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
/** At most this many descriptors in one message (SCM_MAX_FD). */
export const SCM_MAX_FD = 253;
/** net.core.optmem_max: a larger control buffer cannot be allocated (ENOBUFS). */
const OPTMEM_MAX = 131072;
/** sizeof(struct ucred). */
const UCRED = 12;
/** The ids of a message sent with no credentials, as a receiver with SO_PASSCRED sees them (overflow ids). */
const NOBODY = 65534;

/** What a message carries beside its bytes (UNIXCB(skb): its credentials and descriptors). */
export interface Control {
  /** A struct ucred: sent with SCM_CREDENTIALS, or added because one side had SO_PASSCRED; null: none. */
  readonly creds: Uint8Array | null;
  readonly rights: readonly HeldDescriptor[];
}

/** The control messages of one sendmsg(2), held until a socket queues them. */
export class Outgoing implements Control {
  creds: Uint8Array | null = null;
  readonly rights: HeldDescriptor[] = [];
  /** A socket queued them with the message: the receiver releases them. */
  queued = false;

  /** Lets go of the descriptors when no message took them (the send failed or sent nothing). */
  releaseUnqueued(): void {
    if (!this.queued) releaseRights(this.rights);
  }
}

export function releaseRights(rights: readonly HeldDescriptor[]): void {
  for (const held of rights) held.release();
}

/** Whether two messages' credentials are the same (unix_skb_scm_eq(): a stream read never glues others). */
export function sameCreds(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.every((byte, i) => byte === b[i]);
}


/**
 * The control messages of a sendmsg on a unix socket (__scm_send()): the buffer must be readable
 * (EFAULT) and allocatable (ENOBUFS); each header must fit in it (EINVAL); other levels are
 * skipped; SCM_RIGHTS names open descriptors (EBADF), SCM_MAX_FD in all (EINVAL); SCM_CREDENTIALS
 * is one struct ucred the sender may claim (scm_check_creds(): EINVAL, EPERM, ESRCH); any other
 * SOL_SOCKET type is EINVAL. Null when there are none.
 */
export function readControl(ctx: SyscallContext, control: bigint, length: number): Outgoing | null | Failure {
  if (length === 0) return null;
  if (length > OPTMEM_MAX) return failure(Errno.ENOBUFS);
  const raw = ctx.memory.read(control, length);
  if (!raw) return failure(Errno.EFAULT);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Outgoing();
  const fail = (e: number): Failure => {
    releaseRights(out.rights);
    return failure(e);
  };
  for (let at = 0; at + CMSG_HEADER <= length; ) {
    const cmsgLen = view.getBigUint64(at, true);
    if (cmsgLen < BigInt(CMSG_HEADER) || cmsgLen > BigInt(length - at)) return fail(Errno.EINVAL);
    const size = Number(cmsgLen);
    if (view.getInt32(at + 8, true) === SOL_SOCKET) {
      const type = view.getInt32(at + 12, true);
      const data = raw.subarray(at + CMSG_HEADER, at + size);
      if (type === SCM_RIGHTS) {
        const count = Math.floor(data.length / 4);
        if (out.rights.length + count > SCM_MAX_FD) return fail(Errno.EINVAL);
        for (let i = 0; i < count; i++) {
          const held = ctx.process.holdDescriptor(view.getInt32(at + CMSG_HEADER + 4 * i, true));
          if (!held) return fail(Errno.EBADF);
          out.rights.push(held);
        }
      } else if (type === SCM_CREDENTIALS) {
        if (data.length !== UCRED) return fail(Errno.EINVAL);
        const e = checkCreds(ctx, data);
        if (e !== 0) return fail(e);
        out.creds = new Uint8Array(data);
      } else {
        return fail(Errno.EINVAL);
      }
    }
    at += CMSG_ALIGN(size);
  }
  return out;
}

const CAP_SETGID = 6n;
const CAP_SETUID = 7n;
const CAP_SYS_ADMIN = 21n;
const INVALID_ID = 0xffffffff;

/**
 * scm_check_creds(): the ids must be valid (EINVAL); the pid must be the sender's own unless it
 * has CAP_SYS_ADMIN, the uid and gid its real, effective or saved ones unless it has CAP_SETUID
 * / CAP_SETGID (EPERM); another pid must be a process of the host (ESRCH). 0 when allowed.
 */
function checkCreds(ctx: SyscallContext, ucred: Uint8Array): number {
  const view = new DataView(ucred.buffer, ucred.byteOffset, ucred.byteLength);
  const pid = view.getInt32(0, true);
  const uid = view.getUint32(4, true);
  const gid = view.getUint32(8, true);
  if (uid === INVALID_ID || gid === INVALID_ID) return Errno.EINVAL;
  const self = identity(ctx.process.nativePid);
  if (!self) return Errno.ESRCH;
  const capable = (cap: bigint): boolean => ((self.caps >> cap) & 1n) === 1n;
  const allowed =
    (pid === ctx.process.pid || capable(CAP_SYS_ADMIN)) &&
    (self.uids.slice(0, 3).includes(uid) || capable(CAP_SETUID)) &&
    (self.gids.slice(0, 3).includes(gid) || capable(CAP_SETGID));
  if (!allowed) return Errno.EPERM;
  if (pid !== ctx.process.pid && !ctx.process.host.processes().some((p) => p.pid === pid && p.exit === null)) return Errno.ESRCH;
  return 0;
}

/** The credentials a receiver with SO_PASSCRED sees for a message that came without any. */
export function noCreds(): Uint8Array {
  return ucred(0, NOBODY, NOBODY);
}

/** The SCM_RIGHTS message of the descriptors installed; MSG_CTRUNC when fewer than were sent. */
export function putRights(writer: ControlWriter, fds: readonly number[], sent: number): void {
  if (fds.length < sent) writer.truncated = true;
  if (fds.length === 0) return;
  const data = new Uint8Array(4 * fds.length);
  const view = new DataView(data.buffer);
  fds.forEach((fd, i) => view.setInt32(4 * i, fd, true));
  writer.put(SOL_SOCKET, SCM_RIGHTS, data);
}
