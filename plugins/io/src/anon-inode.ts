import { OpenFile, type FileStat } from '@shadow-ts/plugin-sdk';

/**
 * A file on an anonymous inode (eventfd, epoll, timerfd): fstat(2) shows mode 0600 and no file
 * type bits, and lseek(2) succeeds without moving anything (their file_operations use
 * noop_llseek: position 0).
 */
export abstract class AnonInodeFile extends OpenFile {
  override seek(_offset: bigint, _whence: number): bigint {
    return 0n;
  }

  stat(): FileStat {
    return { mode: 0o600 };
  }
}
