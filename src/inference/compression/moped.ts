/**
 * MOPED: Massively Optimised Parameter Estimation and Data compression (Heavens, Jimenez & Lahav 2000,
 * MNRAS 317, 965). A data vector x of length D is compressed to one number per parameter, y_a = b_a^T x,
 * with weighting vectors built by Gram-Schmidt from C^-1 mu_,a:
 *
 *   b_1 = C^-1 mu_,1 / sqrt(mu_,1^T C^-1 mu_,1)                                              (eq. 11)
 *   b_m = [C^-1 mu_,m - sum_{q<m} (mu_,m^T b_q) b_q] / sqrt(mu_,m^T C^-1 mu_,m - sum_{q<m} (mu_,m^T b_q)^2)
 *                                                                                           (eq. 12-13)
 *
 * so that b_m^T C b_n = delta_mn: the y_a are uncorrelated with unit variance and, for a Gaussian
 * likelihood with a parameter-independent covariance, the Fisher matrix of y equals that of x at the
 * fiducial point (lossless there). The compressed likelihood is
 *
 *   ln L(theta) = -1/2 sum_a (y_a - y_a(theta))^2,  y_a(theta) = b_a^T mu(theta)            (eq. 15)
 *
 * (constant dropped). The vectors are fixed once, at the fiducial point where mu_,a was taken.
 */

import { CosmetaError } from '../../errors.js';
import type { Likelihood } from '../likelihood.js';
import { DenseCovariance, type CovarianceInput } from './dense-covariance.js';

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * MOPED weighting vectors b_a (one per parameter, in the order of `dmu`), eq. 11-13 of Heavens et al.
 * 2000. `dmu[a]` is d mu / d theta_a (length D); `covariance` is C (D x D) or anything giving it densely.
 * Throws if a derivative is (numerically) a combination of the earlier ones: it then carries no new
 * information and its norm in eq. 13 vanishes.
 */
export function mopedVectors(dmu: readonly ArrayLike<number>[], covariance: CovarianceInput | DenseCovariance): Float64Array[] {
  const cov = DenseCovariance.from(covariance);
  if (dmu.length === 0) throw new CosmetaError('MOPED needs at least one parameter derivative');
  const b: Float64Array[] = [];
  dmu.forEach((d, m) => {
    if (d.length !== cov.size) throw new CosmetaError(`MOPED: derivative ${m} has ${d.length} values, the covariance is ${cov.size} x ${cov.size}`);
    const cinvD = cov.solve(d);
    const full = dot(d, cinvD);
    const v = Float64Array.from(cinvD);
    let norm2 = full;
    for (const bq of b) {
      const proj = dot(d, bq);
      for (let i = 0; i < v.length; i++) v[i] -= proj * bq[i];
      norm2 -= proj * proj;
    }
    if (!(norm2 > 1e-12 * full)) {
      throw new CosmetaError(`MOPED: derivative ${m} is degenerate with the earlier ones (remaining norm ${norm2} of ${full}); drop or reorder that parameter`);
    }
    const s = 1 / Math.sqrt(norm2);
    for (let i = 0; i < v.length; i++) v[i] *= s;
    b.push(v);
  });
  return b;
}

/** y_a = b_a^T x for the data vector starting at `offset` in x. */
export function compress(vectors: readonly Float64Array[], x: ArrayLike<number>, offset = 0): Float64Array {
  const y = new Float64Array(vectors.length);
  vectors.forEach((b, a) => {
    if (offset + b.length > x.length) throw new CosmetaError(`compress: a data vector of ${b.length} values does not fit at offset ${offset} of ${x.length}`);
    let s = 0;
    for (let i = 0; i < b.length; i++) s += b[i] * x[offset + i];
    y[a] = s;
  });
  return y;
}

/**
 * Fisher matrix of the compressed data, F_ab = sum_c (b_c^T mu_,a)(b_c^T mu_,b) (unit covariance of y);
 * equal to the full mu_,a^T C^-1 mu_,b when the vectors came from these derivatives.
 */
export function compressedFisher(vectors: readonly Float64Array[], dmu: readonly ArrayLike<number>[]): Float64Array {
  const n = dmu.length;
  const Y = dmu.map((d) => compress(vectors, d));
  const F = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) F[a * n + b] = dot(Y[a], Y[b]);
  return F;
}

/** The compressed likelihood (eq. 15 of Heavens et al. 2000), usable wherever a Gaussian one is. */
export class MopedLikelihood implements Likelihood {
  /** The compressed data y_a = b_a^T x. */
  readonly compressed: Float64Array;

  /**
   * @param vectors MOPED weighting vectors (from `mopedVectors`)
   * @param data the full data vector x (length D; the model still predicts full vectors)
   */
  constructor(
    readonly vectors: readonly Float64Array[],
    readonly data: Float64Array,
  ) {
    for (const b of vectors) if (b.length !== data.length) throw new CosmetaError(`MOPED likelihood: vectors of ${b.length} values for a data vector of ${data.length}`);
    this.compressed = compress(vectors, data);
  }

  logLike(m: ArrayLike<number>, offset = 0): number {
    let chi2 = 0;
    this.vectors.forEach((b, a) => {
      let s = 0;
      for (let i = 0; i < b.length; i++) s += b[i] * m[offset + i];
      chi2 += (this.compressed[a] - s) ** 2;
    });
    return Number.isFinite(chi2) ? -0.5 * chi2 : Number.NEGATIVE_INFINITY;
  }
}
