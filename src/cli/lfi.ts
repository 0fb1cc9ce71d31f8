/** `cosmeta lfi`: likelihood-free inference (BOLFI and rejection ABC) on problems with known answers. */

import { Command, Option } from 'commander';
import { CosmetaError } from '../errors.js';
import { abcSimulationsToAccuracy, meetsAccuracy, rejectionAbc } from '../inference/lfi/abc.js';
import { ACQUISITIONS, type AcquisitionName } from '../inference/lfi/acquisition.js';
import { BOLFI_LIKELIHOODS, runBolfi, type BolfiLikelihood } from '../inference/lfi/bolfi.js';
import { GAUSSIAN_SIGNAL_BOLFI, gaussianSignalProblem, nigMarginals, nigPosterior, observeGaussianSignal, type NigPrior } from '../inference/lfi/gaussian-signal.js';
import { runShearComparison } from '../inference/lfi/shear-comparison.js';
import type { Samples } from '../inference/compare.js';
import { inverseGammaDraw } from '../math/distributions.js';
import { deriveSeed, Random } from '../math/random.js';
import { cornerSpec, writeFigure } from '../report/figures.js';
import { integer } from './args.js';

interface GaussianSignalFlags {
  problem: string;
  seed: string;
  n: string;
  mu: string;
  sigma2: string;
  prior: string;
  json?: boolean;
}

interface BolfiFlags extends GaussianSignalFlags {
  budget?: string;
  plot?: string;
  acquisition?: AcquisitionName;
  likelihood?: BolfiLikelihood;
}

interface AbcFlags extends GaussianSignalFlags {
  simulations: string;
  accept: string;
  toAccuracy?: boolean;
  max: string;
}

function finite(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new CosmetaError(`${flag} ${text} is not a number`);
  return v;
}

function parsePrior(text: string): NigPrior {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4) throw new CosmetaError(`--prior ${text}: give eta,lambda,alpha,beta (four numbers)`);
  const [eta, lambda, alpha, beta] = parts.map((s) => finite('--prior', s));
  return { eta, lambda, alpha, beta };
}

const PROBLEMS = ['gaussian-signal', 'cosmic-shear'];

function gaussianSignal(o: GaussianSignalFlags) {
  if (o.problem !== 'gaussian-signal') throw new CosmetaError(`--problem ${o.problem}: valid problems are ${o.problem === 'cosmic-shear' ? 'gaussian-signal (rejection ABC)' : PROBLEMS.join(', ')}`);
  const seed = integer('--seed', o.seed, 0);
  const n = integer('--n', o.n, 2);
  const prior = parsePrior(o.prior);
  const obs = observeGaussianSignal(n, finite('--mu', o.mu), finite('--sigma2', o.sigma2), deriveSeed(seed, 0));
  const problem = gaussianSignalProblem(prior, obs);
  const exact = nigMarginals(nigPosterior(prior, obs));
  return { seed, prior, obs, problem, exact };
}

const pair = (m: ArrayLike<number>, s: ArrayLike<number>, j: number): [number, number] => [m[j], s[j]];

/** Exact draws from the normal-inverse-gamma posterior (for figures). */
function nigSamples(post: NigPrior, count: number, seed: number): Samples {
  const rng = new Random(seed);
  const mu = new Float64Array(count);
  const s2 = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s2[i] = inverseGammaDraw(rng, post.alpha, post.beta);
    mu[i] = post.eta + Math.sqrt(s2[i] / post.lambda) * rng.normal();
  }
  return { names: ['mu', 'sigma2'], columns: [mu, s2] };
}

function flatSamples(names: string[], flat: Float64Array, rows: number): Samples {
  const d = names.length;
  return { names, columns: names.map((_, j) => Float64Array.from({ length: rows }, (_, r) => flat[r * d + j])) };
}

