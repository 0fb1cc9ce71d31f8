/**
 * Meta-emulators in memory and their adaptation to a new galaxy sample, giving an emulator of that
 * sample. Computing only (it runs in the browser too): files are meta/meta-emulator.ts.
 */

import { CosmetaError } from '../errors.js';
import type { Arr, Backend } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import type { SavedModel } from '../nn/model-file.js';
import { checkSampleInfo, SampleEmulator } from './sample-emulator.js';
import { adapt, type AdaptOptions, type FixedScalers, type Task } from './maml.js';

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
  /** Global scalers, when meta-trained with them (adaptation then uses them instead of fitting its own). */
  scalers?: FixedScalers;
}

/**
 * A meta-emulator from a loaded model (`source` names it in errors): checks the metadata against the
 * network; frees the model's memory when it is refused.
 */
export function metaEmulatorFromModel(source: string, m: SavedModel, backend: Backend): MetaEmulator {
  const meta = m.metadata as Partial<MetaEmulatorInfo> & { kind?: string };
  try {
    if (meta.kind !== 'meta-emulator' || !meta.parameterNames || !meta.ell || !meta.pairs || !meta.nBins) {
      throw new CosmetaError(`${source}: a model file, but not a meta-emulator (metadata kind "${meta.kind ?? 'none'}")`);
    }
    checkSampleInfo(source, meta, m.model.inSize, m.model.outSize);
    if (!Number.isInteger(meta.nBins) || meta.nBins < 1 || meta.nBins > 1000) throw new CosmetaError(`${source}: metadata "nBins" ${JSON.stringify(meta.nBins)} is not a bin count`);
  } catch (err) {
    m.model.dispose();
    backend.free(m.params);
    throw err;
  }
  return {
    model: m.model,
    params: m.params,
    info: { parameterNames: meta.parameterNames, ell: meta.ell, pairs: meta.pairs, nBins: meta.nBins, training: meta.training ?? {} },
    scalers: m.xScaler && m.yScaler ? { xScaler: m.xScaler, yScaler: m.yScaler } : undefined,
  };
}

/** The constructor of the emulator an adaptation returns (SampleEmulator, or Emulator with its file methods). */
export type EmulatorKind<E extends SampleEmulator> = new (...args: ConstructorParameters<typeof SampleEmulator>) => E;

/**
 * Adapt a meta-emulator to a new sample from its spectra (`task`: parameter vectors in the meta-emulator's
 * parameter order and C_ell in its data order); the meta-weights are not modified. `method` is recorded
 * in the emulator file (the single-task baseline is adapted the same way from pre-trained weights).
 */
export function adaptMetaEmulatorAs<E extends SampleEmulator>(
  Kind: EmulatorKind<E>,
  meta: MetaEmulator,
  task: Task,
  sample: { z: ArrayLike<number>; nz: ArrayLike<number>[] },
  options: AdaptOptions,
  method = 'maml-adapted',
): { emulator: E; validationRows: number; bestStep: number } {
  if (sample.nz.length !== meta.info.nBins) {
    throw new CosmetaError(`the sample has ${sample.nz.length} tomographic bins but the meta-emulator was trained for ${meta.info.nBins}`);
  }
  const t0 = performance.now();
  const a = adapt(meta.model, meta.params, task, { ...options, scalers: options.scalers ?? meta.scalers });
  const { checkpoint: _checkpoint, ...recorded } = options;
  const emulator = new Kind(meta.model.backend, meta.model, a.params, a.xScaler, a.yScaler, {
    parameterNames: meta.info.parameterNames,
    ell: meta.info.ell,
    pairs: meta.info.pairs,
    z: Array.from(sample.z),
    nz: sample.nz.map((b) => Array.from(b)),
    training: {
      method,
      meta: meta.info.training,
      samples: task.n,
      ...recorded,
      scalers: meta.scalers ? 'global (from the meta-emulator)' : 'fitted on the fine-tuning spectra',
      bestStep: a.bestStep,
      validationLoss: a.validationLoss,
      seconds: (performance.now() - t0) / 1000,
    },
  });
  const nVal = options.validationFraction > 0 ? Math.max(1, Math.round(task.n * options.validationFraction)) : 0;
  return { emulator, validationRows: nVal, bestStep: a.bestStep };
}
