/**
 * The paper's two baselines for an emulator of a new sample, with the same network and preprocessing as
 * MAML: "single-task" (pre-trained on many spectra of one other sample, then fine-tuned exactly as a
 * meta-emulator is adapted) and "fresh" (trained from a random initialisation on the new sample's spectra
 * only, with early stopping on a validation split).
 */

import { Random } from '../math/random.js';
import type { Arr } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import { fit, type Checkpointer, type FitState } from '../nn/train.js';
import { adapt, logSpectra, scaleRows, type Adapted, type Task } from './maml.js';

export interface PretrainOptions {
  lr: number;
  batchSize: number;
  epochs: number;
  patience: number;
  /** Fraction held out for early stopping. */
  validationFraction: number;
  seed: number;
  /** Save the training state as it goes and continue from a saved one (see fit). */
  checkpoint?: Checkpointer<FitState>;
}

/** The paper's single-task pre-training: Adam 1e-3, batches of 5000, early stopping. */
export const PAPER_PRETRAIN: Readonly<Omit<PretrainOptions, 'seed'>> = Object.freeze({ lr: 1e-3, batchSize: 5000, epochs: 2000, patience: 50, validationFraction: 0.1 });

/** Train fresh weights on one task's spectra (its own scalers); returns the weights. */
export function pretrainSingleTask(model: Sequential, task: Task, o: PretrainOptions): Arr {
  const be = model.backend;
  const P = model.inSize;
  const D = model.outSize;
  const nVal = Math.max(1, Math.round(task.n * o.validationFraction));
  const nFit = task.n - nVal;
  const rows = Int32Array.from({ length: task.n }, (_, i) => i);
  const s = scaleRows(be, task, logSpectra(task.y, 'pre-training spectra'), rows, nFit, P, D);
  const params = model.init(new Random(o.seed));
  try {
    fit(model, params, s.x.subarray(0, nFit * P), s.y.subarray(0, nFit * D), nFit, {
      lr: o.lr,
      epochs: o.epochs,
      batchSize: o.batchSize,
      patience: o.patience,
      seed: o.seed,
      validation: { x: s.x.subarray(nFit * P), y: s.y.subarray(nFit * D), n: nVal },
      checkpoint: o.checkpoint,
    });
  } finally {
    be.free(s.x);
    be.free(s.y);
  }
  return params;
}

/** The fresh baseline: random initialisation, then the adaptation procedure with `steps` steps. */
export function trainFresh(model: Sequential, task: Task, o: { steps: number; lr: number; validationFraction: number; dropout: boolean; seed: number }): Adapted {
  const init = model.init(new Random(o.seed));
  try {
    return adapt(model, init, task, o);
  } finally {
    model.backend.free(init);
  }
}
