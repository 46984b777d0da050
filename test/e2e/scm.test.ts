import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, scratchDir } from './harness.js';
import { compareWithNative } from './native-compare.js';

/** Runs python3 `script` natively and under the simulator; both must print the same and exit 0. */
function samePython(script: string, lines: number): void {
  const dir = scratchDir();
  const path = join(dir, 'script.py');
  writeFileSync(path, script);
  const { native, simulated, run } = compareWithNative('/usr/bin/python3', [path]);
  expect(native.code, native.stdout).to.equal(0);
  expect(native.stdout.trim().split('\n')).to.have.length(lines);
  expect(simulated, run.stdout.slice(-3000)).to.deep.equal(native);
  expect(logLines(run, 'control messages')).to.deep.equal([]);
}

describe('scm: descriptors and credentials over unix sockets (SCM_RIGHTS, SCM_CREDENTIALS)', () => {
  for (const seed of [1, 2, 3]) {
    it(`random control messages, receive buffers and splice lengths (seed ${seed}): every call as natively`, () => {
      const { native, simulated, run } = compareWithNative('fuzz-cmsg', [String(seed), '150']);
      expect(native.code, native.stdout.slice(-500)).to.equal(0);
      expect(native.stdout.split('\n')).to.have.length(151);
      expect(simulated, run.stdout.slice(-3000)).to.deep.equal(native);
    });
  }

  it("python's socket.send_fds passes a pipe and a file to a child, and SO_PASSCRED names the child, as natively", () => {
    samePython(
      [
        'import os, socket, struct',
        'a, b = socket.socketpair()',
        'r, w = os.pipe()',
        "f = open('shared.txt', 'w+b')",
        'pid = os.fork()',
        'if pid == 0:',
        '    a.close()',
        '    msg, fds, flags, addr = socket.recv_fds(b, 100, 4)',
        "    print('child got', msg, len(fds), 'descriptors', flush=True)",
        "    os.write(fds[0], b'through the passed pipe')",
        "    os.write(fds[1], b'xyz')",
        "    b.sendmsg([b'done'])",
        '    os._exit(0)',
        'b.close()',
        'a.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)',
        "socket.send_fds(a, [b'fds'], [w, f.fileno()])",
        'os.close(w)',
        "print('parent reads', os.read(r, 100), flush=True)",
        'msg, anc, flags, addr = a.recvmsg(100, socket.CMSG_SPACE(12))',
        "cpid, uid, gid = struct.unpack('iII', anc[0][2])",
        "print('message', msg, 'credentials of the child:', cpid == pid, uid, gid)",
        'os.waitpid(pid, 0)',
        "print('the file offset the child moved:', os.lseek(f.fileno(), 0, os.SEEK_CUR))",
      ].join('\n'),
      4,
    );
  });
});
