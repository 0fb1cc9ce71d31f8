/**
 * The last stage of `cosmeta reproduce`: read every output of the earlier stages, compute the accuracy
 * and posterior comparisons, and write OUT/summary.json (every number), OUT/report.md (the same numbers
 * next to the paper's, with the figures) and OUT/figures/*.png. Nothing here is a constant except the
 * paper's published values, which are labelled as such.
 */

import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DatasetReader } from '../data/dataset-file.js';
import { CosmetaError } from '../errors.js';
import { readChain, type Chain } from '../inference/chain-file.js';
import { chainSamples, compareSamples, defaultBurnIn, summary as quantiles } from '../inference/compare.js';
import type { InferenceProblem } from '../inference/problem.js';
import { writeFileAtomic } from '../io/atomic.js';
import { Emulator } from '../meta/emulator.js';
import { loadMetaEmulator } from '../meta/meta-emulator.js';
import { accuracy, type Accuracy } from '../meta/metrics.js';
import type { FreshRatioRow, SamplesStudyRow } from '../meta/studies.js';
import type { Backend } from '../nn/backend.js';
import { cornerSpec, errorBarSpec, nzSpec, writeFigure, type LabelledSamples } from '../report/figures.js';
import { VERSION } from '../version.js';
import { METHODS, type Method, type pipelineFiles } from './files.js';
import type { ReproduceScale } from './scales.js';

/** The paper's published numbers (arXiv:2504.00552; docs/paper-settings.md), for comparison only. */
export const PAPER_RESULTS = Object.freeze({
  mamlMape100: [1.8, 3.3],
  mamlF5_100: [0.018, 0.2],
  freshSamplesToMatchMaml100: 8000,
  bhattacharyya: { maml: 0.008, 'single-task': 0.038, fresh: 0.243 },
  theoryPosterior: { Omega_m: [0.315, 0.298, 0.332], S8: [0.85, 0.847, 0.853] },
  theoryCpuHours: 1225,
});

export interface ReportInput {
  outDir: string;
  scale: ReproduceScale;
  seed: number;
  files: ReturnType<typeof pipelineFiles>;
  stageSeconds: Record<string, number>;
  backend: Backend;
  problem: InferenceProblem;
}

const POSTERIOR_PARAMS = ['Omega_m', 'S8'];
const CORNER_PARAMS = ['Omega_m', 'S8', 'sigma8', 'h', 'n_s', 'Omega_b'];
const LABEL: Record<Method | 'theory', string> = { theory: 'full theory', maml: 'MAML', 'single-task': 'single-task', fresh: 'fresh' };

type Interval = { median: number; lo: number; hi: number };
const interval = (x: Float64Array): Interval => {
  const [median, lo, hi] = quantiles(x);
  return { median, lo, hi };
};

function chainFacts(c: Chain) {
  const tau = c.tauHistory.at(-1)?.tau ?? [];
  const accepted = c.state.accepted.reduce((a, b) => a + b, 0);
  const samples = chainSamples(c, POSTERIOR_PARAMS);
  const maxTau = tau.length ? Math.max(...tau) : Number.NaN;
  return {
    samples,
    facts: {
      walkers: c.walkers,
      steps: c.steps,
      burnIn: defaultBurnIn(c),
      acceptance: accepted / (c.steps * c.walkers),
      maxTau,
      stepsPerTau: c.steps / maxTau,
      converged: c.converged,
      Omega_m: interval(samples.columns[0]),
      S8: interval(samples.columns[1]),
    },
  };
}

