/**
 * `cosmeta study samples|fresh`: the paper's accuracy studies at a reduced default size (full size with
 * --scale paper), as JSON and figures in an output directory.
 */

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pairOrder } from '../cosmology/limber.js';
import { taskSample } from '../data/generate.js';
import { CosmetaError } from '../errors.js';
import { paperPriorRanges } from '../inference/problem.js';
import { writeFileAtomic } from '../io/atomic.js';
import { Random } from '../math/random.js';
import { PAPER_PRETRAIN, pretrainSingleTask } from '../meta/baselines.js';
import { DEFAULT_ADAPT, type Task } from '../meta/maml.js';
import { loadMetaEmulator } from '../meta/meta-emulator.js';
import { freshRatioStudy, samplesStudy } from '../meta/studies.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { errorBarSpec, writeFigure } from '../report/figures.js';
import { latinHypercube, paperRanges, type ParameterRanges } from '../tasks/design.js';
import { multiPeakFamily, paperFamily } from '../tasks/families.js';
import { targetSample } from '../tasks/target.js';
import { DEFAULT_META_EMULATOR } from '../paths.js';

export interface StudyCliOptions {
  meta?: string;
  seed: string;
  scale: 'small' | 'paper';
  outDir: string;
}

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
  if (which !== 'samples' && which !== 'fresh') throw new CosmetaError(`unknown study "${which}"; available: samples, fresh`);
  const seed = Number(o.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new CosmetaError(`--seed ${o.seed} is not a non-negative integer`);
  const paper = o.scale === 'paper';
  mkdirSync(o.outDir, { recursive: true });
  const backend = await createBackend({ threads: availableParallelism() });
  const meta = await loadMetaEmulator(o.meta ?? DEFAULT_META_EMULATOR, backend);
  const names = meta.info.parameterNames;
  const ell = Float64Array.from(meta.info.ell);
  const prior = paperPriorRanges(names, meta.info.nBins);
  const model = meta.model;
  const adaptOptions = { ...DEFAULT_ADAPT };
  const seeds = Array.from({ length: paper ? 20 : 10 }, (_, i) => seed + i);
  const target = targetSample();
  log('theory spectra of the target sample over the inference prior...');
  const pool = await spectra(target, ell, names, prior, paper ? 30000 : 10000, seed + 101);
  const test = await spectra(target, ell, names, prior, 5000, seed + 102);

  if (which === 'samples') {
    const sizes = [100, 200, 500, 1000];
    log('single-task baseline: pre-training on one other sample of the paper family...');
    const other = taskSample(paperFamily(), seed, 0);
    const single = await spectra(other, ell, names, paperRanges(), paper ? 20000 : 5000, seed + 103);
    // Reduced scale: 5,000 spectra in batches of 1,000 for at most 300 epochs (paper: 20,000 in batches of 5,000).
    const pre = pretrainSingleTask(model, single, { ...PAPER_PRETRAIN, batchSize: paper ? 5000 : 1000, epochs: paper ? PAPER_PRETRAIN.epochs : 300, seed });
    const rows = samplesStudy(model, { maml: meta.params, 'single-task': pre }, pool, test, sizes, seeds, adaptOptions, (r) =>
      log(`${r.method}, ${r.samples} spectra: MAPE ${r.mape.mean.toFixed(3)} +/- ${r.mape.std.toFixed(3)}%, f5 ${r.f5.mean.toFixed(4)}`),
    );
    const result = { study: 'samples', scale: o.scale, seeds, adapt: adaptOptions, meta: meta.info.training, singleTaskSpectra: single.n, test: test.n, rows };
    writeFileAtomic(join(o.outDir, 'samples.json'), `${JSON.stringify(result, null, 2)}\n`);
    const panel = (key: 'mape' | 'f5') => rows.map((r) => ({ x: r.samples, y: r[key].mean, lo: Math.max(0, r[key].mean - r[key].std), hi: r[key].mean + r[key].std, series: r.method }));
    await writeFigure(
      errorBarSpec([
        { rows: panel('mape'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'MAPE (%)' } },
        { rows: panel('f5'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'f5 (fraction with mean APE > 5%)' } },
      ]),
      join(o.outDir, 'samples.png'),
    );
  } else {
    const sizes = paper ? [500, 1000, 2000, 5000, 10000, 20000] : [500, 2000, 8000];
    const ood = taskSample(multiPeakFamily(), seed, 0);
    const results: Record<string, unknown> = {};
    const figureRows: Array<Record<string, unknown>> = [];
    for (const [label, sample, p, t] of [
      ['target', target, pool, test],
      ['out-of-distribution (three peaks)', ood, null, null],
    ] as const) {
      const samplePool = p ?? (await spectra(sample, ell, names, prior, Math.max(...sizes, 1000) + 1000, seed + 104));
      const sampleTest = t ?? (await spectra(sample, ell, names, prior, 5000, seed + 105));
      const info = { parameterNames: names, ell: meta.info.ell, pairs: pairOrder(meta.info.nBins), z: Array.from(sample.z), nz: sample.nz.map((b) => Array.from(b)) };
      const rows = freshRatioStudy(model, meta.params, samplePool, sampleTest, sizes, 100, seeds.slice(0, 3), adaptOptions, info, (r) =>
        log(`${label}: fresh on ${r.freshSamples} spectra: MAPE ${r.fresh.mape.toFixed(3)}% vs MAML(100) ${r.maml.mape.toFixed(3)}% -> ratio ${r.ratio.mape.toFixed(2)}`),
      );
      results[label] = rows;
      for (const r of rows) figureRows.push({ x: r.freshSamples, y: r.ratio.mape, lo: r.ratio.mape, hi: r.ratio.mape, series: label });
    }
    writeFileAtomic(join(o.outDir, 'fresh.json'), `${JSON.stringify({ study: 'fresh', scale: o.scale, mamlSamples: 100, sizes, results }, null, 2)}\n`);
    await writeFigure(errorBarSpec([{ rows: figureRows, x: { title: 'fresh training spectra', log: true }, y: { title: 'MAPE fresh / MAPE MAML(100)', log: true } }]), join(o.outDir, 'fresh.png'));
  }
  backend.dispose();
}
