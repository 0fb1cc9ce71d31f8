import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { JsBackend } from '../../src/nn/backend.js';
import { jacobiEigen, pca } from '../../src/nn/pca.js';

describe('principal components', () => {
  it('Jacobi diagonalises a symmetric matrix: A v = lambda v to 1e-12', () => {
    const n = 6;
    const rng = new Random(1);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = jacobiEigen(a, n);
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[r * n + k] * vectors[k * n + c];
        expect(Math.abs(av - values[c] * vectors[r * n + c])).toBeLessThan(1e-12);
      }
    }
  });

  it('recovers planted directions and variances of low-rank data (subspace to 1e-3, variances to 5%)', () => {
    const d = 40;
    const n = 4000;
    const rng = new Random(2);
    // Three orthonormal directions with variances 9, 4, 1, plus isotropic noise of variance 1e-4.
    const dirs = [0, 1, 2].map(() => Float64Array.from({ length: d }, () => rng.normal()));
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < c; p++) {
        const dot = dirs[c].reduce((s, v, i) => s + v * dirs[p][i], 0);
        dirs[c].forEach((_, i) => (dirs[c][i] -= dot * dirs[p][i]));
      }
      const norm = Math.hypot(...dirs[c]);
      dirs[c].forEach((_, i) => (dirs[c][i] /= norm));
    }
    const sd = [3, 2, 1];
    const y = new Float64Array(n * d);
    for (let s = 0; s < n; s++) {
      const a = sd.map((v) => v * rng.normal());
      for (let i = 0; i < d; i++) y[s * d + i] = 5 + a[0] * dirs[0][i] + a[1] * dirs[1][i] + a[2] * dirs[2][i] + 0.01 * rng.normal();
    }
    const r = pca(new JsBackend('float64'), y, n, d, 3);
    for (let c = 0; c < 3; c++) {
      const dot = Math.abs(dirs[c].reduce((s, v, i) => s + v * r.V[i * 3 + c], 0));
      expect(1 - dot).toBeLessThan(1e-3);
      expect(Math.abs(r.variance[c] / sd[c] ** 2 - 1)).toBeLessThan(0.05);
    }
    expect(r.explained).toBeGreaterThan(0.999);
    expect(Math.abs(r.mean[7] - 5)).toBeLessThan(0.1);
  });
});
