/**
 * `npm run bench:imnn`: IMNNs trained on the two problems with known answers, against their exact Fisher
 * information (src/inference/compression/imnn-toys.ts):
 *   gauss  mean and variance of 10 Gaussian data points at theta_fid = (0, 1): det F = 50 (bar: >= 0.95 x 50)
 *   field  P(k) = A k^-B on 32 x 32 pixels at theta_fid = (1, 0.5), log band powers as the input
 *          (bar: det F >= 0.9 x det of 1/2 Tr(P_,a P^-1 P_,b P^-1))
 * Inputs are standardised with the training fiducial set's mean and sd (inputScaler). det F is measured on validation simulations (other seeds; 5000 + 5000 by default), next to the det F
 * that the ideal summaries (sufficient statistics, or the field's exact score) reach on the same set. Prints the figures
 * (JSON with --json). Run one problem with `node dist/bench/imnn.js gauss` (or field).
 *
 * Environment: COSMETA_BENCH_SEED (default 1); overrides of the schedule for both problems:
 * COSMETA_IMNN_NS (fiducial = derivative simulations per set), COSMETA_IMNN_HIDDEN (e.g. 64,64),
 * COSMETA_IMNN_RESAMPLE (fresh training simulations every N iterations), COSMETA_IMNN_VALIDATION (validation simulations), COSMETA_IMNN_ACTIVATION (silu or relu), COSMETA_IMNN_LR, COSMETA_IMNN_ITERATIONS.
 */

import { Random } from '../src/math/random.js';
import type { Backend } from '../src/nn/backend.js';
import { mlp } from '../src/nn/model.js';
import { createBackend } from '../src/nn/wasm.js';
import { inputScaler, outputsOf, simulateSet, trainImnn, type SeededSimulator } from '../src/inference/compression/imnn.js';
import { imnnStatistics } from '../src/inference/compression/imnn-loss.js';
import { GaussianMeanVariance, PowerLawFieldBands } from '../src/inference/compression/imnn-toys.js';

const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seed = Number(process.env.COSMETA_BENCH_SEED ?? 1);
const nVal = Number(process.env.COSMETA_IMNN_VALIDATION ?? 5000);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Case {
  name: string;
  sim: SeededSimulator;
  /** The ideal summaries (sufficient statistics or the exact score) of the simulation with a seed. */
  ideal: (theta: ArrayLike<number>, seed: number) => Float64Array;
  thetaFid: number[];
  delta: number[];
  exactDetF: number;
  bar: number;
  nS: number;
  nD: number;
  hidden: number[];
  activation: 'silu' | 'relu';
  lr: number;
  maxIterations: number;
  /** Fresh training simulations every this many iterations (0: one fixed set). */
  resample: number;
  extra?: Record<string, number>;
}

const det = (F: Float64Array) => F[0] * F[3] - F[1] * F[2];

function cases(): Case[] {
  const gauss = new GaussianMeanVariance(10);
  const field = new PowerLawFieldBands(32, 24);
  const fieldFid = [1, 0.5];
  return [
    { name: 'gauss', sim: gauss, ideal: (t, s) => gauss.idealSummaries(t, s), thetaFid: [0, 1], delta: [0.1, 0.1], exactDetF: det(gauss.fisher([0, 1])), bar: 0.95, nS: 1000, nD: 1000, hidden: [64, 64], activation: 'silu', lr: 1e-2, maxIterations: 3000, resample: 1 },
    {
      name: 'field',
      sim: field,
      ideal: (t, s) => field.idealSummaries(t, s, fieldFid),
      thetaFid: fieldFid,
      delta: [0.1, 0.1],
      exactDetF: det(field.fisher(fieldFid)),
      bar: 0.9,
      nS: 3000,
      nD: 3000,
      hidden: [64, 64],
      activation: 'relu',
      lr: 1e-2,
      maxIterations: 2000,
      resample: 0,
      extra: { bandGaussianDetF: det(field.bandFisher(fieldFid)) },
    },
  ];
}

