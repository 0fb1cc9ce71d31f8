/**
 * `npm run bench:imnn`: IMNNs trained on the two problems with known answers, against their exact Fisher
 * information (src/inference/compression/imnn-toys.ts):
 *   gauss  mean and variance of 10 Gaussian data points at theta_fid = (0, 1): det F = 50 (bar: >= 0.95 x 50)
 *   field  P(k) = A k^-B on 32 x 32 pixels at theta_fid = (1, 0.5), log band powers as the input
 *          (bar: det F >= 0.9 x det of 1/2 Tr(P_,a P^-1 P_,b P^-1))
 * det F is measured on validation simulations (other seeds) and on a larger test set. Prints the figures
 * (JSON with --json). Run one problem with `node dist/bench/imnn.js gauss` (or field).
 *
 * Environment: COSMETA_BENCH_SEED (default 1).
 */

import { Random } from '../src/math/random.js';
import type { Backend } from '../src/nn/backend.js';
import { mlp } from '../src/nn/model.js';
import { createBackend } from '../src/nn/wasm.js';
import { imnnFisher, simulateSet, trainImnn, type SeededSimulator } from '../src/inference/compression/imnn.js';
import { GaussianMeanVariance, PowerLawFieldBands } from '../src/inference/compression/imnn-toys.js';

const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seed = Number(process.env.COSMETA_BENCH_SEED ?? 1);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Case {
  name: string;
  sim: SeededSimulator;
  thetaFid: number[];
  delta: number[];
  exactDetF: number;
  bar: number;
  nS: number;
  nD: number;
  hidden: number[];
  lr: number;
  maxIterations: number;
  extra?: Record<string, number>;
}

const det = (F: Float64Array) => F[0] * F[3] - F[1] * F[2];

function cases(): Case[] {
  const gauss = new GaussianMeanVariance(10);
  const field = new PowerLawFieldBands(32, 24);
  const fieldFid = [1, 0.5];
  return [
    { name: 'gauss', sim: gauss, thetaFid: [0, 1], delta: [0.1, 0.1], exactDetF: det(gauss.fisher([0, 1])), bar: 0.95, nS: 1000, nD: 1000, hidden: [128, 128], lr: 1e-3, maxIterations: 3000 },
    {
      name: 'field',
      sim: field,
      thetaFid: fieldFid,
      delta: [0.1, 0.1],
      exactDetF: det(field.fisher(fieldFid)),
      bar: 0.9,
      nS: 1000,
      nD: 1000,
      hidden: [64, 64],
      lr: 1e-3,
      maxIterations: 3000,
      extra: { bandGaussianDetF: det(field.bandFisher(fieldFid)) },
    },
  ];
}

async function run(be: Backend, c: Case) {
  const t0 = performance.now();
  const alloc = (n: number) => be.alloc(n);
  const training = simulateSet(c.sim, c.thetaFid, c.delta, c.nS, c.nD, seed * 1000 + 1, alloc);
  const validation = simulateSet(c.sim, c.thetaFid, c.delta, c.nS, c.nD, seed * 1000 + 2, alloc);
  const test = simulateSet(c.sim, c.thetaFid, c.delta, 5000, 5000, seed * 1000 + 3, alloc);
  const simSeconds = (performance.now() - t0) / 1000;
  const model = mlp(be, { inSize: c.sim.inSize, hidden: c.hidden, outSize: c.thetaFid.length, activation: 'silu' });
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
    onProgress: (h) => {
      if (h.iteration % 250 === 0) log(`${c.name}: iteration ${h.iteration} loss ${h.loss.toFixed(3)} det F train ${h.detF.toFixed(2)} validation ${h.valDetF.toFixed(2)} Lambda_2 ${h.lambda2.toExponential(2)}`);
    },
  });
  const testDetF = imnnFisher(model, r.params, test, c.delta).detF;
  return {
    name: c.name,
    exactDetF: c.exactDetF,
    ...(c.extra ?? {}),
    trainingDetF: r.trainingDetF,
    validationDetF: r.validationDetF,
    testDetF,
    validationRatio: r.validationDetF / c.exactDetF,
    testRatio: testDetF / c.exactDetF,
    bar: c.bar,
    pass: r.validationDetF >= c.bar * c.exactDetF,
    bestIteration: r.bestIteration,
    iterations: r.iterations,
    trainSeconds: r.seconds,
    simSeconds,
    network: `MLP ${c.sim.inSize} -> ${c.hidden.join(' -> ')} -> ${c.thetaFid.length} (SiLU)`,
    sims: { nS: c.nS, nD: c.nD, validation: `${c.nS} + ${c.nD}`, test: '5000 + 5000' },
  };
}

const be = await createBackend({ threads: 1 });
const results = [];
for (const c of cases()) {
  if (only.length && !only.includes(c.name)) continue;
  const res = await run(be, c);
  results.push(res);
  if (!json) log(JSON.stringify(res, null, 2));
}
if (json) process.stdout.write(`${JSON.stringify({ seed, backend: be.name, results }, null, 2)}\n`);
be.dispose();
