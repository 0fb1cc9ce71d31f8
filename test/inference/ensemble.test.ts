import { describe, expect, it } from 'vitest';
import { integratedTime } from '../../src/inference/autocorr.js';
import { EnsembleSampler } from '../../src/inference/ensemble.js';
import type { ParameterSpec } from '../../src/inference/priors.js';
import { inverseSpd } from '../../src/math/linalg.js';
import { Random } from '../../src/math/random.js';

describe('affine-invariant ensemble sampler', () => {
  it("recovers a correlated 10-D Gaussian's mean and covariance within Monte Carlo error", async () => {
    const dim = 10;
    const rng = new Random(3);
    // Covariance A A^T with scales spanning a factor 100 and strong correlations.
    const A = Float64Array.from({ length: dim * dim }, (_, i) => (Math.floor(i / dim) === i % dim ? 1 : 0.6 * rng.normal()) * Math.pow(10, (Math.floor(i / dim) - 5) / 5));
    const cov = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) for (let k = 0; k < dim; k++) cov[i * dim + j] += A[i * dim + k] * A[j * dim + k];
    const prec = inverseSpd(cov, dim);
    const mu = Float64Array.from({ length: dim }, (_, i) => i - 4.5);
    const logProb = async (p: Float64Array, n: number) => {
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let q = 0;
        for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) q += (p[r * dim + i] - mu[i]) * prec[i * dim + j] * (p[r * dim + j] - mu[j]);
        out[r] = -0.5 * q;
      }
      return out;
    };
    const walkers = 40;
    const steps = 6000;
    const burn = 1000;
    const sampler = new EnsembleSampler(logProb, walkers, dim);
    const specs: ParameterSpec[] = Array.from({ length: dim }, (_, i) => ({
      name: `p${i}`,
      prior: { kind: 'gaussian' as const, mean: 0, sigma: 1 },
      fiducial: mu[i] + 0.5,
      startSpread: 1e-3,
    }));
    const state = await sampler.initialState(specs, rng);
    const chain = new Float64Array(steps * walkers * dim);
    for (let t = 0; t < steps; t++) {
      await sampler.step(state, rng);
      chain.set(state.positions, t * walkers * dim);
    }
    const acceptance = state.accepted.reduce((a, b) => a + b, 0) / (steps * walkers);
    expect(acceptance).toBeGreaterThan(0.2);
    expect(acceptance).toBeLessThan(0.5);

    const kept = chain.subarray(burn * walkers * dim);
    const n = (steps - burn) * walkers;
    const tau = integratedTime(kept, steps - burn, walkers, dim);
    const nEff = n / Math.max(...tau);
    const m = new Float64Array(dim);
    for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) m[i] += kept[r * dim + i] / n;
    const c = new Float64Array(dim * dim);
    for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) c[i * dim + j] += ((kept[r * dim + i] - m[i]) * (kept[r * dim + j] - m[j])) / (n - 1);
    // 4.5 sigma bounds from the effective sample size: var(mean_i) = S_ii / n_eff,
    // var(S_ij) = (S_ii S_jj + S_ij^2) / n_eff.
    for (let i = 0; i < dim; i++) {
      expect(Math.abs(m[i] - mu[i])).toBeLessThan(4.5 * Math.sqrt(cov[i * dim + i] / nEff));
      for (let j = 0; j < dim; j++) {
        const sd = Math.sqrt((cov[i * dim + i] * cov[j * dim + j] + cov[i * dim + j] ** 2) / nEff);
        expect(Math.abs(c[i * dim + j] - cov[i * dim + j])).toBeLessThan(4.5 * sd);
      }
    }
  }, 60_000);

  it('refuses too few or an odd number of walkers', () => {
    const f = async (_p: Float64Array, n: number) => new Float64Array(n);
    expect(() => new EnsembleSampler(f, 10, 10)).toThrow(/walkers must be an even integer >= 2 x 10 parameters = 20, got 10/);
    expect(() => new EnsembleSampler(f, 21, 10)).toThrow(/got 21/);
  });
});
