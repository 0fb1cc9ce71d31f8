/** `cosmeta lfi`: likelihood-free inference (BOLFI and rejection ABC) on problems with known answers. */

import { Command, Option } from 'commander';
import { CosmetaError } from '../errors.js';
import { abcSimulationsToAccuracy, meetsAccuracy, rejectionAbc } from '../inference/lfi/abc.js';
import { ACQUISITIONS, type AcquisitionName } from '../inference/lfi/acquisition.js';
import { BOLFI_LIKELIHOODS, runBolfi, type BolfiLikelihood } from '../inference/lfi/bolfi.js';
import { gaussianSignalProblem, nigMarginals, nigPosterior, observeGaussianSignal, type NigPrior } from '../inference/lfi/gaussian-signal.js';
import { deriveSeed } from '../math/random.js';
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
  budget: string;
  acquisition: AcquisitionName;
  likelihood: BolfiLikelihood;
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

function gaussianSignal(o: GaussianSignalFlags) {
  if (o.problem !== 'gaussian-signal') throw new CosmetaError(`--problem ${o.problem}: valid problems are gaussian-signal`);
  const seed = integer('--seed', o.seed, 0);
  const n = integer('--n', o.n, 2);
  const prior = parsePrior(o.prior);
  const obs = observeGaussianSignal(n, finite('--mu', o.mu), finite('--sigma2', o.sigma2), deriveSeed(seed, 0));
  const problem = gaussianSignalProblem(prior, obs);
  const exact = nigMarginals(nigPosterior(prior, obs));
  return { seed, prior, obs, problem, exact };
}

const pair = (m: ArrayLike<number>, s: ArrayLike<number>, j: number): [number, number] => [m[j], s[j]];

export async function runLfiBolfi(o: BolfiFlags): Promise<void> {
  const { seed, prior, obs, problem, exact } = gaussianSignal(o);
  const budget = integer('--budget', o.budget, 22);
  const t0 = performance.now();
  const r = await runBolfi(problem, { budget, seed, acquisition: o.acquisition, likelihood: o.likelihood, transform: 'square', meanDegree: 2 });
  const seconds = (performance.now() - t0) / 1000;
  const exactMean = [exact.mu[0], exact.sigma2[0]];
  const exactSd = [exact.mu[1], exact.sigma2[1]];
  const out = {
    observed: obs,
    posterior: { mu: pair(r.mean, r.sd, 0), sigma2: pair(r.mean, r.sd, 1) },
    exact,
    simulations: r.simulations,
    meanShiftSigma: { mu: (r.mean[0] - exactMean[0]) / exactSd[0], sigma2: (r.mean[1] - exactMean[1]) / exactSd[1] },
    widthRatio: { mu: r.sd[0] / exactSd[0], sigma2: r.sd[1] / exactSd[1] },
    meetsAccuracy: meetsAccuracy(r.mean, r.sd, exactMean, exactSd),
    settings: { seed, prior, acquisition: o.acquisition, likelihood: o.likelihood, budget },
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
    `BOLFI (${o.acquisition}, ${o.likelihood}) with ${r.simulations} simulations in ${seconds.toFixed(1)} s\n` +
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
    .option('--problem <name>', 'gaussian-signal', 'gaussian-signal')
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
    .option('--budget <n>', 'simulations (initial design included)', '500')
    .addOption(new Option('--acquisition <rule>', 'acquisition rule').default('lcb').choices(ACQUISITIONS))
    .addOption(new Option('--likelihood <model>', 'approximate likelihood from the GP').default('noncentral-chi').choices(BOLFI_LIKELIHOODS))
    .action((o) => runLfiBolfi(o));
  problemOptions(lfi.command('abc').description('rejection ABC baseline'))
    .option('--simulations <n>', 'prior simulations', '100000')
    .option('--accept <n>', 'nearest draws kept', '1000')
    .option('--to-accuracy', 'double the simulations until means are within 0.1 sd and sds within 10% of the exact ones')
    .option('--max <n>', 'largest simulation count tried with --to-accuracy', '16384000')
    .action((o) => runLfiAbc(o));
}
