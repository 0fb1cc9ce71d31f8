/**
 * Optimisation: Adam with its state as a value, mean-squared-error loss, a standard scaler, and a training
 * loop with mini-batches, early stopping on a validation set and restoration of the best weights.
 */

import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';
import type { Arr, Backend } from './backend.js';
import type { Sequential } from './model.js';

/** Adam's moments and step count for one parameter array: create fresh, or carry between calls. */
export interface AdamState {
  m: Arr;
  v: Arr;
  t: number;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export function adamState(backend: Backend, size: number): AdamState {
  return { m: backend.alloc(size), v: backend.alloc(size), t: 0 };
}

/** Adam's default constants (PyTorch's). */
export const ADAM_DEFAULTS = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });

/** One bias-corrected Adam step (Kingma & Ba 2015; `ADAM_DEFAULTS` unless given). */
export function adamStep(backend: Backend, p: Arr, g: Arr, state: AdamState, o: AdamOptions): void {
  const b1 = o.beta1 ?? ADAM_DEFAULTS.beta1;
  const b2 = o.beta2 ?? ADAM_DEFAULTS.beta2;
  const eps = o.eps ?? ADAM_DEFAULTS.eps;
  state.t += 1;
  const c1 = 1 - Math.pow(b1, state.t);
  const c2 = Math.sqrt(1 - Math.pow(b2, state.t));
  backend.adam(p, g, state.m, state.v, (o.lr * c2) / c1, b1, b2, eps * c2);
}

/** Mean squared error over all entries, and its gradient with respect to y written into dy. */
export function mse(y: Arr, target: Arr, n: number, dy: Arr): number {
  let s = 0;
  const scale = 2 / n;
  for (let i = 0; i < n; i++) {
    const d = y[i] - target[i];
    s += d * d;
    dy[i] = scale * d;
  }
  return s / n;
}

/** Per-feature standardisation with the population standard deviation (as scikit-learn's StandardScaler). */
export class StandardScaler {
  constructor(readonly mean: Float64Array, readonly std: Float64Array) {}

  /** Fit to rows [n x d] (features with zero spread get std 1). */
  static fit(x: ArrayLike<number>, n: number, d: number): StandardScaler {
    return StandardScaler.fitBlocks([{ x, n }], d);
  }

  /** Fit to the rows of several blocks at once ([n_b x d] each), as if they were concatenated. */
  static fitBlocks(blocks: ReadonlyArray<{ x: ArrayLike<number>; n: number }>, d: number): StandardScaler {
    const total = blocks.reduce((a, b) => a + b.n, 0);
    if (total < 1) throw new CosmetaError('cannot fit a scaler to zero samples');
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (const { x, n } of blocks) for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= total;
    for (const { x, n } of blocks) for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / total) || 1;
    return new StandardScaler(mean, std);
  }

  get size(): number {
    return this.mean.length;
  }

  /** out = (x - mean) / std, row by row. */
  transform(x: ArrayLike<number>, n: number, out: Arr): Arr {
    const d = this.size;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j] - this.mean[j]) / this.std[j];
    return out;
  }

  /** out = z std + mean. */
  inverse(z: ArrayLike<number>, n: number, out: Float64Array | Arr): Float64Array | Arr {
    const d = this.size;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = z[i * d + j] * this.std[j] + this.mean[j];
    return out;
  }
}

/**
 * Where a long job keeps its state between runs: `load()` gives the last saved state (null for a fresh
 * start) and `save()` stores one (atomically: a kill leaves the old or the new state). The library stays
 * free of files; the caller decides where states live (src/io/checkpoint.ts writes them to disk).
 */
export interface Checkpointer<T> {
  load(): T | null;
  save(state: T): void;
}

export interface FitOptions {
  lr: number;
  /** Maximum number of epochs. */
  epochs: number;
  /** Mini-batch size (default: full batch). */
  batchSize?: number;
  /** Validation set (already scaled); enables early stopping and best-weights restore. */
  validation?: { x: Arr; y: Arr; n: number };
  /** Epochs without a validation improvement larger than minDelta before stopping (default 20). */
  patience?: number;
  minDelta?: number;
  /** Seed for shuffling and dropout. */
  seed: number;
  /** Dropout on during training (default true). */
  training?: boolean;
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number | null) => void;
  /** Adam state to continue from (default fresh). */
  adam?: AdamState;
  /** Save the state after epochs (see Checkpointer) and continue from a saved one. */
  checkpoint?: Checkpointer<FitState>;
}

