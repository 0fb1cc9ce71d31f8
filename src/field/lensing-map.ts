/**
 * Flat-sky weak-lensing map model for field-level inference, with its gradient by hand (adjoints).
 *
 * Parameters x = [eps (n x n white-noise pixels), theta = ln A (when the amplitude is sampled)]:
 *   g = sqrt(A) L eps,  L = F^-1 sqrt(S_k / n^2) F   (a Gaussian field of grid spectrum A S_k, see
 *                                                      gaussian-field.ts for S_k and C_ell),
 *   kappa = g (Gaussian) or lambda (exp(g - A v_1 / 2) - 1) (lognormal, v_1 the pixel variance at A = 1),
 *   observed: kappa itself, or the shear (gamma_1, gamma_2) = Kaiser-Squires(kappa),
 *   d_c = M (obs_c + n_c), n_c white with per-pixel variance sigma^2 (shape noise sigma_e^2 / n_gal per
 *   pixel), M the mask (unobserved pixels carry no likelihood).
 * ln p(x | d) = -|eps|^2 / 2 - sum_c sum_x w_x (d_cx - obs_cx)^2 / 2 + ln pi(theta),  w = M / sigma^2,
 * with a flat prior on ln A over [lnAMin, lnAMax]. The gradient is
 *   d/d eps = -eps + sqrt(A) L [kappa'(g) R^T r],  r_c = w (d_c - obs_c), R the observation operator,
 *   d/d theta = sum_x [kappa'(g) R^T r]_x (g_x / 2 - [lognormal] A v_1 / 2).
 */

import { CosmetaError } from '../errors.js';
import type { FourierGrid } from '../math/fft.js';
import type { Random } from '../math/random.js';
import { GaussianField } from './gaussian-field.js';
import { KaiserSquires, lognormal } from './operators.js';

export interface LensingMapOptions {
  grid: FourierGrid;
  /** Grid spectrum S_k of the Gaussian field at A = 1 (fftn variances, numpy layout). */
  spectrum: Float64Array;
  observable: 'convergence' | 'shear';
  /** Noise variance per pixel (and per shear component): one value or one per pixel. */
  noiseVariance: number | Float64Array;
  /** 1 where a pixel is observed, 0 where masked (default: all observed). */
  mask?: Uint8Array;
  /** Lognormal shift lambda (omit for a Gaussian convergence). */
  lognormalShift?: number;
  /** Amplitude: fixed A (default 1), or sampled with a flat prior on ln A in [lnAMin, lnAMax]. */
  amplitude?: { fixed: number } | { lnAMin: number; lnAMax: number };
  /**
   * With the amplitude sampled: 'partial' (default) parameterises each mode partially centred
   * (Papaspiliopoulos, Roberts & Skold 2007, Statist. Sci. 22, 59), 'none' keeps the non-centred eps.
   */
  centring?: 'partial' | 'none';
}

export class LensingMap {
  readonly grid: FourierGrid;
  readonly field: GaussianField;
  readonly observable: 'convergence' | 'shear';
  readonly size: number;
  /** Number of sampled parameters: size (+1 with the amplitude). */
  readonly dim: number;
  readonly sampleAmplitude: boolean;
  readonly fixedLnA: number;
  readonly lnARange: [number, number];
  readonly shift: number | null;
  /** Inverse noise variance times mask, per pixel. */
  readonly weight: Float64Array;
  readonly sigma: Float64Array;
  readonly mask: Uint8Array;
  /** Observed channels: [kappa] or [gamma_1, gamma_2]. */
  data: Float64Array[];
  /** Partial-centring weights w_k (null: non-centred). */
  readonly centring: Float64Array | null;
  private readonly centringSum: number;
  private readonly hk: Float64Array;
  private readonly G: Float64Array;
  private readonly E: Float64Array;
  private readonly scratch: Float64Array;
  private readonly ks: KaiserSquires | null;
  private readonly v1: number;
  private readonly work: Record<'u' | 'g' | 'kappa' | 'dk' | 'kbar' | 'o1' | 'o2' | 'r1' | 'r2' | 'back', Float64Array>;

