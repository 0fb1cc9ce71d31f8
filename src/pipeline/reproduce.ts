/**
 * `cosmeta reproduce`: the whole of arXiv:2504.00552 in one run, as a sequence of stages whose outputs are
 * files under one directory. A stage whose files exist is skipped, so an interrupted run resumes where it
 * stopped (dataset generation and chains also resume inside their stage); the settings are recorded in
 * OUT/reproduce.json and a rerun with different ones is refused. The report stage always runs: it reads
 * every earlier output and writes OUT/summary.json, OUT/report.md and the figures, so the report's numbers
 * are exactly the files' numbers.
 *
 *   data/tasks.h5               meta-training tasks of the paper's family (+1 for meta-validation)
 *   data/target-{train,test}.h5 the inference target sample over the inference prior
 *   data/single-task.h5         one other sample (the single-task baseline's pre-training set)
 *   data/ood-{train,test}.h5    an out-of-distribution three-peak sample (study ii)
 *   models/meta.h5              the meta-emulator; models/single-task.h5 the pre-trained baseline
 *   emulators/*.h5              MAML, single-task and fresh emulators of the target sample
 *   studies/{samples,fresh}.json
 *   chains/*.h5                 posteriors with the full theory and with each emulator
 */

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pairOrder } from '../cosmology/limber.js';
import { DEFAULT_LINEAR_MODEL } from '../cosmology/transfer/index.js';
import { DatasetReader } from '../data/dataset-file.js';
import { generateDataset, type GenerateConfig } from '../data/generate.js';
import { CosmetaError } from '../errors.js';
import { GaussianLikelihood, Posterior, type BatchedModel } from '../inference/likelihood.js';
import { runMcmc, DEFAULT_MCMC } from '../inference/mcmc.js';
import { paperPriorRanges, paperProblem } from '../inference/problem.js';
import { writeFileAtomic } from '../io/atomic.js';
import { fitCheckpointer, removeCheckpoint, removeFinishedCheckpoints, rowCheckpoint } from '../io/checkpoint.js';
import { clearStaleLocks, withOutputLock } from '../io/lock.js';
import { nodeLinearOptions } from '../io/pk-emulator-file.js';
import { PAPER_PRETRAIN, pretrainSingleTask } from '../meta/baselines.js';
import { Emulator, type EmulatorInfo } from '../meta/emulator.js';
import { DEFAULT_ADAPT, PAPER_MAML, type AdaptOptions, type Task } from '../meta/maml.js';
import { adaptMetaEmulator, loadMetaEmulator, metaTrainFromDataset, saveMetaEmulator, type MetaEmulator } from '../meta/meta-emulator.js';
import { accuracy } from '../meta/metrics.js';
import { draw, freshRatioRow, freshRatioStudy, samplesStudy, trainFreshEmulator, type FreshRatioRow, type SamplesStudyRow } from '../meta/studies.js';
import type { Backend } from '../nn/backend.js';
import { loadModel, saveModel } from '../nn/serialize.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { fixedSample, multiPeakFamily, paperFamily } from '../tasks/families.js';
import { paperRanges } from '../tasks/design.js';
import { METHODS, pipelineFiles, type Method } from './files.js';
import { writeReport } from './report.js';
import type { ReproduceScale } from './scales.js';

/** How the pipeline talks to its user (the CLI draws progress bars; tests stay quiet). */
export interface PipelineUi {
  stage(index: number, total: number, name: string, skipped: boolean): void;
  stageDone(name: string, seconds: number): void;
  log(line: string): void;
  /** A progress bar over `total` units; `note` is a short status. */
  bar(label: string, total: number): { update(value: number, note?: string): void; stop(): void };
}

export const QUIET_UI: PipelineUi = {
  stage: () => {},
  stageDone: () => {},
  log: () => {},
  bar: () => ({ update: () => {}, stop: () => {} }),
};

export interface ReproduceOptions {
  outDir: string;
  scale: ReproduceScale;
  seed: number;
  threads?: number;
  ui?: PipelineUi;
}

