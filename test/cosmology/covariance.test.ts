import { describe, expect, it } from 'vitest';
import { ARCMIN2_PER_SR, GaussianCovariance, geometricBandEdges, shapeNoise } from '../../src/cosmology/covariance.js';
import { inverseSpd } from '../../src/math/linalg.js';

describe('Gaussian (Knox) covariance', () => {
  it('matches a hand-computed 2-bin case, element by element', () => {
    // Two bins, pairs (0,0), (0,1), (1,1); two multipoles 10 and 40 (ratio 4: edges 5, 20, 80).
    const ell = [10, 40];
    const cl = [
      [3e-9, 1e-9], // C00 at ell 10, 40
      [2e-9, 0.5e-9], // C01
      [4e-9, 2e-9], // C11
    ];
    const survey = { fSky: 0.25, nGal: [1.5, 3], sigmaE: 0.3 };
    const cov = new GaussianCovariance(cl.flat(), ell, 2, survey);
    const N = [0.09 / (1.5 * ARCMIN2_PER_SR), 0.09 / (3 * ARCMIN2_PER_SR)];
    expect(cov.bandWidth[0]).toBeCloseTo(15, 12);
    expect(cov.bandWidth[1]).toBeCloseTo(60, 12);
    const dense = cov.dense();
    for (let e = 0; e < 2; e++) {
      const modes = (2 * ell[e] + 1) * [15, 60][e] * 0.25;
      const a = cl[0][e] + N[0];
      const b = cl[1][e];
      const c = cl[2][e] + N[1];
      // Hand-expanded Knox formula for the pairs (00, 01, 11).
      const expected = [
        [2 * a * a, 2 * a * b, 2 * b * b],
        [2 * a * b, a * c + b * b, 2 * b * c],
        [2 * b * b, 2 * b * c, 2 * c * c],
      ];
      for (let p = 0; p < 3; p++) {
        for (let q = 0; q < 3; q++) {
          const got = dense[(p * 2 + e) * 6 + q * 2 + e];
          expect(got / (expected[p][q] / modes) - 1).toBeCloseTo(0, 12);
        }
      }
      // Different multipoles are uncorrelated.
      for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) expect(dense[(p * 2 + e) * 6 + q * 2 + (1 - e)]).toBe(0);
    }
  });

  it('chi^2 from the per-multipole blocks equals r^T C^-1 r with the dense inverse', () => {
    const ell = [20, 60, 180];
    const nBins = 3;
    const cl: number[] = [];
    for (let p = 0; p < 6; p++) for (let e = 0; e < 3; e++) cl.push(1e-9 * (1 + p) * (1 + 0.3 * e) * (p === 0 || p === 3 || p === 5 ? 2 : 0.5));
    const cov = new GaussianCovariance(cl, ell, nBins, { fSky: 0.4, nGal: 2, sigmaE: Math.sqrt(0.26) });
    const inv = inverseSpd(cov.dense(), cov.size);
    const r = cl.map((c, i) => c * 0.05 * Math.sin(i + 1));
    let direct = 0;
    for (let i = 0; i < r.length; i++) for (let j = 0; j < r.length; j++) direct += r[i] * inv[i * r.length + j] * r[j];
    // Both are exact linear algebra on well-conditioned 6 x 6 blocks: agreement to rounding.
    expect(cov.chi2(r) / direct - 1).toBeCloseTo(0, 9);
  });

  it('band edges for log-spaced multipoles give Delta_ell = ell (sqrt(r) - 1/sqrt(r))', () => {
    const ell = Array.from({ length: 50 }, (_, i) => 2 * Math.pow(2500, i / 49));
    const e = geometricBandEdges(ell);
    const r = Math.pow(2500, 1 / 49);
    for (let i = 0; i < 50; i++) expect((e[i + 1] - e[i]) / (ell[i] * (Math.sqrt(r) - 1 / Math.sqrt(r))) - 1).toBeCloseTo(0, 10);
  });

  it('shape noise is sigma_e^2 / n with n per steradian; bad surveys are refused', () => {
    const n = shapeNoise({ fSky: 0.4, nGal: 2, sigmaE: Math.sqrt(0.26) }, 5);
    // 2 per arcmin^2 = 2 x 11,818,102.86 per sr.
    expect(n[0]).toBeCloseTo(0.26 / (2 * 11818102.86), 15);
    expect(() => shapeNoise({ fSky: 1.5, nGal: 2, sigmaE: 0.3 }, 5)).toThrow(/f_sky must be in \(0, 1\], got 1.5/);
    expect(() => shapeNoise({ fSky: 0.4, nGal: [1, 2], sigmaE: 0.3 }, 5)).toThrow(/2 values for 5 tomographic bins/);
    expect(() => new GaussianCovariance([1, 2, 3], [10, 20], 2)).toThrow(/3 spectra values, expected 3 pairs x 2 multipoles = 6/);
  });
});
