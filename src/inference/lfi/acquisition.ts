/**
 * Acquisition rules for BOLFI: where to run the next simulation, given the GP of the log discrepancy.
 *
 * - Lower confidence bound (Brochu, Cora & de Freitas 2010, arXiv:1012.2599; as used by Gutmann &
 *   Corander 2016, JMLR 17, 125, section 6.3): minimise mu(theta) - sqrt(eta_t v(theta)) with
 *   eta_t = 2 ln(t^(d/2 + 2) pi^2 / (3 epsilon)), epsilon = 0.1, t the number of simulations so far.
 * - Expected integrated variance (Jarvenpaa, Gutmann, Pleska, Vehtari & Marttinen 2019, Bayesian Anal.
 *   14, 595, section 4): choose theta* that most reduces the integrated variance of the unnormalised
 *   posterior pi(theta) Phi((h - f(theta)) / sigma_n) once a simulation at theta* is added. We take the
 *   variance to first order in f, Var ~ [pi phi(z) / s]^2 v(theta) (z = (h - mu) / s, s^2 = v + sigma_n^2),
 *   for which the reduction is sum_j [pi_j phi(z_j) / s_j]^2 c(theta_j, theta*)^2 / (v(theta*) + sigma_n^2),
 *   c the GP posterior covariance, summed over integration points theta_j where the posterior has mass.
 * Both are optimised over random candidates in the box (plus perturbations of the best simulations); the
 * lower confidence bound is then polished by a compass search.
 */

import type { GaussianProcess } from '../../math/gp.js';
import type { Random } from '../../math/random.js';
import type { LfiProblem } from './problem.js';

/**
 * 'posterior' (bolfi.ts): LCB first, then rounds drawn from the current approximate posterior, so that the
 * likelihood's regressions see the whole posterior rather than the discrepancy's minimum (the sequential
 * design of sequential neural likelihood, Papamakarios, Sterratt & Murray 2019, AISTATS, section 3).
 */
export type AcquisitionName = 'lcb' | 'eiv' | 'posterior';
export const ACQUISITIONS: readonly AcquisitionName[] = ['lcb', 'eiv', 'posterior'];

/** Brochu et al. (2010) exploration weight eta_t for t simulations in d dimensions. */
export function lcbWeight(t: number, d: number, epsilon = 0.1): number {
  return 2 * Math.log(t ** (d / 2 + 2) * (Math.PI * Math.PI) / (3 * epsilon));
}

function candidates(p: LfiProblem, X: Float64Array, y: Float64Array, rng: Random, uniform: number, local: number): Float64Array {
  const d = p.names.length;
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b]);
  const out = new Float64Array((uniform + local) * d);
  for (let c = 0; c < uniform; c++) for (let j = 0; j < d; j++) out[c * d + j] = rng.between(p.lower[j], p.upper[j]);
  for (let c = 0; c < local; c++) {
    const i = order[c % Math.min(8, n)];
    for (let j = 0; j < d; j++) {
      const w = p.upper[j] - p.lower[j];
      out[(uniform + c) * d + j] = Math.min(p.upper[j], Math.max(p.lower[j], X[i * d + j] + 0.05 * w * rng.normal()));
    }
  }
  return out;
}

/** Compass search minimising f inside the box from x0, steps from 5% of the box down to 0.1%. */
function polish(p: LfiProblem, f: (x: Float64Array) => number, x0: Float64Array, f0: number): Float64Array {
  const d = x0.length;
  let x = Float64Array.from(x0);
  let fx = f0;
  let step = 0.05;
  while (step > 1e-3) {
    let improved = false;
    for (let j = 0; j < d; j++) {
      for (const s of [1, -1]) {
        const t = Float64Array.from(x);
        t[j] = Math.min(p.upper[j], Math.max(p.lower[j], t[j] + s * step * (p.upper[j] - p.lower[j])));
        const ft = f(t);
        if (ft < fx) {
          x = t;
          fx = ft;
          improved = true;
        }
      }
    }
    if (!improved) step /= 2;
  }
  return x;
}

/** The next point by the lower confidence bound. */
export function acquireLcb(gp: GaussianProcess, p: LfiProblem, rng: Random): Float64Array {
  const d = p.names.length;
  const sqrtEta = Math.sqrt(lcbWeight(gp.n, d));
  const cand = candidates(p, gp.X, gp.y, rng, 200, 56);
  const m = cand.length / d;
  const { mean, variance } = gp.predictMany(cand, m);
  let best = 0;
  let bestVal = Infinity;
  for (let c = 0; c < m; c++) {
    const a = mean[c] - sqrtEta * Math.sqrt(variance[c]);
    if (a < bestVal) {
      bestVal = a;
      best = c;
    }
  }
  const f = (x: Float64Array) => {
    const r = gp.predict(x);
    return r.mean - sqrtEta * Math.sqrt(r.variance);
  };
  return polish(p, f, cand.slice(best * d, (best + 1) * d), bestVal);
}

/** The next point by the expected integrated variance of the unnormalised posterior. */
export function acquireEiv(gp: GaussianProcess, p: LfiProblem, threshold: number, rng: Random): Float64Array {
  const d = p.names.length;
  const sn2 = gp.noiseVariance;
  // integration points: where prior x Phi((h - mu) / sigma_n) is largest among uniform draws
  const M = 1500;
  const U = new Float64Array(M * d);
  for (let c = 0; c < M; c++) for (let j = 0; j < d; j++) U[c * d + j] = rng.between(p.lower[j], p.upper[j]);
  const mu = gp.predictMean(U, M);
  const score = Array.from({ length: M }, (_, c) => p.logPrior(U.subarray(c * d, (c + 1) * d)) - (0.5 * Math.max(0, mu[c] - threshold) ** 2) / sn2);
  const order = Array.from({ length: M }, (_, c) => c).sort((a, b) => score[b] - score[a]);
  const J = 120;
  const I = new Float64Array(J * d);
  for (let k = 0; k < J; k++) I.set(U.subarray(order[k] * d, (order[k] + 1) * d), k * d);
  const pi = Float64Array.from({ length: J }, (_, k) => Math.exp(p.logPrior(I.subarray(k * d, (k + 1) * d))));
  const pr = gp.predictMany(I, J);
  const g2 = new Float64Array(J);
  for (let k = 0; k < J; k++) {
    const s2 = pr.variance[k] + sn2;
    const z = (threshold - pr.mean[k]) / Math.sqrt(s2);
    const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    g2[k] = (pi[k] * phi) ** 2 / s2;
  }
  const reduction = (C: Float64Array, m: number, vStar: Float64Array) => {
    const out = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let k = 0; k < J; k++) s += g2[k] * C[k * m + c] ** 2;
      out[c] = s / (vStar[c] + sn2);
    }
    return out;
  };
  const cand = new Float64Array((60 + 40) * d);
  cand.set(I.subarray(0, 60 * d));
  cand.set(candidates(p, gp.X, gp.y, rng, 20, 20), 60 * d);
  const m = cand.length / d;
  const C = gp.posteriorCovariance(I, J, cand, m);
  const red = reduction(C, m, gp.predictMany(cand, m).variance);
  let best = 0;
  for (let c = 1; c < m; c++) if (red[c] > red[best]) best = c;
  // no polish: each evaluation costs J + 1 triangular solves, and the candidates already cover the mass
  return cand.slice(best * d, (best + 1) * d);
}
