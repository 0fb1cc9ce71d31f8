/**
 * Bayesian optimisation for likelihood-free inference, BOLFI (Gutmann & Corander 2016, JMLR 17, 125;
 * Leclercq 2018, arXiv:1805.07152). The discrepancy d(theta) = ln ||s(x_sim(theta)) - s_obs||_W is a
 * noisy function of theta; a Gaussian process models it, f ~ GP, d = f + N(0, sigma_n^2). Simulations are
 * placed by an acquisition rule (acquisition.ts) after a Latin-hypercube design over the problem's box.
 * The approximate likelihood is the probability that the discrepancy falls below a threshold h
 * (Gutmann & Corander 2016, eq. 47; Jarvenpaa et al. 2019, eq. 6):
 *
 *   L(theta) ~ Phi((h - mu(theta)) / sqrt(v(theta) + sigma_n^2)),
 *
 * with mu, v the GP's predictive mean and latent variance and h the minimum of the GP mean over the
 * simulated points (default) or a chosen value. Its posterior, prior x L, is sampled with the ensemble
 * sampler (ensemble.ts). Hyperparameters are refitted every `refitEvery` simulations (warm-started) and
 * at the end (with restarts); in between the GP is only re-conditioned.
 *
 * With acquisition 'posterior', LCB places the first `locateFraction` of the acquisitions and the rest come in
 * rounds of `roundSize` drawn from the current approximate posterior (its GP or emulator refitted on the
 * simulations so far), so that the likelihood is learnt over the whole posterior rather than at the
 * discrepancy's minimum (the sequential design of sequential neural likelihood; README, "Posterior rounds").
 *
 * With likelihood 'synthetic' the acquisitions are the same (guided by the GP of d^2), and the likelihood
 * is the Gaussian density of the whitened summaries at the observed ones with their mean and variance
 * emulated by GPs over the same simulations (synthetic.ts): the zero-threshold ABC limit when the
 * summaries' covariance depends on theta, which the noncentral-chi link misses (synthetic.ts says by how
 * much).
 */

import { CosmetaError } from '../../errors.js';
import { GaussianProcess, type GpHyperparameters, type KernelName } from '../../math/gp.js';
import { deriveSeed, Random } from '../../math/random.js';
import { logNormalCdf } from '../../math/special.js';
import { latinHypercube } from '../../tasks/design.js';
import { EnsembleSampler } from '../ensemble.js';
import { acquireEiv, acquireLcb, type AcquisitionName } from './acquisition.js';
import { chiLinkLogLikelihood, type DiscrepancyTransform } from './chi-link.js';
import { insideBox, type LfiProblem } from './problem.js';
import { fitSummaryEmulator, type SummaryEmulator } from './synthetic.js';

export interface BolfiOptions {
  /** Total simulations, the initial design included. */
  budget: number;
  /** Simulations in the initial Latin hypercube (default 10 per dimension, at least 20). */
  initial?: number;
  acquisition?: AcquisitionName;
  seed: number;
  kernel?: KernelName;
  /**
   * Hyperparameters are refitted after this many new simulations (default 20) or a 20% growth of the
   * training set, whichever is later (each fit costs O(n^3) per marginal-likelihood evaluation).
   */
  refitEvery?: number;
  /**
   * 'noncentral-chi' (default): the zero-threshold ABC limit for Gaussian summaries with covariance W^-1
   * (chi-link.ts). 'threshold': Phi((h - mu) / sqrt(v + sigma_n^2)) (Gutmann & Corander 2016).
   * 'synthetic': the Gaussian likelihood of the whitened summaries with emulated mean and variance
   * (synthetic.ts; needs the problem's whiten; GAUSSIAN_SIGNAL_BOLFI makes it, with acquisition 'posterior',
   * the Gaussian signal's choice in the CLI and benches).
   */
  likelihood?: BolfiLikelihood;
  /**
   * What the GP models: 'square' = d^2 (default with noncentral-chi: its mean is k + lambda, quadratic near
   * the optimum) or 'log' = ln d (default with threshold, as Gutmann & Corander).
   */
  transform?: DiscrepancyTransform;
  /**
   * Squared distance cap (default 50). The GP that guides acquisitions sees every simulation with d^2
   * censored at the cap; the GP that defines the likelihood is refitted at the end on the simulations
   * below it only (at least the lowest max(20, 10 d)): the posterior lives where d^2 ~ k + lambda is a
   * few tens at most, and far simulations, with Var d^2 = 2k + 4 lambda, would otherwise set the noise
   * level and bend the polynomial mean away from the valley it has to resolve.
   */
  cap?: number;
  /** Degree of the GP's marginalised polynomial mean (default 2 for d^2, 0 for ln d). */
  meanDegree?: 0 | 1 | 2;
  /** Threshold h in ln-distance units; default the minimum GP mean over the simulated points. */
  threshold?: number;
  walkers?: number;
  /** Ensemble steps after burn-in (default 2000) and burn-in steps (default 500). */
  steps?: number;
  burnIn?: number;
  /** With acquisition 'posterior': simulations per round drawn from the current posterior (default 50). */
  roundSize?: number;
  /** With acquisition 'posterior': the share of the acquisitions placed by LCB first (default 0.5). */
  locateFraction?: number;
  onSimulation?: (done: number, budget: number) => void;
}

