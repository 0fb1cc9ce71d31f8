/**
 * The `boltzmann_emulated` linear model: an emulator of the Boltzmann solver's z = 0 spectrum.
 *
 * What is emulated varies slowly: y = ln[P_solver(k) / P_ref(k)] as a function of (omega_b, omega_c, h)
 * only, where P_ref is the Eisenstein & Hu (1998) no-wiggle spectrum normalised to the same A_s by the
 * Poisson equation (power/normalisation.ts), tabulated on a fixed grid in x = ln(k r_s) with r_s EH98's
 * sound horizon at the drag epoch (their Eq. 6): the baryon wiggles then sit at nearly the same x for
 * every cosmology, so a few principal components describe them across the domain (on a fixed ln k grid
 * their phase moves with r_s and the components needed grow many-fold). n_s and the amplitude cancel in the ratio
 * (the linear transfer function does not depend on them), so they enter exactly:
 *
 *   P(k, z = 0) / A_s = P_ref(k) / A_s * exp(y(k)),  P_ref / A_s = C(n_s, ...) k^n_s T_EH(k)^2 [Mpc^3].
 *
 * y is a mean plus principal components (PCA of the training set), each coefficient predicted by a
 * Gaussian process in the manner of emuPK (Mootoovaloo et al. 2021, arXiv:2105.02256: one GP per
 * component, marginalised polynomial mean, hyperparameters by maximum evidence) or by a small MLP. Inputs
 * are u = (ln omega_m, f_b = omega_b / omega_m, h) mapped linearly onto [0, 1]^3 over the domain box. Beyond the grid y
 * is held at its end values (P then follows the no-wiggle shape's slope). Growth to z > 0 comes from the
 * background (scale-independent; checked against the solver in the tests).
 *
 * The file (JSON, `PkEmulatorJSON`) carries everything for prediction: the domain, the grid, the basis,
 * and for the GP the training inputs with each component's hyperparameters, beta and alpha = K^-1 (y - H
 * beta) (R&W 2006 eq. 2.42), so loading needs no factorisation.
 */

import { CosmetaError } from '../../errors.js';
import { SegmentedCubicSpline } from '../../math/spline.js';
import type { Cosmology } from '../params.js';
import { poissonFactor } from '../power/normalisation.js';
import { eisensteinHuNoWiggles, eisensteinHuParameters } from '../transfer/eisenstein_hu.js';
import { checkSolverCosmology } from '../transfer/boltzmann.js';
import type { LinearShape } from '../transfer/model.js';

export const PK_EMULATOR_FORMAT = 'cosmeta-pk-emulator' as const;

/**
 * Largest |y| = |ln(P_solver / P_ref)| a sound emulator can predict: the solver's P(k) differs from the
 * no-wiggle shape by tens of percent at most, so e^50 (a factor 5e21) is only ever a damaged file, and
 * bounding y keeps exp(y) finite.
 */
export const MAX_LN_RATIO = 50;

/**
 * The emulator's domain: a box in omega_m = omega_b + omega_c (log-spaced), the baryon fraction
 * f_b = omega_b / omega_m and h, with Omega_m = omega_m / h^2 bounded too (the inputs are functions of
 * omega_b, omega_c and h only).
 */
export interface PkEmulatorDomain {
  omega_m: [number, number];
  f_b: [number, number];
  h: [number, number];
  Omega_m: [number, number];
  Omega_b: [number, number];
  /**
   * Where the emulator answers: a cosmology must lie in one of these boxes (within 1e-9), besides the
   * envelope above (which also scales the inputs). Absent: the envelope alone.
   */
  boxes?: DomainBox[];
}

/** A box in (Omega_c or Omega_m, Omega_b, h). */
export interface DomainBox {
  name: string;
  Omega_c?: [number, number];
  Omega_m?: [number, number];
  Omega_b: [number, number];
  h: [number, number];
}

