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

  private displaceModes(D: Float64Array): Float64Array[] {
    const { grid, size, C } = this;
    for (let d = 0; d < 3; d++) {
      const h = this.h[d];
      for (let i = 0; i < size; i++) {
        C[2 * i] = -h[i] * D[2 * i + 1];
        C[2 * i + 1] = h[i] * D[2 * i];
      }
      grid.transformInPlace(C, true);
      const u = this.u[d];
      for (let i = 0; i < size; i++) u[i] = C[2 * i];
    }
    return this.u;
  }

  /** CIC density rho_j (1 per cell on average) of the particles displaced by u (grid units). */
  density(u: Float64Array[], rho = this.rho): Float64Array {
    rho.fill(0);
    this.forEachParticle(u, (cells, weights) => {
      for (let c = 0; c < 8; c++) rho[cells[c]] += weights[c];
    });
    return rho;
  }

  /**
   * Visit every particle's 8 CIC cells and weights (and, for the adjoint, the weights' derivatives with
   * respect to the particle's position along each axis).
   */
  private forEachParticle(u: Float64Array[], fn: (cells: Int32Array, weights: Float64Array, dw: Float64Array[], p: number) => void): void {
    const n = this.n;
    const cells = new Int32Array(8);
    const w = new Float64Array(8);
    const dw = [new Float64Array(8), new Float64Array(8), new Float64Array(8)];
    const [ux, uy, uz] = u;
    for (let p = 0; p < this.size; p++) {
      const X = Math.floor(p / (n * n)) + 0.5 + ux[p];
      const Y = (Math.floor(p / n) % n) + 0.5 + uy[p];
      const Z = (p % n) + 0.5 + uz[p];
      const fx = Math.floor(X);
      const fy = Math.floor(Y);
      const fz = Math.floor(Z);
      const tx = X - fx;
      const ty = Y - fy;
      const tz = Z - fz;
      const ix = ((fx % n) + n) % n;
      const iy = ((fy % n) + n) % n;
      const iz = ((fz % n) + n) % n;
      for (let c = 0; c < 8; c++) {
        const bx = (c >> 2) & 1;
        const by = (c >> 1) & 1;
        const bz = c & 1;
        const wx = bx ? tx : 1 - tx;
        const wy = by ? ty : 1 - ty;
        const wz = bz ? tz : 1 - tz;
        const sx = bx ? 1 : -1;
        const sy = by ? 1 : -1;
        const sz = bz ? 1 : -1;
        cells[c] = ((ix + bx) % n) * n * n + ((iy + by) % n) * n + ((iz + bz) % n);
        w[c] = wx * wy * wz;
        dw[0][c] = sx * wy * wz;
        dw[1][c] = wx * sy * wz;
        dw[2][c] = wx * wy * sz;
      }
      fn(cells, w, dw, p);
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
    const ub = this.uBar;
    this.forEachParticle(u, (cells, _w, dw, p) => {
      for (let d = 0; d < 3; d++) {
        let s = 0;
        for (let c = 0; c < 8; c++) s += rb[cells[c]] * dw[d][c];
        ub[d][p] = s;
      }
    });
    const { grid, C, E, D } = this;
    // delta-bar_k = sum_d (-i h_d) F[u-bar_d]_k, accumulated in E.
    E.fill(0);
    for (let d = 0; d < 3; d++) {
      grid.forward(ub[d], C);
      const h = this.h[d];
      for (let i = 0; i < size; i++) {
        E[2 * i] += h[i] * C[2 * i + 1];
        E[2 * i + 1] -= h[i] * C[2 * i];
      }
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
