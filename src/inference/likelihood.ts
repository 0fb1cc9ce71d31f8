/**
 * The batched model interface (theta -> data vector) and the Gaussian posterior built on it.
 *
 * The theory engine (a worker pool) and an adapted emulator (one batched network call) both implement
 * `BatchedModel`; the sampler only ever asks for a block of parameter vectors at once.
 */

import { CosmetaError } from '../errors.js';
import { logPriorVector, validateSpecs, type ParameterSpec } from './priors.js';

export interface BatchedModel {
  /** Names of the model's inputs, the column order of `predict`'s rows. */
  readonly parameterNames: readonly string[];
  /** Length of one data vector. */
  readonly dataSize: number;
  /** Data vectors [n x dataSize] for a row-major block of inputs [n x parameterNames.length]. */
  predict(rows: Float64Array, n: number): Promise<Float64Array>;
  /** Release threads or memory. */
  close(): Promise<void>;
}

/** Anything that can give chi^2 = r^T C^-1 r for a residual (GaussianCovariance does, block by block). */
export interface Covariance {
  readonly size: number;
  chi2(residual: ArrayLike<number>, offset?: number): number;
}

/** A log-likelihood of a model's data vector (Gaussian, compressed, ...). */
export interface Likelihood {
  /** The data vector the model's predictions are compared with (its length is the model's dataSize). */
  readonly data: ArrayLike<number>;
  /** ln L of the prediction starting at `offset` in `m`. */
  logLike(m: ArrayLike<number>, offset?: number): number;
}

/**
 * ln L = -chi^2 / 2 with chi^2 = (d - m)^T C^-1 (d - m). The constant -(ln det 2 pi C)/2 is dropped: the
 * covariance does not depend on the parameters, so it cancels in every ratio the sampler takes.
 */
export class GaussianLikelihood implements Likelihood {
  private readonly residual: Float64Array;

  constructor(
    readonly data: Float64Array,
    readonly covariance: Covariance,
  ) {
    if (data.length !== covariance.size) {
      throw new CosmetaError(`likelihood: data vector has ${data.length} values but the covariance is ${covariance.size} x ${covariance.size}`);
    }
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new CosmetaError(`likelihood: data[${i}] = ${data[i]} is not finite`);
    this.residual = new Float64Array(data.length);
  }

  /** ln L of model prediction `m` (starting at `offset`). */
  logLike(m: ArrayLike<number>, offset = 0): number {
    const r = this.residual;
    for (let i = 0; i < r.length; i++) r[i] = this.data[i] - m[offset + i];
    const chi2 = this.covariance.chi2(r);
    return Number.isFinite(chi2) ? -0.5 * chi2 : Number.NEGATIVE_INFINITY;
  }
}

/**
 * ln posterior = ln prior + ln L over the sampled parameters, evaluated for blocks of points. Points
 * outside the prior are never sent to the model. Model inputs not sampled take the `fixed` values.
 */
export class Posterior {
  readonly names: readonly string[];
  private readonly columns: Int32Array;
  private readonly fixedValues: Float64Array;

  constructor(
    readonly parameters: readonly ParameterSpec[],
    readonly model: BatchedModel,
    readonly likelihood: Likelihood,
    fixed: Readonly<Record<string, number>> = {},
  ) {
    validateSpecs(parameters);
    this.names = parameters.map((p) => p.name);
    if (model.dataSize !== likelihood.data.length) {
      throw new CosmetaError(`the model gives data vectors of ${model.dataSize} values but the data has ${likelihood.data.length}`);
    }
    const used = new Set<string>();
    this.columns = new Int32Array(model.parameterNames.length);
    this.fixedValues = new Float64Array(model.parameterNames.length);
    model.parameterNames.forEach((name, c) => {
      const i = this.names.indexOf(name);
      this.columns[c] = i;
      if (i >= 0) used.add(name);
      else if (name in fixed) this.fixedValues[c] = fixed[name];
      else throw new CosmetaError(`the model needs "${name}", which is neither sampled nor fixed (sampled: ${this.names.join(', ')})`);
    });
    const unused = this.names.filter((n) => !used.has(n));
    if (unused.length > 0) {
      throw new CosmetaError(`sampled parameter(s) ${unused.join(', ')} are not inputs of the model (its inputs: ${model.parameterNames.join(', ')})`);
    }
  }

  get dim(): number {
    return this.names.length;
  }

  /** ln posterior of n points (row-major [n x dim]). */
  async logProb(points: Float64Array, n: number): Promise<Float64Array> {
    const dim = this.dim;
    const out = new Float64Array(n);
    const inside: number[] = [];
    for (let r = 0; r < n; r++) {
      out[r] = logPriorVector(this.parameters, points, r * dim);
      if (out[r] > Number.NEGATIVE_INFINITY) inside.push(r);
    }
    if (inside.length === 0) return out;
    const M = this.columns.length;
    const rows = new Float64Array(inside.length * M);
    inside.forEach((r, k) => {
      for (let c = 0; c < M; c++) {
        const i = this.columns[c];
        rows[k * M + c] = i >= 0 ? points[r * dim + i] : this.fixedValues[c];
      }
    });
    const pred = await this.model.predict(rows, inside.length);
    const D = this.model.dataSize;
    inside.forEach((r, k) => {
      out[r] += this.likelihood.logLike(pred, k * D);
    });
    return out;
  }
}
