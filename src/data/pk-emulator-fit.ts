/**
 * Building the `boltzmann_emulated` emulator from solver runs: the design (seeded Latin hypercube in
 * the unit cube of u = (ln omega_m, f_b, h), kept where Omega_m is in the domain), the training
 * target y(k) = ln(P_solver / P_ref) (see emulator.ts), the principal components, and the two
 * coefficient models compared: a GP per component (emuPK's recipe) and a small MLP on the NN engine.
 */

import { CosmetaError } from '../errors.js';
import { GaussianProcess, type KernelName } from '../math/gp.js';
import { choleskySolve, cholesky } from '../math/linalg.js';
import { deriveSeed, Random } from '../math/random.js';
import { JsBackend } from '../nn/backend.js';
import { mlp } from '../nn/model.js';
import { pca } from '../nn/pca.js';
import { adamState, fit } from '../nn/train.js';
import { latinHypercube } from '../tasks/design.js';
import { cosmology } from '../cosmology/params.js';
import { poissonFactor } from '../cosmology/power/normalisation.js';
import { eisensteinHuNoWiggles } from '../cosmology/transfer/eisenstein_hu.js';
import {
  DEFAULT_PK_EMULATOR_DOMAIN,
  emulatorGrid,
  soundHorizon,
  PK_EMULATOR_BOXES,
  PK_EMULATOR_FORMAT,
  polyBasis,
  type DomainBox,
  type GpComponentJSON,
  type MlpJSON,
  type PkEmulatorDomain,
  type PkEmulatorJSON,
} from '../cosmology/boltzmann/emulator.js';
import type { SolverResult } from '../cosmology/boltzmann/solver-api.js';

/** Diagonal jitter relative to the amplitude (the GP module's default). */
const GP_JITTER = 1e-8;

/**
 * The emulator's grid in x = ln(k r_s): 700 points (0.023 apart: >= 4 per BAO period) from
 * ln(0.004) to ln(40000), i.e. k from 1e-4 to 100 / Mpc for every r_s between 40 and 400 Mpc.
 */
export const PK_EMULATOR_GRID = Object.freeze({ xMin: Math.log(0.004), xMax: Math.log(40000), nk: 700 });

/** The wavenumbers [1/Mpc] of the grid for one cosmology, k_i = exp(x_i) / r_s. */
export function gridWavenumbers(p: DesignPoint): Float64Array {
  const rs = soundHorizon(cosmology({ ...p, A_s: 2e-9, ...PK_EMULATOR_FIXED }));
  return Float64Array.from(emulatorGrid(PK_EMULATOR_GRID), (x) => Math.exp(x) / rs);
}

/** Fixed physics of the training set (the solver's and CCL's defaults). */
export const PK_EMULATOR_FIXED = Object.freeze({ T_CMB: 2.7255, Neff: 3.044 });

/** A design point: the cosmology the solver runs at (n_s only matters for the sigma8 checks). */
export interface DesignPoint {
  Omega_c: number;
  Omega_b: number;
  h: number;
  n_s: number;
}

/** From unit-cube u = (ln omega_m, f_b, h) scaled to (Omega_c, Omega_b, h). */
export function fromUnit(u: ArrayLike<number>, d: PkEmulatorDomain = DEFAULT_PK_EMULATOR_DOMAIN): { Omega_c: number; Omega_b: number; h: number } {
  const lerp = (t: number, [lo, hi]: [number, number]) => lo + t * (hi - lo);
  const omega_m = Math.exp(lerp(u[0], [Math.log(d.omega_m[0]), Math.log(d.omega_m[1])]));
  const f_b = lerp(u[1], d.f_b);
  const h = lerp(u[2], d.h);
  const Omega_m = omega_m / (h * h);
  return { Omega_c: Omega_m * (1 - f_b), Omega_b: Omega_m * f_b, h };
}

/**
 * `n` design points: Latin hypercubes of n points in the unit cube of (ln omega_m, f_b, h, n_s)
 * drawn with deriveSeed(seed, round), keeping those with Omega_m in the domain, until n are kept (the
 * first n, in order). n_s is uniform in [0.75, 1.15]. The same seed gives the same points.
 */
