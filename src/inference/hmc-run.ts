/**
 * Running an HMC chain over a field: warm-up (step-size adaptation), then `samples` trajectories whose
 * derived maps (e.g. the signal field from the whitened modes) are kept every `thin` steps, with running
 * means and variances over every post-warm-up sample, and the scalar traces (ln p, sampled scalars) at
 * every step. Effective sample sizes come from emcee's integrated autocorrelation time (autocorr.ts).
 */

import { CosmetaError, requireInteger } from '../errors.js';
import { Random } from '../math/random.js';
import { integratedTime } from './autocorr.js';
import { HmcSampler, type DifferentiableDensity, type HmcSettings, type HmcState } from './hmc.js';
import type { MassMatrix } from './mass.js';
import { runSampler } from './sampler.js';

export interface HmcRunOptions {
  seed: number;
  samples: number;
  /** Keep every thin-th derived map (means and variances use every sample). */
  thin: number;
  settings?: Partial<HmcSettings>;
  /** Indices of x recorded at every step as scalars (e.g. [size] for ln A). */
  scalars?: number[];
  /** Derived map of a position (default: the position itself). */
  derive?: (x: Float64Array) => Float64Array;
  /** A short vector recorded at every post-warm-up step (e.g. a few pixels, for autocorrelation times). */
  track?: (x: Float64Array, derived: Float64Array) => Float64Array;
  onProgress?: (done: number, total: number) => void;
  /** Save and resume the run (see HmcCheckpointer): a resumed run gives the same numbers as a whole one. */
  checkpoint?: HmcCheckpointer;
}

/** Everything a run needs to continue after `done` trajectories (warm-up included). */
export interface HmcSnapshot {
  done: number;
  state: HmcState;
  rng: ReturnType<Random['getState']>;
  /** Welford's running mean and sum of squared deviations of the derived map (null before sampling). */
  mean: Float64Array | null;
  m2: Float64Array | null;
  kept: Float64Array[];
  tracks: Float64Array[];
  logProb: Float64Array;
  scalars: Float64Array;
}

/**
 * Storage of a run's snapshots (src/io/checkpoint.ts keeps them in a file). `save` is offered after every
 * trajectory; it decides whether to call `snapshot()` (e.g. every few seconds) and must copy or write what
 * it returns at once, since the run keeps updating those arrays.
 */
export interface HmcCheckpointer {
  load(): HmcSnapshot | null;
  save(done: number, total: number, snapshot: () => HmcSnapshot): void;
}

export interface HmcRunResult {
  /** Mean and variance of the derived map over all post-warm-up samples. */
  mean: Float64Array;
  variance: Float64Array;
  /** Kept derived maps, one per thin steps. */
  kept: Float64Array[];
  /** The tracked vectors, one per post-warm-up step (empty without `track`). */
  tracks: Float64Array[];
  /** ln p at every post-warm-up step. */
  logProb: Float64Array;
  /** Scalar traces [samples x scalars.length]. */
  scalars: Float64Array;
  acceptance: number;
  meanAcceptProb: number;
  stepSize: number;
  divergences: number;
  /** Gradient evaluations, warm-up included. */
  gradients: number;
  warmupSeconds: number;
  samplingSeconds: number;
  finalPosition: Float64Array;
}