/** The paper's training box (arXiv:2504.00552) and a DES-Y1-like survey box (issue text; Troxel et al. 2018 priors). */
export const PK_EMULATOR_BOXES: readonly DomainBox[] = Object.freeze([
  { name: 'paper box', Omega_c: [0.165, 0.45] as [number, number], Omega_b: [0.025, 0.075] as [number, number], h: [0.35, 1.15] as [number, number] },
  { name: 'survey box', Omega_m: [0.1, 0.9] as [number, number], Omega_b: [0.03, 0.07] as [number, number], h: [0.55, 0.91] as [number, number] },
]);

/** Whether (Omega_c, Omega_b, h) lies in `box` (1e-9 slack). */
export function inDomainBox(box: DomainBox, c: { Omega_c: number; Omega_b: number; h: number }): boolean {
  return outsideBox(box, c) === null;
}

/** The name of the first violated bound of `box` at (Omega_c, Omega_b, h), or null inside it (1e-9 slack). */
function outsideBox(box: DomainBox, c: { Omega_c: number; Omega_b: number; h: number }): string | null {
  const values: Record<string, number> = { Omega_c: c.Omega_c, Omega_m: c.Omega_c + c.Omega_b, Omega_b: c.Omega_b, h: c.h };
  for (const name of ['Omega_c', 'Omega_m', 'Omega_b', 'h'] as const) {
    const r = box[name];
    if (r && !(values[name] >= r[0] - 1e-9 && values[name] <= r[1] + 1e-9)) return `${name}=${values[name].toPrecision(5)} is outside the ${box.name}'s ${r[0]}-${r[1]}`;
  }
  return null;
}

/**
 * The default domain. It contains the paper's training box (Omega_c 0.165-0.45, Omega_b 0.025-0.075,
 * h 0.35-1.15: omega_m 0.0233-0.694, f_b 0.048-0.3125, Omega_m 0.19-0.525) and the wide box (Omega_m
 * 0.1-0.9, Omega_b 0.03-0.07, h 0.55-0.91: omega_m 0.030-0.745, f_b 0.033-0.7); Omega_b 0.02-0.08 keeps
 * out the baryon-dominated corner (f_b near 0.7 at large omega_m) that neither box reaches.
 */
export const DEFAULT_PK_EMULATOR_DOMAIN: PkEmulatorDomain = Object.freeze({
  omega_m: [0.023, 0.75] as [number, number],
  f_b: [0.03, 0.71] as [number, number],
  h: [0.35, 1.15] as [number, number],
  Omega_m: [0.09, 0.95] as [number, number],
  Omega_b: [0.02, 0.08] as [number, number],
  boxes: PK_EMULATOR_BOXES as DomainBox[],
});

/** One GP per component (mean only): m(u) = h(u)^T beta + sum_i alpha_i k(u_i, u). */
export interface GpComponentJSON {
  kernel: 'rbf' | 'matern52';
  lengthScales: number[];
  amplitude: number;
  /** Fitted noise variance (recorded; alpha already includes it). */
  noise: number;
  meanDegree: 0 | 1 | 2 | null;
  beta: number[];
  alpha: number[];
}

export interface MlpJSON {
  /** Layer widths, input first; SiLU between dense layers, linear output. */
  sizes: number[];
  /** Per layer: weights [out x in] row-major then biases [out]. */
  layers: Array<{ W: number[]; b: number[] }>;
  /** Outputs are scaled: coefficient = out * outScale + outShift. */
  outScale: number[];
  outShift: number[];
}