  constructor(o: LensingMapOptions) {
    this.grid = o.grid;
    if (o.grid.shape.length !== 2) throw new CosmetaError(`lensing map: a 2-D grid is needed, got [${o.grid.shape.join(', ')}]`);
    this.field = new GaussianField(o.grid, o.spectrum);
    this.observable = o.observable;
    const n = (this.size = o.grid.size);
    this.mask = o.mask ?? new Uint8Array(n).fill(1);
    if (this.mask.length !== n) throw new CosmetaError(`mask of ${this.mask.length} pixels for a map of ${n}`);
    const nv = typeof o.noiseVariance === 'number' ? new Float64Array(n).fill(o.noiseVariance) : o.noiseVariance;
    if (nv.length !== n || nv.some((v) => !(v > 0))) throw new CosmetaError(`noise variance must be > 0 in each of the ${n} pixels`);
    this.sigma = nv.map(Math.sqrt);
    this.weight = nv.map((v, i) => (this.mask[i] ? 1 / v : 0));
    const amp = o.amplitude ?? { fixed: 1 };
    this.sampleAmplitude = !('fixed' in amp);
    if ('fixed' in amp) {
      if (!(amp.fixed > 0)) throw new CosmetaError(`amplitude must be > 0, got ${amp.fixed}`);
      this.fixedLnA = Math.log(amp.fixed);
      this.lnARange = [this.fixedLnA, this.fixedLnA];
    } else {
      if (!(amp.lnAMax > amp.lnAMin)) throw new CosmetaError(`ln A prior range [${amp.lnAMin}, ${amp.lnAMax}] is empty`);
      this.fixedLnA = Number.NaN;
      this.lnARange = [amp.lnAMin, amp.lnAMax];
    }
    this.dim = n + (this.sampleAmplitude ? 1 : 0);
    if (o.lognormalShift !== undefined && !(o.lognormalShift > 0)) throw new CosmetaError(`lognormal shift must be > 0, got ${o.lognormalShift}`);
    this.shift = o.lognormalShift ?? null;
    this.v1 = this.field.pixelVariance();
    this.ks = o.observable === 'shear' ? new KaiserSquires(o.grid) : null;
    const w = () => new Float64Array(n);
    this.work = { u: w(), g: w(), kappa: w(), dk: w(), kbar: w(), o1: w(), o2: w(), r1: w(), r2: w(), back: w() };
    this.data = this.channels().map(() => new Float64Array(n));
    this.hk = new Float64Array(n);
    this.G = o.grid.complex();
    this.E = o.grid.complex();
    this.scratch = o.grid.complex();
    if (this.sampleAmplitude && (o.centring ?? 'partial') === 'partial') {
      this.centring = this.modePrecision().map((p) => (p - 1) / p);
      this.centringSum = this.centring.reduce((a, b) => a + b, 0);
    } else {
      this.centring = null;
      this.centringSum = 0;
    }
  }

  /**
   * ln prior of the parameters (flat in ln A inside its range) and its gradient into grad. Partially
   * centred: eps~_k = A^(w_k/2) eps_k in Fourier space with eps white, so
   * ln p = -|eps|^2 / 2 - (ln A / 2) sum_k w_k (the Jacobian), eps = F^-1[A^(-w/2) F eps~].
   */
  private logPrior(x: Float64Array, lnA: number, grad?: Float64Array): number {
    const n = this.size;
    const w = this.centring;
    let lp = 0;
    if (!w) {
      for (let i = 0; i < n; i++) {
        lp -= 0.5 * x[i] * x[i];
        if (grad) grad[i] = -x[i];
      }
      if (grad && this.sampleAmplitude) grad[n] = 0;
      return lp;
    }
    const E = this.grid.forward(x.subarray(0, n), this.E);
    let e2 = 0;
    let dt = 0;
    for (let i = 0; i < n; i++) {
      const f = Math.exp((-lnA * w[i]) / 2);
      E[2 * i] *= f;
      E[2 * i + 1] *= f;
      const p2 = E[2 * i] * E[2 * i] + E[2 * i + 1] * E[2 * i + 1];
      e2 += p2;
      dt += (w[i] / 2) * p2;
    }
    lp = -e2 / (2 * n) - (lnA / 2) * this.centringSum;
    if (!grad) return lp;
    for (let i = 0; i < n; i++) {
      const f = Math.exp((-lnA * w[i]) / 2);
      E[2 * i] *= -f;
      E[2 * i + 1] *= -f;
    }
    this.grid.transformInPlace(E, true);
    for (let i = 0; i < n; i++) grad[i] = E[2 * i];
    grad[n] = dt / n - this.centringSum / 2;
    return lp;
  }

  private channels(): number[] {
    return this.observable === 'shear' ? [0, 1] : [0];
  }

  /** ln A of a parameter vector. */
  lnA(x: ArrayLike<number>): number {
    return this.sampleAmplitude ? x[this.size] : this.fixedLnA;
  }

  /** The colouring filter h_k = sqrt(S_k / n^2) A^((1 - w_k)/2) at ln A (w = 0 without the amplitude). */
  private colourFilter(lnA: number): Float64Array {
    const h = this.hk;
    const amp = this.field.amplitude;
    if (!this.centring) {
      const a = Math.exp(lnA / 2);
      for (let i = 0; i < this.size; i++) h[i] = a * amp[i];
    } else {
      const w = this.centring;
      for (let i = 0; i < this.size; i++) h[i] = amp[i] * Math.exp((lnA * (1 - w[i])) / 2);
    }
    return h;
  }