/** Run warm-up then sampling from x0. */
export async function runHmc(target: DifferentiableDensity, mass: MassMatrix, x0: ArrayLike<number>, o: HmcRunOptions): Promise<HmcRunResult> {
  requireInteger('samples', o.samples, 2);
  requireInteger('thin', o.thin, 1);
  const sampler = new HmcSampler(target, mass, o.settings);
  const derive = o.derive ?? ((x: Float64Array) => Float64Array.from(x));
  const warmup = sampler.settings.warmup;
  const total = warmup + o.samples;
  const scalars = o.scalars ?? [];
  const saved = o.checkpoint?.load() ?? null;
  if (saved && !(Number.isInteger(saved.done) && saved.done >= 0 && saved.done <= total && saved.logProb.length === o.samples && saved.scalars.length === o.samples * scalars.length)) {
    throw new CosmetaError(`the HMC checkpoint (${saved.done} trajectories, ${saved.logProb.length} samples) does not fit this run (${total} trajectories, ${o.samples} samples); delete it to start again`);
  }
  const rng = saved ? Random.fromState(saved.rng) : new Random(o.seed);
  const state = saved ? saved.state : sampler.initialState(x0);
  const logProb = saved ? saved.logProb : new Float64Array(o.samples);
  const trace = saved ? saved.scalars : new Float64Array(o.samples * scalars.length);
  const kept: Float64Array[] = saved ? saved.kept : [];
  const tracks: Float64Array[] = saved ? saved.tracks : [];
  let mean: Float64Array | null = saved?.mean ?? null;
  let m2: Float64Array | null = saved?.m2 ?? null;
  let done = saved?.done ?? 0;
  const offer = () => o.checkpoint?.save(done, total, () => ({ done, state, rng: rng.getState(), mean, m2, kept, tracks, logProb, scalars: trace }));
  const t0 = performance.now();
  const warmed = Math.min(done, warmup);
  await runSampler(sampler, state, rng, warmup - warmed, (_, k) => {
    done = warmed + k;
    o.onProgress?.(done, total);
    offer();
  });
  const t1 = performance.now();
  const sampled = done - warmup;
  await runSampler(sampler, state, rng, o.samples - sampled, (s, kk) => {
    const k = sampled + kk;
    const i = k - 1;
    logProb[i] = s.logProb;
    scalars.forEach((j, c) => {
      trace[i * scalars.length + c] = s.position[j];
    });
    const y = derive(s.position);
    if (!mean || !m2) {
      mean = new Float64Array(y.length);
      m2 = new Float64Array(y.length);
    }
    // Welford's running mean and sum of squared deviations.
    for (let p = 0; p < y.length; p++) {
      const d = y[p] - mean[p];
      mean[p] += d / k;
      m2[p] += d * (y[p] - mean[p]);
    }
    if (k % o.thin === 0) kept.push(y);
    if (o.track) tracks.push(o.track(s.position, y));
    done = warmup + k;
    o.onProgress?.(done, total);
    offer();
  });
  const t2 = performance.now();
  const n = o.samples;
  return {
    mean: mean!,
    variance: (m2 as unknown as Float64Array).map((v) => v / (n - 1)),
    kept,
    tracks,
    logProb,
    scalars: trace,
    acceptance: state.accepted / n,
    meanAcceptProb: state.acceptProbSum / n,
    stepSize: state.stepSize,
    divergences: state.divergences,
    gradients: state.gradients,
    warmupSeconds: (t1 - t0) / 1000,
    samplingSeconds: (t2 - t1) / 1000,
    finalPosition: Float64Array.from(state.position),
  };
}

/**
 * Integrated autocorrelation time of every column of a chain of maps [steps][dim] (one walker), by
 * emcee's estimator; NaN for a column that never moves.
 */
export function mapAutocorrelationTimes(maps: readonly Float64Array[]): Float64Array {
  const steps = maps.length;
  const dim = maps[0].length;
  const flat = new Float64Array(steps * dim);
  maps.forEach((m, t) => flat.set(m, t * dim));
  return integratedTime(flat, steps, 1, dim);
}

/** Median of finite values. */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/**
 * z-scores of Monte Carlo estimates against exact values, for series [steps][dim]: of each column's mean,
 * (mean - exact) / sqrt(var tau / n), and of its variance, (var - exact) / (var sqrt(2 tau2 / n)), with tau
 * (tau2) the integrated autocorrelation time of the column (of its squared deviations).
 */
export function monteCarloZ(series: readonly Float64Array[], exactMean: ArrayLike<number>, exactVariance?: ArrayLike<number>): { mean: Float64Array; variance: Float64Array | null; tau: Float64Array } {
  const n = series.length;
  const dim = series[0].length;
  const mu = new Float64Array(dim);
  for (const s of series) for (let i = 0; i < dim; i++) mu[i] += s[i] / n;
  const dev2 = series.map((s) => s.map((v, i) => (v - mu[i]) ** 2));
  const v = new Float64Array(dim);
  for (const d of dev2) for (let i = 0; i < dim; i++) v[i] += d[i] / (n - 1);
  const tau = mapAutocorrelationTimes(series);
  const mean = mu.map((m, i) => (m - exactMean[i]) / Math.sqrt((v[i] * tau[i]) / n));
  if (!exactVariance) return { mean, variance: null, tau };
  const tau2 = mapAutocorrelationTimes(dev2);
  return { mean, variance: v.map((vi, i) => (vi - exactVariance[i]) / (vi * Math.sqrt((2 * tau2[i]) / n))), tau };
}
