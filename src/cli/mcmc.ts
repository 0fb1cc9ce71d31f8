/** `cosmeta mcmc`: sample a problem's posterior with the theory engine or an emulator, to HDF5 (resumable). */

import { existsSync } from 'node:fs';
import { CosmetaError } from '../errors.js';
import { chainSamples, summary } from '../inference/compare.js';
import { withOutputLock } from '../io/lock.js';
import { nodeLinearOptions } from '../io/pk-emulator-file.js';
import { problemMoped } from '../inference/compression/problem-forecast.js';
import { GaussianLikelihood, Posterior, type BatchedModel, type Likelihood } from '../inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc, type McmcSettings } from '../inference/mcmc.js';
import { problemByName, type InferenceProblem } from '../inference/problem.js';
import { Emulator } from '../meta/emulator.js';
import { createBackend } from '../nn/wasm.js';
import { TheoryModel } from '../parallel/theory-model.js';
import { runAnalysisMcmc } from './analysis.js';
import { progressBar } from './progress.js';

export interface McmcCliOptions {
  model: string;
  problem: string;
  config?: string;
  getdist?: string;
  walkers: string;
  seed?: string;
  maxSteps: string;
  chunk: string;
  tauFactor: string;
  burnIn: string;
  linear: string;
  threads?: string;
  out?: string;
  progress: boolean;
  /** 'none' (the full Gaussian likelihood) or 'moped' (Heavens et al. 2000 compression at the fiducial point). */
  compression?: string;
}

function number(flag: string, text: string, integer: boolean): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new CosmetaError(`${flag} ${text} is not ${integer ? 'an integer' : 'a number'}`);
  }
  return v;
}

/** The batched model named on the command line: "theory" or an emulator file. */
export async function openModel(spec: string, problem: InferenceProblem, threads?: number): Promise<{ model: BatchedModel; description: Record<string, unknown> }> {
  if (spec === 'theory') {
    const model = new TheoryModel({
      z: problem.z,
      nz: problem.nz,
      ell: problem.ell,
      parameterNames: problem.parameters.map((p) => p.name),
      ...problem.theory,
      threads,
    });
    return { model, description: { model: 'theory', ...problem.theory } };
  }
  if (!existsSync(spec)) throw new CosmetaError(`--model ${spec}: no such file (give "theory" or an emulator .h5 file)`);
  const emu = await Emulator.load(spec, await createBackend({ threads: 1 }));
  const { ell, nz } = emu.info;
  if (ell.length !== problem.ell.length || ell.some((l, i) => Math.abs(l / problem.ell[i] - 1) > 1e-9)) {
    throw new CosmetaError(`${spec}: the emulator's ${ell.length} multipoles differ from the problem's ${problem.ell.length}`);
  }
  if (nz.length !== problem.nz.length) {
    throw new CosmetaError(`${spec}: the emulator has ${nz.length} tomographic bins, the problem ${problem.nz.length}`);
  }
  return { model: emu, description: { model: 'emulator', file: spec, training: emu.info.training } };
}

export async function runMcmcCli(o: McmcCliOptions): Promise<void> {
  if (o.config !== undefined) return runAnalysisMcmc({ config: o.config, model: o.model, out: o.out, getdist: o.getdist, threads: o.threads, progress: o.progress });
  if (o.getdist !== undefined) throw new CosmetaError('--getdist needs --config (GetDist chains are written for config analyses)');
  if (o.seed === undefined) throw new CosmetaError("required option '--seed <n>' not specified (or give --config, whose sampler.seed is used)");
  if (!o.out) throw new CosmetaError('--out <chain.h5> is required');
  const out = o.out;
  await withOutputLock(out, () => sample(o, out));
}

async function sample(o: McmcCliOptions, outPath: string): Promise<void> {
  const settings: McmcSettings = {
    ...DEFAULT_MCMC,
    walkers: number('--walkers', o.walkers, true),
    seed: number('--seed', o.seed as string, true),
    maxSteps: number('--max-steps', o.maxSteps, true),
    chunk: number('--chunk', o.chunk, true),
    tauFactor: number('--tau-factor', o.tauFactor, false),
    burnIn: number('--burn-in', o.burnIn, true),
  };
  const threads = o.threads === undefined ? undefined : number('--threads', o.threads, true);
  const problem = problemByName(o.problem, { linear: o.linear, linearOptions: nodeLinearOptions(o.linear) });
  const { model, description } = await openModel(o.model, problem, threads);
  const bar = progressBar('mcmc |{bar}| {value}/{total} steps | acceptance {acc} | tau {tau} ({ntau}) | {rate} steps/s', 10000);
  let started = false;
  const stopBar = () => {
    if (started) bar.stop();
    started = false;
  };
  const t0 = performance.now();
  let resumed = 0;
  try {
    const compression = o.compression ?? 'none';
    const likelihood: Likelihood = compression === 'moped' ? (await problemMoped(problem, model)).likelihood : new GaussianLikelihood(problem.data, problem.covariance);
    const posterior = new Posterior(problem.parameters, model, likelihood, problem.fixed);
    const result = await runMcmc(posterior, settings, outPath, {
      description: { problem: problem.name, ...description, ...(compression === 'none' ? {} : { compression }) },
      onProgress: (p) => {
        if (!o.progress) return;
        const payload = {
          acc: p.acceptance.toFixed(3),
          tau: Number.isFinite(p.tauMax) ? p.tauMax.toFixed(1) : '-',
          ntau: Number.isFinite(p.tauMax) ? `${(p.step / p.tauMax).toFixed(0)} tau of ${settings.tauFactor}` : 'first check after one chunk',
          rate: ((p.step - resumed) / Math.max(1e-9, (performance.now() - t0) / 1000)).toFixed(1),
        };
        if (!started) {
          started = true;
          resumed = p.resumedFrom;
          if (p.resumedFrom > 0) process.stderr.write(`cosmeta mcmc: resuming from step ${p.resumedFrom}\n`);
          bar.start(p.maxSteps, p.step, payload);
        } else bar.update(p.step, payload);
      },
    });
    stopBar();
    const samples = chainSamples(result.chain, ['Omega_m', 'S8']);
    const out = {
      chain: outPath,
      steps: result.chain.steps,
      converged: result.converged,
      tau: Object.fromEntries(result.chain.names.map((n, i) => [n, result.tau[i]])),
      acceptance: result.acceptance,
      seconds: result.seconds,
      summary: Object.fromEntries(samples.names.map((n, i) => [n, summary(samples.columns[i])])),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    if (!result.converged) process.stderr.write(`cosmeta mcmc: warning: not converged to ${settings.tauFactor} tau within ${settings.maxSteps} steps\n`);
  } finally {
    stopBar();
    await model.close();
  }
}
