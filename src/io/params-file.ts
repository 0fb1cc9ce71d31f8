/**
 * Parameter files (JSON): the cosmology by CCL's names plus optional nuisance parameters,
 * {"Omega_c":..,"Omega_b":..,"h":..,"sigma8":.. (or "A_s":..),"n_s":.., "w0":.., "wa":.., "Omega_k":.., "T_CMB":..,
 *  "Neff":.., "m_nu":.., "dz":[..], "m":[..], "A_IA":.., "eta_IA":.., "z_pivot_IA":..}.
 */

import { readInputText } from './read-file.js';
import { z } from 'zod';
import type { ShearNuisance } from '../cosmology/limber.js';
import { amplitudeOf, type CosmologyInput } from '../cosmology/params.js';
import { CosmetaError } from '../errors.js';

const finite = z.number().finite();
const schema = z
  .object({
    Omega_c: finite,
    Omega_b: finite,
    h: finite,
    sigma8: finite.optional(),
    A_s: finite.optional(),
    n_s: finite,
    w0: finite.optional(),
    wa: finite.optional(),
    Omega_k: finite.optional(),
    T_CMB: finite.optional(),
    Neff: finite.optional(),
    m_nu: finite.optional(),
    dz: z.array(finite).optional(),
    m: z.array(finite).optional(),
    A_IA: finite.optional(),
    eta_IA: finite.optional(),
    z_pivot_IA: finite.optional(),
  })
  .strict();

export interface ParameterSet {
  cosmology: CosmologyInput;
  nuisance: ShearNuisance;
}

/** Validate a parsed parameter object (from a file or elsewhere). */
export function parseParameters(obj: unknown, source = 'parameters'): ParameterSet {
  const r = schema.safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new CosmetaError(`${source}: ${where}: ${issue.message}`);
  }
  const { dz, m, A_IA, eta_IA, z_pivot_IA, ...cosmology } = r.data;
  try {
    amplitudeOf(cosmology);
  } catch (err) {
    if (err instanceof CosmetaError) throw new CosmetaError(`${source}: ${err.message}`);
    throw err;
  }
  const nuisance: ShearNuisance = {};
  if (dz) nuisance.dz = dz;
  if (m) nuisance.m = m;
  if (A_IA !== undefined) nuisance.ia = { A_IA, eta_IA: eta_IA ?? 0, z_pivot: z_pivot_IA };
  else if (eta_IA !== undefined || z_pivot_IA !== undefined) throw new CosmetaError(`${source}: eta_IA and z_pivot_IA need A_IA`);
  return { cosmology, nuisance };
}

export function readParameters(path: string): ParameterSet {
  const text = readInputText(path);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new CosmetaError(`${path}: invalid JSON (${(err as Error).message})`);
  }
  return parseParameters(obj, path);
}
