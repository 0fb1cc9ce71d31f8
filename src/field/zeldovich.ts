/**
 * BORG's data model in 3-D (Jasche & Wandelt 2013, MNRAS 432, 894, arXiv:1203.3639): initial density
 * -> first-order LPT (Zel'dovich 1970) displacement of a particle lattice -> cloud-in-cell density ->
 * linear bias -> Poisson likelihood of galaxy counts with a selection function; gradient by hand.
 *
 * Parameters x = [eps (n^3 white-noise cells), theta = ln A (when sampled)]; box of side L [Mpc], cell
 * Delta = L/n, one particle per cell on the lattice q_p = (i + 1/2) Delta (half a cell off the density
 * nodes, so undisplaced particles sit between nodes, where the CIC kernel is smooth).
 *   delta_k = sqrt(A) sqrt(S_k / n^3) F[eps]_k        (Gaussian initial field, grid spectrum A S_k; S_k from
 *                                                   P(k) [Mpc^3] by gaussian-field.ts, at the output time)
 *   psi_k = i k / k^2 delta_k                       (Zel'dovich displacement, delta = -div psi; J&W 2013 eq. 8)
 *   x_p = q_p + psi(q_p)                            (periodic)
 *   rho_j = sum_p W(x_p / Delta - j),  W(u) = prod_d max(0, 1 - |u_d|)   (CIC; rho-bar = 1 per cell)
 *   lambda_j = S_j nbar (1 + b (rho_j - 1))         (linear bias b, mean count nbar per cell, selection S_j)
 *   ln L = sum_{S_j > 0} [N_j ln lambda_j - lambda_j]   (Poisson, J&W 2013 eq. 18 up to ln N_j!)
 * ln p = -|eps|^2 / 2 + ln L (+ a flat prior on ln A). A lambda_j <= 0 in a selected cell gives ln p = -inf.
 * The adjoint runs the chain backwards: rho-bar_j = S_j nbar b (N_j / lambda_j - 1); the CIC weights'
 * derivatives give x-bar_p; delta-bar = F^-1[sum_d (-i k_d / k^2) F[psi-bar_d]] (the adjoint of a real
 * operator with an odd imaginary filter is minus itself); eps-bar = sqrt(A) L delta-bar.
 */

import { CosmetaError } from '../errors.js';
import type { FourierGrid } from '../math/fft.js';
import { poisson, type Random } from '../math/random.js';
import { GaussianField } from './gaussian-field.js';

export interface ZeldovichOptions {
  grid: FourierGrid;
  /** Box side L [Mpc]. */
  side: number;
  /** Grid spectrum S_k of the initial density at A = 1 (fftn variances, numpy layout). */
  spectrum: Float64Array;
  /** Mean galaxy count per cell nbar (before selection). */
  meanCount: number;
  /** Linear bias b. */
  bias: number;
  /** Selection S_j in [0, 1] per cell (default 1 everywhere). */
  selection?: Float64Array;
  amplitude?: { fixed: number } | { lnAMin: number; lnAMax: number };
}

export class ZeldovichModel {
  readonly grid: FourierGrid;
  readonly field: GaussianField;
  readonly n: number;
  readonly size: number;
  readonly dim: number;
  readonly side: number;
  readonly meanCount: number;
  readonly bias: number;
  readonly selection: Float64Array;
  readonly sampleAmplitude: boolean;
  readonly fixedLnA: number;
  readonly lnARange: [number, number];
  /** Galaxy counts per cell. */
  counts: Float64Array;
  /** k_d / k^2 in units of 1/Delta (zero at k = 0 and where m_d is the Nyquist frequency), per axis. */
  private readonly h: Float64Array[];
  private readonly E: Float64Array;
  private readonly D: Float64Array;
  private readonly C: Float64Array;
  private readonly u: Float64Array[];
  private readonly rho: Float64Array;
  private readonly rhoBar: Float64Array;
  private readonly uBar: Float64Array[];
  private readonly mirror: Int32Array;

