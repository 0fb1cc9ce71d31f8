/**
 * Checks every reader applies to a `TwoPointData` before handing it on: the covariance matches the data
 * and is a covariance (finite, symmetric, positive definite), n(z) tables are finite, non-negative and on
 * increasing grids, values are finite. Each failure is one CosmetaError line naming the file.
 */

import { CosmetaError } from '../errors.js';
import { cholesky } from '../math/linalg.js';
import type { TwoPointData } from './sacc-types.js';

/**
 * Asymmetry allowed in a covariance: |C_ij - C_ji| <= 1e-6 sqrt(C_ii C_jj). Real files are symmetric to
 * single precision at least (DES's des_multiprobe_v1.10.fits: 4.9e-30 against sqrt(C_ii C_jj) ~ 1e-22,
 * i.e. ~5e-8, float32 rounding); a mis-ordered or damaged matrix is off by O(1). Values are kept as read.
 */
const SYMMETRY_TOLERANCE = 1e-6;

export function checkTwoPoint(data: TwoPointData, file: string): TwoPointData {
  for (const t of data.tracers) {
    if (t.z.length !== t.nz.length) throw new CosmetaError(`${file}: tracer ${t.name} has ${t.z.length} z values but ${t.nz.length} n(z) values`);
    for (let i = 0; i < t.z.length; i++) {
      if (!Number.isFinite(t.z[i]) || !Number.isFinite(t.nz[i])) throw new CosmetaError(`${file}: tracer ${t.name} has a non-finite n(z) entry at row ${i}`);
      if (t.nz[i] < 0) throw new CosmetaError(`${file}: tracer ${t.name} has negative n(z) = ${t.nz[i]} at z = ${t.z[i]} (n(z) must be >= 0)`);
      if (i > 0 && !(t.z[i] > t.z[i - 1])) throw new CosmetaError(`${file}: tracer ${t.name} z grid is not increasing at row ${i} (${t.z[i - 1]}, ${t.z[i]})`);
    }
  }
  data.points.forEach((p, i) => {
    if (!Number.isFinite(p.value)) throw new CosmetaError(`${file}: data point ${i} (${p.dataType}) has a non-finite value ${p.value}`);
    if (p.window !== undefined) {
      const w = data.windows[p.window.index];
      if (w === undefined || p.window.band < 0 || p.window.band >= w.weight.length) {
        throw new CosmetaError(`${file}: data point ${i} refers to window ${p.window.index} band ${p.window.band}, which does not exist`);
      }
    }
  });
  const n = data.points.length;
  const c = data.covariance;
  if (c.length === 0) return data;
  if (c.length !== n * n) {
    const m = Math.round(Math.sqrt(c.length));
    throw new CosmetaError(`${file}: the covariance is ${m} x ${m} but the file has ${n} data points`);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const a = c[i * n + j];
      const b = c[j * n + i];
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new CosmetaError(`${file}: the covariance has a non-finite entry at (${i}, ${j})`);
      if (Math.abs(a - b) > SYMMETRY_TOLERANCE * Math.sqrt(Math.abs(c[i * n + i] * c[j * n + j]))) {
        throw new CosmetaError(`${file}: the covariance is not symmetric at (${i}, ${j}): ${a} vs ${b}`);
      }
    }
  }
  try {
    cholesky(c, n, 'covariance');
  } catch (err) {
    if (err instanceof CosmetaError) throw new CosmetaError(`${file}: the ${err.message}`);
    throw err;
  }
  return data;
}
