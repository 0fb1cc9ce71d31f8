/**
 * An analysis problem from two-point data and a config: the selected tracers and statistics after scale
 * cuts, the covariance sub-block of exactly the selected points (a survey's shear block has nonzero
 * cross-terms with its other probes, so the sub-block is taken by index, never assumed contiguous), the
 * theory's multipole grid and the map from C_ell to the data vector (real-space projection or C_ell
 * selection), and the sampled and fixed parameters with their priors.
 *
 * Parameters (names as CCL writes them): Omega_c or Omega_m; sigma8 or A_s; Omega_b, h, n_s; w0;
 * dz_i and m_i per bin (bins numbered from 1 in the order of the selected tracers); A_IA, eta_IA with
 * NLA intrinsic alignments. Nuisance parameters not named are 0.
 */

import { pairOrder } from '../cosmology/limber.js';
import { sigma8FromAs } from '../cosmology/normalisation.js';
import { cosmology, type CosmologyInput } from '../cosmology/params.js';
import { DEFAULT_HANKEL, logEllGrid, RealSpaceProjection, type XiStatistic, type XiTarget } from '../cosmology/real-space.js';
import { validateDistributions } from '../cosmology/redshift.js';
import { linearModel } from '../cosmology/transfer/index.js';
import type { LinearShape } from '../cosmology/transfer/model.js';
import { CosmetaError } from '../errors.js';
import { DenseCovariance } from '../inference/dense-covariance.js';
import type { Covariance } from '../inference/likelihood.js';
import { paperProblem } from '../inference/problem.js';
import type { DerivedParameter, ParameterSpec, Prior } from '../inference/priors.js';
import type { TwoPointData } from '../io/sacc-types.js';
import type { AnalysisConfig, ParameterConfig, Statistic } from './config.js';

/** The linear map from a pair-major C_ell vector to the data vector. */
export interface DataProjection {
  readonly size: number;
  /** Pair index (into `pairOrder(nBins)`) of every data-vector entry, for m_i scaling. */
  readonly pairOf: Int32Array;
  project(cl: ArrayLike<number>, out: Float64Array, offset: number): Float64Array;
}

export interface AnalysisTheory {
  linear: string;
  nonlinear: boolean;
  spin2: boolean;
  shiftConvention: 'paper' | 'additive';
  intrinsicAlignments: boolean;
}

export interface AnalysisProblem {
  name: string;
  parameters: ParameterSpec[];
  fixed: Record<string, number>;
  /** Every model input in canonical order (sampled and fixed). */
  inputs: string[];
  data: Float64Array;
  covariance: Covariance;
  tracers: string[];
  z: Float64Array;
  nz: Float64Array[];
  /** Multipoles the theory computes C_ell at. */
  ell: Float64Array;
  projection: DataProjection;
  theory: AnalysisTheory;
  derived: DerivedParameter[];
  /** What the data vector holds, for the record. */
  description: Record<string, unknown>;
}

const DATA_TYPE: Record<Statistic, string> = {
  xi_plus: 'galaxy_shear_xi_plus',
  xi_minus: 'galaxy_shear_xi_minus',
  cl_ee: 'galaxy_shear_cl_ee',
};

/** SACC tracer quantities that can be shear sources (firecrown's DES Y1 file says `generic`). */
const SHEAR_QUANTITIES = ['', 'generic', 'galaxy_shear'];

const COSMO_NAMES = ['Omega_c', 'Omega_m', 'Omega_b', 'h', 'sigma8', 'A_s', 'n_s', 'w0'];

/** Canonical rank of a parameter name (cosmology, dz, m, IA), -1 if unknown. */
function rank(name: string, nBins: number): number {
  const c = COSMO_NAMES.indexOf(name);
  if (c >= 0) return c;
  const m = /^(dz|m)_(\d+)$/.exec(name);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= nBins) return (m[1] === 'dz' ? 100 : 200) + Number(m[2]);
  if (name === 'A_IA') return 300;
  if (name === 'eta_IA') return 301;
  return -1;
}

const LATEX: Record<string, string> = {
  Omega_c: '\\Omega_{\\rm c}',
  Omega_m: '\\Omega_{\\rm m}',
  Omega_b: '\\Omega_{\\rm b}',
  h: 'h',
  sigma8: '\\sigma_8',
  A_s: 'A_{\\rm s}',
  n_s: 'n_{\\rm s}',
  w0: 'w_0',
  S8: 'S_8',
  A_IA: 'A_{\\rm IA}',
  eta_IA: '\\eta_{\\rm IA}',
};

