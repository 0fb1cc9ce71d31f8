/**
 * Cosmeta's linear Einstein-Boltzmann solver: P_lin(k, z) of total matter (CDM + baryons) for flat
 * LCDM with massless neutrinos, from the synchronous-gauge perturbation equations (perturbations.ts),
 * RECFAST recombination (recfast.ts), CAMB's tanh reionisation and BBN helium (thermo.ts, bbn.ts).
 *
 * P(k, z) = 2 pi^2 / k^3 A_s (k / 0.05 Mpc^-1)^(n_s - 1) T(k, z)^2 [Mpc^3], T = delta_m / R with R the
 * initial comoving curvature; with sigma8 given, A_s is set so that sigma8 (top hat R = 8/h Mpc, z = 0,
 * total matter) is matched.
 */

import { CosmetaError } from '../../errors.js';
import { StiffIntegrationError } from '../../math/rosenbrock.js';
import { topHatWindow } from '../power/linear.js';
import { BoltzmannBackground } from './background.js';
import { prepareCosmology, type BoltzmannCosmology, type BoltzmannInput } from './params.js';
import { decouplingLna, evolveMode } from './perturbations.js';
import { DEFAULT_BOLTZMANN, type BoltzmannSettings } from './settings.js';
import { ThermalHistory } from './thermo.js';
import { CubicSpline } from '../../math/spline.js';

export type { BoltzmannInput } from './params.js';
export { DEFAULT_BOLTZMANN, type BoltzmannSettings } from './settings.js';

/** Pivot of A_s [1/Mpc]. */
export const K_PIVOT = 0.05;

export interface BoltzmannResult {
  /** Wavenumbers [1/Mpc], as requested. */
  k: Float64Array;
  /** Redshifts, as requested. */
  z: Float64Array;
  /** [iz][ik] linear total-matter (CDM + baryon) power [Mpc^3]. */
  pk: Float64Array[];
  /** [iz][ik] delta_m(k, z) per unit initial comoving curvature (dimensionless). */
  transfer: Float64Array[];
  A_s: number;
  sigma8: number;
  YHe: number;
  settings: BoltzmannSettings;
  derived: { z_star: number; z_drag: number; r_drag: number; tau0: number; z_eq: number; steps: number; modes: number };
}

function validateSettings(s: BoltzmannSettings): void {
  const int = (name: keyof BoltzmannSettings, min: number): void => {
    const v = s[name] ?? NaN;
    if (!Number.isInteger(v) || v < min) throw new CosmetaError(`Boltzmann setting ${name} must be an integer >= ${min}, got ${v}`);
  };
  int('lMaxPhoton', 4);
  int('lMaxNeutrino', 4);
  int('maxSteps', 10);
  const pos = (name: keyof BoltzmannSettings, hi = Infinity): void => {
    const v = s[name] ?? NaN;
    if (!(v > 0 && v < hi)) throw new CosmetaError(`Boltzmann setting ${name} must be in (0, ${hi}), got ${v}`);
  };
  pos('rtol', 0.1);
  pos('errorFloor', 1);
  pos('kTauInitial', 1);
  pos('aIniOverAeq', 1);
  pos('recfastDz', 100);
  pos('thermoNodesPerEfold');
  pos('sigma8kMin');
  pos('sigma8kMax');
  pos('sigma8kBreak');
  pos('kDirectMax');
  pos('highKPerEfold');
  pos('sigma8PerEfold');
  pos('sigma8PerEfoldHigh');
  if (s.neutrinoLMargin !== undefined) pos('neutrinoLMargin', s.lMaxNeutrino);
}

/** Transfer functions at the requested ln a for each k (throws a CosmetaError naming the mode on failure). */
function transfers(c: BoltzmannCosmology, bg: BoltzmannBackground, th: ThermalHistory, k: ArrayLike<number>, lna: number[], s: BoltzmannSettings, xDec: number): { t: Float64Array[]; steps: number } {
  const t: Float64Array[] = [];
  let steps = 0;
  for (let i = 0; i < k.length; i++) {
    try {
      const r = evolveMode(bg, th, k[i], lna, s, xDec);
      t.push(r.transfer);
      steps += r.steps;
    } catch (e) {
      if (e instanceof StiffIntegrationError) {
        throw new CosmetaError(`Boltzmann solver did not converge for ${c.label} at k=${k[i]}/Mpc: ${e.message}`);
      }
      throw e;
    }
  }
  return { t, steps };
}

