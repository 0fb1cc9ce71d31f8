import { describe, expect, it } from 'vitest';
import { compositeGaussLegendre, gaussLegendre, integrate } from '../../src/math/quadrature.js';
import { AkimaSpline, CubicSpline, HermiteSpline, SegmentedCubicSpline } from '../../src/math/spline.js';

describe('quadrature', () => {
  it('n-point Gauss-Legendre integrates x^(2n-1) exactly and not x^(2n)', () => {
    for (const n of [1, 2, 5, 12, 40]) {
      const { x, w } = gaussLegendre(n, 0, 2);
      const q = (p: number) => x.reduce((s, xi, i) => s + w[i] * xi ** p, 0);
      expect(Math.abs(q(2 * n - 1) / (2 ** (2 * n) / (2 * n)) - 1)).toBeLessThan(1e-13);
      if (n <= 5) expect(Math.abs(q(2 * n) / (2 ** (2 * n + 1) / (2 * n + 1)) - 1)).toBeGreaterThan(1e-10);
    }
  });

  it('composite rule and adaptive Gauss-Kronrod agree with analytic integrals', () => {
    const r = compositeGaussLegendre([0, 1, 3, Math.PI], 8);
    expect(r.x.reduce((s, xi, i) => s + r.w[i] * Math.sin(xi), 0)).toBeCloseTo(2, 14);
    expect(integrate((x) => Math.exp(-x * x), -10, 10, 1e-12)).toBeCloseTo(Math.sqrt(Math.PI), 11);
    expect(integrate((x) => 1 / Math.sqrt(x), 1e-12, 1, 1e-10)).toBeCloseTo(2 - 2e-6, 8);
  });
});

describe('interpolation', () => {
  const f = (x: number) => Math.sin(x) + 0.1 * x * x;
  const x = Float64Array.from({ length: 41 }, (_, i) => i * 0.1);
  const y = Float64Array.from(x, f);

  it('a natural cubic spline interpolates a smooth function to ~h^4 inside', () => {
    const s = new CubicSpline(x, y);
    for (let t = 0.5; t < 3.5; t += 0.037) {
      expect(Math.abs(s.evaluate(t) - f(t))).toBeLessThan(2e-6);
      expect(Math.abs(s.derivative(t) - (Math.cos(t) + 0.2 * t))).toBeLessThan(1e-4);
    }
  });

  it('segmented spline equals the general spline on the same knots', () => {
    const segs = [
      { x0: 0, dx: 0.5, n: 2 },
      { x0: 1, dx: 0.1, n: 20 },
      { x0: 3, dx: 0.25, n: 4 },
    ];
    const knots = SegmentedCubicSpline.knots(segs);
    const ys = Float64Array.from(knots, f);
    const seg = new SegmentedCubicSpline(segs, ys);
    const gen = new CubicSpline(knots, ys);
    for (let t = 0; t <= 4; t += 0.013) expect(Math.abs(seg.evaluate(t) - gen.evaluate(t))).toBeLessThan(1e-13);
  });

  it('Akima reproduces straight lines exactly, is zero outside, and integrates its own cubic exactly', () => {
    const lin = new AkimaSpline(x, Float64Array.from(x, (t) => 3 * t - 1));
    expect(lin.evaluate(1.2345)).toBeCloseTo(3 * 1.2345 - 1, 13);
    expect(lin.evaluate(-0.1)).toBe(0);
    const a = new AkimaSpline(x, y);
    const numeric = integrate((t) => a.evaluate(t), 0.33, 3.71, 1e-13);
    expect(a.integrate(0.33, 3.71)).toBeCloseTo(numeric, 12);
    expect(Math.abs(a.evaluate(2.05) - f(2.05))).toBeLessThan(1e-4);
  });

  it('Hermite interpolation with exact derivatives is 4th order', () => {
    const err = (h: number) => {
      const xs = Float64Array.from({ length: Math.round(4 / h) + 1 }, (_, i) => i * h);
      const s = new HermiteSpline(xs, Float64Array.from(xs, Math.exp), Float64Array.from(xs, Math.exp));
      let m = 0;
      for (let t = 0; t < 4; t += 0.0123) m = Math.max(m, Math.abs(s.evaluate(t) / Math.exp(t) - 1));
      return m;
    };
    expect(err(0.2) / err(0.1)).toBeGreaterThan(12); // 2^4 = 16
  });

  it('rejects grids that are not strictly increasing, naming the points', () => {
    expect(() => new CubicSpline([0, 1, 1, 2], [0, 1, 2, 3])).toThrow(/x\[1\]=1 >= x\[2\]=1/);
    expect(() => new AkimaSpline([0, 1, 2, 3, 4], [0, 1, NaN, 3, 4])).toThrow(/index 2/);
  });
});
