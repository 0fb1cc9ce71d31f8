/**
 * Real-space cosmic shear from C_ell: the flat-sky Hankel transforms (e.g. Kilbinger 2015, Eq. 40;
 * Troxel et al. 2018, Eq. 4; CCL's `correlation` with the `bessel` method)
 *
 *   xi_+(theta) = int_0^ellMax dell ell / (2 pi) J_0(ell theta) C_ell,
 *   xi_-(theta) = int_0^ellMax dell ell / (2 pi) J_4(ell theta) C_ell,
 *
 * theta in radians inside (arcmin at this module's boundary), optionally averaged over an angular bin
 * [theta_a, theta_b] with weight theta (the pair count of a uniform field): the theta integral is exact,
 * int theta J_n(ell theta) dtheta = [F_n(ell theta)] / ell^2 with F_0(x) = x J_1(x) and
 * F_4(x) = x J_1(x) - 4 J_0(x) - 12 J_2(x) (from A&S 9.1.27 and 9.1.30).
 *
 * C_ell is given on a grid of multipoles (any increasing grid, typically log-spaced to ellMax) and read
 * between grid points by 4-point Lagrange interpolation of ell^2 C_ell in ln ell; below the first
 * multipole it is held constant (CCL's convention below ell = 2). Because that interpolation and the
 * quadrature are both linear in C_ell, the whole transform is one matrix [targets x nEll], built once
 * for the data's angles: a data vector then costs targets x nEll multiply-adds.
 *
 * The full-sky Legendre sums (`method: 'fullsky'`) are the same kind of matrix over integer ell; they
 * differ from the flat-sky transforms by ~1/ell at the multipoles that dominate: 0.2% (xi+) and 0.02%
 * (xi-) at 2 arcmin, 2% and 1% at 200 arcmin for DES Y1-like n(z).
 *
 * The quadrature: Gauss-Legendre panels of `order` nodes, of width `lnStep` in ln ell at low ell and at
 * most 1/`panelsPerPeriod` of the shortest oscillation period 2 pi / theta_max at high ell, from
 * ell = 0 to ellMax. `bench/xi-convergence.ts` measures how each knob moves xi.
 */

import { CosmetaError } from '../errors.js';
import { besselJArray } from '../math/bessel.js';
import { gaussLegendre } from '../math/quadrature.js';

export type XiStatistic = 'xi_plus' | 'xi_minus';

/** Where one xi value is wanted: statistic, spectrum (pair index into the C_ell data vector), angle. */
export interface XiTarget {
  readonly statistic: XiStatistic;
  /** Pair index p: the target reads cl[p * nEll + l]. */
  readonly pair: number;
  /** Angle [arcmin]. */
  readonly theta: number;
  /** Optional angular bin [arcmin]; used when `HankelSettings.binAverage` is on. */
  readonly thetaMin?: number;
  readonly thetaMax?: number;
}

export interface HankelSettings {
  /** Upper end of the ell integral (C_ell must be given up to here). */
  readonly ellMax: number;
  /** Panel width in ln ell where that is narrower than the oscillation limit. */
  readonly lnStep: number;
  /** Panels per oscillation period 2 pi / theta_max at high ell. */
  readonly panelsPerPeriod: number;
  /** Gauss-Legendre nodes per panel. */
  readonly order: number;
  /** Average over each target's [thetaMin, thetaMax] (exactly) instead of evaluating at theta. */
  readonly binAverage: boolean;
  /**
   * 'flat': the Hankel transforms above. 'fullsky': the Legendre sums over integer ell from 2 to ellMax,
   * xi+-(theta) = sum_ell (2 ell + 1) / (4 pi) C_ell d^ell_{2,+-2}(theta) (e.g. Kilbinger et al. 2017,
   * Eq. 9; Wigner d by the three-term recurrence in ell), at the targets' theta (no bin averaging).
   */
  readonly method: 'flat' | 'fullsky';
}

/**
 * Defaults, from the convergence study (bench/xi-convergence.ts, DES Y1 n(z), 2-300 arcmin): halving
 * lnStep and doubling panelsPerPeriod change xi+- by < 1e-6 relative where |xi| > 1% of its maximum
 * (one panel of 8 Gauss-Legendre nodes per period is converged; half a panel is not, 3e-5 in xi-).
 */
export const DEFAULT_HANKEL: HankelSettings = Object.freeze({
  ellMax: 1e5,
  lnStep: 0.05,
  panelsPerPeriod: 1,
  order: 8,
  binAverage: false,
  method: 'flat',
});

export const ARCMIN = Math.PI / (180 * 60);

