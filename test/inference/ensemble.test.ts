import { describe, expect, it } from 'vitest';
import { integratedTime } from '../../src/inference/autocorr.js';
import { type EnsembleMoves, EnsembleSampler } from '../../src/inference/ensemble.js';
import type { ParameterSpec } from '../../src/inference/priors.js';
import { inverseSpd } from '../../src/math/linalg.js';
import { Random } from '../../src/math/random.js';

/** Sample the correlated 10-D Gaussian below and return the chain's statistics and autocorrelation times. */
async function gaussianRun(moves: EnsembleMoves | undefined) {
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
  const sampler = new EnsembleSampler(logProb, walkers, dim, 2, moves);
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

  const kept = chain.subarray(burn * walkers * dim);
  const n = (steps - burn) * walkers;
  const tau = integratedTime(kept, steps - burn, walkers, dim);
  const nEff = n / Math.max(...tau);
  const m = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) m[i] += kept[r * dim + i] / n;
  const c = new Float64Array(dim * dim);
  for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) c[i * dim + j] += ((kept[r * dim + i] - m[i]) * (kept[r * dim + j] - m[j])) / (n - 1);
  return { dim, mu, cov, m, c, nEff, tau, acceptance };
}

/** 4.5 sigma bounds from the effective sample size: var(mean_i) = S_ii / n_eff, var(S_ij) = (S_ii S_jj + S_ij^2) / n_eff. */
function expectGaussianMoments({ dim, mu, cov, m, c, nEff }: Awaited<ReturnType<typeof gaussianRun>>): void {
  for (let i = 0; i < dim; i++) {
    expect(Math.abs(m[i] - mu[i])).toBeLessThan(4.5 * Math.sqrt(cov[i * dim + i] / nEff));
    for (let j = 0; j < dim; j++) {
      const sd = Math.sqrt((cov[i * dim + i] * cov[j * dim + j] + cov[i * dim + j] ** 2) / nEff);
      expect(Math.abs(c[i * dim + j] - cov[i * dim + j])).toBeLessThan(4.5 * sd);
    }
  }
}

describe('affine-invariant ensemble sampler', () => {
  it("recovers a correlated 10-D Gaussian's mean and covariance within Monte Carlo error", async () => {
    const r = await gaussianRun(undefined);
    expect(r.acceptance).toBeGreaterThan(0.2);
    expect(r.acceptance).toBeLessThan(0.5);
    expectGaussianMoments(r);
  }, 60_000);

  it('with the DE move mixed in: the same moments, and autocorrelation times at most half the stretch move\'s', async () => {
    const stretch = await gaussianRun(undefined);
    const de = await gaussianRun({ de: 0.8, stretch: 0.2 });
    expectGaussianMoments(de);
    // measured: tau max 126 (stretch) vs 40 (DE 0.8 + stretch 0.2) on this target; 17-D Gaussian 208 vs 70 (README)
    expect(Math.max(...de.tau)).toBeLessThan(0.5 * Math.max(...stretch.tau));
    process.stdout.write(`ensemble 10-D Gaussian: tau max stretch ${Math.max(...stretch.tau).toFixed(1)}, DE mix ${Math.max(...de.tau).toFixed(1)}; acceptance ${stretch.acceptance.toFixed(3)} / ${de.acceptance.toFixed(3)}\n`);
  }, 120_000);

  it('a zero DE weight draws nothing extra: the chain is byte-identical to the stretch move alone', async () => {
    const dim = 3;
    const lp = async (p: Float64Array, n: number) => Float64Array.from({ length: n }, (_, r) => -0.5 * (p[r * dim] ** 2 + p[r * dim + 1] ** 2 + 4 * p[r * dim + 2] ** 2));
    const specs: ParameterSpec[] = Array.from({ length: dim }, (_, i) => ({ name: `p${i}`, prior: { kind: 'flat' as const, min: -10, max: 10 }, fiducial: 0, startSpread: 0.1 }));
    const run = async (moves?: EnsembleMoves) => {
      const s = new EnsembleSampler(lp, 8, dim, 2, moves);
      const rng = new Random(5);
      const st = await s.initialState(specs, rng);
      for (let t = 0; t < 200; t++) await s.step(st, rng);
      return Array.from(st.positions);
    };
    const plain = await run();
    expect(await run({ stretch: 1, de: 0 })).toEqual(plain);
    expect(await run({ de: 1 })).not.toEqual(plain);
  });

  it('refuses move weights that are negative, non-finite or all zero', () => {
    const f = async (_p: Float64Array, n: number) => new Float64Array(n);
    expect(() => new EnsembleSampler(f, 20, 10, 2, { de: -1, stretch: 1 })).toThrow(/weights must be finite, >= 0 and not all zero, got stretch=1, de=-1/);
    expect(() => new EnsembleSampler(f, 20, 10, 2, {})).toThrow(/not all zero/);
    expect(() => new EnsembleSampler(f, 20, 10, 2, { de: Number.NaN })).toThrow(/de=NaN/);
    // two walkers (one parameter) leave a single partner in the other half: DE needs two
    expect(() => new EnsembleSampler(f, 2, 1, 2, { de: 1 })).toThrow(/the DE move needs at least 4 walkers .* got 2/);
    expect(() => new EnsembleSampler(f, 4, 1, 2, { de: 1 })).not.toThrow();
  });

  it('refuses too few or an odd number of walkers', () => {
    const f = async (_p: Float64Array, n: number) => new Float64Array(n);
    expect(() => new EnsembleSampler(f, 10, 10)).toThrow(/walkers must be an even integer >= 2 x 10 parameters = 20, got 10/);
    expect(() => new EnsembleSampler(f, 21, 10)).toThrow(/got 21/);
  });
});
