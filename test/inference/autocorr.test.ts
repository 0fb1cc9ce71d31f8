import { describe, expect, it } from 'vitest';
import { autocorrelation, integratedTime } from '../../src/inference/autocorr.js';
import { Random } from '../../src/math/random.js';

/** AR(1) chains x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, [steps x walkers x dim] with dim = phis.length. */
function ar1(phis: number[], steps: number, walkers: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const dim = phis.length;
  const x = new Float64Array(steps * walkers * dim);
  for (let k = 0; k < walkers; k++) {
    for (let d = 0; d < dim; d++) {
      const phi = phis[d];
      let v = rng.normal();
      for (let t = 0; t < steps; t++) {
        v = phi * v + Math.sqrt(1 - phi * phi) * rng.normal();
        x[(t * walkers + k) * dim + d] = v;
      }
    }
  }
  return x;
}

describe('integrated autocorrelation time (emcee estimator)', () => {
  it("matches an AR(1) process's tau = (1 + phi) / (1 - phi) within 10%", () => {
    // Exact values 1, 9 and 39. Statistical error of the estimate here is ~3% (Sokal: var ~ 2(2M+1)/N tau^2).
    const phis = [0, 0.8, 0.95];
    const tau = integratedTime(ar1(phis, 20000, 16, 11), 20000, 16, phis.length);
    phis.forEach((phi, d) => {
      const exact = (1 + phi) / (1 - phi);
      expect(Math.abs(tau[d] / exact - 1)).toBeLessThan(0.1);
    });
  });

  it('the autocorrelation function starts at 1 and follows phi^t for AR(1)', () => {
    const x = ar1([0.7], 200000, 1, 5);
    const acf = autocorrelation(x);
    expect(acf[0]).toBeCloseTo(1, 14);
    // Standard error of rho(t) ~ 1/sqrt(N) x sqrt((1 + phi^2)/(1 - phi^2)) ~ 0.004 here.
    for (const t of [1, 2, 3, 5]) expect(acf[t]).toBeCloseTo(Math.pow(0.7, t), 1.7);
  });
});
