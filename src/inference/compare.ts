/**
 * Comparing posteriors: the Bhattacharyya distance (Bhattacharyya 1943) in the Gaussian approximation,
 * as arXiv:2504.00552 reports it,
 *
 *   D_B = 1/8 dmu^T S^-1 dmu + 1/2 ln( det S / sqrt(det S1 det S2) ),  S = (S1 + S2) / 2,
 *
 * from sample means and covariances of any parameter subset; a non-Gaussian estimate for one or two
 * parameters, D_B = -ln sum_i sqrt(p_i q_i) over a common histogram (smoothed with a Gaussian kernel of one
 * bin); mean shifts in units of the reference's standard deviation; width ratios; medians and 16th/84th
 * percentiles.
 */

import { CosmetaError } from '../errors.js';
import { cholesky, choleskySolve, logDetCholesky } from '../math/linalg.js';
import type { Chain } from './chain-file.js';
import { parameterColumn, type DerivedParameter } from './priors.js';

/** Posterior samples of named parameters: one column per parameter. */
export interface Samples {
  names: string[];
  columns: Float64Array[];
}

/** Steps discarded by default: the chain's recorded burn-in, but never more than half the chain. */
export function defaultBurnIn(chain: Chain): number {
  return Math.min(chain.burnIn, Math.floor(chain.steps / 2));
}

/** Samples of sampled or derived parameters (e.g. Omega_m, S8) after discarding `burnIn` steps. */
export function chainSamples(chain: Chain, names: readonly string[], burnIn = defaultBurnIn(chain), derived?: readonly DerivedParameter[]): Samples {
  if (!Number.isInteger(burnIn) || burnIn < 0 || burnIn >= chain.steps) {
    throw new CosmetaError(`burn-in must be an integer in [0, ${chain.steps}) for a chain of ${chain.steps} steps, got ${burnIn}`);
  }
  const dim = chain.names.length;
  const start = burnIn * chain.walkers * dim;
  const rows = (chain.steps - burnIn) * chain.walkers;
  const flat = chain.samples.subarray(start, start + rows * dim);
  return { names: [...names], columns: names.map((n) => parameterColumn(n, chain.names, flat, rows, derived)) };
}

export function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample means and (unbiased) covariance matrix, row-major k x k. */
export function moments(s: Samples): { mean: Float64Array; cov: Float64Array } {
  const k = s.columns.length;
  const n = s.columns[0].length;
  if (n < 2) throw new CosmetaError(`need at least 2 samples for a covariance, got ${n}`);
  const mu = Float64Array.from(s.columns, mean);
  const cov = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      const xa = s.columns[a];
      const xb = s.columns[b];
      let acc = 0;
      for (let i = 0; i < n; i++) acc += (xa[i] - mu[a]) * (xb[i] - mu[b]);
      cov[a * k + b] = cov[b * k + a] = acc / (n - 1);
    }
  }
  return { mean: mu, cov };
}

/** Bhattacharyya distance between two Gaussians N(mu1, S1), N(mu2, S2) of dimension k. */
export function gaussianBhattacharyya(mu1: ArrayLike<number>, S1: ArrayLike<number>, mu2: ArrayLike<number>, S2: ArrayLike<number>): number {
  const k = mu1.length;
  if (mu2.length !== k || S1.length !== k * k || S2.length !== k * k) throw new CosmetaError('Bhattacharyya: mismatched dimensions');
  const S = Float64Array.from({ length: k * k }, (_, i) => 0.5 * (S1[i] + S2[i]));
  const dmu = Float64Array.from({ length: k }, (_, i) => mu1[i] - mu2[i]);
  const L = cholesky(S, k, 'mean covariance');
  const x = choleskySolve(L, k, dmu);
  let quad = 0;
  for (let i = 0; i < k; i++) quad += dmu[i] * x[i];
  const ld = logDetCholesky(L, k);
  const ld1 = logDetCholesky(cholesky(S1, k, 'first covariance'), k);
  const ld2 = logDetCholesky(cholesky(S2, k, 'second covariance'), k);
  return quad / 8 + 0.5 * (ld - 0.5 * (ld1 + ld2));
}

/** Quantile q of sorted data, linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * A range covering the quantiles [q, 1 - q] of every sample set, widened by `pad` x its width on each
 * side (a unit range around the value when all samples are equal).
 */
export function quantileRange(columns: readonly Float64Array[], q: number, pad: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of columns) {
    const s = Float64Array.from(c).sort();
    lo = Math.min(lo, quantileSorted(s, q));
    hi = Math.max(hi, quantileSorted(s, 1 - q));
  }
  if (!(hi > lo)) {
    const m = Number.isFinite(lo) ? lo : 0;
    return [m - 1, m + 1];
  }
  return [lo - pad * (hi - lo), hi + pad * (hi - lo)];
}

