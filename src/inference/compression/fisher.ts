/**
 * Fisher matrices of a Gaussian likelihood whose covariance does not depend on the parameters,
 *
 *   F_ab = mu_,a^T C^-1 mu_,b                                    (Tegmark, Taylor & Heavens 1997, ApJ 480, 22, eq. 15)
 *
 * (the trace term of their eq. 15 vanishes for a fixed covariance, as in the paper's likelihood). The
 * derivatives mu_,a = d mu / d theta_a of the model's data vector come from central differences with a
 * step study:
 *
 *   D(h) = [mu(theta + h e_a) - mu(theta - h e_a)] / (2 h)                         error O(h^2)
 *   R(h) = [4 D(h / 2) - D(h)] / 3       (one Richardson extrapolation)             error O(h^4)
 *
 * on a ladder of steps h_j = H_a / 2^j (j = 0 .. levels - 1). Truncation error falls with h and round-off
 * (and the theory engine's own quadrature noise) grows as 1/h, so the successive estimates first agree more
 * and more closely, then less: the plateau. The chosen derivative is the pair of neighbouring estimates
 * that agree best, measured in the only norm that matters for a forecast, the noise-weighted one:
 * change_j = |L^-1 (E_j - E_{j+1})| / |L^-1 E_{j+1}| with C = L L^T. Every level, its step, sqrt(F_aa)
 * and the change are returned as the study, so a user can see the plateau.
 *
 * All model calls go in one batch (2 x levels x parameters rows), so the theory engine's worker pool is
 * used in parallel.
 */

import { CosmetaError } from '../../errors.js';
import type { BatchedModel } from '../likelihood.js';
import { DenseCovariance, type CovarianceInput } from './dense-covariance.js';

export type DerivativeMethod = 'central' | 'richardson';

export interface FisherOptions {
  /** Largest step H_a per varied parameter (absolute, in the parameter's units). */
  steps: ArrayLike<number>;
  /** Names of the model inputs to vary (default: all of model.parameterNames). */
  vary?: readonly string[];
  /** Number of halvings on the step ladder (default 5; >= 2 for central, >= 3 for Richardson). */
  levels?: number;
  /** Default 'richardson'. */
  method?: DerivativeMethod;
}

export interface StepLevel {
  /** The step h_j (for Richardson: of the coarser of the two central differences). */
  step: number;
  /** sqrt(F_aa) from this level's derivative (the conditional inverse error). */
  sqrtF: number;
  /** Noise-weighted relative change to the next finer level (NaN on the last level). */
  change: number;
}

export interface StepStudy {
  name: string;
  levels: StepLevel[];
  /** Index of the level whose derivative was kept. */
  chosen: number;
}

export interface FisherResult {
  /** Names of the varied parameters, the row/column order of F. */
  names: string[];
  /** Fisher matrix, row-major [names.length x names.length]. */
  F: Float64Array;
  /** d mu / d theta_a per varied parameter, each of length model.dataSize. */
  derivatives: Float64Array[];
  /** The model's data vector at theta0. */
  mu: Float64Array;
  study: StepStudy[];
}

/** F_ab = mu_,a^T C^-1 mu_,b from derivatives and a covariance. */
export function fisherFromDerivatives(derivatives: readonly Float64Array[], covariance: CovarianceInput | DenseCovariance): Float64Array {
  const cov = DenseCovariance.from(covariance);
  const w = derivatives.map((d) => cov.whiten(d));
  const n = w.length;
  const F = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < w[a].length; i++) s += w[a][i] * w[b][i];
      F[a * n + b] = s;
      F[b * n + a] = s;
    }
  }
  return F;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/**
 * Fisher matrix of `model` at `theta0` (one value per model.parameterNames entry) for a fixed data
 * covariance, with derivatives from the step study described above.
 */
