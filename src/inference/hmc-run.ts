/**
 * Running an HMC chain over a field: warm-up (step-size adaptation), then `samples` trajectories whose
 * derived maps (e.g. the signal field from the whitened modes) are kept every `thin` steps, with running
 * means and variances over every post-warm-up sample, and the scalar traces (ln p, sampled scalars) at
 * every step. Effective sample sizes come from emcee's integrated autocorrelation time (autocorr.ts).
 */

import { requireInteger } from '../errors.js';
import { Random } from '../math/random.js';
import { integratedTime } from './autocorr.js';
import { HmcSampler, type DifferentiableDensity, type HmcSettings } from './hmc.js';
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
  onProgress?: (done: number, total: number) => void;
}

export interface HmcRunResult {
  /** Mean and variance of the derived map over all post-warm-up samples. */
  mean: Float64Array;
  variance: Float64Array;
  /** Kept derived maps, one per thin steps. */
  kept: Float64Array[];
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
  const rng = new Random(o.seed);
  const state = sampler.initialState(x0);
  const derive = o.derive ?? ((x: Float64Array) => Float64Array.from(x));
  const warmup = sampler.settings.warmup;
  const total = warmup + o.samples;
  const t0 = performance.now();
  await runSampler(sampler, state, rng, warmup, (_, k) => o.onProgress?.(k, total));
  const t1 = performance.now();
  const scalars = o.scalars ?? [];
  const logProb = new Float64Array(o.samples);
  const trace = new Float64Array(o.samples * scalars.length);
  const kept: Float64Array[] = [];
  let mean: Float64Array | null = null;
  let m2: Float64Array | null = null;
  await runSampler(sampler, state, rng, o.samples, (s, k) => {
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
    o.onProgress?.(warmup + k, total);
  });
  const t2 = performance.now();
  const n = o.samples;
  return {
    mean: mean!,
    variance: (m2 as unknown as Float64Array).map((v) => v / (n - 1)),
    kept,
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
