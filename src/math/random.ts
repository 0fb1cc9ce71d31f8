/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna 2018) seeded through SplitMix32, with
 * uniform and standard-normal draws. Every random draw in Cosmeta comes from one of these, created from
 * an explicit seed; the same seed gives the same sequence on every platform.
 */

import { CosmetaError } from '../errors.js';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** @param seed a non-negative integer below 2^32 */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new CosmetaError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const sm = splitmix32(seed);
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.uniform();
  }

  /** Standard normal (polar Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** The full generator state (for checkpoints): four state words and the cached normal draw. */
  getState(): { words: [number, number, number, number]; spare: number | null } {
    return { words: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** A generator continuing exactly from a saved state. */
  static fromState(state: { words: readonly number[]; spare: number | null }): Random {
    const w = state.words;
    if (w.length !== 4 || w.some((x) => !Number.isInteger(x) || x < 0 || x >= 2 ** 32) || w.every((x) => x === 0)) {
      throw new CosmetaError(`random state must be four 32-bit words, not all zero; got [${w.join(', ')}]`);
    }
    const r = new Random(0);
    [r.s0, r.s1, r.s2, r.s3] = [w[0], w[1], w[2], w[3]];
    r.spare = state.spare;
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * An independent seed for a sub-stream, derived from a root seed and integer labels (e.g. the task index
 * and a stream id), so every piece of work draws the same numbers whatever order it runs in.
 */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const label of labels) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h + Math.imul(label + 0x9e3779b9, 0x297a2d39)) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  }
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * A Poisson draw of mean lambda (0 <= lambda <= 700) by Knuth's product of uniforms (The Art of Computer
 * Programming vol. 2, sec. 3.4.1): exact, O(lambda) uniforms per draw; the bound keeps exp(-lambda) normal.
 */
export function poisson(rng: Random, lambda: number): number {
  if (!(lambda >= 0 && lambda <= 700)) throw new CosmetaError(`Poisson mean must be in [0, 700], got ${lambda}`);
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.uniform();
  while (p > limit) {
    k++;
    p *= rng.uniform();
  }
  return k;
}
