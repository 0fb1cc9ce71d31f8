/**
 * The ABC likelihood in the zero-threshold limit when the summaries are Gaussian with covariance W^-1
 * about their mean s(theta): then d^2 = ||s - s_obs||_W^2 is noncentral chi-square with k = dim(s)
 * degrees of freedom and noncentrality lambda(theta) = ||s(theta) - s_obs||_W^2, and
 *
 *   lim_{h->0} P(d < h | theta) / P(d < h | lambda = 0) = exp(-lambda(theta) / 2),
 *
 * the Gaussian likelihood of s_obs. BOLFI's GP of ln d estimates E[ln d](theta); since the noncentral
 * chi-square is a Poisson(lambda / 2) mixture of central chi-squares with k + 2j degrees of freedom and
 * E ln chi^2_m = ln 2 + psi(m / 2) (Johnson, Kotz & Balakrishnan 1995, Continuous Univariate
 * Distributions 2, eq. 29.2 and section 18.3),
 *
 *   g_k(lambda) = E[ln d] = (ln 2 + sum_j Pois(j; lambda / 2) psi(k / 2 + j)) / 2,
 *
 * which increases monotonically from (ln 2 + psi(k / 2)) / 2 at lambda = 0 to ln(lambda) / 2. Inverting it
 * maps the GP mean to lambda(theta). The GP's own uncertainty is averaged over by 12-point Gauss-Hermite
 * quadrature: L(theta) = E_f exp(-g_k^-1(f) / 2), f ~ N(mu(theta), v(theta)).
 */

import { digamma, logGamma } from '../../math/special.js';

/** g_k(lambda) = E[ln d] for d^2 ~ noncentral chi-square(k, lambda). */
export function expectedLogDistance(k: number, lambda: number): number {
  const m = lambda / 2;
  if (m === 0) return 0.5 * (Math.LN2 + digamma(k / 2));
  const j0 = Math.floor(m);
  const lw0 = -m + j0 * Math.log(m) - logGamma(j0 + 1);
  let s = 0;
  let wsum = 0;
  for (const dir of [1, -1]) {
    let lw = lw0;
    for (let j = dir === 1 ? j0 : j0 - 1; j >= 0; j += dir) {
      if (dir === -1) lw = lw - Math.log(m) + Math.log(j + 1);
      const w = Math.exp(lw);
      s += w * digamma(k / 2 + j);
      wsum += w;
      if (dir === 1) lw = lw + Math.log(m) - Math.log(j + 1);
      if (w < 1e-17 * wsum && Math.abs(j - m) > 3) break;
    }
  }
  return 0.5 * (Math.LN2 + s / wsum);
}

/** lambda with g_k(lambda) = target (0 below g_k(0)); bisection in ln(1 + lambda), relative precision ~1e-10. */
export function noncentralityFromLogDistance(k: number, target: number): number {
  if (target <= expectedLogDistance(k, 0)) return 0;
  let lo = 0;
  let hi = Math.log1p(Math.max(4 * Math.exp(2 * target), 1));
  while (expectedLogDistance(k, Math.expm1(hi)) < target) hi *= 2;
  for (let it = 0; it < 60; it++) {
    const mid = 0.5 * (lo + hi);
    if (expectedLogDistance(k, Math.expm1(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.expm1(0.5 * (lo + hi));
}

// 12-point Gauss-Hermite nodes and weights for the weight exp(-x^2) (Abramowitz & Stegun table 25.10)
const GH_X = [0.3142403762543591, 0.9477883912401637, 1.5976826351526048, 2.2795070805010598, 3.0206370251208896, 3.8897248978697819];
const GH_W = [5.701352362624796e-1, 2.604923102641611e-1, 5.16079856158839e-2, 3.905390584629062e-3, 8.573687043587858e-5, 2.658551684356302e-7];

/** The modelled discrepancy: ln d (default) or d^2, whose mean is simply k + lambda. */
export type DiscrepancyTransform = 'log' | 'square';

/** lambda from the expected transformed discrepancy. */
export function noncentrality(transform: DiscrepancyTransform, k: number, mean: number): number {
  return transform === 'log' ? noncentralityFromLogDistance(k, mean) : Math.max(0, mean - k);
}

/** ln E_f exp(-lambda(f) / 2) for f ~ N(mean, variance). */
export function chiLinkLogLikelihood(k: number, mean: number, variance: number, transform: DiscrepancyTransform = 'log'): number {
  if (!(variance > 1e-14)) return -0.5 * noncentrality(transform, k, mean);
  const s = Math.sqrt(2 * variance);
  let acc = 0;
  for (let i = 0; i < GH_X.length; i++) {
    for (const sign of [1, -1]) acc += GH_W[i] * Math.exp(-0.5 * noncentrality(transform, k, mean + sign * s * GH_X[i]));
  }
  return Math.log(acc / Math.sqrt(Math.PI));
}