/** The log-k grid [1/Mpc] on which T(k, 0) is solved for sigma8 (see BoltzmannSettings). */
export function sigma8Grid(s: BoltzmannSettings): number[] {
  const ks: number[] = [];
  const n1 = Math.max(2, Math.ceil(Math.log(s.sigma8kBreak / s.sigma8kMin) * s.sigma8PerEfold));
  for (let i = 0; i < n1; i++) ks.push(s.sigma8kMin * (s.sigma8kBreak / s.sigma8kMin) ** (i / n1));
  const n2 = Math.max(1, Math.ceil(Math.log(s.sigma8kMax / s.sigma8kBreak) * s.sigma8PerEfoldHigh));
  for (let i = 0; i <= n2; i++) ks.push(s.sigma8kBreak * (s.sigma8kMax / s.sigma8kBreak) ** (i / n2));
  return ks;
}

/**
 * sigma8^2 / A_s = int dln k (k / k_pivot)^(n_s - 1) T(k, 0)^2 W^2(k R8), R8 = 8/h Mpc, with ln T(ln k)
 * a cubic spline through solved modes; Simpson's rule on 4000 intervals with the exact window.
 */
function sigma8PerAs(c: BoltzmannCosmology, lnT: CubicSpline, a: number, b: number): number {
  const r8 = 8 / c.h;
  const n = 4000;
  const du = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const u = a + i * du;
    const kk = Math.exp(u);
    const w = topHatWindow(kk * r8);
    const g = (kk / K_PIVOT) ** (c.n_s - 1) * Math.exp(2 * lnT.evaluate(u)) * w * w;
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * g;
  }
  return (sum * du) / 3;
}

/** Largest gap in ln k between consecutive sorted values inside [lo, hi] (including the ends). */
function maxLnGap(sorted: number[], lo: number, hi: number): number {
  const inside = sorted.filter((v) => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12));
  if (inside.length === 0 || inside[0] > lo * (1 + 1e-9) || inside[inside.length - 1] < hi * (1 - 1e-9)) return Infinity;
  let g = 0;
  for (let i = 1; i < inside.length; i++) g = Math.max(g, Math.log(inside[i] / inside[i - 1]));
  return g;
}

/**
 * Solve the linear Boltzmann hierarchy for `input` at wavenumbers k [1/Mpc] and redshifts z, returning
 * P(k, z) [Mpc^3] and T(k, z). Throws CosmetaError for invalid input or a mode that does not converge.
 */
