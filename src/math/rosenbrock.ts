/**
 * Rodas4: an L-stable, stiffly accurate Rosenbrock method of order 4 with an embedded order-3 error
 * estimate and adaptive step size, for stiff systems y' = f(t, y).
 *
 * Method and coefficients: Hairer & Wanner, "Solving Ordinary Differential Equations II" (2nd ed.,
 * Springer 1996), Sect. IV.7, method RODAS, in the transformed form of their
 * eqs. (7.25)-(7.26) that needs one LU factorisation per step:
 *   (I/(h gamma) - J) k_i = f(t + alpha_i h, y + sum_j a_ij k_j) + sum_j (c_ij / h) k_j + h gamma_i f_t,
 *   y_new = y + sum_j m_j k_j,   error = k_6 (stiffly accurate: the last stage is the solution).
 * The coefficient values are those of Hairer's rodas.f (RODAS4 set), which KPP/FATODE also list.
 *
 * The Jacobian J = df/dy is the caller's (analytic, or assembled from structure) or else built by
 * forward differences; f_t likewise. Step-size control: the error in the RMS norm weighted by
 * atol + rtol max(|y_old|, |y_new|), new step h (0.9 / err^(1/4)) clamped to [h/5, 6h], as Hairer's codes.
 */

import { CosmetaError } from '../errors.js';
import { denseSolver, type LinearSolver } from './bordered.js';

/** A first-order system y' = f(t, y) of dimension n. */
export interface StiffSystem {
  readonly n: number;
  /** dydt = f(t, y). Must not keep references to y or dydt. */
  rhs(t: number, y: Float64Array, dydt: Float64Array): void;
  /** Row-major Jacobian jac[i n + j] = d f_i / d y_j at (t, y); forward differences if absent. */
  jacobian?(t: number, y: Float64Array, jac: Float64Array): void;
  /** True when f does not depend on t explicitly (then f_t = 0 and is not computed). */
  readonly autonomous?: boolean;
  /**
   * Solver for the stage matrices I/(h gamma) - J (given dense); dense LU if absent. A structured solver
   * (e.g. BorderedBandedSolver) turns the O(n^3) factorisation into O(n).
   */
  readonly linearSolver?: LinearSolver;
}

export interface StiffOptions {
  /** Relative tolerance per step (local error). */
  rtol: number;
  /** Absolute tolerance: one value or one per component. */
  atol: number | ArrayLike<number>;
  /** First trial step; estimated from |y| / |f| if absent. */
  h0?: number;
  /** Largest step allowed. */
  hMax?: number;
  /** Give up after this many steps (accepted + rejected). */
  maxSteps?: number;
  /**
   * Optional override of the error weights: fill w[i] (> 0) given the old and new states; the error
   * is then RMS(err_i / w_i). Lets a caller measure the error against a scale of its own choosing.
   */
  weights?: (yOld: Float64Array, yNew: Float64Array, w: Float64Array) => void;
}

/** Work counters of one integration. */
export interface StiffStats {
  accepted: number;
  rejected: number;
  rhsCalls: number;
  jacobianCalls: number;
}

/** The integrator could not reach the requested time (step too small, too many steps, singular matrix). */
export class StiffIntegrationError extends CosmetaError {
  constructor(message: string) {
    super(message);
    this.name = 'StiffIntegrationError';
  }
}