export function pkEmulatorDesign(n: number, seed: number, d: PkEmulatorDomain = DEFAULT_PK_EMULATOR_DOMAIN): DesignPoint[] {
  if (!Number.isInteger(n) || n < 1) throw new CosmetaError(`number of design points must be a positive integer, got ${n}`);
  const out: DesignPoint[] = [];
  const names = ['u0', 'u1', 'u2', 'n_s'];
  const ranges = { u0: [0, 1], u1: [0, 1], u2: [0, 1], n_s: [0.75, 1.15] } as Record<string, [number, number]>;
  for (let round = 0; out.length < n; round++) {
    if (round > 50) throw new CosmetaError('pk emulator design: the domain keeps too few points (check the Omega_m bounds)');
    const rows = latinHypercube(names, ranges, n, new Random(deriveSeed(seed, round)));
    for (let i = 0; i < n && out.length < n; i++) {
      const p = fromUnit(rows.subarray(4 * i, 4 * i + 3), d);
      const Om = p.Omega_c + p.Omega_b;
      if (Om >= d.Omega_m[0] && Om <= d.Omega_m[1] && p.Omega_b >= d.Omega_b[0] && p.Omega_b <= d.Omega_b[1]) out.push({ ...p, n_s: rows[4 * i + 3] });
    }
  }
  return out;
}

/**
 * The held-out design: n Latin-hypercube points split evenly between the domain's boxes (in each box's own
 * parameters, with n_s uniform in [0.75, 1.15]), drawn with deriveSeed(seed, box index).
 */
export function pkEmulatorHeldOutDesign(n: number, seed: number, boxes: readonly DomainBox[] = PK_EMULATOR_BOXES): DesignPoint[] {
  if (!Number.isInteger(n) || n < 0) throw new CosmetaError(`number of held-out points must be a non-negative integer, got ${n}`);
  const out: DesignPoint[] = [];
  boxes.forEach((box, b) => {
    const m = Math.floor(n / boxes.length) + (b < n % boxes.length ? 1 : 0);
    if (m === 0) return;
    const first = box.Omega_c ? 'Omega_c' : 'Omega_m';
    const ranges = { [first]: (box.Omega_c ?? box.Omega_m) as [number, number], Omega_b: box.Omega_b, h: box.h, n_s: [0.75, 1.15] as [number, number] };
    const rows = latinHypercube([first, 'Omega_b', 'h', 'n_s'], ranges, m, new Random(deriveSeed(seed, b)));
    for (let i = 0; i < m; i++) {
      const [a, Ob, h, n_s] = rows.subarray(4 * i, 4 * i + 4);
      out.push({ Omega_c: first === 'Omega_c' ? a : a - Ob, Omega_b: Ob, h, n_s });
    }
  });
  return out;
}

/** The domain's boxes widened by `fraction` of each range on both sides (the box-training design's region). */
export function widenedBoxes(fraction: number, boxes: readonly DomainBox[] = PK_EMULATOR_BOXES): DomainBox[] {
  const widen = (r: [number, number] | undefined): [number, number] | undefined => (r ? [r[0] - fraction * (r[1] - r[0]), r[1] + fraction * (r[1] - r[0])] : undefined);
  return boxes.map((b) => ({ name: b.name, Omega_c: widen(b.Omega_c), Omega_m: widen(b.Omega_m), Omega_b: widen(b.Omega_b)!, h: widen(b.h)! }));
}

/**
 * The softening epsilon of the emulated target z = ln(P / P_ref + epsilon). Baryon-dominated corners of the
 * survey box (f_b up to 0.7) have transfer functions that cross zero, where ln(P / P_ref) has spikes to -12 on
 * the grid; with epsilon = 0.3 the held-out max error there fell from 86% to 2.5% (600 training points) with
 * no loss elsewhere (a relative error in P is (1 + epsilon P_ref / P) times that in z: ~1.3x).
 */
export const PK_EMULATOR_EPSILON = 0.3;

/**
 * The corners of the two parameter boxes the domain must cover (paper training box: Omega_c 0.165-0.45,
 * Omega_b 0.025-0.075, h 0.35-1.15; wide box: Omega_m 0.1-0.9, Omega_b 0.03-0.07, h 0.55-0.91), with
 * n_s at its ends alternately: 16 points for the held-out set.
 */
export function domainCorners(): DesignPoint[] {
  const out: DesignPoint[] = [];
  let i = 0;
  for (const Oc of [0.165, 0.45]) for (const Ob of [0.025, 0.075]) for (const h of [0.35, 1.15]) out.push({ Omega_c: Oc, Omega_b: Ob, h, n_s: i++ % 2 ? 1.15 : 0.75 });
  for (const Om of [0.1, 0.9]) for (const Ob of [0.03, 0.07]) for (const h of [0.55, 0.91]) out.push({ Omega_c: Om - Ob, Omega_b: Ob, h, n_s: i++ % 2 ? 1.15 : 0.75 });
  return out;
}

