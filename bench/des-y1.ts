/**
 * DES Y1 cosmic shear (Troxel et al. 2018) with the full theory engine: where the time of one likelihood
 * goes (C_ell, Hankel projection, nuisance and input mapping; the paper problem's C_ell in the same run
 * as the baseline ratio), then the posterior sampled to 50 autocorrelation times (or
 * COSMETA_BENCH_MAX_STEPS) with the ensemble sampler on all cores, and S8 against the published value.
 * Writes the chain, GetDist files and a corner plot to results/des-y1/ (COSMETA_BENCH_OUT); COSMETA_BENCH_BURN
 * sets the steps discarded (default: the recorded burn-in or 5 autocorrelation times, whichever is longer,
 * at most half the chain; emcee's guidance, Foreman-Mackey et al. 2013, is a few tau).
 *
 *   node dist/bench/des-y1.js [--timing] [--from CHAIN.h5]
 *
 * --timing: the per-likelihood breakdown only. --from: summarise (and plot) an existing chain of this
 * analysis (e.g. from `cosmeta mcmc --config configs/des-y1.yaml`, or its .partial checkpoint) instead
 * of sampling. m_nu = 0 (DES varied it) and the linear P(k) is the config's (the Boltzmann-solver emulator here).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/analysis/config.js';
import { analysisSamplerSettings } from '../src/analysis/sampler.js';
import { AnalysisModel, spectraInputs } from '../src/analysis/model.js';
import { surveyProblem } from '../src/analysis/problem.js';
import { ShearTheory } from '../src/cosmology/theory.js';
import { DEFAULT_LINEAR_MODEL } from '../src/cosmology/transfer/index.js';
import { readChain } from '../src/inference/chain-file.js';
import { chainSamples, summary } from '../src/inference/compare.js';
import { GaussianLikelihood, Posterior } from '../src/inference/likelihood.js';
import { runMcmc } from '../src/inference/mcmc.js';
import { paperProblem } from '../src/inference/problem.js';
import { readSaccHdf5 } from '../src/io/sacc-hdf5.js';
import { TheoryModel } from '../src/parallel/theory-model.js';
import { cornerSpec, writeFigure } from '../src/report/figures.js';
import { modelInputs } from '../src/tasks/design.js';
import { writeGetDist } from '../src/io/getdist.js';
import { loadLinearModel, nodeLinearOptions } from '../src/io/pk-emulator-file.js';

const PUBLISHED = { S8: 0.782, lo: 0.755, hi: 0.809 }; // Troxel et al. 2018, LCDM, metacalibration
const root = join(import.meta.dirname, '..', '..');
const outDir = process.env.COSMETA_BENCH_OUT ?? join('results', 'des-y1');
const file = process.env.COSMETA_DES_Y1 ?? join(root, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');
const args = process.argv.slice(2);
const fromChain = args.includes('--from') ? args[args.indexOf('--from') + 1] : undefined;

const config = parseConfig(readFileSync(join(root, 'configs', 'des-y1.yaml'), 'utf8').replace('file: sacc_data.hdf5', `file: ${file}`));
if (process.env.COSMETA_BENCH_MAX_STEPS) config.sampler.max_steps = Number(process.env.COSMETA_BENCH_MAX_STEPS);
const data = await readSaccHdf5(file);
const shape = loadLinearModel(config.theory.linear);
let t = performance.now();
const problem = surveyProblem(data, config, 'des-y1', shape);
const setupSeconds = (performance.now() - t) / 1000;

// 1. One likelihood, piece by piece, in this thread, at 32 points of the start ball.
const names = spectraInputs(problem);
const theory = new ShearTheory({ z: problem.z, nz: problem.nz }, problem.ell, { linear: shape, shiftConvention: config.theory.photo_z_shift });
const local = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, linear: config.theory.linear, shiftConvention: config.theory.photo_z_shift, allowNegative: true, threads: 0 });
const model = new AnalysisModel(problem, local);
const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
const n = 32;
const pts = new Float64Array(n * problem.parameters.length);
problem.parameters.forEach((p, d) => {
  for (let r = 0; r < n; r++) pts[r * problem.parameters.length + d] = p.fiducial + p.startSpread * Math.sin(1.7 * r + d);
});
await posterior.logProb(pts.subarray(0, problem.parameters.length), 1); // warm-up
model.timing.spectra = model.timing.projection = model.timing.inputs = 0;
t = performance.now();
await posterior.logProb(pts, n);
const perLike = (performance.now() - t) / n;
const tm = model.timing;
// Baseline in the same run: the paper problem's C_ell (5 bins, 50 multipoles).
const paper = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
const paperTheory = new ShearTheory({ z: paper.z, nz: paper.nz }, paper.ell, { linear: loadLinearModel(DEFAULT_LINEAR_MODEL), shiftConvention: 'paper' });
paperTheory.compute({ Omega_c: 0.27, Omega_b: 0.045, h: 0.67, sigma8: 0.83, n_s: 0.96 });
t = performance.now();
for (let r = 0; r < n; r++) paperTheory.compute({ Omega_c: 0.27 + 0.001 * r, Omega_b: 0.045, h: 0.67, sigma8: 0.83, n_s: 0.96 });
const paperMs = (performance.now() - t) / n;
// The C_ell step alone (spectra model without the wrapper), for the split of 'spectra'.
t = performance.now();
const rows = new Float64Array(names.length);
for (let r = 0; r < 8; r++) {
  rows.set([0.25, 0.048, 0.69, 2.1e-9 * (1 + 0.01 * r), 0.97]);
  const { cosmology, nuisance } = modelInputs(names, rows, problem.nz.length);
  theory.compute(cosmology, nuisance);
}
const clMs = (performance.now() - t) / 8;
const timing = {
  setup_seconds: setupSeconds,
  ms_per_likelihood: perLike,
  ms_cl: (1000 * tm.spectra) / n,
  ms_cl_alone: clMs,
  ms_hankel_and_m: (1000 * tm.projection) / n,
  ms_inputs: (1000 * tm.inputs) / n,
  ms_chi2_and_prior: perLike - (1000 * (tm.spectra + tm.projection + tm.inputs)) / n,
  multipoles: problem.ell.length,
  data_points: problem.data.length,
  paper_cl_ms: paperMs,
  ratio_to_paper_cl: perLike / paperMs,
};
await model.close();
if (args.includes('--timing')) {
  process.stdout.write(`${JSON.stringify({ timing }, null, 2)}\n`);
  process.exit(0);
}

// 2. The posterior.
mkdirSync(outDir, { recursive: true });
let chain;
let seconds = 0;
let converged = false;
if (fromChain) {
  chain = await readChain(fromChain);
  converged = chain.converged;
} else {
  const pool = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, linear: config.theory.linear, shiftConvention: config.theory.photo_z_shift, allowNegative: true });
  const full = new AnalysisModel(problem, pool);
  const post = new Posterior(problem.parameters, full, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
  const result = await runMcmc(
    post,
    analysisSamplerSettings(config, problem),
    join(outDir, 'chain.h5'),
    { description: { problem: 'des-y1', config }, derived: problem.derived },
  );
  await full.close();
  chain = result.chain;
  seconds = result.seconds;
  converged = result.converged;
}
const all = [...chain.names, ...problem.derived.map((d) => d.name)];
const tauLast = chain.tauHistory.at(-1)?.tau ?? [];
const burn = process.env.COSMETA_BENCH_BURN ? Number(process.env.COSMETA_BENCH_BURN) : Math.min(Math.max(chain.burnIn, Math.ceil(5 * Math.max(0, ...tauLast))), Math.floor(chain.steps / 2));
const samples = chainSamples(chain, all, burn, problem.derived);
const s8 = summary(samples.columns[all.indexOf('S8')]);
const tau = tauLast;
const sigmaPub = (PUBLISHED.hi - PUBLISHED.lo) / 2;
const W = chain.walkers;
writeGetDist(
  join(outDir, 'des_y1'),
  all.map((name, i) => {
    const spec = problem.parameters.find((p) => p.name === name);
    return { name, latex: spec?.label ?? (name === 'S8' ? 'S_8' : name === 'sigma8' ? '\\sigma_8' : name), derived: i >= chain.names.length, values: samples.columns[i], range: spec?.prior.kind === 'flat' ? [spec.prior.min, spec.prior.max] : undefined };
  }),
  Float64Array.from(chain.logProb.subarray(burn * W, chain.steps * W), (v) => -v),
);
await writeFigure(cornerSpec([{ label: `Cosmeta (${config.theory.linear}, m_nu = 0)`, samples: chainSamples(chain, ['Omega_m', 'sigma8', 'S8', 'A_IA'], burn, problem.derived) }], ['Omega_m', 'sigma8', 'S8', 'A_IA']), join(outDir, 'corner.png'));
const report = {
  timing,
  chain: { steps: chain.steps, walkers: W, burn_in: burn, converged, tau_max: Math.max(...tau), steps_over_tau: chain.steps / Math.max(...tau), seconds },
  S8: { median: s8[0], p16: s8[1], p84: s8[2], width68: s8[2] - s8[1] },
  published: { ...PUBLISHED, width68: PUBLISHED.hi - PUBLISHED.lo },
  shift_in_published_sigma: (s8[0] - PUBLISHED.S8) / sigmaPub,
  width_ratio: (s8[2] - s8[1]) / (PUBLISHED.hi - PUBLISHED.lo),
  summary: Object.fromEntries(all.map((nm, i) => [nm, summary(samples.columns[i])])),
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
