/**
 * Ensemble chains as HDF5 (readable by h5py):
 *
 *   /chain            float64 [steps, walkers, dim]   walker positions after every step
 *   /log_prob         float64 [steps, walkers]        ln posterior (up to a constant) of each position
 *   /parameter_names  string  [dim]
 *   /derived          float64 [steps, walkers, nd]    derived parameters (Omega_m, S8; sigma8 from A_s) of each position
 *   /derived_names    string  [nd]
 *   /tau              float64 [checks, 1 + dim]       (step, tau_1..tau_dim) at every convergence check
 *   attributes: format "cosmeta-chain", cosmeta (version), config (JSON: problem, model, walkers, seed,
 *     settings), complete (0/1), converged (0/1), burn_in, acceptance, state (JSON: random-generator
 *     state and per-walker acceptance counts, so an interrupted run continues exactly).
 *
 * Every write goes to a temporary file that is renamed over the destination.
 */

import { renameSync, rmSync } from 'node:fs';
import { CosmetaError } from '../errors.js';
import { attribute, datasetAt, jsonAttribute, loadH5, readDataset, readH5, writeH5 } from '../io/h5.js';
import { VERSION } from '../version.js';
import { CHAIN_FORMAT, writeChainContent } from './chain-content.js';
import { STANDARD_DERIVED, type DerivedParameter } from './priors.js';

export { CHAIN_FORMAT };

export interface Chain {
  names: string[];
  walkers: number;
  steps: number;
  /** [steps x walkers x dim] (may be longer than needed; only the first steps are valid). */
  samples: Float64Array;
  /** [steps x walkers]. */
  logProb: Float64Array;
  /** (step, tau per parameter) at each check. */
  tauHistory: Array<{ step: number; tau: number[] }>;
  /** JSON-serialisable run configuration. */
  config: Record<string, unknown>;
  complete: boolean;
  converged: boolean;
  burnIn: number;
  /** Resume state. */
  state: { rng: { words: number[]; spare: number | null }; accepted: number[] };
}

/** Write a chain atomically; `derivedParameters` (default Omega_m, S8) are stored for those whose inputs are sampled. */
export async function writeChain(path: string, c: Chain, derivedParameters: readonly DerivedParameter[] = STANDARD_DERIVED): Promise<void> {
  const h5 = await loadH5();
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeH5(path, () => {
      const f = new h5.File(tmp, 'w');
      writeChainContent(f, c, VERSION, derivedParameters);
      f.close();
    });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Read a chain file; a damaged or foreign file gives one CosmetaError naming it (see io/h5.ts). */
export async function readChain(path: string): Promise<Chain> {
  return readH5(path, (f) => {
    if (attribute(f as never, 'format') !== CHAIN_FORMAT) throw new CosmetaError(`${path}: not a Cosmeta chain (attribute format is not "${CHAIN_FORMAT}")`);
    const names = readDataset(f, 'parameter_names', path, { kind: 'string', shape: [-1] }) as string[];
    const dim = names.length;
    if (dim < 1) throw new CosmetaError(`${path}: no parameter names`);
    const chainShape = (datasetAt(f, 'chain').shape ?? []) as number[];
    if (chainShape.length !== 3 || chainShape[2] !== dim || chainShape[1] < 1) throw new CosmetaError(`${path}: dataset "chain" has shape (${chainShape.join(', ')}), expected (steps, walkers, ${dim})`);
    const [steps, walkers] = chainShape;
    const samples = steps > 0 ? (readDataset(f, 'chain', path, { kind: 'float', shape: [steps, walkers, dim] }) as Float64Array) : new Float64Array(0);
    // ln posterior may be -Infinity (outside the prior) but never NaN.
    const logProb = steps > 0 ? (readDataset(f, 'log_prob', path, { kind: 'float', shape: [steps, walkers], finite: false }) as Float64Array) : new Float64Array(0);
    if (logProb.some((v) => Number.isNaN(v) || v === Number.POSITIVE_INFINITY)) throw new CosmetaError(`${path}: dataset "log_prob" holds NaN or +Infinity`);
    const tauFlat = readDataset(f, 'tau', path, { kind: 'float', shape: [-1, 1 + dim], finite: false }) as Float64Array;
    const tauHistory: Chain['tauHistory'] = [];
    for (let i = 0; i < tauFlat.length / (1 + dim); i++) {
      tauHistory.push({ step: tauFlat[i * (1 + dim)], tau: Array.from(tauFlat.subarray(i * (1 + dim) + 1, (i + 1) * (1 + dim))) });
    }
    const config = jsonAttribute<Record<string, unknown>>(f as never, 'config', path);
    const state = jsonAttribute<Chain['state']>(f as never, 'state', path);
    if (!state || !Array.isArray(state.accepted) || !state.rng || !Array.isArray(state.rng.words)) throw new CosmetaError(`${path}: attribute "state" is not a sampler state`);
    const burnIn = Number(attribute(f as never, 'burn_in'));
    if (!Number.isInteger(burnIn) || burnIn < 0) throw new CosmetaError(`${path}: attribute "burn_in" is not a step count`);
    return {
      names,
      walkers,
      steps,
      samples,
      logProb,
      tauHistory,
      config,
      complete: Number(attribute(f as never, 'complete')) === 1,
      converged: Number(attribute(f as never, 'converged')) === 1,
      burnIn,
      state,
    };
  });
}
