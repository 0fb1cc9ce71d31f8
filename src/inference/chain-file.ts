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
import { parameterColumn, STANDARD_DERIVED, type DerivedParameter } from './priors.js';

export const CHAIN_FORMAT = 'cosmeta-chain';

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

/** Write a chain; `derivedParameters` (default Omega_m, S8) are stored for those whose inputs are sampled. */
export async function writeChain(path: string, c: Chain, derivedParameters: readonly DerivedParameter[] = STANDARD_DERIVED): Promise<void> {
  const h5 = await loadH5();
  const dim = c.names.length;
  const W = c.walkers;
  const samples = c.samples.subarray(0, c.steps * W * dim);
  const derived = derivedParameters.filter((d) => d.inputs.every((i) => c.names.includes(i)) && !c.names.includes(d.name));
  const nd = derived.length;
  const dflat = new Float64Array(c.steps * W * nd);
  derived.forEach((d, j) => {
    const col = parameterColumn(d.name, c.names, samples, c.steps * W, derived);
    for (let r = 0; r < col.length; r++) dflat[r * nd + j] = col[r];
  });
  const accepted = c.state.accepted.reduce((a, b) => a + b, 0);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeH5(path, () => {
      const f = new h5.File(tmp, 'w');
      f.create_dataset({ name: 'chain', data: samples, shape: [c.steps, W, dim] });
      f.create_dataset({ name: 'log_prob', data: c.logProb.subarray(0, c.steps * W), shape: [c.steps, W] });
      f.create_dataset({ name: 'parameter_names', data: c.names });
      if (nd > 0) {
        f.create_dataset({ name: 'derived', data: dflat, shape: [c.steps, W, nd] });
        f.create_dataset({ name: 'derived_names', data: derived.map((d) => d.name) });
      }
      const tau = new Float64Array(c.tauHistory.length * (1 + dim));
      c.tauHistory.forEach((t, i) => {
        tau[i * (1 + dim)] = t.step;
        t.tau.forEach((v, d) => (tau[i * (1 + dim) + 1 + d] = v));
      });
      f.create_dataset({ name: 'tau', data: tau, shape: [c.tauHistory.length, 1 + dim] });
      f.create_attribute('format', CHAIN_FORMAT);
      f.create_attribute('cosmeta', VERSION);
      f.create_attribute('config', JSON.stringify(c.config));
      f.create_attribute('complete', c.complete ? 1 : 0);
      f.create_attribute('converged', c.converged ? 1 : 0);
      f.create_attribute('burn_in', c.burnIn);
      f.create_attribute('acceptance', c.steps > 0 ? accepted / (c.steps * W) : 0);
      f.create_attribute('state', JSON.stringify(c.state));
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