  /** The convergence map of a parameter vector (and kappa'(g) into `dk`, g into `g`). */
  convergence(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.size), dk: Float64Array = this.work.dk, g: Float64Array = this.work.g): Float64Array {
    const lnA = this.lnA(x);
    const eps = x.length === this.size ? x : (x as Float64Array).subarray(0, this.size);
    const G = this.grid.forward(eps, this.G);
    const h = this.colourFilter(lnA);
    for (let i = 0; i < this.size; i++) {
      G[2 * i] *= h[i];
      G[2 * i + 1] *= h[i];
    }
    this.grid.inverseReal(G, g, this.scratch);
    if (this.shift === null) {
      out.set(g);
      dk.fill(1);
    } else {
      lognormal(g, Math.exp(lnA) * this.v1, this.shift, out, dk);
    }
    return out;
  }

  /** The noiseless observables of a convergence map: [kappa] or [gamma_1, gamma_2]. */
  observe(kappa: Float64Array): Float64Array[] {
    if (this.ks) return this.ks.apply(kappa, new Float64Array(this.size), new Float64Array(this.size));
    return [Float64Array.from(kappa)];
  }

  /** Simulate data from a parameter vector with noise from rng (masked pixels set to 0); sets this.data. */
  simulate(x: ArrayLike<number>, rng: Random): Float64Array[] {
    const obs = this.observe(this.convergence(x));
    this.data = obs.map((o) => o.map((v, i) => (this.mask[i] ? v + this.sigma[i] * rng.normal() : 0)));
    return this.data;
  }

  /** ln posterior (up to a constant) and, if `grad` is given, its gradient (length dim). */
  logProb(x: Float64Array, grad?: Float64Array): number {
    const n = this.size;
    const lnA = this.lnA(x);
    if (this.sampleAmplitude && !(lnA >= this.lnARange[0] && lnA <= this.lnARange[1])) return Number.NEGATIVE_INFINITY;
    const w = this.work;
    const kappa = this.convergence(x, w.kappa, w.dk, w.g);
    let obs: Float64Array[];
    if (this.ks) obs = this.ks.apply(kappa, w.o1, w.o2);
    else obs = [kappa];
    const res = [w.r1, w.r2];
    let lp = this.logPrior(x, lnA, grad);
    obs.forEach((o, c) => {
      const d = this.data[c];
      const r = res[c];
      for (let i = 0; i < n; i++) {
        const e = d[i] - o[i];
        r[i] = this.weight[i] * e;
        lp -= 0.5 * r[i] * e;
      }
    });
    if (!grad) return lp;
    const kbar = this.ks ? this.ks.adjoint(w.r1, w.r2, w.kbar) : w.kbar;
    if (!this.ks) kbar.set(w.r1);
    for (let i = 0; i < n; i++) kbar[i] *= w.dk[i];
    // kbar is now g-bar. d/d eps~ = F^-1[h F g-bar]; d/d theta = (1/n^2) Re sum conj(F g-bar) (1 - w)/2 G.
    const B = this.grid.forward(kbar, this.scratch);
    const h = this.hk;
    const G = this.G;
    let dt = 0;
    if (this.sampleAmplitude) {
      const c = this.centring;
      for (let i = 0; i < n; i++) dt += ((c ? 1 - c[i] : 1) / 2) * (B[2 * i] * G[2 * i] + B[2 * i + 1] * G[2 * i + 1]);
      dt /= n;
      if (this.shift !== null) {
        let sb = 0;
        for (let i = 0; i < n; i++) sb += kbar[i];
        dt -= (Math.exp(lnA) * this.v1 * sb) / 2;
      }
    }
    for (let i = 0; i < n; i++) {
      B[2 * i] *= h[i];
      B[2 * i + 1] *= h[i];
    }
    this.grid.transformInPlace(B, true);
    for (let i = 0; i < n; i++) grad[i] += B[2 * i];
    if (this.sampleAmplitude) grad[n] += dt;
    return lp;
  }

  /**
   * The Fourier-diagonal precision of the whitened modes for a Gaussian, unmasked convergence model,
   * 1 + A S_k / N_k with N_k = n^2 sigma^2 (the mass matrix that makes HMC near-ideal there; used as an
   * approximation otherwise, with the mean noise and the observed fraction of the map).
   */
  modePrecision(lnA = this.sampleAmplitude ? (this.lnARange[0] + this.lnARange[1]) / 2 : this.fixedLnA): Float64Array {
    let wsum = 0;
    for (let i = 0; i < this.size; i++) wsum += this.weight[i];
    const meanW = wsum / this.size; // fraction observed / sigma^2
    const A = Math.exp(lnA);
    // For shear, |c|^2 + |s|^2 = 1 away from l = 0 and the Nyquist lines: the same information as kappa.
    return this.field.spectrum.map((s) => 1 + (A * s * meanW) / this.size);
  }

  /**
   * Fisher information of ln A for the same Gaussian, unmasked approximation:
   * F = (1/2) sum_k (A S_k / (A S_k + N_k))^2 over every grid mode (the inverse of the mass for ln A).
   */
  amplitudeFisher(lnA = this.sampleAmplitude ? (this.lnARange[0] + this.lnARange[1]) / 2 : this.fixedLnA): number {
    const prec = this.modePrecision(lnA);
    let f = 0;
    for (const p of prec) f += ((p - 1) / p) ** 2;
    return f / 2;
  }
}
