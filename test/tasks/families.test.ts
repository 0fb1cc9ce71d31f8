import { describe, expect, it } from 'vitest';
import { integrate } from '../../src/math/quadrature.js';
import { Random } from '../../src/math/random.js';
import { AkimaSpline } from '../../src/math/spline.js';
import { binParent, equalNumberEdges } from '../../src/tasks/binning.js';
import { multiPeakFamily, paperFamily } from '../../src/tasks/families.js';
import { gaussianParent, smail } from '../../src/tasks/parents.js';

describe('equal-number tomographic binning', () => {
  it("each bin holds 1/N of the parent's mass on [0.05, 3.5] (tolerance 1e-3; measured ~1e-10)", () => {
    for (const parent of [smail(0.1, 0.6), smail(0.2, 1.0), gaussianParent(0.2, 0.6), gaussianParent(1.5, 0.2)]) {
      for (const n of [3, 5, 10]) {
        const edges = equalNumberEdges(parent, n, [0.05, 3.5]);
        const total = integrate(parent.density, 0.05, 3.5, 1e-12);
        for (let b = 0; b < n; b++) {
          expect(Math.abs(integrate(parent.density, edges[b], edges[b + 1], 1e-12) / total - 1 / n)).toBeLessThan(1e-3);
        }
      }
    }
  });

  it('smeared bins integrate to 1: exactly for their Akima interpolant, to 5e-4 by the trapezoid rule', () => {
    const { z, nz } = binParent(gaussianParent(0.9, 0.4));
    for (const n of nz) {
      expect(Math.abs(new AkimaSpline(z, n).integrate(0, 4) - 1)).toBeLessThan(1e-12);
      let trap = 0;
      for (let j = 1; j < z.length; j++) trap += 0.5 * (n[j] + n[j - 1]) * (z[j] - z[j - 1]);
      expect(Math.abs(trap - 1)).toBeLessThan(5e-4);
    }
  });

  it('smearing widens a bin by the photo-z scatter: variance grows by ~sigma0^2 (1 + <z>)^2', () => {
    const parent = gaussianParent(1, 0.3);
    const fine = Float64Array.from({ length: 8001 }, (_, j) => j * 5e-4);
    const sharp = binParent(parent, { sigma0: 2e-3, z: fine });
    const wide = binParent(parent, { sigma0: 0.04, z: fine });
    const moments = (z: Float64Array, n: Float64Array) => {
      const s = new AkimaSpline(z, n);
      const m1 = integrate((x) => x * s.evaluate(x), 0, 4, 1e-10);
      return [m1, integrate((x) => (x - m1) ** 2 * s.evaluate(x), 0, 4, 1e-10)];
    };
    const [mean, v0] = moments(sharp.z, sharp.nz[2]);
    const [, v1] = moments(wide.z, wide.nz[2]);
    expect((v1 - v0) / (0.04 * (1 + mean)) ** 2).toBeGreaterThan(0.9);
    expect((v1 - v0) / (0.04 * (1 + mean)) ** 2).toBeLessThan(1.1);
  });
});

describe('task families', () => {
  it('the paper family alternates Smail and Gaussian parents inside their ranges, with clipped noise', () => {
    const fam = paperFamily();
    for (let t = 0; t < 6; t++) {
      const s = fam.sample(t, new Random(100 + t));
      const d = s.description as Record<string, number | string>;
      if (t % 2 === 0) {
        expect(d.kind).toBe('smail');
        expect(d.z0).toBeGreaterThanOrEqual(0.1);
        expect(d.z0).toBeLessThan(0.2);
        expect(d.alpha).toBeGreaterThanOrEqual(0.6);
        expect(d.alpha).toBeLessThan(1.0);
      } else {
        expect(d.kind).toBe('gaussian');
        expect(d.mean).toBeGreaterThanOrEqual(0.2);
        expect(d.sigma).toBeLessThan(0.6);
      }
      expect(d.noise).toBeGreaterThanOrEqual(0);
      expect(d.noise).toBeLessThan(0.1);
      expect(s.nz).toHaveLength(5);
      expect(s.z).toHaveLength(300);
      for (const n of s.nz) for (const v of n) expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('is reproducible from the seed and varies with it', () => {
    const fam = paperFamily();
    const a = fam.sample(3, new Random(7));
    const b = fam.sample(3, new Random(7));
    const c = fam.sample(3, new Random(8));
    expect(Array.from(a.nz[2])).toEqual(Array.from(b.nz[2]));
    expect(Array.from(a.nz[2])).not.toEqual(Array.from(c.nz[2]));
  });

  it('without noise, the paper family gives unit-integral bins; multipeak parents have three peaks', () => {
    const s = paperFamily({ noiseMax: 0 }).sample(0, new Random(1));
    for (const n of s.nz) expect(Math.abs(new AkimaSpline(s.z, n).integrate(0, 4) - 1)).toBeLessThan(1e-12);
    const m = multiPeakFamily().sample(0, new Random(2));
    expect((m.description.means as number[]).length).toBe(3);
    expect(() => paperFamily({ smailZ0: [0.2, 0.1] })).toThrow(/smailZ0 must be a range/);
  });
});
