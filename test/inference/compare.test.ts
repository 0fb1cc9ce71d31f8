import { describe, expect, it } from 'vitest';
import { compareSamples, gaussianBhattacharyya, histogramBhattacharyya, summary, type Samples } from '../../src/inference/compare.js';
import { Random } from '../../src/math/random.js';

function gaussianSamples(names: string[], mu: number[], sd: number[], rho: number, n: number, seed: number): Samples {
  const rng = new Random(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.normal();
    const v = rng.normal();
    a[i] = mu[0] + sd[0] * u;
    b[i] = mu[1] + sd[1] * (rho * u + Math.sqrt(1 - rho * rho) * v);
  }
  return { names, columns: [a, b] };
}

describe('posterior comparison', () => {
  it('Gaussian Bhattacharyya distance matches a hand-computed case and is 0 for identical inputs', () => {
    // 1-D: D = (mu1 - mu2)^2 / (4 (s1^2 + s2^2)) + 1/2 ln((s1^2 + s2^2) / (2 s1 s2)).
    // mu 0 vs 1, sigma 1 vs 2: 1/20 + 1/2 ln(5/4) = 0.16157177565710488.
    expect(gaussianBhattacharyya([0], [1], [1], [4])).toBeCloseTo(0.05 + 0.5 * Math.log(1.25), 14);
    // 2-D, S1 = diag(1, 4), S2 = [[2, 1], [1, 2]], dmu = (1, -1): S = [[1.5, .5], [.5, 3]], det S = 4.25,
    // S^-1 dmu = (3.5, -2) / 4.25 -> quad = 5.5 / 4.25; ln terms: det S1 = 4, det S2 = 3.
    const expected = 5.5 / 4.25 / 8 + 0.5 * Math.log(4.25 / Math.sqrt(12));
    expect(gaussianBhattacharyya([1, 0], [1, 0, 0, 4], [0, 1], [2, 1, 1, 2])).toBeCloseTo(expected, 14);
    expect(gaussianBhattacharyya([0.3, 0.8], [1, 0.2, 0.2, 2], [0.3, 0.8], [1, 0.2, 0.2, 2])).toBe(0);
  });

  it('the histogram estimate agrees with the Gaussian one for Gaussian posteriors', () => {
    const a = gaussianSamples(['Omega_m', 'S8'], [0.315, 0.85], [0.017, 0.003], -0.6, 200000, 1);
    const b = gaussianSamples(['Omega_m', 'S8'], [0.325, 0.851], [0.018, 0.0035], -0.5, 200000, 2);
    const c = compareSamples(a, b);
    // Exact D_B for these Gaussians ~0.17; the histogram estimate is biased by binning and smoothing at
    // the few-percent level of the overlap (tested absolute tolerance 0.02).
    expect(c.bhattacharyya).toBeGreaterThan(0.1);
    expect(Math.abs((c.bhattacharyyaHistogram as number) - c.bhattacharyya)).toBeLessThan(0.02);
    expect(c.meanShiftSigma.Omega_m).toBeCloseTo(0.01 / 0.017, 1);
    expect(c.widthRatio.S8).toBeCloseTo(3.5 / 3, 1);
    const same = compareSamples(a, a);
    expect(same.bhattacharyya).toBe(0);
    expect(histogramBhattacharyya(a, a)).toBeCloseTo(0, 12);
  });

  it('summary gives the median and 16th/84th percentiles', () => {
    const x = Float64Array.from({ length: 101 }, (_, i) => i);
    expect(summary(x)).toEqual([50, 16, 84]);
  });
});
