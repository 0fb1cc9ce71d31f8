/** `cosmeta meta-train`, `cosmeta adapt`, `cosmeta evaluate`: thin commands over src/meta. */

import { availableParallelism } from 'node:os';
import { integer, requireFile } from './args.js';
import { DatasetReader } from '../data/dataset-file.js';
import { CosmetaError } from '../errors.js';
import { paperPriorRanges } from '../inference/problem.js';
import { fitCheckpointer, removeCheckpoint } from '../io/checkpoint.js';
import { withOutputLock } from '../io/lock.js';
import { readRedshiftDistributions } from '../io/nz-file.js';
import { Random } from '../math/random.js';
import { Emulator } from '../meta/emulator.js';
import { DEFAULT_ADAPT, PAPER_MAML, type MetaAlgorithm } from '../meta/maml.js';
import { adaptMetaEmulator, loadMetaEmulator, metaTrainFromDataset, saveMetaEmulator } from '../meta/meta-emulator.js';
import { accuracy } from '../meta/metrics.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { DEFAULT_META_EMULATOR } from '../paths.js';
import { latinHypercube } from '../tasks/design.js';

export interface MetaTrainCliOptions {
  data?: string;
  tasks: string;
  samples: string;
  seed: string;
  algorithm: MetaAlgorithm;
  architecture: 'mlp' | 'cnn';
  innerOptimizer: 'adam' | 'sgd';
  innerLr: string;
  taskBatch: string;
  scalers: 'per-task' | 'global';
  epochs: string;
  validationSamples: string;
  out?: string;
}

export async function runMetaTrain(o: MetaTrainCliOptions): Promise<void> {
  const data = requireFile('--data', o.data);
  if (!o.out) throw new CosmetaError('--out <meta.h5> is required');
  const taskBatch = integer('--task-batch', o.taskBatch, 1);
  const tasks = integer('--tasks', o.tasks, taskBatch);
  const samples = integer('--samples', o.samples, 10);
  const seed = integer('--seed', o.seed);
  const epochs = integer('--epochs', o.epochs, 1);
  const validationSamples = integer('--validation-samples', o.validationSamples, 2);
  const innerLr = Number(o.innerLr);
  if (!(innerLr > 0)) throw new CosmetaError(`--inner-lr ${o.innerLr} is not a positive number`);
  const out = o.out;
  await withOutputLock(out, async () => {
    const backend = await createBackend({ threads: availableParallelism() });
    const { meta, result: r } = await metaTrainFromDataset(
      data,
      backend,
      { tasks, samples, architecture: o.architecture, checkpoint: `${out}.partial`, config: { algorithm: o.algorithm, taskBatch, innerOptimizer: o.innerOptimizer, innerLr, scalers: o.scalers, epochs, validation: { ...PAPER_MAML.validation, samples: validationSamples }, seed } },
      (e) => process.stderr.write(`meta-train: epoch ${e.epoch}, train ${e.trainLoss.toExponential(3)}, validation ${e.validationLoss.toExponential(3)} (${e.seconds.toFixed(1)} s)\n`),
    );
    await saveMetaEmulator(out, meta);
    removeCheckpoint(`${out}.partial`);
    process.stdout.write(`${JSON.stringify({ out, bestEpoch: r.bestEpoch, bestValidationLoss: r.bestValidationLoss, epochs: r.history.length, seconds: r.seconds })}\n`);
    backend.dispose();
  });
}

export interface AdaptCliOptions {
  meta?: string;
  nz?: string;
  samples: string;
  seed: string;
  trainData?: string;
  threads?: string;
  steps: string;
  lr: string;
  out?: string;
}

export async function runAdapt(o: AdaptCliOptions): Promise<void> {
  const t0 = performance.now();
  const metaPath = requireFile('--meta', o.meta ?? DEFAULT_META_EMULATOR);
  const nzPath = requireFile('--nz', o.nz);
  if (!o.out) throw new CosmetaError('--out <emulator.h5> is required');
  const n = integer('--samples', o.samples, 5);
  const seed = integer('--seed', o.seed);
  const out = o.out;
  await withOutputLock(out, () => adaptTo(o, metaPath, nzPath, out, n, seed, t0));
}

