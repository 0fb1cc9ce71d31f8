import { describe, expect, it } from 'vitest';
import { gaussianSignalProblem, nigLogDensity, nigMarginals, nigPosterior, observeGaussianSignal } from '../../../src/inference/lfi/gaussian-signal.js';
import { logGamma } from '../../../src/math/special.js';

const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
const obs = observeGaussianSignal(50, 0.8, 2.9, 5);
const exact = nigMarginals(nigPosterior(prior, obs));
const n = 50;
const nu = n - 1;
const s2 = obs.ss / nu;
// moments of W = (chi^2_nu / nu)^(1/3): E W^p = (2 / nu)^(p/3) Gamma(nu/2 + p/3) / Gamma(nu/2)
const EW = Math.exp(Math.log(2 / nu) / 3 + logGamma(nu / 2 + 1 / 3) - logGamma(nu / 2));
const EW2 = Math.exp((2 * Math.log(2 / nu)) / 3 + logGamma(nu / 2 + 2 / 3) - logGamma(nu / 2));
const K = Math.sqrt(4.5 * nu);
/** Exact mean and variance of the whitened summaries z = (sqrt(n)(xbar - xbar_obs)/s_obs, K (cbrt(s^2/s_obs^2) - 1)). */
function moments(mu: number, v: number): { m: [number, number]; var: [number, number] } {
  const c = Math.cbrt(v / s2);
  return { m: [(Math.sqrt(n) * (mu - obs.mean)) / Math.sqrt(s2), K * (c * EW - 1)], var: [v / s2, K * K * c * c * (EW2 - EW * EW)] };
}

/** Posterior shifts (in exact sd) and width ratios of prior x exp(ll) on a grid over +-6 exact sd. */
function gridMoments(ll: (mu: number, v: number) => number): { shift: number[]; width: number[] } {
  const N = 160;
  const lo = [exact.mu[0] - 6 * exact.mu[1], exact.sigma2[0] - 5 * exact.sigma2[1]];
  const hi = [exact.mu[0] + 6 * exact.mu[1], exact.sigma2[0] + 7 * exact.sigma2[1]];
  const lw: number[] = [];
  const pts: [number, number][] = [];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const mu = lo[0] + ((i + 0.5) * (hi[0] - lo[0])) / N;
      const v = lo[1] + ((j + 0.5) * (hi[1] - lo[1])) / N;
      pts.push([mu, v]);
      lw.push(nigLogDensity(prior, mu, v) + ll(mu, v));
    }
  }
  const mx = Math.max(...lw);
  const s = [0, 0, 0, 0, 0];
  pts.forEach(([mu, v], c) => {
    const w = Math.exp(lw[c] - mx);
    s[0] += w;
    s[1] += w * mu;
    s[2] += w * v;
    s[3] += w * mu * mu;
    s[4] += w * v * v;
  });
  const m = [s[1] / s[0], s[2] / s[0]];
  const sd = [Math.sqrt(s[3] / s[0] - m[0] ** 2), Math.sqrt(s[4] / s[0] - m[1] ** 2)];
  return { shift: [(m[0] - exact.mu[0]) / exact.mu[1], (m[1] - exact.sigma2[0]) / exact.sigma2[1]], width: [sd[0] / exact.mu[1], sd[1] / exact.sigma2[1]] };
}

describe('the likelihood BOLFI builds from its simulations, in the infinite-simulation limit', () => {
  it('noncentral-chi on E d^2 is biased where the summaries covariance grows with sigma^2; the Gaussian density of the summaries is exact', () => {
    // the Gaussian density of z at 0 with z's exact mean and variance: the grid (160^2 over 12 x 12 sd)
    // integrates to ~1e-3 sd, and the Wilson-Hilferty scale is Gaussian to O(1/nu^2): measured 0.000-0.001
    // sd on five observations
    const gauss = gridMoments((mu, v) => {
      const z = moments(mu, v);
      return -0.5 * (z.m[0] ** 2 / z.var[0] + Math.log(z.var[0]) + z.m[1] ** 2 / z.var[1] + Math.log(z.var[1]));
    });
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(gauss.shift[j])).toBeLessThan(0.01);
      expect(Math.abs(gauss.width[j] - 1)).toBeLessThan(0.01);
    }
    // exp(-(E d^2 - k) / 2), E d^2 = |m|^2 + tr Sigma: what the noncentral-chi link converges to; this
    // observation's sigma^2 mean is 0.15 sd low (0.15-0.36 on the five of bench/lfi.ts), outside the 0.1 sd target
    const chi = gridMoments((mu, v) => {
      const z = moments(mu, v);
      return -0.5 * (z.m[0] ** 2 + z.var[0] + z.m[1] ** 2 + z.var[1] - 2);
    });
    expect(chi.shift[1]).toBeLessThan(-0.1);
  });

  it('the whitened summaries are the coordinates of the distance', () => {
    // distance(s) = ||whiten(s)|| for every metric (rounding only: 1e-12 relative)
    for (const metric of ['cube-root', 'variance', 'log-variance'] as const) {
      const p = gaussianSignalProblem(prior, obs, metric);
      for (const s of [Float64Array.of(0.3, 1.7), Float64Array.of(1.9, 4.4), Float64Array.of(obs.mean, obs.ss / (n - 1))]) {
        const z = (p.whiten as (s: Float64Array) => Float64Array)(s);
        expect(Math.hypot(z[0], z[1])).toBeCloseTo(p.distance(s), 10);
      }
    }
  });
});
