import { expect } from 'chai';
import { allowedCpus, cpuTimes, leastBusy, ownCpu } from '../../core/src/placement.js';

describe('placement: the CPU the simulator pins itself to', () => {
  it('reads the allowed CPUs from /proc/self/status', () => {
    expect(allowedCpus('Name:\tnode\nCpus_allowed_list:\t0-3,6,8-9\n')).to.deep.equal([0, 1, 2, 3, 6, 8, 9]);
    expect(allowedCpus('Cpus_allowed_list:\t1\n')).to.deep.equal([1]);
    expect(allowedCpus('Name:\tnode\n')).to.deep.equal([]);
    expect(allowedCpus().length).to.be.at.least(1);
  });

  it('takes busy and total jiffies per CPU from /proc/stat (idle and iowait are not busy)', () => {
    const stat = 'cpu  10 0 10 100 5 0 0 0 0 0\ncpu0 4 0 6 50 2 0 1 0 0 0\ncpu1 6 0 4 50 3 0 0 0 0 0\nintr 1\n';
    expect([...cpuTimes(stat)]).to.deep.equal([
      [0, { busy: 11, total: 63 }],
      [1, { busy: 10, total: 63 }],
    ]);
    expect(cpuTimes().size).to.be.at.least(1);
  });

  it('picks the allowed CPU that was busy least between two readings, the lowest on a tie', () => {
    const before = new Map([[0, { busy: 0, total: 0 }], [1, { busy: 0, total: 0 }], [2, { busy: 0, total: 0 }]]);
    const after = new Map([[0, { busy: 10, total: 10 }], [1, { busy: 1, total: 10 }], [2, { busy: 0, total: 10 }]]);
    expect(leastBusy([0, 1, 2], before, after)).to.equal(2);
    expect(leastBusy([0, 1], before, after)).to.equal(1);
    expect(leastBusy([0, 1], before, new Map([[0, { busy: 0, total: 10 }], [1, { busy: 0, total: 10 }]]))).to.equal(0);
    expect(leastBusy([5], before, after)).to.equal(undefined);
  });

  it("reads this process's CPU time and last CPU from /proc/self/stat (a comm with spaces and parentheses included)", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(ownCpu(`1234 (my (odd) name) ${fields.join(' ')}\n`)).to.deep.equal({ ticks: 14 + 15, cpu: 39 });
    const mine = ownCpu();
    expect(allowedCpus()).to.include(mine.cpu);
    expect(mine.ticks).to.be.at.least(0);
  });
});