/** Median, 16th and 84th percentiles. */
export function summary(x: Float64Array): [number, number, number] {
  const s = Float64Array.from(x).sort();
  return [quantileSorted(s, 0.5), quantileSorted(s, 0.16), quantileSorted(s, 0.84)];
}

/**
 * Histogram density of one or two parameters on a common grid, smoothed by a Gaussian of one bin;
 * returns normalised probabilities per cell.
 */
export function gridDensity(cols: Float64Array[], lo: number[], hi: number[], bins: number): Float64Array {
  const k = cols.length;
  const n = cols[0].length;
  const cells = bins ** k;
  const h = new Float64Array(cells);
  for (let i = 0; i < n; i++) {
    let idx = 0;
    let inside = true;
    for (let d = 0; d < k; d++) {
      const b = Math.floor(((cols[d][i] - lo[d]) / (hi[d] - lo[d])) * bins);
      if (b < 0 || b >= bins) inside = false;
      idx = idx * bins + b;
    }
    if (inside) h[idx] += 1;
  }
  const smoothed = gaussianSmooth(h, bins, k, 1);
  let total = 0;
  for (const v of smoothed) total += v;
  if (total > 0) for (let i = 0; i < cells; i++) smoothed[i] /= total;
  return smoothed;
}

/** Separable Gaussian smoothing (sigma in cells, truncated at 3 sigma) of a k-D grid with `bins` per axis. */
export function gaussianSmooth(h: Float64Array, bins: number, k: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const w = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  let cur = Float64Array.from(h);
  for (let axis = 0; axis < k; axis++) {
    const stride = bins ** (k - 1 - axis);
    const next = new Float64Array(cur.length);
    for (let i = 0; i < cur.length; i++) {
      const pos = Math.floor(i / stride) % bins;
      let acc = 0;
      for (let o = -r; o <= r; o++) {
        const p = pos + o;
        if (p >= 0 && p < bins) acc += w[o + r] * cur[i + o * stride];
      }
      next[i] = acc;
    }
    cur = next;
  }
  return cur;
}

/** Non-Gaussian Bhattacharyya distance of one or two parameters from smoothed histograms. */
export function histogramBhattacharyya(a: Samples, b: Samples, bins = 40): number {
  const k = a.columns.length;
  if (k < 1 || k > 2) throw new CosmetaError(`the histogram Bhattacharyya distance takes 1 or 2 parameters, got ${k}`);
  // Range: the union of both posteriors' central 99.9%, padded by two bins' worth of smoothing.
  const ranges = a.columns.map((c, d) => quantileRange([c, b.columns[d]], 0.0005, 2 / bins));
  const lo = ranges.map((r) => r[0]);
  const hi = ranges.map((r) => r[1]);
  const p = gridDensity(a.columns, lo, hi, bins);
  const q = gridDensity(b.columns, lo, hi, bins);
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt(p[i] * q[i]);
  return -Math.log(Math.min(1, bc));
}

export interface Comparison {
  bhattacharyya: number;
  /** Non-Gaussian (histogram) estimate; null for more than two parameters. */
  bhattacharyyaHistogram: number | null;
  /** (mean_other - mean_ref) / sigma_ref per parameter. */
  meanShiftSigma: Record<string, number>;
  /** sigma_other / sigma_ref per parameter. */
  widthRatio: Record<string, number>;
  /** [median, 16th percentile, 84th percentile] per parameter. */
  summary: Record<string, [number, number, number]>;
}

export function compareSamples(ref: Samples, other: Samples): Comparison {
  const k = ref.names.length;
  const mr = moments(ref);
  const mo = moments(other);
  const meanShiftSigma: Record<string, number> = {};
  const widthRatio: Record<string, number> = {};
  const summ: Record<string, [number, number, number]> = {};
  ref.names.forEach((name, d) => {
    const sr = Math.sqrt(mr.cov[d * k + d]);
    const so = Math.sqrt(mo.cov[d * k + d]);
    meanShiftSigma[name] = (mo.mean[d] - mr.mean[d]) / sr;
    widthRatio[name] = so / sr;
    summ[name] = summary(other.columns[d]);
  });
  return {
    bhattacharyya: gaussianBhattacharyya(mr.mean, mr.cov, mo.mean, mo.cov),
    bhattacharyyaHistogram: k <= 2 ? histogramBhattacharyya(ref, other) : null,
    meanShiftSigma,
    widthRatio,
    summary: summ,
  };
}