export async function writeReport(o: ReportInput): Promise<void> {
  const F = o.files;
  const s = o.scale;
  const path = (rel: string) => join(o.outDir, rel);
  const json = <T>(rel: string): T => {
    try {
      return JSON.parse(readFileSync(path(rel), 'utf8')) as T;
    } catch (err) {
      throw new CosmetaError(`${path(rel)}: not valid JSON (${(err as Error).message}); delete it to recompute its stage`);
    }
  };
  const D = o.problem.data.length;

  // Accuracy of every emulator of the target sample on the test set.
  const test = await DatasetReader.readTask(path(F.targetTest));
  const evaluate = async (rel: string): Promise<Accuracy> => {
    const emu = await Emulator.load(path(rel), o.backend);
    try {
      return accuracy(test.y, emu.predictSync(test.x, test.n), test.n, D);
    } finally {
      await emu.close();
    }
  };
  const freshBySize: Array<{ samples: number } & Accuracy> = [];
  for (const size of s.fresh.sizes) freshBySize.push({ samples: size, ...(await evaluate(F.fresh(size))) });
  const fresh = freshBySize.find((r) => r.samples === s.fineTune);
  if (!fresh) throw new Error(`no fresh emulator with ${s.fineTune} spectra`); // validateScale guarantees one
  const compared: Record<Method, Accuracy> = { maml: await evaluate(F.emulator('maml')), 'single-task': await evaluate(F.emulator('single-task')), fresh };

  // Studies.
  const samplesStudy = json<{ rows: SamplesStudyRow[] }>(F.samplesStudy).rows;
  const freshStudy = json<{ target: FreshRatioRow[]; outOfDistribution: FreshRatioRow[] }>(F.freshStudy);
  const ratioRows = (rows: FreshRatioRow[]) =>
    rows.map((r) => ({ freshSamples: r.freshSamples, freshMape: r.fresh.mape, freshF5: r.fresh.f5, mamlMape: r.maml.mape, mamlF5: r.maml.f5, ratioMape: r.ratio.mape }));

  // Posteriors.
  const theoryChain = await readChain(path(F.theoryChain));
  const theory = chainFacts(theoryChain);
  const posteriors = { theory: theory.facts } as Record<Method | 'theory', PosteriorFacts>;
  const sets: LabelledSamples[] = [{ label: LABEL.theory, samples: theory.samples }];
  const cornerSets: LabelledSamples[] = [{ label: LABEL.theory, samples: chainSamples(theoryChain, CORNER_PARAMS) }];
  for (const m of METHODS) {
    const c = await readChain(path(F.chain(m)));
    const facts = chainFacts(c);
    const cmp = compareSamples(theory.samples, facts.samples);
    posteriors[m] = {
      ...facts.facts,
      bhattacharyya: cmp.bhattacharyya,
      bhattacharyyaHistogram: cmp.bhattacharyyaHistogram ?? Number.NaN, // never null for two parameters
      meanShiftSigma: cmp.meanShiftSigma,
      widthRatio: cmp.widthRatio,
    };
    const label = `${LABEL[m]} (${s.fineTune} spectra)`;
    sets.push({ label, samples: facts.samples });
    cornerSets.push({ label, samples: chainSamples(c, CORNER_PARAMS) });
  }

  // Figures.
  const fig = (name: string) => path(F.figure(name));
  const tasks = await DatasetReader.open(path(F.tasks));
  const examples = [0, 1, 2].filter((t) => t < tasks.header.tasks).map((t) => ({ label: `task ${t}`, ...tasks.sample(t) }));
  tasks.close();
  const oodSample = (await DatasetReader.readTask(path(F.oodTrain))).sample;
  await writeFigure(nzSpec([{ label: 'inference target', ...test.sample }, ...examples, { label: 'three-peak (out of distribution)', ...oodSample }]), fig('nz'));
  const panel = (key: 'mape' | 'f5') =>
    samplesStudy.map((r) => ({ x: r.samples, y: r[key].mean, lo: Math.max(0, r[key].mean - r[key].std), hi: r[key].mean + r[key].std, series: r.method }));
  await writeFigure(
    errorBarSpec([
      { rows: panel('mape'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'MAPE (%)' } },
      { rows: panel('f5'), x: { title: 'fine-tuning spectra', log: true }, y: { title: 'f5 (fraction with mean APE > 5%)' } },
    ]),
    fig('samples'),
  );
  const ratioFigure = [
    ...freshStudy.target.map((r) => ({ x: r.freshSamples, y: r.ratio.mape, lo: r.ratio.mape, hi: r.ratio.mape, series: 'target sample' })),
    ...freshStudy.outOfDistribution.map((r) => ({ x: r.freshSamples, y: r.ratio.mape, lo: r.ratio.mape, hi: r.ratio.mape, series: 'three-peak sample' })),
  ];
  await writeFigure(errorBarSpec([{ rows: ratioFigure, x: { title: 'fresh training spectra', log: true }, y: { title: `MAPE fresh / MAPE MAML(${s.fineTune})`, log: true } }]), fig('fresh-ratio'));
  await writeFigure(cornerSpec(sets, POSTERIOR_PARAMS), fig('contours'));
  await writeFigure(cornerSpec(cornerSets, CORNER_PARAMS), fig('corner'));

  const metaInfo = await metaTrainingFacts(path(F.meta), o.backend);
  const stageSeconds = o.stageSeconds;
  const summary = {
    cosmeta: VERSION,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGB: totalmem() / 2 ** 30, platform: `${process.platform} ${process.arch}`, node: process.version },
    scale: s.name,
    seed: o.seed,
    settings: s,
    seconds: { ...stageSeconds, total: Object.entries(stageSeconds).filter(([k]) => !k.startsWith('chain: ')).reduce((a, [, v]) => a + v, 0) },
    metaTraining: metaInfo,
    accuracy: { fineTuneSamples: s.fineTune, testSpectra: test.n, dataSize: D, ...compared, freshBySize },
    studies: {
      samples: samplesStudy.map((r) => ({ method: r.method, samples: r.samples, seeds: r.mape.values.length, mapeMean: r.mape.mean, mapeStd: r.mape.std, f5Mean: r.f5.mean, f5Std: r.f5.std, adaptSeconds: r.adaptSeconds.mean })),
      fresh: { target: ratioRows(freshStudy.target), outOfDistribution: ratioRows(freshStudy.outOfDistribution) },
    },
    posteriors,
    figures: Object.fromEntries(['nz', 'samples', 'fresh-ratio', 'contours', 'corner'].map((n) => [n, F.figure(n)])),
    paper: PAPER_RESULTS,
  };
  writeFileAtomic(path(F.summary), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(path(F.report), markdown(summary, s));
}

