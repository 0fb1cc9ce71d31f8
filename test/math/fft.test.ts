import { describe, expect, it } from 'vitest';
import { FourierGrid, frequency } from '../../src/math/fft.js';
import { Random } from '../../src/math/random.js';

/** Direct O(N^2) DFT of a real grid, numpy's fftn convention (exact reference). */
function naiveDft(shape: number[], x: Float64Array): Float64Array {
  const size = x.length;
  const out = new Float64Array(2 * size);
  const idx = (f: number) => {
    const r: number[] = [];
    for (let d = shape.length - 1; d >= 0; d--) {
      r.unshift(f % shape[d]);
      f = Math.floor(f / shape[d]);
    }
    return r;
  };
  for (let k = 0; k < size; k++) {
    const kk = idx(k);
    for (let j = 0; j < size; j++) {
      const jj = idx(j);
      let ph = 0;
      for (let d = 0; d < shape.length; d++) ph += (kk[d] * jj[d]) / shape[d];
      out[2 * k] += x[j] * Math.cos(-2 * Math.PI * ph);
      out[2 * k + 1] += x[j] * Math.sin(-2 * Math.PI * ph);
    }
  }
  return out;
}

describe('FourierGrid', () => {
  for (const shape of [[8, 4], [4, 2, 8]]) {
    it(`forward transform of a [${shape}] grid equals the direct DFT, and the inverse undoes it`, () => {
      const grid = new FourierGrid(shape);
      const rng = new Random(3);
      const x = Float64Array.from({ length: grid.size }, () => rng.normal());
      const X = grid.forward(x);
      const ref = naiveDft(shape, x);
      // Round-off of an O(N log N) transform of O(1) inputs: ~1e-15 x size.
      for (let i = 0; i < X.length; i++) expect(X[i]).toBeCloseTo(ref[i], 12);
      const back = grid.inverseReal(X);
      for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 13);
    });
  }

  it('numbers frequencies as numpy fftfreq(n) * n and maps k to -k', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => frequency(i, 8))).toEqual([0, 1, 2, 3, -4, -3, -2, -1]);
    const grid = new FourierGrid([4, 8]);
    expect(grid.mirrorIndex(1 * 8 + 3)).toBe(3 * 8 + 5);
    expect(grid.mirrorIndex(2 * 8 + 4)).toBe(2 * 8 + 4);
  });

  it('rejects sides that are not powers of two', () => {
    expect(() => new FourierGrid([6, 8])).toThrow(/power of two/);
  });
});
