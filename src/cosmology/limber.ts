/**
 * Cosmic-shear angular power spectra in the Limber approximation:
 *
 *   C_ell^{ij} = F(ell) (1 + m_i)(1 + m_j) int dchi q_i(chi) q_j(chi) / chi^2 P(k = (ell + 1/2) / chi, z(chi))
 *
 * with the lensing efficiency of a flat universe (e.g. Bartelmann & Schneider 2001, Eq. 6.19; CCL's
 * convention)
 *
 *   q_i(chi) = (3/2) (H0/c)^2 Omega_m chi / a(chi) int_{z(chi)} dz' p_i(z') (chi' - chi) / chi',
 *
 * p_i the normalised n(z), plus optionally the NLA intrinsic-alignment kernel (Hirata & Seljak 2004;
 * Bridle & King 2007) in CCL's convention, q_IA,i = -A_IA(z) C1 rho_crit Omega_m / D(z) p_i(z) H(z)/c with
 * A_IA(z) = A_IA ((1 + z)/(1 + z_pivot))^eta_IA. F(ell) = (ell+2)(ell+1)ell(ell-1)/(ell+1/2)^4 is CCL's
 * spin-2 prefactor (on by default, as CCL's angular_cl) or 1. C_ell carries no ell(ell+1)/2pi.
 *
 * The data vector is pair-major: cl[p * nEll + l] for pair p of `pairOrder(nBins)` and multipole l.
 */

import { CosmetaError } from '../errors.js';
import { gaussLegendre } from '../math/quadrature.js';
import type { Accuracy } from './accuracy.js';
import { DEFAULT_ACCURACY } from './accuracy.js';
import { E, type Background } from './background.js';
import { IA_C1_RHOCRIT } from './constants.js';
import type { MatterPower } from './power/matter-power.js';
import { PreparedBin, validateDistributions, type RedshiftDistributions, type ShiftConvention } from './redshift.js';

const GL4 = gaussLegendre(4);

/**
 * int n(u) / chi(u + Delta) du over knot interval j when it lies just above z = 0, where 1/chi ~ 1/z varies
 * too fast for Gauss-Legendre: product integration of f(z) / z with f = n(u) z / chi(z) smooth, taken
 * quadratic through the interval's ends and middle, and the 1/z weight integrated exactly.
 */
function nearZeroB(bg: Background, b: PreparedBin, j: number, shift: number): number {
  const u0 = b.u[j];
  const u1 = b.u[j + 1];
  const um = (u0 + u1) / 2;
  const z0 = u0 + shift;
  const z1 = u1 + shift;
  const zm = um + shift;
  const f0 = (b.n[j] * z0) / bg.chiUnchecked(z0);
  const fm = (b.spline.evaluateInSegment(j, um) * zm) / bg.chiUnchecked(zm);
  const f1 = (b.n[j + 1] * z1) / bg.chiUnchecked(z1);
  // f(z) = f0 + c1 (z - z0) + c2 (z - z0)(z - zm) (Newton form), integrated against 1/z exactly.
  const c1 = (fm - f0) / (zm - z0);
  const c2 = ((f1 - fm) / (z1 - zm) - c1) / (z1 - z0);
  // f = p0 + p1 z + p2 z^2
  const p2 = c2;
  const p1 = c1 - c2 * (z0 + zm);
  const p0 = f0 - c1 * z0 + c2 * z0 * zm;
  return p0 * Math.log(z1 / z0) + p1 * (z1 - z0) + (p2 * (z1 * z1 - z0 * z0)) / 2;
}

/**
 * The order of the spectra in every Cosmeta data vector: pairs (i, j) with i <= j in row order,
 * (0,0), (0,1), ..., (0,N-1), (1,1), ..., (N-1,N-1). For 5 bins: 15 pairs.
 */
export function pairOrder(nBins: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < nBins; i++) for (let j = i; j < nBins; j++) pairs.push([i, j]);
  return pairs;
}

/** CCL's spin-2 prefactor (ell+2)(ell+1)ell(ell-1)/(ell+1/2)^4 (0.614 at ell = 2, 0.99975 at ell = 100). */
export function spin2Prefactor(ell: number): number {
  const l2 = (ell + 0.5) * (ell + 0.5);
  return ((ell + 2) * (ell + 1) * ell * (ell - 1)) / (l2 * l2);
}

