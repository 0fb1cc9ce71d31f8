import { describe, expect, it } from 'vitest';
import { PowerLawField } from '../../src/field/gaussian-random-field.js';
import { imnnLoss, imnnStatistics, regularisationRate, scoreEstimate, signedLogDet, type ImnnOutputs } from '../../src/inference/compression/imnn-loss.js';
import { simulateSet, outputsOf } from '../../src/inference/compression/imnn.js';
import { GaussianMeanVariance, PowerLawFieldBands } from '../../src/inference/compression/imnn-toys.js';
import { Random } from '../../src/math/random.js';

function randomOutputs(nS: number, nD: number, m: number, p: number, rng: Random): ImnnOutputs {
  const arr = (n: number, f: () => number) => Float64Array.from({ length: n }, f);
  // Summaries with a covariance away from the identity and derivatives of order 1, so every term matters.
  const fiducial = arr(nS * m, () => 1.3 * rng.normal() + 0.2);
  const plus = Array.from({ length: p }, () => arr(nD * m, () => rng.normal()));
  const minus = plus.map((x) => Float64Array.from(x, (v) => v - 0.3 + 0.1 * rng.normal()));
  return { fiducial, nS, plus, minus, nD, m };
}

describe('IMNN loss (Charnock, Lavaux & Wandelt 2018)', () => {
  it("the regulariser's rate is the authors' closed form", () => {
    // alpha = -ln(eps (lambda - 1) + eps^2 / (1 + eps)) / eps; lambda 10, eps 0.1: -ln(0.9 + 0.01/1.1) / 0.1.
    expect(regularisationRate(10, 0.1)).toBeCloseTo(-Math.log(0.9 + 0.01 / 1.1) / 0.1, 14);
    expect(signedLogDet([2, 1, 1, 3], 2)).toBeCloseTo(Math.log(5), 14);
    expect(signedLogDet([1, 2, 3, 4], 2)).toBeCloseTo(-Math.log(2), 14); // det = -2: sign x ln|det| as numpy's slogdet product
  });

  it('the hand-derived gradient with respect to every network output matches central finite differences', () => {
    const rng = new Random(3);
    for (const [m, p] of [[2, 2], [3, 2]]) {
      const o = randomOutputs(15, 7, m, p, rng);
      const delta = [0.2, 0.05];
      const alpha = regularisationRate(10, 0.1);
      const grad = { fiducial: new Float64Array(o.nS * m), plus: o.plus.map((x) => new Float64Array(x.length)), minus: o.minus.map((x) => new Float64Array(x.length)) };
      const base = imnnLoss(o, delta, 10, alpha, grad);
      expect(base.lambda2).toBeGreaterThan(0.1); // the regulariser is active, so its gradient is tested too
      const check = (arr: Float64Array, g: Float64Array, i: number) => {
        const h = 1e-5;
        const keep = arr[i];
        arr[i] = keep + h;
        const up = imnnLoss(o, delta, 10, alpha).loss;
        arr[i] = keep - h;
        const down = imnnLoss(o, delta, 10, alpha).loss;
        arr[i] = keep;
        const fd = (up - down) / (2 * h);
        // Central differences: truncation ~h^2 L''' ~ 1e-9 and rounding ~1e-16 L / h ~ 1e-10 on gradients
        // of order 0.01-10; tolerance 1e-6 absolute + 1e-5 relative.
        expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 + 1e-5 * Math.abs(fd));
      };
      for (let i = 0; i < o.nS * m; i++) check(o.fiducial as Float64Array, grad.fiducial, i);
      for (let a = 0; a < p; a++) for (let i = 0; i < o.nD * m; i += 3) {
        check(o.plus[a] as Float64Array, grad.plus[a], i);
        check(o.minus[a] as Float64Array, grad.minus[a], i);
      }
    }
  });

  it('sufficient statistics of the Gaussian toy reach det F = 50 through the seed-matched estimators', () => {
    // t = (sum x, sum x^2) is sufficient for (mu, Sigma); F estimated from 4000 + 4000 simulations.
    const sim = new GaussianMeanVariance(10);
    const set = simulateSet(sim, [0, 1], [0.1, 0.1], 4000, 4000, 7, (n) => new Float64Array(n));
    const y = new Float64Array(set.rows * 2);
    for (let r = 0; r < set.rows; r++) {
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < 10; i++) {
        const x = set.x[r * 10 + i];
        s1 += x;
        s2 += x * x;
      }
      y[2 * r] = s1;
      y[2 * r + 1] = s2;
    }
    const stats = imnnStatistics(outputsOf(y, set, 2), [0.1, 0.1]);
    const detF = stats.F[0] * stats.F[3] - stats.F[1] * stats.F[2];
    // The estimated C^-1 from n_s = 4000 draws has relative noise ~sqrt(2 / 4000) = 2.2% per element; the
    // seed-matched derivatives are exact for sum x and carry 1/sqrt(n_d)-level noise for sum x^2 (~1.6%):
    // 10% is > 3 sigma of det F.
    expect(Math.abs(detF / 50 - 1)).toBeLessThan(0.1);
    // The score estimate of the fiducial simulations is unbiased around theta_fid.
    const est = scoreEstimate(stats, [0, 1], y, set.nS);
    let m0 = 0;
    let m1 = 0;
    for (let k = 0; k < set.nS; k++) {
      m0 += est[2 * k] / set.nS;
      m1 += est[2 * k + 1] / set.nS;
    }
    expect(Math.abs(m0)).toBeLessThan(1e-12); // sum (s_k - mu) = 0 exactly
    expect(Math.abs(m1 - 1)).toBeLessThan(1e-12);
  });
});

