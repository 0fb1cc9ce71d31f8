/**
 * Where the synthetic likelihood's error comes from, on the Gaussian signal: BOLFI with
 * `--likelihood synthetic` (500 simulations; COSMETA_LFI_ACQUISITION, default posterior as in the CLI),
 * then its posterior on a grid with some of the emulated moments replaced by the exact ones. In the
 * distance's coordinates z = (sqrt(n) (xbar - xbar_obs) / s_obs, sqrt((n - 1) / 2) 3 ((s^2 / s_obs^2)^(1/3) - 1)),
 * with r = sigma^2 / s_obs^2 and nu = n - 1:
 *   z_1 ~ N(sqrt(n) (mu - xbar_obs) / s_obs, r)  exactly;
 *   z_2 ~ N(3 sqrt(nu / 2) (r^(1/3) (1 - 2 / (9 nu)) - 1), r^(2/3))  (Wilson & Hilferty 1931).
 * Prints, per seed, [mu shift, sigma^2 shift (in exact posterior sds), mu width, sigma^2 width] with nothing
 * replaced ('none'), with the named moments exact (m1, v1: mean and variance of z_1; m2, v2: of z_2;
 * 'm1 m2': both means; 'v1 v2': both variances), and with all four ('all', which must give 0 shifts and
 * widths 1), then the RMS and worst shift of each over the seeds. COSMETA_LFI_OBS_SEED=S0 fixes the
 * observation, as in bench/lfi-seeds.ts.
 *
 *   npx vite-node bench/lfi-synthetic-diagnosis.ts     (COSMETA_LFI_SEEDS, default 1)
 */
import type { AcquisitionName } from '../src/inference/lfi/acquisition.js';
import { runBolfi } from '../src/inference/lfi/bolfi.js';
import { gaussianSignalProblem, nigLogDensity, nigMarginals, nigPosterior, observeGaussianSignal } from '../src/inference/lfi/gaussian-signal.js';
import { deriveSeed } from '../src/math/random.js';

const seeds = (process.env.COSMETA_LFI_SEEDS ?? '1').split(',').map(Number);
const acquisition = (process.env.COSMETA_LFI_ACQUISITION ?? 'posterior') as AcquisitionName;
const obsSeed = process.env.COSMETA_LFI_OBS_SEED ? Number(process.env.COSMETA_LFI_OBS_SEED) : undefined;
const VARIANTS = ['none', 'm1', 'v1', 'm2', 'v2', 'm1 v1', 'm2 v2', 'm1 m2', 'v1 v2', 'all'];
const shifts: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
const n = 50;
const nu = n - 1;
const G = 241;
for (const seed of seeds) {
  const obs = observeGaussianSignal(n, 0.8, 2.9, deriveSeed(obsSeed ?? seed, 0));
  const exact = nigMarginals(nigPosterior(prior, obs));
  const s2 = obs.ss / (n - 1);
  const r = await runBolfi(gaussianSignalProblem(prior, obs), { budget: 500, seed, likelihood: 'synthetic', acquisition });
  const emu = r.emulator;
  if (!emu) throw new Error('no summary emulator');
  const lo = [exact.mu[0] - 6 * exact.mu[1], exact.sigma2[0] - 5 * exact.sigma2[1]];
  const hi = [exact.mu[0] + 6 * exact.mu[1], exact.sigma2[0] + 7 * exact.sigma2[1]];
  const pts = new Float64Array(G * G * 2);
  for (let i = 0; i < G; i++) for (let j = 0; j < G; j++) {
    pts[(i * G + j) * 2] = lo[0] + ((hi[0] - lo[0]) * i) / (G - 1);
    pts[(i * G + j) * 2 + 1] = lo[1] + ((hi[1] - lo[1]) * j) / (G - 1);
  }
  const M = G * G;
  const mHat = emu.means.map((g) => g.predictMean(pts, M));
  const vHat = emu.variances.map((g) => g.predictMean(pts, M));
  // the floors of synthetic.ts (1% of the mean squared residual) are below every v here; use the plain GP means
  const moments = (c: number) => {
    const mu = pts[2 * c];
    const rr = pts[2 * c + 1] / s2;
    return { m: [(Math.sqrt(n) * (mu - obs.mean)) / Math.sqrt(s2), 3 * Math.sqrt(nu / 2) * (Math.cbrt(rr) * (1 - 2 / (9 * nu)) - 1)], v: [rr, Math.cbrt(rr) ** 2] };
  };
  const row: Record<string, unknown> = { seed };
  for (const label of VARIANTS) {
    const exactMoment = (name: string) => label === 'all' || label.split(' ').includes(name);
    const lp = new Float64Array(M);
    let best = -Infinity;
    for (let c = 0; c < M; c++) {
      const e = moments(c);
      let ll = 0;
      for (let k = 0; k < 2; k++) {
        const m = exactMoment(`m${k + 1}`) ? e.m[k] : mHat[k][c];
        const v = Math.max(exactMoment(`v${k + 1}`) ? e.v[k] : vHat[k][c], 1e-6);
        ll -= 0.5 * ((m * m) / v + Math.log(v));
      }
      lp[c] = ll + nigLogDensity(prior, pts[2 * c], pts[2 * c + 1]);
      best = Math.max(best, lp[c]);
    }
    let w = 0;
    const m1 = [0, 0];
    const m2 = [0, 0];
    for (let c = 0; c < M; c++) {
      const p = Math.exp(lp[c] - best);
      w += p;
      for (let d = 0; d < 2; d++) {
        m1[d] += p * pts[2 * c + d];
        m2[d] += p * pts[2 * c + d] ** 2;
      }
    }
    const mean = m1.map((v) => v / w);
    const sd = m2.map((v, d) => Math.sqrt(v / w - mean[d] ** 2));
    const ex = [exact.mu, exact.sigma2];
    const sh = [(mean[0] - ex[0][0]) / ex[0][1], (mean[1] - ex[1][0]) / ex[1][1]];
    shifts[label].push(...sh);
    row[label] = [...sh, sd[0] / ex[0][1], sd[1] / ex[1][1]].map((v) => +v.toFixed(3));
  }
  row.bolfi = { mu: +((r.mean[0] - exact.mu[0]) / exact.mu[1]).toFixed(3), sigma2: +((r.mean[1] - exact.sigma2[0]) / exact.sigma2[1]).toFixed(3) };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
const summary = Object.fromEntries(VARIANTS.map((v) => [v, { rms: +Math.sqrt(shifts[v].reduce((a, b) => a + b * b, 0) / shifts[v].length).toFixed(3), worst: +Math.max(...shifts[v].map(Math.abs)).toFixed(3) }]));
process.stdout.write(`${JSON.stringify({ seeds, acquisition, observationSeed: obsSeed ?? null, shifts: summary })}\n`);