// RODAS4 (Hairer & Wanner 1996; rodas.f): stage times alpha, gamma_i = sum_j gamma_ij, A and C below
// the diagonal stored row-wise (A[i][j], j < i), solution weights m.
const GAMMA = 0.25;
const ALPHA = [0, 0.386, 0.21, 0.63, 1, 1];
const GAMMAI = [0.25, -0.1043, 0.1035, -0.0362, 0, 0];
const A: number[][] = [
  [],
  [1.544],
  [0.9466785280815826, 0.2557011698983284],
  [3.314825187068521, 2.896124015972201, 0.9986419139977817],
  [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895],
  [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1],
];
const C: number[][] = [
  [],
  [-5.6688],
  [-2.430093356833875, -0.2063599157091915],
  [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
  [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
  [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
];
const M = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1, 1];
const STAGES = 6;

/**
 * Integrate y' = f(t, y) from t0 through the increasing output times tOut (each > t0 or = t0),
 * stepping exactly onto each output time; `y` holds the initial state and is overwritten with the state
 * at the last output. `onOutput(i, t, y)` is called at each output (y is the live state: copy it).
 */
export function integrateRodas4(
  sys: StiffSystem,
  t0: number,
  y: Float64Array,
  tOut: ArrayLike<number>,
  onOutput: (i: number, t: number, y: Float64Array) => void,
  opts: StiffOptions,
): StiffStats {
  const n = sys.n;
  if (y.length !== n) throw new CosmetaError(`integrateRodas4: state has ${y.length} components, system has ${n}`);
  if (!(opts.rtol > 0 && opts.rtol < 1)) throw new CosmetaError(`integrateRodas4: rtol must be in (0, 1), got ${opts.rtol}`);
  const atol = new Float64Array(n);
  if (typeof opts.atol === 'number') atol.fill(opts.atol);
  else if (opts.atol.length === n) for (let i = 0; i < n; i++) atol[i] = opts.atol[i];
  else throw new CosmetaError(`integrateRodas4: atol has ${opts.atol.length} entries, expected ${n}`);
  for (let i = 0; i < n; i++) {
    if (!(atol[i] >= 0)) throw new CosmetaError(`integrateRodas4: atol[${i}] must be >= 0, got ${atol[i]}`);
  }
  const maxSteps = opts.maxSteps ?? 100000;
  const stats: StiffStats = { accepted: 0, rejected: 0, rhsCalls: 0, jacobianCalls: 0 };

  const jac = new Float64Array(n * n);
  const g = new Float64Array(n * n);
  const solver = sys.linearSolver ?? denseSolver(n);
  const k: Float64Array[] = [];
  for (let s = 0; s < STAGES; s++) k.push(new Float64Array(n));
  const f0 = new Float64Array(n);
  const ft = new Float64Array(n);
  const ys = new Float64Array(n);
  const fs = new Float64Array(n);
  const yNew = new Float64Array(n);
  const w = new Float64Array(n);

  const evalRhs = (t: number, yy: Float64Array, out: Float64Array): void => {
    sys.rhs(t, yy, out);
    stats.rhsCalls++;
  };
  const buildJacobian = (t: number): void => {
    stats.jacobianCalls++;
    if (sys.jacobian) {
      sys.jacobian(t, y, jac);
      return;
    }
    ys.set(y);
    for (let j = 0; j < n; j++) {
      const d = Math.sqrt(2.2e-16 * Math.max(1e-5, Math.abs(y[j])));
      ys[j] = y[j] + d;
      evalRhs(t, ys, fs);
      ys[j] = y[j];
      for (let i = 0; i < n; i++) jac[i * n + j] = (fs[i] - f0[i]) / d;
    }
  };

  let t = t0;
  let h = opts.h0 ?? 0;
  if (!(h > 0)) {
    evalRhs(t, y, f0);
    let ny = 0;
    let nf = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol[i] + opts.rtol * Math.abs(y[i]);
      ny += (y[i] / sc) ** 2;
      nf += (f0[i] / sc) ** 2;
    }
    ny = Math.sqrt(ny / n);
    nf = Math.sqrt(nf / n);
    h = ny > 1e-5 && nf > 1e-5 ? 0.01 * (ny / nf) : 1e-6 * Math.max(1, Math.abs(t0));
  }
  const hMax = opts.hMax ?? Infinity;
  let rejectedLast = false;
  let steps = 0;

  for (let io = 0; io < tOut.length; io++) {
    const tEnd = tOut[io];
    if (!(tEnd >= t)) throw new CosmetaError(`integrateRodas4: output times must increase from t0, got ${tEnd} after ${t}`);
    while (t < tEnd) {
      if (++steps > maxSteps) {
        throw new StiffIntegrationError(`integrateRodas4: more than ${maxSteps} steps before t=${tEnd} (reached t=${t}, h=${h})`);
      }
      h = Math.min(h, hMax);
      let last = false;
      if (t + h >= tEnd || t + 1.0001 * h >= tEnd) {
        h = tEnd - t;
        last = true;
      }
      if (!(h > Math.abs(t) * 1e-15) || !Number.isFinite(h)) {
        throw new StiffIntegrationError(`integrateRodas4: step size underflow at t=${t} (h=${h})`);
      }
      evalRhs(t, y, f0);
      buildJacobian(t);
      if (!sys.autonomous) {
        const dt = Math.sqrt(2.2e-16) * Math.max(1e-5, Math.abs(t));
        evalRhs(t + dt, y, ft);
        for (let i = 0; i < n; i++) ft[i] = (ft[i] - f0[i]) / dt;
      }
      const diag = 1 / (h * GAMMA);
      for (let i = 0; i < n * n; i++) g[i] = -jac[i];
      for (let i = 0; i < n; i++) g[i * n + i] += diag;
      if (!solver.factor(g)) {
        h *= 0.5;
        rejectedLast = true;
        stats.rejected++;
        continue;
      }
      for (let s = 0; s < STAGES; s++) {
        const ks = k[s];
        if (s === 0) ks.set(f0);
        else {
          const as = A[s];
          for (let i = 0; i < n; i++) {
            let v = y[i];
            for (let j = 0; j < s; j++) v += as[j] * k[j][i];
            ys[i] = v;
          }
          evalRhs(t + ALPHA[s] * h, ys, ks);
          const cs = C[s];
          for (let j = 0; j < s; j++) {
            const c = cs[j] / h;
            const kj = k[j];
            for (let i = 0; i < n; i++) ks[i] += c * kj[i];
          }
        }
        if (!sys.autonomous && GAMMAI[s] !== 0) {
          const hg = h * GAMMAI[s];
          for (let i = 0; i < n; i++) ks[i] += hg * ft[i];
        }
        solver.solve(ks);
      }
      for (let i = 0; i < n; i++) {
        let v = y[i];
        for (let s = 0; s < STAGES; s++) v += M[s] * k[s][i];
        yNew[i] = v;
      }
      if (opts.weights) opts.weights(y, yNew, w);
      else for (let i = 0; i < n; i++) w[i] = atol[i] + opts.rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      let err = 0;
      const e = k[STAGES - 1];
      for (let i = 0; i < n; i++) {
        const r = e[i] / w[i];
        err += r * r;
      }
      err = Math.sqrt(err / n);
      if (!Number.isFinite(err)) {
        h *= 0.2;
        rejectedLast = true;
        stats.rejected++;
        continue;
      }
      let fac = 0.9 / Math.pow(Math.max(err, 1e-10), 0.25);
      fac = Math.min(6, Math.max(0.2, fac));
      if (err <= 1) {
        stats.accepted++;
        t = last ? tEnd : t + h;
        y.set(yNew);
        if (rejectedLast) fac = Math.min(1, fac);
        rejectedLast = false;
        h *= fac;
      } else {
        stats.rejected++;
        rejectedLast = true;
        h *= fac;
      }
    }
    onOutput(io, t, y);
  }
  return stats;
}
