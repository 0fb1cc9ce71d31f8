/**
 * Small dense linear algebra for symmetric positive-definite matrices (row-major Float64Array n x n):
 * Cholesky factorisation, solves, log-determinants and inverses. Sizes here are at most a few tens
 * (per-multipole covariance blocks, parameter covariances), so plain loops are the right tool.
 */

import { CosmetaError } from '../errors.js';

/**
 * Lower Cholesky factor L (A = L L^T) of a symmetric positive-definite matrix; only A's lower triangle
 * is read. Throws naming the failing pivot when A is not positive definite.
 */
export function cholesky(a: ArrayLike<number>, n: number, what = 'matrix'): Float64Array {
  if (a.length !== n * n) throw new CosmetaError(`${what}: expected ${n * n} entries for ${n} x ${n}, got ${a.length}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) throw new CosmetaError(`${what} is not positive definite (pivot ${j} = ${d})`);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solve L y = b in place (forward substitution), b of length n starting at `offset`. */
export function forwardSubstitute(l: Float64Array, n: number, b: Float64Array, offset = 0): void {
  for (let i = 0; i < n; i++) {
    let s = b[offset + i];
    const row = i * n;
    for (let k = 0; k < i; k++) s -= l[row + k] * b[offset + k];
    b[offset + i] = s / l[row + i];
  }
}

/** Solve L^T x = y in place (back substitution). */
export function backSubstitute(l: Float64Array, n: number, b: Float64Array, offset = 0): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[offset + i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[offset + k];
    b[offset + i] = s / l[i * n + i];
  }
}

/** Solve A x = b given A's Cholesky factor; returns a new vector. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  forwardSubstitute(l, n, x);
  backSubstitute(l, n, x);
  return x;
}

/** ln det A from its Cholesky factor. */
export function logDetCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/** Inverse of a symmetric positive-definite matrix. */
export function inverseSpd(a: ArrayLike<number>, n: number, what = 'matrix'): Float64Array {
  const l = cholesky(a, n, what);
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    forwardSubstitute(l, n, e);
    backSubstitute(l, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = e[i];
  }
  return inv;
}