async function runShearBolfi(o: BolfiFlags): Promise<void> {
  const seed = integer('--seed', o.seed, 0);
  const budget = integer('--budget', o.budget ?? '600', 22);
  const likelihood = o.likelihood ?? 'noncentral-chi';
  if (likelihood !== 'noncentral-chi') throw new CosmetaError(`--likelihood ${likelihood}: the cosmic-shear problem runs with noncentral-chi`);
  const t0 = performance.now();
  const acquisition = o.acquisition ?? 'lcb';
  const r = await runShearComparison({ seed, budget, acquisition });
  const seconds = (performance.now() - t0) / 1000;
  const res = r.bolfi.result;
  const stats = (s: Samples) => Object.fromEntries(s.names.map((n, j) => {
    const c = s.columns[j];
    const m = c.reduce((a, b) => a + b, 0) / c.length;
    return [n, [m, Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / (c.length - 1))]];
  }));
  const out = {
    problem: 'cosmic-shear',
    posterior: Object.fromEntries(res.names.map((n, j) => [n, [res.mean[j], res.sd[j]]])),
    exact: { ...stats(r.exact.samples), likelihoodCalls: r.exact.likelihoodCalls },
    simulations: res.simulations,
    bhattacharyya: r.comparison.bhattacharyya,
    bhattacharyyaHistogram: r.comparison.bhattacharyyaHistogram,
    meanShiftSigma: r.comparison.meanShiftSigma,
    widthRatio: r.comparison.widthRatio,
    settings: { seed, budget, acquisition, likelihood },
    seconds: { exact: r.exact.seconds, bolfi: r.bolfi.seconds, total: seconds },
  };
  if (o.plot) {
    await writeFigure(cornerSpec([{ label: `exact likelihood (${r.exact.likelihoodCalls} calls)`, samples: r.exact.samples }, { label: `BOLFI (${res.simulations} simulations)`, samples: r.bolfi.samples }], res.names), o.plot);
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `BOLFI on the Wishart cosmic-shear simulator: ${res.simulations} simulations, D_B = ${r.comparison.bhattacharyya.toFixed(4)} (Gaussian)` +
      (r.comparison.bhattacharyyaHistogram === null ? '' : `, ${r.comparison.bhattacharyyaHistogram.toFixed(4)} (histogram)`) +
      ` to the exact posterior (${r.exact.likelihoodCalls} likelihood calls); ${seconds.toFixed(1)} s\n`,
  );
}

