/**
 * The infinite-simulation targets of BOLFI's likelihoods on the Gaussian signal (n = 50 draws of N(0.8,
 * 2.9), NIG prior (0, 6, 22, 54)), observations from deriveSeed(S, 0) for S = 1..5 as `cosmeta lfi bolfi
 * --seed S` draws them: prior x L integrated on a 400 x 400 grid over the problem's box, with the exact
 * moments of the whitened summaries z = (sqrt(n)(xbar - xbar_obs)/s_obs, sqrt(9 nu / 2)(cbrt(s^2/s_obs^2)
 * - 1)) in place of any GP. Rows: the noncentral-chi link, exp(-(E d^2 - k) / 2) with E d^2 = |m|^2 +
 * tr Sigma; the same with the noise-free lambda = |m|^2; and the Gaussian density N(0; m, Sigma) the
 * synthetic likelihood estimates (synthetic.ts). Prints mean shifts in exact sds and width ratios.
 *
 *   npx vite-node bench/lfi-link.ts
 */
import { gaussianSignalProblem, nigLogDensity, nigMarginals, nigPosterior, observeGaussianSignal } from '../src/inference/lfi/gaussian-signal.js';
import { deriveSeed } from '../src/math/random.js';
import { logGamma } from '../src/math/special.js';

const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
const n = 50;
const nu = n - 1;
const EW = Math.exp(Math.log(2 / nu) / 3 + logGamma(nu / 2 + 1 / 3) - logGamma(nu / 2));
const EW2 = Math.exp((2 * Math.log(2 / nu)) / 3 + logGamma(nu / 2 + 2 / 3) - logGamma(nu / 2));
const K2 = 4.5 * nu;
for (const seed of [1, 2, 3, 4, 5]) {
  const obs = observeGaussianSignal(n, 0.8, 2.9, deriveSeed(seed, 0));
  const ex = nigMarginals(nigPosterior(prior, obs));
  const p = gaussianSignalProblem(prior, obs);
  const s2 = obs.ss / nu;
  const z = (mu: number, v: number) => {
    const c = Math.cbrt(v / s2);
    return { m1sq: (n * (mu - obs.mean) ** 2) / s2, v1: v / s2, m2sq: K2 * (c * EW - 1) ** 2, v2: K2 * c * c * (EW2 - EW * EW) };
  };
  const links: Record<string, (mu: number, v: number) => number> = {
    'noncentral-chi': (mu, v) => {
      const q = z(mu, v);
      return -0.5 * (q.m1sq + q.v1 + q.m2sq + q.v2 - 2);
    },
    'noise-free lambda': (mu, v) => {
      const q = z(mu, v);
      return -0.5 * (q.m1sq + q.m2sq);
    },
    'gaussian density (synthetic)': (mu, v) => {
      const q = z(mu, v);
      return -0.5 * (q.m1sq / q.v1 + Math.log(q.v1) + q.m2sq / q.v2 + Math.log(q.v2));
    },
  };
  for (const [name, ll] of Object.entries(links)) {
    const N = 400;
    let w = 0;
    const s = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const mu = p.lower[0] + ((i + 0.5) * (p.upper[0] - p.lower[0])) / N;
        const v = p.lower[1] + ((j + 0.5) * (p.upper[1] - p.lower[1])) / N;
        const e = Math.exp(nigLogDensity(prior, mu, v) + ll(mu, v));
        w += e;
        s[0] += e * mu;
        s[1] += e * v;
        s[2] += e * mu * mu;
        s[3] += e * v * v;
      }
    }
    const m = [s[0] / w, s[1] / w];
    const sd = [Math.sqrt(s[2] / w - m[0] ** 2), Math.sqrt(s[3] / w - m[1] ** 2)];
    const out = { seed, link: name, meanShiftSigma: { mu: (m[0] - ex.mu[0]) / ex.mu[1], sigma2: (m[1] - ex.sigma2[0]) / ex.sigma2[1] }, widthRatio: { mu: sd[0] / ex.mu[1], sigma2: sd[1] / ex.sigma2[1] } };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}
