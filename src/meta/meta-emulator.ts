/**
 * Meta-emulators: meta-learned weights that are not yet an emulator of any sample (no scalers: those are
 * fitted on the new sample at adaptation), stored as a Cosmeta model file whose metadata holds
 * {"kind": "meta-emulator", "parameterNames", "ell", "pairs", "nBins", "training"}; meta-training from a
 * dataset file; and adaptation to a new galaxy sample giving an `Emulator` (the computing part, which
 * runs in the browser too, is meta/adaptation.ts).
 */

import { DatasetReader } from '../data/dataset-file.js';
import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';
import type { Arr, Backend } from '../nn/backend.js';
import { defaultMlp, fastWeightCNN } from '../nn/model.js';
import { loadModel, saveModel } from '../nn/serialize.js';
import type { Checkpointer } from '../nn/train.js';
import { readCheckpoint, writeCheckpoint, type CheckpointArray } from '../io/checkpoint.js';
import { adaptMetaEmulatorAs, metaEmulatorFromModel, type MetaEmulator } from './adaptation.js';
import { Emulator } from './emulator.js';
import { metaTrain, PAPER_MAML, type AdaptOptions, type MamlConfig, type MetaEpoch, type MetaTrainResult, type MetaTrainState, type Task } from './maml.js';

export { metaEmulatorFromModel, type MetaEmulator, type MetaEmulatorInfo } from './adaptation.js';

export async function saveMetaEmulator(path: string, m: MetaEmulator): Promise<void> {
  await saveModel(path, { model: m.model, params: m.params, xScaler: m.scalers?.xScaler, yScaler: m.scalers?.yScaler, metadata: { kind: 'meta-emulator', ...m.info } });
}

export async function loadMetaEmulator(path: string, backend: Backend): Promise<MetaEmulator> {
  return metaEmulatorFromModel(path, await loadModel(path, backend), backend);
}

export interface MetaTrainFromDatasetOptions {
  /** Training tasks: the first `tasks` of the file; the next one is the meta-validation task. */
  tasks: number;
  /** Spectra per training task (the first ones of each task). */
  samples: number;
  architecture: 'mlp' | 'cnn';
  /** The meta-validation task (default: the one right after the training tasks). */
  validationTask?: number;
  /** Everything else is PAPER_MAML unless given. */
  config: Partial<MamlConfig> & { seed: number };
  /**
   * Checkpoint file (conventionally OUT.partial): the state is saved there after every epoch and a run
   * with the same settings continues from it (see metaTrain); the caller removes it once OUT is written.
   */
  checkpoint?: string;
}

/** A Checkpointer of meta-training state in a checkpoint file (src/io/checkpoint.ts). */
export function metaTrainCheckpointer(path: string, identity: string): Checkpointer<MetaTrainState> {
  const copy = (a: CheckpointArray | undefined, name: string): Arr => {
    if (!(a instanceof Float32Array) && !(a instanceof Float64Array)) throw new CosmetaError(`${path}: the checkpoint has no float array "${name}"`);
    return a;
  };
  return {
    load: () => {
      const c = readCheckpoint(path, identity);
      if (!c) return null;
      const s = c.state as Omit<MetaTrainState, 'params' | 'best' | 'adam' | 'order'> & { adamT: number };
      const order = c.arrays.order;
      if (!(order instanceof Int32Array)) throw new CosmetaError(`${path}: the checkpoint has no task order`);
      return { ...s, params: copy(c.arrays.params, 'params'), best: copy(c.arrays.best, 'best'), adam: { m: copy(c.arrays.m, 'm'), v: copy(c.arrays.v, 'v'), t: s.adamT }, order };
    },
    save: (st) => {
      const { params, best, adam, order, ...rest } = st;
      const f32 = (a: Arr) => (a instanceof Float32Array ? a : Float32Array.from(a));
      writeCheckpoint(path, identity, { state: { ...rest, adamT: adam.t }, arrays: { params: f32(params), best: f32(best), m: f32(adam.m), v: f32(adam.v), order } });
    },
  };
}

/**
 * Meta-train a fresh network over the tasks of a dataset file (the layout of `cosmeta generate`); the task
 * after the training tasks validates (all its spectra: `config.validation.samples` adapt, the rest score).
 */
export async function metaTrainFromDataset(
  file: string,
  backend: Backend,
  o: MetaTrainFromDatasetOptions,
  onEpoch?: (e: MetaEpoch) => void,
): Promise<{ meta: MetaEmulator; result: MetaTrainResult }> {
  const reader = await DatasetReader.open(file);
  const h = reader.header;
  const P = h.parameterNames.length;
  let tasks: Task[];
  let validation: Task;
  try {
    const v = o.validationTask ?? o.tasks;
    if (o.tasks + 1 > h.tasks) throw new CosmetaError(`${file} has ${h.tasks} tasks; ${o.tasks} for training and one more for meta-validation are needed`);
    if (v < o.tasks || v >= h.tasks) throw new CosmetaError(`${file}: the meta-validation task ${v} must be one of tasks ${o.tasks}..${h.tasks - 1} (after the training tasks)`);
    if (o.samples > h.samples) throw new CosmetaError(`${file} has ${h.samples} spectra per task; ${o.samples} were asked for`);
    const task = (t: number, n: number): Task => ({ x: reader.inputs(t).slice(0, n * P), y: reader.spectra(t, 0, n), n });
    tasks = Array.from({ length: o.tasks }, (_, t) => task(t, o.samples));
    validation = task(v, h.samples);
  } finally {
    reader.close();
  }
  const D = h.pairs.length * h.ell.length;
  const model = o.architecture === 'cnn' ? fastWeightCNN(backend, P, D) : defaultMlp(backend, P, D);
  const config: MamlConfig = { ...PAPER_MAML, ...o.config, validation: { ...PAPER_MAML.validation, ...o.config.validation } };
  const params = model.init(new Random(config.seed));
  const identity = JSON.stringify({ job: 'meta-train', data: file, tasks: o.tasks, samples: o.samples, validationTask: o.validationTask ?? o.tasks, architecture: o.architecture, config, size: model.size });
  const checkpoint = o.checkpoint ? metaTrainCheckpointer(o.checkpoint, identity) : undefined;
  const result = metaTrain(model, params, tasks, validation, config, onEpoch, checkpoint);
  const training = {
    data: file,
    tasks: o.tasks,
    samples: o.samples,
    validationTask: o.validationTask ?? o.tasks,
    architecture: o.architecture,
    ...config,
    bestEpoch: result.bestEpoch,
    bestValidationLoss: result.bestValidationLoss,
    epochsRun: result.history.length,
    seconds: result.seconds,
  };
  return { meta: { model, params, info: { parameterNames: h.parameterNames, ell: Array.from(h.ell), pairs: h.pairs, nBins: h.nBins, training }, scalers: result.scalers }, result };
}

/**
 * Adapt a meta-emulator to a new sample from its spectra (`task`: parameter vectors in the meta-emulator's
 * parameter order and C_ell in its data order); the meta-weights are not modified. `method` is recorded
 * in the emulator file (the single-task baseline is adapted the same way from pre-trained weights).
 */
export function adaptMetaEmulator(
  meta: MetaEmulator,
  task: Task,
  sample: { z: ArrayLike<number>; nz: ArrayLike<number>[] },
  options: AdaptOptions,
  method = 'maml-adapted',
): { emulator: Emulator; validationRows: number; bestStep: number } {
  return adaptMetaEmulatorAs(Emulator, meta, task, sample, options, method);
}