export interface PkEmulatorJSON {
  format: typeof PK_EMULATOR_FORMAT;
  version: 1;
  /** The solver that produced the training set ("boltzmann", or a stand-in's name). */
  solver: string;
  solverSettings: Record<string, unknown>;
  /** Fixed physics of the training set. */
  fixed: { T_CMB: number; Neff: number };
  domain: PkEmulatorDomain;
  /** Grid in x = ln(k r_s) (k in 1/Mpc, r_s in Mpc): uniform from xMin to xMax with nk points. */
  grid: { xMin: number; xMax: number; nk: number };
  /**
   * The emulated target z = ln(P / P_ref + epsilon) (epsilon absent: 0): the softening keeps z smooth
   * where a baryon-dominated transfer function crosses zero (P / P_ref -> 0, ln -> -infinity).
   */
  epsilon?: number;
  /** z = mean + sum_c coef_c basis[c] (basis rows [nc][nk]). */
  mean: number[];
  basis: number[][];
  method: 'gp' | 'mlp';
  /** GP: training inputs u [n x 3] (row-major) and the polynomial basis's centre and scale per input. */
  gp?: { X: number[]; n: number; center: number[]; scale: number[]; components: GpComponentJSON[] };
  mlp?: MlpJSON;
  /** How it was trained and how it did (recorded, not used for prediction). */
  training: Record<string, unknown>;
  validation?: Record<string, unknown>;
}

/** The cosmological parameters the emulator sees. */
export type EmulatorCosmology = { Omega_c: number; Omega_b: number; h: number; T_CMB?: number; Neff?: number };

/**
 * u = (ln omega_m, f_b, h) mapped onto [0, 1]^3 over the domain, or a CosmetaError naming the parameter
 * outside the domain (and the domain).
 */
export function emulatorInputs(d: PkEmulatorDomain, f: { T_CMB: number; Neff: number }, c: EmulatorCosmology, out = new Float64Array(3)): Float64Array {
  const h2 = c.h * c.h;
  const Omega_m = c.Omega_c + c.Omega_b;
  const omega_m = Omega_m * h2;
  const f_b = c.Omega_b / Omega_m;
  const check = (name: string, v: number, [lo, hi]: [number, number], detail: string) => {
    if (!(v >= lo && v <= hi)) {
      throw new CosmetaError(`boltzmann_emulated: ${name}=${v.toPrecision(5)}${detail} is outside the emulator's domain [${lo}, ${hi}] ` +
        `(domain: omega_m ${d.omega_m.join('-')}, f_b ${d.f_b.join('-')}, h ${d.h.join('-')}, Omega_m ${d.Omega_m.join('-')}, Omega_b ${d.Omega_b.join('-')}); use --linear boltzmann outside it`);
    }
  };
  check('h', c.h, d.h, '');
  check('Omega_m', Omega_m, d.Omega_m, ` (Omega_c + Omega_b, Omega_c=${c.Omega_c}, Omega_b=${c.Omega_b})`);
  check('omega_m', omega_m, d.omega_m, ` ((Omega_c + Omega_b) h^2, h=${c.h})`);
  check('f_b', f_b, d.f_b, ` (Omega_b / Omega_m, Omega_b=${c.Omega_b})`);
  check('Omega_b', c.Omega_b, d.Omega_b, '');
  if (d.boxes && d.boxes.length > 0) {
    const why = d.boxes.map((b) => outsideBox(b, c));
    if (why.every((w) => w !== null)) {
      const boxes = d.boxes.map((b) => `${b.name}: ${(['Omega_c', 'Omega_m', 'Omega_b', 'h'] as const).filter((k) => b[k]).map((k) => `${k} ${b[k]![0]}-${b[k]![1]}`).join(', ')}`).join('; ');
      throw new CosmetaError(`boltzmann_emulated: (Omega_c=${c.Omega_c}, Omega_b=${c.Omega_b}, h=${c.h}) is in none of the emulator's boxes (${why.join('; ')}); domain: ${boxes}; use --linear boltzmann outside it`);
    }
  }
  if (c.T_CMB !== undefined && Math.abs(c.T_CMB - f.T_CMB) > 1e-9) throw new CosmetaError(`boltzmann_emulated: T_CMB=${c.T_CMB} differs from the emulator's ${f.T_CMB} K; use --linear boltzmann`);
  if (c.Neff !== undefined && Math.abs(c.Neff - f.Neff) > 1e-9) throw new CosmetaError(`boltzmann_emulated: Neff=${c.Neff} differs from the emulator's ${f.Neff}; use --linear boltzmann`);
  return unitInputs(d, c, out);
}

