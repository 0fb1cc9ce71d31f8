/**
 * The paper's accuracy studies (arXiv:2504.00552, docs/paper-settings.md section 6):
 * (i) MAPE and f5 against the number of fine-tuning spectra, MAML against single-task, over seeds;
 * (ii) the fresh emulator's MAPE and f5 relative to MAML's (MAML adapted with a fixed number of spectra)
 * against the fresh emulator's training-set size. Every draw is seeded; results are plain JSON.
 */

import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';
import type { Arr, Backend } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import { predictSpectra, trainEmulator, type Emulator, type EmulatorInfo } from './emulator.js';
import { adapt, type Adapted, type AdaptOptions, type FixedScalers, type Task } from './maml.js';
import { accuracy, type Accuracy } from './metrics.js';
import type { Checkpointer, FitState } from '../nn/train.js';

/** Rows of a task chosen by index. */
export function subset(task: Task, rows: ArrayLike<number>, P: number, D: number): Task {
  const n = rows.length;
  const x = new Float64Array(n * P);
  const y = new Float64Array(n * D);
  for (let r = 0; r < n; r++) {
    x.set(task.x.subarray(rows[r] * P, (rows[r] + 1) * P), r * P);
    y.set(task.y.subarray(rows[r] * D, (rows[r] + 1) * D), r * D);
  }
  return { x, y, n };
}

/** A seeded random choice of n distinct rows of a pool. */
export function draw(pool: Task, n: number, seed: number, P: number, D: number): Task {
  if (n > pool.n) throw new CosmetaError(`cannot draw ${n} spectra from a pool of ${pool.n}`);
  const idx = Int32Array.from({ length: pool.n }, (_, i) => i);
  const rng = new Random(seed);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(pool.n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return subset(pool, idx.subarray(0, n), P, D);
}

/** Accuracy on a test task of weights adapted with their scalers. */
export function evaluateAdapted(model: Sequential, a: Adapted, test: Task): Accuracy {
  return accuracy(test.y, predictSpectra(model, a.params, a.xScaler, a.yScaler, test.x, test.n), test.n, model.outSize);
}

export interface Spread {
  mean: number;
  std: number;
  values: number[];
}

function spread(values: number[]): Spread {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std, values };
}

export interface SamplesStudyRow {
  method: string;
  samples: number;
  mape: Spread;
  f5: Spread;
  adaptSeconds: Spread;
}

/** A starting point for adaptation: weights, and the scalers to keep if it was meta-trained with global ones. */
export type Start = Arr | { params: Arr; scalers?: FixedScalers };

const startOf = (s: Start): { params: Arr; scalers?: FixedScalers } => ('params' in s ? s : { params: s });

/**
 * Study (i): for each starting point (e.g. {maml: metaParams, "single-task": pretrained}), each number of
 * fine-tuning spectra and each seed, adapt to a seeded draw from `pool` and score on `test`. Rows in
 * `previous` (from an interrupted run with the same settings) are reused, not recomputed.
 */