/** Everything `fit` needs to continue after an epoch exactly as if it had not stopped. */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  stopped: boolean;
  params: Arr;
  best: Arr | null;
  adam: { m: Arr; v: Arr; t: number };
  rng: ReturnType<Random['getState']>;
  order: Int32Array;
  bestVal: number | null;
  bestEpoch: number;
  trainLoss: number;
}

export interface FitResult {
  epochs: number;
  bestEpoch: number;
  trainLoss: number;
  bestValLoss: number | null;
}

/** Mean-squared-error loss of the model on a (scaled) set, dropout off, in chunks. */
export function evaluateLoss(model: Sequential, p: Arr, x: Arr, y: Arr, n: number): number {
  const out = model.predict(p, x, n);
  let s = 0;
  const m = n * model.outSize;
  for (let i = 0; i < m; i++) s += (out[i] - y[i]) ** 2;
  model.backend.free(out);
  return s / m;
}

/**
 * Train p in place on (x, y) [n x in], [n x out] (already scaled) with Adam and MSE. With a validation
 * set, stops after `patience` epochs without improvement and restores the best parameters.
 */
export function fit(model: Sequential, p: Arr, x: Arr, y: Arr, n: number, o: FitOptions): FitResult {
  const be = model.backend;
  const B = Math.min(n, o.batchSize ?? n);
  let rng = new Random(o.seed);
  const state = o.adam ?? adamState(be, model.size);
  const g = be.alloc(model.size);
  const xb = be.alloc(B * model.inSize);
  const yb = be.alloc(B * model.outSize);
  const dy = be.alloc(B * model.outSize);
  const best = o.validation ? be.alloc(model.size) : null;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const patience = o.patience ?? 20;
  const minDelta = o.minDelta ?? 0;
  let bestVal = Infinity;
  let bestEpoch = 0;
  let trainLoss = NaN;
  let epoch = 0;
  let first = 1;
  let done = 0;
  let stopped = false;
  const saved = o.checkpoint?.load();
  if (saved) {
    if (saved.params.length !== model.size || saved.order.length !== n || (saved.best === null) !== (best === null)) {
      throw new CosmetaError(`the training checkpoint holds ${saved.params.length} weights and ${saved.order.length} rows; this run has ${model.size} and ${n}`);
    }
    p.set(saved.params);
    if (best && saved.best) best.set(saved.best);
    state.m.set(saved.adam.m);
    state.v.set(saved.adam.v);
    state.t = saved.adam.t;
    rng = Random.fromState(saved.rng);
    order.set(saved.order);
    bestVal = saved.bestVal ?? Infinity;
    bestEpoch = saved.bestEpoch;
    trainLoss = saved.trainLoss;
    first = saved.epoch + 1;
    done = saved.epoch;
    stopped = saved.stopped;
  }
  try {
    for (epoch = first; epoch <= o.epochs && !stopped; epoch++) {
      if (B < n) {
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
      let sum = 0;
      let batches = 0;
      for (let s = 0; s < n; s += B) {
        const b = Math.min(B, n - s);
        for (let r = 0; r < b; r++) {
          const i = order[s + r];
          xb.set(x.subarray(i * model.inSize, (i + 1) * model.inSize), r * model.inSize);
          yb.set(y.subarray(i * model.outSize, (i + 1) * model.outSize), r * model.outSize);
        }
        const { y: out, tape } = model.forward(p, xb.subarray(0, b * model.inSize), b, { training: o.training ?? true, rng });
        const loss = mse(out, yb, b * model.outSize, dy);
        g.fill(0);
        model.backward(p, tape, dy.subarray(0, b * model.outSize), g);
        adamStep(be, p, g, state, { lr: o.lr });
        sum += loss;
        batches++;
      }
      trainLoss = sum / batches;
      let val: number | null = null;
      if (o.validation && best) {
        val = evaluateLoss(model, p, o.validation.x, o.validation.y, o.validation.n);
        if (val < bestVal - minDelta) {
          bestVal = val;
          bestEpoch = epoch;
          best.set(p);
        }
      }
      o.onEpoch?.(epoch, trainLoss, val);
      if (o.validation && epoch - bestEpoch >= patience) stopped = true;
      o.checkpoint?.save({
        epoch,
        stopped,
        params: p,
        best,
        adam: { m: state.m, v: state.v, t: state.t },
        rng: rng.getState(),
        order,
        bestVal: Number.isFinite(bestVal) ? bestVal : null,
        bestEpoch,
        trainLoss,
      });
      done = epoch;
      if (stopped) break;
    }
    if (best && bestEpoch > 0) p.set(best);
  } finally {
    for (const a of [g, xb, yb, dy]) be.free(a);
    if (best) be.free(best);
  }
  return { epochs: done, bestEpoch, trainLoss, bestValLoss: o.validation ? bestVal : null };
}
