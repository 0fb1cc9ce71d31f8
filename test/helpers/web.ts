/**
 * What the browser tests share: `cosmeta serve` on a free port, and the Node reference for the page's
 * flow (the steps of `cosmeta adapt --nz FILE --samples N --seed S` and `cosmeta mcmc --model EMU
 * --problem paper --seed S --max-steps STEPS`, run by the library in the test's process), with the
 * comparison every browser must pass.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseConfig } from '../../src/analysis/config.js';
import { AnalysisModel, spectraInputs } from '../../src/analysis/model.js';
import { surveyProblem } from '../../src/analysis/problem.js';
import { analysisSamplerSettings } from '../../src/analysis/sampler.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { sampleChain } from '../../src/inference/chain-run.js';
import type { Chain } from '../../src/inference/chain-file.js';
import { chainSamples, summary } from '../../src/inference/compare.js';
import { GaussianLikelihood, Posterior } from '../../src/inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc } from '../../src/inference/mcmc.js';
import { paperPriorRanges, paperProblem } from '../../src/inference/problem.js';
import { readRedshiftDistributions } from '../../src/io/nz-file.js';
import { loadLinearModel, nodeLinearOptions } from '../../src/io/pk-emulator-file.js';
import { readTwoPointFile } from '../../src/io/two-point-file.js';
import { Random } from '../../src/math/random.js';
import { DEFAULT_ADAPT } from '../../src/meta/maml.js';
import type { Emulator } from '../../src/meta/emulator.js';
import { adaptMetaEmulator, loadMetaEmulator } from '../../src/meta/meta-emulator.js';
import { accuracy } from '../../src/meta/metrics.js';
import type { Backend } from '../../src/nn/backend.js';
import { createBackend } from '../../src/nn/wasm.js';
import { TheoryModel } from '../../src/parallel/theory-model.js';
import { DEFAULT_META_EMULATOR, PACKAGE_ROOT } from '../../src/paths.js';
import { latinHypercube } from '../../src/tasks/design.js';

/** The DES Y1 SACC file in its FITS form (LSST DESC firecrown's legacy_sacc_data.fits). */
export const DES_Y1_FITS = join(PACKAGE_ROOT, 'test', 'reference', 'surveys', 'des-y1', 'legacy_sacc_data.fits');
/** The same data as SACC HDF5 (firecrown's sacc_data.hdf5), which the page reads with h5wasm's browser build. */
export const DES_Y1_HDF5 = join(PACKAGE_ROOT, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');

/** Start `cosmeta serve --port 0`; resolves with the server and its URL. */
export async function startServe(): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cosmeta.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((ok, fail) => {
    let text = '';
    server.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
      if (m) ok(m[0]);
    });
    server.stderr?.on('data', (d: Buffer) => fail(new Error(d.toString())));
    server.once('exit', (code) => fail(new Error(`cosmeta serve exited with ${code}`)));
  });
  return { server, url };
}

export interface NodeReference {
  backend: Backend;
  emulator: Emulator;
  mape: number;
  f5: number;
  chain: Chain;
  S8: [number, number, number];
  Omega_m: [number, number, number];
  dispose(): void;
}

