import { describe, expect, it } from 'vitest';
import { integrateRodas4, StiffIntegrationError, type StiffSystem } from '../../src/math/rosenbrock.js';
import { solveDense } from '../../src/math/lu.js';

describe('dense LU', () => {
  it('solves a pivoting-requiring system exactly', () => {
    // a zero leading pivot forces a row swap; b is built from the exact x
    const a = [0, 2, 1, 1, 1, 1, 2, 1, 0];
    const x = [1, 2, 3];
    const b = [0, 0, 0].map((_, i) => a[3 * i] * x[0] + a[3 * i + 1] * x[1] + a[3 * i + 2] * x[2]);
    const s = solveDense(a, 3, b);
    for (let i = 0; i < 3; i++) expect(s[i]).toBeCloseTo(x[i], 13);
  });
});

describe('Rodas4 on standard stiff problems', () => {
  it('linear stiff system with eigenvalues -1 and -1e6 matches the exact solution', () => {
    // A = V diag(-1, -1e6) V^-1 with V = [[1,1],[1,-1]]: y = V (c1 e^(-t), c2 e^(-1e6 t)).
    const l1 = -1;
    const l2 = -1e6;
    const sys: StiffSystem = {
      n: 2,
      autonomous: true,
      rhs(_t, y, f) {
        // A = 0.5 [[l1+l2, l1-l2],[l1-l2, l1+l2]]
        f[0] = 0.5 * ((l1 + l2) * y[0] + (l1 - l2) * y[1]);
        f[1] = 0.5 * ((l1 - l2) * y[0] + (l1 + l2) * y[1]);
      },
      jacobian(_t, _y, j) {
        j[0] = 0.5 * (l1 + l2);
        j[1] = 0.5 * (l1 - l2);
        j[2] = 0.5 * (l1 - l2);
        j[3] = 0.5 * (l1 + l2);
      },
    };
    const y = new Float64Array([2, 0]); // c1 = c2 = 1 in the eigenbasis
    const ts = [0.5, 1, 3];
    const got: number[][] = [];
    const stats = integrateRodas4(sys, 0, y, ts, (_i, _t, yy) => got.push([yy[0], yy[1]]), { rtol: 1e-8, atol: 1e-12 });
    ts.forEach((t, i) => {
      const e0 = Math.exp(l1 * t) + Math.exp(l2 * t);
      const e1 = Math.exp(l1 * t) - Math.exp(l2 * t);
      // local tolerance 1e-8 per step, a few hundred steps: global error well under 1e-6 relative
      expect(Math.abs(got[i][0] / e0 - 1)).toBeLessThan(1e-6);
      expect(Math.abs(got[i][1] / e1 - 1)).toBeLessThan(1e-6);
    });
    // L-stability: the 1e6 mode must not force ~1e6 steps
    expect(stats.accepted).toBeLessThan(500);
  });

  it('Robertson chemical kinetics at t = 40 and 4e5 (Hairer & Wanner II, reference values)', () => {
    const sys: StiffSystem = {
      n: 3,
      autonomous: true,
      rhs(_t, y, f) {
        f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
        f[2] = 3e7 * y[1] * y[1];
        f[1] = -f[0] - f[2];
      },
      jacobian(_t, y, j) {
        j[0] = -0.04; j[1] = 1e4 * y[2]; j[2] = 1e4 * y[1];
        j[6] = 0; j[7] = 6e7 * y[1]; j[8] = 0;
        j[3] = 0.04; j[4] = -1e4 * y[2] - 6e7 * y[1]; j[5] = -1e4 * y[1];
      },
    };
    const y = new Float64Array([1, 0, 0]);
    const out: number[][] = [];
    integrateRodas4(sys, 0, y, [40, 4e5], (_i, _t, yy) => out.push(Array.from(yy)), { rtol: 1e-9, atol: [1e-12, 1e-16, 1e-12] });
    // Reference (RADAU5 at tol 1e-14, e.g. Hairer's test set): y(40) = (0.7158270687, 9.185534765e-6, 0.2841637457)
    expect(out[0][0]).toBeCloseTo(0.7158270687, 6);
    expect(out[0][1] / 9.185534765e-6).toBeCloseTo(1, 5);
    expect(out[0][2]).toBeCloseTo(0.2841637457, 6);
    // Rosenbrock methods conserve linear invariants exactly: y1 + y2 + y3 = 1 to roundoff after many steps
    expect(out[1][0] + out[1][1] + out[1][2]).toBeCloseTo(1, 12);
  });

  it('Van der Pol at mu = 1000: limit-cycle period matches the asymptotic (3 - 2 ln 2) mu + 7.014 mu^(-1/3)', () => {
    const mu = 1000;
    const sys: StiffSystem = {
      n: 2,
      autonomous: true,
      rhs(_t, y, f) {
        f[0] = y[1];
        f[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0];
      },
    };
    // Find successive downward zero crossings of y0 by dense sampling of the solution.
    const y = new Float64Array([2, 0]);
    const T = 3 * 1615;
    const ts: number[] = [];
    for (let t = 0.5; t <= T; t += 0.5) ts.push(t);
    const crossings: number[] = [];
    let prev = 2;
    let prevT = 0;
    integrateRodas4(sys, 0, y, ts, (_i, t, yy) => {
      if (prev > 0 && yy[0] <= 0) crossings.push(prevT + ((t - prevT) * prev) / (prev - yy[0]));
      prev = yy[0];
      prevT = t;
    }, { rtol: 1e-8, atol: 1e-8 });
    expect(crossings.length).toBeGreaterThanOrEqual(2);
    const period = crossings[crossings.length - 1] - crossings[crossings.length - 2];
    // Asymptotic period (Dorodnitsyn 1947): (3 - 2 ln 2) mu + 3 alpha mu^(-1/3) with 3 alpha = 7.0143;
    // the next term is O(ln mu / mu) ~ 0.01, and the crossing interpolation errs by < 0.5 / mu^... tiny.
    const asym = (3 - 2 * Math.log(2)) * mu + 7.0143 * Math.pow(mu, -1 / 3);
    expect(Math.abs(period - asym) / asym).toBeLessThan(2e-4);
  });

  it('throws StiffIntegrationError when the step budget is exhausted', () => {
    const sys: StiffSystem = { n: 1, autonomous: true, rhs(_t, y, f) { f[0] = Math.cos(100 * _t) * y[0]; } };
    expect(() => integrateRodas4(sys, 0, new Float64Array([1]), [100], () => {}, { rtol: 1e-10, atol: 1e-12, maxSteps: 20 })).toThrow(StiffIntegrationError);
  });
});