async function metaTrainingFacts(file: string, backend: Backend) {
  const m = await loadMetaEmulator(file, backend);
  m.model.dispose();
  backend.free(m.params);
  const t = m.info.training as Record<string, number>;
  return { bestEpoch: t.bestEpoch, epochsRun: t.epochsRun, bestValidationLoss: t.bestValidationLoss, seconds: t.seconds };
}

interface PosteriorFacts {
  walkers: number;
  steps: number;
  burnIn: number;
  acceptance: number;
  maxTau: number;
  stepsPerTau: number;
  converged: boolean;
  Omega_m: Interval;
  S8: Interval;
  bhattacharyya?: number;
  bhattacharyyaHistogram?: number;
  meanShiftSigma?: Record<string, number>;
  widthRatio?: Record<string, number>;
}

interface Summary {
  date: string;
  cosmeta: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; platform: string; node: string };
  seed: number;
  seconds: Record<string, number>;
  metaTraining: { bestEpoch: number; epochsRun: number; bestValidationLoss: number; seconds: number };
  accuracy: Record<Method, Accuracy> & { fineTuneSamples: number; testSpectra: number; dataSize: number; freshBySize: Array<{ samples: number; mape: number; f5: number; maxApe: number }> };
  studies: {
    samples: Array<{ method: string; samples: number; seeds: number; mapeMean: number; mapeStd: number; f5Mean: number; f5Std: number }>;
    fresh: Record<'target' | 'outOfDistribution', Array<{ freshSamples: number; freshMape: number; freshF5: number; mamlMape: number; ratioMape: number }>>;
  };
  posteriors: Record<Method | 'theory', PosteriorFacts>;
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pm = (i: Interval, d = 4) => `${f(i.median, d)} +${f(i.hi - i.median, d)} / -${f(i.median - i.lo, d)}`;

