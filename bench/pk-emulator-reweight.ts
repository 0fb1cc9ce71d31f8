/**
 * `npm run bench:reweight`: is the P(k) emulator invisible in the posterior? The paper's problem is sampled
 * with `boltzmann_emulated` (or a chain is given), N of its samples (default 2,000, spread over the chain after
 * burn-in) are recomputed with the Boltzmann solver itself (`boltzmann`), and each is weighted by
 * w = L_solver / L_emulated (importance sampling: the chain then samples the solver's posterior). Prints the
 * effective sample fraction (sum w)^2 / (N sum w^2) and the Bhattacharyya distance between the weighted and
 * unweighted (Omega_m, S8) (Gaussian, as `cosmeta compare`). Targets: >= 95% and <= 1e-3.
 *
 * The solver costs seconds per cosmology, so its data vectors are checkpointed in blocks
 * (OUT/reweight-blocks/, written atomically, reused on a rerun with the same samples): an interrupted run
 * resumes. Environment: COSMETA_REWEIGHT_CHAIN (an existing chain: skip sampling), COSMETA_REWEIGHT_N
 * (default 2000), COSMETA_BENCH_SEED (default 1), COSMETA_BENCH_OUT (default results/bench).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LINEAR_MODEL } from '../src/cosmology/transfer/index.js';
import { readChain, type Chain } from '../src/inference/chain-file.js';
import { defaultBurnIn, gaussianBhattacharyya, moments, summary } from '../src/inference/compare.js';
import { GaussianLikelihood, Posterior } from '../src/inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc } from '../src/inference/mcmc.js';
import { OMEGA_M, S8 } from '../src/inference/priors.js';
import { paperProblem } from '../src/inference/problem.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { nodeLinearOptions } from '../src/io/pk-emulator-file.js';
import { TheoryModel } from '../src/parallel/theory-model.js';

const json = process.argv.includes('--json');
const outDir = process.env.COSMETA_BENCH_OUT ?? join('results', 'bench');
const nSamples = Number(process.env.COSMETA_REWEIGHT_N ?? 2000);
const seed = Number(process.env.COSMETA_BENCH_SEED ?? 1);
const threads = availableParallelism();
const log = (s: string) => process.stderr.write(`${s}\n`);
mkdirSync(outDir, { recursive: true });

const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
const names = problem.parameters.map((p) => p.name);
const dim = names.length;
const likelihood = new GaussianLikelihood(problem.data, problem.covariance);
const model = (linear: string) => new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, ...problem.theory, linear, threads });

let chain: Chain;
const given = process.env.COSMETA_REWEIGHT_CHAIN;
const t0 = performance.now();
if (given) {
  chain = await readChain(given);
  if (chain.names.join() !== names.join()) throw new Error(`${given}: parameters ${chain.names.join(', ')}, expected the paper problem's ${names.join(', ')}`);
} else {
  const file = join(outDir, 'reweight-emulated-chain.h5');
  const emulated = model(DEFAULT_LINEAR_MODEL);
  log(`sampling the paper's posterior with ${DEFAULT_LINEAR_MODEL} (${threads} threads; resumes from ${file}.partial)...`);
  const r = await runMcmc(new Posterior(problem.parameters, emulated, likelihood), { ...DEFAULT_MCMC, seed }, file, { description: { problem: 'paper', linear: DEFAULT_LINEAR_MODEL } });
  await emulated.close();
  chain = r.chain;
}
const chainSeconds = (performance.now() - t0) / 1000;

// N samples of the post-burn-in flat chain at the golden-ratio sequence frac(i phi): spread over the whole
// chain for every N, and the first M of N samples are the M-sample set, so an interrupted run's blocks
// serve a smaller COSMETA_REWEIGHT_N.
const burn = defaultBurnIn(chain);
const rows = (chain.steps - burn) * chain.walkers;
if (rows < nSamples) throw new Error(`the chain has ${rows} samples after burn-in, fewer than the ${nSamples} asked for`);
const theta = new Float64Array(nSamples * dim);
for (let i = 0; i < nSamples; i++) {
  const row = burn * chain.walkers + Math.floor((((i + 1) * 0.6180339887498949) % 1) * rows);
  theta.set(chain.samples.subarray(row * dim, (row + 1) * dim), i * dim);
}

/** The solver's (`linear`) data vectors at the samples, in checkpointed blocks. */
async function dataVectors(linear: string): Promise<Float64Array> {
  const D = problem.data.length;
  const out = new Float64Array(nSamples * D);
  const dir = join(outDir, 'reweight-blocks');
  mkdirSync(dir, { recursive: true });
  const block = 40;
  let pool: TheoryModel | null = null;
  const started = performance.now();
  let computed = 0;
  try {
    for (let b = 0; b * block < nSamples; b++) {
      const n = Math.min(block, nSamples - b * block);
      const rowsIn = theta.subarray(b * block * dim, (b * block + n) * dim);
      const file = join(dir, `${linear}-${String(b).padStart(4, '0')}.json`);
      if (existsSync(file)) {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as { theta: number[]; spectra: number[] };
        if (saved.theta.length === rowsIn.length && saved.theta.every((v, i) => v === rowsIn[i])) {
          out.set(saved.spectra, b * block * D);
          continue;
        }
      }
      pool ??= model(linear);
      const spectra = await pool.predict(Float64Array.from(rowsIn), n);
      writeFileAtomic(file, JSON.stringify({ theta: Array.from(rowsIn), spectra: Array.from(spectra) }));
      out.set(spectra, b * block * D);
      computed += n;
      const rate = (performance.now() - started) / 1000 / computed;
      log(`  ${linear}: ${Math.min(nSamples, (b + 1) * block)}/${nSamples} samples (${rate.toFixed(2)} s each on ${threads} threads)`);
    }
  } finally {
    if (pool) await (pool as TheoryModel).close();
  }
  return out;
}