/** LaTeX label of a parameter (dz_3 -> \Delta z_3, m_2 -> m_2). */
export function latexLabel(name: string): string {
  if (LATEX[name]) return LATEX[name];
  const m = /^(dz|m)_(\d+)$/.exec(name);
  if (m) return m[1] === 'dz' ? `\\Delta z_{${m[2]}}` : `m_{${m[2]}}`;
  return name.replace(/_/g, '\\_');
}

function toPrior(p: NonNullable<ParameterConfig['prior']>): Prior {
  return 'flat' in p ? { kind: 'flat', min: p.flat[0], max: p.flat[1] } : { kind: 'gaussian', mean: p.gaussian[0], sigma: p.gaussian[1] };
}

/**
 * Full model inputs (canonical names) -> cosmology input for the theory: Omega_m -> Omega_c; A_s stays
 * A_s (the linear model normalises to it).
 */
export function cosmologyFromInputs(values: Readonly<Record<string, number>>): CosmologyInput {
  const Omega_b = values.Omega_b;
  const Omega_c = 'Omega_m' in values ? values.Omega_m - Omega_b : values.Omega_c;
  const c: CosmologyInput = { Omega_c, Omega_b, h: values.h, n_s: values.n_s };
  if ('w0' in values) c.w0 = values.w0;
  if ('A_s' in values) c.A_s = values.A_s;
  else c.sigma8 = values.sigma8;
  return c;
}

/** sigma8 of full model inputs (derived from A_s by the linear model's normalisation when A_s is given). */
export function sigma8OfInputs(values: Readonly<Record<string, number>>, shape: LinearShape): number {
  const c = cosmologyFromInputs(values);
  if (c.A_s === undefined) return c.sigma8 as number;
  const { A_s, sigma8: _s, ...rest } = c;
  return sigma8FromAs(rest, A_s, shape);
}

interface Selection {
  tracers: string[];
  indices: number[];
}

function selectPoints(data: TwoPointData, config: AnalysisConfig): Selection {
  const stats = config.data.statistics;
  const types = new Set(stats.map((s) => DATA_TYPE[s]));
  if (stats.includes('cl_ee') && stats.length > 1) throw new CosmetaError('data.statistics: cl_ee cannot be combined with xi_plus/xi_minus in one analysis');
  const byName = new Map(data.tracers.map((t) => [t.name, t]));
  let tracers = config.data.tracers;
  if (tracers) {
    tracers.forEach((name, i) => {
      const t = byName.get(name);
      if (!t) throw new CosmetaError(`data.tracers[${i}]: no tracer "${name}" in ${config.data.file}; it has ${data.tracers.map((x) => x.name).join(', ')}`);
      if (!SHEAR_QUANTITIES.includes(t.quantity)) {
        throw new CosmetaError(`data.tracers[${i}]: tracer "${name}" is ${t.quantity}; Cosmeta models galaxy_shear tracers only`);
      }
    });
  } else {
    const used = new Set<string>();
    for (const p of data.points) if (types.has(p.dataType)) p.tracers.forEach((t) => used.add(t));
    tracers = data.tracers.filter((t) => used.has(t.name) && SHEAR_QUANTITIES.includes(t.quantity)).map((t) => t.name);
  }
  const chosen = new Set(tracers);
  const cuts = config.data.scale_cuts ?? {};
  for (const [stat, pairs] of Object.entries(cuts)) {
    if (!stats.includes(stat as Statistic)) throw new CosmetaError(`data.scale_cuts.${stat}: not among data.statistics (${stats.join(', ')})`);
    for (const key of Object.keys(pairs ?? {})) {
      const names = key.split(',').map((s) => s.trim());
      if (names.length !== 2 || !names.every((n) => chosen.has(n))) {
        throw new CosmetaError(`data.scale_cuts.${stat}."${key}": not a pair "a,b" of selected tracers (${tracers.join(', ')})`);
      }
    }
  }
  const cutFor = (stat: Statistic, a: string, b: string): [number, number] | undefined => {
    const c = cuts[stat];
    return c?.[`${a},${b}`] ?? c?.[`${b},${a}`];
  };
  const indices: number[] = [];
  data.points.forEach((p, i) => {
    if (!types.has(p.dataType) || !chosen.has(p.tracers[0]) || !chosen.has(p.tracers[1])) return;
    const stat = stats.find((s) => DATA_TYPE[s] === p.dataType) as Statistic;
    const x = stat === 'cl_ee' ? p.ell : p.theta;
    if (x === undefined || !Number.isFinite(x)) throw new CosmetaError(`data point ${i} (${p.dataType} ${p.tracers.join(',')}) has no ${stat === 'cl_ee' ? 'ell' : 'theta'}`);
    const cut = cutFor(stat, p.tracers[0], p.tracers[1]);
    if (cut && (x < cut[0] || x > cut[1])) return;
    indices.push(i);
  });
  for (const s of stats) {
    if (!indices.some((i) => data.points[i].dataType === DATA_TYPE[s])) {
      const present = [...new Set(data.points.map((p) => p.dataType))].join(', ');
      throw new CosmetaError(`data.statistics: no ${s} (${DATA_TYPE[s]}) points for tracers ${tracers.join(', ')} in ${config.data.file} after cuts; the file has ${present}`);
    }
  }
  if (tracers.length === 0) throw new CosmetaError(`data.tracers: ${config.data.file} has no galaxy_shear tracers with the requested statistics`);
  return { tracers, indices };
}

