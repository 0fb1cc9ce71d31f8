/**
 * A data covariance C held as its Cholesky factor L (C = L L^T), for the products Fisher matrices and
 * MOPED need: C^-1 v, L^-1 v (whitening) and quadratic forms. Built from a dense row-major matrix or from
 * anything that can give one (GaussianCovariance.dense()). Sizes are data-vector lengths (a few hundred),
 * so one dense factorisation costs milliseconds.
 */

import { CosmetaError } from '../../errors.js';
import { backSubstitute, cholesky, forwardSubstitute } from '../../math/linalg.js';

/** A dense covariance (row-major n x n), or an object that gives one. */
export type CovarianceInput = Float64Array | { readonly size: number; dense(): Float64Array };

export class DenseCovariance {
  readonly size: number;
  /** Lower Cholesky factor, row-major. */
  readonly factor: Float64Array;

  constructor(input: CovarianceInput) {
    const dense = input instanceof Float64Array ? input : input.dense();
    const n = input instanceof Float64Array ? Math.round(Math.sqrt(dense.length)) : input.size;
    if (n * n !== dense.length) throw new CosmetaError(`covariance: ${dense.length} entries do not form a square matrix`);
    this.size = n;
    this.factor = cholesky(dense, n, 'data covariance');
  }

  static from(input: CovarianceInput | DenseCovariance): DenseCovariance {
    return input instanceof DenseCovariance ? input : new DenseCovariance(input);
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
