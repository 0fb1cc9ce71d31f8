/**
 * Principal components of a data set (e.g. standardised training spectra), for a fixed linear output
 * basis: the covariance C = Y_c^T Y_c / n by the backend's matrix product, its leading eigenvectors by
 * subspace iteration with Rayleigh-Ritz (Golub & Van Loan, Matrix Computations, Sect. 8.2.4), the small
 * projected eigenproblem by cyclic Jacobi rotations. Double precision except for the covariance product.
 */

import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';
import type { Backend } from './backend.js';

export interface Pca {
  /** Components as columns of V [d x k] (row-major), orthonormal, by decreasing variance. */
  V: Float64Array;
  mean: Float64Array;
  /** Variance along each component. */
  variance: Float64Array;
  /** Fraction of the total variance the k components explain. */
  explained: number;
}

/** Symmetric eigen-decomposition of a small matrix (cyclic Jacobi); returns values and column vectors. */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => A[i * n + i]), vectors: V };
}

/** The k leading principal components of rows y [n x d]. */
export function pca(backend: Backend, y: ArrayLike<number>, n: number, d: number, k: number, seed = 1): Pca {
  if (!(k >= 1 && k <= d)) throw new CosmetaError(`number of components must be in [1, ${d}], got ${k}`);
  if (n < 2) throw new CosmetaError('PCA needs at least two samples');
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += y[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const yc = backend.alloc(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) yc[i * d + j] = y[i * d + j] - mean[j];
  const cov = backend.alloc(d * d);
  backend.gemm('TN', d, d, n, yc, yc, cov, false);
  backend.free(yc);
  const C = Float64Array.from(cov, (v) => v / n);
  backend.free(cov);
  let total = 0;
  for (let j = 0; j < d; j++) total += C[j * d + j];
  // Subspace iteration on p = k + 8 vectors (oversampling speeds convergence of the k-th).
  const p = Math.min(d, k + 8);
  const rng = new Random(seed);
  let Q = Float64Array.from({ length: d * p }, () => rng.normal());
  const Z = new Float64Array(d * p);
  const orthonormalise = (M: Float64Array) => {
    for (let c = 0; c < p; c++) {
      for (let prev = 0; prev < c; prev++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += M[r * p + c] * M[r * p + prev];
        for (let r = 0; r < d; r++) M[r * p + c] -= dot * M[r * p + prev];
      }
      let norm = 0;
      for (let r = 0; r < d; r++) norm += M[r * p + c] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let r = 0; r < d; r++) M[r * p + c] /= norm;
    }
  };
  const multiply = (src: Float64Array, dst: Float64Array) => {
    dst.fill(0);
    for (let r = 0; r < d; r++) {
      for (let s = 0; s < d; s++) {
        const c = C[r * d + s];
        if (c === 0) continue;
        for (let col = 0; col < p; col++) dst[r * p + col] += c * src[s * p + col];
      }
    }
  };
  orthonormalise(Q);
  for (let it = 0; it < 60; it++) {
    multiply(Q, Z);
    orthonormalise(Z);
    [Q] = [Float64Array.from(Z)];
  }
  // Rayleigh-Ritz: T = Q^T C Q, rotate Q by T's eigenvectors.
  multiply(Q, Z);
  const T = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += Q[r * p + a] * Z[r * p + b];
    T[a * p + b] = s;
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) T[a * p + b] = T[b * p + a] = (T[a * p + b] + T[b * p + a]) / 2;
  const { values, vectors } = jacobiEigen(T, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((i, j) => values[j] - values[i]).slice(0, k);
  const V = new Float64Array(d * k);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += Q[r * p + a] * vectors[a * p + order[c]];
      V[r * k + c] = s;
    }
  }
  const variance = Float64Array.from(order, (i) => values[i]);
  return { V, mean, variance, explained: variance.reduce((a, b) => a + b, 0) / total };
}