/** n(z) of the selected tracers on one grid, checked (negative values named by tracer and redshift). */
function tracerDistributions(data: TwoPointData, names: string[]): { z: Float64Array; nz: Float64Array[] } {
  const ts = names.map((n) => data.tracers.find((t) => t.name === n) as TwoPointData['tracers'][number]);
  const z = ts[0].z;
  ts.forEach((t) => {
    if (t.z.length !== z.length || t.z.some((v, i) => v !== z[i])) {
      throw new CosmetaError(`tracer ${t.name}: its n(z) grid differs from ${ts[0].name}'s; Cosmeta needs one redshift grid for all selected tracers`);
    }
    t.nz.forEach((v, i) => {
      if (!(v >= 0)) throw new CosmetaError(`tracer ${t.name}: n(z) at z = ${t.z[i]} is ${v}; n(z) must be finite and >= 0`);
    });
  });
  const d = { z: Float64Array.from(z), nz: ts.map((t) => Float64Array.from(t.nz)) };
  validateDistributions(d);
  return d;
}

function xiProjection(data: TwoPointData, sel: Selection, config: AnalysisConfig): { ell: Float64Array; projection: DataProjection } {
  const h = config.theory.hankel;
  const order = pairOrder(sel.tracers.length);
  const pairIndex = (a: string, b: string) => {
    const i = sel.tracers.indexOf(a);
    const j = sel.tracers.indexOf(b);
    return order.findIndex(([x, y]) => x === Math.min(i, j) && y === Math.max(i, j));
  };
  const targets: XiTarget[] = sel.indices.map((k) => {
    const p = data.points[k];
    const stat: XiStatistic = p.dataType === DATA_TYPE.xi_plus ? 'xi_plus' : 'xi_minus';
    const tmin = p.tags.theta_min;
    const tmax = p.tags.theta_max;
    return {
      statistic: stat,
      pair: pairIndex(p.tracers[0], p.tracers[1]),
      theta: p.theta as number,
      thetaMin: typeof tmin === 'number' ? tmin : undefined,
      thetaMax: typeof tmax === 'number' ? tmax : undefined,
    };
  });
  const ell = logEllGrid(2, h.ell_max, h.ell_per_decade);
  const rs = new RealSpaceProjection(ell, targets, { ...DEFAULT_HANKEL, ellMax: h.ell_max, binAverage: h.bin_average, method: h.method });
  const pairOf = Int32Array.from(targets, (t) => t.pair);
  return { ell, projection: { size: rs.size, pairOf, project: (cl, out, offset) => rs.project(cl, out, offset) } };
}

function clProjection(data: TwoPointData, sel: Selection): { ell: Float64Array; projection: DataProjection } {
  const order = pairOrder(sel.tracers.length);
  const ells = [...new Set(sel.indices.map((k) => data.points[k].ell as number))].sort((a, b) => a - b);
  for (const k of sel.indices) {
    if (data.points[k].window) throw new CosmetaError(`data point ${k}: bandpower windows are not modelled yet (cl_ee at effective multipoles only)`);
  }
  const nL = ells.length;
  const src = Int32Array.from(sel.indices, (k) => {
    const p = data.points[k];
    const i = sel.tracers.indexOf(p.tracers[0]);
    const j = sel.tracers.indexOf(p.tracers[1]);
    const pair = order.findIndex(([x, y]) => x === Math.min(i, j) && y === Math.max(i, j));
    return pair * nL + ells.indexOf(p.ell as number);
  });
  const pairOf = Int32Array.from(src, (s) => Math.floor(s / nL));
  return {
    ell: Float64Array.from(ells),
    projection: {
      size: src.length,
      pairOf,
      project: (cl, out, offset) => {
        for (let r = 0; r < src.length; r++) out[r] = cl[offset + src[r]];
        return out;
      },
    },
  };
}

