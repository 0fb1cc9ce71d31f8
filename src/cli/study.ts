/**
 * `cosmeta study samples|fresh|volume`: the paper's accuracy studies (i), (ii) and (iii) at a reduced
 * default size (full size with --scale paper; --scale tiny only exercises every step, in seconds), as JSON
 * and figures in an output directory.
 */

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pairOrder } from '../cosmology/limber.js';
import { DatasetReader } from '../data/dataset-file.js';
import { taskSample } from '../data/generate.js';
import { CosmetaError } from '../errors.js';
import { paperPriorRanges } from '../inference/problem.js';
import { writeFileAtomic } from '../io/atomic.js';
import { fitCheckpointer, removeCheckpoint, rowCheckpoint } from '../io/checkpoint.js';
import { withOutputLock } from '../io/lock.js';
import { Random } from '../math/random.js';
import { PAPER_PRETRAIN, pretrainSingleTask } from '../meta/baselines.js';
import { DEFAULT_ADAPT, PAPER_MAML, type Task } from '../meta/maml.js';
import { loadMetaEmulator, metaTrainFromDataset } from '../meta/meta-emulator.js';
import { FRESH_SCHEDULE, freshRatioStudy, PAPER_VOLUME_GRID, samplesStudy, volumeStudy, type FreshRatioRow, type FreshSchedule, type SamplesStudyRow, type VolumeGrid, type VolumeRow } from '../meta/studies.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { errorBarSpec, writeFigure } from '../report/figures.js';
import { latinHypercube, paperRanges, type ParameterRanges } from '../tasks/design.js';
import { multiPeakFamily, paperFamily } from '../tasks/families.js';
import { targetSample } from '../tasks/target.js';
import { DEFAULT_META_EMULATOR } from '../paths.js';
import { integer, requireFile } from './args.js';

export type StudyScale = 'tiny' | 'small' | 'paper';

export interface StudyCliOptions {
  meta?: string;
  data?: string;
  epochs?: string;
  seed: string;
  scale: StudyScale;
  outDir: string;
}

/** The sizes of the three studies at one --scale (spectra counts are per sample). */
interface StudySizes {
  /** Seeds of studies (i) and (iii); study (ii) uses the first `freshSeeds`. */
  seeds: number;
  /** Maximum full-batch Adam steps of every adaptation. */
  adaptSteps: number;
  /** Target-sample pool to draw fine-tuning sets from, and test set (studies i and ii). */
  pool: number;
  test: number;
  samples: { sizes: number[]; singleTask: number; batchSize: number; epochs: number };
  /** Study (ii): MAML's fine-tuning spectra, fresh training sizes, the three-peak pool and test set. */
  fresh: { mamlSamples: number; sizes: number[]; seeds: number; oodPool: number; oodTest: number; schedule: FreshSchedule };
  volume: { grid: VolumeGrid; epochs: number; pool: number; test: number; fineTune: number; seeds: number };
}

const FRESH_SMALL = [500, 2000, 8000];
const FRESH_PAPER = [500, 1000, 2000, 5000, 10000, 20000];
const STUDY_SIZES: Record<StudyScale, StudySizes> = {
  tiny: {
    seeds: 2,
    adaptSteps: 30,
    pool: 300,
    test: 200,
    samples: { sizes: [50, 100], singleTask: 300, batchSize: 100, epochs: 20 },
    fresh: { mamlSamples: 50, sizes: [50, 150], seeds: 2, oodPool: 300, oodTest: 200, schedule: { epochs: 60, patience: 20 } },
    volume: { grid: { taskBatch: [2], tasks: [3], samples: [30] }, epochs: 2, pool: 300, test: 200, fineTune: 50, seeds: 2 },
  },
  // Reduced: 5,000 single-task spectra in batches of 1,000 for at most 300 epochs (paper: 20,000 in batches of 5,000).
  small: {
    seeds: 10,
    adaptSteps: DEFAULT_ADAPT.steps,
    pool: 10000,
    test: 5000,
    samples: { sizes: [100, 200, 500, 1000], singleTask: 5000, batchSize: 1000, epochs: 300 },
    fresh: { mamlSamples: 100, sizes: FRESH_SMALL, seeds: 3, oodPool: Math.max(...FRESH_SMALL, 1000) + 1000, oodTest: 5000, schedule: FRESH_SCHEDULE },
    volume: { grid: { taskBatch: [2, 5, 10], tasks: [20, 100], samples: [100, 500] }, epochs: 10, pool: 2000, test: 5000, fineTune: 100, seeds: 3 },
  },
  paper: {
    seeds: 20,
    adaptSteps: DEFAULT_ADAPT.steps,
    pool: 30000,
    test: 5000,
    samples: { sizes: [100, 200, 500, 1000], singleTask: 20000, batchSize: 5000, epochs: PAPER_PRETRAIN.epochs },
    fresh: { mamlSamples: 100, sizes: FRESH_PAPER, seeds: 3, oodPool: Math.max(...FRESH_PAPER, 1000) + 1000, oodTest: 5000, schedule: FRESH_SCHEDULE },
    volume: { grid: { ...PAPER_VOLUME_GRID }, epochs: PAPER_MAML.epochs, pool: 2000, test: 5000, fineTune: 100, seeds: 3 },
  },
};

