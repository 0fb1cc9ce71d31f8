/**
 * An emulator of one galaxy sample: a network from parameters to the data vector, with its input scaler
 * and output scaler in ln C_ell (the paper's preprocessing: y = ln C_ell, X and y standardised per
 * feature), and everything needed to use it on its own: parameter names, multipoles, pair order and the
 * sample's n(z). It answers blocks of parameter vectors at once, so it serves as the batched model of
 * the likelihood.
 *
 * File: a Cosmeta model file (src/nn/serialize.ts) whose metadata holds
 * {"kind": "emulator", "parameterNames", "ell", "pairs", "z", "nz", "training": {...}}.
 */

import { CosmetaError } from '../errors.js';
import type { Arr, Backend } from '../nn/backend.js';
import { defaultMlp, type Sequential } from '../nn/model.js';
import { loadModel, saveModel } from '../nn/serialize.js';
import { fit, type Checkpointer, type FitState, type StandardScaler } from '../nn/train.js';
import { logSpectra, scaleRows } from './maml.js';
import { Random } from '../math/random.js';

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

export class Emulator {
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

  async save(path: string): Promise<void> {
    await saveModel(path, {
      model: this.model,
      params: this.params,
      xScaler: this.xScaler,
      yScaler: this.yScaler,
      metadata: { kind: 'emulator', ...this.info },
    });
  }

  static async load(path: string, backend: Backend): Promise<Emulator> {
    const m = await loadModel(path, backend);
    const meta = m.metadata as Partial<EmulatorInfo> & { kind?: string };
    try {
      if (meta.kind !== 'emulator' || !m.xScaler || !m.yScaler || !meta.parameterNames || !meta.ell || !meta.pairs || !meta.z || !meta.nz) {
        throw new CosmetaError(`${path}: a model file, but not an emulator (needs scalers, parameter names, ell, pairs and n(z))`);
      }
      checkSampleInfo(path, meta, m.model.inSize, m.model.outSize);
      if (!Array.isArray(meta.z) || !meta.z.every(Number.isFinite) || !Array.isArray(meta.nz) || !meta.nz.every((b) => Array.isArray(b) && b.length === (meta.z as number[]).length && b.every(Number.isFinite))) {
        throw new CosmetaError(`${path}: metadata "z" and "nz" must be finite numbers, nz[bin] as long as z`);
      }
    } catch (err) {
      m.model.dispose();
      backend.free(m.params);
      throw err;
    }
    return new Emulator(backend, m.model, m.params, m.xScaler, m.yScaler, {
      parameterNames: meta.parameterNames,
      ell: meta.ell,
      pairs: meta.pairs,
      z: meta.z,
      nz: meta.nz,
      training: meta.training ?? {},
    });
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

export interface TrainEmulatorOptions {
  seed: number;
  /** Fraction of the samples kept for validation (early stopping), default 0.1. */
  validationFraction?: number;
  lr?: number;
  epochs?: number;
  batchSize?: number;
  patience?: number;
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number | null) => void;
  /** Save the training state as it goes and continue from a saved one (see fit). */
  checkpoint?: Checkpointer<FitState>;
}

/**
 * Train the default network from scratch on one sample's spectra (the paper's "fresh" emulator):
 * ln C_ell, per-feature scalers from the training part, Adam with early stopping on a validation split.
 */
export function trainEmulator(
  backend: Backend,
  inputs: Float64Array,
  spectra: Float64Array,
  n: number,
  info: Omit<EmulatorInfo, 'training'>,
  o: TrainEmulatorOptions,
): Emulator {
  const P = info.parameterNames.length;
  const D = info.pairs.length * info.ell.length;
  if (inputs.length !== n * P || spectra.length !== n * D) {
    throw new CosmetaError(`training set: expected ${n} x ${P} inputs and ${n} x ${D} spectra, got ${inputs.length} and ${spectra.length} values`);
  }
  const nVal = Math.max(1, Math.round(n * (o.validationFraction ?? 0.1)));
  const nTrain = n - nVal;
  if (nTrain < 2) throw new CosmetaError(`need at least 3 training spectra, got ${n}`);
  // Scalers from the training part only (rows [0, nTrain)); the validation rows are scaled with them.
  const { x, y, xScaler, yScaler } = scaleRows(backend, { x: inputs, y: spectra, n }, logSpectra(spectra, 'training spectra'), Int32Array.from({ length: n }, (_, i) => i), nTrain, P, D);
  const t0 = performance.now();
  const model = defaultMlp(backend, P, D);
  const params = model.init(new Random(o.seed));
  const settings = { lr: o.lr ?? 1e-3, epochs: o.epochs ?? 2000, batchSize: o.batchSize ?? 256, patience: o.patience ?? 50, seed: o.seed };
  const result = fit(model, params, x.subarray(0, nTrain * P), y.subarray(0, nTrain * D), nTrain, {
    ...settings,
    minDelta: 0,
    validation: { x: x.subarray(nTrain * P), y: y.subarray(nTrain * D), n: nVal },
    onEpoch: o.onEpoch,
    checkpoint: o.checkpoint,
  });
  backend.free(x);
  backend.free(y);
  return new Emulator(backend, model, params, xScaler, yScaler, {
    ...info,
    training: { method: 'fresh', architecture: 'default-mlp', samples: n, validation: nVal, ...settings, ...result, seconds: (performance.now() - t0) / 1000 },
  });
}
