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

/**
 * Inverse of a general square matrix by Gauss-Jordan elimination with partial pivoting (for Jacobians of
 * parameter changes, which are not symmetric). Throws when a pivot vanishes (singular matrix).
 */
export function inverseGeneral(a: ArrayLike<number>, n: number, what = 'matrix'): Float64Array {
  if (a.length !== n * n) throw new CosmetaError(`${what}: expected ${n * n} entries for ${n} x ${n}, got ${a.length}`);
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    const pivot = m[p * n + c];
    if (!(Math.abs(pivot) > 0)) throw new CosmetaError(`${what} is singular (no pivot in column ${c})`);
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
        [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]];
      }
    }
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= pivot;
      inv[c * n + k] /= pivot;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}