/** The quadrature nodes and weights in ell, from 0 to ellMax, for angles up to thetaMax [rad]. */
export function hankelNodes(ell0: number, thetaMax: number, s: HankelSettings): { x: Float64Array; w: Float64Array } {
  const edges = [0, ell0];
  const dMax = (2 * Math.PI) / thetaMax / s.panelsPerPeriod;
  while (edges[edges.length - 1] < s.ellMax) {
    const e = edges[edges.length - 1];
    edges.push(Math.min(s.ellMax, e * Math.exp(s.lnStep), e + dMax));
  }
  const base = gaussLegendre(s.order);
  const n = (edges.length - 1) * s.order;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let p = 0; p + 1 < edges.length; p++) {
    const half = (edges[p + 1] - edges[p]) / 2;
    const mid = (edges[p + 1] + edges[p]) / 2;
    for (let i = 0; i < s.order; i++) {
      x[p * s.order + i] = mid + half * base.x[i];
      w[p * s.order + i] = half * base.w[i];
    }
  }
  return { x, w };
}

/** F_n(x) with d F_n / dx = x J_n(x), n = 0 or 4 (see the header). */
function besselMoment(n: 0 | 4, x: number, j: Float64Array): number {
  besselJArray(2, x, j);
  return n === 0 ? x * j[1] : x * j[1] - 4 * j[0] - 12 * j[2];
}

/** The real-space projection C_ell -> xi+- at fixed targets: a [targets x nEll] matrix. */
export class RealSpaceProjection {
  readonly ell: Float64Array;
  readonly targets: readonly XiTarget[];
  readonly settings: HankelSettings;
  /** Number of quadrature nodes in ell. */
  readonly nodes: number;
  private readonly matrix: Float64Array;

  constructor(ell: ArrayLike<number>, targets: readonly XiTarget[], settings: Partial<HankelSettings> = {}) {
    const s: HankelSettings = { ...DEFAULT_HANKEL, ...settings };
    this.settings = Object.freeze(s);
    const nL = ell.length;
    if (nL < 4) throw new CosmetaError(`real-space projection: need C_ell at >= 4 multipoles, got ${nL}`);
    for (let l = 0; l < nL; l++) {
      if (!(ell[l] > 0) || (l > 0 && !(ell[l] > ell[l - 1]))) throw new CosmetaError(`real-space projection: multipoles must be positive and increasing (ell[${l}] = ${ell[l]})`);
    }
    if (!(s.ellMax > ell[0]) || s.ellMax > ell[nL - 1] * (1 + 1e-12)) {
      throw new CosmetaError(`real-space projection: ellMax = ${s.ellMax} must lie in (${ell[0]}, ${ell[nL - 1]}], the multipoles C_ell is given at`);
    }
    if (!(s.lnStep > 0) || !(s.panelsPerPeriod > 0) || !Number.isInteger(s.order) || s.order < 1) {
      throw new CosmetaError(`real-space projection: lnStep and panelsPerPeriod must be > 0 and order a positive integer (${JSON.stringify(s)})`);
    }
    if (targets.length === 0) throw new CosmetaError('real-space projection: no angles to evaluate');
    let thetaMax = 0;
    for (const t of targets) {
      if (t.statistic !== 'xi_plus' && t.statistic !== 'xi_minus') throw new CosmetaError(`real-space projection: unknown statistic "${t.statistic}"; valid: xi_plus, xi_minus`);
      if (!(t.theta > 0) || !Number.isFinite(t.theta)) throw new CosmetaError(`real-space projection: theta = ${t.theta} arcmin must be a positive number`);
      if (!Number.isInteger(t.pair) || t.pair < 0) throw new CosmetaError(`real-space projection: pair index ${t.pair} must be an integer >= 0`);
      if (s.binAverage) {
        if (t.thetaMin === undefined || t.thetaMax === undefined || !(t.thetaMin > 0) || !(t.thetaMax > t.thetaMin)) {
          throw new CosmetaError(`real-space projection: bin averaging needs 0 < thetaMin < thetaMax for every angle (theta = ${t.theta}: [${t.thetaMin}, ${t.thetaMax}])`);
        }
        thetaMax = Math.max(thetaMax, t.thetaMax);
      } else thetaMax = Math.max(thetaMax, t.theta);
    }
    if (s.method !== 'flat' && s.method !== 'fullsky') throw new CosmetaError(`real-space projection: method "${s.method}"; valid: flat, fullsky`);
    if (s.method === 'fullsky' && s.binAverage) throw new CosmetaError('real-space projection: bin averaging is implemented for the flat-sky transform only');
    this.ell = Float64Array.from(ell);
    this.targets = targets;
    const fullSky = s.method === 'fullsky';
    const lTop = Math.floor(s.ellMax);
    const { x, w } = fullSky
      ? { x: Float64Array.from({ length: lTop - 1 }, (_, i) => i + 2), w: new Float64Array(lTop - 1).fill(1) }
      : hankelNodes(this.ell[0], thetaMax * ARCMIN, s);
    this.nodes = x.length;

    // Interpolation of ell^2 C in ln ell: node k reads C at grid points base[k] .. base[k] + 3.
    const lnEll = Float64Array.from(this.ell, Math.log);
    const base = new Int32Array(x.length);
    const lag = new Float64Array(4 * x.length);
    let j = 0;
    for (let k = 0; k < x.length; k++) {
      if (x[k] <= this.ell[0]) {
        base[k] = 0;
        lag[4 * k] = 1; // constant below the first multipole
        continue;
      }
      const u = Math.log(x[k]);
      while (j < nL - 2 && lnEll[j + 1] <= u) j++;
      const b = Math.min(Math.max(j - 1, 0), nL - 4);
      base[k] = b;
      for (let a = 0; a < 4; a++) {
        let L = 1;
        for (let c = 0; c < 4; c++) if (c !== a) L *= (u - lnEll[b + c]) / (lnEll[b + a] - lnEll[b + c]);
        lag[4 * k + a] = (L * this.ell[b + a] * this.ell[b + a]) / (x[k] * x[k]);
      }
    }

    this.matrix = new Float64Array(targets.length * nL);
    const jb = new Float64Array(5);
    const kernel = new Float64Array(x.length);
    targets.forEach((t, r) => {
      const n = t.statistic === 'xi_plus' ? 0 : 4;
      const row = this.matrix.subarray(r * nL, (r + 1) * nL);
      if (fullSky) {
        wignerD2(t.statistic === 'xi_plus' ? 2 : -2, Math.cos(t.theta * ARCMIN), lTop, kernel);
        for (let k = 0; k < x.length; k++) {
          const wk = ((2 * x[k] + 1) / (4 * Math.PI)) * kernel[k];
          const b = base[k];
          for (let a = 0; a < 4; a++) row[b + a] += wk * lag[4 * k + a];
        }
        return;
      }
      const th = t.theta * ARCMIN;
      const ta = (t.thetaMin ?? 0) * ARCMIN;
      const tb = (t.thetaMax ?? 0) * ARCMIN;
      const area = (tb * tb - ta * ta) / 2;
      for (let k = 0; k < x.length; k++) {
        const l = x[k];
        let jn: number;
        if (s.binAverage) jn = (besselMoment(n, l * tb, jb) - besselMoment(n, l * ta, jb)) / (l * l * area);
        else jn = besselJArray(n, l * th, jb)[n];
        const wk = (w[k] * l * jn) / (2 * Math.PI);
        const b = base[k];
        for (let a = 0; a < 4; a++) row[b + a] += wk * lag[4 * k + a];
      }
    });
  }