/**
 * The emulator's inputs u = (ln omega_m, f_b, h) scaled by the domain `d` to [0, 1], without the domain
 * check: the training set is drawn from a slightly wider box (PK_EMULATOR_TRAINING_DOMAIN in data/pk-emulator-fit.ts), so that the
 * edges and corners of the declared domain are interpolated rather than extrapolated.
 */
export function unitInputs(d: PkEmulatorDomain, c: EmulatorCosmology, out = new Float64Array(3)): Float64Array {
  const Omega_m = c.Omega_c + c.Omega_b;
  const unit = (v: number, [lo, hi]: [number, number]) => (v - lo) / (hi - lo);
  out[0] = unit(Math.log(Omega_m * c.h * c.h), [Math.log(d.omega_m[0]), Math.log(d.omega_m[1])]);
  out[1] = unit(c.Omega_b / Omega_m, d.f_b);
  out[2] = unit(c.h, d.h);
  return out;
}


const SQRT5 = Math.sqrt(5);

/** The smallest P / P_ref an emulator returns (a true zero of P sits between grid points; ln P must exist). */
const RATIO_FLOOR = 1e-6;

export class PkEmulator {
  readonly json: PkEmulatorJSON;
  readonly nk: number;
  readonly nc: number;
  private readonly x: Float64Array;
  private readonly meanY: Float64Array;
  private readonly basisFlat: Float64Array;
  private readonly gpX: Float64Array | null;
  /** Components grouped by kernel shape (kernel and length scales): one kernel vector per group. */
  private readonly gpGroups: Array<{ kernel: 'rbf' | 'matern52'; inv2: Float64Array; members: number[] }>;
  private readonly scratchK: Float64Array;
  private readonly gpAlpha: Float64Array[];
  private readonly mlpW: Float64Array[];
  private readonly mlpB: Float64Array[];
  private readonly scratch0: Float64Array;
  private readonly scratch1: Float64Array;
  private readonly scratch2: Float64Array;

  constructor(json: PkEmulatorJSON) {
    if (json?.format !== PK_EMULATOR_FORMAT || json.version !== 1) {
      throw new CosmetaError(`not a ${PK_EMULATOR_FORMAT} version 1 file (format ${String(json?.format)}, version ${String(json?.version)})`);
    }
    this.json = json;
    const { xMin, xMax, nk } = json.grid;
    this.nk = nk;
    this.nc = json.basis.length;
    this.x = emulatorGrid(json.grid);
    this.meanY = Float64Array.from(json.mean);
    this.basisFlat = Float64Array.from(json.basis.flat());
    if (this.meanY.length !== nk || this.basisFlat.length !== this.nc * nk) throw new CosmetaError(`pk emulator: mean/basis sizes do not match the grid of ${nk} points`);
    this.gpX = null;
    const nTrain = json.gp?.n ?? 0;
    this.scratch0 = new Float64Array(nTrain);
    this.scratch1 = new Float64Array(nTrain);
    this.scratch2 = new Float64Array(nTrain);
    this.gpGroups = [];
    this.scratchK = new Float64Array(nTrain);
    this.gpAlpha = [];
    this.mlpW = [];
    this.mlpB = [];
    if (json.method === 'gp') {
      const g = json.gp;
      if (!g || g.components.length !== this.nc) throw new CosmetaError('pk emulator: method gp needs one GP per component');
      this.gpX = Float64Array.from(g.X);
      g.components.forEach((c, index) => {
        if (c.alpha.length !== g.n || c.lengthScales.length !== 3) throw new CosmetaError(`pk emulator: GP component ${index + 1} needs ${g.n} weights and 3 length scales`);
        this.gpAlpha.push(Float64Array.from(c.alpha));
        const same = this.gpGroups.find((q) => q.kernel === c.kernel && q.inv2.every((v, j) => v === 1 / (c.lengthScales[j] * c.lengthScales[j])));
        if (same) same.members.push(index);
        else this.gpGroups.push({ kernel: c.kernel, inv2: Float64Array.from(c.lengthScales, (l) => 1 / (l * l)), members: [index] });
      });
    } else if (json.method === 'mlp') {
      const m = json.mlp;
      if (!m || m.sizes[m.sizes.length - 1] !== this.nc) throw new CosmetaError('pk emulator: method mlp needs an output per component');
      for (const l of m.layers) {
        this.mlpW.push(Float64Array.from(l.W));
        this.mlpB.push(Float64Array.from(l.b));
      }
    } else {
      throw new CosmetaError(`pk emulator: unknown method "${String(json.method)}" (valid: gp, mlp)`);
    }
  }