/** Theory spectra of a sample at n Latin-hypercube points of `ranges`, at the meta-emulator's multipoles. */
async function spectra(sample: { z: Float64Array; nz: Float64Array[] }, ell: Float64Array, names: string[], ranges: ParameterRanges, n: number, seed: number): Promise<Task> {
  const x = latinHypercube(names, ranges, n, new Random(seed));
  const theory = new TheoryModel({ ...sample, ell, parameterNames: names });
  try {
    return { x, y: await theory.predict(x, n), n };
  } finally {
    await theory.close();
  }
}

const log = (s: string) => process.stderr.write(`cosmeta study: ${s}\n`);

export async function runStudy(which: string, o: StudyCliOptions): Promise<void> {
  if (which !== 'samples' && which !== 'fresh' && which !== 'volume') throw new CosmetaError(`unknown study "${which}"; available: samples, fresh, volume`);
  const seed = integer('--seed', o.seed);
  // One writer per study output (JSON and figure) in the output directory.
  await withOutputLock(join(o.outDir, `${which}.json`), () => (which === 'volume' ? runVolumeStudy(seed, o) : runAccuracyStudy(which, seed, o)));
}

async function runAccuracyStudy(which: 'samples' | 'fresh', seed: number, o: StudyCliOptions): Promise<void> {
  const z = STUDY_SIZES[o.scale];
  mkdirSync(o.outDir, { recursive: true });
  const backend = await createBackend({ threads: availableParallelism() });
  const meta = await loadMetaEmulator(o.meta ?? DEFAULT_META_EMULATOR, backend);
  const names = meta.info.parameterNames;
  const ell = Float64Array.from(meta.info.ell);
  const prior = paperPriorRanges(names, meta.info.nBins);
  const model = meta.model;
  const adaptOptions = { ...DEFAULT_ADAPT, steps: z.adaptSteps };
  const seeds = Array.from({ length: z.seeds }, (_, i) => seed + i);
  const target = targetSample();
  const identity = JSON.stringify({ study: which, meta: o.meta ?? 'default', seed, scale: o.scale });
  log('theory spectra of the target sample over the inference prior...');
  const pool = await spectra(target, ell, names, prior, z.pool, seed + 101);
  const test = await spectra(target, ell, names, prior, z.test, seed + 102);

  if (which === 'samples') {
    const sizes = z.samples.sizes;
    log('single-task baseline: pre-training on one other sample of the paper family...');
    const other = taskSample(paperFamily(), seed, 0);
    const single = await spectra(other, ell, names, paperRanges(), z.samples.singleTask, seed + 103);
    const preOptions = { ...PAPER_PRETRAIN, batchSize: z.samples.batchSize, epochs: z.samples.epochs, seed };
    // An interrupted study resumes: pre-training from its checkpoint, then the rows already finished.
    const prePartial = join(o.outDir, 'samples-single-task.partial');
    const pre = pretrainSingleTask(model, single, { ...preOptions, checkpoint: fitCheckpointer(prePartial, JSON.stringify({ job: 'study samples: pre-training', identity, ...preOptions })) });
    const done = rowCheckpoint<SamplesStudyRow>(join(o.outDir, 'samples.json.partial'), identity);
    const rows = samplesStudy(model, { maml: meta, 'single-task': pre }, pool, test, sizes, seeds, adaptOptions, (r) => {
      done.add(r);
      log(`${r.method}, ${r.samples} spectra: MAPE ${r.mape.mean.toFixed(3)} +/- ${r.mape.std.toFixed(3)}%, f5 ${r.f5.mean.toFixed(4)}`);
    }, done.rows);
    const result = { study: 'samples', scale: o.scale, seeds, adapt: adaptOptions, meta: meta.info.training, singleTaskSpectra: single.n, test: test.n, rows };
    writeFileAtomic(join(o.outDir, 'samples.json'), `${JSON.stringify(result, null, 2)}\n`);
    removeCheckpoint(prePartial);
    removeCheckpoint(join(o.outDir, 'samples.json.partial'));
    const panel = (key: 'mape' | 'f5') => rows.map((r) => ({ x: r.samples, y: r[key].mean, lo: Math.max(0, r[key].mean - r[key].std), hi: r[key].mean + r[key].std, series: r.method }));
    await writeFigure(
      errorBarSpec([
        { rows: panel('mape'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'MAPE (%)' } },
        { rows: panel('f5'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'f5 (fraction with mean APE > 5%)' } },
      ]),
      join(o.outDir, 'samples.png'),
    );
  } else {
    const { sizes, mamlSamples } = z.fresh;
    const ood = taskSample(multiPeakFamily(), seed, 0);
    const results: Record<string, unknown> = {};
    const figureRows: Array<Record<string, unknown>> = [];
    const partials: string[] = [];
    for (const [label, sample, p, t] of [
      ['target', target, pool, test],
      ['out-of-distribution (three peaks)', ood, null, null],
    ] as const) {
      const partial = join(o.outDir, `fresh-${partials.length}.json.partial`);
      partials.push(partial);
      const done = rowCheckpoint<FreshRatioRow>(partial, JSON.stringify({ identity, label }));
      const samplePool = p ?? (await spectra(sample, ell, names, prior, z.fresh.oodPool, seed + 104));
      const sampleTest = t ?? (await spectra(sample, ell, names, prior, z.fresh.oodTest, seed + 105));
      const info = { parameterNames: names, ell: meta.info.ell, pairs: pairOrder(meta.info.nBins), z: Array.from(sample.z), nz: sample.nz.map((b) => Array.from(b)) };
      const rows = freshRatioStudy(model, meta, samplePool, sampleTest, sizes, mamlSamples, seeds.slice(0, z.fresh.seeds), adaptOptions, info, (r) => {
        done.add(r);
        log(`${label}: fresh on ${r.freshSamples} spectra: MAPE ${r.fresh.mape.toFixed(3)}% vs MAML(${mamlSamples}) ${r.maml.mape.toFixed(3)}% -> ratio ${r.ratio.mape.toFixed(2)}`);
      }, z.fresh.schedule, done.rows);
      results[label] = rows;
      for (const r of rows) figureRows.push({ x: r.freshSamples, y: r.ratio.mape, lo: r.ratio.mape, hi: r.ratio.mape, series: label });
    }
    writeFileAtomic(join(o.outDir, 'fresh.json'), `${JSON.stringify({ study: 'fresh', scale: o.scale, mamlSamples, sizes, results }, null, 2)}\n`);
    for (const partial of partials) removeCheckpoint(partial);
    await writeFigure(errorBarSpec([{ rows: figureRows, x: { title: 'fresh training spectra', log: true }, y: { title: `MAPE fresh / MAPE MAML(${mamlSamples})`, log: true } }]), join(o.outDir, 'fresh.png'));
  }
  backend.dispose();
}