/**
 * The box the training set is drawn from: the declared domain widened by about 5% of each range (ln omega_m,
 * f_b, h) and in Omega_m, Omega_b, so that no held-out point or box corner lies at the edge of the design.
 */
export const PK_EMULATOR_TRAINING_DOMAIN: PkEmulatorDomain = Object.freeze({
  omega_m: [0.0195, 0.89] as [number, number],
  f_b: [0.0, 0.745] as [number, number],
  h: [0.31, 1.19] as [number, number],
  Omega_m: [0.08, 1.0] as [number, number],
  Omega_b: [0.017, 0.085] as [number, number],
});

/** P_ref / A_s [Mpc^3]: the Poisson-normalised EH no-wiggle spectrum per unit A_s at z = 0. */
export function referencePerAs(p: DesignPoint): (k: number) => number {
  const c = cosmology({ ...p, A_s: 2e-9, ...PK_EMULATOR_FIXED });
  const f = eisensteinHuNoWiggles.prepare(c);
  const perAs = poissonFactor(c);
  return (k) => perAs * f(k);
}

/** The training target y = ln(P_solver / P_ref) on the solver's k (the grid) from a result at z = 0. */
export function lnRatioTarget(p: DesignPoint, r: Pick<SolverResult, 'k' | 'pk' | 'A_s'>): Float64Array {
  const ref = referencePerAs(p);
  return Float64Array.from(r.k, (k, i) => Math.log(r.pk[0][i] / r.A_s / ref(k)));
}

export interface FitPkEmulatorOptions {
  method: 'gp' | 'mlp';
  seed: number;
  /** Softening of the target (default PK_EMULATOR_EPSILON). */
  epsilon?: number;
  /** PCA components (default: the fewest reconstructing every training row to maxPcaError). */
  components?: number;
  maxPcaError?: number;
  /** GP: kernel, mean degree, and how many points the hyperparameters are fitted on (then all are conditioned on). */
  kernel?: KernelName;
  meanDegree?: 0 | 1 | 2;
  hyperPoints?: number;
  /** 'shared' (default): one kernel shape, fitted on the first component, for all (one kernel vector per prediction); 'per-component'. */
  kernelSharing?: 'shared' | 'per-component';
  restarts?: number;
  maxIter?: number;
  /** MLP: hidden widths, epochs. */
  hidden?: number[];
  epochs?: number;
  log?: (line: string) => void;
}

/** Principal components of Y [n x nk] (rows y), as many as needed for a max reconstruction error. */
export function lnRatioBasis(Y: Float64Array, n: number, nk: number, maxError: number, fixed?: number): { mean: Float64Array; V: Float64Array; nc: number; maxError: number } {
  const be = new JsBackend('float64');
  const kMax = Math.min(fixed ?? 40, nk, n - 1);
  const p = pca(be, Y, n, nk, kMax, 1);
  const coef = new Float64Array(kMax);
  let chosen = kMax;
  let worst = 0;
  for (let nc = fixed ?? 1; nc <= kMax; nc++) {
    worst = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < nc; c++) {
        let s = 0;
        for (let j = 0; j < nk; j++) s += (Y[i * nk + j] - p.mean[j]) * p.V[j * kMax + c];
        coef[c] = s;
      }
      for (let j = 0; j < nk; j++) {
        let r = p.mean[j];
        for (let c = 0; c < nc; c++) r += coef[c] * p.V[j * kMax + c];
        worst = Math.max(worst, Math.abs(r - Y[i * nk + j]));
      }
    }
    chosen = nc;
    if (fixed !== undefined || worst <= maxError) break;
  }
  // Basis rows [nc][nk].
  const V = new Float64Array(chosen * nk);
  for (let c = 0; c < chosen; c++) for (let j = 0; j < nk; j++) V[c * nk + j] = p.V[j * kMax + c];
  return { mean: p.mean, V, nc: chosen, maxError: worst };
}

