/**
 * Meta-emulators: meta-learned weights that are not yet an emulator of any sample (no scalers: those are
 * fitted on the new sample at adaptation), stored as a Cosmeta model file whose metadata holds
 * {"kind": "meta-emulator", "parameterNames", "ell", "pairs", "nBins", "training"}; and adaptation of one
 * to a new galaxy sample, giving a self-contained `Emulator`.
 */

import { CosmetaError } from '../errors.js';
import type { Arr, Backend } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import { loadModel, saveModel } from '../nn/serialize.js';
import { Emulator } from './emulator.js';
import { adapt, type AdaptOptions, type Task } from './maml.js';

export interface MetaEmulatorInfo {
  parameterNames: string[];
  ell: number[];
  pairs: Array<[number, number]>;
  nBins: number;
  training: Record<string, unknown>;
}

export interface MetaEmulator {
  model: Sequential;
  params: Arr;
  info: MetaEmulatorInfo;
}

export async function saveMetaEmulator(path: string, m: MetaEmulator): Promise<void> {
  await saveModel(path, { model: m.model, params: m.params, metadata: { kind: 'meta-emulator', ...m.info } });
}

export async function loadMetaEmulator(path: string, backend: Backend): Promise<MetaEmulator> {
  const m = await loadModel(path, backend);
  const meta = m.metadata as Partial<MetaEmulatorInfo> & { kind?: string };
  if (meta.kind !== 'meta-emulator' || !meta.parameterNames || !meta.ell || !meta.pairs || !meta.nBins) {
    throw new CosmetaError(`${path}: a model file, but not a meta-emulator (metadata kind "${meta.kind ?? 'none'}")`);
  }
  return {
    model: m.model,
    params: m.params,
    info: { parameterNames: meta.parameterNames, ell: meta.ell, pairs: meta.pairs, nBins: meta.nBins, training: meta.training ?? {} },
  };
}

/**
 * Adapt a meta-emulator to a new sample from its spectra (`task`: parameter vectors in the meta-emulator's
 * parameter order and C_ell in its data order); the meta-weights are not modified.
 */
export function adaptMetaEmulator(
  meta: MetaEmulator,
  task: Task,
  sample: { z: ArrayLike<number>; nz: ArrayLike<number>[] },
  options: AdaptOptions,
): { emulator: Emulator; validationRows: number; bestStep: number } {
  if (sample.nz.length !== meta.info.nBins) {
    throw new CosmetaError(`the sample has ${sample.nz.length} tomographic bins but the meta-emulator was trained for ${meta.info.nBins}`);
  }
  const t0 = performance.now();
  const a = adapt(meta.model, meta.params, task, options);
  const emulator = new Emulator(meta.model.backend, meta.model, a.params, a.xScaler, a.yScaler, {
    parameterNames: meta.info.parameterNames,
    ell: meta.info.ell,
    pairs: meta.info.pairs,
    z: Array.from(sample.z),
    nz: sample.nz.map((b) => Array.from(b)),
    training: {
      method: 'maml-adapted',
      meta: meta.info.training,
      samples: task.n,
      ...options,
      bestStep: a.bestStep,
      validationLoss: a.validationLoss,
      seconds: (performance.now() - t0) / 1000,
    },
  });
  const nVal = options.validationFraction > 0 ? Math.max(1, Math.round(task.n * options.validationFraction)) : 0;
  return { emulator, validationRows: nVal, bestStep: a.bestStep };
}
