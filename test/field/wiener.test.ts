/**
 * HMC against exact answers on the Gaussian flat-sky case (32 x 32 maps with 2000 samples to stay within
 * the test budget; `cosmeta field wiener` runs 64 x 64): the posterior mean and per-mode variance equal
 * the Wiener filter within Monte Carlo error, without a mask (closed form) and with one (conjugate
 * gradients); the amplitude's marginal posterior equals the exact one-dimensional posterior.
 *
 * Monte Carlo error: the standard error of a mean is sqrt(var tau / n) and of a variance
 * var sqrt(2 tau2 / n), with tau (tau2) emcee's integrated autocorrelation time of the series (of its
 * squared deviations). The real Fourier modes are independent under a stationary posterior, so their
 * z-scores are independent N(0, 1) draws if the sampler is right: of ~1024 of them 99.73% should lie
 * within 3 SE (binomial sd 0.16%, so >= 99% is a 4.5-sigma bound) and mean z^2 = 1 within
 * sqrt(2/1024) = 0.044 plus the scatter of the tau estimates (~10% at n/tau ~ 1000), hence [0.8, 1.25].
 * Pixel z-scores are correlated with each other (the posterior covariance is not diagonal in pixels), so
 * their bound is looser (>= 98%).
 */
import { describe, expect, it } from 'vitest';
import { gridSpectrum } from '../../src/field/gaussian-field.js';
import { LensingMap } from '../../src/field/lensing-map.js';
import { modeValues, realModes } from '../../src/field/modes.js';
import { amplitudePosterior, bhattacharyyaToDensity, conjugateGradientMode, wienerDiagonal } from '../../src/field/wiener.js';
import { mapAutocorrelationTimes, monteCarloZ, runHmc, type HmcRunResult } from '../../src/inference/hmc-run.js';
import { FourierDiagonalMass } from '../../src/inference/mass.js';
import { FourierGrid } from '../../src/math/fft.js';
import { Random } from '../../src/math/random.js';

const power = (ell: number) => 2e-9 * (ell / 1000) ** -1.2;
const N = 32;
const SAMPLES = 2000;
const NOISE = 1e-4;

function setup(options: { mask?: Uint8Array; amplitude?: { lnAMin: number; lnAMax: number } } = {}) {
  const grid = new FourierGrid([N, N]);
  const spectrum = gridSpectrum(grid, (5 * Math.PI) / 180, power);
  const m = new LensingMap({ grid, spectrum, observable: 'convergence', noiseVariance: NOISE, ...options });
  const rng = new Random(1);
  const truth = new Float64Array(m.dim);
  truth.set(m.field.white(rng));
  m.simulate(truth, rng);
  return { grid, spectrum, m };
}

function zScores(series: Float64Array[], exactMean: ArrayLike<number>, exactVar: ArrayLike<number>): { mean: Float64Array; variance: Float64Array } {
  const z = monteCarloZ(series, exactMean, exactVar);
  return { mean: z.mean, variance: z.variance! };
}

const within = (z: Float64Array, k: number) => z.filter((x) => Math.abs(x) < k).length / z.length;
const meanSquare = (z: Float64Array) => z.reduce((a, b) => a + b * b, 0) / z.length;

async function sample(m: LensingMap, seed: number, samples = SAMPLES): Promise<HmcRunResult> {
  const mass = new FourierDiagonalMass(m.grid, m.modePrecision(), m.sampleAmplitude ? [m.amplitudeFisher()] : []);
  const x0 = new Float64Array(m.dim);
  return runHmc(m, mass, x0, { seed, samples, thin: 1, settings: { warmup: 200 }, scalars: m.sampleAmplitude ? [m.size] : [], derive: (x) => Float64Array.from(m.convergence(x)) });
}

