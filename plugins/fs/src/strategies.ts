import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkOptionKeys,
  fixedStrategy,
  type FsStrategy,
  type FsStrategyFactory,
  type SyscallContext,
  type SyscallName,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { OverlayLayers } from './overlay-layers.js';
import * as overlay from './sys-overlay.js';

/**
 * The path-taking calls only a file system strategy needs to see: on the shared file system they
 * run natively, without a stop (the fs family leaves them on the allow-list of hosts whose
 * strategy does not interpose).
 */
export const STRATEGY_SYSCALLS: readonly SyscallName[] = [
  'unlink', 'unlinkat', 'rmdir', 'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat',
  'symlink', 'symlinkat', 'link', 'linkat', 'chmod', 'fchmodat', 'truncate', 'utimensat',
  'chown', 'lchown', 'fchownat', 'setxattr', 'lsetxattr', 'removexattr', 'lremovexattr',
  'getxattr', 'lgetxattr', 'listxattr', 'llistxattr',
];

/** `shared`: every host sees the real file system as it is (today's behaviour, the default). */
export const sharedFs: FsStrategyFactory = fixedStrategy<FsStrategy>(
  'shared',
  'every host sees the real file system, writable and shared',
  { interposes: false, onPathCall: () => undefined },
);

/** The overlay's handler of each call the fs family hands a strategy. */
const OVERLAY_CALLS: Partial<Record<SyscallName, (ctx: SyscallContext, layers: OverlayLayers) => SyscallResult | undefined>> = {
  open: overlay.sysOpenOverlay,
  openat: overlay.sysOpenatOverlay,
  creat: overlay.sysCreatOverlay,
  newfstatat: overlay.sysNewfstatatOverlay,
  statx: overlay.sysStatxOverlay,
  stat: overlay.sysStatOverlay,
  lstat: overlay.sysLstatOverlay,
  access: overlay.sysAccessOverlay,
  faccessat: overlay.sysFaccessatOverlay,
  faccessat2: overlay.sysFaccessat2Overlay,
  readlink: overlay.sysReadlinkOverlay,
  readlinkat: overlay.sysReadlinkatOverlay,
  chdir: overlay.sysChdirOverlay,
  execve: overlay.sysExecveOverlay,
  chmod: overlay.sysChmodOverlay,
  fchmodat: overlay.sysFchmodatOverlay,
  truncate: overlay.sysTruncateOverlay,
  utimensat: overlay.sysUtimensatOverlay,
  chown: overlay.sysChownOverlay,
  lchown: overlay.sysLchownOverlay,
  fchownat: overlay.sysFchownatOverlay,
  getxattr: overlay.sysGetxattrOverlay,
  lgetxattr: overlay.sysLgetxattrOverlay,
  listxattr: overlay.sysListxattrOverlay,
  llistxattr: overlay.sysLlistxattrOverlay,
  setxattr: overlay.sysSetxattrOverlay,
  lsetxattr: overlay.sysLsetxattrOverlay,
  removexattr: overlay.sysRemovexattrOverlay,
  lremovexattr: overlay.sysLremovexattrOverlay,
  mkdir: overlay.sysMkdirOverlay,
  mkdirat: overlay.sysMkdiratOverlay,
  symlink: overlay.sysSymlinkOverlay,
  symlinkat: overlay.sysSymlinkatOverlay,
  unlink: overlay.sysUnlinkOverlay,
  unlinkat: overlay.sysUnlinkatOverlay,
  rmdir: overlay.sysRmdirOverlay,
  rename: overlay.sysRenameOverlay,
  renameat: overlay.sysRenameatOverlay,
  renameat2: overlay.sysRenameat2Overlay,
  link: overlay.sysLinkOverlay,
  linkat: overlay.sysLinkatOverlay,
  getdents64: overlay.sysGetdents64Overlay,
  getdents: overlay.sysGetdentsOverlay,
  getcwd: overlay.sysGetcwdOverlay,
};

/**
 * `overlay`: each host sees the real file system read-only, under an upper layer of its own in
 * `<data>/hosts/<name>/fs/` (made on its first write). The data directory, /proc, /dev, /sys and
 * the emulated files stay outside it.
 */
export function overlayFs(dataDirectory: string): FsStrategyFactory {
  return {
    name: 'overlay',
    description: 'each host sees the real file system read-only under its own writable layer (hosts/<name>/fs/)',
    create(options, host) {
      checkOptionKeys(options, []);
      // Symlink-free, as the kernel reports cwds and descriptors (/proc/<pid>/cwd).
      const data = realpathSync(dataDirectory);
      const layers = new OverlayLayers(join(data, 'hosts', host.name, 'fs'), data);
      return {
        interposes: true,
        onPathCall: (ctx) => OVERLAY_CALLS[ctx.name as SyscallName]?.(ctx, layers),
      };
    },
  };
}