log(`recomputing ${nSamples} samples with the emulator and with the solver...`);
const t1 = performance.now();
// The emulator takes milliseconds per sample: no checkpoints.
const emuModel = model(DEFAULT_LINEAR_MODEL);
const emu = await emuModel.predict(theta, nSamples);
await emuModel.close();
const t2 = performance.now();
const solver = await dataVectors('boltzmann');
const solverSeconds = (performance.now() - t2) / 1000;
const D = problem.data.length;
const lnw = Float64Array.from({ length: nSamples }, (_, i) => likelihood.logLike(solver, i * D) - likelihood.logLike(emu, i * D));
const top = Math.max(...lnw);
const w = Float64Array.from(lnw, (v) => Math.exp(v - top));
let sw = 0;
let sw2 = 0;
for (const v of w) {
  sw += v;
  sw2 += v * v;
}
const essFraction = (sw * sw) / sw2 / nSamples;

// (Omega_m, S8), unweighted and weighted.
const oc = names.indexOf('Omega_c');
const ob = names.indexOf('Omega_b');
const s8 = names.indexOf('sigma8');
const cols = [
  Float64Array.from({ length: nSamples }, (_, i) => OMEGA_M.compute(theta[i * dim + oc], theta[i * dim + ob])),
  Float64Array.from({ length: nSamples }, (_, i) => S8.compute(theta[i * dim + s8], theta[i * dim + oc], theta[i * dim + ob])),
];
const plain = moments({ names: ['Omega_m', 'S8'], columns: cols });
const wMean = cols.map((c) => c.reduce((a, v, i) => a + w[i] * v, 0) / sw);
const wCov = new Float64Array(4);
for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) wCov[2 * a + b] = cols[a].reduce((acc, v, i) => acc + w[i] * (v - wMean[a]) * (cols[b][i] - wMean[b]), 0) / sw;
const bhattacharyya = gaussianBhattacharyya(plain.mean, plain.cov, wMean, wCov);
const lnwSorted = Float64Array.from(lnw).sort();
const result = {
  samples: nSamples,
  chain: given ?? join(outDir, 'reweight-emulated-chain.h5'),
  chainSteps: chain.steps,
  chainSeconds,
  emulatorSeconds: (t2 - t1) / 1000,
  solverSeconds,
  essFraction,
  bhattacharyya,
  lnWeight: { min: lnwSorted[0], median: summary(lnwSorted)[0], max: lnwSorted[nSamples - 1] },
  unweighted: { Omega_m: plain.mean[0], S8: plain.mean[1] },
  weighted: { Omega_m: wMean[0], S8: wMean[1] },
  targets: { essFraction: 0.95, bhattacharyya: 1e-3 },
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  process.stdout.write(
    [
      `Importance reweighting of the ${DEFAULT_LINEAR_MODEL} posterior with the solver (${nSamples} samples of ${result.chain}):`,
      `  effective samples ${(100 * essFraction).toFixed(2)}% (target >= 95%), ln w from ${result.lnWeight.min.toFixed(4)} to ${result.lnWeight.max.toFixed(4)}`,
      `  (Omega_m, S8): unweighted (${plain.mean[0].toFixed(5)}, ${plain.mean[1].toFixed(5)}), weighted (${wMean[0].toFixed(5)}, ${wMean[1].toFixed(5)}), Bhattacharyya ${bhattacharyya.toExponential(2)} (target <= 1e-3)`,
      `  solver ${solverSeconds.toFixed(0)} s for the samples not already in ${join(outDir, 'reweight-blocks')}`,
      '',
    ].join('\n'),
  );
}