describe('HMC on a Gaussian convergence map equals the Wiener filter', () => {
  it('no mask: every real Fourier mode has the Wiener mean and variance S N/(S+N) within Monte Carlo error', async () => {
    const { grid, spectrum, m } = setup();
    const run = await sample(m, 2);
    expect(run.meanAcceptProb).toBeGreaterThan(0.6);
    const noise = new Float64Array(grid.size).fill(grid.size * NOISE);
    const modes = realModes(grid);
    const series = run.kept.map((k) => modeValues(grid, k, modes));
    const check = (noisePower: Float64Array) => {
      const wf = wienerDiagonal(grid, spectrum, noisePower, m.data[0]);
      const wfModes = modeValues(grid, wf.mean, modes);
      return zScores(series, wfModes, modes.map((md) => wf.modeVariance[md.index] * md.share));
    };
    const z = check(noise);
    expect(within(z.mean, 3)).toBeGreaterThanOrEqual(0.99);
    expect(meanSquare(z.mean)).toBeGreaterThan(0.8);
    expect(meanSquare(z.mean)).toBeLessThan(1.25);
    expect(within(z.variance, 3)).toBeGreaterThanOrEqual(0.99);
    expect(meanSquare(z.variance)).toBeGreaterThan(0.8);
    expect(meanSquare(z.variance)).toBeLessThan(1.25);
    // Power of the test: a Wiener filter with the noise misstated by 30% is rejected.
    const wrong = check(noise.map((v) => 1.3 * v));
    expect(meanSquare(wrong.variance)).toBeGreaterThan(2);
    // Pixels: mean map against s_WF, and the pixel variance sum_k C_k / n^4.
    const wf = wienerDiagonal(grid, spectrum, noise, m.data[0]);
    const zp = zScores(run.kept, wf.mean, new Float64Array(grid.size).fill(wf.pixelVariance));
    expect(within(zp.mean, 3)).toBeGreaterThanOrEqual(0.98);
    expect(within(zp.variance, 3)).toBeGreaterThanOrEqual(0.98);
  }, 300_000); // ~10 s on an idle machine; generous for a shared one

  it('with a mask: the mean map equals the Wiener filter solved by conjugate gradients', async () => {
    const mask = Uint8Array.from({ length: N * N }, (_, i) => (Math.hypot((i % N) - 10, Math.floor(i / N) - 12) < 7 || i % N > 27 ? 0 : 1));
    const { grid, m } = setup({ mask });
    const prec = m.modePrecision().map((p) => 1 / p);
    const cg = conjugateGradientMode(m.dim, (x, g) => m.logProb(x, g), { precondition: (r, out) => grid.filter(r, prec, out) });
    expect(cg.residual).toBeLessThan(1e-10);
    const sWF = m.convergence(cg.x);
    const run = await sample(m, 3, 1000);
    const modes = realModes(grid);
    const zp = zScores(run.kept, sWF, run.variance);
    expect(within(zp.mean, 3)).toBeGreaterThanOrEqual(0.98);
    expect(meanSquare(zp.mean)).toBeLessThan(1.3);
    // The masked pixels are constrained by the prior alone: their posterior spread is larger.
    let inside = 0;
    let outside = 0;
    for (let i = 0; i < grid.size; i++) (mask[i] ? (inside += run.variance[i] / (N * N - 1)) : (outside += run.variance[i] / 1));
    expect(outside / mask.filter((v) => v === 0).length).toBeGreaterThan(1.5 * (inside * (N * N - 1)) / mask.filter((v) => v === 1).length);
    expect(modes.length).toBe(N * N - 1);
  }, 300_000); // ~10 s on an idle machine; generous for a shared one

  it('the sampled amplitude has the exact marginal posterior prod_k N(d_k | 0, A S_k + N_k) (Bhattacharyya <= 0.01)', async () => {
    const { grid, spectrum, m } = setup({ amplitude: { lnAMin: -2, lnAMax: 2 } });
    const run = await sample(m, 4, 1000);
    const noise = new Float64Array(grid.size).fill(grid.size * NOISE);
    const lnA = Float64Array.from({ length: 4001 }, (_, j) => -2 + (4 * j) / 4000);
    const dens = amplitudePosterior(grid, spectrum, noise, m.data[0], lnA);
    let mu = 0;
    let v = 0;
    for (let j = 1; j < lnA.length; j++) mu += ((dens[j] * lnA[j] + dens[j - 1] * lnA[j - 1]) / 2) * (lnA[j] - lnA[j - 1]);
    for (let j = 1; j < lnA.length; j++) v += ((dens[j] * (lnA[j] - mu) ** 2 + dens[j - 1] * (lnA[j - 1] - mu) ** 2) / 2) * (lnA[j] - lnA[j - 1]);
    const sd = Math.sqrt(v);
    const tau = mapAutocorrelationTimes(Array.from(run.scalars, (s) => Float64Array.of(s)))[0];
    const ess = 1000 / tau;
    // 12 bins over +-4 sd: the histogram's own noise gives E[D_B] ~ (bins - 1) / (8 ESS) (<= 0.005 here).
    const db = bhattacharyyaToDensity(run.scalars, lnA, dens, mu - 4 * sd, mu + 4 * sd, 12);
    const sampleMean = run.scalars.reduce((a, b) => a + b, 0) / 1000;
    // Partial centring makes ln A mix almost independently (tau ~ 1-2; ~6 non-centred).
    expect(ess).toBeGreaterThan(300);
    expect(db).toBeLessThanOrEqual(0.01);
    expect(Math.abs(sampleMean - mu) / (sd / Math.sqrt(ess))).toBeLessThan(4);
  }, 300_000); // ~10 s on an idle machine; generous for a shared one
});
