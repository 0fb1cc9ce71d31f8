/**
 * BOLFI on the Gaussian signal across observations and seeds (n = 50 draws of N(0.8, 2.9), NIG prior
 * (0, 6, 22, 54), 500 simulations): the mean shifts in exact posterior sds and the width ratios per seed,
 * for each likelihood in COSMETA_LFI_LIKELIHOODS (default "synthetic,noncentral-chi"), over seeds
 * COSMETA_LFI_SEEDS (default 1,2,3,4,5; seed S draws the observation from deriveSeed(S, 0), as
 * `cosmeta lfi bolfi --seed S` does). Prints one JSON line per run, then a summary (the largest |shift|
 * and |width - 1| per likelihood). Both likelihoods see the same simulations (the same acquisitions).
 * COSMETA_LFI_ACQUISITION picks the rule (default lcb); COSMETA_LFI_OBS_SEED=S0 draws every run's
 * observation with seed S0, so the seeds vary only the simulations (the method's Monte Carlo scatter).
 *
 *   npx vite-node bench/lfi-seeds.ts
 */
import type { AcquisitionName } from '../src/inference/lfi/acquisition.js';
import { type BolfiLikelihood, runBolfi } from '../src/inference/lfi/bolfi.js';
import { gaussianSignalProblem, nigMarginals, nigPosterior, observeGaussianSignal } from '../src/inference/lfi/gaussian-signal.js';
import { deriveSeed } from '../src/math/random.js';

const seeds = (process.env.COSMETA_LFI_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const likelihoods = (process.env.COSMETA_LFI_LIKELIHOODS ?? 'synthetic,noncentral-chi').split(',') as BolfiLikelihood[];
const budget = Number(process.env.COSMETA_LFI_BUDGET ?? 500);
const acquisition = (process.env.COSMETA_LFI_ACQUISITION ?? 'lcb') as AcquisitionName;
// one observation for every seed (then the seeds vary only the simulations: the Monte Carlo scatter)
const obsSeed = process.env.COSMETA_LFI_OBS_SEED ? Number(process.env.COSMETA_LFI_OBS_SEED) : undefined;
const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
const worst: Record<string, { shift: number; width: number }> = {};
for (const likelihood of likelihoods) {
  worst[likelihood] = { shift: 0, width: 0 };
  for (const seed of seeds) {
    const obs = observeGaussianSignal(50, 0.8, 2.9, deriveSeed(obsSeed ?? seed, 0));
    const exact = nigMarginals(nigPosterior(prior, obs));
    const mean = [exact.mu[0], exact.sigma2[0]];
    const sd = [exact.mu[1], exact.sigma2[1]];
    const t = performance.now();
    const r = await runBolfi(gaussianSignalProblem(prior, obs), { budget, seed, likelihood, acquisition });
    const shift = [0, 1].map((j) => (r.mean[j] - mean[j]) / sd[j]);
    const width = [0, 1].map((j) => r.sd[j] / sd[j]);
    for (let j = 0; j < 2; j++) {
      worst[likelihood].shift = Math.max(worst[likelihood].shift, Math.abs(shift[j]));
      worst[likelihood].width = Math.max(worst[likelihood].width, Math.abs(width[j] - 1));
    }
    const seconds = (performance.now() - t) / 1000;
    process.stdout.write(`${JSON.stringify({ likelihood, acquisition, seed, observationSeed: obsSeed ?? seed, simulations: r.simulations, meanShiftSigma: { mu: shift[0], sigma2: shift[1] }, widthRatio: { mu: width[0], sigma2: width[1] }, seconds })}\n`);
  }
}
process.stdout.write(`${JSON.stringify({ seeds, budget, acquisition, worst })}\n`);
