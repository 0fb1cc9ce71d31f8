/**
 * The Wiener filter, the exact posterior of a Gaussian signal in Gaussian noise (Wiener 1949; for maps,
 * e.g. Elsner & Wandelt 2013, A&A 549, A111): C_WF = (S^-1 + N^-1)^-1, s_WF = C_WF N^-1 d.
 *
 * Without a mask and with white noise both are diagonal in Fourier space: s_WF = F^-1[S_k/(S_k+N_k) F d]
 * and the mode variance (fftn units) S_k N_k / (S_k + N_k). In general (mask, varying noise, shear) the
 * posterior mean of a quadratic log density is found by preconditioned conjugate gradients (Hestenes &
 * Stiefel 1952) on A x = b with A x = grad(0) - grad(x), from nothing but the gradient.
 */

import { CosmetaError } from '../errors.js';
import type { FourierGrid } from '../math/fft.js';

/** Wiener mean map and mode variances for a signal of spectrum S_k in noise of spectrum N_k (no mask). */
export function wienerDiagonal(grid: FourierGrid, signal: ArrayLike<number>, noise: ArrayLike<number>, data: ArrayLike<number>): { mean: Float64Array; modeVariance: Float64Array; pixelVariance: number } {
  const n = grid.size;
  const h = new Float64Array(n);
  const modeVariance = new Float64Array(n);
  let pv = 0;
  for (let i = 0; i < n; i++) {
    const s = signal[i];
    const nn = noise[i];
    if (!(nn > 0)) throw new CosmetaError(`noise power must be > 0, got ${nn} at mode ${i}`);
    h[i] = s / (s + nn);
    modeVariance[i] = (s * nn) / (s + nn);
    pv += modeVariance[i];
  }
  return { mean: grid.filter(data, h), modeVariance, pixelVariance: pv / (n * n) };
}

/**
 * Mode of a Gaussian log density given by its gradient (the Wiener mean in the whitened parameters),
 * by conjugate gradients preconditioned with the inverse of `precision` (an operator approximating A).
 */
export function conjugateGradientMode(
  dim: number,
  gradient: (x: Float64Array, g: Float64Array) => void,
  options: { precondition?: (r: Float64Array, out: Float64Array) => void; tolerance?: number; maxIterations?: number } = {},
): { x: Float64Array; iterations: number; residual: number } {
  const tol = options.tolerance ?? 1e-12;
  const maxIt = options.maxIterations ?? 10 * dim;
  const pre = options.precondition ?? ((r: Float64Array, out: Float64Array) => out.set(r));
  const x = new Float64Array(dim);
  const b = new Float64Array(dim);
  gradient(x, b); // grad(0) = b
  const apply = (v: Float64Array, out: Float64Array) => {
    gradient(v, out);
    for (let i = 0; i < dim; i++) out[i] = b[i] - out[i];
  };
  const r = Float64Array.from(b);
  const z = new Float64Array(dim);
  pre(r, z);
  const p = Float64Array.from(z);
  const Ap = new Float64Array(dim);
  const dot = (a: Float64Array, c: Float64Array) => {
    let s = 0;
    for (let i = 0; i < dim; i++) s += a[i] * c[i];
    return s;
  };
  const bNorm = Math.sqrt(dot(b, b)) || 1;
  let rz = dot(r, z);
  let it = 0;
  let res = Math.sqrt(dot(r, r)) / bNorm;
  while (res > tol && it < maxIt) {
    apply(p, Ap);
    const alpha = rz / dot(p, Ap);
    for (let i = 0; i < dim; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * Ap[i];
    }
    pre(r, z);
    const rzNew = dot(r, z);
    for (let i = 0; i < dim; i++) p[i] = z[i] + (rzNew / rz) * p[i];
    rz = rzNew;
    it++;
    res = Math.sqrt(dot(r, r)) / bNorm;
  }
  return { x, iterations: it, residual: res };
}

/**
 * Exact ln posterior of the amplitude A of the signal spectrum, on a grid of ln A with a flat prior in
 * ln A: ln p(ln A | d) = sum_k [-|D_k|^2 / (2 (A S_k + N_k)) - ln(A S_k + N_k) / 2] + const, the sum over
 * every mode of the grid (numpy fftn coefficients D_k of the data; each pair (k, -k) counted twice and
 * each self-conjugate mode once gives exactly the Gaussian density of the real field). Returns the
 * normalised density in ln A on the grid (trapezoidal rule).
 */
export function amplitudePosterior(grid: FourierGrid, signal: ArrayLike<number>, noise: ArrayLike<number>, data: ArrayLike<number>, lnA: ArrayLike<number>): Float64Array {
  const D = grid.forward(data);
  const p2 = new Float64Array(grid.size);
  for (let i = 0; i < grid.size; i++) p2[i] = D[2 * i] * D[2 * i] + D[2 * i + 1] * D[2 * i + 1];
  const logp = Float64Array.from(lnA, (t) => {
    const A = Math.exp(t);
    let s = 0;
    for (let i = 0; i < grid.size; i++) {
      const v = A * signal[i] + noise[i];
      s -= p2[i] / (2 * v) + Math.log(v) / 2;
    }
    return s;
  });
  const max = Math.max(...logp);
  const p = logp.map((l) => Math.exp(l - max));
  let z = 0;
  for (let j = 1; j < p.length; j++) z += ((p[j] + p[j - 1]) / 2) * (lnA[j] - lnA[j - 1]);
  return p.map((v) => v / z);
}

/**
 * Bhattacharyya distance -ln sum_b sqrt(p_b q_b) between samples (histogram in `bins` equal bins over
 * [lo, hi]) and a density tabulated on a fine grid (integrated over the same bins).
 */
export function bhattacharyyaToDensity(samples: ArrayLike<number>, grid: ArrayLike<number>, density: ArrayLike<number>, lo: number, hi: number, bins: number): number {
  const p = new Float64Array(bins);
  for (let i = 0; i < samples.length; i++) {
    const b = Math.floor(((samples[i] - lo) / (hi - lo)) * bins);
    if (b >= 0 && b < bins) p[b] += 1 / samples.length;
  }
  const q = new Float64Array(bins);
  for (let j = 1; j < grid.length; j++) {
    const mid = (grid[j] + grid[j - 1]) / 2;
    const b = Math.floor(((mid - lo) / (hi - lo)) * bins);
    if (b >= 0 && b < bins) q[b] += ((density[j] + density[j - 1]) / 2) * (grid[j] - grid[j - 1]);
  }
  let bc = 0;
  for (let b = 0; b < bins; b++) bc += Math.sqrt(p[b] * q[b]);
  return -Math.log(Math.min(1, bc));
}