export type BolfiLikelihood = 'threshold' | 'noncentral-chi' | 'synthetic';
export const BOLFI_LIKELIHOODS: readonly BolfiLikelihood[] = ['threshold', 'noncentral-chi', 'synthetic'];

export interface BolfiResult {
  names: string[];
  /** Simulated parameters [simulations x d] and their ln distances. */
  X: Float64Array;
  logDistance: Float64Array;
  simulations: number;
  gp: GaussianProcess;
  /** With 'synthetic': the whitened summaries [simulations x k] and the emulator that defines the likelihood. */
  summaries?: Float64Array;
  emulator?: SummaryEmulator;
  threshold: number;
  /** Posterior samples [rows x d] (walkers x steps after burn-in). */
  samples: Float64Array;
  rows: number;
  mean: Float64Array;
  sd: Float64Array;
  /** Evaluations of the approximate posterior during sampling (no simulations). */
  posteriorEvaluations: number;
  acceptance: number;
}

/** The modelled discrepancy of one simulation; its whitened summaries are written to z when given. */
function discrepancy(p: LfiProblem, theta: Float64Array, rng: Random, transform: DiscrepancyTransform, z?: Float64Array): number {
  const s = p.simulate(theta, rng);
  if (z) z.set((p.whiten as (s: Float64Array) => Float64Array)(s));
  const dist = p.distance(s);
  if (transform === 'square') return dist * dist;
  // a zero distance (a discrete simulator hitting the data exactly) is floored at 1e-12 to keep ln finite
  return Math.log(Math.max(dist, 1e-12));
}

/**
 * ln of the approximate posterior at m points: prior(theta) x Phi((h - mu) / sqrt(v + sigma_n^2)), or
 * prior(theta) x exp(-lambda(mu(theta)) / 2) for the noncentral-chi link (the plug-in GP mean: O(n d) per
 * point instead of O(n^2), and after the acquisitions v is small where the posterior has its mass).
 */
export function bolfiLogPosterior(
  p: LfiProblem,
  gp: GaussianProcess,
  threshold: number,
  points: Float64Array,
  m: number,
  likelihood: BolfiLikelihood = 'threshold',
  transform: DiscrepancyTransform = 'log',
): Float64Array {
  const d = p.names.length;
  const out = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  const sn2 = gp.noiseVariance;
  for (let i = 0; i < m; i++) {
    if (!insideBox(p, points, i * d)) continue;
    const x = points.subarray(i * d, (i + 1) * d);
    const lp = p.logPrior(x);
    if (!Number.isFinite(lp)) continue;
    if (likelihood === 'threshold') {
      const { mean, variance } = gp.predict(x);
      out[i] = lp + logNormalCdf((threshold - mean) / Math.sqrt(variance + sn2));
    } else {
      out[i] = lp + chiLinkLogLikelihood(p.observed.length, gp.predictMean(x, 1)[0], 0, transform);
    }
  }
  return out;
}

