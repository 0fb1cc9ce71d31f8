import { describe, expect, it } from 'vitest';
import { expectedLogDistance, noncentralityFromLogDistance } from '../../../src/inference/lfi/chi-link.js';
import { gaussianSignalProblem, nigLogDensity, nigMarginals, nigPosterior, observeGaussianSignal } from '../../../src/inference/lfi/gaussian-signal.js';
import { wishartDraw, wishartLogDensity } from '../../../src/inference/lfi/wishart-shear.js';
import { Random } from '../../../src/math/random.js';
import { digamma, erfc, logGamma, logNormalCdf } from '../../../src/math/special.js';

describe('special functions', () => {
  it('erfc, ln Phi, ln Gamma and digamma match tabulated values', () => {
    // erfc(0.5), erfc(3): Abramowitz & Stegun table 7.1 to 10 digits
    expect(erfc(0.5)).toBeCloseTo(0.4795001222, 10);
    expect(erfc(3) / 2.209049699858544e-5 - 1).toBeLessThan(1e-12);
    expect(erfc(-1)).toBeCloseTo(1.8427007929, 10);
    // ln Phi(-10) = ln(7.619853024160527e-24); the series-to-fraction switch at |z| = 3 is continuous
    expect(logNormalCdf(-10)).toBeCloseTo(Math.log(7.619853024160527e-24), 10);
    expect(logNormalCdf(-3 - 1e-9)).toBeCloseTo(logNormalCdf(-3 + 1e-9), 7);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-0.5772156649015329 - 2 * Math.LN2, 12);
  });
});

describe('Gaussian signal: exact normal-inverse-gamma posterior', () => {
  it('closed-form marginal means and sds agree with a brute-force grid of prior x likelihood', () => {
    const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
    const obs = observeGaussianSignal(50, 0.8, 2.9, 3);
    const post = nigPosterior(prior, obs);
    const m = nigMarginals(post);
    // grid over +- 12 sd: the tails beyond carry < 1e-12 of the mass (Student-t with 94 dof, IG alpha 47)
    const N = 500;
    const mu0 = m.mu[0] - 12 * m.mu[1];
    const dmu = (24 * m.mu[1]) / N;
    const s0 = Math.max(1e-3, m.sigma2[0] - 6 * m.sigma2[1]);
    const ds = (m.sigma2[0] + 14 * m.sigma2[1] - s0) / N;
    let Z = 0;
    let e1 = 0;
    let e2 = 0;
    let v1 = 0;
    let v2 = 0;
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) {
        const mu = mu0 + (a + 0.5) * dmu;
        const s2 = s0 + (b + 0.5) * ds;
        // likelihood of the raw draws through their sufficient statistics
        const lnL = -0.5 * obs.n * Math.log(s2) - (obs.ss + obs.n * (obs.mean - mu) ** 2) / (2 * s2);
        const w = Math.exp(nigLogDensity(prior, mu, s2) + lnL + 200);
        Z += w;
        e1 += w * mu;
        e2 += w * s2;
        v1 += w * mu * mu;
        v2 += w * s2 * s2;
      }
    }
    const mMu = e1 / Z;
    const mS = e2 / Z;
    // midpoint rule on a smooth integrand with 500 cells over 24 sd: error ~ (h/sd)^2 / 24 ~ 1e-4
    expect(Math.abs(mMu - m.mu[0]) / m.mu[1]).toBeLessThan(1e-3);
    expect(Math.abs(mS - m.sigma2[0]) / m.sigma2[1]).toBeLessThan(1e-3);
    expect(Math.sqrt(v1 / Z - mMu * mMu) / m.mu[1]).toBeCloseTo(1, 3);
    expect(Math.sqrt(v2 / Z - mS * mS) / m.sigma2[1]).toBeCloseTo(1, 3);
  });

  it('the simulator summaries are the sample mean and unbiased variance with the right spreads', () => {
    const prior = { eta: 0, lambda: 6, alpha: 22, beta: 54 };
    const obs = observeGaussianSignal(50, 0.8, 2.9, 1);
    const p = gaussianSignalProblem(prior, obs);
    const rng = new Random(9);
    const K = 4000;
    let m1 = 0;
    let m2 = 0;
    let q1 = 0;
    let q2 = 0;
    for (let k = 0; k < K; k++) {
      const s = p.simulate([0.8, 2.9], rng);
      m1 += s[0];
      m2 += s[1];
      q1 += s[0] * s[0];
      q2 += s[1] * s[1];
    }
    m1 /= K;
    m2 /= K;
    const sd1 = Math.sqrt(q1 / K - m1 * m1);
    const sd2 = Math.sqrt(q2 / K - m2 * m2);
    // mean of K draws within 4 standard errors; sample sds within 4 x sd/sqrt(2K) (+ chi^2 skew margin)
    expect(Math.abs(m1 - 0.8)).toBeLessThan(4 * Math.sqrt(2.9 / 50 / K));
    expect(Math.abs(m2 - 2.9)).toBeLessThan(4 * 2.9 * Math.sqrt(2 / 49 / K));
    expect(Math.abs(sd1 / Math.sqrt(2.9 / 50) - 1)).toBeLessThan(4 / Math.sqrt(2 * K));
    expect(Math.abs(sd2 / (2.9 * Math.sqrt(2 / 49)) - 1)).toBeLessThan(6 / Math.sqrt(2 * K));
  });
});