  get size(): number {
    return this.targets.length;
  }

  /**
   * xi at every target from a pair-major C_ell data vector cl[p * nEll + l] (dimensionless). `offset`
   * locates the vector inside a larger block; `out` may be supplied.
   */
  project(cl: ArrayLike<number>, out: Float64Array = new Float64Array(this.targets.length), offset = 0): Float64Array {
    const nL = this.ell.length;
    const M = this.matrix;
    for (let r = 0; r < this.targets.length; r++) {
      const o = offset + this.targets[r].pair * nL;
      if (o + nL > cl.length) throw new CosmetaError(`real-space projection: C_ell vector has ${cl.length - offset} entries, pair ${this.targets[r].pair} needs ${o + nL - offset}`);
      let s = 0;
      const m0 = r * nL;
      for (let l = 0; l < nL; l++) s += M[m0 + l] * cl[o + l];
      out[r] = s;
    }
    return out;
  }
}

/**
 * Wigner d^ell_{2,mp}(theta) for mp = +2 or -2 and ell = 2..lMax into out[ell - 2], from
 * d^2_{2,+-2} = ((1 +- x)/2)^2 and the recurrence in ell (Edmonds 1957, Eq. 4.1.25 rearranged;
 * e.g. Risbo 1996), x = cos theta:
 *   ell sqrt(((ell+1)^2 - 4)((ell+1)^2 - mp^2)) d^{ell+1} = (2 ell + 1)(ell (ell + 1) x - 2 mp) d^ell
 *                                                         - (ell + 1) sqrt((ell^2 - 4)(ell^2 - mp^2)) d^{ell-1}.
 */
export function wignerD2(mp: 2 | -2, x: number, lMax: number, out: Float64Array = new Float64Array(Math.max(0, lMax - 1))): Float64Array {
  const q = mp === 2 ? (1 + x) / 2 : (1 - x) / 2;
  let prev = 0;
  let cur = q * q;
  if (lMax >= 2) out[0] = cur;
  for (let l = 2; l < lMax; l++) {
    const l1 = (l + 1) * (l + 1);
    const next = ((2 * l + 1) * (l * (l + 1) * x - 2 * mp) * cur - (l + 1) * (l * l - 4) * prev) / (l * (l1 - 4));
    prev = cur;
    cur = next;
    out[l - 1] = cur;
  }
  return out;
}

/** Log-spaced multipoles from ellMin to ellMax, `perDecade` per decade, endpoints included. */
export function logEllGrid(ellMin: number, ellMax: number, perDecade: number): Float64Array {
  const n = Math.max(4, Math.ceil(Math.log10(ellMax / ellMin) * perDecade) + 1);
  return Float64Array.from({ length: n }, (_, i) => ellMin * Math.pow(ellMax / ellMin, i / (n - 1)));
}