export interface IntrinsicAlignment {
  /** NLA amplitude A_IA. */
  A_IA: number;
  /** Redshift power-law index eta_IA. */
  eta_IA: number;
  /** Pivot redshift of the power law (default 0.62). */
  z_pivot?: number;
}

/**
 * NLA intrinsic-alignment amplitude at redshift z in CCL's convention, -A_IA(z) C1 rho_crit Omega_m / D(z)
 * (dimensionless; D normalised to 1 today), with A_IA(z) = A_IA ((1 + z)/(1 + z_pivot))^eta_IA.
 */
export function iaAmplitude(bg: Background, ia: IntrinsicAlignment, z: number): number {
  const zp = ia.z_pivot ?? 0.62;
  const a = -ia.A_IA * Math.pow((1 + z) / (1 + zp), ia.eta_IA);
  return (a * IA_C1_RHOCRIT * bg.cosmo.Omega_m) / bg.growthUnchecked(z);
}

export interface ShearOptions {
  /** Multiply by CCL's spin-2 prefactor (default true; requires ell > 1). */
  spin2?: boolean;
  /** Photo-z shift convention (default 'paper': Delta = dz (1 + <z>)). */
  shiftConvention?: ShiftConvention;
}

/** Per-call nuisance parameters (all optional; zero by default). */
export interface ShearNuisance {
  /** Photo-z shift parameter per bin. */
  dz?: ArrayLike<number>;
  /** Multiplicative shear bias per bin. */
  m?: ArrayLike<number>;
  /** NLA intrinsic alignments; none when absent. */
  ia?: IntrinsicAlignment;
}

/**
 * A survey's shear spectra, prepared once for its n(z), multipoles and options, then computed for any
 * cosmology (`compute`). Cosmology-independent work (n(z) interpolation and normalisation, quadrature
 * rules, multipole factors) happens here; `compute` allocates only its output.
 */
export class ShearSpectra {
  readonly nBins: number;
  readonly nPairs: number;
  readonly ell: Float64Array;
  readonly pairs: Array<[number, number]>;
  readonly options: Required<ShearOptions>;
  readonly accuracy: Accuracy;
  readonly bins: PreparedBin[];
  private readonly ellHalf: Float64Array;
  private readonly lnEllHalf: Float64Array;
  private readonly ellFactor: Float64Array;
  private readonly gl: { x: Float64Array; w: Float64Array };
  // Scratch buffers reused by compute (this object is not re-entrant).
  private readonly lnk: Float64Array;
  private readonly k: Float64Array;
  private readonly pk: Float64Array;
  private readonly q: Float64Array;
  private readonly tailA: Float64Array[];
  private readonly tailB: Float64Array[];
  private readonly norms: Float64Array;
  private readonly cursor: Int32Array;

  constructor(distributions: RedshiftDistributions, ell: ArrayLike<number>, options: ShearOptions = {}, acc: Accuracy = DEFAULT_ACCURACY) {
    validateDistributions(distributions);
    this.options = { spin2: options.spin2 ?? true, shiftConvention: options.shiftConvention ?? 'paper' };
    if (ell.length === 0) throw new CosmetaError('ell: at least one multipole is needed');
    for (let l = 0; l < ell.length; l++) {
      const e = ell[l];
      if (!Number.isFinite(e) || e < 0) throw new CosmetaError(`ell[${l}]=${e} must be a finite number >= 0`);
      if (this.options.spin2 && !(e > 1)) throw new CosmetaError(`ell[${l}]=${e}: the spin-2 prefactor needs ell > 1 (or turn it off)`);
    }
    this.accuracy = acc;
    this.ell = Float64Array.from(ell);
    this.nBins = distributions.nz.length;
    this.pairs = pairOrder(this.nBins);
    this.nPairs = this.pairs.length;
    this.bins = Array.from(distributions.nz, (n) => new PreparedBin(distributions.z, n));
    this.ellHalf = Float64Array.from(this.ell, (e) => e + 0.5);
    this.lnEllHalf = Float64Array.from(this.ell, (e) => Math.log(e + 0.5));
    this.ellFactor = Float64Array.from(this.ell, (e) => (this.options.spin2 ? spin2Prefactor(e) : 1));
    const order = acc.limberOrder;
    const panels = acc.limberPanels;
    const base = gaussLegendre(order, 0, 1 / panels);
    this.gl = { x: new Float64Array(order * panels), w: new Float64Array(order * panels) };
    for (let p = 0; p < panels; p++) {
      for (let i = 0; i < order; i++) {
        this.gl.x[p * order + i] = p / panels + base.x[i];
        this.gl.w[p * order + i] = base.w[i];
      }
    }
    this.lnk = new Float64Array(this.ell.length);
    this.k = new Float64Array(this.ell.length);
    this.pk = new Float64Array(this.ell.length);
    this.q = new Float64Array(this.nBins);
    this.tailA = this.bins.map((b) => new Float64Array(b.u.length));
    this.tailB = this.bins.map((b) => new Float64Array(b.u.length));
    this.norms = new Float64Array(this.nBins);
    this.cursor = new Int32Array(this.nBins);
  }

