import { describe, expect, it } from 'vitest';
import { DenseCovariance } from '../../src/inference/compression/dense-covariance.js';
import { fisherFromDerivatives, fisherMatrix } from '../../src/inference/compression/fisher.js';
import { addPriors, deltaChi2For2D, ellipsePoints, fisherErrors, marginalBlock, reparametrise } from '../../src/inference/compression/forecast.js';
import { compress, compressedFisher, MopedLikelihood, mopedVectors } from '../../src/inference/compression/moped.js';
import { GaussianLikelihood, type BatchedModel } from '../../src/inference/likelihood.js';
import { OMEGA_M, S8 } from '../../src/inference/priors.js';
import { inverseSpd } from '../../src/math/linalg.js';
import { Random } from '../../src/math/random.js';

/** A random SPD covariance A A^T / D + diag(0.5 .. 1.5), condition number ~10-100. */
function randomCovariance(D: number, rng: Random): Float64Array {
  const A = Float64Array.from({ length: D * D }, () => rng.normal());
  const C = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += A[i * D + k] * A[j * D + k];
    C[i * D + j] = s / D + (i === j ? 0.5 + rng.uniform() : 0);
  }
  return C;
}

/** mu(theta) = M theta + c, M [D x P] column a = d mu / d theta_a. */
function linearModel(M: Float64Array[], c: Float64Array): BatchedModel {
  const P = M.length;
  const D = c.length;
  return {
    parameterNames: Array.from({ length: P }, (_, a) => `t${a}`),
    dataSize: D,
    predict: async (rows, n) => {
      const out = new Float64Array(n * D);
      for (let r = 0; r < n; r++) for (let i = 0; i < D; i++) {
        let s = c[i];
        for (let a = 0; a < P; a++) s += M[a][i] * rows[r * P + a];
        out[r * D + i] = s;
      }
      return out;
    },
    close: async () => {},
  };
}

function fullFisher(M: Float64Array[], C: Float64Array): Float64Array {
  const D = M[0].length;
  const Cinv = inverseSpd(C, D);
  const P = M.length;
  const F = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
    let s = 0;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) s += M[a][i] * Cinv[i * D + j] * M[b][j];
    F[a * P + b] = s;
  }
  return F;
}

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / scale);
  return e;
}

describe('MOPED (Heavens, Jimenez & Lahav 2000)', () => {
  const rng = new Random(11);
  const D = 40;
  const P = 4;
  const C = randomCovariance(D, rng);
  const M = Array.from({ length: P }, () => Float64Array.from({ length: D }, () => rng.normal()));

  it('on a linear-Gaussian toy, the compressed Fisher matrix equals the full one to 1e-8 relative', () => {
    const b = mopedVectors(M, C);
    // Orthonormal in the C metric: b_m^T C b_n = delta_mn (rounding of a 40 x 40 Cholesky: ~1e-13).
    for (let m = 0; m < P; m++) for (let n = 0; n < P; n++) {
      let s = 0;
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) s += b[m][i] * C[i * D + j] * b[n][j];
      expect(Math.abs(s - (m === n ? 1 : 0))).toBeLessThan(1e-10);
    }
    const Ffull = fullFisher(M, C);
    expect(maxRelative(compressedFisher(b, M), Ffull)).toBeLessThan(1e-8);
    // The same through the library's Fisher (whitened derivatives) as a cross-check of both.
    expect(maxRelative(fisherFromDerivatives(M, C), Ffull)).toBeLessThan(1e-10);
  });

  it('the compressed likelihood differs from the full one by a theta-independent constant on a linear model', async () => {
    const c = Float64Array.from({ length: D }, () => rng.normal());
    const model = linearModel(M, c);
    const theta0 = Float64Array.from({ length: P }, () => rng.normal());
    const L = new DenseCovariance(C).factor;
    // Data: the model at theta0 plus correlated noise L z.
    const data = await model.predict(theta0, 1);
    const z = Float64Array.from({ length: D }, () => rng.normal());
    for (let i = 0; i < D; i++) for (let k = 0; k <= i; k++) data[i] += L[i * D + k] * z[k];
    const full = new GaussianLikelihood(data, { size: D, chi2: (r) => new DenseCovariance(C).inner(r, r) });
    const moped = new MopedLikelihood(mopedVectors(M, C), data);
    const diffs: number[] = [];
    for (let t = 0; t < 5; t++) {
      const theta = Float64Array.from(theta0, (x) => x + rng.normal());
      const m = await model.predict(theta, 1);
      diffs.push(full.logLike(m) - moped.logLike(m));
    }
    // For a linear model chi^2 splits into the part in the span of C^-1 M (the compressed chi^2) and a
    // data-only remainder; the differences agree to rounding of chi^2 ~ 40 (1e-12 relative).
    for (const d of diffs) expect(Math.abs(d - diffs[0])).toBeLessThan(1e-9);
    expect(compress(moped.vectors, data)).toEqual(moped.compressed);
  });

  it('refuses a derivative that is a combination of earlier ones', () => {
    const dup = Float64Array.from(M[0], (x, i) => 2 * x - M[1][i]);
    expect(() => mopedVectors([M[0], M[1], dup], C)).toThrow(/degenerate/);
  });
});

