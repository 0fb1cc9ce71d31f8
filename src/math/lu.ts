/**
 * Dense LU factorisation with partial (row) pivoting, in place, for general square matrices
 * (row-major Float64Array n x n), and the matching solve. Used by the implicit ODE integrators, where
 * n is a few tens and the same factorisation serves several right-hand sides.
 */

import { CosmetaError } from '../errors.js';

/**
 * Factorise A = P L U in place (L unit lower, U upper, both stored in `a`); `piv[i]` is the row swapped
 * into row i. Returns false when a pivot is exactly zero (the matrix is singular to working precision).
 */
export function luFactor(a: Float64Array, n: number, piv: Int32Array): boolean {
  for (let k = 0; k < n; k++) {
    let p = k;
    let big = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > big) {
        big = v;
        p = i;
      }
    }
    piv[k] = p;
    if (big === 0 || !Number.isFinite(big)) return false;
    if (p !== k) {
      const rp = p * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = a[rk + j];
        a[rk + j] = a[rp + j];
        a[rp + j] = t;
      }
    }
    const rk = k * n;
    const inv = 1 / a[rk + k];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = a[ri + k] * inv;
      if (l === 0) continue;
      a[ri + k] = l;
      for (let j = k + 1; j < n; j++) a[ri + j] -= l * a[rk + j];
    }
  }
  return true;
}

/** Solve A x = b in place (b becomes x) with the factors from `luFactor`. */
export function luSolve(lu: Float64Array, n: number, piv: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const p = piv[k];
    if (p !== k) {
      const t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
  }
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let j = 0; j < i; j++) s -= lu[ri + j] * b[j];
    b[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= lu[ri + j] * b[j];
    b[i] = s / lu[ri + i];
  }
}

/** Solve A x = b for a fresh copy (convenience for tests and small problems). Throws if A is singular. */
export function solveDense(a: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const m = Float64Array.from(a);
  const piv = new Int32Array(n);
  if (!luFactor(m, n, piv)) throw new CosmetaError(`solveDense: the ${n} x ${n} matrix is singular`);
  const x = Float64Array.from(b);
  luSolve(m, n, piv, x);
  return x;
}