  constructor(o: ZeldovichOptions) {
    if (o.grid.shape.length !== 3) throw new CosmetaError(`Zel'dovich model: a 3-D grid is needed, got [${o.grid.shape.join(', ')}]`);
    if (!(o.meanCount > 0)) throw new CosmetaError(`mean count per cell must be > 0, got ${o.meanCount}`);
    if (!(o.bias > 0)) throw new CosmetaError(`bias must be > 0, got ${o.bias}`);
    this.grid = o.grid;
    this.n = o.grid.shape[0];
    this.size = o.grid.size;
    this.side = o.side;
    this.field = new GaussianField(o.grid, o.spectrum);
    this.meanCount = o.meanCount;
    this.bias = o.bias;
    this.selection = o.selection ?? new Float64Array(this.size).fill(1);
    if (this.selection.length !== this.size || this.selection.some((s) => !(s >= 0 && s <= 1))) {
      throw new CosmetaError(`selection must have ${this.size} values in [0, 1]`);
    }
    const amp = o.amplitude ?? { fixed: 1 };
    this.sampleAmplitude = !('fixed' in amp);
    this.fixedLnA = 'fixed' in amp ? Math.log(amp.fixed) : Number.NaN;
    this.lnARange = 'fixed' in amp ? [this.fixedLnA, this.fixedLnA] : [amp.lnAMin, amp.lnAMax];
    this.dim = this.size + (this.sampleAmplitude ? 1 : 0);
    const n = this.n;
    this.h = [0, 1, 2].map(() => new Float64Array(this.size));
    o.grid.forEachMode((i, m) => {
      const m2 = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
      if (m2 === 0) return;
      // k_d / k^2 with k = 2 pi m / L, in units of 1/Delta: (m_d / m^2) n / (2 pi).
      for (let d = 0; d < 3; d++) this.h[d][i] = m[d] === -n / 2 ? 0 : ((m[d] / m2) * n) / (2 * Math.PI);
    });
    this.E = o.grid.complex();
    this.D = o.grid.complex();
    this.C = o.grid.complex();
    this.u = [0, 1, 2].map(() => new Float64Array(this.size));
    this.rho = new Float64Array(this.size);
    this.rhoBar = new Float64Array(this.size);
    this.uBar = [0, 1, 2].map(() => new Float64Array(this.size));
    this.mirror = Int32Array.from({ length: this.size }, (_, i) => o.grid.mirrorIndex(i));
    this.counts = new Float64Array(this.size);
  }

  lnA(x: ArrayLike<number>): number {
    return this.sampleAmplitude ? x[this.size] : this.fixedLnA;
  }

  /** The initial density field delta (real space) of a parameter vector. */
  initialDensity(x: Float64Array): Float64Array {
    const a = Math.exp(this.lnA(x) / 2);
    const out = this.field.colour(x.subarray(0, this.size));
    for (let i = 0; i < this.size; i++) out[i] *= a;
    return out;
  }

  /** Displacements u_d (grid units) from x; leaves delta_k in this.D. */
  displacement(x: Float64Array): Float64Array[] {
    const { grid, size, E, D } = this;
    const a = Math.exp(this.lnA(x) / 2);
    grid.forward(x.subarray(0, size), E);
    const amp = this.field.amplitude;
    for (let i = 0; i < size; i++) {
      D[2 * i] = a * amp[i] * E[2 * i];
      D[2 * i + 1] = a * amp[i] * E[2 * i + 1];
    }
    return this.displaceModes(D);
  }

  /** Zel'dovich displacements (grid units) of a real initial density field given in real space. */
  displacementOfDensity(delta: ArrayLike<number>): Float64Array[] {
    return this.displaceModes(this.grid.forward(delta, this.D)).map((u) => Float64Array.from(u));
  }

  /** u_d = F^-1[i h_d D]: u_x and u_y in one complex inverse transform (u_x + i u_y), then u_z. */
  private displaceModes(D: Float64Array): Float64Array[] {
    const { grid, size, C } = this;
    const [hx, hy, hz] = this.h;
    for (let i = 0; i < size; i++) {
      // i hx D - hy D
      C[2 * i] = -hx[i] * D[2 * i + 1] - hy[i] * D[2 * i];
      C[2 * i + 1] = hx[i] * D[2 * i] - hy[i] * D[2 * i + 1];
    }
    grid.transformInPlace(C, true);
    const [ux, uy, uz] = this.u;
    for (let i = 0; i < size; i++) {
      ux[i] = C[2 * i];
      uy[i] = C[2 * i + 1];
    }
    for (let i = 0; i < size; i++) {
      C[2 * i] = -hz[i] * D[2 * i + 1];
      C[2 * i + 1] = hz[i] * D[2 * i];
    }
    grid.transformInPlace(C, true);
    for (let i = 0; i < size; i++) uz[i] = C[2 * i];
    return this.u;
  }