export async function fisherMatrix(model: BatchedModel, theta0: ArrayLike<number>, covariance: CovarianceInput | DenseCovariance, options: FisherOptions): Promise<FisherResult> {
  const method = options.method ?? 'richardson';
  const levels = options.levels ?? 5;
  const minLevels = method === 'richardson' ? 3 : 2;
  if (!Number.isInteger(levels) || levels < minLevels) throw new CosmetaError(`fisher: levels must be an integer >= ${minLevels} for ${method} differences, got ${levels}`);
  const names = [...(options.vary ?? model.parameterNames)];
  const P = model.parameterNames.length;
  if (theta0.length !== P) throw new CosmetaError(`fisher: theta0 has ${theta0.length} values but the model takes ${P} (${model.parameterNames.join(', ')})`);
  if (options.steps.length !== names.length) throw new CosmetaError(`fisher: ${options.steps.length} steps for ${names.length} varied parameters`);
  const columns = names.map((name) => {
    const c = model.parameterNames.indexOf(name);
    if (c < 0) throw new CosmetaError(`fisher: "${name}" is not an input of the model (inputs: ${model.parameterNames.join(', ')})`);
    return c;
  });
  for (let a = 0; a < names.length; a++) {
    const h = options.steps[a];
    if (!(h > 0 && Number.isFinite(h))) throw new CosmetaError(`fisher: the step for ${names[a]} must be a finite number > 0, got ${h}`);
  }
  const cov = DenseCovariance.from(covariance);
  if (cov.size !== model.dataSize) throw new CosmetaError(`fisher: the covariance is ${cov.size} x ${cov.size} but the model gives ${model.dataSize} values`);

  // Rows: theta0, then for every parameter and level the + and - points.
  const nRows = 1 + 2 * levels * names.length;
  const rows = new Float64Array(nRows * P);
  for (let r = 0; r < nRows; r++) for (let c = 0; c < P; c++) rows[r * P + c] = theta0[c];
  const stepOf = (a: number, j: number) => options.steps[a] / 2 ** j;
  for (let a = 0; a < names.length; a++) {
    for (let j = 0; j < levels; j++) {
      const r = 1 + 2 * (a * levels + j);
      rows[r * P + columns[a]] += stepOf(a, j);
      rows[(r + 1) * P + columns[a]] -= stepOf(a, j);
    }
  }
  const out = await model.predict(rows, nRows);
  const D = model.dataSize;
  const mu = out.slice(0, D);

  const derivatives: Float64Array[] = [];
  const study: StepStudy[] = [];
  for (let a = 0; a < names.length; a++) {
    const central: Float64Array[] = [];
    for (let j = 0; j < levels; j++) {
      const r = 1 + 2 * (a * levels + j);
      const h = stepOf(a, j);
      const d = new Float64Array(D);
      for (let i = 0; i < D; i++) d[i] = (out[r * D + i] - out[(r + 1) * D + i]) / (2 * h);
      central.push(d);
    }
    const estimates =
      method === 'central'
        ? central
        : central.slice(0, -1).map((coarse, j) => {
            const fine = central[j + 1];
            return Float64Array.from(coarse, (c, i) => (4 * fine[i] - c) / 3);
          });
    const white = estimates.map((e) => cov.whiten(e));
    const lv: StepLevel[] = white.map((w, j) => {
      const next = white[j + 1];
      const change = next ? norm(Float64Array.from(w, (x, i) => x - next[i])) / norm(next) : Number.NaN;
      return { step: stepOf(a, j), sqrtF: norm(w), change };
    });
    let chosen = 0;
    for (let j = 1; j < lv.length - 1; j++) if (lv[j].change < lv[chosen].change) chosen = j;
    // Of the best-agreeing pair keep the finer estimate (smaller truncation error).
    const keep = Math.min(chosen + 1, estimates.length - 1);
    for (let i = 0; i < D; i++) {
      if (!Number.isFinite(estimates[keep][i])) throw new CosmetaError(`fisher: the derivative with respect to ${names[a]} is not finite at data index ${i}`);
    }
    derivatives.push(estimates[keep]);
    study.push({ name: names[a], levels: lv, chosen: keep });
  }
  return { names, F: fisherFromDerivatives(derivatives, cov), derivatives, mu, study };
}
