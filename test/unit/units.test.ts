import { expect } from 'chai';
import {
  formatTime, parseBandwidth, parseBytes, parseSignal, parseTime, signalName, UnitError,
} from '../../core/src/config/index.js';

const SEC = 1_000_000_000n;

/** Runs `fn`, expecting a UnitError; returns its message. */
function unitError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UnitError);
    return (e as Error).message;
  }
  return expect.fail('expected a UnitError');
}

describe('config units', () => {
  describe('parseTime', () => {
    it('reads every unit spelling, with or without a space', () => {
      const cases: [string, bigint][] = [
        ['10 s', 10n * SEC], ['10s', 10n * SEC], ['10   s', 10n * SEC], ['10 sec', 10n * SEC],
        ['10 secs', 10n * SEC], ['1 second', SEC], ['3 seconds', 3n * SEC],
        ['2 min', 120n * SEC], ['2 m', 120n * SEC], ['10 minutes', 600n * SEC], ['1 minute', 60n * SEC], ['2 mins', 120n * SEC],
        ['2 hr', 7200n * SEC], ['1 h', 3600n * SEC], ['2 hrs', 7200n * SEC], ['1 hour', 3600n * SEC], ['2 hours', 7200n * SEC],
        ['100 ms', 100_000_000n], ['1 millisecond', 1_000_000n], ['5 milliseconds', 5_000_000n],
        ['10 us', 10_000n], ['10 μs', 10_000n], ['1 microsecond', 1_000n], ['1 microseconds', 1_000n],
        ['5 ns', 5n], ['1 nanosecond', 1n], ['7 nanoseconds', 7n], ['0 s', 0n],
      ];
      for (const [text, ns] of cases) expect(parseTime(text), text).to.equal(ns);
    });

    it('reads a bare integer (YAML number or unitless string) as seconds', () => {
      expect(parseTime(10)).to.equal(10n * SEC);
      expect(parseTime('10')).to.equal(10n * SEC);
      expect(parseTime(3n)).to.equal(3n * SEC);
    });

    it('rejects unknown units, saying what was expected', () => {
      expect(unitError(() => parseTime('10 parsecs'))).to.equal('expected a time like "10 s" or "500 ms", got "10 parsecs" (unknown unit "parsecs")');
    });

    it('is case-sensitive and says so', () => {
      expect(unitError(() => parseTime('10 S'))).to.match(/got "10 S" \(units are case-sensitive\)/);
      expect(unitError(() => parseTime('10 MS'))).to.match(/case-sensitive/);
    });

    it('rejects fractions, negatives and garbage', () => {
      expect(unitError(() => parseTime('10.5 ms'))).to.match(/got "10.5 ms" \(not a whole number\)/);
      expect(unitError(() => parseTime('-10 ms'))).to.match(/expected a time/);
      expect(unitError(() => parseTime('abc 10 ms'))).to.match(/expected a time/);
      expect(unitError(() => parseTime('ms'))).to.match(/expected a time/);
      expect(unitError(() => parseTime(1.5))).to.match(/got 1\.5 \(not a whole number\)/);
      expect(unitError(() => parseTime(-3))).to.match(/got -3 \(negative\)/);
    });

    it('rejects values that overflow 64-bit nanoseconds', () => {
      expect(unitError(() => parseTime('18446744073709551616 ns'))).to.match(/too large/);
      expect(unitError(() => parseTime('100000000000 h'))).to.match(/too large/);
      expect(parseTime('18446744073709551615 ns')).to.equal(18446744073709551615n);
    });
  });

  describe('parseBandwidth', () => {
    it('reads decimal and binary prefixes, symbols and words, plurals', () => {
      const cases: [string | number, bigint][] = [
        ['100 Mbit', 100_000_000n], ['81920 Kibit', 81920n * 1024n], ['1 Gbit', 1_000_000_000n],
        ['1 Gibit', 2n ** 30n], ['1 Tbit', 10n ** 12n], ['1 Tibit', 2n ** 40n], ['2 Mibit', 2n * 2n ** 20n],
        ['30 Kbit', 30_000n], ['10 megabits', 10_000_000n], ['1 gigabit', 1_000_000_000n],
        ['1 kibibit', 1024n], ['8 bit', 8n], ['16 bits', 16n], ['100Mbit', 100_000_000n],
        [800, 800n], ['800', 800n],
      ];
      for (const [text, bits] of cases) expect(parseBandwidth(text), String(text)).to.equal(bits);
    });

    it('requires a whole number of bytes per second', () => {
      expect(unitError(() => parseBandwidth('30 bit'))).to.match(/multiple of 8 bit.*got "30 bit"/);
      expect(unitError(() => parseBandwidth(30))).to.match(/multiple of 8/);
    });

    it('rejects wrong case and unknown units', () => {
      expect(unitError(() => parseBandwidth('10 mbit'))).to.match(/expected a bandwidth like "100 Mbit".*case-sensitive/);
      expect(unitError(() => parseBandwidth('10 Mbps'))).to.match(/unknown unit "Mbps"/);
      expect(unitError(() => parseBandwidth('10 MB'))).to.match(/expected a bandwidth/);
    });
  });

  describe('parseBytes', () => {
    it('reads B/byte/bytes with prefixes', () => {
      const cases: [string | number, bigint][] = [
        ['65535 B', 65535n], ['30 MiB', 30n * 2n ** 20n], ['10 KB', 10_000n], ['10 KiB', 10_240n],
        ['10 kilobytes', 10_000n], ['10 megabyte', 10_000_000n], ['1 GiB', 2n ** 30n], ['1 byte', 1n],
        ['3 bytes', 3n], ['10B', 10n], [1024, 1024n], ['1024', 1024n],
      ];
      for (const [text, n] of cases) expect(parseBytes(text), String(text)).to.equal(n);
    });

    it('rejects wrong case and unknown units', () => {
      expect(unitError(() => parseBytes('10 mB'))).to.match(/expected a size like "65535 B"/);
      expect(unitError(() => parseBytes('10 Megabyte'))).to.match(/case-sensitive/);
      expect(unitError(() => parseBytes('10 Kbit'))).to.match(/expected a size/);
    });
  });

  describe('parseSignal', () => {
    it('reads SIG names and numbers 1..31', () => {
      expect(parseSignal('SIGINT')).to.equal(2);
      expect(parseSignal('SIGKILL')).to.equal(9);
      expect(parseSignal('SIGTERM')).to.equal(15);
      expect(parseSignal('SIGSYS')).to.equal(31);
      expect(parseSignal(9)).to.equal(9);
      expect(parseSignal(31)).to.equal(31);
    });

    it('rejects lower case or unprefixed names, with the fix', () => {
      expect(unitError(() => parseSignal('sigterm'))).to.match(/got "sigterm" \(write it as SIGTERM\)/);
      expect(unitError(() => parseSignal('TERM'))).to.match(/write it as SIGTERM/);
      expect(unitError(() => parseSignal('SIGFOO'))).to.match(/expected a signal like "SIGTERM"/);
    });

    it('rejects 0, realtime signals and out-of-range numbers', () => {
      expect(unitError(() => parseSignal(0))).to.match(/expected a signal/);
      expect(unitError(() => parseSignal(32))).to.match(/realtime signals are not supported/);
      expect(unitError(() => parseSignal('SIGRTMIN'))).to.match(/realtime signals are not supported/);
      expect(unitError(() => parseSignal(65))).to.match(/expected a signal/);
      expect(unitError(() => parseSignal(2.5))).to.match(/expected a signal/);
    });

    it('names signal numbers', () => {
      expect(signalName(9)).to.equal('SIGKILL');
      expect(signalName(6)).to.equal('SIGABRT');
      expect(signalName(40)).to.equal(undefined);
    });
  });

  it('formatTime picks the largest exact unit', () => {
    expect(formatTime(10n * SEC)).to.equal('10 s');
    expect(formatTime(1_500_000_000n)).to.equal('1500 ms');
    expect(formatTime(2_000n)).to.equal('2 us');
    expect(formatTime(7n)).to.equal('7 ns');
    expect(formatTime(0n)).to.equal('0 s');
  });
});
