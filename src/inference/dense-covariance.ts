/**
 * A dense data covariance C (a survey's measured or simulated covariance read from its file, or a
 * Gaussian covariance made dense), checked square, symmetric and positive definite once and held as its
 * Cholesky factor L (C = L L^T). It gives the likelihood's chi^2 = r^T C^-1 r and the products Fisher
 * matrices and MOPED need: C^-1 v, L^-1 v (whitening) and quadratic forms. Sizes are data-vector lengths
 * (a few hundred), so one dense factorisation costs milliseconds.
 */

import { CosmetaError } from '../errors.js';
import { backSubstitute, cholesky, forwardSubstitute } from '../math/linalg.js';
import type { Covariance } from './likelihood.js';

/** A dense covariance (row-major n x n), or an object that gives one (GaussianCovariance.dense()). */
export type CovarianceInput = Float64Array | { readonly size: number; dense(): Float64Array };

export class DenseCovariance implements Covariance {
  readonly size: number;
  /** Lower Cholesky factor, row-major. */
  readonly factor: Float64Array;
  private readonly work: Float64Array;

  /** @param matrix row-major n x n; `what` names it in errors (e.g. the file). */
  constructor(matrix: ArrayLike<number>, n: number, what = 'covariance') {
    if (matrix.length !== n * n) throw new CosmetaError(`${what}: ${matrix.length} entries do not form the ${n} x ${n} matrix the ${n} data points need`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const a = matrix[i * n + j];
        const b = matrix[j * n + i];
        if (!Number.isFinite(a) || Math.abs(a - b) > 1e-10 * Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE)) {
          throw new CosmetaError(`${what} is not symmetric: entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
        }
      }
    }
    this.size = n;
    this.factor = cholesky(matrix, n, what);
    this.work = new Float64Array(n);
  }

  /** The covariance given as a dense matrix, by an object that gives one, or already factorised. */
  static from(input: CovarianceInput | DenseCovariance, what = 'data covariance'): DenseCovariance {
    if (input instanceof DenseCovariance) return input;
    const dense = input instanceof Float64Array ? input : input.dense();
    const n = input instanceof Float64Array ? Math.round(Math.sqrt(dense.length)) : input.size;
    return new DenseCovariance(dense, n, what);
  }

  chi2(residual: ArrayLike<number>, offset = 0): number {
    const y = this.work;
    for (let i = 0; i < this.size; i++) y[i] = residual[offset + i];
    forwardSubstitute(this.factor, this.size, y);
    let s = 0;
    for (let i = 0; i < this.size; i++) s += y[i] * y[i];
    return s;
  }

  private check(v: ArrayLike<number>, what: string): void {
    if (v.length !== this.size) throw new CosmetaError(`${what}: a vector of ${v.length} values for a ${this.size} x ${this.size} covariance`);
  }

  /** L^-1 v: a vector in units where the covariance is the identity. */
  whiten(v: ArrayLike<number>): Float64Array {
    this.check(v, 'whiten');
    const y = Float64Array.from(v);
    forwardSubstitute(this.factor, this.size, y);
    return y;
  }

  /** C^-1 v. */
  solve(v: ArrayLike<number>): Float64Array {
    const y = this.whiten(v);
    backSubstitute(this.factor, this.size, y);
    return y;
  }

  /** u^T C^-1 v. */
  inner(u: ArrayLike<number>, v: ArrayLike<number>): number {
    const a = this.whiten(u);
    const b = this.whiten(v);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
