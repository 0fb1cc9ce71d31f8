/**
 * Tomographic binning of a parent distribution as in arXiv:2504.00552: equal-number bins cut sharply
 * from the parent on its redshift range, each convolved with a Gaussian photo-z scatter
 * sigma(z) = sigma0 (1 + z_true) and sampled on a photometric-redshift grid, normalised to unit integral.
 */

import { CosmetaError } from '../errors.js';
import { gaussLegendre } from '../math/quadrature.js';
import { AkimaSpline } from '../math/spline.js';
import type { ParentDistribution } from './parents.js';

export interface BinningOptions {
  /** Number of tomographic bins (default 5). */
  nBins?: number;
  /** Range of the parent distribution [zMin, zMax] (default [0.05, 3.5], the paper's). */
  parentRange?: [number, number];
  /** Photo-z scatter sigma0 in sigma(z) = sigma0 (1 + z) (default 0.04). */
  sigma0?: number;
  /** Output (photometric) redshift grid (default linspace(0, 4, 300)). */
  z?: ArrayLike<number>;
}

/** n points linearly spaced on [a, b], as numpy.linspace. */
export function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? a : a + ((b - a) * i) / (n - 1);
  return out;
}

/** Composite Gauss-Legendre nodes and weights on [a, b]. */
function rule(a: number, b: number, panels: number, order: number): { x: number[]; w: number[] } {
  const g = gaussLegendre(order);
  const x: number[] = [];
  const w: number[] = [];
  const h = (b - a) / panels;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let i = 0; i < order; i++) {
      x.push(mid + (h / 2) * g.x[i]);
      w.push((h / 2) * g.w[i]);
    }
  }
  return { x, w };
}

/** Redshifts splitting the parent on [zMin, zMax] into nBins equal-probability bins (nBins + 1 edges). */
export function equalNumberEdges(parent: ParentDistribution, nBins: number, range: [number, number]): Float64Array {
  const [zMin, zMax] = range;
  if (!(zMax > zMin)) throw new CosmetaError(`parent range must be increasing, got [${zMin}, ${zMax}]`);
  // Cumulative integral on a fine grid (Gauss-Legendre per cell), then inverse by interpolation.
  const cells = 4000;
  const g = gaussLegendre(6);
  const h = (zMax - zMin) / cells;
  const cdf = new Float64Array(cells + 1);
  for (let c = 0; c < cells; c++) {
    const mid = zMin + (c + 0.5) * h;
    let s = 0;
    for (let i = 0; i < g.x.length; i++) s += g.w[i] * parent.density(mid + (h / 2) * g.x[i]);
    cdf[c + 1] = cdf[c] + (s * h) / 2;
  }
  const total = cdf[cells];
  if (!(total > 0)) throw new CosmetaError('parent distribution integrates to zero on its range');
  const edges = new Float64Array(nBins + 1);
  edges[0] = zMin;
  edges[nBins] = zMax;
  let c = 0;
  for (let b = 1; b < nBins; b++) {
    const target = (total * b) / nBins;
    while (cdf[c + 1] < target) c++;
    // Refine inside the cell by bisection on the exact cumulative integral.
    let lo = zMin + c * h;
    let hi = lo + h;
    const base = cdf[c];
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      const r = rule(zMin + c * h, mid, 1, 8);
      let s = base;
      for (let i = 0; i < r.x.length; i++) s += r.w[i] * parent.density(r.x[i]);
      if (s < target) lo = mid;
      else hi = mid;
    }
    edges[b] = (lo + hi) / 2;
  }
  return edges;
}

/** Binned and photo-z-smeared distributions of a parent: { z, nz[bin][point] }, each bin of unit integral. */
export function binParent(parent: ParentDistribution, options: BinningOptions = {}): { z: Float64Array; nz: Float64Array[]; edges: Float64Array } {
  const nBins = options.nBins ?? 5;
  if (!Number.isInteger(nBins) || nBins < 1) throw new CosmetaError(`nBins must be a positive integer, got ${nBins}`);
  const range = options.parentRange ?? [0.05, 3.5];
  const sigma0 = options.sigma0 ?? 0.04;
  if (!(sigma0 > 0)) throw new CosmetaError(`photo-z scatter sigma0 must be positive, got ${sigma0}`);
  const z = Float64Array.from(options.z ?? linspace(0, 4, 300));
  const edges = equalNumberEdges(parent, nBins, range);
  const nz: Float64Array[] = [];
  for (let b = 0; b < nBins; b++) {
    const r = rule(edges[b], edges[b + 1], 64, 8);
    const n = new Float64Array(z.length);
    for (let q = 0; q < r.x.length; q++) {
      const zt = r.x[q];
      const s = sigma0 * (1 + zt);
      const amp = (r.w[q] * parent.density(zt)) / (s * Math.sqrt(2 * Math.PI));
      for (let j = 0; j < z.length; j++) n[j] += amp * Math.exp(-0.5 * ((z[j] - zt) / s) ** 2);
    }
    // Normalise to unit integral of the Akima interpolant, the integral CCL and Cosmeta's theory use.
    const integral = new AkimaSpline(z, n).integrate(z[0], z[z.length - 1]);
    for (let j = 0; j < z.length; j++) n[j] /= integral;
    nz.push(n);
  }
  return { z, nz, edges };
}