/** Check that a scale's sizes fit together; throws a CosmetaError naming the first problem. */
export function validateScale(s: ReproduceScale): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new CosmetaError(`scale ${s.name}: ${name} must be a positive integer, got ${v}`);
  };
  for (const [name, v] of Object.entries({ 'data.tasks': s.data.tasks, 'data.samples': s.data.samples, 'meta.epochs': s.meta.epochs, 'target.test': s.target.test, adaptSteps: s.adaptSteps, 'mcmc.maxSteps': s.mcmc.maxSteps })) positive(name, v);
  if (s.meta.tasks + 1 > s.data.tasks) throw new CosmetaError(`scale ${s.name}: meta-training uses ${s.meta.tasks} tasks + 1 for validation but only ${s.data.tasks} are generated`);
  if (s.meta.samples > s.data.samples || s.meta.validationSamples >= s.data.samples) throw new CosmetaError(`scale ${s.name}: meta-training needs more spectra per task than the ${s.data.samples} generated`);
  if (s.meta.tasks < PAPER_MAML.taskBatch) throw new CosmetaError(`scale ${s.name}: meta-training needs at least ${PAPER_MAML.taskBatch} tasks (one task batch)`);
  if (!s.fresh.sizes.includes(s.fineTune)) throw new CosmetaError(`scale ${s.name}: the fresh sizes must include the fine-tuning size ${s.fineTune} (its chain is compared)`);
  const most = Math.max(s.fineTune, ...s.fresh.sizes, ...s.study.sizes);
  if (most > s.target.train) throw new CosmetaError(`scale ${s.name}: ${most} training spectra are drawn from a target pool of ${s.target.train}`);
  if (Math.max(s.fineTune, ...s.ood.sizes) > s.ood.train) throw new CosmetaError(`scale ${s.name}: the out-of-distribution pool of ${s.ood.train} is smaller than a training size`);
  if (s.mcmc.burnIn >= s.mcmc.maxSteps) throw new CosmetaError(`scale ${s.name}: burn-in ${s.mcmc.burnIn} must be shorter than the chains (${s.mcmc.maxSteps} steps)`);
  if (s.study.seeds < 1 || s.ood.seeds < 1) throw new CosmetaError(`scale ${s.name}: the studies need at least one seed`);
}

/** Seeds of the pipeline's independent random streams, all derived from the one seed given. */
export function pipelineSeeds(seed: number) {
  return {
    tasks: seed,
    targetTrain: seed + 1,
    targetTest: seed + 2,
    singleTask: seed + 3,
    oodTrain: seed + 4,
    oodTest: seed + 5,
    meta: seed,
    /** Studies and the compared emulators use seeds study, study + 1, ... (the compared ones: the first). */
    study: seed,
    mcmc: seed,
  };
}

interface Stage {
  name: string;
  /** Files that exist once the stage is complete (relative to the output directory). */
  outputs: string[];
  /** Always rerun (cheap and derived from the other files). */
  always?: boolean;
  run(): Promise<void>;
}

/** Stage wall times [s] recorded by earlier runs in OUT/stages.json ({} before the first). */
function readStageTimes(path: string): Record<string, number> {
  if (!existsSync(path)) return {};
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    v = null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new CosmetaError(`${path}: not a JSON object of stage times in seconds; delete it (only the report's run-time table uses it)`);
  }
  return v as Record<string, number>;
}

/** Run the pipeline (or the stages still missing), holding the lock on the output directory. */
export async function reproduce(o: ReproduceOptions): Promise<void> {
  validateScale(o.scale);
  await withOutputLock(o.outDir, () => runStages(o));
}