  /** CIC density rho_j (1 per cell on average) of the particles displaced by u (grid units). */
  density(u: Float64Array[], rho = this.rho): Float64Array {
    rho.fill(0);
    this.cic(u, rho, null);
    return rho;
  }

  /**
   * Cloud-in-cell over every particle: with `rhoBar` null, deposit the weights into rho; otherwise
   * gather the adjoint x-bar_{p,d} = sum_c rhoBar_c dW_c/dx_d into uBar (rho unused).
   */
  private cic(u: Float64Array[], rho: Float64Array, rhoBar: Float64Array | null): void {
    const n = this.n;
    const nn = n * n;
    const [ux, uy, uz] = u;
    const [bx, by, bz] = this.uBar;
    for (let p = 0; p < this.size; p++) {
      const X = Math.floor(p / nn) + 0.5 + ux[p];
      const Y = (Math.floor(p / n) % n) + 0.5 + uy[p];
      const Z = (p % n) + 0.5 + uz[p];
      const fx = Math.floor(X);
      const fy = Math.floor(Y);
      const fz = Math.floor(Z);
      const tx = X - fx;
      const ty = Y - fy;
      const tz = Z - fz;
      const x0 = (((fx % n) + n) % n) * nn;
      const y0 = (((fy % n) + n) % n) * n;
      const z0 = ((fz % n) + n) % n;
      const x1 = (x0 + nn) % (n * nn);
      const y1 = (y0 + n) % nn;
      const z1 = (z0 + 1) % n;
      const c000 = x0 + y0 + z0;
      const c001 = x0 + y0 + z1;
      const c010 = x0 + y1 + z0;
      const c011 = x0 + y1 + z1;
      const c100 = x1 + y0 + z0;
      const c101 = x1 + y0 + z1;
      const c110 = x1 + y1 + z0;
      const c111 = x1 + y1 + z1;
      const sx = 1 - tx;
      const sy = 1 - ty;
      const sz = 1 - tz;
      if (rhoBar === null) {
        rho[c000] += sx * sy * sz;
        rho[c001] += sx * sy * tz;
        rho[c010] += sx * ty * sz;
        rho[c011] += sx * ty * tz;
        rho[c100] += tx * sy * sz;
        rho[c101] += tx * sy * tz;
        rho[c110] += tx * ty * sz;
        rho[c111] += tx * ty * tz;
      } else {
        const r000 = rhoBar[c000];
        const r001 = rhoBar[c001];
        const r010 = rhoBar[c010];
        const r011 = rhoBar[c011];
        const r100 = rhoBar[c100];
        const r101 = rhoBar[c101];
        const r110 = rhoBar[c110];
        const r111 = rhoBar[c111];
        // d/dx of the weights: the x factor (1 - tx or tx) becomes -1 or +1; likewise for y and z.
        bx[p] = -(sy * sz * r000 + sy * tz * r001 + ty * sz * r010 + ty * tz * r011) + (sy * sz * r100 + sy * tz * r101 + ty * sz * r110 + ty * tz * r111);
        by[p] = -(sx * sz * r000 + sx * tz * r001 + tx * sz * r100 + tx * tz * r101) + (sx * sz * r010 + sx * tz * r011 + tx * sz * r110 + tx * tz * r111);
        bz[p] = -(sx * sy * r000 + sx * ty * r010 + tx * sy * r100 + tx * ty * r110) + (sx * sy * r001 + sx * ty * r011 + tx * sy * r101 + tx * ty * r111);
      }
    }
  }

  /** Poisson rate per cell from the CIC density. */
  rate(rho: Float64Array, out = new Float64Array(this.size)): Float64Array {
    for (let j = 0; j < this.size; j++) out[j] = this.selection[j] * this.meanCount * (1 + this.bias * (rho[j] - 1));
    return out;
  }

  /** Simulate counts from a parameter vector (sets this.counts); throws if a rate is negative. */
  simulate(x: Float64Array, rng: Random): Float64Array {
    const lam = this.rate(this.density(this.displacement(x)));
    this.counts = Float64Array.from(lam, (l, j) => {
      if (l < 0) throw new CosmetaError(`negative Poisson rate ${l} in cell ${j}: lower the bias or the amplitude`);
      return poisson(rng, l);
    });
    return this.counts;
  }

