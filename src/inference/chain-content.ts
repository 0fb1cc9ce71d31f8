/**
 * The chain file's content, independent of where the file lives: written under Node by chain-file.ts
 * (to a temporary file renamed over the destination), in the browser into h5wasm's in-memory file
 * system for download. The layout is documented in chain-file.ts.
 */

import type { File as H5File } from 'h5wasm';
import type { Chain } from './chain-file.js';
import { parameterColumn, STANDARD_DERIVED, type DerivedParameter } from './priors.js';

export const CHAIN_FORMAT = 'cosmeta-chain';

/**
 * Write a chain's datasets and attributes into an open, empty HDF5 file (`version`: the package's);
 * `derivedParameters` (default Omega_m, S8) are stored for those whose inputs are sampled.
 */
export function writeChainContent(f: H5File, c: Chain, version: string, derivedParameters: readonly DerivedParameter[] = STANDARD_DERIVED): void {
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
  f.create_attribute('cosmeta', version);
  f.create_attribute('config', JSON.stringify(c.config));
  f.create_attribute('complete', c.complete ? 1 : 0);
  f.create_attribute('converged', c.converged ? 1 : 0);
  f.create_attribute('burn_in', c.burnIn);
  f.create_attribute('acceptance', c.steps > 0 ? accepted / (c.steps * W) : 0);
  f.create_attribute('state', JSON.stringify(c.state));
}
