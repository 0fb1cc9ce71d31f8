/**
 * Numerical integration: Gauss-Legendre rules (fixed nodes, for the per-cosmology hot paths) and an
 * adaptive Gauss-Kronrod (7, 15) integrator for reference-quality one-off integrals.
 */

import { CosmetaError } from '../errors.js';

export interface QuadratureRule {
  /** Nodes, increasing. */
  readonly x: Float64Array;
  /** Weights. */
  readonly w: Float64Array;
}

/** n-point Gauss-Legendre rule on [a, b] (nodes from Newton iteration on P_n; exact to machine precision). */
export function gaussLegendre(n: number, a = -1, b = 1): QuadratureRule {
  if (!Number.isInteger(n) || n < 1) throw new CosmetaError(`gaussLegendre: n must be a positive integer, got ${n}`);
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  if (n === 1) return { x: Float64Array.of(mid), w: Float64Array.of(b - a) };
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    const wi = 2 / ((1 - z * z) * dp * dp);
    x[i] = mid - half * z;
    x[n - 1 - i] = mid + half * z;
    w[i] = half * wi;
    w[n - 1 - i] = half * wi;
  }
  return { x, w };
}

/** Composite Gauss-Legendre rule: `order` nodes on each panel between consecutive `edges`. */
export function compositeGaussLegendre(edges: ArrayLike<number>, order: number): QuadratureRule {
  const base = gaussLegendre(order);
  const panels = edges.length - 1;
  const x = new Float64Array(panels * order);
  const w = new Float64Array(panels * order);
  for (let p = 0; p < panels; p++) {
    const half = (edges[p + 1] - edges[p]) / 2;
    const mid = (edges[p + 1] + edges[p]) / 2;
    for (let i = 0; i < order; i++) {
      x[p * order + i] = mid + half * base.x[i];
      w[p * order + i] = half * base.w[i];
    }
  }
  return { x, w };
}

const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

function gk15(f: (x: number) => number, a: number, b: number): [number, number] {
  const c = (a + b) / 2;
  const h = (b - a) / 2;
  const fc = f(c);
  let k = WGK[7] * fc;
  let g = WG[3] * fc;
  for (let j = 0; j < 7; j++) {
    const dx = h * XGK[j];
    const s = f(c - dx) + f(c + dx);
    k += WGK[j] * s;
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  return [k * h, Math.abs((k - g) * h)];
}

/**
 * Adaptive Gauss-Kronrod (7, 15) integral of f over [a, b] to relative tolerance `rtol`
 * (absolute floor `atol`), by recursive bisection of the worst interval.
 */
export function integrate(f: (x: number) => number, a: number, b: number, rtol = 1e-10, atol = 0, maxIntervals = 2000): number {
  if (a === b) return 0;
  const intervals: Array<{ a: number; b: number; v: number; e: number }> = [];
  const [v0, e0] = gk15(f, a, b);
  intervals.push({ a, b, v: v0, e: e0 });
  let total = v0;
  let err = e0;
  while (err > Math.max(atol, rtol * Math.abs(total)) && intervals.length < maxIntervals) {
    let worst = 0;
    for (let i = 1; i < intervals.length; i++) if (intervals[i].e > intervals[worst].e) worst = i;
    const iv = intervals[worst];
    const m = (iv.a + iv.b) / 2;
    const [v1, e1] = gk15(f, iv.a, m);
    const [v2, e2] = gk15(f, m, iv.b);
    total += v1 + v2 - iv.v;
    err += e1 + e2 - iv.e;
    intervals[worst] = { a: iv.a, b: m, v: v1, e: e1 };
    intervals.push({ a: m, b: iv.b, v: v2, e: e2 });
  }
  return total;
}
