/**
 * `cosmeta mcmc --config FILE`: a survey analysis from a YAML config (src/analysis/config.ts), sampled
 * with the theory engine or an emulator whose multipoles and tracers match, to an HDF5 chain that
 * records the config; optionally GetDist text chains. Everything is checked before anything is written.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { AnalysisConfig } from '../analysis/config.js';
import { readAnalysisConfig } from '../io/config-file.js';
import { AnalysisModel, spectraInputs } from '../analysis/model.js';
import { latexLabel, surveyProblem, syntheticProblem, type AnalysisProblem } from '../analysis/problem.js';
import { CosmetaError } from '../errors.js';
import { chainSamples, summary } from '../inference/compare.js';
import { GaussianLikelihood, Posterior, type BatchedModel } from '../inference/likelihood.js';
import { runMcmc } from '../inference/mcmc.js';
import { analysisSamplerSettings } from '../analysis/sampler.js';
import { withOutputLock } from '../io/lock.js';
import { writeGetDist } from '../io/getdist.js';
import type { TwoPointData } from '../io/sacc-types.js';
import { readTwoPointFile } from '../io/two-point-file.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { Emulator } from '../meta/emulator.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { progressBar } from './progress.js';

/** The config's two-point file (SACC HDF5 or FITS, or 2pt-FITS, detected by content). */
export async function readDataFile(path: string, key = 'data.file'): Promise<TwoPointData> {
  if (!existsSync(path)) throw new CosmetaError(`${key}: ${path}: no such file`);
  return readTwoPointFile(path);
}

/**
 * Read and validate a config file and build its problem. A relative data path is taken from the
 * config's folder, or from the working directory when no such file is there.
 */
export async function loadAnalysis(configPath: string): Promise<{ config: AnalysisConfig; problem: AnalysisProblem }> {
  if (!existsSync(configPath)) throw new CosmetaError(`--config ${configPath}: no such file`);
  const config = readAnalysisConfig(configPath);
  const shape = loadLinearModel(config.theory.linear);
  if (config.data.synthetic) return { config, problem: syntheticProblem(config, shape) };
  const file = config.data.file as string;
  const beside = join(dirname(configPath), file);
  const path = isAbsolute(file) || existsSync(beside) || !existsSync(file) ? (isAbsolute(file) ? file : beside) : file;
  const data = await readDataFile(path);
  return { config, problem: surveyProblem(data, config, file, shape) };
}

/** The spectra model: the theory engine, or an emulator whose inputs, multipoles and n(z) match. */
export async function spectraModel(spec: string, problem: AnalysisProblem, threads?: number): Promise<{ model: BatchedModel; description: Record<string, unknown> }> {
  const names = spectraInputs(problem);
  if (spec === 'theory') {
    const model = new TheoryModel({
      z: problem.z,
      nz: problem.nz,
      ell: problem.ell,
      parameterNames: names,
      linear: problem.theory.linear,
      nonlinear: problem.theory.nonlinear,
      spin2: problem.theory.spin2,
      shiftConvention: problem.theory.shiftConvention,
      allowNegative: problem.theory.intrinsicAlignments,
      threads,
    });
    return { model, description: { model: 'theory', ...problem.theory } };
  }
  if (!existsSync(spec)) throw new CosmetaError(`--model ${spec}: no such file (give "theory" or an emulator .h5 file)`);
  const emu = await Emulator.load(spec, await createBackend({ threads: 1 }));
  const { ell, nz, z, parameterNames } = emu.info;
  if (ell.length !== problem.ell.length || ell.some((l, i) => Math.abs(l / problem.ell[i] - 1) > 1e-9)) {
    throw new CosmetaError(`--model ${spec}: the emulator's ${ell.length} multipoles (${ell[0]}..${ell[ell.length - 1]}) differ from the analysis's ${problem.ell.length} (${problem.ell[0]}..${problem.ell[problem.ell.length - 1]})`);
  }
  if (nz.length !== problem.nz.length) throw new CosmetaError(`--model ${spec}: the emulator has ${nz.length} tomographic bins, the analysis ${problem.nz.length} (${problem.tracers.join(', ')})`);
  const sameNz = z.length === problem.z.length && z.every((v, i) => v === problem.z[i]) && nz.every((row, b) => row.every((v, i) => Math.abs(v - problem.nz[b][i]) <= 1e-12 * Math.max(1, Math.abs(v))));
  if (!sameNz) throw new CosmetaError(`--model ${spec}: the emulator was trained for other n(z) than the analysis's tracers (${problem.tracers.join(', ')})`);
  if (parameterNames.join(',') !== names.join(',')) {
    throw new CosmetaError(`--model ${spec}: the emulator's inputs (${parameterNames.join(', ')}) differ from the spectra inputs the analysis needs (${names.join(', ')}; m_i is applied outside the emulator)`);
  }
  return { model: emu, description: { model: 'emulator', file: spec, training: emu.info.training } };
}

