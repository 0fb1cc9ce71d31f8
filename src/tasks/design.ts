/**
 * Parameter designs: named parameter ranges, seeded Latin hypercubes over them, and the mapping from a
 * parameter vector to the forward model's inputs (cosmology plus nuisance parameters).
 *
 * Names: any cosmological parameter of `CosmologyInput` (Omega_c, Omega_b, h, sigma8 or A_s, n_s, w0, ...),
 * photo-z shifts dz_1..dz_N and shear biases m_1..m_N (1-based bins), and A_IA, eta_IA.
 */

import type { ShearNuisance } from '../cosmology/limber.js';
import { PARAMETER_NAMES, type CosmologyInput } from '../cosmology/params.js';
import { CosmetaError } from '../errors.js';
import type { Random } from '../math/random.js';

export type ParameterRanges = Record<string, [number, number]>;

/** The paper's training ranges (arXiv:2504.00552): 5 cosmological parameters and 5 photo-z shifts. */
export function paperRanges(nBins = 5): ParameterRanges {
  const r: ParameterRanges = {
    Omega_c: [0.165, 0.45],
    Omega_b: [0.025, 0.075],
    h: [0.35, 1.15],
    sigma8: [0.6, 1.05],
    n_s: [0.75, 1.15],
  };
  for (let i = 1; i <= nBins; i++) r[`dz_${i}`] = [-0.0045, 0.0045];
  return r;
}

const REQUIRED = ['Omega_c', 'Omega_b', 'h', 'n_s'];

/** Check names and ranges; returns the names in a canonical order (cosmology, dz, m, IA). */
export function validateRanges(ranges: ParameterRanges, nBins: number): string[] {
  const names = Object.keys(ranges);
  for (const name of names) {
    const m = /^(dz|m)_(\d+)$/.exec(name);
    const known = (PARAMETER_NAMES as readonly string[]).includes(name) || name === 'A_IA' || name === 'eta_IA' ||
      (m !== null && Number(m[2]) >= 1 && Number(m[2]) <= nBins);
    if (!known) {
      throw new CosmetaError(
        `unknown parameter "${name}" in the ranges; valid: ${PARAMETER_NAMES.join(', ')}, dz_1..dz_${nBins}, m_1..m_${nBins}, A_IA, eta_IA`,
      );
    }
    const r = ranges[name];
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1])) {
      throw new CosmetaError(`range of ${name} must be [lo, hi] with finite numbers, got ${JSON.stringify(r)}`);
    }
    if (!(r[1] > r[0])) throw new CosmetaError(`range of ${name} is inverted or empty: [${r[0]}, ${r[1]}] (lo must be < hi)`);
  }
  for (const name of REQUIRED) if (!(name in ranges)) throw new CosmetaError(`the ranges must include ${name}`);
  if (('sigma8' in ranges) === ('A_s' in ranges)) {
    throw new CosmetaError(`the ranges must include exactly one of sigma8 and A_s (the amplitude); got ${'sigma8' in ranges ? 'both' : 'neither'}`);
  }
  if ('eta_IA' in ranges && !('A_IA' in ranges)) throw new CosmetaError('a range for eta_IA needs one for A_IA');
  const rank = (n: string) => {
    const i = (PARAMETER_NAMES as readonly string[]).indexOf(n);
    if (i >= 0) return i;
    const m = /^(dz|m)_(\d+)$/.exec(n);
    if (m) return (m[1] === 'dz' ? 100 : 200) + Number(m[2]);
    return n === 'A_IA' ? 300 : 301;
  };
  return names.sort((a, b) => rank(a) - rank(b));
}

/**
 * Latin hypercube of `n` points over `ranges` (McKay, Beckman & Conover 1979): each parameter's range is
 * cut into n equal strata, each stratum holds exactly one point, at a uniform position inside it, and the
 * strata are paired across parameters by independent random permutations. Row-major [n x P].
 */
export function latinHypercube(names: string[], ranges: ParameterRanges, n: number, rng: Random): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new CosmetaError(`number of samples must be a positive integer, got ${n}`);
  const P = names.length;
  const out = new Float64Array(n * P);
  const perm = new Int32Array(n);
  names.forEach((name, d) => {
    const [lo, hi] = ranges[name];
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (let i = 0; i < n; i++) out[i * P + d] = lo + ((hi - lo) * (perm[i] + rng.uniform())) / n;
  });
  return out;
}

/** Forward-model inputs from one parameter vector; unspecified nuisance parameters are zero. */
export function modelInputs(names: string[], row: ArrayLike<number>, nBins: number): { cosmology: CosmologyInput; nuisance: ShearNuisance } {
  const cosmology: Record<string, number> = {};
  const dz = new Float64Array(nBins);
  const m = new Float64Array(nBins);
  let hasDz = false;
  let hasM = false;
  let A_IA: number | undefined;
  let eta_IA = 0;
  names.forEach((name, i) => {
    const v = row[i];
    const mm = /^(dz|m)_(\d+)$/.exec(name);
    if (mm) {
      if (mm[1] === 'dz') {
        dz[Number(mm[2]) - 1] = v;
        hasDz = true;
      } else {
        m[Number(mm[2]) - 1] = v;
        hasM = true;
      }
    } else if (name === 'A_IA') A_IA = v;
    else if (name === 'eta_IA') eta_IA = v;
    else cosmology[name] = v;
  });
  const nuisance: ShearNuisance = {};
  if (hasDz) nuisance.dz = dz;
  if (hasM) nuisance.m = m;
  if (A_IA !== undefined) nuisance.ia = { A_IA, eta_IA };
  return { cosmology: cosmology as unknown as CosmologyInput, nuisance };
}