function overrides(c: Case): Case {
  const env = process.env;
  const nS = env.COSMETA_IMNN_NS ? Number(env.COSMETA_IMNN_NS) : c.nS;
  return {
    ...c,
    nS,
    nD: nS,
    hidden: env.COSMETA_IMNN_HIDDEN ? env.COSMETA_IMNN_HIDDEN.split(',').map(Number) : c.hidden,
    activation: env.COSMETA_IMNN_ACTIVATION === 'relu' ? 'relu' : env.COSMETA_IMNN_ACTIVATION === 'silu' ? 'silu' : c.activation,
    lr: env.COSMETA_IMNN_LR ? Number(env.COSMETA_IMNN_LR) : c.lr,
    maxIterations: env.COSMETA_IMNN_ITERATIONS ? Number(env.COSMETA_IMNN_ITERATIONS) : c.maxIterations,
    resample: env.COSMETA_IMNN_RESAMPLE ? Number(env.COSMETA_IMNN_RESAMPLE) : c.resample,
  };
}

async function run(be: Backend, c: Case) {
  const t0 = performance.now();
  const alloc = (n: number) => be.alloc(n);
  const training = simulateSet(c.sim, c.thetaFid, c.delta, c.nS, c.nD, seed * 1000 + 1, alloc);
  const scaler = inputScaler(training, c.sim.inSize);
  scaler.apply(training);
  const validation = scaler.apply(simulateSet(c.sim, c.thetaFid, c.delta, nVal, nVal, seed * 1000 + 2, alloc));
  // The same validation seeds through the ideal summaries: what a perfect compression scores on this set.
  const idealSim: SeededSimulator = { nParams: c.sim.nParams, inSize: c.sim.nParams, simulate: (t, s, out, off) => out.set(c.ideal(t, s), off) };
  const idealSet = simulateSet(idealSim, c.thetaFid, c.delta, nVal, nVal, seed * 1000 + 2, (n) => new Float64Array(n));
  const idealStats = imnnStatistics(outputsOf(idealSet.x, idealSet, c.sim.nParams), c.delta);
  const idealDetF = det(idealStats.F);
  const simSeconds = (performance.now() - t0) / 1000;
  const model = mlp(be, { inSize: c.sim.inSize, hidden: c.hidden, outSize: c.thetaFid.length, activation: c.activation });
  const p = model.init(new Random(seed));
  const r = trainImnn(model, p, training, validation, {
    thetaFid: c.thetaFid,
    delta: c.delta,
    lambda: 10,
    epsilon: 0.1,
    lr: c.lr,
    maxIterations: c.maxIterations,
    patience: 20,
    validateEvery: 25,
    seed,
    resample: c.resample > 0 ? { every: c.resample, make: (round) => scaler.apply(simulateSet(c.sim, c.thetaFid, c.delta, c.nS, c.nD, seed * 1000 + 10 + round, alloc)) } : undefined,
    onProgress: (h) => {
      if (h.iteration % 100 === 0) log(`${c.name}: iteration ${h.iteration} loss ${h.loss.toFixed(3)} det F train ${h.detF.toFixed(2)} validation ${h.valDetF.toFixed(2)} Lambda_2 ${h.lambda2.toExponential(2)}`);
    },
  });
  return {
    name: c.name,
    exactDetF: c.exactDetF,
    ...(c.extra ?? {}),
    trainingDetF: r.trainingDetF,
    validationDetF: r.validationDetF,
    validationRatio: r.validationDetF / c.exactDetF,
    idealValidationDetF: idealDetF,
    ratioToIdealOnValidation: r.validationDetF / idealDetF,
    bar: c.bar,
    pass: r.validationDetF >= c.bar * c.exactDetF,
    bestIteration: r.bestIteration,
    iterations: r.iterations,
    trainSeconds: r.seconds,
    simSeconds,
    resampleEvery: c.resample,
    network: `MLP ${c.sim.inSize} -> ${c.hidden.join(' -> ')} -> ${c.thetaFid.length} (${c.activation})`,
    lr: c.lr,
    sims: { nS: c.nS, nD: c.nD, validation: `${nVal} + ${nVal}` },
  };
}

const be = await createBackend({ threads: 1 });
const results = [];
for (const c of cases().map(overrides)) {
  if (only.length && !only.includes(c.name)) continue;
  const res = await run(be, c);
  results.push(res);
  if (!json) log(JSON.stringify(res, null, 2));
}
if (json) process.stdout.write(`${JSON.stringify({ seed, backend: be.name, results }, null, 2)}\n`);
be.dispose();
