/**
 * Inference problems: sampled parameters with priors, a data vector and its covariance. The paper's
 * problem (arXiv:2504.00552, docs/paper-settings.md section 7) is built in: the target
 * sample, the noiseless fiducial data vector, the Knox covariance with f_sky 0.4, 2 galaxies/arcmin^2
 * per bin and sigma_e^2 = 0.26, and flat priors on 10 parameters.
 */

import { GaussianCovariance, PAPER_SURVEY, type SurveySpec } from '../cosmology/covariance.js';
import { ShearTheory } from '../cosmology/theory.js';
import { DEFAULT_LINEAR_MODEL, linearModel, type LinearModelOptions } from '../cosmology/transfer/index.js';
import type { LinearShape } from '../cosmology/transfer/model.js';
import { CosmetaError } from '../errors.js';
import { FIDUCIAL, paperEll, targetSample } from '../tasks/target.js';
import type { ParameterSpec } from './priors.js';

export interface InferenceProblem {
  name: string;
  parameters: ParameterSpec[];
  /** Model inputs held fixed (not sampled). */
  fixed: Record<string, number>;
  data: Float64Array;
  covariance: GaussianCovariance;
  /** The galaxy sample and multipoles the data belong to (a model must match them). */
  z: Float64Array;
  nz: Float64Array[];
  ell: Float64Array;
  /** Theory settings the fiducial data vector was computed with. */
  theory: { linear: string; nonlinear: boolean; spin2: boolean; shiftConvention: 'paper' | 'additive' };
  survey: SurveySpec;
}

export const PROBLEM_NAMES = ['paper'] as const;

export interface PaperProblemOptions {
  /** Linear P(k) model of the fiducial data vector and of the theory (default DEFAULT_LINEAR_MODEL, as the training data). */
  linear?: string;
  /** Resources the linear model needs (e.g. the emulator behind boltzmann_emulated; in Node, nodeLinearOptions). */
  linearOptions?: LinearModelOptions;
  /** The linear model `linear` already resolved (then linearOptions is not used). */
  shape?: LinearShape;
  survey?: SurveySpec;
  /** The galaxy sample of the data vector (default: the paper's target sample, targetSample()). */
  sample?: { z: Float64Array; nz: Float64Array[] };
}

/** The paper's priors (flat), fiducial values and initial ball: fiducial x (1 + 0.1 N) and dz ~ 4e-4 N. */
export function paperParameters(nBins = 5): ParameterSpec[] {
  const flat = (min: number, max: number) => ({ kind: 'flat' as const, min, max });
  const specs: ParameterSpec[] = [
    { name: 'Omega_c', prior: flat(0.17, 0.4), fiducial: FIDUCIAL.Omega_c, startSpread: 0.1 * FIDUCIAL.Omega_c },
    { name: 'Omega_b', prior: flat(0.03, 0.07), fiducial: FIDUCIAL.Omega_b, startSpread: 0.1 * FIDUCIAL.Omega_b },
    { name: 'h', prior: flat(0.4, 1.1), fiducial: FIDUCIAL.h, startSpread: 0.1 * FIDUCIAL.h },
    { name: 'sigma8', prior: flat(0.65, 1.0), fiducial: FIDUCIAL.sigma8, startSpread: 0.1 * FIDUCIAL.sigma8 },
    { name: 'n_s', prior: flat(0.8, 1.1), fiducial: FIDUCIAL.n_s, startSpread: 0.1 * FIDUCIAL.n_s },
  ];
  for (let i = 1; i <= nBins; i++) specs.push({ name: `dz_${i}`, prior: flat(-0.004, 0.004), fiducial: 0, startSpread: 4e-4 });
  return specs;
}

export function paperProblem(options: PaperProblemOptions = {}): InferenceProblem {
  const linear = options.linear ?? DEFAULT_LINEAR_MODEL;
  const survey = options.survey ?? PAPER_SURVEY;
  const { z, nz } = options.sample ?? targetSample();
  const ell = paperEll();
  const settings = { linear, nonlinear: true, spin2: true, shiftConvention: 'paper' as const };
  const theory = new ShearTheory({ z, nz }, ell, { ...settings, linear: options.shape ?? linearModel(linear, options.linearOptions) });
  const data = theory.compute(FIDUCIAL, {});
  return {
    name: 'paper',
    parameters: paperParameters(nz.length),
    fixed: {},
    data,
    covariance: new GaussianCovariance(data, ell, nz.length, survey),
    z,
    nz,
    ell,
    theory: settings,
    survey,
  };
}

export function problemByName(name: string, options: PaperProblemOptions = {}): InferenceProblem {
  if (name === 'paper') return paperProblem(options);
  throw new CosmetaError(`unknown problem "${name}"; available: ${PROBLEM_NAMES.join(', ')}`);
}

/**
 * The ranges of the paper's flat priors for the given parameter names (for Latin hypercubes over the
 * inference prior); a name without a flat prior there is refused.
 */
export function paperPriorRanges(names: readonly string[], nBins = 5): Record<string, [number, number]> {
  const prior = new Map(paperParameters(nBins).map((s) => [s.name, s.prior]));
  const ranges: Record<string, [number, number]> = {};
  for (const name of names) {
    const p = prior.get(name);
    if (!p || p.kind !== 'flat') throw new CosmetaError(`the paper's inference prior has no flat range for "${name}"`);
    ranges[name] = [p.min, p.max];
  }
  return ranges;
}