/** Sampled and fixed parameters from the config, validated against the theory's domain. */
function buildParameters(config: AnalysisConfig, nBins: number, shape: LinearShape): { specs: ParameterSpec[]; fixed: Record<string, number>; inputs: string[] } {
  const entries = Object.entries(config.parameters);
  for (const [name] of entries) {
    if (rank(name, nBins) < 0) {
      throw new CosmetaError(`parameters.${name}: unknown parameter; valid: ${COSMO_NAMES.join(', ')}, dz_1..dz_${nBins}, m_1..m_${nBins}, A_IA, eta_IA`);
    }
  }
  const has = (n: string) => config.parameters[n] !== undefined;
  const either = (a: string, b: string) => {
    if (has(a) && has(b)) throw new CosmetaError(`parameters: give ${a} or ${b}, not both`);
    if (!has(a) && !has(b)) throw new CosmetaError(`parameters.${a}: missing; give ${a} or ${b} a prior or a value`);
  };
  either('Omega_c', 'Omega_m');
  either('sigma8', 'A_s');
  for (const n of ['Omega_b', 'h', 'n_s']) if (!has(n)) throw new CosmetaError(`parameters.${n}: missing; give it a prior or a value`);
  const ia = config.theory.intrinsic_alignments === 'nla';
  if (ia && !has('A_IA')) throw new CosmetaError('parameters.A_IA: missing; theory.intrinsic_alignments is nla, so A_IA needs a prior or a value');
  if (!ia && (has('A_IA') || has('eta_IA'))) throw new CosmetaError(`parameters.${has('A_IA') ? 'A_IA' : 'eta_IA'}: given, but theory.intrinsic_alignments is none`);
  const fixed: Record<string, number> = {};
  const specs: ParameterSpec[] = [];
  const sorted = entries.sort((a, b) => rank(a[0], nBins) - rank(b[0], nBins));
  for (const [name, p] of sorted) {
    if (p.prior === undefined) {
      fixed[name] = p.value as number;
      continue;
    }
    const prior = toPrior(p.prior);
    const centre = prior.kind === 'flat' ? (prior.min + prior.max) / 2 : prior.mean;
    const width = prior.kind === 'flat' ? prior.max - prior.min : prior.sigma;
    const start = p.start ?? centre;
    specs.push({ name, prior, fiducial: start, startSpread: p.spread ?? width / 50, label: p.latex ?? latexLabel(name) });
  }
  if (ia && !has('eta_IA')) fixed.eta_IA = 0;
  const inputs = [...specs.map((s) => s.name), ...Object.keys(fixed)].sort((a, b) => rank(a, nBins) - rank(b, nBins));

  // The theory's domain: each sampled parameter at both ends of its prior (5 sigma for Gaussians), the
  // others at their start values, must give a valid cosmology for the linear model.
  const startValues: Record<string, number> = { ...fixed };
  for (const s of specs) startValues[s.name] = s.fiducial;
  const check = (values: Record<string, number>, where: string) => {
    try {
      const c = cosmology(cosmologyFromInputs(values));
      shape.check?.(c);
    } catch (err) {
      if (err instanceof CosmetaError) throw new CosmetaError(`${where}: outside the theory's domain: ${err.message}`);
      throw err;
    }
  };
  check(startValues, 'parameters (start values)');
  for (const s of specs) {
    const ends = s.prior.kind === 'flat' ? [s.prior.min, s.prior.max] : [s.prior.mean - 5 * s.prior.sigma, s.prior.mean + 5 * s.prior.sigma];
    const m = /^(dz|m)_(\d+)$/.exec(s.name);
    if (m?.[1] === 'm' && ends[0] <= -1) throw new CosmetaError(`parameters.${s.name}.prior: reaches m = ${ends[0]}; shear calibration needs m > -1`);
    if (m) continue;
    for (const v of ends) check({ ...startValues, [s.name]: v }, `parameters.${s.name}.prior (at ${s.name} = ${v})`);
  }
  return { specs, fixed, inputs };
}

