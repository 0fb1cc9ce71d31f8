/**
 * Model-agnostic meta-learning (Finn, Abbeel & Levine 2017) of an emulator over many galaxy samples, as
 * arXiv:2504.00552 runs it, and adaptation of the meta-learned weights to a new sample. One meta-update takes
 * a batch of tasks; for each, per-task scalers are fitted on its support set (inputs and ln C_ell
 * standardised per feature), a copy of the meta-weights takes `innerSteps` full-batch steps on the support
 * loss with its own fresh optimiser, and the gradient of the query loss at the adapted weights is taken.
 * First-order MAML (the paper's) averages these query gradients over the batch and applies them to the
 * meta-weights with the outer optimiser (Adam, its own state, kept across updates; the paper's code shared
 * one Adam state between the loops, which is not MAML). Second-order MAML takes instead the exact derivative
 * of each query loss with respect to the meta-weights, through the inner steps (inner-loop.ts). Reptile
 * (Nichol, Achiam & Schulman 2018) uses the mean of (meta-weights - adapted weights) after the inner steps on
 * the whole task. Dropout is on in both loops. Once per epoch the meta-weights are adapted to a held-out task
 * with `validation.samples` spectra (fresh Adam, `validation.steps` steps) and scored by the MSE on its other
 * spectra; training stops after `patience` epochs without an improvement larger than `minDelta`, and the best
 * meta-weights are restored.
 */

import { CosmetaError, requireInteger } from '../errors.js';
import { Random } from '../math/random.js';
import type { Arr, Backend } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import { adamState, adamStep, evaluateLoss, fit, StandardScaler, type AdamState, type Checkpointer, type FitState } from '../nn/train.js';
import { Stepper } from './inner-loop.js';

export { Stepper } from './inner-loop.js';

/** One galaxy sample's training data: raw parameter vectors [n x P] and spectra C_ell [n x D] (positive). */
export interface Task {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

export const META_ALGORITHMS = ['fomaml', 'maml', 'reptile'] as const;
export type MetaAlgorithm = (typeof META_ALGORITHMS)[number];

export interface MamlConfig {
  /**
   * "fomaml" (the paper's): the query gradient at the adapted weights; "maml": the exact (second-order)
   * meta-gradient through the inner steps (see inner-loop.ts); "reptile": meta-weights minus adapted weights.
   */
  algorithm: MetaAlgorithm;
  innerSteps: number;
  innerLr: number;
  innerOptimizer: 'adam' | 'sgd';
  outerLr: number;
  taskBatch: number;
  /** Fraction of a task's spectra in its support set (the rest is the query set). */
  supportFraction: number;
  /** Elementwise dropout on during the inner and outer passes. */
  dropout: boolean;
  epochs: number;
  patience: number;
  minDelta: number;
  validation: { samples: number; steps: number; lr: number };
  /**
   * "per-task" (the paper): scalers of the inputs and of ln C_ell fitted on each task's support set (and on
   * a new sample's fine-tuning set at adaptation); "global": one pair fitted on all training tasks together,
   * stored with the meta-emulator and used unchanged at adaptation.
   */
  scalers: 'per-task' | 'global';
  seed: number;
}

/** Input and output scalers used as they are (not fitted to the rows being scaled). */
export interface FixedScalers {
  xScaler: StandardScaler;
  yScaler: StandardScaler;
}

/** The paper's settings (docs/paper-settings.md section 5). */
export const PAPER_MAML: Readonly<MamlConfig> = Object.freeze({
  algorithm: 'fomaml',
  innerSteps: 5,
  innerLr: 1e-3,
  innerOptimizer: 'adam',
  outerLr: 1e-2,
  taskBatch: 5,
  supportFraction: 0.6,
  dropout: true,
  epochs: 100,
  patience: 20,
  minDelta: 1e-5,
  validation: Object.freeze({ samples: 100, steps: 64, lr: 1e-3 }),
  scalers: 'per-task',
  seed: 0,
}) as MamlConfig;

/** ln C_ell of a block of spectra, checked positive. */
export function logSpectra(y: ArrayLike<number>, what = 'spectra'): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] > 0)) throw new CosmetaError(`${what}: entry ${i} is ${y[i]}; spectra must be positive`);
    out[i] = Math.log(y[i]);
  }
  return out;
}

/**
 * Rows `rows` of a task, scaled with scalers fitted on the rows [0, fitCount) of that selection, or with
 * `fixed` scalers when given.
 */
export interface ScaledRows {
  x: Arr;
  y: Arr;
  n: number;
  xScaler: StandardScaler;
  yScaler: StandardScaler;
}

