/**
 * `npm run bench:posterior`: the paper's inference problem sampled to 50 autocorrelation times, (1) with the
 * full theory engine on all cores and (2) with an emulator of the target sample, and the two posteriors
 * compared. The emulator is the default network trained from scratch on theory spectra of the target
 * sample over the prior (a "fresh" emulator with a large training set); its training time is reported
 * apart from its chain's. Prints the figures (JSON with --json) and writes the chains, the emulator and a
 * corner plot to results/bench/ (COSMETA_BENCH_OUT to change). Takes ~20-30 minutes on 2 cores.
 *
 * Environment: COSMETA_BENCH_TRAIN (training spectra, default 16000), COSMETA_BENCH_SEED (default 1).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pairOrder } from '../src/cosmology/limber.js';
import { chainSamples, compareSamples, summary } from '../src/inference/compare.js';
import { GaussianLikelihood, Posterior, type BatchedModel } from '../src/inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc, type McmcResult } from '../src/inference/mcmc.js';
import { paperPriorRanges, paperProblem } from '../src/inference/problem.js';
import { Random } from '../src/math/random.js';
import { Emulator, trainEmulator } from '../src/meta/emulator.js';
import { accuracy } from '../src/meta/metrics.js';
import { createBackend } from '../src/nn/wasm.js';
import { TheoryModel } from '../src/parallel/theory-model.js';
import { cornerSpec, writeFigure } from '../src/report/figures.js';
import { latinHypercube } from '../src/tasks/design.js';
import { DEFAULT_LINEAR_MODEL } from '../src/cosmology/transfer/index.js';
import { nodeLinearOptions } from '../src/io/pk-emulator-file.js';

const json = process.argv.includes('--json');
const outDir = process.env.COSMETA_BENCH_OUT ?? join('results', 'bench');
const nTrain = Number(process.env.COSMETA_BENCH_TRAIN ?? 16000);
const seed = Number(process.env.COSMETA_BENCH_SEED ?? 1);
mkdirSync(outDir, { recursive: true });
const log = (s: string) => process.stderr.write(`${s}\n`);

const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
const names = problem.parameters.map((p) => p.name);
const settings = { ...DEFAULT_MCMC, seed };

async function chain(model: BatchedModel, label: string, file: string): Promise<McmcResult> {
  rmSync(file, { force: true });
  rmSync(`${file}.partial`, { force: true });
  const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance));
  let next = 0;
  const result = await runMcmc(posterior, settings, file, {
    description: { problem: 'paper', model: label },
    onProgress: (p) => {
      if (p.step >= next) {
        next += 1000;
        log(`  ${label}: step ${p.step}, acceptance ${p.acceptance.toFixed(3)}, max tau ${p.tauMax.toFixed(1)}`);
      }
    },
  });
  await model.close();
  return result;
}

const threads = availableParallelism();
log(`emulator: ${nTrain} training spectra over the prior...`);
const t0 = performance.now();
const ranges = paperPriorRanges(names);
const nTest = 2000;
const inputs = latinHypercube(names, ranges, nTrain + nTest, new Random(seed));
const gen = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, ...problem.theory, threads });
const spectra = await gen.predict(inputs, nTrain + nTest);
await gen.close();
const dataSeconds = (performance.now() - t0) / 1000;
const D = problem.data.length;
const backend = await createBackend({ threads });
const t1 = performance.now();
const emu = trainEmulator(
  backend,
  inputs.subarray(0, nTrain * names.length),
  spectra.subarray(0, nTrain * D),
  nTrain,
  { parameterNames: names, ell: Array.from(problem.ell), pairs: pairOrder(problem.nz.length), z: Array.from(problem.z), nz: problem.nz.map((b) => Array.from(b)) },
  {
    seed,
    epochs: 400,
    batchSize: 256,
    patience: 40,
    onEpoch: (e, tr, va) => {
      if (e % 20 === 0) log(`  epoch ${e}: train ${tr.toExponential(3)}, validation ${va?.toExponential(3)}`);
    },
  },
);
const trainSeconds = (performance.now() - t1) / 1000;
const pred = emu.predictSync(inputs.subarray(nTrain * names.length), nTest);
const { mape, f5 } = accuracy(spectra.subarray(nTrain * D), pred, nTest, D);
const emuFile = join(outDir, 'fresh-emulator.h5');
await emu.save(emuFile);
backend.dispose();
const emuBackend = await createBackend({ threads: 1 });
log('emulator posterior...');
const emulated = await chain(await Emulator.load(emuFile, emuBackend), 'emulator', join(outDir, 'emulator-chain.h5'));

log(`theory posterior (${threads} threads)...`);
const theoryFile = join(outDir, 'theory-chain.h5');
const theory = await chain(new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, ...problem.theory, threads }), 'theory', theoryFile);


const params = ['Omega_m', 'S8'];
const ref = chainSamples(theory.chain, params);
const other = chainSamples(emulated.chain, params);
const comparison = compareSamples(ref, other);
const figure = join(outDir, 'posterior.png');
await writeFigure(cornerSpec([{ label: 'theory', samples: ref }, { label: `emulator (${nTrain} spectra)`, samples: other }], params), figure);

const describe = (r: McmcResult, s: typeof ref) => ({
  seconds: r.seconds,
  steps: r.chain.steps,
  converged: r.converged,
  maxTau: Math.max(...r.tau),
  acceptance: r.acceptance,
  evaluations: r.chain.steps * settings.walkers,
  summary: Object.fromEntries(params.map((p, i) => [p, summary(s.columns[i])])),
});
const result = {
  machine: { threads },
  theory: describe(theory, ref),
  emulator: {
    trainingSpectra: nTrain,
    dataSeconds,
    trainSeconds,
    testMape: mape,
    testF5: f5,
    ...describe(emulated, other),
  },
  comparison,
  paper: { theoryCpuHours: 1225, Omega_m: [0.315, 0.298, 0.332], S8: [0.85, 0.847, 0.853], bhattacharyya: { maml: 0.008, singleTask: 0.038, fresh: 0.243 } },
  figure,
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const f = (x: number, d = 4) => x.toFixed(d);
  const line = (label: string, s: Record<string, [number, number, number]>) =>
    `${label}: Omega_m = ${f(s.Omega_m[0])} +${f(s.Omega_m[2] - s.Omega_m[0])}/-${f(s.Omega_m[0] - s.Omega_m[1])}, S8 = ${f(s.S8[0])} +${f(s.S8[2] - s.S8[0])}/-${f(s.S8[0] - s.S8[1])}`;
  process.stdout.write(
    [
      `Posterior of the paper's problem (10 parameters, ${settings.walkers} walkers, until ${settings.tauFactor} tau), ${threads} threads:`,
      `  theory:   ${f(result.theory.seconds / 60, 1)} min, ${result.theory.steps} steps (${result.theory.evaluations} evaluations), max tau ${f(result.theory.maxTau, 0)}, acceptance ${f(result.theory.acceptance, 3)} (paper: 1,225 CPU-hours)`,
      `  emulator: ${f(result.emulator.seconds, 1)} s, ${result.emulator.steps} steps, max tau ${f(result.emulator.maxTau, 0)}; trained on ${nTrain} spectra (${f(dataSeconds, 0)} s theory + ${f(trainSeconds, 0)} s training), test MAPE ${f(mape, 3)}%, f5 ${f(f5, 3)}`,
      `  ${line('theory  ', result.theory.summary)}   (paper: Omega_m = 0.315 +0.017/-0.016, S8 = 0.850 +/- 0.003)`,
      `  ${line('emulator', result.emulator.summary)}`,
      `  Bhattacharyya distance (Omega_m, S8): ${f(comparison.bhattacharyya)} Gaussian, ${f(comparison.bhattacharyyaHistogram ?? Number.NaN)} histogram; shifts Omega_m ${f(comparison.meanShiftSigma.Omega_m, 2)} sigma, S8 ${f(comparison.meanShiftSigma.S8, 2)} sigma`,
      `  figure: ${figure}`,
      '',
    ].join('\n'),
  );
}