export async function runLfiBolfi(o: BolfiFlags): Promise<void> {
  if (o.problem === 'cosmic-shear') return runShearBolfi(o);
  const { seed, prior, obs, problem, exact } = gaussianSignal(o);
  const budget = integer('--budget', o.budget ?? '500', 22);
  const t0 = performance.now();
  const likelihood = o.likelihood ?? GAUSSIAN_SIGNAL_BOLFI.likelihood;
  const acquisition = o.acquisition ?? GAUSSIAN_SIGNAL_BOLFI.acquisition;
  const r = await runBolfi(problem, { budget, seed, acquisition, likelihood });
  const seconds = (performance.now() - t0) / 1000;
  const exactMean = [exact.mu[0], exact.sigma2[0]];
  const exactSd = [exact.mu[1], exact.sigma2[1]];
  if (o.plot) {
    const sets = [
      { label: 'exact (normal-inverse-gamma)', samples: nigSamples(nigPosterior(prior, obs), 40000, deriveSeed(seed, 9)) },
      { label: `BOLFI (${r.simulations} simulations)`, samples: flatSamples(['mu', 'sigma2'], r.samples, r.rows) },
    ];
    await writeFigure(cornerSpec(sets, ['mu', 'sigma2']), o.plot);
  }
  const out = {
    observed: obs,
    posterior: { mu: pair(r.mean, r.sd, 0), sigma2: pair(r.mean, r.sd, 1) },
    exact,
    simulations: r.simulations,
    meanShiftSigma: { mu: (r.mean[0] - exactMean[0]) / exactSd[0], sigma2: (r.mean[1] - exactMean[1]) / exactSd[1] },
    widthRatio: { mu: r.sd[0] / exactSd[0], sigma2: r.sd[1] / exactSd[1] },
    meetsAccuracy: meetsAccuracy(r.mean, r.sd, exactMean, exactSd),
    settings: { seed, prior, acquisition, likelihood, budget },
    gp: { ...r.gp.hyper, threshold: r.threshold },
    posteriorEvaluations: r.posteriorEvaluations,
    seconds,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const f = (x: number) => x.toPrecision(4);
  process.stdout.write(
    `BOLFI (${acquisition}, ${likelihood}) with ${r.simulations} simulations in ${seconds.toFixed(1)} s\n` +
      `  mu     ${f(r.mean[0])} +- ${f(r.sd[0])}   exact ${f(exact.mu[0])} +- ${f(exact.mu[1])}\n` +
      `  sigma2 ${f(r.mean[1])} +- ${f(r.sd[1])}   exact ${f(exact.sigma2[0])} +- ${f(exact.sigma2[1])}\n`,
  );
}

export async function runLfiAbc(o: AbcFlags): Promise<void> {
  const { seed, prior, obs, problem, exact } = gaussianSignal(o);
  const accept = integer('--accept', o.accept, 2);
  const exactMean = [exact.mu[0], exact.sigma2[0]];
  const exactSd = [exact.mu[1], exact.sigma2[1]];
  const t0 = performance.now();
  let r;
  let toAccuracy: number | null | undefined;
  if (o.toAccuracy) {
    const s = abcSimulationsToAccuracy(problem, exactMean, exactSd, { accept, maxSimulations: integer('--max', o.max, accept), seed });
    toAccuracy = s.simulations;
    r = s.trail[s.trail.length - 1];
  } else {
    r = rejectionAbc(problem, integer('--simulations', o.simulations, accept), accept, seed);
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = {
    observed: obs,
    posterior: { mu: pair(r.mean, r.sd, 0), sigma2: pair(r.mean, r.sd, 1) },
    exact,
    simulations: r.simulations,
    accepted: r.accepted,
    threshold: r.threshold,
    meetsAccuracy: meetsAccuracy(r.mean, r.sd, exactMean, exactSd),
    ...(toAccuracy === undefined ? {} : { simulationsToAccuracy: toAccuracy }),
    settings: { seed, prior },
    seconds,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const f = (x: number) => x.toPrecision(4);
  process.stdout.write(
    `rejection ABC: ${r.accepted} of ${r.simulations} simulations (threshold ${f(r.threshold)})` +
      (toAccuracy === undefined ? '' : `; accuracy reached at ${toAccuracy ?? 'none up to --max'}`) +
      `\n  mu     ${f(r.mean[0])} +- ${f(r.sd[0])}   exact ${f(exact.mu[0])} +- ${f(exact.mu[1])}\n` +
      `  sigma2 ${f(r.mean[1])} +- ${f(r.sd[1])}   exact ${f(exact.sigma2[0])} +- ${f(exact.sigma2[1])}\n`,
  );
}

function problemOptions(c: Command): Command {
  return c
    .option('--problem <name>', 'gaussian-signal or (bolfi only) cosmic-shear', 'gaussian-signal')
    .requiredOption('--seed <n>', 'root seed (observed data and every draw)')
    .option('--n <n>', 'draws in the observed data set', '50')
    .option('--mu <x>', 'true mean of the observed draws', '0.8')
    .option('--sigma2 <x>', 'true variance of the observed draws', '2.9')
    .option('--prior <list>', 'normal-inverse-gamma prior eta,lambda,alpha,beta', '0,6,22,54')
    .option('--json', 'print JSON');
}

export function registerLfi(cli: Command): void {
  const lfi = cli.command('lfi').description('likelihood-free inference: BOLFI and rejection ABC against exact posteriors');
  problemOptions(lfi.command('bolfi').description('BOLFI posterior with a simulation budget, beside the exact posterior'))
    .option('--budget <n>', 'simulations, initial design included (default 500; cosmic-shear 600)')
    .option('--plot <file>', 'BOLFI and exact posteriors as a corner plot (.png or .svg)')
    .addOption(new Option('--acquisition <rule>', 'acquisition rule (default posterior for gaussian-signal, lcb for cosmic-shear)').choices(ACQUISITIONS))
    .addOption(new Option('--likelihood <model>', 'approximate likelihood from the GPs (default synthetic for gaussian-signal, noncentral-chi for cosmic-shear, which has no other)').choices(BOLFI_LIKELIHOODS))
    .action((o) => runLfiBolfi(o));
  problemOptions(lfi.command('abc').description('rejection ABC baseline'))
    .option('--simulations <n>', 'prior simulations', '100000')
    .option('--accept <n>', 'nearest draws kept', '1000')
    .option('--to-accuracy', 'double the simulations until means are within 0.1 sd and sds within 10% of the exact ones')
    .option('--max <n>', 'largest simulation count tried with --to-accuracy', '16384000')
    .action((o) => runLfiAbc(o));
}
