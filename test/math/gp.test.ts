import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/math/gp.js';
import { cholesky } from '../../src/math/linalg.js';
import { Random } from '../../src/math/random.js';

const f2 = (x: number, y: number) => Math.sin(3 * x) * Math.cos(2 * y) + 0.5 * x;

function design(n: number, d: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: n * d }, () => rng.uniform());
}

describe('Gaussian process', () => {
  it('interpolates noiseless training points exactly, with zero variance there', () => {
    const n = 25;
    const X = design(n, 2, 1);
    const y = Float64Array.from({ length: n }, (_, i) => f2(X[2 * i], X[2 * i + 1]));
    for (const kernel of ['rbf', 'matern52'] as const) {
      const gp = GaussianProcess.fit(X, y, n, 2, { kernel, noise: 0, jitter: 1e-12, meanDegree: 1, restarts: 2, seed: 3 });
      const { mean, variance } = gp.predictMany(X, n);
      const pm = gp.predictMean(X, n);
      const amp = gp.hyper.amplitude;
      for (let i = 0; i < n; i++) {
        // jitter 1e-12 x sigma_f^2 on the diagonal perturbs the interpolant by ~1e-12 x cond(K); 1e-6 is
        // far above that and far below the function's O(1) variation
        expect(Math.abs(mean[i] - y[i])).toBeLessThan(1e-6);
        expect(pm[i]).toBeCloseTo(mean[i], 12);
        expect(variance[i] / amp).toBeLessThan(1e-6);
      }
      // away from the data the variance is positive
      expect(gp.predict([1.5, 1.5]).variance).toBeGreaterThan(1e-4 * amp);
    }
  });

  it('predictive mean and variance match the hand-computed two-point case (zero and constant mean)', () => {
    const X = Float64Array.of(0, 1);
    const y = Float64Array.of(1, -0.5);
    const hyper = { lengthScales: [1], amplitude: 2, noise: 0.1 };
    const xs = 0.3;
    const k = (a: number, b: number) => 2 * Math.exp(-0.5 * (a - b) ** 2);
    const a11 = k(0, 0) + 0.1;
    const a12 = k(0, 1);
    const det = a11 * a11 - a12 * a12;
    const Ki = [a11 / det, -a12 / det, -a12 / det, a11 / det];
    const ks = [k(0, xs), k(1, xs)];
    const kiy = [Ki[0] * y[0] + Ki[1] * y[1], Ki[2] * y[0] + Ki[3] * y[1]];
    const kik = [Ki[0] * ks[0] + Ki[1] * ks[1], Ki[2] * ks[0] + Ki[3] * ks[1]];
    // zero mean: R&W eq. 2.25-2.26
    const gp0 = GaussianProcess.withHyperparameters(X, y, 2, 1, hyper, { meanDegree: null, jitter: 0 });
    const p0 = gp0.predict([xs]);
    expect(p0.mean).toBeCloseTo(ks[0] * kiy[0] + ks[1] * kiy[1], 13);
    expect(p0.variance).toBeCloseTo(2 - (ks[0] * kik[0] + ks[1] * kik[1]), 13);
    // constant mean marginalised: beta = 1^T K^-1 y / 1^T K^-1 1, extra variance R^2 / A (R&W eq. 2.42)
    const A = Ki[0] + Ki[1] + Ki[2] + Ki[3];
    const beta = (kiy[0] + kiy[1]) / A;
    const r = [y[0] - beta, y[1] - beta];
    const kir = [Ki[0] * r[0] + Ki[1] * r[1], Ki[2] * r[0] + Ki[3] * r[1]];
    const R = 1 - (kik[0] + kik[1]);
    const gp1 = GaussianProcess.withHyperparameters(X, y, 2, 1, hyper, { meanDegree: 0, jitter: 0 });
    const p1 = gp1.predict([xs]);
    expect(gp1.meanCoefficients()[0]).toBeCloseTo(beta, 13);
    expect(p1.mean).toBeCloseTo(beta + ks[0] * kir[0] + ks[1] * kir[1], 13);
    expect(p1.variance).toBeCloseTo(2 - (ks[0] * kik[0] + ks[1] * kik[1]) + (R * R) / A, 13);
    // ln p(y) with the marginalised constant: R&W eq. 2.45 with n = 2, p = 1
    const lml = -0.5 * (r[0] * kir[0] + r[1] * kir[1]) - 0.5 * Math.log(det) - 0.5 * Math.log(A) - 0.5 * Math.log(2 * Math.PI);
    expect(gp1.logMarginalLikelihood()).toBeCloseTo(lml, 12);
  });

  it('the gradient of ln p(y) matches central finite differences for both kernels and mean degrees', () => {
    const n = 30;
    const d = 2;
    const X = design(n, d, 7);
    const rng = new Random(8);
    const y = Float64Array.from({ length: n }, (_, i) => f2(X[2 * i], X[2 * i + 1]) + 0.05 * rng.normal());
    for (const kernel of ['rbf', 'matern52'] as const) {
      for (const meanDegree of [null, 0, 1, 2] as const) {
        const gp = GaussianProcess.withHyperparameters(X, y, n, d, { lengthScales: [0.4, 0.7], amplitude: 0.8, noise: 0.01 }, { kernel, meanDegree, noise: 'fit' });
        const t = gp.logHyperparameters();
        const { grad } = gp.logMarginalLikelihoodAt(t);
        for (let i = 0; i < t.length; i++) {
          const h = 1e-5;
          const tp = Float64Array.from(t);
          const tm = Float64Array.from(t);
          tp[i] += h;
          tm[i] -= h;
          const fd = (gp.logMarginalLikelihoodAt(tp).value - gp.logMarginalLikelihoodAt(tm).value) / (2 * h);
          // central differences err by O(h^2 f''') ~ 1e-9 plus roundoff ~1e-16 |f| / h ~ 1e-10
          expect(Math.abs(grad[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });

  it('heteroscedastic noise: the two-point case by hand, the gradient by finite differences, JSON, bad shapes', () => {
    // two points with noise variances 0.1 x (0.5, 3): K = k + diag(0.05, 0.3), zero mean (R&W eq. 2.25)
    const X = Float64Array.of(0, 1);
    const y = Float64Array.of(1, -0.5);
    const hyper = { lengthScales: [1], amplitude: 2, noise: 0.1 };
    const k = (a: number, b: number) => 2 * Math.exp(-0.5 * (a - b) ** 2);
    const a11 = k(0, 0) + 0.05;
    const a22 = k(0, 0) + 0.3;
    const a12 = k(0, 1);
    const det = a11 * a22 - a12 * a12;
    const ks = [k(0, 0.3), k(1, 0.3)];
    const kiy = [(a22 * y[0] - a12 * y[1]) / det, (a11 * y[1] - a12 * y[0]) / det];
    const gp = GaussianProcess.withHyperparameters(X, y, 2, 1, hyper, { meanDegree: null, jitter: 0, noiseShape: [0.5, 3] });
    expect(gp.predict([0.3]).mean).toBeCloseTo(ks[0] * kiy[0] + ks[1] * kiy[1], 13);
    const lml = -0.5 * (y[0] * kiy[0] + y[1] * kiy[1]) - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    expect(gp.logMarginalLikelihood()).toBeCloseTo(lml, 12);
    // the noise gradient carries the shape: d K_ii / d ln sigma_n^2 = sigma_n^2 w_i
    const n = 30;
    const Xd = design(n, 2, 7);
    const rng = new Random(9);
    const w = Float64Array.from({ length: n }, (_, i) => 0.2 + 3 * Xd[2 * i]);
    const yd = Float64Array.from({ length: n }, (_, i) => f2(Xd[2 * i], Xd[2 * i + 1]) + 0.05 * Math.sqrt(w[i]) * rng.normal());
    const g = GaussianProcess.withHyperparameters(Xd, yd, n, 2, { lengthScales: [0.4, 0.7], amplitude: 0.8, noise: 0.01 }, { meanDegree: 2, noise: 'fit', noiseShape: w });
    const t = g.logHyperparameters();
    const { grad } = g.logMarginalLikelihoodAt(t);
    for (let i = 0; i < t.length; i++) {
      const h = 1e-5;
      const tp = Float64Array.from(t);
      const tm = Float64Array.from(t);
      tp[i] += h;
      tm[i] -= h;
      const fd = (g.logMarginalLikelihoodAt(tp).value - g.logMarginalLikelihoodAt(tm).value) / (2 * h);
      // as for the homoscedastic gradient test above
      expect(Math.abs(grad[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
    const back = GaussianProcess.fromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    expect(back.logMarginalLikelihood()).toBeCloseTo(g.logMarginalLikelihood(), 10);
    expect(back.predict([0.4, 0.6]).mean).toBeCloseTo(g.predict([0.4, 0.6]).mean, 12);
    expect(() => GaussianProcess.withHyperparameters(X, y, 2, 1, hyper, { noiseShape: [1] })).toThrow(/noiseShape must hold n = 2/);
    expect(() => GaussianProcess.withHyperparameters(X, y, 2, 1, hyper, { noiseShape: [1, 0] })).toThrow(/noiseShape\[1\] = 0/);
  });

  it('maximum marginal likelihood recovers the length scale of data drawn from that GP', () => {
    const n = 120;
    const ell = 0.15;
    const rng = new Random(11);
    const X = Float64Array.from({ length: n }, () => rng.uniform());
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = 1.5 * Math.exp(-0.5 * ((X[i] - X[j]) / ell) ** 2) + (i === j ? 1e-3 : 0);
    const L = cholesky(K, n);
    const z = Float64Array.from({ length: n }, () => rng.normal());
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) y[i] += L[i * n + k] * z[k];
    const gp = GaussianProcess.fit(X, y, n, 1, { kernel: 'rbf', meanDegree: null, noise: 1e-3, restarts: 4, seed: 5 });
    const lnEll = Math.log(gp.hyper.lengthScales[0]);
    // the gradient vanishes at the optimum
    expect(Math.abs(gp.logMarginalLikelihoodAt(gp.logHyperparameters()).grad[0])).toBeLessThan(1e-3);
    // width of ln p(y) in ln l from its curvature at the optimum (Laplace), by finite differences
    const t = gp.logHyperparameters();
    const h = 1e-3;
    const at = (dl: number) => {
      const u = Float64Array.from(t);
      u[0] += dl;
      return gp.logMarginalLikelihoodAt(u).value;
    };
    const curv = (at(h) - 2 * at(0) + at(-h)) / (h * h);
    expect(curv).toBeLessThan(0);
    const sigma = 1 / Math.sqrt(-curv);
    // a draw from the GP puts the estimate within 3 Laplace widths of the truth (99.7%, one fixed seed)
    expect(Math.abs(lnEll - Math.log(ell))).toBeLessThan(3 * sigma);
    expect(sigma).toBeLessThan(0.2);
  });

  it('round-trips through JSON and rejects bad input with a message naming the value', () => {
    const n = 12;
    const X = design(n, 1, 2);
    const y = X.map((x) => Math.sin(4 * x));
    const gp = GaussianProcess.fit(X, y, n, 1, { kernel: 'matern52', meanDegree: 2, restarts: 1 });
    const back = GaussianProcess.fromJSON(JSON.parse(JSON.stringify(gp.toJSON())));
    const q = Float64Array.of(0.1, 0.55, 0.93);
    const a = gp.predictMany(q, 3);
    const b = back.predictMany(q, 3);
    for (let i = 0; i < 3; i++) {
      expect(b.mean[i]).toBeCloseTo(a.mean[i], 12);
      expect(b.variance[i]).toBeCloseTo(a.variance[i], 12);
    }
    expect(back.logMarginalLikelihood()).toBeCloseTo(gp.logMarginalLikelihood(), 10);
    expect(() => GaussianProcess.fit(X, y.subarray(1), n, 1)).toThrow(/y must hold n = 12/);
    expect(() => GaussianProcess.fit(X, y, n, 1, { kernel: 'cubic' as never })).toThrow(/'cubic'/);
  });
});

describe('Gaussian process posterior covariance', () => {
  it('has the predictive variances on its diagonal and is symmetric', () => {
    const n = 15;
    const X = design(n, 2, 4);
    const y = Float64Array.from({ length: n }, (_, i) => f2(X[2 * i], X[2 * i + 1]));
    const gp = GaussianProcess.withHyperparameters(X, y, n, 2, { lengthScales: [0.3, 0.5], amplitude: 1, noise: 1e-3 }, { kernel: 'matern52', meanDegree: 1 });
    const Q = Float64Array.of(0.2, 0.3, 0.9, 0.1, 0.5, 0.5);
    const C = gp.posteriorCovariance(Q, 3, Q, 3);
    const { variance } = gp.predictMany(Q, 3);
    for (let i = 0; i < 3; i++) {
      expect(C[i * 3 + i]).toBeCloseTo(variance[i], 13);
      for (let j = 0; j < 3; j++) expect(C[i * 3 + j]).toBeCloseTo(C[j * 3 + i], 13);
    }
  });
});
