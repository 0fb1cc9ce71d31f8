/**
 * Likelihood-free inference against exact answers: (1) BOLFI on the Gaussian signal (n = 50, mu = 0.8,
 * sigma^2 = 2.9, NIG prior (0, 6, 22, 54)) with 500 simulations beside the exact normal-inverse-gamma
 * posterior, and the simulations rejection ABC (1000 accepted) needs for the same accuracy (means within
 * 0.1 sd, sds within 10%); (2) BOLFI on the Wishart cosmic-shear simulator against the exact-likelihood
 * posterior (Bhattacharyya distance), with the exact chain's likelihood calls. Prints JSON; writes corner
 * plots to results/lfi/ (COSMETA_LFI_OUT to change). Environment: COSMETA_LFI_SEED (default 1),
 * COSMETA_LFI_SHEAR_BUDGET (default 600), COSMETA_LFI_ACQUISITION (lcb, eiv or posterior, for both problems;
 * default: the CLI's, posterior for the Gaussian signal and lcb for cosmic shear). The Gaussian signal runs
 * with the CLI's default likelihood (synthetic).
 *
 *   npx vite-node bench/lfi.ts      (or, after `npm run build`, node dist/bench/lfi.js)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { abcSimulationsToAccuracy, meetsAccuracy } from '../src/inference/lfi/abc.js';
import type { AcquisitionName } from '../src/inference/lfi/acquisition.js';
import { runBolfi } from '../src/inference/lfi/bolfi.js';
import { GAUSSIAN_SIGNAL_BOLFI, gaussianSignalProblem, nigMarginals, nigPosterior, observeGaussianSignal } from '../src/inference/lfi/gaussian-signal.js';
import { runShearComparison } from '../src/inference/lfi/shear-comparison.js';
import { inverseGammaDraw } from '../src/math/distributions.js';
import { deriveSeed, Random } from '../src/math/random.js';
import { cornerSpec, writeFigure } from '../src/report/figures.js';

const seed = Number(process.env.COSMETA_LFI_SEED ?? 1);
const shearBudget = Number(process.env.COSMETA_LFI_SHEAR_BUDGET ?? 600);
const chosen = process.env.COSMETA_LFI_ACQUISITION as AcquisitionName | undefined;
const acquisition = chosen ?? GAUSSIAN_SIGNAL_BOLFI.acquisition;
const shearAcquisition = chosen ?? 'lcb';
const outDir = process.env.COSMETA_LFI_OUT ?? join('results', 'lfi');
mkdirSync(outDir, { recursive: true });

const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
const obs = observeGaussianSignal(50, 0.8, 2.9, deriveSeed(seed, 0));
const post = nigPosterior(prior, obs);
const exact = nigMarginals(post);
const exactMean = [exact.mu[0], exact.sigma2[0]];
const exactSd = [exact.mu[1], exact.sigma2[1]];
const problem = gaussianSignalProblem(prior, obs);

let t = performance.now();
const bolfi = await runBolfi(problem, { budget: 500, seed, acquisition, likelihood: GAUSSIAN_SIGNAL_BOLFI.likelihood });
const bolfiSeconds = (performance.now() - t) / 1000;
t = performance.now();
const abc = abcSimulationsToAccuracy(problem, exactMean, exactSd, { accept: 1000, maxSimulations: 16_384_000, seed });
const abcSeconds = (performance.now() - t) / 1000;

const rng = new Random(deriveSeed(seed, 9));
const nig = { names: ['mu', 'sigma2'], columns: [new Float64Array(40000), new Float64Array(40000)] };
for (let i = 0; i < 40000; i++) {
  nig.columns[1][i] = inverseGammaDraw(rng, post.alpha, post.beta);
  nig.columns[0][i] = post.eta + Math.sqrt(nig.columns[1][i] / post.lambda) * rng.normal();
}
const bolfiSamples = { names: ['mu', 'sigma2'], columns: [0, 1].map((j) => Float64Array.from({ length: bolfi.rows }, (_, r) => bolfi.samples[r * 2 + j])) };
await writeFigure(cornerSpec([{ label: 'exact (normal-inverse-gamma)', samples: nig }, { label: `BOLFI (${bolfi.simulations} simulations)`, samples: bolfiSamples }], ['mu', 'sigma2']), join(outDir, 'gaussian-signal.png'));

t = performance.now();
const shear = await runShearComparison({ seed, budget: shearBudget, acquisition: shearAcquisition });
const shearSeconds = (performance.now() - t) / 1000;
await writeFigure(
  cornerSpec([{ label: `exact likelihood (${shear.exact.likelihoodCalls} calls)`, samples: shear.exact.samples }, { label: `BOLFI (${shearBudget} simulations)`, samples: shear.bolfi.samples }], shear.names),
  join(outDir, 'cosmic-shear.png'),
);

const out = {
  seed,
  gaussianSignal: {
    acquisition,
    likelihood: GAUSSIAN_SIGNAL_BOLFI.likelihood,
    observed: obs,
    exact,
    bolfi: {
      simulations: bolfi.simulations,
      mu: [bolfi.mean[0], bolfi.sd[0]],
      sigma2: [bolfi.mean[1], bolfi.sd[1]],
      meanShiftSigma: [0, 1].map((j) => (bolfi.mean[j] - exactMean[j]) / exactSd[j]),
      widthRatio: [0, 1].map((j) => bolfi.sd[j] / exactSd[j]),
      meetsAccuracy: meetsAccuracy(bolfi.mean, bolfi.sd, exactMean, exactSd),
      seconds: bolfiSeconds,
    },
    rejectionAbc: {
      accepted: 1000,
      simulationsToAccuracy: abc.simulations,
      trail: abc.trail.map((r) => ({ simulations: r.simulations, mu: [r.mean[0], r.sd[0]], sigma2: [r.mean[1], r.sd[1]] })),
      seconds: abcSeconds,
    },
  },
  cosmicShear: {
    acquisition: shearAcquisition,
    simulations: shearBudget,
    bhattacharyya: shear.comparison.bhattacharyya,
    bhattacharyyaHistogram: shear.comparison.bhattacharyyaHistogram,
    meanShiftSigma: shear.comparison.meanShiftSigma,
    widthRatio: shear.comparison.widthRatio,
    exactLikelihoodCalls: shear.exact.likelihoodCalls,
    seconds: { exact: shear.exact.seconds, bolfi: shear.bolfi.seconds, total: shearSeconds },
  },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