export function scaleRows(backend: Backend, task: Task, logY: Float64Array, rows: ArrayLike<number>, fitCount: number, P: number, D: number, fixed?: FixedScalers): ScaledRows {
  const n = rows.length;
  const xr = new Float64Array(n * P);
  const yr = new Float64Array(n * D);
  for (let r = 0; r < n; r++) {
    const i = rows[r];
    xr.set(task.x.subarray(i * P, (i + 1) * P), r * P);
    yr.set(logY.subarray(i * D, (i + 1) * D), r * D);
  }
  const xScaler = fixed?.xScaler ?? StandardScaler.fit(xr, fitCount, P);
  const yScaler = fixed?.yScaler ?? StandardScaler.fit(yr, fitCount, D);
  return {
    x: xScaler.transform(xr, n, backend.alloc(n * P)),
    y: yScaler.transform(yr, n, backend.alloc(n * D)),
    n,
    xScaler,
    yScaler,
  };
}

function shuffle(a: Int32Array, rng: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export function validateMamlConfig(c: MamlConfig, tasks: readonly Task[]): void {
  const int = requireInteger;
  int('inner steps', c.innerSteps, 1);
  int('task batch', c.taskBatch, 1);
  int('epochs', c.epochs, 1);
  int('patience', c.patience, 1);
  int('validation samples', c.validation.samples, 2);
  int('validation steps', c.validation.steps, 0);
  if (!(c.supportFraction > 0 && c.supportFraction < 1)) throw new CosmetaError(`support fraction must be in (0, 1), got ${c.supportFraction}`);
  for (const [name, v] of [['inner lr', c.innerLr], ['outer lr', c.outerLr], ['validation lr', c.validation.lr]] as const) {
    if (!(v > 0)) throw new CosmetaError(`${name} must be > 0, got ${v}`);
  }
  if (tasks.length < c.taskBatch) throw new CosmetaError(`${tasks.length} training tasks for a task batch of ${c.taskBatch}`);
  for (const [t, task] of tasks.entries()) {
    const support = Math.floor(task.n * c.supportFraction);
    if (support < 2 || task.n - support < 1) throw new CosmetaError(`task ${t}: ${task.n} spectra are too few for a support/query split of ${c.supportFraction}`);
  }
}

export interface MetaEpoch {
  epoch: number;
  /** Mean query loss (MAML, FO-MAML) or support loss after the inner steps (Reptile) over the epoch. */
  trainLoss: number;
  /** Post-adaptation MSE on the validation task. */
  validationLoss: number;
  seconds: number;
}

export interface MetaTrainResult {
  params: Arr;
  history: MetaEpoch[];
  bestEpoch: number;
  bestValidationLoss: number;
  seconds: number;
  /** The global scalers (with `scalers: "global"`), which adaptation must use. */
  scalers?: FixedScalers;
}

/**
 * Post-adaptation loss on a task: adapt a copy of `params` (fresh Adam, full batch, dropout as configured)
 * on its first `samples` spectra, then the MSE (dropout off) on the others, in that task's scaled space.
 */
export function adaptationLoss(model: Sequential, params: Arr, task: Task, samples: number, steps: number, lr: number, dropout: boolean, seed: number, scalers?: FixedScalers): number {
  const P = model.inSize;
  const D = model.outSize;
  if (task.n <= samples) throw new CosmetaError(`validation task has ${task.n} spectra; needs more than the ${samples} used to adapt`);
  const rows = Int32Array.from({ length: task.n }, (_, i) => i);
  const be = model.backend;
  const s = scaleRows(be, task, logSpectra(task.y), rows, samples, P, D, scalers);
  const p = be.alloc(model.size);
  p.set(params);
  const stepper = new Stepper(model, samples);
  try {
    stepper.descend(p, s.x, s.y, 0, samples, steps, lr, 'adam', dropout, new Random(seed));
    const rest = task.n - samples;
    return evaluateLoss(model, p, s.x.subarray(samples * P), s.y.subarray(samples * D), rest);
  } finally {
    stepper.dispose();
    for (const a of [p, s.x, s.y]) be.free(a);
  }
}

/** A task's scaled spectra, the first `nSupport` rows its support set and the rest its query set. */
export interface SupportQuery {
  x: Arr;
  y: Arr;
  n: number;
  nSupport: number;
}

/**
 * One meta-update of `params` from a batch of tasks (already scaled), with the outer optimiser state
 * `outer`; returns the mean query loss (MAML, FO-MAML) or post-inner-step loss (Reptile). `G` and `adapted` are
 * work arrays of the model's size.
 */
export function metaUpdate(
  stepper: Stepper,
  params: Arr,
  outer: AdamState,
  batch: readonly SupportQuery[],
  config: Pick<MamlConfig, 'algorithm' | 'innerSteps' | 'innerLr' | 'innerOptimizer' | 'outerLr' | 'dropout'>,
  rng: Random,
  G: Arr,
  adapted: Arr,
): number {
  const model = stepper.model;
  G.fill(0);
  let loss = 0;
  for (const t of batch) {
    if (config.algorithm === 'maml') {
      loss += stepper.secondOrderGradient(params, t, config.innerSteps, config.innerLr, config.innerOptimizer, config.dropout, rng, G, 1 / batch.length);
    } else if (config.algorithm === 'fomaml') {
      adapted.set(params);
      stepper.descend(adapted, t.x, t.y, 0, t.nSupport, config.innerSteps, config.innerLr, config.innerOptimizer, config.dropout, rng);
      loss += stepper.gradient(adapted, t.x, t.y, t.nSupport, t.n, config.dropout, rng);
      for (let i = 0; i < G.length; i++) G[i] += stepper.g[i] / batch.length;
    } else {
      adapted.set(params);
      stepper.descend(adapted, t.x, t.y, 0, t.n, config.innerSteps, config.innerLr, config.innerOptimizer, config.dropout, rng);
      loss += evaluateLoss(model, adapted, t.x, t.y, t.n);
      for (let i = 0; i < G.length; i++) G[i] += (params[i] - adapted[i]) / batch.length;
    }
  }
  adamStep(model.backend, params, G, outer, { lr: config.outerLr });
  return loss / batch.length;
}

/**
 * Everything meta-training needs to continue after an epoch exactly as if it had not stopped: the
 * weights, the best weights so far, the outer Adam state, the random state and the task order.
 */
export interface MetaTrainState {
  /** Epochs completed. */
  epoch: number;
  /** Early stopping has ended the run. */
  stopped: boolean;
  params: Arr;
  best: Arr;
  adam: { m: Arr; v: Arr; t: number };
  rng: ReturnType<Random['getState']>;
  order: Int32Array;
  bestLoss: number | null;
  bestEpoch: number;
  history: MetaEpoch[];
}

/**
 * Meta-train `params` (updated in place and returned with the history) over `tasks`. With a
 * `checkpoint`, the state is saved after every epoch and a saved state is continued from, so an
 * interrupted run ends with the same weights as an uninterrupted one.
 */
export function metaTrain(
  model: Sequential,
  params: Arr,
  tasks: readonly Task[],
  validationTask: Task,
  config: MamlConfig,
  onEpoch?: (e: MetaEpoch) => void,
  checkpoint?: Checkpointer<MetaTrainState>,
): MetaTrainResult {
  validateMamlConfig(config, tasks);
  const t0 = performance.now();
  const be = model.backend;
  const P = model.inSize;
  const D = model.outSize;
  for (const [t, task] of tasks.entries()) {
    if (task.x.length !== task.n * P || task.y.length !== task.n * D) {
      throw new CosmetaError(`task ${t}: expected ${task.n} x ${P} inputs and ${task.n} x ${D} spectra for the network`);
    }
  }
  const logs = tasks.map((t, i) => logSpectra(t.y, `task ${i}`));
  const scalers: FixedScalers | undefined =
    config.scalers === 'global'
      ? { xScaler: StandardScaler.fitBlocks(tasks.map((t) => ({ x: t.x, n: t.n })), P), yScaler: StandardScaler.fitBlocks(tasks.map((t, i) => ({ x: logs[i], n: t.n })), D) }
      : undefined;
  let rng = new Random(config.seed);
  const outer = adamState(be, model.size);
  const maxRows = Math.max(...tasks.map((t) => t.n));
  const stepper = new Stepper(model, maxRows);
  const G = be.alloc(model.size);
  const adapted = be.alloc(model.size);
  const best = be.alloc(model.size);
  best.set(params);
  const order = Int32Array.from({ length: tasks.length }, (_, i) => i);
  let history: MetaEpoch[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let first = 1;
  let stopped = false;
  const saved = checkpoint?.load();
  if (saved) {
    if (saved.params.length !== model.size || saved.best.length !== model.size || saved.order.length !== order.length) {
      throw new CosmetaError(`the meta-training checkpoint holds ${saved.params.length} weights and ${saved.order.length} tasks; this run has ${model.size} and ${order.length}`);
    }
    params.set(saved.params);
    best.set(saved.best);
    outer.m.set(saved.adam.m);
    outer.v.set(saved.adam.v);
    outer.t = saved.adam.t;
    rng = Random.fromState(saved.rng);
    order.set(saved.order);
    bestLoss = saved.bestLoss ?? Number.POSITIVE_INFINITY;
    bestEpoch = saved.bestEpoch;
    history = [...saved.history];
    first = saved.epoch + 1;
    stopped = saved.stopped;
  }
  try {
    for (let epoch = first; epoch <= config.epochs && !stopped; epoch++) {
      const te = performance.now();
      shuffle(order, rng);
      let lossSum = 0;
      let lossCount = 0;
      for (let start = 0; start + config.taskBatch <= order.length; start += config.taskBatch) {
        const batch: SupportQuery[] = [];
        for (let b = 0; b < config.taskBatch; b++) {
          const t = order[start + b];
          const task = tasks[t];
          const rows = Int32Array.from({ length: task.n }, (_, i) => i);
          shuffle(rows, rng);
          const nSupport = Math.floor(task.n * config.supportFraction);
          batch.push({ ...scaleRows(be, task, logs[t], rows, nSupport, P, D, scalers), nSupport });
        }
        lossSum += metaUpdate(stepper, params, outer, batch, config, rng, G, adapted) * batch.length;
        lossCount += batch.length;
        for (const b of batch) {
          be.free(b.x);
          be.free(b.y);
        }
      }
      const v = config.validation;
      const validationLoss = adaptationLoss(model, params, validationTask, v.samples, v.steps, v.lr, config.dropout, config.seed + epoch, scalers);
      const e: MetaEpoch = { epoch, trainLoss: lossSum / lossCount, validationLoss, seconds: (performance.now() - te) / 1000 };
      history.push(e);
      onEpoch?.(e);
      if (validationLoss < bestLoss - config.minDelta) {
        bestLoss = validationLoss;
        bestEpoch = epoch;
        best.set(params);
      } else if (epoch - bestEpoch >= config.patience) stopped = true;
      checkpoint?.save({
        epoch,
        stopped,
        params,
        best,
        adam: { m: outer.m, v: outer.v, t: outer.t },
        rng: rng.getState(),
        order,
        bestLoss: Number.isFinite(bestLoss) ? bestLoss : null,
        bestEpoch,
        history,
      });
    }
    params.set(best);
  } finally {
    stepper.dispose();
    for (const a of [G, adapted, best, outer.m, outer.v]) be.free(a);
  }
  return { params, history, bestEpoch, bestValidationLoss: bestLoss, seconds: (performance.now() - t0) / 1000, scalers };
}

export interface AdaptOptions {
  /** Maximum full-batch Adam steps (the paper: 64). */
  steps: number;
  lr: number;
  /** Fraction of the spectra held out to pick the best step (0: none, take the last). */
  validationFraction: number;
  dropout: boolean;
  seed: number;
  /** Use these scalers instead of fitting them on the fine-tuning spectra (a meta-emulator's global ones). */
  scalers?: FixedScalers;
  /** Save the fine-tuning state as it goes and continue from a saved one (see fit). */
  checkpoint?: Checkpointer<FitState>;
}

export const DEFAULT_ADAPT: Readonly<Omit<AdaptOptions, 'seed'>> = Object.freeze({ steps: 300, lr: 1e-3, validationFraction: 0.2, dropout: true });

export interface Adapted {
  params: Arr;
  xScaler: StandardScaler;
  yScaler: StandardScaler;
  /** Validation MSE at the chosen step (null without a validation split). */
  validationLoss: number | null;
  bestStep: number;
}

/**
 * Fine-tune a copy of meta-weights on a new sample's spectra (the meta-weights are never modified):
 * scalers fitted on the fine-tuning part, fresh Adam, full batch, and the weights of the step with the
 * lowest validation loss.
 */
export function adapt(model: Sequential, metaParams: Arr, task: Task, o: AdaptOptions): Adapted {
  const P = model.inSize;
  const D = model.outSize;
  if (task.x.length !== task.n * P || task.y.length !== task.n * D) {
    throw new CosmetaError(`adaptation data: expected ${task.n} x ${P} inputs and ${task.n} x ${D} spectra for this network`);
  }
  const nVal = o.validationFraction > 0 ? Math.max(1, Math.round(task.n * o.validationFraction)) : 0;
  const nFit = task.n - nVal;
  if (nFit < 2) throw new CosmetaError(`adaptation needs at least 2 fine-tuning spectra, got ${task.n} with ${nVal} held out`);
  const be = model.backend;
  const rows = Int32Array.from({ length: task.n }, (_, i) => i);
  const s = scaleRows(be, task, logSpectra(task.y, 'adaptation spectra'), rows, nFit, P, D, o.scalers);
  const params = be.alloc(model.size);
  params.set(metaParams);
  try {
    const r = fit(model, params, s.x.subarray(0, nFit * P), s.y.subarray(0, nFit * D), nFit, {
      lr: o.lr,
      epochs: o.steps,
      seed: o.seed,
      training: o.dropout,
      patience: o.steps + 1,
      validation: nVal > 0 ? { x: s.x.subarray(nFit * P), y: s.y.subarray(nFit * D), n: nVal } : undefined,
      checkpoint: o.checkpoint,
    });
    return { params, xScaler: s.xScaler, yScaler: s.yScaler, validationLoss: r.bestValLoss, bestStep: nVal > 0 ? r.bestEpoch : o.steps };
  } finally {
    be.free(s.x);
    be.free(s.y);
  }
}