  /** Map a cosmology onto the unit cube, or throw a CosmetaError naming the parameter out of the domain. */
  inputs(c: EmulatorCosmology, out = new Float64Array(3)): Float64Array {
    return emulatorInputs(this.json.domain, this.json.fixed, c, out);
  }

  /** The PCA coefficients at unit-cube inputs u [3]. */
  coefficients(u: ArrayLike<number>, out = new Float64Array(this.nc)): Float64Array {
    if (this.json.method === 'gp') {
      const g = this.json.gp as NonNullable<PkEmulatorJSON['gp']>;
      const X = this.gpX as Float64Array;
      const n = g.n;
      const h = polyBasis(u, g.center, g.scale);
      // Squared separations per input, shared by the components.
      const d0 = this.scratch0;
      const d1 = this.scratch1;
      const d2 = this.scratch2;
      for (let i = 0; i < n; i++) {
        const a = X[3 * i] - u[0];
        const b = X[3 * i + 1] - u[1];
        const e = X[3 * i + 2] - u[2];
        d0[i] = a * a;
        d1[i] = b * b;
        d2[i] = e * e;
      }
      // One kernel vector per group of components sharing the kernel shape (all of them, in shared fits).
      const r = this.scratchK;
      for (const group of this.gpGroups) {
        const [i0, i1, i2] = group.inv2;
        if (group.kernel === 'rbf') {
          for (let i = 0; i < n; i++) {
            // exp(-r^2 / 2) < 1e-300 beyond r^2 = 1380: skip the call.
            const r2 = d0[i] * i0 + d1[i] * i1 + d2[i] * i2;
            r[i] = r2 < 1380 ? Math.exp(-0.5 * r2) : 0;
          }
        } else {
          for (let i = 0; i < n; i++) {
            const r2 = d0[i] * i0 + d1[i] * i1 + d2[i] * i2;
            const q = Math.sqrt(r2);
            r[i] = q < 310 ? (1 + SQRT5 * q + (5 / 3) * r2) * Math.exp(-SQRT5 * q) : 0;
          }
        }
        for (const c of group.members) {
          const comp = g.components[c];
          const alpha = this.gpAlpha[c];
          let m = 0;
          for (let j = 0; j < comp.beta.length; j++) m += comp.beta[j] * h[j];
          let sum = 0;
          for (let i = 0; i < n; i++) sum += alpha[i] * r[i];
          out[c] = m + comp.amplitude * sum;
        }
      }
      return out;
    }
    const m = this.json.mlp as MlpJSON;
    let x = Float64Array.from(u);
    for (let l = 0; l < this.mlpW.length; l++) {
      const W = this.mlpW[l];
      const b = this.mlpB[l];
      const nin = m.sizes[l];
      const nout = m.sizes[l + 1];
      const y = new Float64Array(nout);
      for (let o = 0; o < nout; o++) {
        let s = b[o];
        for (let i = 0; i < nin; i++) s += W[o * nin + i] * x[i];
        y[o] = l < this.mlpW.length - 1 ? s / (1 + Math.exp(-s)) : s;
      }
      x = y;
    }
    for (let c = 0; c < this.nc; c++) out[c] = x[c] * m.outScale[c] + m.outShift[c];
    return out;
  }

