/**
 * Emulators as files: `Emulator` is a `SampleEmulator` (meta/sample-emulator.ts, the computing part)
 * that saves and loads itself as a Cosmeta model file (src/nn/serialize.ts) whose metadata holds
 * {"kind": "emulator", "parameterNames", "ell", "pairs", "z", "nz", "training": {...}}; and training a
 * fresh emulator on one sample's spectra.
 */

import { CosmetaError } from '../errors.js';
import type { Backend } from '../nn/backend.js';
import { defaultMlp } from '../nn/model.js';
import { loadModel, saveModel } from '../nn/serialize.js';
import { fit, type Checkpointer, type FitState } from '../nn/train.js';
import { logSpectra, scaleRows } from './maml.js';
import { Random } from '../math/random.js';
import { checkSampleInfo, SampleEmulator, type EmulatorInfo } from './sample-emulator.js';

export { checkSampleInfo, predictSpectra, type EmulatorInfo } from './sample-emulator.js';

export class Emulator extends SampleEmulator {
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