async function runStages(o: ReproduceOptions): Promise<void> {
  const s = o.scale;
  validateScale(s);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 32 - 100) throw new CosmetaError(`seed ${o.seed} must be an integer in [0, 2^32 - 100)`);
  const ui = o.ui ?? QUIET_UI;
  const threads = o.threads ?? availableParallelism();
  const F = pipelineFiles(s);
  const seeds = pipelineSeeds(o.seed);
  const out = (rel: string) => join(o.outDir, rel);
  for (const dir of ['data', 'models', 'emulators', 'studies', 'chains', 'figures']) mkdirSync(out(dir), { recursive: true });
  // Locks and checkpoints of stage outputs left by a killed run (whose finished outputs a rerun skips) go first.
  clearStaleLocks(o.outDir);
  removeFinishedCheckpoints(o.outDir);

  const settings = `${JSON.stringify({ scale: s, seed: o.seed }, null, 2)}\n`;
  if (existsSync(out(F.settings))) {
    if (readFileSync(out(F.settings), 'utf8') !== settings) {
      throw new CosmetaError(`${o.outDir} holds a run with other settings (${out(F.settings)}); give another --out-dir, or delete it to start again`);
    }
  } else writeFileAtomic(out(F.settings), settings);
  const stageTimes = readStageTimes(out(F.stages));

  const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
  const parameterNames = Object.keys(paperRanges(problem.nz.length));
  if (parameterNames.join() !== problem.parameters.map((p) => p.name).join()) throw new Error('the training inputs and the inference parameters differ');
  const prior = paperPriorRanges(parameterNames, problem.nz.length);
  const P = parameterNames.length;
  const D = problem.data.length;
  const adaptOptions = (seed: number): AdaptOptions => ({ ...DEFAULT_ADAPT, steps: s.adaptSteps, seed });
  const studySeeds = Array.from({ length: s.study.seeds }, (_, i) => seeds.study + i);
  const emulatorInfo = (sample: { z: Float64Array; nz: Float64Array[] }): Omit<EmulatorInfo, 'training'> => ({
    parameterNames,
    ell: Array.from(problem.ell),
    pairs: pairOrder(problem.nz.length),
    z: Array.from(sample.z),
    nz: sample.nz.map((b) => Array.from(b)),
  });

  let backend: Backend | null = null;
  const nn = async () => (backend ??= await createBackend({ threads }));

  const generate = async (rel: string, label: string, config: GenerateConfig) => {
    if (existsSync(out(rel))) return;
    const bar = ui.bar(label, config.tasks * config.samples);
    try {
      await withOutputLock(out(rel), () => generateDataset({ ...config, ell: problem.ell }, out(rel), { threads, onProgress: (p) => bar.update(p.done) }));
    } finally {
      bar.stop();
    }
  };
  const target = fixedSample(problem.z, problem.nz, { sample: 'inference target (Smail z0 = 0.13, alpha = 0.78)' });
  const ood = multiPeakFamily();

  const loadMeta = async (): Promise<MetaEmulator> => loadMetaEmulator(out(F.meta), await nn());
  const release = (m: MetaEmulator) => {
    m.model.dispose();
    m.model.backend.free(m.params);
  };
  const loadPretrained = async () => {
    const m = await loadModel(out(F.pretrained), await nn());
    m.model.dispose(); // the weights stay allocated; the meta-emulator's network runs them
    return m.params;
  };

  const chain = async (rel: string, label: string, model: BatchedModel, description: Record<string, unknown>) => {
    if (existsSync(out(rel))) {
      await model.close();
      return;
    }
    const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
    const bar = ui.bar(`chain: ${label}`, s.mcmc.maxSteps);
    try {
      const r = await withOutputLock(out(rel), () => runMcmc(posterior, { ...DEFAULT_MCMC, ...s.mcmc, seed: seeds.mcmc }, out(rel), {
        description: { problem: problem.name, ...description },
        onProgress: (p) => bar.update(p.step, `acceptance ${p.acceptance.toFixed(3)}, max tau ${Number.isFinite(p.tauMax) ? p.tauMax.toFixed(0) : '-'}`),
      }));
      // Per-chain wall time (of this run; a resumed chain counts its last part only).
      stageTimes[`chain: ${label}`] = r.seconds;
    } finally {
      bar.stop();
      await model.close();
    }
  };

  const stages: Stage[] = [
    {
      name: `data: ${s.data.tasks} tasks x ${s.data.samples} spectra of the paper's family`,
      outputs: [F.tasks],
      run: () => generate(F.tasks, 'tasks', { tasks: s.data.tasks, samples: s.data.samples, seed: seeds.tasks, family: paperFamily() }),
    },
    {
      name: `data: target sample, ${s.target.train} + ${s.target.test} spectra over the inference prior`,
      outputs: [F.targetTrain, F.targetTest],
      run: async () => {
        await generate(F.targetTrain, 'target (training pool)', { tasks: 1, samples: s.target.train, seed: seeds.targetTrain, family: target, ranges: prior });
        await generate(F.targetTest, 'target (test)', { tasks: 1, samples: s.target.test, seed: seeds.targetTest, family: target, ranges: prior });
      },
    },
    {
      name: 'data: single-task and out-of-distribution samples',
      outputs: [F.singleTaskData, F.oodTrain, F.oodTest],
      run: async () => {
        await generate(F.singleTaskData, 'single-task sample', { tasks: 1, samples: s.singleTask.spectra, seed: seeds.singleTask, family: paperFamily() });
        // The same three-peak sample (task 0 of the family under one seed) for training pool and test set.
        await generate(F.oodTrain, 'three-peak sample (training pool)', { tasks: 1, samples: s.ood.train, seed: seeds.oodTrain, family: ood, ranges: prior });
        const sample = (await DatasetReader.readTask(out(F.oodTrain))).sample;
        await generate(F.oodTest, 'three-peak sample (test)', { tasks: 1, samples: s.ood.test, seed: seeds.oodTest, family: fixedSample(sample.z, sample.nz, { sample: 'three-peak, as in the training pool' }), ranges: prior });
      },
    },
    {
      name: `meta-training: FO-MAML over ${s.meta.tasks} tasks x ${s.meta.samples} spectra, at most ${s.meta.epochs} epochs`,
      outputs: [F.meta],
      run: async () => {
        const bar = ui.bar('meta-epochs', s.meta.epochs);
        try {
          const { meta } = await metaTrainFromDataset(
            out(F.tasks),
            await nn(),
            { tasks: s.meta.tasks, samples: s.meta.samples, architecture: 'mlp', checkpoint: `${out(F.meta)}.partial`, config: { epochs: s.meta.epochs, validation: { ...PAPER_MAML.validation, samples: s.meta.validationSamples }, seed: seeds.meta } },
            (e) => bar.update(e.epoch, `validation loss ${e.validationLoss.toExponential(2)}`),
          );
          await saveMetaEmulator(out(F.meta), meta);
          removeCheckpoint(`${out(F.meta)}.partial`);
          release(meta);
        } finally {
          bar.stop();
        }
      },
    },
    {
      name: `single-task baseline: pre-training on ${s.singleTask.spectra} spectra of one other sample`,
      outputs: [F.pretrained],
      run: async () => {
        const meta = await loadMeta();
        const task = await DatasetReader.readTask(out(F.singleTaskData));
        const t0 = performance.now();
        const options = { ...PAPER_PRETRAIN, batchSize: s.singleTask.batchSize, epochs: s.singleTask.epochs, patience: s.singleTask.patience, seed: seeds.singleTask };
        const partial = `${out(F.pretrained)}.partial`;
        const params = pretrainSingleTask(meta.model, task, { ...options, checkpoint: fitCheckpointer(partial, JSON.stringify({ job: 'pre-train', data: F.singleTaskData, ...options })) });
        await saveModel(out(F.pretrained), { model: meta.model, params, metadata: { kind: 'pre-trained', data: F.singleTaskData, ...options, spectra: task.n, seconds: (performance.now() - t0) / 1000 } });
        removeCheckpoint(partial);
        meta.model.backend.free(params);
        release(meta);
      },
    },
    {
      name: `emulators of the target sample: MAML, single-task and fresh with ${s.fineTune} spectra; fresh with ${s.fresh.sizes.filter((n) => n !== s.fineTune).join(', ')}`,
      outputs: [...METHODS.filter((m) => m !== 'fresh').map(F.emulator), ...s.fresh.sizes.map(F.fresh)],
      run: async () => {
        const pool = await DatasetReader.readTask(out(F.targetTrain));
        const meta = await loadMeta();
        const info = emulatorInfo(pool.sample);
        // The compared emulators use the first study seed, so they are the study's first draws.
        const fineTune = draw(pool, s.fineTune, seeds.study, P, D);
        const adapted: Array<[Method, MetaEmulator]> = [['maml', meta]];
        if (!existsSync(out(F.emulator('single-task')))) adapted.push(['single-task', { ...meta, params: await loadPretrained(), scalers: undefined }]);
        for (const [method, start] of adapted) {
          if (existsSync(out(F.emulator(method)))) continue;
          const partial = `${out(F.emulator(method))}.partial`;
          const checkpoint = fitCheckpointer(partial, JSON.stringify({ job: 'adapt', method, seed: seeds.study, samples: s.fineTune, steps: s.adaptSteps }));
          const { emulator } = adaptMetaEmulator(start, fineTune, pool.sample, { ...adaptOptions(seeds.study), checkpoint }, method === 'maml' ? 'maml-adapted' : 'single-task-adapted');
          await emulator.save(out(F.emulator(method)));
          removeCheckpoint(partial);
          emulator.backend.free(emulator.params); // its network is the meta-emulator's, still in use
          ui.log(`${F.emulator(method)}: adapted with ${s.fineTune} spectra`);
        }
        for (const [method, start] of adapted) if (method !== 'maml') start.model.backend.free(start.params);
        for (const size of s.fresh.sizes) {
          if (existsSync(out(F.fresh(size)))) continue;
          const partial = `${out(F.fresh(size))}.partial`;
          const emu = trainFreshEmulator(await nn(), pool, size, seeds.study, info, s.fresh, fitCheckpointer(partial, JSON.stringify({ job: 'fresh', size, seed: seeds.study, schedule: s.fresh })));
          await emu.save(out(F.fresh(size)));
          removeCheckpoint(partial);
          emu.dispose();
          ui.log(`${F.fresh(size)}: trained from scratch on ${size} spectra`);
        }
        release(meta);
      },
    },
    {
      name: `study (i): MAML and single-task against ${s.study.sizes.join(', ')} fine-tuning spectra, ${s.study.seeds} seeds`,
      outputs: [F.samplesStudy],
      run: async () => {
        const pool = await DatasetReader.readTask(out(F.targetTrain));
        const test = await DatasetReader.readTask(out(F.targetTest));
        const meta = await loadMeta();
        const pretrained = await loadPretrained();
        const starts = { maml: meta, 'single-task': pretrained };
        // Rows finished before an interruption are kept in studies/samples.json.partial and reused.
        const done = rowCheckpoint<SamplesStudyRow>(`${out(F.samplesStudy)}.partial`, JSON.stringify({ study: 'samples', seeds: studySeeds, sizes: s.study.sizes }));
        const rows = samplesStudy(meta.model, starts, pool, test, s.study.sizes, studySeeds, adaptOptions(0), (r) => {
          done.add(r);
          ui.log(`${r.method}, ${r.samples} spectra: MAPE ${r.mape.mean.toFixed(3)} +/- ${r.mape.std.toFixed(3)}%, f5 ${r.f5.mean.toFixed(4)}`);
        }, done.rows);
        writeFileAtomic(out(F.samplesStudy), `${JSON.stringify({ study: 'samples', seeds: studySeeds, adaptSteps: s.adaptSteps, test: test.n, rows }, null, 2)}\n`);
        removeCheckpoint(`${out(F.samplesStudy)}.partial`);
        meta.model.backend.free(pretrained);
        release(meta);
      },
    },
    {
      name: `study (ii): fresh emulators against MAML(${s.fineTune}), target and three-peak samples`,
      outputs: [F.freshStudy],
      run: async () => {
        const study = JSON.parse(readFileSync(out(F.samplesStudy), 'utf8')) as { rows: SamplesStudyRow[] };
        const mamlRow = study.rows.find((r) => r.method === 'maml' && r.samples === s.fineTune);
        const test = await DatasetReader.readTask(out(F.targetTest));
        const be = await nn();
        let mamlTarget = mamlRow;
        const meta = await loadMeta();
        if (!mamlTarget) {
          const pool = await DatasetReader.readTask(out(F.targetTrain));
          mamlTarget = samplesStudy(meta.model, { maml: meta }, pool, test, [s.fineTune], studySeeds, adaptOptions(0))[0];
        }
        const targetRows: FreshRatioRow[] = [];
        for (const size of s.fresh.sizes) {
          const emu = await Emulator.load(out(F.fresh(size)), be);
          const acc = accuracy(test.y, emu.predictSync(test.x, test.n), test.n, D);
          targetRows.push(freshRatioRow(size, { ...acc, seconds: Number(emu.info.training.seconds) }, mamlTarget));
          await emu.close();
        }
        const oodPool = await DatasetReader.readTask(out(F.oodTrain));
        const oodTest = await DatasetReader.readTask(out(F.oodTest));
        const oodSeeds = Array.from({ length: s.ood.seeds }, (_, i) => seeds.study + i);
        const done = rowCheckpoint<FreshRatioRow>(`${out(F.freshStudy)}.partial`, JSON.stringify({ study: 'fresh', sizes: s.ood.sizes, seeds: oodSeeds }));
        const oodRows = freshRatioStudy(meta.model, meta, oodPool, oodTest, s.ood.sizes, s.fineTune, oodSeeds, adaptOptions(0), emulatorInfo(oodPool.sample), (r) => {
          done.add(r);
          ui.log(`three-peak: fresh on ${r.freshSamples} spectra: MAPE ${r.fresh.mape.toFixed(3)}% vs MAML(${s.fineTune}) ${r.maml.mape.toFixed(3)}%`);
        }, s.fresh, done.rows);
        const result = { study: 'fresh', mamlSamples: s.fineTune, target: targetRows, outOfDistribution: oodRows };
        writeFileAtomic(out(F.freshStudy), `${JSON.stringify(result, null, 2)}\n`);
        removeCheckpoint(`${out(F.freshStudy)}.partial`);
        release(meta);
      },
    },
    {
      name: `posterior with the full theory (${s.mcmc.walkers} walkers, at most ${s.mcmc.maxSteps} steps)`,
      outputs: [F.theoryChain],
      run: () =>
        chain(F.theoryChain, 'theory', new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames, ...problem.theory, threads }), {
          model: 'theory',
          ...problem.theory,
        }),
    },
    {
      name: `posteriors with the MAML, single-task and fresh emulators (${s.fineTune} spectra)`,
      outputs: METHODS.map(F.chain),
      run: async () => {
        for (const m of METHODS) {
          const file = m === 'fresh' ? F.fresh(s.fineTune) : F.emulator(m);
          // One thread per emulator chain: a 76 x 10 batch is too small to share.
          const emu = await Emulator.load(out(file), await createBackend({ threads: 1 }));
          await chain(F.chain(m), m, emu, { model: 'emulator', file });
        }
      },
    },
    {
      name: 'report: summary.json, report.md, figures',
      outputs: [F.summary, F.report],
      always: true,
      run: async () => writeReport({ outDir: o.outDir, scale: s, seed: o.seed, files: F, stageSeconds: stageTimes, backend: await nn(), problem }),
    },
  ];

  const t0 = performance.now();
  try {
    for (const [i, stage] of stages.entries()) {
      const done = !stage.always && stage.outputs.every((f) => existsSync(out(f)));
      ui.stage(i + 1, stages.length, stage.name, done);
      if (done) continue;
      const ts = performance.now();
      await stage.run();
      const seconds = (performance.now() - ts) / 1000;
      for (const f of stage.outputs) if (!existsSync(out(f))) throw new Error(`stage "${stage.name}" did not write ${f}`);
      if (!stage.always) {
        stageTimes[stage.name] = seconds;
        writeFileAtomic(out(F.stages), `${JSON.stringify(stageTimes, null, 2)}\n`);
      }
      ui.stageDone(stage.name, seconds);
    }
  } finally {
    (backend as Backend | null)?.dispose();
  }
  ui.log(`finished in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${out(F.report)}`);
}