/** Fit the emulator to unit-cube inputs U [n x 3] and y = ln(P / P_ref) [n x nk] (softened here by epsilon). */
export function fitPkEmulator(U: Float64Array, lnRatios: Float64Array, n: number, o: FitPkEmulatorOptions & { solver: string; solverSettings?: Record<string, unknown>; training?: Record<string, unknown> }): PkEmulatorJSON {
  const grid = PK_EMULATOR_GRID;
  const nk = grid.nk;
  if (U.length !== 3 * n || lnRatios.length !== n * nk) throw new CosmetaError(`fitPkEmulator: expected U [${n} x 3] and Y [${n} x ${nk}]`);
  const epsilon = o.epsilon ?? PK_EMULATOR_EPSILON;
  const Y = epsilon === 0 ? lnRatios : Float64Array.from(lnRatios, (y) => Math.log(Math.exp(y) + epsilon));
  const log = o.log ?? (() => {});
  const basis = lnRatioBasis(Y, n, nk, o.maxPcaError ?? 2e-5, o.components);
  const nc = basis.nc;
  log(`PCA: ${nc} components, max reconstruction error ${basis.maxError.toExponential(2)} in ln P`);
  const C = new Float64Array(n * nc);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      let s = 0;
      for (let j = 0; j < nk; j++) s += (Y[i * nk + j] - basis.mean[j]) * basis.V[c * nk + j];
      C[i * nc + c] = s;
    }
  }
  const base = {
    format: PK_EMULATOR_FORMAT,
    version: 1 as const,
    solver: o.solver,
    solverSettings: o.solverSettings ?? {},
    fixed: { ...PK_EMULATOR_FIXED },
    domain: DEFAULT_PK_EMULATOR_DOMAIN,
    grid: { ...grid },
    epsilon,
    mean: Array.from(basis.mean),
    basis: Array.from({ length: nc }, (_, c) => Array.from(basis.V.subarray(c * nk, (c + 1) * nk))),
  };
  const training: Record<string, unknown> = { ...(o.training ?? {}), points: n, components: nc, pcaMaxError: basis.maxError, seed: o.seed };
  if (o.method === 'gp') {
    const gp = fitGpComponents(U, C, n, nc, o, log);
    training.method = { kind: 'gp', kernel: o.kernel ?? 'rbf', kernelSharing: o.kernelSharing ?? 'shared', meanDegree: o.meanDegree ?? 2, hyperPoints: Math.min(n, o.hyperPoints ?? 120), restarts: o.restarts ?? 0, maxIter: o.maxIter ?? 60 };
    return { ...base, method: 'gp', gp, training };
  }
  const net = fitMlp(U, C, n, nc, o, log);
  training.method = { kind: 'mlp', hidden: o.hidden ?? [64, 64, 64], epochs: o.epochs ?? 3000, activation: 'silu' };
  return { ...base, method: 'mlp', mlp: net, training };
}

