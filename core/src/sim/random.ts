import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomSource } from '@shadow-ts/plugin-sdk';

type Generator = ReturnType<typeof xoroshiro128plus>;

/** FNV-1a of a string: a stable hash for deriving per-host seeds from host names. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A deterministic byte stream over xoroshiro128+. */
export class RandomStream implements RandomSource {
  private readonly gen: Generator;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.gen.next() >>> 0;
      for (let b = 0; b < 4 && i + b < length; b++) out[i + b] = (word >>> (8 * b)) & 0xff;
    }
    return out;
  }

  /** A uniform double in [0, 1) from 53 random bits (27 + 26 from two draws). */
  double(): number {
    const high = (this.gen.next() >>> 0) >>> 5;
    const low = (this.gen.next() >>> 0) >>> 6;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }
}

/**
 * Seeds for host streams. As in Shadow, a host's seed mixes one draw of the global stream with
 * a hash of its name: the same seed and name give the same stream, and renaming a host changes it.
 */
export class SeedSource {
  private readonly base: number;

  constructor(seed: number) {
    this.base = xoroshiro128plus(seed).next() >>> 0;
  }

  forHost(name: string): RandomStream {
    return new RandomStream((this.base ^ fnv1a(name)) >>> 0);
  }
}