describe('Wishart band powers', () => {
  it('the log-density matches the direct formula for 1 x 1 (a Gamma) and 2 x 2', () => {
    // 1 x 1: Wishart(nu, v) is Gamma(shape nu/2, scale 2v)
    const x = 1.7;
    const v = 0.6;
    const nu = 7.5;
    const gamma = (nu / 2 - 1) * Math.log(x) - x / (2 * v) - (nu / 2) * Math.log(2 * v) - logGamma(nu / 2);
    expect(wishartLogDensity([x], [v], nu, 1)).toBeCloseTo(gamma, 12);
    // 2 x 2 by hand: |X|, tr(V^-1 X) with the explicit inverse, Gamma_2(a) = sqrt(pi) Gamma(a) Gamma(a - 1/2)
    const X = [2.0, 0.3, 0.3, 1.1];
    const V = [0.5, -0.1, -0.1, 0.4];
    const n2 = 9;
    const detX = X[0] * X[3] - X[1] * X[2];
    const detV = V[0] * V[3] - V[1] * V[2];
    const tr = (V[3] * X[0] - V[1] * X[2] - V[2] * X[1] + V[0] * X[3]) / detV;
    const direct = ((n2 - 3) / 2) * Math.log(detX) - tr / 2 - n2 * Math.LN2 - (n2 / 2) * Math.log(detV) - (0.5 * Math.log(Math.PI) + logGamma(n2 / 2) + logGamma(n2 / 2 - 0.5));
    expect(wishartLogDensity(X, V, n2, 2)).toBeCloseTo(direct, 12);
  });

  it('Bartlett draws have mean C and the Knox variances 2 C_ii^2 / nu, (C_01^2 + C_00 C_11) / nu', () => {
    const C = [2.0, 0.6, 0.6, 1.0];
    const nu = 12.5;
    const rng = new Random(4);
    const K = 6000;
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    for (let k = 0; k < K; k++) {
      const W = wishartDraw(C, nu, 2, rng);
      [W[0], W[1], W[3]].forEach((w, i) => {
        sum[i] += w;
        sq[i] += w * w;
      });
    }
    const target = [C[0], C[1], C[3]];
    const variance = [(2 * C[0] ** 2) / nu, (C[1] ** 2 + C[0] * C[3]) / nu, (2 * C[3] ** 2) / nu];
    for (let i = 0; i < 3; i++) {
      const m = sum[i] / K;
      const vhat = sq[i] / K - m * m;
      // means within 4 standard errors; variances within 4 x their standard error (kurtosis of a
      // Wishart entry is near 3 + 12/nu, so se(var) ~ var sqrt((2 + 12/nu) / K))
      expect(Math.abs(m - target[i])).toBeLessThan(4 * Math.sqrt(variance[i] / K));
      expect(Math.abs(vhat / variance[i] - 1)).toBeLessThan(4 * Math.sqrt((2 + 12 / nu) / K));
    }
  });
});

describe('noncentral chi link', () => {
  it('E[ln d] for d^2 ~ noncentral chi^2 matches its limits and Monte Carlo, and inverts', () => {
    // lambda = 0, k = 2: d^2 ~ Exp(mean 2), E ln d = (ln 2 - gamma) / 2
    expect(expectedLogDistance(2, 0)).toBeCloseTo((Math.LN2 - 0.5772156649015329) / 2, 12);
    const rng = new Random(2);
    for (const [k, lambda] of [[2, 3], [3, 10], [2, 400]] as const) {
      const K = 40000;
      let s = 0;
      let s2 = 0;
      for (let r = 0; r < K; r++) {
        let d2 = 0;
        for (let i = 0; i < k; i++) d2 += (rng.normal() + (i === 0 ? Math.sqrt(lambda) : 0)) ** 2;
        const l = 0.5 * Math.log(d2);
        s += l;
        s2 += l * l;
      }
      const m = s / K;
      const se = Math.sqrt((s2 / K - m * m) / K);
      expect(Math.abs(expectedLogDistance(k, lambda) - m)).toBeLessThan(4 * se);
      expect(noncentralityFromLogDistance(k, expectedLogDistance(k, lambda)) / lambda).toBeCloseTo(1, 6);
    }
  });
});

describe('Wishart cosmic-shear simulator', () => {
  it('interpolated spectra match the theory engine, and ln L differences match the Wishart densities', async () => {
    const { WishartShear, defaultWishartSettings } = await import('../../../src/inference/lfi/wishart-shear.js');
    const model = new WishartShear(defaultWishartSettings());
    for (const t of [[0.2013, 0.71], [0.3377, 0.93]]) {
      const a = model.spectra(t);
      const b = model.theorySpectra(t);
      // 61 spline nodes over Omega_c: O(h^4) error, and sigma8^2 scaling is exact in linear theory
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] / b[i] - 1)).toBeLessThan(1e-5);
    }
    const obs = model.simulate([0.27, 0.83], new Random(3));
    const t1 = [0.25, 0.86];
    const t2 = [0.3, 0.79];
    const direct = (t: number[]) =>
      model.bandMatrices(model.spectra(t)).reduce((s, C, b) => s + wishartLogDensity(obs[b], C.map((v) => v / model.nu[b]), model.nu[b], model.p), 0);
    const diff = model.logLikelihood(t1, obs) - model.logLikelihood(t2, obs);
    // the dropped terms do not depend on theta; relative roundoff of sums of ~1e5-size terms
    expect(Math.abs(diff - (direct(t1) - direct(t2)))).toBeLessThan(1e-6 * Math.max(1, Math.abs(diff)));
  });
});