describe('Fisher matrices', () => {
  it('is exact for a linear model (central differences and Richardson are exact for a line)', async () => {
    const rng = new Random(5);
    const D = 30;
    const C = randomCovariance(D, rng);
    const M = Array.from({ length: 3 }, () => Float64Array.from({ length: D }, () => rng.normal()));
    const model = linearModel(M, new Float64Array(D).fill(1));
    for (const method of ['central', 'richardson'] as const) {
      const r = await fisherMatrix(model, [0.3, -1, 2], C, { steps: [0.1, 0.1, 0.1], method });
      // Differences of exactly linear values: only rounding of mu ~ 10 over steps >= 0.006 (~1e-13).
      expect(maxRelative(r.F, fullFisher(M, C))).toBeLessThan(1e-9);
    }
  });

  it('the step study finds the plateau: central errors fall as h^2, Richardson as h^4, and the kept derivative is accurate', async () => {
    // mu_i = exp(a t_i) + sin(b t_i) on t in [0, 1]: d/da = t exp(a t), d/db = t cos(b t).
    const D = 25;
    const t = Float64Array.from({ length: D }, (_, i) => i / (D - 1));
    const model: BatchedModel = {
      parameterNames: ['a', 'b'],
      dataSize: D,
      predict: async (rows, n) => {
        const out = new Float64Array(n * D);
        for (let r = 0; r < n; r++) for (let i = 0; i < D; i++) out[r * D + i] = Math.exp(rows[2 * r] * t[i]) + Math.sin(rows[2 * r + 1] * t[i]);
        return out;
      },
      close: async () => {},
    };
    const C = new Float64Array(D * D);
    for (let i = 0; i < D; i++) C[i * D + i] = 1e-4;
    const a = 0.7;
    const b = 2.1;
    const exact = [Float64Array.from(t, (x) => x * Math.exp(a * x)), Float64Array.from(t, (x) => x * Math.cos(b * x))];
    const central = await fisherMatrix(model, [a, b], C, { steps: [0.4, 0.4], method: 'central', levels: 5 });
    // Successive changes of central differences shrink by 2^2 = 4 per halving (leading error term).
    for (const s of central.study) {
      const ratio = s.levels[0].change / s.levels[1].change;
      expect(ratio).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    }
    const rich = await fisherMatrix(model, [a, b], C, { steps: [0.4, 0.4], method: 'richardson', levels: 5 });
    for (const s of rich.study) {
      const ratio = s.levels[0].change / s.levels[1].change;
      expect(ratio).toBeGreaterThan(12); // 2^4 = 16, with next-order terms at these steps
      expect(ratio).toBeLessThan(20);
    }
    // Richardson at h = 0.025-0.05: error ~ h^4 f^(5) / 30 ~ 1e-7 relative.
    rich.derivatives.forEach((d, k) => expect(maxRelative(d, exact[k])).toBeLessThan(1e-6));
    expect(maxRelative(rich.F, fisherFromDerivatives(exact, C))).toBeLessThan(1e-6);
  });

  it('marginal, conditional errors, priors and the (Omega_m, S8) change of variables', () => {
    // F for (Omega_c, Omega_b, sigma8): marginal covariance of derived q = g(p) must equal G F^-1 G^T.
    const names = ['Omega_c', 'Omega_b', 'sigma8'];
    const theta = [0.25, 0.05, 0.8];
    const F = Float64Array.of(4e4, 1e4, 2e4, 1e4, 9e4, 3e3, 2e4, 3e3, 1.5e4);
    const e = fisherErrors(F, names);
    for (let a = 0; a < 3; a++) {
      expect(e.conditional[a]).toBeCloseTo(1 / Math.sqrt(F[a * 3 + a]), 15);
      expect(e.marginal[a]).toBeGreaterThanOrEqual(e.conditional[a]);
    }
    const rep = reparametrise(F, names, theta, [{ derived: OMEGA_M, replaces: 'Omega_c' }, { derived: S8, replaces: 'sigma8' }]);
    expect(rep.names).toEqual(['Omega_m', 'Omega_b', 'S8']);
    const om = 0.3;
    const G = [
      [1, 1, 0],
      [(0.8 * 0.5) / Math.sqrt(om * 0.3), (0.8 * 0.5) / Math.sqrt(om * 0.3), Math.sqrt(om / 0.3)],
    ];
    const Sp = e.covariance;
    const expected = [0, 1].map((i) => [0, 1].map((j) => G[i].reduce((s, gi, a) => s + gi * G[j].reduce((t, gj, b) => t + Sp[a * 3 + b] * gj, 0), 0)));
    const q = fisherErrors(rep.F, rep.names);
    const block = marginalBlock(q.covariance, rep.names, 'Omega_m', 'S8');
    // Jacobian by central differences of closed forms: ~1e-10 relative.
    expect(block[0] / expected[0][0] - 1).toBeLessThan(1e-8);
    expect(Math.abs(block[1] / expected[0][1] - 1)).toBeLessThan(1e-8);
    expect(Math.abs(block[3] / expected[1][1] - 1)).toBeLessThan(1e-8);
    expect(rep.theta[2]).toBeCloseTo(0.8, 14);
    // A flat prior of width w as a Gaussian adds 12 / w^2; Gaussian priors add 1 / sigma^2.
    const withPriors = addPriors(F, names, [
      { name: 'Omega_c', prior: { kind: 'flat', min: 0.1, max: 0.5 }, fiducial: 0.25, startSpread: 0.01 },
      { name: 'sigma8', prior: { kind: 'gaussian', mean: 0.8, sigma: 0.1 }, fiducial: 0.8, startSpread: 0.01 },
    ], 'gaussian');
    expect(withPriors[0] - F[0]).toBeCloseTo(12 / 0.16, 9);
    expect(withPriors[8] - F[8]).toBeCloseTo(100, 9);
    expect(addPriors(F, names, [{ name: 'Omega_c', prior: { kind: 'flat', min: 0.1, max: 0.5 }, fiducial: 0.25, startSpread: 0.01 }], 'ignore')).toEqual(F);
  });

  it('ellipse points lie on the Delta chi^2 contour', () => {
    const S = Float64Array.of(4e-4, -3e-5, -3e-5, 9e-6);
    const dc = deltaChi2For2D(0.68);
    expect(dc).toBeCloseTo(2.278869, 6); // -2 ln 0.32
    const inv = inverseSpd(S, 2);
    for (const [x, y] of ellipsePoints([0.3, 0.8], S, dc, 16)) {
      const dx = x - 0.3;
      const dy = y - 0.8;
      expect(inv[0] * dx * dx + 2 * inv[1] * dx * dy + inv[3] * dy * dy).toBeCloseTo(dc, 9);
    }
  });
});