describe('power-law Gaussian random field', () => {
  it('the exact Fisher matrix 1/2 Tr(P_,a P^-1 P_,b P^-1) matches the covariance of the score over simulated fields', () => {
    const f = new PowerLawField(32);
    const theta = [1, 0.5];
    const F = f.fisher(theta);
    // F_AA = (N^2 - 1) / 2 exactly at A = 1.
    expect(F[0]).toBeCloseTo(511.5, 10);
    const n = 2000;
    const s = [new Float64Array(n), new Float64Array(n)];
    for (let k = 0; k < n; k++) {
      const t = f.score(theta, f.power(f.field(theta, 100 + k)));
      s[0][k] = t[0];
      s[1][k] = t[1];
    }
    const mean = s.map((c) => c.reduce((a, b) => a + b, 0) / n);
    const cov = (a: number, b: number) => s[a].reduce((acc, x, k) => acc + (x - mean[a]) * (s[b][k] - mean[b]), 0) / (n - 1);
    // <t> = 0: within 4 standard errors sqrt(F_aa / n).
    for (let a = 0; a < 2; a++) expect(Math.abs(mean[a]) / Math.sqrt(F[a * 3] / n)).toBeLessThan(4);
    // Sample (co)variances of n = 2000 draws: relative sd ~ sqrt(2 / n) = 3.2% (off-diagonal similar
    // relative to sqrt(F_aa F_bb)); tolerance ~4 sd = 13%.
    expect(Math.abs(cov(0, 0) / F[0] - 1)).toBeLessThan(0.13);
    expect(Math.abs(cov(1, 1) / F[3] - 1)).toBeLessThan(0.13);
    expect(Math.abs(cov(0, 1) - F[1]) / Math.sqrt(F[0] * F[3])).toBeLessThan(0.13);
  });

  it('fields are seed-matched and band powers keep most of the information', () => {
    const b = new PowerLawFieldBands(32, 24);
    const f1 = b.field.field([1, 0.5], 9);
    const f2 = b.field.field([1.2, 0.5], 9);
    // Same seed, A scaled by 1.2: the field scales by sqrt(1.2) exactly (to rounding).
    for (let i = 0; i < f1.length; i += 37) expect(f2[i]).toBeCloseTo(f1[i] * Math.sqrt(1.2), 12);
    const det = (F: Float64Array) => F[0] * F[3] - F[1] * F[2];
    const ratio = det(b.bandFisher([1, 0.5])) / det(b.fisher([1, 0.5]));
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThanOrEqual(1 + 1e-12);
  });
});
