/**
 * A dense data covariance (e.g. a survey's measured or simulated covariance, read from its file):
 * checked square, symmetric and positive definite once, then chi^2 = r^T C^-1 r by its Cholesky factor.
 */

import { CosmetaError } from '../errors.js';
import { cholesky, forwardSubstitute } from '../math/linalg.js';
import type { Covariance } from './likelihood.js';

export class DenseCovariance implements Covariance {
  readonly size: number;
  private readonly factor: Float64Array;
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

  chi2(residual: ArrayLike<number>, offset = 0): number {
    const y = this.work;
    for (let i = 0; i < this.size; i++) y[i] = residual[offset + i];
    forwardSubstitute(this.factor, this.size, y);
    let s = 0;
    for (let i = 0; i < this.size; i++) s += y[i] * y[i];
    return s;
  }
}