/**
 * Study (iii): the data-volume grid. Meta-trains at every grid point over the tasks of --data (the file's
 * last task validates every run) and adapts each result to 100 spectra of the target sample. Reduced grid
 * by default ({2, 5, 10} x {20, 100} x {100, 500}, at most 10 meta-epochs); the paper's grid with --scale
 * paper (which needs a file of at least 201 tasks x 2,000 spectra); --scale tiny one point, 2 x 3 x 30
 * (a file of 4 tasks x 30 spectra), 2 meta-epochs, adapted to 50 spectra.
 */
async function runVolumeStudy(seed: number, o: StudyCliOptions): Promise<void> {
  const data = requireFile('--data', o.data);
  const z = STUDY_SIZES[o.scale].volume;
  const grid: VolumeGrid = z.grid;
  const epochs = o.epochs === undefined ? z.epochs : integer('--epochs', o.epochs, 1);
  const reader = await DatasetReader.open(data);
  const h = reader.header;
  reader.close();
  const needTasks = Math.max(...grid.tasks) + 1;
  const needSamples = Math.max(...grid.samples);
  if (h.tasks < needTasks || h.samples < needSamples) {
    throw new CosmetaError(`--data ${data} holds ${h.tasks} tasks x ${h.samples} spectra; the ${o.scale} grid needs ${needTasks} x ${needSamples}`);
  }
  mkdirSync(o.outDir, { recursive: true });
  const backend = await createBackend({ threads: availableParallelism() });
  const names = h.parameterNames;
  const ell = Float64Array.from(h.ell);
  const prior = paperPriorRanges(names, h.nBins);
  const target = targetSample();
  log('theory spectra of the target sample over the inference prior...');
  const pool = await spectra(target, ell, names, prior, z.pool, seed + 101);
  const test = await spectra(target, ell, names, prior, z.test, seed + 102);
  const seeds = Array.from({ length: z.seeds }, (_, i) => seed + i);
  const adaptOptions = { ...DEFAULT_ADAPT, steps: STUDY_SIZES[o.scale].adaptSteps };
  // An interrupted study resumes: finished grid points from volume.json.partial, the current one's
  // meta-training from its own checkpoint.
  const done = rowCheckpoint<VolumeRow>(join(o.outDir, 'volume.json.partial'), JSON.stringify({ study: 'volume', data, seed, scale: o.scale, epochs }));
  const pointPartial = (b: number, t: number, s: number) => join(o.outDir, `volume-b${b}-t${t}-s${s}.partial`);
  const rows = await volumeStudy(
    grid,
    async (taskBatch, tasks, samples) => {
      const { meta, result } = await metaTrainFromDataset(data, backend, {
        tasks,
        samples,
        architecture: 'mlp',
        validationTask: h.tasks - 1,
        checkpoint: pointPartial(taskBatch, tasks, samples),
        config: { taskBatch, epochs, seed },
      });
      return { model: meta.model, params: meta.params, epochsRun: result.history.length, bestEpoch: result.bestEpoch, seconds: result.seconds };
    },
    pool,
    test,
    z.fineTune,
    seeds,
    adaptOptions,
    (r) => {
      done.add(r);
      removeCheckpoint(pointPartial(r.taskBatch, r.tasks, r.samples));
      log(`task batch ${r.taskBatch}, ${r.tasks} tasks x ${r.samples} spectra: MAPE ${r.mape.mean.toFixed(3)} +/- ${r.mape.std.toFixed(3)}% (meta-training ${r.metaSeconds.toFixed(0)} s, best epoch ${r.bestEpoch}/${r.epochsRun})`);
    },
    done.rows,
  );
  const result = { study: 'volume', scale: o.scale, data, grid, epochs, fineTune: z.fineTune, seeds, adapt: adaptOptions, test: test.n, rows };
  writeFileAtomic(join(o.outDir, 'volume.json'), `${JSON.stringify(result, null, 2)}\n`);
  removeCheckpoint(join(o.outDir, 'volume.json.partial'));
  const panels = grid.samples.map((samples) => ({
    rows: rows.filter((r) => r.samples === samples).map((r) => ({ x: r.tasks, y: r.mape.mean, lo: r.mape.mean - r.mape.std, hi: r.mape.mean + r.mape.std, series: `task batch ${r.taskBatch}` })),
    x: { title: `meta-training tasks (${samples} spectra each)`, log: true },
    y: { title: `MAPE (%) after adapting to ${z.fineTune} spectra` },
  }));
  await writeFigure(errorBarSpec(panels), join(o.outDir, 'volume.png'));
  backend.dispose();
}