  logProb(x: Float64Array, grad?: Float64Array): number {
    const size = this.size;
    const lnA = this.lnA(x);
    if (this.sampleAmplitude && !(lnA >= this.lnARange[0] && lnA <= this.lnARange[1])) return Number.NEGATIVE_INFINITY;
    const u = this.displacement(x);
    const rho = this.density(u);
    const nb = this.meanCount;
    const b = this.bias;
    let lp = 0;
    for (let i = 0; i < size; i++) lp -= 0.5 * x[i] * x[i];
    const rb = this.rhoBar;
    for (let j = 0; j < size; j++) {
      const s = this.selection[j];
      rb[j] = 0;
      if (s === 0) continue;
      const lam = s * nb * (1 + b * (rho[j] - 1));
      if (!(lam > 0)) return Number.NEGATIVE_INFINITY;
      const N = this.counts[j];
      lp += (N > 0 ? N * Math.log(lam) : 0) - lam;
      rb[j] = s * nb * b * (N / lam - 1);
    }
    if (!grad) return lp;
    // x-bar_p (grid units) from the CIC weights' derivatives.
    this.cic(u, rho, rb);
    const ub = this.uBar;
    const { grid, C, E, D } = this;
    // delta-bar_k = sum_d (-i h_d) F[u-bar_d]_k, accumulated in E. F[u-bar_x] and F[u-bar_y] come
    // from one transform Z = F[u-bar_x + i u-bar_y]: X_k = (Z_k + conj Z_-k) / 2, Y_k = (Z_k - conj Z_-k) / 2i.
    const [hx, hy, hz] = this.h;
    const mir = this.mirror;
    for (let i = 0; i < size; i++) {
      C[2 * i] = ub[0][i];
      C[2 * i + 1] = ub[1][i];
    }
    grid.transformInPlace(C, false);
    for (let i = 0; i < size; i++) {
      const j = mir[i];
      const zr = C[2 * i];
      const zi = C[2 * i + 1];
      const wr = C[2 * j];
      const wi = -C[2 * j + 1];
      const xr = (zr + wr) / 2;
      const xi = (zi + wi) / 2;
      const yr = (zi - wi) / 2;
      const yi = -(zr - wr) / 2;
      // -i h (a + i b) = h b - i h a
      E[2 * i] = hx[i] * xi + hy[i] * yi;
      E[2 * i + 1] = -hx[i] * xr - hy[i] * yr;
    }
    grid.forward(ub[2], C);
    for (let i = 0; i < size; i++) {
      E[2 * i] += hz[i] * C[2 * i + 1];
      E[2 * i + 1] -= hz[i] * C[2 * i];
    }
    if (this.sampleAmplitude) {
      // d ln L / d theta = sum_x delta-bar_x delta_x / 2 = Re sum_k conj(DeltaBar_k) Delta_k / (2 size).
      let s = 0;
      for (let i = 0; i < size; i++) s += E[2 * i] * D[2 * i] + E[2 * i + 1] * D[2 * i + 1];
      grad[size] = s / (2 * size);
    }
    const a = Math.exp(lnA / 2);
    const amp = this.field.amplitude;
    for (let i = 0; i < size; i++) {
      E[2 * i] *= a * amp[i];
      E[2 * i + 1] *= a * amp[i];
    }
    grid.transformInPlace(E, true);
    for (let i = 0; i < size; i++) grad[i] = E[2 * i] - x[i];
    return lp;
  }

  /**
   * Signal-to-noise per mode of the counts, nbar b^2 <S> A S_k / n^3 (the information on a whitened mode,
   * linear order, ignoring the CIC smoothing): the mode precision is 1 + this, the Fourier mass matrix.
   */
  signalToNoise(lnA = this.sampleAmplitude ? (this.lnARange[0] + this.lnARange[1]) / 2 : this.fixedLnA): Float64Array {
    let sMean = 0;
    for (const s of this.selection) sMean += s / this.size;
    const f = (this.meanCount * this.bias * this.bias * sMean * Math.exp(lnA)) / this.size;
    return this.field.spectrum.map((s) => f * s);
  }
}
