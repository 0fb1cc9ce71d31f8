/**
 * Rejection ABC (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002 for the quantile threshold): draw
 * theta from the prior, simulate, and keep the `accept` draws whose summaries lie nearest the observed
 * ones; the threshold is the accept-th smallest distance. The baseline BOLFI's simulation count is
 * compared with.
 */

import { CosmetaError } from '../../errors.js';
import { deriveSeed, Random } from '../../math/random.js';
import type { LfiProblem } from './problem.js';

export interface AbcResult {
  simulations: number;
  accepted: number;
  /** The accepted parameters [accepted x d]. */
  samples: Float64Array;
  threshold: number;
  mean: Float64Array;
  sd: Float64Array;
}

/** Prior draws, their simulations and distances, from one seed (the same seed gives the same stream). */
export class AbcStream {
  private readonly rng: Random;
  thetas: Float64Array = new Float64Array(0);
  distances: Float64Array = new Float64Array(0);
  count = 0;

  constructor(
    readonly problem: LfiProblem,
    seed: number,
  ) {
    this.rng = new Random(deriveSeed(seed, 7));
  }

  /** Extend the stream to n simulations. */
  extend(n: number): void {
    const d = this.problem.names.length;
    if (n <= this.count) return;
    const t = new Float64Array(n * d);
    t.set(this.thetas.subarray(0, this.count * d));
    const ds = new Float64Array(n);
    ds.set(this.distances.subarray(0, this.count));
    for (let i = this.count; i < n; i++) {
      const theta = this.problem.samplePrior(this.rng);
      t.set(theta, i * d);
      ds[i] = this.problem.distance(this.problem.simulate(theta, this.rng));
    }
    this.thetas = t;
    this.distances = ds;
    this.count = n;
  }

  /** Rejection ABC on the first n simulations of the stream, keeping the nearest `accept`. */
  result(n: number, accept: number): AbcResult {
    if (!Number.isInteger(accept) || accept < 2 || accept > n) throw new CosmetaError(`ABC: accept must be an integer in [2, ${n}], got ${accept}`);
    this.extend(n);
    const d = this.problem.names.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.distances[a] - this.distances[b]);
    const samples = new Float64Array(accept * d);
    for (let r = 0; r < accept; r++) samples.set(this.thetas.subarray(order[r] * d, (order[r] + 1) * d), r * d);
    const mean = new Float64Array(d);
    const sd = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let r = 0; r < accept; r++) m += samples[r * d + j];
      m /= accept;
      let v = 0;
      for (let r = 0; r < accept; r++) v += (samples[r * d + j] - m) ** 2;
      mean[j] = m;
      sd[j] = Math.sqrt(v / (accept - 1));
    }
    return { simulations: n, accepted: accept, samples, threshold: this.distances[order[accept - 1]], mean, sd };
  }
}

/** Rejection ABC with n simulations keeping the nearest `accept`. */
export function rejectionAbc(p: LfiProblem, n: number, accept: number, seed: number): AbcResult {
  return new AbcStream(p, seed).result(n, accept);
}

/** Whether estimated means lie within tolMean reference sd and sds within a fraction tolSd of the reference. */
export function meetsAccuracy(mean: ArrayLike<number>, sd: ArrayLike<number>, refMean: ArrayLike<number>, refSd: ArrayLike<number>, tolMean = 0.1, tolSd = 0.1): boolean {
  for (let j = 0; j < mean.length; j++) {
    if (!(Math.abs(mean[j] - refMean[j]) <= tolMean * refSd[j])) return false;
    if (!(Math.abs(sd[j] / refSd[j] - 1) <= tolSd)) return false;
  }
  return true;
}

/**
 * The fewest simulations (on the doubling schedule accept x 2^j, up to maxSimulations) for which
 * rejection ABC keeping `accept` draws meets the accuracy of meetsAccuracy; null if none does.
 */
export function abcSimulationsToAccuracy(
  p: LfiProblem,
  refMean: ArrayLike<number>,
  refSd: ArrayLike<number>,
  o: { accept: number; maxSimulations: number; seed: number; tolMean?: number; tolSd?: number },
): { simulations: number | null; trail: AbcResult[] } {
  const stream = new AbcStream(p, o.seed);
  const trail: AbcResult[] = [];
  for (let n = 4 * o.accept; n <= o.maxSimulations; n *= 2) {
    const r = stream.result(n, o.accept);
    trail.push(r);
    if (meetsAccuracy(r.mean, r.sd, refMean, refSd, o.tolMean, o.tolSd)) return { simulations: n, trail };
  }
  return { simulations: null, trail };
}
