/**
 * Fisher forecasts and MOPED for an inference problem: the model's inputs at the problem's fiducial point,
 * default steps from the priors, the forecast in sampled and derived parameters (Omega_m, S8), and the
 * MOPED-compressed likelihood built from the same derivatives.
 *
 * Default largest step per parameter: 2% of a flat prior's width (Omega_c: 4.6e-3, dz_i: 1.6e-4), or 10%
 * of a Gaussian prior's sigma, halved `levels - 1` times by the step study (fisher.ts).
 */

import { CosmetaError } from '../../errors.js';
import type { BatchedModel } from '../likelihood.js';
import { OMEGA_M, S8, type ParameterSpec } from '../priors.js';
import type { InferenceProblem } from '../problem.js';
import { fisherMatrix, type DerivativeMethod, type FisherResult } from './fisher.js';
import { addPriors, fisherErrors, marginalBlock, reparametrise, type FisherErrors, type FlatPriorTreatment } from './forecast.js';
import { MopedLikelihood, mopedVectors } from './moped.js';

export function defaultSteps(specs: readonly ParameterSpec[]): number[] {
  return specs.map((s) => (s.prior.kind === 'flat' ? 0.02 * (s.prior.max - s.prior.min) : 0.1 * s.prior.sigma));
}

/** The model's inputs at the fiducial point: sampled parameters at their fiducial values, the rest fixed. */
export function fiducialInputs(problem: InferenceProblem, model: BatchedModel): Float64Array {
  return Float64Array.from(model.parameterNames, (name) => {
    const spec = problem.parameters.find((p) => p.name === name);
    if (spec) return spec.fiducial;
    if (name in problem.fixed) return problem.fixed[name];
    throw new CosmetaError(`the model needs "${name}", which the problem neither samples nor fixes`);
  });
}

export interface ProblemFisherOptions {
  method?: DerivativeMethod;
  levels?: number;
  /** Overrides of the largest step by parameter name. */
  steps?: Record<string, number>;
}

/** Fisher matrix of the problem's Gaussian likelihood over all its sampled parameters, at the fiducial point. */
export async function problemFisher(problem: InferenceProblem, model: BatchedModel, options: ProblemFisherOptions = {}): Promise<FisherResult> {
  const specs = problem.parameters;
  const defaults = defaultSteps(specs);
  for (const name of Object.keys(options.steps ?? {})) {
    if (!specs.some((s) => s.name === name)) throw new CosmetaError(`step given for "${name}", which the problem does not sample`);
  }
  const steps = specs.map((s, a) => options.steps?.[s.name] ?? defaults[a]);
  return fisherMatrix(model, fiducialInputs(problem, model), problem.covariance, {
    steps,
    vary: specs.map((s) => s.name),
    levels: options.levels,
    method: options.method,
  });
}

export interface Forecast {
  flatPriors: FlatPriorTreatment;
  /** Errors on the sampled parameters. */
  sampled: FisherErrors;
  /** Fiducial values of `sampled.names`. */
  fiducial: Float64Array;
  /** Errors after Omega_c -> Omega_m, sigma8 -> S8 (when the problem samples them). */
  derived: FisherErrors | null;
  /** Fiducial values of `derived.names`. */
  derivedFiducial: Float64Array | null;
}

/** Marginal and conditional errors, with the problem's priors treated as `flatPriors` says. */
export function forecast(problem: InferenceProblem, fisher: FisherResult, flatPriors: FlatPriorTreatment): Forecast {
  const F = addPriors(fisher.F, fisher.names, problem.parameters, flatPriors);
  const sampled = fisherErrors(F, fisher.names);
  const theta = Float64Array.from(fisher.names, (n) => problem.parameters.find((p) => p.name === n)?.fiducial as number);
  const needed = ['Omega_c', 'Omega_b', 'sigma8'];
  if (!needed.every((n) => fisher.names.includes(n))) return { flatPriors, sampled, fiducial: theta, derived: null, derivedFiducial: null };
  const rep = reparametrise(F, fisher.names, theta, [
    { derived: OMEGA_M, replaces: 'Omega_c' },
    { derived: S8, replaces: 'sigma8' },
  ]);
  return { flatPriors, sampled, fiducial: theta, derived: fisherErrors(rep.F, rep.names), derivedFiducial: rep.theta };
}

/** The 2 x 2 forecast covariance of (x, y) among the sampled or derived parameters, and its centre. */
export function forecastBlock(f: Forecast, x: string, y: string): { center: [number, number]; S: Float64Array } {
  const set = f.derived && f.derived.names.includes(x) && f.derived.names.includes(y) ? f.derived : f.sampled;
  const S = marginalBlock(set.covariance, set.names, x, y);
  const values = set === f.derived ? (f.derivedFiducial as Float64Array) : f.fiducial;
  const value = (n: string) => values[set.names.indexOf(n)];
  return { center: [value(x), value(y)], S };
}

/** The MOPED-compressed likelihood of the problem, vectors from the model's derivatives at the fiducial point. */
export async function problemMoped(problem: InferenceProblem, model: BatchedModel, options: ProblemFisherOptions = {}): Promise<{ likelihood: MopedLikelihood; fisher: FisherResult }> {
  const fisher = await problemFisher(problem, model, options);
  const vectors = mopedVectors(fisher.derivatives, problem.covariance);
  return { likelihood: new MopedLikelihood(vectors, problem.data), fisher };
}
