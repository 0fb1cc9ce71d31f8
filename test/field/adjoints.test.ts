/**
 * Adjoints against finite differences: every gradient of a forward model is compared with central
 * differences of ln p along random directions, |FD - grad.v| <= 1e-6 |grad.v|. The step h = 1e-5 keeps
 * the truncation error (h^2 f'''/6, zero for the quadratic Gaussian cases) and the round-off
 * (~1e-16 |ln p| / h ~ 1e-8 for |ln p| ~ 1e3) both well below that.
 */
import { describe, expect, it } from 'vitest';
import { gridSpectrum } from '../../src/field/gaussian-field.js';
import { LensingMap, type LensingMapOptions } from '../../src/field/lensing-map.js';
import { KaiserSquires } from '../../src/field/operators.js';
import { FourierGrid } from '../../src/math/fft.js';
import { Random } from '../../src/math/random.js';
import { directionalCheck } from '../helpers/finite-difference.js';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('flat-sky lensing operators', () => {
  it('Kaiser-Squires: <KS x, y> = <x, KS^T y> and the shear of a real map is real-valued', () => {
    const grid = new FourierGrid([16, 16]);
    const ks = new KaiserSquires(grid);
    const rng = new Random(11);
    const x = Float64Array.from({ length: grid.size }, () => rng.normal());
    const y1 = Float64Array.from({ length: grid.size }, () => rng.normal());
    const y2 = Float64Array.from({ length: grid.size }, () => rng.normal());
    const [g1, g2] = ks.apply(x);
    const lhs = dot(g1, y1) + dot(g2, y2);
    const rhs = dot(x, ks.adjoint(y1, y2));
    // Exact in exact arithmetic; round-off ~1e-15 x size.
    expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(1e-12);
    // |D(l)| = 1: KS^T KS is the identity on the modes where both filters are defined (no l = 0 mode,
    // so a zero-mean map away from Nyquist is recovered): check the power is preserved to within the
    // Nyquist lines' share.
    expect(dot(g1, g1) + dot(g2, g2)).toBeLessThanOrEqual(dot(x, x) * (1 + 1e-12));
    // Both filters even (c_k = c_-k, s_k = s_-k), which makes the shear of a real map real.
    for (let i = 0; i < grid.size; i++) {
      expect(Math.abs(ks.c[grid.mirrorIndex(i)] - ks.c[i])).toBe(0);
      expect(Math.abs(ks.s[grid.mirrorIndex(i)] - ks.s[i])).toBe(0);
    }
  });

  it('Kaiser-Squires of a plane wave kappa = cos(2 pi (l1 x + l2 y) / n) is (c, s) kappa with c = (l1^2 - l2^2)/l^2, s = 2 l1 l2 / l^2', () => {
    const n = 16;
    const grid = new FourierGrid([n, n]);
    const ks = new KaiserSquires(grid);
    const [l1, l2] = [3, -2];
    const kappa = Float64Array.from({ length: n * n }, (_, i) => Math.cos((2 * Math.PI * (l1 * Math.floor(i / n) + l2 * (i % n))) / n));
    const [g1, g2] = ks.apply(kappa);
    const l2sum = l1 * l1 + l2 * l2;
    for (let i = 0; i < n * n; i++) {
      expect(g1[i]).toBeCloseTo(((l1 * l1 - l2 * l2) / l2sum) * kappa[i], 12);
      expect(g2[i]).toBeCloseTo(((2 * l1 * l2) / l2sum) * kappa[i], 12);
    }
  });
});

const power = (ell: number) => 1e-9 * (ell / 1000) ** -1.2;

function model(extra: Partial<LensingMapOptions>, n = 16): LensingMap {
  const grid = new FourierGrid([n, n]);
  const side = (5 * Math.PI) / 180; // 5 degrees
  const spectrum = gridSpectrum(grid, side, power);
  return new LensingMap({ grid, spectrum, observable: 'convergence', noiseVariance: 1e-4, ...extra });
}

describe('lensing map posterior gradient equals finite differences (1e-6 relative)', () => {
  const rng = new Random(5);
  const mask = (n: number) => Uint8Array.from({ length: n * n }, (_, i) => (i % n < n / 3 && Math.floor(i / n) < n / 2 ? 0 : 1));
  const cases: Array<[string, Partial<LensingMapOptions>]> = [
    ['Gaussian convergence', {}],
    ['Gaussian convergence, mask, sampled amplitude', { mask: mask(16), amplitude: { lnAMin: -3, lnAMax: 3 } }],
    ['Gaussian convergence, sampled amplitude, non-centred', { amplitude: { lnAMin: -3, lnAMax: 3 }, centring: 'none' }],
    ['Gaussian shear (Kaiser-Squires), mask', { observable: 'shear', mask: mask(16), noiseVariance: 3e-4 }],
    ['lognormal shear, sampled amplitude', { observable: 'shear', lognormalShift: 0.02, amplitude: { lnAMin: -3, lnAMax: 3 } }],
    ['lognormal shear, sampled amplitude, non-centred', { observable: 'shear', lognormalShift: 0.02, amplitude: { lnAMin: -3, lnAMax: 3 }, centring: 'none' }],
    ['lognormal convergence, mask, sampled amplitude', { lognormalShift: 0.01, mask: mask(16), amplitude: { lnAMin: -3, lnAMax: 3 } }],
  ];
  for (const [name, opts] of cases) {
    it(name, () => {
      const m = model(opts);
      const truth = Float64Array.from({ length: m.dim }, () => rng.normal());
      if (m.sampleAmplitude) truth[m.size] = 0.3;
      m.simulate(truth, rng);
      const x = Float64Array.from({ length: m.dim }, () => rng.normal());
      if (m.sampleAmplitude) x[m.size] = -0.2;
      expect(directionalCheck((p, g) => m.logProb(p, g), x, rng)).toBeLessThan(1e-6);
    });
  }
});