/** ln prior + the emulated synthetic log likelihood (synthetic.ts) at m points. */
export function emulatorLogPosterior(p: LfiProblem, emulator: SummaryEmulator, points: Float64Array, m: number): Float64Array {
  const d = p.names.length;
  const ll = emulator.logLikelihood(points, m);
  const out = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < m; i++) {
    if (!insideBox(p, points, i * d)) continue;
    const lp = p.logPrior(points.subarray(i * d, (i + 1) * d));
    if (Number.isFinite(lp)) out[i] = lp + ll[i];
  }
  return out;
}

function fitGp(X: Float64Array, y: Float64Array, d: number, kernel: KernelName, meanDegree: 0 | 1 | 2, seed: number, noiseFloor: number, initial?: GpHyperparameters, restarts = 3): GaussianProcess {
  const noiseBounds: [number, number] | undefined = noiseFloor > 0 ? [noiseFloor, 1e12] : undefined;
  const init = initial ?? (noiseFloor > 0 ? { noise: 2 * noiseFloor } : undefined);
  // with the noise floor (d^2) the length scales are kept above 10% of the box: the polynomial mean then
  // carries the valley and the kernel only smooth departures from it, instead of chasing noise
  const lengthScaleBounds: [number, number] | undefined = noiseFloor > 0 ? [Math.log(0.1), Math.log(100)] : undefined;
  return GaussianProcess.fit(X, y, y.length, d, { kernel, meanDegree, noise: 'fit', restarts, seed, initial: init, maxIter: initial ? 15 : 100, noiseBounds, lengthScaleBounds });
}

/**
 * Sample prior x L with the ensemble sampler, started in a small ball (1% of the box) around the simulated
 * point of lowest GP mean: `steps` recorded steps after `burnIn`.
 */
async function samplePosterior(
  p: LfiProblem,
  logPost: (pts: Float64Array, m: number) => Float64Array,
  gp: GaussianProcess,
  walkers: number,
  steps: number,
  burnIn: number,
  rng: Random,
): Promise<{ samples: Float64Array; rows: number; evaluations: number; acceptance: number }> {
  const d = p.names.length;
  let evaluations = 0;
  const sampler = new EnsembleSampler(
    async (pts, m) => {
      evaluations += m;
      return logPost(pts, m);
    },
    walkers,
    d,
  );
  const mu = gp.predictMean(gp.X, gp.n);
  let ibest = 0;
  for (let i = 1; i < gp.n; i++) if (mu[i] < mu[ibest]) ibest = i;
  const specs = p.names.map((name, j) => ({
    name,
    prior: { kind: 'flat' as const, min: p.lower[j], max: p.upper[j] },
    fiducial: gp.X[ibest * d + j],
    startSpread: 0.01 * (p.upper[j] - p.lower[j]),
  }));
  const state = await sampler.initialState(specs, rng);
  for (let s = 0; s < burnIn; s++) await sampler.step(state, rng);
  state.accepted.fill(0);
  const rows = walkers * steps;
  const samples = new Float64Array(rows * d);
  for (let s = 0; s < steps; s++) {
    await sampler.step(state, rng);
    samples.set(state.positions, s * walkers * d);
  }
  return { samples, rows, evaluations, acceptance: state.accepted.reduce((a, b) => a + b, 0) / (walkers * steps) };
}