/** The page's flow for the n(z) file `file`, by the Node library (the chain goes to dir/chain.h5). */
export async function nodeReference(file: string, dir: string, o: { seed: number; spectra: number; steps: number }): Promise<NodeReference> {
  const sample = readRedshiftDistributions(file);
  const backend = await createBackend({ threads: 1 });
  const meta = await loadMetaEmulator(DEFAULT_META_EMULATOR, backend);
  const names = meta.info.parameterNames;
  const x = latinHypercube(names, paperPriorRanges(names, meta.info.nBins), o.spectra, new Random(o.seed));
  // threads: 0 computes in this thread (the worker files are compiled JavaScript); every row is computed alike.
  const theory = new TheoryModel({ z: sample.z, nz: sample.nz, ell: Float64Array.from(meta.info.ell), parameterNames: names, threads: 0 });
  const y = await theory.predict(x, o.spectra);
  await theory.close();
  const { emulator, validationRows } = adaptMetaEmulator(meta, { x, y, n: o.spectra }, sample, { ...DEFAULT_ADAPT, seed: o.seed });
  const first = o.spectra - validationRows;
  const acc = accuracy(y.subarray(first * emulator.dataSize), emulator.predictSync(x.subarray(first * names.length), validationRows), validationRows, emulator.dataSize);
  const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
  const posterior = new Posterior(problem.parameters, emulator, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
  const result = await runMcmc(posterior, { ...DEFAULT_MCMC, seed: o.seed, maxSteps: o.steps }, join(dir, 'chain.h5'), { description: { problem: 'paper', model: 'emulator' } });
  const s = chainSamples(result.chain, ['Omega_m', 'S8']);
  return {
    backend,
    emulator,
    mape: acc.mape,
    f5: acc.f5,
    chain: result.chain,
    Omega_m: summary(s.columns[0]),
    S8: summary(s.columns[1]),
    dispose() {
      emulator.dispose();
      backend.dispose();
    },
  };
}

/**
 * A browser's adaptation and chain against Node's. The same float32 kernels (fused multiply-add in both),
 * order of sums and seeded draws; but the training spectra differ in their last bits: the boltzmann_emulated
 * P(k) evaluates ~1,800 Math.exp per cosmology, whose last bit differs between this Node's V8 and a browser's.
 * Seen in Chromium: weights within 1.5e-7 of each other (largest weight 0.63: a few float32 ulps), MAPE within
 * 3e-7 relative. Bounds: weights 1e-5 of the largest, MAPE 1e-6 relative (the bound when bits differ),
 * f5 equal; the chain's quantiles 1e-8 relative (seen ~1e-13: an accept/reject flipping would move them by ~1e-3).
 */
export function expectSameAsNode(
  browser: { params: Float32Array; mape: number; f5: number; S8: number[]; Omega_m: number[]; steps: number },
  ref: NodeReference,
): { maxWeightDifference: number } {
  expect(browser.params.length).toBe(ref.emulator.params.length);
  let dw = 0;
  let wMax = 0;
  for (let i = 0; i < browser.params.length; i++) {
    dw = Math.max(dw, Math.abs(browser.params[i] - ref.emulator.params[i]));
    wMax = Math.max(wMax, Math.abs(ref.emulator.params[i]));
  }
  expect(dw).toBeLessThan(1e-5 * wMax);
  expect(Math.abs(browser.mape / ref.mape - 1)).toBeLessThan(1e-6);
  expect(browser.f5).toBe(ref.f5);
  expect(browser.steps).toBe(ref.chain.steps);
  expectSameQuantiles(browser, ref);
  return { maxWeightDifference: dw };
}

/**
 * The page's survey analysis in Node, as `cosmeta mcmc --config` runs it: the file read by path, the config
 * text with data.file = the upload's name, the theory engine in this thread, `steps` steps of the config's
 * sampler with `seed`. Returns the chain and its (Omega_m, S8) median/p16/p84.
 */
export async function nodeSurveyReference(file: string, name: string, configText: string, o: { seed: number; steps: number }): Promise<{ chain: Chain; S8: [number, number, number]; Omega_m: [number, number, number] }> {
  const config = parseConfig(configText, name);
  config.data.file = name;
  const problem = surveyProblem(await readTwoPointFile(file), config, name, loadLinearModel(config.theory.linear));
  const spectra = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: spectraInputs(problem), ...problem.theory, allowNegative: problem.theory.intrinsicAlignments, threads: 0 });
  const model = new AnalysisModel(problem, spectra);
  const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
  const chain = await sampleChain(posterior, { ...analysisSamplerSettings(config, problem), seed: o.seed, maxSteps: o.steps }, o.steps);
  await model.close();
  const s = chainSamples(chain, ['Omega_m', 'S8'], undefined, problem.derived);
  return { chain, Omega_m: summary(s.columns[0]), S8: summary(s.columns[1]) };
}

/** Quantiles within 1e-8 relative: the draws are the same; an accept/reject flipping would move them by ~1e-3. */
export function expectSameQuantiles(browser: { S8: number[]; Omega_m: number[] }, ref: { S8: number[]; Omega_m: number[] }): void {
  ref.S8.forEach((v, i) => expect(Math.abs(browser.S8[i] / v - 1)).toBeLessThan(1e-8));
  ref.Omega_m.forEach((v, i) => expect(Math.abs(browser.Omega_m[i] / v - 1)).toBeLessThan(1e-8));
}