  /** Number of data-vector entries, nPairs x nEll. */
  get size(): number {
    return this.nPairs * this.ell.length;
  }

  /** Highest redshift any kernel reaches for these shifts (the background table must cover it). */
  zMax(nuisance: ShearNuisance = {}): number {
    let zTop = 0;
    this.bins.forEach((b, i) => {
      const d = nuisance.dz ? b.shift(nuisance.dz[i], this.options.shiftConvention) : 0;
      zTop = Math.max(zTop, b.u[b.lastPositive] + d);
    });
    return zTop;
  }

  /**
   * Compute the data vector [nPairs x nEll] for a cosmology (its background) and matter power spectrum.
   * `out` may be supplied to avoid allocation.
   */
  compute(bg: Background, power: MatterPower, nuisance: ShearNuisance = {}, out?: Float64Array): Float64Array {
    const nB = this.nBins;
    const nL = this.ell.length;
    const cl = out ?? new Float64Array(this.size);
    if (cl.length !== this.size) throw new CosmetaError(`output buffer has ${cl.length} entries, expected ${this.size}`);
    cl.fill(0);
    const c = bg.cosmo;
    const conv = this.options.shiftConvention;
    if (nuisance.dz && nuisance.dz.length !== nB) throw new CosmetaError(`dz has ${nuisance.dz.length} entries for ${nB} bins`);
    if (nuisance.m && nuisance.m.length !== nB) throw new CosmetaError(`m has ${nuisance.m.length} entries for ${nB} bins`);
    const shifts = this.bins.map((b, i) => (nuisance.dz ? b.shift(nuisance.dz[i], conv) : 0));
    const zTop = this.zMax(nuisance);
    if (zTop > bg.zMax) throw new CosmetaError(`the kernels reach z=${zTop}, beyond the background table (zMax=${bg.zMax})`);
    if (c.Omega_k !== 0) {
      throw new CosmetaError(`Omega_k=${c.Omega_k}: shear spectra are implemented for flat cosmologies only; set Omega_k to 0`);
    }
    const norms = this.prepareTails(bg, shifts);

    // Limber nodes in s = ln(1 + z/zs) between zMin and zTop.
    const zs = this.accuracy.limberZScale;
    const zMin = this.accuracy.limberZMin;
    const s0 = Math.log1p(zMin / zs);
    const s1 = Math.log1p(zTop / zs);
    const ds = s1 - s0;
    const lensPref = 1.5 * c.Omega_m / (bg.dH * bg.dH);
    const ia = nuisance.ia;
    const q = this.q;
    const lnk = this.lnk;
    const kk = this.k;
    const pk = this.pk;
    const cursor = this.cursor;
    cursor.fill(0);
    for (let n = 0; n < this.gl.x.length; n++) {
      const s = s0 + ds * this.gl.x[n];
      const es = Math.exp(s);
      const z = zs * (es - 1);
      const a = 1 / (1 + z);
      const chi = bg.chiUnchecked(z);
      const hOverC = E(c, a) / bg.dH; // H(z)/c [1/Mpc]
      const weight = (this.gl.w[n] * ds * zs * es) / hOverC / (chi * chi);
      const iaAmp = ia ? iaAmplitude(bg, ia, z) * hOverC : 0;
      let any = false;
      for (let i = 0; i < nB; i++) {
        const lens = this.flatLensing(bg, i, z - shifts[i], chi, shifts[i], cursor);
        let qi = (lensPref * (chi / a) * lens) / norms[i];
        if (ia) qi += (iaAmp * this.bins[i].spline.evaluate(z - shifts[i])) / norms[i];
        q[i] = qi;
        if (qi !== 0) any = true;
      }
      if (!any) continue;
      const lnChi = Math.log(chi);
      const invChi = 1 / chi;
      for (let l = 0; l < nL; l++) {
        lnk[l] = this.lnEllHalf[l] - lnChi;
        kk[l] = this.ellHalf[l] * invChi;
      }
      power.fill(z, kk, lnk, pk, nL);
      let p = 0;
      for (let i = 0; i < nB; i++) {
        const wi = weight * q[i];
        for (let j = i; j < nB; j++, p++) {
          const wij = wi * q[j];
          if (wij === 0) continue;
          const off = p * nL;
          for (let l = 0; l < nL; l++) cl[off + l] += wij * pk[l];
        }
      }
    }
    let p = 0;
    for (let i = 0; i < nB; i++) {
      for (let j = i; j < nB; j++, p++) {
        const mb = nuisance.m ? (1 + nuisance.m[i]) * (1 + nuisance.m[j]) : 1;
        const off = p * nL;
        for (let l = 0; l < nL; l++) cl[off + l] *= mb * this.ellFactor[l];
      }
    }
    return cl;
  }