async function adaptTo(o: AdaptCliOptions, metaPath: string, nzPath: string, out: string, n: number, seed: number, t0: number): Promise<void> {
  const sample = readRedshiftDistributions(nzPath);
  const backend = await createBackend({ threads: 1 });
  const meta = await loadMetaEmulator(metaPath, backend);
  if (sample.nz.length !== meta.info.nBins) {
    throw new CosmetaError(`${nzPath} has ${sample.nz.length} tomographic bins but the meta-emulator ${metaPath} was trained for ${meta.info.nBins}`);
  }
  const names = meta.info.parameterNames;
  const P = names.length;
  let x: Float64Array;
  let y: Float64Array;
  if (o.trainData) {
    const reader = await DatasetReader.open(requireFile('--train-data', o.trainData));
    const h = reader.header;
    if (h.parameterNames.join(',') !== names.join(',')) throw new CosmetaError(`${o.trainData}: parameters ${h.parameterNames.join(', ')} differ from the meta-emulator's ${names.join(', ')}`);
    if (h.ell.length !== meta.info.ell.length || h.ell.some((l, i) => Math.abs(l / meta.info.ell[i] - 1) > 1e-9)) throw new CosmetaError(`${o.trainData}: multipoles differ from the meta-emulator's`);
    if (h.samples < n) throw new CosmetaError(`${o.trainData} holds ${h.samples} spectra; --samples asks for ${n}`);
    x = reader.inputs(0).slice(0, n * P);
    y = reader.spectra(0, 0, n);
    reader.close();
  } else {
    // Spectra from the theory engine over the inference prior (Latin hypercube).
    x = latinHypercube(names, paperPriorRanges(names, meta.info.nBins), n, new Random(seed));
    const theory = new TheoryModel({
      z: sample.z,
      nz: sample.nz,
      ell: Float64Array.from(meta.info.ell),
      parameterNames: names,
      threads: o.threads === undefined ? undefined : integer('--threads', o.threads),
    });
    try {
      y = await theory.predict(x, n);
    } finally {
      await theory.close();
    }
  }
  const lr = Number(o.lr);
  if (!(lr > 0)) throw new CosmetaError(`--lr ${o.lr} is not a positive number`);
  const options = { ...DEFAULT_ADAPT, steps: integer('--steps', o.steps, 1), lr, seed };
  // Fine-tuning resumes from OUT.partial after an interruption (the same arguments give the same weights).
  const partial = `${out}.partial`;
  const identity = JSON.stringify({ job: 'adapt', meta: metaPath, nz: nzPath, trainData: o.trainData ?? null, samples: n, ...options });
  const { emulator, validationRows } = adaptMetaEmulator(meta, { x, y, n }, sample, { ...options, checkpoint: fitCheckpointer(partial, identity) });
  const D = emulator.dataSize;
  const first = n - validationRows;
  const pred = emulator.predictSync(x.subarray(first * P), validationRows);
  const acc = accuracy(y.subarray(first * D), pred, validationRows, D);
  await emulator.save(out);
  removeCheckpoint(partial);
  process.stdout.write(`${JSON.stringify({ mape: acc.mape, f5: acc.f5, seconds: (performance.now() - t0) / 1000, validation: validationRows })}\n`);
  backend.dispose();
}

export interface EvaluateCliOptions {
  emu?: string;
  test?: string;
  task: string;
}

export async function runEvaluate(o: EvaluateCliOptions): Promise<void> {
  const emuPath = requireFile('--emu', o.emu);
  const testPath = requireFile('--test', o.test);
  const backend = await createBackend({ threads: 1 });
  const emu = await Emulator.load(emuPath, backend);
  const reader = await DatasetReader.open(testPath);
  const h = reader.header;
  const t = integer('--task', o.task);
  if (t >= h.tasks) throw new CosmetaError(`--task ${t}: ${testPath} has ${h.tasks} tasks`);
  if (h.parameterNames.join(',') !== emu.parameterNames.join(',')) {
    throw new CosmetaError(`${testPath}: parameters ${h.parameterNames.join(', ')} differ from the emulator's ${emu.parameterNames.join(', ')}`);
  }
  const D = h.pairs.length * h.ell.length;
  if (D !== emu.dataSize || JSON.stringify(h.pairs) !== JSON.stringify(emu.info.pairs)) {
    throw new CosmetaError(`${testPath}: data vectors of ${D} values in pair order ${JSON.stringify(h.pairs)} do not match the emulator's`);
  }
  const x = reader.inputs(t);
  const y = reader.spectra(t);
  reader.close();
  const acc = accuracy(y, emu.predictSync(x, h.samples), h.samples, D);
  process.stdout.write(`${JSON.stringify({ mape: acc.mape, f5: acc.f5, maxApe: acc.maxApe, n: acc.n })}\n`);
  backend.dispose();
}
