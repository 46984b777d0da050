import { expect } from 'chai';
import { join } from 'node:path';
import { PROGRAMS, runShadow } from './harness.js';
import { HOST, compareWithNative } from './native-compare.js';

const PROGRAM = join(PROGRAMS, 'sandbox-pids');

/**
 * Calls that name processes by pid stay inside the caller's host (prlimit64), and the prctl
 * options about the process tree (PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER) act at the
 * simulated time of an exit: test/programs/sandbox-pids.c.
 */
describe('sandbox: pids stay on the host', () => {
  /** The simulated run of `args` matches the native one, which must print `expected`. */
  function same(args: string[], expected: string): void {
    const { native, simulated, run } = compareWithNative('sandbox-pids', args);
    expect(native).to.deep.equal({ stdout: expected, code: 0, signal: null });
    expect(simulated, run.stdout + run.stderr).to.deep.equal(native);
  }

  /** The stdout of a simulated run of `args` only: natively it would act on a process outside the program. */
  function simulatedOnly(args: string[]): string {
    const run = runShadow(
      `general: { stop_time: 1 min }\nnetwork:\n  graph: { type: 1_gbit_switch }\nhosts:\n  ${HOST}:\n` +
        `    network_node_id: 0\n    processes:\n    - { path: ${PROGRAM}, args: ${JSON.stringify(args)} }\n`,
    );
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    return run.file(HOST, 'sandbox-pids.1000.stdout');
  }

  it('prlimit64 on the caller (pid 0 and its own virtual pid)', () => {
    same(
      ['prlimit-self'],
      'get on pid 0: ok\nset on own pid: ok\ngetrlimit soft limit: 64, hard limit unchanged: yes\nRLIMIT_CPU on itself: ok\n',
    );
  });

  it('prlimit64 on a sibling, by its virtual pid', () => {
    same(['prlimit-sibling'], 'sibling B: get on A: ok\nsibling B: set on A: ok\nsibling A: soft limit 32\n');
  });

  it('prlimit64 checks pointers, the resource and the limits as Linux does', () => {
    same(
      ['prlimit-errors'],
      'bad resource: EINVAL\nbad new pointer: EFAULT\nbad old pointer: EFAULT\nsoft above hard: EINVAL\n' +
        'bad new pointer, unknown pid: EFAULT\nunknown pid: ESRCH\n',
    );
  });

  it('prlimit64 on pid 1 (not a process of the host) is ESRCH', () => {
    expect(simulatedOnly(['prlimit-pid', '1'])).to.equal('get on 1: ESRCH\nRLIMIT_CPU on 1: ESRCH\n');
  });

  it('prlimit64 on the real pid of the simulator is ESRCH', () => {
    // The program reads its real parent from /proc/self/status: the simulator.
    const out = simulatedOnly(['prlimit-real-parent']);
    expect(out).to.match(/^get on \d+: ESRCH\nRLIMIT_CPU on \d+: ESRCH\n$/);
    expect(out).to.not.match(/on (0|1000|1001): /);
  });

  it('PR_SET_PDEATHSIG: the child gets its signal when its parent ends; fork clears it', () => {
    same(
      ['pdeathsig'],
      'child: set: ok\nchild: pdeathsig 10, bad signal: EINVAL\ngrandchild: pdeathsig 0 after fork\n' +
        'child: woke by signal 10 after >= 1 s, ppid: 1\nmain: parent exited 0, child done\n',
    );
  });

  it('PR_SET_CHILD_SUBREAPER: the subreaper adopts and reaps an orphaned grandchild', () => {
    same(
      ['subreaper'],
      'set subreaper: ok\nsubreaper flag: 1\nmiddle: subreaper flag 0 (not inherited)\nmain: reaped middle: yes\n' +
        'grandchild: ppid: main\nmain: reaped the grandchild: yes, exited 7\nmain: wait again: ECHILD\n',
    );
  });

  it('the other calls that take a pid map virtual pids of the host to real ones', () => {
    same(
      ['others'],
      'sched_getscheduler(child): ok\nsched_getparam(self): ok\nsched_setaffinity(child, CPU 0): ok\n' +
        'getpriority(child): ok\nsetpriority(self, 1): ok\nprocess_vm_readv(self): ok, value 42\n' +
        'capget(child): ok, header pid kept: yes\nsigqueue(self, SIGUSR2): ok, handled: 12\n',
    );
  });
});
