/**
 * A likelihood-free inference problem: a prior, a simulator that returns summaries of one simulated data
 * set, the observed summaries and the distance between summaries. BOLFI and rejection ABC see only this.
 */

import { CosmetaError } from '../../errors.js';
import type { Random } from '../../math/random.js';

export interface LfiProblem {
  names: string[];
  /** Box [lower, upper] per parameter where the discrepancy is modelled: the prior's bulk (>= 99.9%). */
  lower: Float64Array;
  upper: Float64Array;
  /** ln prior density (normalised or not); -Infinity outside the support. */
  logPrior(theta: ArrayLike<number>): number;
  /** One draw from the prior. */
  samplePrior(rng: Random): Float64Array;
  /** Summaries of one data set simulated at theta. */
  simulate(theta: ArrayLike<number>, rng: Random): Float64Array;
  observed: Float64Array;
  /** Distance ||s - s_obs||_W between simulated and observed summaries (dimensionless). */
  distance(s: Float64Array): number;
  /**
   * The summaries in the coordinates where the distance is the Euclidean norm and the observed summaries
   * sit at 0 (distance(s) = ||whiten(s)||); needed by BOLFI's synthetic likelihood (synthetic.ts).
   */
  whiten?(s: Float64Array): Float64Array;
}

/**
 * The distance sqrt((s - s_obs)^T W (s - s_obs)) with W = diag(1 / scale^2): each summary in units of
 * its sampling standard deviation at the observation, so no summary dominates the metric.
 */
export function scaledDistance(observed: Float64Array, scale: Float64Array): (s: Float64Array) => number {
  if (scale.length !== observed.length || scale.some((x) => !(x > 0))) {
    throw new CosmetaError(`distance scales must be ${observed.length} positive numbers, got [${Array.from(scale).join(', ')}]`);
  }
  return (s) => {
    let q = 0;
    for (let i = 0; i < s.length; i++) q += ((s[i] - observed[i]) / scale[i]) ** 2;
    return Math.sqrt(q);
  };
}

/** Whether theta lies inside the problem's box. */
export function insideBox(p: LfiProblem, theta: ArrayLike<number>, offset = 0): boolean {
  for (let j = 0; j < p.names.length; j++) {
    const v = theta[offset + j];
    if (!(v >= p.lower[j] && v <= p.upper[j])) return false;
  }
  return true;
}