function markdown(r: Summary, s: ReproduceScale): string {
  const n = s.fineTune;
  const a = r.accuracy;
  const L: string[] = [];
  L.push('# Cosmeta reproduction of arXiv:2504.00552');
  L.push('');
  L.push(`Generated by \`cosmeta reproduce --scale ${s.name} --seed ${r.seed}\` (${r.cosmeta}) on ${r.date.slice(0, 10)}, ${r.machine.cpus} x ${r.machine.cpuModel}, ${f(r.machine.memoryGB, 1)} GB, ${r.machine.platform}, Node ${r.machine.node}. Every number below is read from this run's files; \`summary.json\` holds them all. The paper's published values are quoted for comparison.`);
  L.push('');
  if (s.name !== 'paper') {
    L.push(`This is the **${s.name}** scale: ${s.data.tasks} tasks x ${s.data.samples} spectra (the paper: 200 x 5,000), meta-training for at most ${s.meta.epochs} epochs, ${s.study.seeds} seeds in the studies (the paper: many), chains of at most ${s.mcmc.maxSteps} steps (the paper: until 50 autocorrelation times). \`--scale paper\` uses the paper's sizes.`);
    L.push('');
  }
  L.push(`## Emulator accuracy on the target sample (${n} fine-tuning spectra)`);
  L.push('');
  L.push(`Test set: ${a.testSpectra} cosmologies drawn over the inference prior. MAPE: mean absolute percentage error of C_ell over test cosmologies and all ${a.dataSize} data-vector elements; f5: fraction of test cosmologies whose mean APE exceeds 5%.`);
  L.push('');
  L.push('| emulator | MAPE (%) | f5 | worst mean APE (%) | paper |');
  L.push('|---|---|---|---|---|');
  L.push(`| MAML | ${f(a.maml.mape)} | ${f(a.maml.f5, 4)} | ${f(a.maml.maxApe, 2)} | MAPE 1.8-3.3%, f5 0.018-0.2 |`);
  L.push(`| single-task | ${f(a['single-task'].mape)} | ${f(a['single-task'].f5, 4)} | ${f(a['single-task'].maxApe, 2)} | |`);
  L.push(`| fresh | ${f(a.fresh.mape)} | ${f(a.fresh.f5, 4)} | ${f(a.fresh.maxApe, 2)} | needs ~8,000 spectra to match MAML(100) |`);
  for (const row of a.freshBySize.filter((x) => x.samples !== n)) L.push(`| fresh, ${row.samples} spectra | ${f(row.mape)} | ${f(row.f5, 4)} | ${f(row.maxApe, 2)} | |`);
  L.push('');
  L.push(`Meta-training: best meta-validation loss ${f(r.metaTraining.bestValidationLoss, 5)} at epoch ${r.metaTraining.bestEpoch} of ${r.metaTraining.epochsRun} (${f(r.metaTraining.seconds, 0)} s).`);
  L.push('');
  L.push('## Study (i): accuracy against the number of fine-tuning spectra');
  L.push('');
  L.push('| spectra | MAML MAPE (%) | MAML f5 | single-task MAPE (%) | single-task f5 |');
  L.push('|---|---|---|---|---|');
  const sizes = [...new Set(r.studies.samples.map((x) => x.samples))];
  for (const size of sizes) {
    const row = (m: string) => r.studies.samples.find((x) => x.method === m && x.samples === size);
    const cell = (m: string) => {
      const x = row(m);
      return x ? `${f(x.mapeMean)} +/- ${f(x.mapeStd)} | ${f(x.f5Mean, 4)}` : 'n/a | n/a';
    };
    L.push(`| ${size} | ${cell('maml')} | ${cell('single-task')} |`);
  }
  L.push('');
  L.push(`Mean +/- standard deviation over ${r.studies.samples[0]?.seeds ?? 0} seeds (draws of the fine-tuning set and dropout).`);
  L.push('');
  L.push('![MAPE and f5 against fine-tuning spectra](figures/samples.png)');
  L.push('');
  L.push(`## Study (ii): fresh emulators against MAML(${n})`);
  L.push('');
  L.push(`| fresh spectra | target: fresh MAPE (%) | target: fresh / MAML | three-peak: fresh MAPE (%) | three-peak: fresh / MAML |`);
  L.push('|---|---|---|---|---|');
  const allSizes = [...new Set([...r.studies.fresh.target, ...r.studies.fresh.outOfDistribution].map((x) => x.freshSamples))].sort((x, y) => x - y);
  for (const size of allSizes) {
    const t = r.studies.fresh.target.find((x) => x.freshSamples === size);
    const oo = r.studies.fresh.outOfDistribution.find((x) => x.freshSamples === size);
    L.push(`| ${size} | ${t ? f(t.freshMape) : ''} | ${t ? f(t.ratioMape, 2) : ''} | ${oo ? f(oo.freshMape) : ''} | ${oo ? f(oo.ratioMape, 2) : ''} |`);
  }
  const mamlT = r.studies.fresh.target[0]?.mamlMape;
  const mamlO = r.studies.fresh.outOfDistribution[0]?.mamlMape;
  L.push('');
  L.push(`MAML(${n}) MAPE: ${f(mamlT ?? Number.NaN)}% (target), ${f(mamlO ?? Number.NaN)}% (three-peak). The paper: a fresh emulator needs about 8,000 spectra to match MAML at 100.`);
  L.push('');
  L.push('![fresh / MAML MAPE ratio](figures/fresh-ratio.png)');
  L.push('');
  L.push('## Posteriors');
  L.push('');
  L.push(`The paper's problem: the target sample's noiseless fiducial data vector, Gaussian (Knox) covariance, 10 parameters with flat priors, ${r.posteriors.theory.walkers} walkers. Bhattacharyya distances D_B (Gaussian, and from smoothed histograms) of (Omega_m, S8) to the full-theory posterior.`);
  L.push('');
  L.push('| model | Omega_m | S8 | D_B | D_B (histogram) | paper D_B | steps | max tau | acceptance | wall time (s) |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const m of ['theory', ...METHODS] as const) {
    const p = r.posteriors[m];
    const paper = m === 'theory' ? '' : String(PAPER_RESULTS.bhattacharyya[m]);
    const db = m === 'theory' ? '0 | 0' : `${f(p.bhattacharyya ?? Number.NaN, 4)} | ${f(p.bhattacharyyaHistogram ?? Number.NaN, 4)}`;
    L.push(`| ${LABEL[m]} | ${pm(p.Omega_m)} | ${pm(p.S8)} | ${db} | ${paper} | ${p.steps} | ${f(p.maxTau, 0)} | ${f(p.acceptance)} | ${f(r.seconds[`chain: ${m}`] ?? Number.NaN, 0)} |`);
  }
  L.push('');
  L.push('The paper\'s full-theory posterior: Omega_m = 0.315 +0.017 / -0.016, S8 = 0.850 +/- 0.003, at 1,225 CPU-hours.');
  const short = (['theory', ...METHODS] as const).filter((m) => !r.posteriors[m].converged);
  if (short.length > 0) {
    L.push('');
    const independent = (m: (typeof short)[number]) => {
      const p = r.posteriors[m];
      return (p.walkers * (p.steps - p.burnIn)) / p.maxTau;
    };
    L.push(
      `Not converged to ${s.mcmc.tauFactor} autocorrelation times: the chains stop at ${s.mcmc.maxSteps} steps at this scale (${short.map((m) => `${LABEL[m]}: ${f(r.posteriors[m].stepsPerTau, 1)} tau, about ${f(independent(m), 0)} independent samples after burn-in`).join('; ')}), so the intervals and distances above carry Monte Carlo noise and early-chain bias that \`--scale paper\` removes.`,
    );
  }
  L.push('');
  L.push('![S8-Omega_m contours (68% and 95%)](figures/contours.png)');
  L.push('');
  L.push('![corner plot](figures/corner.png)');
  L.push('');
  L.push('## Galaxy samples');
  L.push('');
  L.push('The inference target, three meta-training tasks, and the out-of-distribution three-peak sample (each bin scaled to unit peak).');
  L.push('');
  L.push('![n(z)](figures/nz.png)');
  L.push('');
  L.push('## Run time');
  L.push('');
  L.push('| stage | seconds |');
  L.push('|---|---|');
  for (const [k, v] of Object.entries(r.seconds)) if (k !== 'total' && !k.startsWith('chain: ')) L.push(`| ${k} | ${f(v, 0)} |`);
  L.push(`| total (stages as last run) | ${f(r.seconds.total, 0)} |`);
  L.push('');
  return `${L.join('\n')}\n`;
}
