/**
 * A small two-point data set that uses every feature the SACC layout has: two tracers on different z
 * grids, xi_plus with float, integer and string tags (one missing on some points), C_ell EE bandpowers
 * with a bandpower window, metadata of each type, and a dense positive-definite covariance (seeded).
 */
import { Random } from '../../src/math/random.js';
import type { DataPoint, TwoPointData } from '../../src/io/sacc-types.js';

export function syntheticTwoPoint(seed = 20261202): TwoPointData {
  const rng = new Random(seed);
  const grid = (z0: number, dz: number, n: number) => Float64Array.from({ length: n }, (_, i) => z0 + dz * i);
  const bump = (z: Float64Array, mu: number) => z.map((x) => Math.exp(-((x - mu) ** 2) / 0.08));
  const z0 = grid(0.01, 0.04, 50);
  const z1 = grid(0, 0.05, 61);
  const tracers = [
    { name: 'src0', quantity: 'galaxy_shear', z: z0, nz: bump(z0, 0.6) },
    { name: 'src1', quantity: 'galaxy_shear', z: z1, nz: bump(z1, 1.1) },
  ];
  const ell = Float64Array.from({ length: 99 }, (_, i) => i + 2);
  const edges = [2, 20, 40, 70, 101];
  const weight = edges.slice(0, -1).map((lo, b) => ell.map((l) => (l >= lo && l < edges[b + 1] ? 1 / (edges[b + 1] - lo) : 0)));
  const points: DataPoint[] = [];
  const pairs: [string, string][] = [['src0', 'src0'], ['src0', 'src1'], ['src1', 'src1']];
  for (const p of pairs) {
    for (let b = 0; b < 4; b++) {
      points.push({ dataType: 'galaxy_shear_cl_ee', tracers: p, value: 1e-9 * (1 + rng.uniform()), ell: (edges[b] + edges[b + 1] - 1) / 2, window: { index: 0, band: b }, tags: {} });
    }
  }
  for (let i = 0; i < 5; i++) {
    const theta = 2.5 * 1.8 ** i;
    const tags: Record<string, number | string> = { theta_min: theta / 1.3, theta_max: theta * 1.3, bin: i };
    if (i % 2 === 0) tags.label = `even${i}`;
    points.push({ dataType: 'galaxy_shear_xi_plus', tracers: ['src0', 'src1'], value: 1e-5 * rng.normal(), theta, tags });
  }
  const n = points.length;
  // C = A A^T / n + diag: positive definite, every entry non-zero.
  const a = Float64Array.from({ length: n * n }, () => rng.normal());
  const covariance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
      covariance[i * n + j] = (s / n + (i === j ? 1 : 0)) * 1e-20;
    }
  }
  return { tracers, points, covariance, windows: [{ ell, weight }], metadata: { creator: 'cosmeta test', n_real: 100, blinded: false, area_deg2: 1321.5 } };
}