export function samplesStudy(
  model: Sequential,
  starts: Record<string, Start>,
  pool: Task,
  test: Task,
  sizes: readonly number[],
  seeds: readonly number[],
  options: Omit<AdaptOptions, 'seed'>,
  onRow?: (row: SamplesStudyRow) => void,
  previous: readonly SamplesStudyRow[] = [],
): SamplesStudyRow[] {
  const P = model.inSize;
  const D = model.outSize;
  const rows: SamplesStudyRow[] = [];
  for (const [method, st] of Object.entries(starts)) {
    const start = startOf(st);
    for (const n of sizes) {
      const done = previous.find((r) => r.method === method && r.samples === n);
      if (done) {
        rows.push(done);
        continue;
      }
      const m: number[] = [];
      const f: number[] = [];
      const s: number[] = [];
      for (const seed of seeds) {
        const t0 = performance.now();
        const a = adapt(model, start.params, draw(pool, n, seed, P, D), { ...options, scalers: start.scalers, seed });
        s.push((performance.now() - t0) / 1000);
        const acc = evaluateAdapted(model, a, test);
        model.backend.free(a.params);
        m.push(acc.mape);
        f.push(acc.f5);
      }
      const row = { method, samples: n, mape: spread(m), f5: spread(f), adaptSeconds: spread(s) };
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}

export interface FreshRatioRow {
  freshSamples: number;
  fresh: { mape: number; f5: number; seconds: number };
  maml: { mape: number; f5: number };
  /** fresh / MAML. */
  ratio: { mape: number; f5: number | null };
}

/**
 * Study (ii): MAML adapted with `mamlSamples` spectra (mean over `seeds`) against fresh emulators trained
 * on `sizes` spectra (the default network, mini-batch Adam with early stopping).
 */
export function freshRatioStudy(
  model: Sequential,
  meta: Start,
  pool: Task,
  test: Task,
  sizes: readonly number[],
  mamlSamples: number,
  seeds: readonly number[],
  options: Omit<AdaptOptions, 'seed'>,
  info: Omit<EmulatorInfo, 'training'>,
  onRow?: (row: FreshRatioRow) => void,
  schedule: FreshSchedule = FRESH_SCHEDULE,
  previous: readonly FreshRatioRow[] = [],
): FreshRatioRow[] {
  const D = model.outSize;
  const maml = samplesStudy(model, { maml: meta }, pool, test, [mamlSamples], seeds, options)[0];
  const rows: FreshRatioRow[] = [];
  for (const n of sizes) {
    const done = previous.find((r) => r.freshSamples === n);
    if (done) {
      rows.push(done);
      continue;
    }
    const t0 = performance.now();
    const emu = trainFreshEmulator(model.backend, pool, n, seeds[0], info, schedule);
    const seconds = (performance.now() - t0) / 1000;
    const acc = accuracy(test.y, emu.predictSync(test.x, test.n), test.n, D);
    emu.dispose();
    const row = freshRatioRow(n, { ...acc, seconds }, maml);
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}

/** One row of study (ii) from a fresh emulator's accuracy and MAML's over seeds. */
export function freshRatioRow(freshSamples: number, fresh: { mape: number; f5: number; seconds: number }, maml: { mape: Spread; f5: Spread }): FreshRatioRow {
  return {
    freshSamples,
    fresh: { mape: fresh.mape, f5: fresh.f5, seconds: fresh.seconds },
    maml: { mape: maml.mape.mean, f5: maml.f5.mean },
    ratio: { mape: fresh.mape / maml.mape.mean, f5: maml.f5.mean > 0 ? fresh.f5 / maml.f5.mean : null },
  };
}

/**
 * The fresh baseline as the studies train it: the default network from scratch on a seeded draw of n
 * spectra from `pool` (mini-batches of min(256, n); by default up to 3000 epochs, early stopping after 100).
 */
export function trainFreshEmulator(backend: Backend, pool: Task, n: number, seed: number, info: Omit<EmulatorInfo, 'training'>, schedule: FreshSchedule = FRESH_SCHEDULE, checkpoint?: Checkpointer<FitState>): Emulator {
  const P = info.parameterNames.length;
  const D = info.pairs.length * info.ell.length;
  const train = draw(pool, n, seed + 1000, P, D);
  return trainEmulator(backend, train.x, train.y, n, info, { seed, epochs: schedule.epochs, batchSize: Math.min(256, n), patience: schedule.patience, checkpoint });
}

export interface FreshSchedule {
  epochs: number;
  patience: number;
}

/** The studies' schedule for fresh emulators. */
export const FRESH_SCHEDULE: Readonly<FreshSchedule> = Object.freeze({ epochs: 3000, patience: 100 });

/** Study (iii)'s grid: meta-training task batch x number of tasks x spectra per task. */
export interface VolumeGrid {
  taskBatch: number[];
  tasks: number[];
  samples: number[];
}

/** The paper's grid (arXiv:2504.00552): {2, 5, 10, 20} x {20, 60, 100, 200} x {100, 500, 1000, 2000}. */
export const PAPER_VOLUME_GRID: Readonly<VolumeGrid> = Object.freeze({ taskBatch: [2, 5, 10, 20], tasks: [20, 60, 100, 200], samples: [100, 500, 1000, 2000] });

export interface VolumeRow {
  taskBatch: number;
  tasks: number;
  samples: number;
  epochsRun: number;
  bestEpoch: number;
  metaSeconds: number;
  mape: Spread;
  f5: Spread;
}

/**
 * Study (iii): for every point of the grid, meta-train (with `metaTrainOne`, which owns the data) and
 * adapt the result to seeded draws of `fineTune` spectra from `pool`, scored on `test`. Grid points whose
 * task batch exceeds the number of tasks are skipped.
 */
export async function volumeStudy(
  grid: VolumeGrid,
  metaTrainOne: (taskBatch: number, tasks: number, samples: number) => Promise<{ model: Sequential; params: Arr; epochsRun: number; bestEpoch: number; seconds: number }>,
  pool: Task,
  test: Task,
  fineTune: number,
  seeds: readonly number[],
  options: Omit<AdaptOptions, 'seed'>,
  onRow?: (row: VolumeRow) => void,
  previous: readonly VolumeRow[] = [],
): Promise<VolumeRow[]> {
  const rows: VolumeRow[] = [];
  for (const samples of grid.samples) {
    for (const tasks of grid.tasks) {
      for (const taskBatch of grid.taskBatch) {
        if (taskBatch > tasks) continue;
        const done = previous.find((r) => r.taskBatch === taskBatch && r.tasks === tasks && r.samples === samples);
        if (done) {
          rows.push(done);
          continue;
        }
        const m = await metaTrainOne(taskBatch, tasks, samples);
        const r = samplesStudy(m.model, { maml: m.params }, pool, test, [fineTune], seeds, options)[0];
        m.model.backend.free(m.params);
        m.model.dispose();
        const row: VolumeRow = { taskBatch, tasks, samples, epochsRun: m.epochsRun, bestEpoch: m.bestEpoch, metaSeconds: m.seconds, mape: r.mape, f5: r.f5 };
        rows.push(row);
        onRow?.(row);
      }
    }
  }
  return rows;
}