/** Omega_m, sigma8 (when A_s is an input), S8, as functions of the sampled parameters. */
function derivedParameters(specs: ParameterSpec[], fixed: Record<string, number>, shape: LinearShape): DerivedParameter[] {
  const sampled = specs.map((s) => s.name);
  const values = (v: number[]): Record<string, number> => {
    const all: Record<string, number> = { ...fixed };
    sampled.forEach((n, i) => (all[n] = v[i]));
    return all;
  };
  const out: DerivedParameter[] = [];
  // sigma8 from A_s costs a variance integral: memoised per sampled point (chains are rewritten at every
  // checkpoint, so each point is asked for again).
  const cache = new Map<string, number>();
  const sigma8 = (v: number[]): number => {
    const key = v.join(',');
    let s = cache.get(key);
    if (s === undefined) {
      s = sigma8OfInputs(values(v), shape);
      if (cache.size > 2_000_000) cache.clear();
      cache.set(key, s);
    }
    return s;
  };
  const omegaM = (v: number[]): number => {
    const c = cosmologyFromInputs(values(v));
    return c.Omega_c + c.Omega_b;
  };
  if (!sampled.includes('Omega_m')) out.push({ name: 'Omega_m', inputs: sampled, compute: (...v) => omegaM(v) });
  if (!sampled.includes('sigma8')) out.push({ name: 'sigma8', inputs: sampled, compute: (...v) => sigma8(v) });
  out.push({ name: 'S8', inputs: sampled, compute: (...v) => sigma8(v) * Math.sqrt(omegaM(v) / 0.3) });
  return out;
}

/** The theory settings of a config as the analysis problem records them. */
function theoryOptions(config: AnalysisConfig): AnalysisProblem['theory'] {
  return {
    linear: config.theory.linear,
    nonlinear: config.theory.nonlinear,
    spin2: true,
    shiftConvention: config.theory.photo_z_shift,
    intrinsicAlignments: config.theory.intrinsic_alignments === 'nla',
  };
}

/** The analysis problem of a config whose data come from a two-point file (already read). */
export function surveyProblem(data: TwoPointData, config: AnalysisConfig, name = 'survey', shape: LinearShape = linearModel(config.theory.linear)): AnalysisProblem {
  const sel = selectPoints(data, config);
  const { z, nz } = tracerDistributions(data, sel.tracers);
  const { specs, fixed, inputs } = buildParameters(config, sel.tracers.length, shape);
  const n = sel.indices.length;
  const N = data.points.length;
  if (data.covariance.length !== N * N) {
    throw new CosmetaError(`${config.data.file}: the covariance has ${data.covariance.length} entries, not ${N} x ${N} for its ${N} data points`);
  }
  const sub = new Float64Array(n * n);
  sel.indices.forEach((a, i) => sel.indices.forEach((b, j) => (sub[i * n + j] = data.covariance[a * N + b])));
  const covariance = new DenseCovariance(sub, n, `${config.data.file}: the covariance of the ${n} selected points`);
  const values = Float64Array.from(sel.indices, (k) => data.points[k].value);
  // Last, as the most expensive step (the real-space matrix), once every input is known to be valid.
  const isCl = config.data.statistics.includes('cl_ee');
  const { ell, projection } = isCl ? clProjection(data, sel) : xiProjection(data, sel, config);
  return {
    name,
    parameters: specs,
    fixed,
    inputs,
    data: values,
    covariance,
    tracers: sel.tracers,
    z,
    nz,
    ell,
    projection,
    theory: theoryOptions(config),
    derived: derivedParameters(specs, fixed, shape),
    description: { file: config.data.file, statistics: config.data.statistics, tracers: sel.tracers, points: n },
  };
}

/** The paper's problem (arXiv:2504.00552) from a config with `data.synthetic: paper`. */
export function syntheticProblem(config: AnalysisConfig, shape: LinearShape = linearModel(config.theory.linear)): AnalysisProblem {
  if (config.data.synthetic !== 'paper') throw new CosmetaError(`data.synthetic: unknown "${config.data.synthetic}"; valid: paper`);
  if (config.data.statistics.length !== 1 || config.data.statistics[0] !== 'cl_ee') throw new CosmetaError('data.statistics: the paper problem is [cl_ee]');
  const paper = paperProblem({ linear: config.theory.linear, shape });
  const nBins = paper.nz.length;
  const { specs, fixed, inputs } = buildParameters(config, nBins, shape);
  const nL = paper.ell.length;
  const size = paper.data.length;
  const pairOf = Int32Array.from({ length: size }, (_, i) => Math.floor(i / nL));
  return {
    name: 'paper',
    parameters: specs,
    fixed,
    inputs,
    data: paper.data,
    covariance: paper.covariance,
    tracers: Array.from({ length: nBins }, (_, i) => `bin${i + 1}`),
    z: paper.z,
    nz: paper.nz,
    ell: paper.ell,
    projection: {
      size,
      pairOf,
      project: (cl, out, offset) => {
        for (let r = 0; r < size; r++) out[r] = cl[offset + r];
        return out;
      },
    },
    theory: theoryOptions(config),
    derived: derivedParameters(specs, fixed, shape),
    description: { synthetic: 'paper', statistics: ['cl_ee'], points: size },
  };
}
