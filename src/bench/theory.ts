/**
 * Theory-engine benchmark: median single-thread time per cosmology for the paper's data vector
 * (5 bins, 15 pairs, 50 ell = geomspace(2, 5000, 50), n(z) on 300 points) for each linear model
 * (boltzmann_emulated when its emulator file is present), the models alternated in rounds of 100 with
 * each one's time over eisenstein_hu's in the same round, the Boltzmann solver's time per cosmology
 * (when it is in the build), and the throughput of a batch of cosmologies on all cores.
 */

import { availableParallelism } from 'node:os';
import { Background } from '../cosmology/background.js';
import { cosmology } from '../cosmology/params.js';
import { LinearPower } from '../cosmology/power/linear.js';
import { ShearTheory } from '../cosmology/theory.js';
import { CosmetaError } from '../errors.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { Random } from '../math/random.js';
import { WorkerPool } from '../parallel/pool.js';
import type { TheoryTask, TheoryWorkerInit } from '../parallel/theory-worker.js';
import { paperEll, targetSample } from '../tasks/target.js';

export interface TheoryBenchResult {
  /** Median wall time per cosmology, one thread [ms], by linear model (halofit on). */
  msPerCosmology: Record<string, number>;
  /**
   * Each model's time over eisenstein_hu's in the same round (rounds of 100 cosmologies, the models
   * alternated, so a change in the machine's load between models cancels): median, least and largest.
   */
  ratioToEisensteinHu: Record<string, { median: number; min: number; max: number }>;
  /** Rounds of 100 cosmologies per model. */
  rounds: number;
  /** Worker threads used for the batch. */
  threads: number;
  /** Cosmologies per second on all threads (symbolic linear model + halofit). */
  batchPerSecond: number;
  batchSize: number;
  batchModel: string;
  /** The Boltzmann solver's wall time for one cosmology's `boltzmann` linear P(k), one thread, warm (median of 3) [s], or null without the solver. */
  boltzmannSecondsPerCosmology: number | null;
  /** Models that could not be timed, with the reason (e.g. no emulator file in this build). */
  skipped: Record<string, string>;
}

/** Parameter sets spread over the symbolic model's validity range (seeded). */
export function benchCosmologies(n: number, seed: number) {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => ({
    Omega_c: rng.between(0.2, 0.3),
    Omega_b: rng.between(0.04, 0.055),
    h: rng.between(0.62, 0.75),
    sigma8: rng.between(0.7, 0.9),
    n_s: rng.between(0.92, 1.0),
  }));
}

/**
 * The solver's time for one cosmology's `boltzmann` linear P(k) (BOLTZMANN_K: ~225 modes) on one thread [s]:
 * the median of three runs after one warm-up run (a training set runs thousands, so the compiled code is
 * what counts; the cold first run is ~30% slower).
 */
function benchSolver(cosmologies: ReturnType<typeof benchCosmologies>, skipped: Record<string, string>): number | null {
  let shape;
  try {
    shape = loadLinearModel('boltzmann');
  } catch (err) {
    if (!(err instanceof CosmetaError)) throw err;
    skipped.boltzmann = err.message;
    return null;
  }
  const times: number[] = [];
  for (let r = 0; r < 4; r++) {
    const c = cosmology(cosmologies[r]);
    const t0 = performance.now();
    new LinearPower(new Background(c, 3), shape);
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[1];
}

export async function benchTheory(options: { repeats?: number; batch?: number; threads?: number } = {}): Promise<TheoryBenchResult> {
  const repeats = options.repeats ?? 900;
  const batch = options.batch ?? 1000;
  const threads = options.threads ?? availableParallelism();
  const sample = targetSample();
  const ell = paperEll();
  const cosmologies = benchCosmologies(Math.max(repeats, batch), 12345);
  const msPerCosmology: Record<string, number> = {};
  const skipped: Record<string, string> = {};
  const names = ['eisenstein_hu', 'eisenstein_hu_nowiggles', 'bbks', 'symbolic', 'boltzmann_emulated'].filter((name) => {
    try {
      loadLinearModel(name);
      return true;
    } catch (err) {
      if (!(err instanceof CosmetaError)) throw err;
      skipped[name] = err.message;
      return false;
    }
  });
  const theories = names.map((name) => new ShearTheory(sample, ell, { linear: loadLinearModel(name) }));
  const out = new Float64Array(theories[0].spectra.size);
  // Warm the JIT up on every model first, so no model is timed before the compiler has settled.
  for (let r = 0; r < 3; r++) for (const theory of theories) for (let i = 0; i < 100; i++) theory.compute(cosmologies[i], {}, out);
  // Rounds of ROUND cosmologies; in each round every model runs the same cosmologies, the order of the
  // models rotating from round to round, so drifts in the machine's load reach every model alike.
  const ROUND = 100;
  const rounds = Math.max(1, Math.ceil(repeats / ROUND));
  const times = names.map(() => [] as number[]);
  const roundMs = names.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const m = (r + j) % names.length;
      const theory = theories[m];
      const start = (r * ROUND) % cosmologies.length;
      let total = 0;
      for (let i = 0; i < ROUND; i++) {
        const t0 = performance.now();
        theory.compute(cosmologies[(start + i) % cosmologies.length], {}, out);
        const dt = performance.now() - t0;
        times[m].push(dt);
        total += dt;
      }
      roundMs[m].push(total / ROUND);
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const ratioToEisensteinHu: TheoryBenchResult['ratioToEisensteinHu'] = {};
  const eh = names.indexOf('eisenstein_hu');
  for (const [m, name] of names.entries()) {
    msPerCosmology[name] = median(times[m]);
    if (m === eh) continue;
    const ratios = roundMs[m].map((t, r) => t / roundMs[eh][r]);
    ratioToEisensteinHu[name] = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  }
  const init: TheoryWorkerInit = {
    ell,
    linear: 'symbolic',
    nonlinear: true,
    spin2: true,
    shiftConvention: 'paper',
  };
  const pool = new WorkerPool<TheoryTask, Float64Array>(new URL('../parallel/theory-worker.js', import.meta.url), init, { size: threads });
  let batchSeconds = 0;
  try {
    const chunk = 25;
    const names = ['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s'] as const;
    const tasks: TheoryTask[] = [];
    for (let i = 0; i < batch; i += chunk) {
      const block = cosmologies.slice(i, Math.min(batch, i + chunk));
      const rows = Float64Array.from(block.flatMap((c) => names.map((n) => c[n])));
      tasks.push({ key: 'target', z: sample.z, nz: sample.nz, names: [...names], rows, label: `bench cosmologies ${i}-` });
    }
    await pool.map(tasks.slice(0, 8 * threads)); // JIT warm-up in every worker
    const t0 = performance.now();
    await pool.map(tasks);
    batchSeconds = (performance.now() - t0) / 1000;
  } finally {
    await pool.close();
  }
  // After the pool has closed, so no worker shares the solver's core.
  const boltzmannSecondsPerCosmology = benchSolver(cosmologies, skipped);
  return { msPerCosmology, ratioToEisensteinHu, rounds, threads, batchPerSecond: batch / batchSeconds, batchSize: batch, batchModel: 'symbolic', boltzmannSecondsPerCosmology, skipped };
}