function fitGpComponents(U: Float64Array, C: Float64Array, n: number, nc: number, o: FitPkEmulatorOptions, log: (s: string) => void): NonNullable<PkEmulatorJSON['gp']> {
  const kernel = o.kernel ?? 'rbf';
  const meanDegree = o.meanDegree ?? 2;
  const m = Math.min(n, o.hyperPoints ?? 120);
  const shared = (o.kernelSharing ?? 'shared') === 'shared';
  // The centre and scale of the polynomial basis, as the GP computes them from its training inputs.
  const center: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < 3; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, U[3 * i + j]);
      hi = Math.max(hi, U[3 * i + j]);
    }
    center.push(0.5 * (lo + hi));
    scale.push(hi > lo ? 0.5 * (hi - lo) : 1);
  }
  const nBasis = meanDegree === 0 ? 1 : meanDegree === 1 ? 4 : 10;
  const H = Array.from({ length: n }, (_, i) => polyBasis(U.subarray(3 * i, 3 * i + 3), center, scale).subarray(0, nBasis));
  const column = (c: number) => Float64Array.from({ length: n }, (_, i) => C[i * nc + c]);
  // Hyperparameters by maximum evidence on the first m points (O(m^3) per evaluation).
  const hyperOf = (c: number) =>
    GaussianProcess.fit(U.subarray(0, 3 * m), column(c).subarray(0, m), m, 3, { kernel, meanDegree, noise: 'fit', restarts: o.restarts ?? 0, seed: deriveSeed(o.seed, c), maxIter: o.maxIter ?? 60 }).hyper;
  // With the kernel shape shared, the predictive mean of every component is h^T beta + r_*^T (R + rho I)^-1
  // (y - H beta), R the unit-amplitude kernel matrix and rho = noise / amplitude: one Cholesky factor and one
  // kernel vector per prediction serve all components (the amplitude cancels; R&W eq. 2.42).
  const sharedHyper = shared ? hyperOf(0) : null;
  let factor: { L: Float64Array; lengthScales: number[]; rho: number } | null = null;
  const factorFor = (lengthScales: number[], rho: number) => {
    const R = new Float64Array(n * n);
    const inv2 = lengthScales.map((l) => 1 / (l * l));
    for (let i = 0; i < n; i++) {
      R[i * n + i] = 1 + GP_JITTER + rho;
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        for (let k = 0; k < 3; k++) r2 += (U[3 * i + k] - U[3 * j + k]) ** 2 * inv2[k];
        const r = Math.sqrt(r2);
        R[i * n + j] = kernel === 'rbf' ? Math.exp(-0.5 * r2) : (1 + Math.sqrt(5) * r + (5 / 3) * r2) * Math.exp(-Math.sqrt(5) * r);
      }
    }
    return cholesky(R, n, 'GP covariance');
  };
  const components: GpComponentJSON[] = [];
  for (let c = 0; c < nc; c++) {
    const y = column(c);
    const hyper = sharedHyper ?? hyperOf(c);
    const rho = hyper.noise / hyper.amplitude;
    if (!factor || !shared) factor = { L: factorFor(hyper.lengthScales, rho), lengthScales: hyper.lengthScales, rho };
    const L = factor.L;
    // beta by generalised least squares, then alpha = (R + rho I)^-1 (y - H beta): the stored amplitude is 1.
    const kinvY = choleskySolve(L, n, y);
    const kinvH = Array.from({ length: nBasis }, (_, q) => choleskySolve(L, n, Float64Array.from(H, (row) => row[q])));
    const A = new Float64Array(nBasis * nBasis);
    const bvec = new Float64Array(nBasis);
    for (let a = 0; a < nBasis; a++) {
      for (let i = 0; i < n; i++) bvec[a] += H[i][a] * kinvY[i];
      for (let b = 0; b < nBasis; b++) for (let i = 0; i < n; i++) A[a * nBasis + b] += H[i][a] * kinvH[b][i];
    }
    const beta = choleskySolve(cholesky(A, nBasis, 'GP mean normal matrix'), nBasis, bvec);
    const alpha = Float64Array.from(kinvY, (v, i) => {
      let s = v;
      for (let q = 0; q < nBasis; q++) s -= kinvH[q][i] * beta[q];
      return s;
    });
    components.push({ kernel, lengthScales: [...factor.lengthScales], amplitude: 1, noise: rho, meanDegree, beta: Array.from(beta), alpha: Array.from(alpha) });
    if (!shared || c === 0) log(`GP component ${c + 1}/${nc}${shared ? ' (kernel shared by all)' : ''}: length scales ${hyper.lengthScales.map((l) => l.toPrecision(3)).join(', ')}, noise/amplitude ${rho.toExponential(1)}`);
  }
  return { X: Array.from(U), n, center, scale, components };
}

function fitMlp(U: Float64Array, C: Float64Array, n: number, nc: number, o: FitPkEmulatorOptions, log: (s: string) => void): MlpJSON {
  const be = new JsBackend('float64');
  const hidden = o.hidden ?? [64, 64, 64];
  const model = mlp(be, { inSize: 3, hidden, outSize: nc, activation: 'silu' });
  const p = model.init(new Random(deriveSeed(o.seed, 1000)));
  // Scale each coefficient to unit spread so the loss weighs components by their relative accuracy.
  const outShift: number[] = [];
  const outScale: number[] = [];
  for (let c = 0; c < nc; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += C[i * nc + c];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (C[i * nc + c] - m) ** 2;
    outShift.push(m);
    outScale.push(Math.sqrt(v / n) || 1);
  }
  const Ys = Float64Array.from(C, (v, idx) => (v - outShift[idx % nc]) / outScale[idx % nc]);
  const X = Float64Array.from(U);
  const epochs = o.epochs ?? 3000;
  const state = adamState(be, model.size);
  // Learning rate 3e-3, then 1e-3, 3e-4, 1e-4 over equal quarters (Adam state carried over).
  for (const [s, lr] of [3e-3, 1e-3, 3e-4, 1e-4].entries()) {
    const r = fit(model, p, X, Ys, n, { lr, epochs: Math.ceil(epochs / 4), batchSize: 64, seed: deriveSeed(o.seed, 2000 + s), adam: state, training: false });
    log(`MLP stage ${s + 1}/4 (lr ${lr}): train loss ${r.trainLoss.toExponential(2)}`);
  }
  const layers: MlpJSON['layers'] = [];
  const sizes = [3, ...hidden, nc];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const W = Array.from(p.subarray(off, off + sizes[l] * sizes[l + 1]));
    off += sizes[l] * sizes[l + 1];
    const b = Array.from(p.subarray(off, off + sizes[l + 1]));
    off += sizes[l + 1];
    layers.push({ W, b });
  }
  return { sizes, layers, outScale, outShift };
}
