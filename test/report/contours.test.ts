import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { credibleContours, marginal, massLevels } from '../../src/report/contours.js';

describe('credible contours', () => {
  it('the 68% and 95% contours of a 2-D Gaussian lie at Mahalanobis radius sqrt(-2 ln(1 - p))', () => {
    // Exact radii 1.5096 (68%) and 2.4477 (95%), measured in the metric of the covariance the contours see:
    // in units of each parameter's sigma, the histogram adds (bin width)^2 / 12 = (1/6)^2 / 12 and the
    // smoothing (1.5 bins = 0.25 sigma) adds 0.25^2 to both variances. Measured residual 1.6% (68%) and 0.4%
    // (95%), from the linear interpolation between cell centres; tolerance 3%.
    const rng = new Random(9);
    const n = 400000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const rho = 0.7;
    for (let i = 0; i < n; i++) {
      const u = rng.normal();
      const v = rng.normal();
      x[i] = 0.3 + 0.02 * u;
      y[i] = 0.85 + 0.004 * (rho * u + Math.sqrt(1 - rho * rho) * v);
    }
    const lines = credibleContours(x, y, [0.2, 0.4], [0.83, 0.87]);
    for (const level of [0.68, 0.95]) {
      const rings = lines.filter((l) => l.level === level);
      expect(rings.length).toBe(1);
      const s2 = 0.25 ** 2 + 1 / 6 ** 2 / 12;
      const [caa, cab, cbb] = [1 + s2, rho, 1 + s2];
      const det = caa * cbb - cab * cab;
      const radii = rings[0].points.map(([px, py]) => {
        const a = (px - 0.3) / 0.02;
        const b = (py - 0.85) / 0.004;
        return Math.sqrt((cbb * a * a - 2 * cab * a * b + caa * b * b) / det);
      });
      const mean = radii.reduce((s, r) => s + r, 0) / radii.length;
      expect(Math.abs(mean / Math.sqrt(-2 * Math.log(1 - level)) - 1)).toBeLessThan(0.03);
    }
  });

  it('mass levels enclose the requested fractions; marginals peak at 1', () => {
    const d = Float64Array.from([5, 1, 3, 1]);
    expect(massLevels(d, [0.5, 0.8, 1])).toEqual([5, 3, 1]);
    const m = marginal(Float64Array.from({ length: 1000 }, (_, i) => i / 1000), [0, 1], 10, 0.5);
    expect(Math.max(...m.density)).toBe(1);
    expect(m.x[0]).toBeCloseTo(0.05, 12);
  });
});