  /**
   * Per bin: tail integrals from each knot to the top of the grid, A_j = int n du and B_j = int n / chi du
   * (two-point Gauss-Legendre per interval, exact for the Akima cubic in A; product integration for B
   * just above z = 0), with the redshift shifted by Delta; probability below z = 0 is dropped exactly, so
   * the result is continuous in Delta. Returns the normalisations.
   */
  private prepareTails(bg: Background, shifts: number[]): Float64Array {
    const norms = this.norms;
    for (let i = 0; i < this.nBins; i++) {
      const b = this.bins[i];
      const d = shifts[i];
      const A = this.tailA[i];
      const B = this.tailB[i];
      const m = b.u.length - 1;
      A[m] = 0;
      B[m] = 0;
      for (let j = m - 1; j >= 0; j--) {
        const zLo = b.u[j] + d;
        const zHi = b.u[j + 1] + d;
        let a = 0;
        let s = 0;
        if (zLo > 1e-12) {
          for (let qd = 2 * j; qd < 2 * j + 2; qd++) {
            const w = b.wnq[qd];
            a += w;
            s += w / bg.chiUnchecked(b.uq[qd] + d);
          }
          if (zLo < 10 * (zHi - zLo)) s = nearZeroB(bg, b, j, d);
        } else if (zHi > 0) {
          // The interval straddles z = 0: keep exactly the probability above it. Its B piece would
          // diverge, but no Limber node (z > 0) uses B at or below this interval, so it stays 0.
          a = b.spline.integrate(-d, b.u[j + 1]);
        }
        A[j] = A[j + 1] + a;
        B[j] = B[j + 1] + s;
      }
      norms[i] = A[0];
      if (!(A[0] > 0)) throw new CosmetaError(`n(z): bin ${i} lies entirely below z = 0 after its photo-z shift`);
    }
    return norms;
  }

  /**
   * Flat-sky lensing integral int_{u} n(u') (1 - chi / chi(u' + Delta)) du' at u = z - Delta: the tail
   * integrals from the next knot up, A - chi B, plus the partial interval from u to that knot by
   * four-point Gauss-Legendre on the bounded integrand. (Splitting the partial interval into A - chi B
   * too would integrate n/chi' below the node, where 1/chi' diverges at z' -> 0 when n(0) > 0.)
   * Nodes arrive in increasing z, so each bin keeps a cursor into its knots.
   */
  private flatLensing(bg: Background, i: number, u: number, chi: number, shift: number, cursor: Int32Array): number {
    const b = this.bins[i];
    const x = b.u;
    const m = x.length - 1;
    if (u >= x[m]) return 0;
    const A = this.tailA[i];
    const B = this.tailB[i];
    if (u <= x[0]) return A[0] - chi * B[0];
    let j = cursor[i];
    while (j < m - 1 && x[j + 1] <= u) j++;
    cursor[i] = j;
    const half = (x[j + 1] - u) / 2;
    const mid = (x[j + 1] + u) / 2;
    let partial = 0;
    for (let q = 0; q < 4; q++) {
      const uq = mid + half * GL4.x[q];
      partial += GL4.w[q] * b.spline.evaluateInSegment(j, uq) * (1 - chi / bg.chiUnchecked(uq + shift));
    }
    return A[j + 1] - chi * B[j + 1] + half * partial;
  }
}