export function solveBoltzmann(input: BoltzmannInput, k: ArrayLike<number>, z: ArrayLike<number>, settings: Partial<BoltzmannSettings> = {}): BoltzmannResult {
  const s: BoltzmannSettings = { ...DEFAULT_BOLTZMANN, ...settings };
  validateSettings(s);
  const hasAs = input.A_s !== undefined;
  const hasS8 = input.sigma8 !== undefined;
  if (hasAs === hasS8) throw new CosmetaError(`solveBoltzmann: give exactly one of A_s or sigma8 (got A_s=${input.A_s}, sigma8=${input.sigma8})`);
  if (hasAs && !(Number.isFinite(input.A_s) && (input.A_s as number) > 0 && (input.A_s as number) < 1e-6)) {
    throw new CosmetaError(`solveBoltzmann: A_s=${input.A_s} is outside (0, 1e-6)`);
  }
  if (hasS8 && !(Number.isFinite(input.sigma8) && (input.sigma8 as number) > 0 && (input.sigma8 as number) < 5)) {
    throw new CosmetaError(`solveBoltzmann: sigma8=${input.sigma8} is outside (0, 5)`);
  }
  if (k.length === 0) throw new CosmetaError('solveBoltzmann: the k grid is empty');
  for (let i = 0; i < k.length; i++) {
    if (!(k[i] > 0 && k[i] <= 1e3)) throw new CosmetaError(`solveBoltzmann: k[${i}]=${k[i]} is outside (0, 1000] /Mpc`);
  }
  for (let i = 0; i < z.length; i++) {
    if (!(z[i] >= 0 && z[i] <= 1000)) throw new CosmetaError(`solveBoltzmann: z[${i}]=${z[i]} is outside [0, 1000]`);
  }
  const c = prepareCosmology(input);
  const bg = new BoltzmannBackground(c);
  const th = new ThermalHistory(bg, s.recfastDz, s.thermoNodesPerEfold);

  // outputs in increasing ln a
  const zs = Array.from(z);
  const lnaSet = Array.from(new Set(zs.map((v) => -Math.log1p(v)))).sort((p, q) => p - q);
  const xDec = decouplingLna(bg, th, s.rsaKappaTau);
  const lnaAll = lnaSet.includes(0) ? lnaSet : [...lnaSet, 0];
  const i0 = lnaAll.indexOf(0);

  // Modes to solve: the requested k up to kDirectMax, and above it a log grid (highKPerEfold per e-fold)
  // through which ln T is splined; sigma8 reuses these when dense enough, else adds its own grid.
  const kk = Float64Array.from(k);
  const req = Array.from(new Set(Array.from(kk))).sort((p, q) => p - q);
  const kTop = req[req.length - 1];
  const modes: number[] = [];
  // extra nodes closer than 1e-3 in ln k to a node already there add nothing (and would make the spline ill-posed)
  const addNode = (v: number): void => {
    if (!modes.some((m) => Math.abs(Math.log(v / m)) < 1e-3)) modes.push(v);
  };
  for (const v of req) if (v <= s.kDirectMax) addNode(v);
  if (kTop > s.kDirectMax) {
    const n = Math.max(2, Math.ceil(Math.log(kTop / s.kDirectMax) * s.highKPerEfold));
    for (let i = 0; i <= n; i++) addNode(s.kDirectMax * (kTop / s.kDirectMax) ** (i / n));
  }
  let sorted = [...modes].sort((p, q) => p - q);
  const covers =
    maxLnGap(sorted, s.sigma8kMin, s.sigma8kBreak) <= 1 / s.sigma8PerEfold + 1e-9 &&
    maxLnGap(sorted, s.sigma8kBreak, s.sigma8kMax) <= 1 / s.sigma8PerEfoldHigh + 1e-9;
  if (!covers) for (const v of sigma8Grid(s)) addNode(v);
  sorted = [...modes].sort((p, q) => p - q);
  const { t, steps } = transfers(c, bg, th, sorted, lnaAll, s, xDec);
  const lnkNodes = sorted.map(Math.log);
  const splines = lnaAll.map((_, j) => new CubicSpline(lnkNodes, t.map((v) => Math.log(Math.abs(v[j])))));
  const index = new Map(sorted.map((v, i) => [v, i]));

  // sigma8 (always reported) at z = 0
  const sigma2PerAs = sigma8PerAs(c, splines[i0], Math.log(s.sigma8kMin), Math.log(s.sigma8kMax));
  const A_s = hasAs ? (input.A_s as number) : (input.sigma8 as number) ** 2 / sigma2PerAs;
  const sigma8 = Math.sqrt(A_s * sigma2PerAs);

  const pk: Float64Array[] = [];
  const transfer: Float64Array[] = [];
  for (const zv of zs) {
    const j = lnaAll.indexOf(-Math.log1p(zv));
    const T = new Float64Array(kk.length);
    const P = new Float64Array(kk.length);
    for (let i = 0; i < kk.length; i++) {
      const m = kk[i] <= s.kDirectMax ? index.get(kk[i]) : undefined;
      T[i] = m !== undefined ? t[m][j] : Math.exp(splines[j].evaluate(Math.log(kk[i])));
      P[i] = ((2 * Math.PI * Math.PI) / kk[i] ** 3) * A_s * (kk[i] / K_PIVOT) ** (c.n_s - 1) * T[i] * T[i];
    }
    transfer.push(T);
    pk.push(P);
  }
  return {
    k: kk,
    z: Float64Array.from(zs),
    pk,
    transfer,
    A_s,
    sigma8,
    YHe: c.YHe,
    settings: s,
    derived: { z_star: th.zStar, z_drag: th.zDrag, r_drag: th.rDrag, tau0: bg.tau0, z_eq: 1 / bg.aEq - 1, steps, modes: sorted.length },
  };
}
