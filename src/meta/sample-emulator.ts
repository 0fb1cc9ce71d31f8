/**
 * An emulator of one galaxy sample: a network from parameters to the data vector, with its input scaler
 * and output scaler in ln C_ell (the paper's preprocessing: y = ln C_ell, X and y standardised per
 * feature), and everything needed to use it on its own: parameter names, multipoles, pair order and the
 * sample's n(z). It answers blocks of parameter vectors at once, so it serves as the batched model of
 * the likelihood.
 *
 * This module computes only (it runs in the browser too); saving and loading files is `Emulator` in
 * meta/emulator.ts. File: a Cosmeta model file (src/nn/serialize.ts) whose metadata holds
 * {"kind": "emulator", "parameterNames", "ell", "pairs", "z", "nz", "training": {...}}.
 */

import { CosmetaError } from '../errors.js';
import type { Arr, Backend } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import type { StandardScaler } from '../nn/train.js';

export interface EmulatorInfo {
  parameterNames: string[];
  ell: number[];
  pairs: Array<[number, number]>;
  z: number[];
  nz: number[][];
  /** How it was trained (free-form, recorded in the file). */
  training: Record<string, unknown>;
}

/**
 * C_ell [n x D] from weights and their scalers: scale the inputs, run the network (dropout off), undo the
 * output scaling and the logarithm.
 */
export function predictSpectra(model: Sequential, params: Arr, xScaler: StandardScaler, yScaler: StandardScaler, rows: ArrayLike<number>, n: number): Float64Array {
  const be = model.backend;
  const D = model.outSize;
  const x = xScaler.transform(rows, n, be.alloc(n * model.inSize));
  const y = model.predict(params, x, n);
  const out = new Float64Array(n * D);
  const { mean, std } = yScaler;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) out[i * D + j] = Math.exp(y[i * D + j] * std[j] + mean[j]);
  be.free(x);
  be.free(y);
  return out;
}

/**
 * Check an emulator's or meta-emulator's metadata against its network: parameter names (one per input),
 * finite positive multipoles and bin pairs with pairs x ell = outputs.
 */
export function checkSampleInfo(path: string, meta: { parameterNames?: unknown; ell?: unknown; pairs?: unknown }, inSize: number, outSize: number): void {
  const names = meta.parameterNames;
  if (!Array.isArray(names) || names.length !== inSize || !names.every((n) => typeof n === 'string')) throw new CosmetaError(`${path}: metadata "parameterNames" must be ${inSize} names (one per network input)`);
  const ell = meta.ell;
  if (!Array.isArray(ell) || ell.length === 0 || !ell.every((l) => Number.isFinite(l) && l > 0)) throw new CosmetaError(`${path}: metadata "ell" must be positive finite multipoles`);
  const pairs = meta.pairs;
  if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((i) => Number.isInteger(i) && i >= 0))) throw new CosmetaError(`${path}: metadata "pairs" must be [i, j] bin pairs`);
  if (pairs.length * ell.length !== outSize) throw new CosmetaError(`${path}: ${pairs.length} pairs x ${ell.length} multipoles do not match the network's ${outSize} outputs`);
}

export class SampleEmulator {
  constructor(
    readonly backend: Backend,
    readonly model: Sequential,
    readonly params: Arr,
    readonly xScaler: StandardScaler,
    readonly yScaler: StandardScaler,
    readonly info: EmulatorInfo,
  ) {
    if (xScaler.size !== model.inSize || yScaler.size !== model.outSize) {
      throw new CosmetaError(`emulator: scalers (${xScaler.size} -> ${yScaler.size}) do not match the network (${model.inSize} -> ${model.outSize})`);
    }
    if (info.parameterNames.length !== model.inSize) {
      throw new CosmetaError(`emulator: ${info.parameterNames.length} parameter names for a network with ${model.inSize} inputs`);
    }
  }

  get parameterNames(): readonly string[] {
    return this.info.parameterNames;
  }

  get dataSize(): number {
    return this.model.outSize;
  }

  /** Data vectors C_ell [n x dataSize] for parameter rows [n x inputs] (dropout off). */
  predictSync(rows: ArrayLike<number>, n: number): Float64Array {
    return predictSpectra(this.model, this.params, this.xScaler, this.yScaler, rows, n);
  }

  async predict(rows: Float64Array, n: number): Promise<Float64Array> {
    return this.predictSync(rows, n);
  }

  /** Release the network's scratch memory and the weights (the emulator is unusable afterwards). */
  dispose(): void {
    this.model.dispose();
    this.backend.free(this.params);
  }

  async close(): Promise<void> {
    this.dispose();
  }
}