export interface AnalysisCliOptions {
  config: string;
  model: string;
  out?: string;
  getdist?: string;
  threads?: string;
  progress: boolean;
}

export async function runAnalysisMcmc(o: AnalysisCliOptions): Promise<void> {
  const { config, problem } = await loadAnalysis(o.config);
  const out = o.out ?? config.output.chain;
  if (!out) throw new CosmetaError('--out <chain.h5> is required (or output.chain in the config)');
  const getdist = o.getdist ?? config.output.getdist;
  const threads = o.threads === undefined ? undefined : Number(o.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0)) throw new CosmetaError(`--threads ${o.threads} is not an integer >= 0`);
  const settings = analysisSamplerSettings(config, problem);
  // One writer per chain (and its GetDist files): a second run on the same output exits 2 naming the holder.
  await withOutputLock(out, async () => {
    const { model: spectra, description } = await spectraModel(o.model, problem, threads);
    const model = new AnalysisModel(problem, spectra);
    const bar = progressBar('mcmc |{bar}| {value}/{total} steps | acceptance {acc} | tau {tau} | {rate} steps/s', 10000);
    let started = false;
    const t0 = performance.now();
    try {
      const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
      const result = await runMcmc(posterior, settings, out, {
        description: { problem: problem.name, config, data: problem.description, ...description },
        derived: problem.derived,
        onProgress: (p) => {
          if (!o.progress) return;
          const payload = {
            acc: p.acceptance.toFixed(3),
            tau: Number.isFinite(p.tauMax) ? `${p.tauMax.toFixed(1)} (${(p.step / p.tauMax).toFixed(0)} of ${settings.tauFactor})` : '-',
            rate: ((p.step - p.resumedFrom) / Math.max(1e-9, (performance.now() - t0) / 1000)).toFixed(1),
          };
          if (!started) {
            started = true;
            bar.start(p.maxSteps, p.step, payload);
          } else bar.update(p.step, payload);
        },
      });
      if (started) bar.stop();
      started = false;
      const derivedNames = problem.derived.map((d) => d.name);
      const names = [...result.chain.names, ...derivedNames];
      const samples = chainSamples(result.chain, names, undefined, problem.derived);
      if (getdist) {
        const burn = Math.min(result.chain.burnIn, Math.floor(result.chain.steps / 2));
        const W = result.chain.walkers;
        const lp = result.chain.logProb.subarray(burn * W, result.chain.steps * W);
        writeGetDist(
          getdist,
          names.map((name, i) => {
            const spec = problem.parameters.find((p) => p.name === name);
            return {
              name,
              latex: spec?.label ?? latexLabel(name),
              derived: i >= result.chain.names.length,
              values: samples.columns[i],
              range: spec?.prior.kind === 'flat' ? ([spec.prior.min, spec.prior.max] as [number, number]) : undefined,
            };
          }),
          Float64Array.from(lp, (v) => -v),
        );
      }
      const summaryOut = Object.fromEntries(names.map((n, i) => [n, summary(samples.columns[i])]));
      const report = {
        chain: out,
        ...(getdist ? { getdist: [`${getdist}.txt`, `${getdist}.paramnames`, `${getdist}.ranges`] } : {}),
        problem: problem.name,
        data: problem.description,
        steps: result.chain.steps,
        converged: result.converged,
        tau: Object.fromEntries(result.chain.names.map((n, i) => [n, result.tau[i]])),
        acceptance: result.acceptance,
        seconds: result.seconds,
        timing: model.timing,
        ...summaryOut,
        summary: summaryOut,
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (!result.converged) process.stderr.write(`cosmeta mcmc: warning: not converged to ${settings.tauFactor} tau within ${settings.maxSteps} steps\n`);
    } finally {
      if (started) bar.stop();
      await model.close();
    }
  });
}