export async function runBolfi(p: LfiProblem, o: BolfiOptions): Promise<BolfiResult> {
  const d = p.names.length;
  const budget = o.budget;
  const initial = o.initial ?? Math.max(20, 10 * d);
  if (!Number.isInteger(budget) || budget < initial + 1) throw new CosmetaError(`BOLFI budget must be an integer > the ${initial} initial simulations, got ${budget}`);
  const kernel = o.kernel ?? 'matern52';
  const refitEvery = o.refitEvery ?? 20;
  const acquisition = o.acquisition ?? 'lcb';
  const posteriorRounds = acquisition === 'posterior';
  const roundSize = o.roundSize ?? 50;
  const locateFraction = o.locateFraction ?? 0.5;
  if (posteriorRounds && !(Number.isInteger(roundSize) && roundSize >= 1)) throw new CosmetaError(`BOLFI roundSize must be a positive integer, got ${roundSize}`);
  if (posteriorRounds && !(locateFraction >= 0 && locateFraction <= 1)) throw new CosmetaError(`BOLFI locateFraction must be in [0, 1], got ${locateFraction}`);
  const likelihood = o.likelihood ?? 'noncentral-chi';
  const synthetic = likelihood === 'synthetic';
  if (synthetic && !p.whiten) throw new CosmetaError('BOLFI likelihood synthetic needs a problem with whitened summaries (whiten)');
  const k = p.observed.length;
  const transform = o.transform ?? (likelihood === 'threshold' ? 'log' : 'square');
  const meanDegree = o.meanDegree ?? (transform === 'square' ? 2 : 0);
  const cap = o.cap ?? 50;
  const capY = transform === 'square' ? cap : 0.5 * Math.log(cap);
  const minTrain = Math.max(20, 10 * d);
  // for d^2 the noise variance is at least Var chi^2_k = 2k (its value at lambda = 0); without the floor a
  // maximum-likelihood fit can interpolate the noise of clustered acquisitions
  const noiseFloor = transform === 'square' ? 2 * p.observed.length : 0;
  /** Acquisition GP's training set: every simulation, with the discrepancy censored at the cap. */
  const trainingSet = (count: number): { Xt: Float64Array; yt: Float64Array } => ({
    Xt: X.slice(0, count * d),
    yt: Float64Array.from(y.subarray(0, count), (v) => Math.min(v, capY)),
  });
  /** Likelihood GP's training set: the simulations below the cap (at least the lowest minTrain). */
  const valleySet = (count: number): { Xt: Float64Array; yt: Float64Array; Zt: Float64Array } => {
    let idx = Array.from({ length: count }, (_, i) => i).filter((i) => y[i] <= capY);
    if (idx.length < Math.min(minTrain, count)) idx = Array.from({ length: count }, (_, i) => i).sort((a, b) => y[a] - y[b]).slice(0, Math.min(minTrain, count));
    const Xt = new Float64Array(idx.length * d);
    const Zt = new Float64Array(synthetic ? idx.length * k : 0);
    idx.forEach((i, r) => {
      Xt.set(X.subarray(i * d, (i + 1) * d), r * d);
      if (synthetic) Zt.set(Z.subarray(i * k, (i + 1) * k), r * k);
    });
    return { Xt, yt: Float64Array.from(idx, (i) => y[i]), Zt };
  };
  const simRng = new Random(deriveSeed(o.seed, 1));
  const acqRng = new Random(deriveSeed(o.seed, 2));
  const ranges = Object.fromEntries(p.names.map((n, j) => [n, [p.lower[j], p.upper[j]] as [number, number]]));
  const design = latinHypercube(p.names, ranges, initial, new Random(deriveSeed(o.seed, 3)));
  const X = new Float64Array(budget * d);
  const y = new Float64Array(budget);
  const Z = new Float64Array(synthetic ? budget * k : 0);
  const zOf = (i: number) => (synthetic ? Z.subarray(i * k, (i + 1) * k) : undefined);
  X.set(design);
  for (let i = 0; i < initial; i++) {
    y[i] = discrepancy(p, X.subarray(i * d, (i + 1) * d), simRng, transform, zOf(i));
    o.onSimulation?.(i + 1, budget);
  }
  const first = trainingSet(initial);
  let gp = fitGp(first.Xt, first.yt, d, kernel, meanDegree, deriveSeed(o.seed, 4, 0), noiseFloor);
  const thresholdOf = (g: GaussianProcess) => {
    if (o.threshold !== undefined) return o.threshold;
    const mu = g.predictMean(g.X, g.n);
    return mu.reduce((a, b) => Math.min(a, b), Infinity);
  };
  /**
   * The approximate likelihood from the first `count` simulations: the GP of d^2 (or ln d) refitted with
   * restarts on the simulations inside the cap, and with 'synthetic' the summary emulator on the same set.
   */
  const approximateLikelihood = (count: number, seed: number, emulatorSeed: number, warm: SummaryEmulator | undefined) => {
    const valley = valleySet(count);
    const g = fitGp(valley.Xt, valley.yt, d, kernel, meanDegree, seed, noiseFloor, undefined, 4);
    const h = thresholdOf(g);
    const em = synthetic ? fitSummaryEmulator(valley.Xt, valley.Zt, valley.yt.length, d, k, { kernel, seed: emulatorSeed, warm }) : undefined;
    const logPost = (pts: Float64Array, m: number): Float64Array => (em ? emulatorLogPosterior(p, em, pts, m) : bolfiLogPosterior(p, g, h, pts, m, likelihood, transform));
    return { gp: g, threshold: h, emulator: em, logPost };
  };
  let nextRefit = initial + refitEvery;
  // 'posterior': LCB locates the posterior over the first locateFraction of the acquisitions, then rounds of
  // roundSize simulations are drawn from the current approximate posterior
  const tRounds = posteriorRounds ? initial + Math.round(locateFraction * (budget - initial)) : budget;
  let round: Float64Array | undefined;
  let roundWarm: SummaryEmulator | undefined;
  for (let t = initial; t < budget; t++) {
    let next: Float64Array;
    if (t >= tRounds) {
      const r = (t - tRounds) % roundSize;
      if (r === 0) {
        const now = approximateLikelihood(t, deriveSeed(o.seed, 9, t), deriveSeed(o.seed, 11, t), roundWarm);
        roundWarm = now.emulator;
        const c = await samplePosterior(p, now.logPost, now.gp, 32, 100, 300, new Random(deriveSeed(o.seed, 10, t)));
        // roundSize rows spread evenly over the 100 recorded steps x 32 walkers (after 300 burn-in steps)
        round = new Float64Array(roundSize * d);
        for (let i = 0; i < roundSize; i++) {
          const row = Math.floor(((i + 0.5) / roundSize) * c.rows);
          round.set(c.samples.subarray(row * d, (row + 1) * d), i * d);
        }
      }
      next = (round as Float64Array).slice(r * d, (r + 1) * d);
    } else next = acquisition === 'eiv' ? acquireEiv(gp, p, thresholdOf(gp), acqRng) : acquireLcb(gp, p, acqRng);
    X.set(next, t * d);
    y[t] = discrepancy(p, next, simRng, transform, zOf(t));
    o.onSimulation?.(t + 1, budget);
    // the acquisition GP is needed only for a next LCB/EIV acquisition: not after the last one (the likelihood's
    // GP is fitted afresh below) nor during the posterior rounds
    if (t + 1 >= tRounds) continue;
    const { Xt, yt } = trainingSet(t + 1);
    if (t + 1 >= nextRefit) {
      gp = fitGp(Xt, yt, d, kernel, meanDegree, deriveSeed(o.seed, 4, t), noiseFloor, gp.hyper, 0);
      nextRefit = Math.max(t + 1 + refitEvery, Math.ceil(1.2 * (t + 1)));
    } else {
      gp = GaussianProcess.withHyperparameters(Xt, yt, yt.length, d, gp.hyper, { kernel, meanDegree, noise: 'fit' });
    }
  }
  const fin = approximateLikelihood(budget, deriveSeed(o.seed, 6), deriveSeed(o.seed, 8), undefined);
  gp = fin.gp;
  const { threshold, emulator } = fin;
  const walkers = o.walkers ?? 32;
  const chain = await samplePosterior(p, fin.logPost, gp, walkers, o.steps ?? 2000, o.burnIn ?? 500, new Random(deriveSeed(o.seed, 5)));
  const { samples, rows } = chain;
  const evals = chain.evaluations;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let r = 0; r < rows; r++) m += samples[r * d + j];
    m /= rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (samples[r * d + j] - m) ** 2;
    mean[j] = m;
    sd[j] = Math.sqrt(v / (rows - 1));
  }
  const acceptance = chain.acceptance;
  return { names: p.names, X, logDistance: y, simulations: budget, gp, summaries: synthetic ? Z : undefined, emulator, threshold, samples, rows, mean, sd, posteriorEvaluations: evals, acceptance };
}
