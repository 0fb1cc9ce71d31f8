/**
 * Named parameters with priors (flat or Gaussian) and derived parameters (Omega_m, S8).
 */

import { z } from 'zod';
import { CosmetaError } from '../errors.js';

export type Prior = { kind: 'flat'; min: number; max: number } | { kind: 'gaussian'; mean: number; sigma: number };

export interface ParameterSpec {
  name: string;
  prior: Prior;
  /** Where walkers start (the centre of the initial ball). */
  fiducial: number;
  /** Standard deviation of the initial ball around the fiducial value. */
  startSpread: number;
  /** Plot label (plain text, e.g. "Omega_m"). */
  label?: string;
}

export const priorSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('flat'), min: z.number().finite(), max: z.number().finite() }),
    z.object({ kind: z.literal('gaussian'), mean: z.number().finite(), sigma: z.number().positive().finite() }),
  ])
  .refine((p) => p.kind !== 'flat' || p.max > p.min, 'a flat prior needs max > min');

/** ln prior density of one value (normalised); -Infinity outside a flat prior. */
export function logPrior(p: Prior, x: number): number {
  if (p.kind === 'flat') return x >= p.min && x <= p.max ? -Math.log(p.max - p.min) : Number.NEGATIVE_INFINITY;
  const u = (x - p.mean) / p.sigma;
  return -0.5 * u * u - Math.log(p.sigma * Math.sqrt(2 * Math.PI));
}

/** Sum of ln priors of a parameter vector (row `row` of a row-major block). */
export function logPriorVector(specs: readonly ParameterSpec[], x: ArrayLike<number>, offset = 0): number {
  let s = 0;
  for (let i = 0; i < specs.length; i++) {
    const v = x[offset + i];
    if (!Number.isFinite(v)) return Number.NEGATIVE_INFINITY;
    s += logPrior(specs[i].prior, v);
    if (s === Number.NEGATIVE_INFINITY) return s;
  }
  return s;
}

export function validateSpecs(specs: readonly ParameterSpec[]): void {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new CosmetaError(`parameter "${s.name}" is listed twice`);
    seen.add(s.name);
    const r = priorSchema.safeParse(s.prior);
    if (!r.success) throw new CosmetaError(`prior of ${s.name}: ${r.error.issues.map((i) => i.message).join('; ')}`);
    if (!Number.isFinite(logPrior(s.prior, s.fiducial))) {
      throw new CosmetaError(`fiducial ${s.name} = ${s.fiducial} lies outside its prior`);
    }
    if (!(s.startSpread > 0)) throw new CosmetaError(`start spread of ${s.name} must be > 0, got ${s.startSpread}`);
  }
}

/** A derived parameter: a function of the named sampled parameters. */
export interface DerivedParameter {
  name: string;
  /** Names of the sampled parameters it reads, in the order `compute` receives them. */
  inputs: string[];
  compute: (...values: number[]) => number;
}

/** Omega_m = Omega_c + Omega_b (massless neutrinos, as the paper's problem). */
export const OMEGA_M: DerivedParameter = { name: 'Omega_m', inputs: ['Omega_c', 'Omega_b'], compute: (oc, ob) => oc + ob };

/** S8 = sigma8 sqrt(Omega_m / 0.3). */
export const S8: DerivedParameter = {
  name: 'S8',
  inputs: ['sigma8', 'Omega_c', 'Omega_b'],
  compute: (s8, oc, ob) => s8 * Math.sqrt((oc + ob) / 0.3),
};

export const STANDARD_DERIVED: readonly DerivedParameter[] = [OMEGA_M, S8];

/**
 * Column values of sampled or derived parameter `name` for every row of a sample block [n x names.length].
 */
export function parameterColumn(
  name: string,
  names: readonly string[],
  samples: ArrayLike<number>,
  n: number,
  derived: readonly DerivedParameter[] = STANDARD_DERIVED,
): Float64Array {
  const dim = names.length;
  const out = new Float64Array(n);
  const direct = names.indexOf(name);
  if (direct >= 0) {
    for (let r = 0; r < n; r++) out[r] = samples[r * dim + direct];
    return out;
  }
  const d = derived.find((p) => p.name === name);
  const idx = d?.inputs.map((i) => names.indexOf(i));
  if (!d || !idx || idx.some((i) => i < 0)) {
    const known = [...names, ...derived.filter((p) => p.inputs.every((i) => names.includes(i))).map((p) => p.name)];
    throw new CosmetaError(`unknown parameter "${name}"; available: ${known.join(', ')}`);
  }
  const args = new Array<number>(idx.length);
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < idx.length; a++) args[a] = samples[r * dim + idx[a]];
    out[r] = d.compute(...args);
  }
  return out;
}