  /** y(k) = ln(P_solver / P_ref) on the grid, at unit-cube inputs u. */
  lnRatio(u: ArrayLike<number>, out = new Float64Array(this.nk)): Float64Array {
    const coef = this.coefficients(u);
    out.set(this.meanY);
    const nk = this.nk;
    for (let c = 0; c < this.nc; c++) {
      const a = coef[c];
      const off = c * nk;
      for (let i = 0; i < nk; i++) out[i] += a * this.basisFlat[off + i];
    }
    return out;
  }

  /** P / P_ref on the grid at unit-cube inputs u: exp(z) - epsilon, floored at RATIO_FLOOR (P must stay > 0). */
  ratio(u: ArrayLike<number>, out = new Float64Array(this.nk)): Float64Array {
    const z = this.lnRatio(u, out);
    const eps = this.epsilon;
    for (let i = 0; i < z.length; i++) out[i] = Math.max(Math.exp(z[i]) - eps, RATIO_FLOOR);
    return out;
  }

  /** The softening of the target (see PkEmulatorJSON.epsilon). */
  get epsilon(): number {
    return this.json.epsilon ?? 0;
  }

  /** The grid in x = ln(k r_s). */
  get grid(): Float64Array {
    return this.x;
  }

  /** The linear shape (absolute: P(k, 0) / A_s [Mpc^3]) of this emulator. */
  shape(): LinearShape {
    const x = this.x;
    return {
      name: 'boltzmann_emulated',
      absolute: true,
      check: (c: Cosmology) => {
        checkSolverCosmology(c, 'boltzmann_emulated');
        this.inputs(c);
      },
      prepare: (c: Cosmology) => {
        const y = this.lnRatio(this.inputs(c));
        const bad = y.findIndex((v) => !(Math.abs(v) <= MAX_LN_RATIO));
        if (bad >= 0) throw new CosmetaError(`boltzmann_emulated: the emulator predicts ln(P / P_ref) = ${y[bad]} at grid point ${bad} (|value| <= ${MAX_LN_RATIO} expected); its file is damaged`);
        const lnrs = Math.log(soundHorizon(c));
        // The grid is uniform in ln k (x shifted by ln r_s): O(1) lookup.
        const lo = x[0] - lnrs;
        const hi = x[x.length - 1] - lnrs;
        const spline = new SegmentedCubicSpline([{ x0: lo, dx: (hi - lo) / (x.length - 1), n: x.length - 1 }], y);
        const ref = eisensteinHuNoWiggles.prepare(c);
        const perAs = poissonFactor(c);
        const yLo = y[0];
        const yHi = y[y.length - 1];
        const eps = this.epsilon;
        return (k: number): number => {
          const t = Math.log(k);
          const z = t <= lo ? yLo : t >= hi ? yHi : spline.evaluate(t);
          return perAs * ref(k) * Math.max(Math.exp(z) - eps, RATIO_FLOOR);
        };
      },
    };
  }
}

/** EH98's sound horizon at the drag epoch r_s [Mpc] (their Eq. 6), the emulator's wiggle scale. */
export function soundHorizon(c: Cosmology): number {
  return eisensteinHuParameters(c).rsound / c.h;
}

/** The nodes x_i = ln(k_i r_s) of a grid. */
export function emulatorGrid(g: { xMin: number; xMax: number; nk: number }): Float64Array {
  return Float64Array.from({ length: g.nk }, (_, i) => g.xMin + ((g.xMax - g.xMin) * i) / (g.nk - 1));
}

/** The GP's polynomial mean basis at u: 1, then u_j, then u_j u_k (j <= k), inputs centred and scaled. */
export function polyBasis(u: ArrayLike<number>, center: number[], scale: number[]): Float64Array {
  const d = center.length;
  const v = Array.from({ length: d }, (_, j) => (u[j] - center[j]) / scale[j]);
  const out = [1, ...v];
  for (let j = 0; j < d; j++) for (let k = j; k < d; k++) out.push(v[j] * v[k]);
  return Float64Array.from(out);
}
