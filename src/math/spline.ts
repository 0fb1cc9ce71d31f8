/**
 * One-dimensional interpolation: natural cubic splines (uniform and general grids), Akima splines
 * with GSL's end conditions (the interpolant CCL uses for n(z) and its 1-D tables), and cubic Hermite
 * interpolation from values and exact derivatives.
 *
 * All interpolants are immutable after construction and allocate nothing when evaluated.
 */

import { CosmetaError } from '../errors.js';

function checkGrid(x: ArrayLike<number>, y: ArrayLike<number>, what: string, minPoints: number): void {
  if (x.length !== y.length) {
    throw new CosmetaError(`${what}: x has ${x.length} points but y has ${y.length}`);
  }
  if (x.length < minPoints) {
    throw new CosmetaError(`${what}: needs at least ${minPoints} points, got ${x.length}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new CosmetaError(`${what}: non-finite value at index ${i} (x=${x[i]}, y=${y[i]})`);
    }
    if (i > 0 && !(x[i] > x[i - 1])) {
      throw new CosmetaError(`${what}: x must be strictly increasing, but x[${i - 1}]=${x[i - 1]} >= x[${i}]=${x[i]}`);
    }
  }
}

/** Index i with x[i] <= t < x[i+1], clamped to [0, n-2]. Binary search. */
export function locate(x: ArrayLike<number>, t: number): number {
  const n = x.length;
  if (t <= x[0]) return 0;
  if (t >= x[n - 2]) return n - 2;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Second derivatives of the natural cubic spline through (x, y) (tridiagonal solve).
 * Natural: zero second derivative at both ends.
 */
function naturalSecondDerivatives(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const m = new Float64Array(n);
  const u = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    const sig = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
    const p = sig * m[i - 1] + 2;
    m[i] = (sig - 1) / p;
    const dy = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) - (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
    u[i] = ((6 * dy) / (x[i + 1] - x[i - 1]) - sig * u[i - 1]) / p;
  }
  m[n - 1] = 0;
  for (let k = n - 2; k >= 0; k--) m[k] = m[k] * m[k + 1] + u[k];
  m[0] = 0;
  return m;
}

/** Natural cubic spline on an arbitrary strictly increasing grid. Outside the grid: the end cubic continued. */
export class CubicSpline {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly m: Float64Array;

  constructor(x: ArrayLike<number>, y: ArrayLike<number>) {
    checkGrid(x, y, 'CubicSpline', 3);
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    this.m = naturalSecondDerivatives(this.x, this.y);
  }

  evaluate(t: number): number {
    const i = locate(this.x, t);
    const h = this.x[i + 1] - this.x[i];
    const a = (this.x[i + 1] - t) / h;
    const b = 1 - a;
    return a * this.y[i] + b * this.y[i + 1] + (((a * a * a - a) * this.m[i] + (b * b * b - b) * this.m[i + 1]) * h * h) / 6;
  }

  derivative(t: number): number {
    const i = locate(this.x, t);
    const h = this.x[i + 1] - this.x[i];
    const a = (this.x[i + 1] - t) / h;
    const b = 1 - a;
    return (this.y[i + 1] - this.y[i]) / h + ((-(3 * a * a - 1) * this.m[i] + (3 * b * b - 1) * this.m[i + 1]) * h) / 6;
  }
}

/**
 * Akima spline with the end conditions of GSL's `gsl_interp_akima` (two ghost slopes extrapolated
 * linearly at each end), which is what CCL uses to interpolate n(z) (Akima 1970, J. ACM 17, 589).
 * Outside the grid it returns `outside` (CCL's n(z) spline is zero outside its range).
 */
export class AkimaSpline {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly b: Float64Array;
  private readonly c: Float64Array;
  private readonly d: Float64Array;
  private readonly outside: number;

  constructor(x: ArrayLike<number>, y: ArrayLike<number>, outside = 0) {
    checkGrid(x, y, 'AkimaSpline', 5);
    const n = x.length;
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    this.outside = outside;
    // Segment slopes with two ghost slopes on each side: m[j + 2] is the slope of segment j.
    const m = new Float64Array(n + 3);
    for (let j = 0; j < n - 1; j++) m[j + 2] = (this.y[j + 1] - this.y[j]) / (this.x[j + 1] - this.x[j]);
    m[1] = 2 * m[2] - m[3];
    m[0] = 3 * m[2] - 2 * m[3];
    m[n + 1] = 2 * m[n] - m[n - 1];
    m[n + 2] = 3 * m[n] - 2 * m[n - 1];
    this.b = new Float64Array(n - 1);
    this.c = new Float64Array(n - 1);
    this.d = new Float64Array(n - 1);
    for (let j = 0; j < n - 1; j++) {
      const mm2 = m[j];
      const mm1 = m[j + 1];
      const m0 = m[j + 2];
      const mp1 = m[j + 3];
      const mp2 = m[j + 4];
      const ne = Math.abs(mp1 - m0) + Math.abs(mm1 - mm2);
      if (ne === 0) {
        this.b[j] = m0;
        continue;
      }
      const h = this.x[j + 1] - this.x[j];
      const neNext = Math.abs(mp2 - mp1) + Math.abs(m0 - mm1);
      const alpha = Math.abs(mm1 - mm2) / ne;
      let tRight: number;
      if (neNext === 0) tRight = m0;
      else {
        const alphaNext = Math.abs(m0 - mm1) / neNext;
        tRight = (1 - alphaNext) * m0 + alphaNext * mp1;
      }
      const tLeft = (1 - alpha) * mm1 + alpha * m0;
      this.b[j] = tLeft;
      this.c[j] = (3 * m0 - 2 * tLeft - tRight) / h;
      this.d[j] = (tLeft + tRight - 2 * m0) / (h * h);
    }
  }

  get xMin(): number {
    return this.x[0];
  }

  get xMax(): number {
    return this.x[this.x.length - 1];
  }

  evaluate(t: number): number {
    if (t < this.x[0] || t > this.x[this.x.length - 1]) return this.outside;
    const j = locate(this.x, t);
    const dx = t - this.x[j];
    return this.y[j] + dx * (this.b[j] + dx * (this.c[j] + dx * this.d[j]));
  }

  /** The cubic of segment j (between x[j] and x[j+1]) at t, for callers that know the segment. */
  evaluateInSegment(j: number, t: number): number {
    const dx = t - this.x[j];
    return this.y[j] + dx * (this.b[j] + dx * (this.c[j] + dx * this.d[j]));
  }

  /** Exact integral of the piecewise cubic over segment j from its left end to left end + dx. */
  private segmentIntegral(j: number, dx: number): number {
    return dx * (this.y[j] + dx * (this.b[j] / 2 + dx * (this.c[j] / 3 + (dx * this.d[j]) / 4)));
  }

  /** Exact integral of the interpolant over [lo, hi] (zero outside the grid). */
  integrate(lo: number, hi: number): number {
    const x = this.x;
    const n = x.length;
    const a = Math.max(lo, x[0]);
    const b = Math.min(hi, x[n - 1]);
    if (!(b > a)) return 0;
    const ja = locate(x, a);
    const jb = locate(x, b);
    if (ja === jb) return this.segmentIntegral(ja, b - x[ja]) - this.segmentIntegral(ja, a - x[ja]);
    let sum = this.segmentIntegral(ja, x[ja + 1] - x[ja]) - this.segmentIntegral(ja, a - x[ja]);
    for (let j = ja + 1; j < jb; j++) sum += this.segmentIntegral(j, x[j + 1] - x[j]);
    sum += this.segmentIntegral(jb, b - x[jb]);
    return sum;
  }
}

/**
 * Cubic Hermite interpolation on a strictly increasing grid from values y and exact derivatives dy.
 * Error O(h^4 f''''), so smooth tabulated functions (distances, growth) need few nodes.
 */
export class HermiteSpline {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly dy: Float64Array;
  /** 1/dx when the grid is uniform (O(1) lookup), else 0. */
  private readonly invDx: number;

  constructor(x: ArrayLike<number>, y: ArrayLike<number>, dy: ArrayLike<number>) {
    checkGrid(x, y, 'HermiteSpline', 2);
    if (dy.length !== x.length) throw new CosmetaError('HermiteSpline: dy must have as many points as x');
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    this.dy = Float64Array.from(dy);
    const n = this.x.length;
    const dx = (this.x[n - 1] - this.x[0]) / (n - 1);
    let uniform = true;
    for (let i = 1; i < n && uniform; i++) uniform = Math.abs(this.x[i] - this.x[i - 1] - dx) <= 1e-9 * Math.abs(dx);
    this.invDx = uniform ? 1 / dx : 0;
  }

  private index(t: number): number {
    if (this.invDx === 0) return locate(this.x, t);
    const n = this.x.length;
    let i = Math.floor((t - this.x[0]) * this.invDx);
    if (i < 0) i = 0;
    else if (i > n - 2) i = n - 2;
    // Guard against rounding at the cell edges.
    if (t < this.x[i] && i > 0) i--;
    else if (t >= this.x[i + 1] && i < n - 2) i++;
    return i;
  }

  evaluate(t: number): number {
    const i = this.index(t);
    const h = this.x[i + 1] - this.x[i];
    const s = (t - this.x[i]) / h;
    const s2 = s * s;
    const s3 = s2 * s;
    return (
      (2 * s3 - 3 * s2 + 1) * this.y[i] +
      (s3 - 2 * s2 + s) * h * this.dy[i] +
      (-2 * s3 + 3 * s2) * this.y[i + 1] +
      (s3 - s2) * h * this.dy[i + 1]
    );
  }

  derivative(t: number): number {
    const i = this.index(t);
    const h = this.x[i + 1] - this.x[i];
    const s = (t - this.x[i]) / h;
    const s2 = s * s;
    return (
      ((6 * s2 - 6 * s) * this.y[i]) / h +
      (3 * s2 - 4 * s + 1) * this.dy[i] +
      ((-6 * s2 + 6 * s) * this.y[i + 1]) / h +
      (3 * s2 - 2 * s) * this.dy[i + 1]
    );
  }
}

/** One uniformly spaced stretch of a piecewise-uniform grid. */
export interface UniformSegment {
  /** First point. */
  x0: number;
  /** Spacing. */
  dx: number;
  /** Number of intervals. */
  n: number;
}

/**
 * Natural cubic spline on a grid made of consecutive uniform segments (e.g. fine where a function
 * oscillates, coarse elsewhere): O(1) lookup like a uniform grid, fewer knots than one.
 */
export class SegmentedCubicSpline {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly m: Float64Array;
  private readonly segX0: Float64Array;
  private readonly segInvDx: Float64Array;
  private readonly segFirst: Int32Array;
  private readonly segN: Int32Array;

  /** Knots of a segmented grid; segment s starts where segment s-1 ends. */
  static knots(segments: UniformSegment[]): Float64Array {
    const total = segments.reduce((a, s) => a + s.n, 0) + 1;
    const x = new Float64Array(total);
    let k = 0;
    for (const s of segments) for (let i = 0; i < s.n; i++) x[k++] = s.x0 + i * s.dx;
    const last = segments[segments.length - 1];
    x[k] = last.x0 + last.n * last.dx;
    return x;
  }

  constructor(segments: UniformSegment[], y: ArrayLike<number>) {
    const x = SegmentedCubicSpline.knots(segments);
    checkGrid(x, y, 'SegmentedCubicSpline', 3);
    this.x = x;
    this.y = Float64Array.from(y);
    this.m = naturalSecondDerivatives(this.x, this.y);
    this.segX0 = Float64Array.from(segments, (s) => s.x0);
    this.segInvDx = Float64Array.from(segments, (s) => 1 / s.dx);
    this.segN = Int32Array.from(segments, (s) => s.n);
    this.segFirst = new Int32Array(segments.length);
    for (let s = 1; s < segments.length; s++) this.segFirst[s] = this.segFirst[s - 1] + segments[s - 1].n;
  }

  private index(t: number): number {
    const nSeg = this.segX0.length;
    let s = nSeg - 1;
    while (s > 0 && t < this.segX0[s]) s--;
    let i = Math.floor((t - this.segX0[s]) * this.segInvDx[s]);
    if (i < 0) i = 0;
    else if (i > this.segN[s] - 1) i = this.segN[s] - 1;
    return this.segFirst[s] + i;
  }

  evaluate(t: number): number {
    const i = this.index(t);
    const h = this.x[i + 1] - this.x[i];
    const b = (t - this.x[i]) / h;
    const a = 1 - b;
    return a * this.y[i] + b * this.y[i + 1] + (((a * a * a - a) * this.m[i] + (b * b * b - b) * this.m[i + 1]) * h * h) / 6;
  }
}
