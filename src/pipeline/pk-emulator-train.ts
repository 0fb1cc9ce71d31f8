/**
 * `cosmeta pk-emulator train`: the training and held-out sets from the solver (seeded designs, worker
 * threads, one checkpoint file per block of 4 points in OUT.blocks/, written atomically, reused on a
 * rerun when its points match), then the fit (GP per PCA component and/or MLP), the validation against
 * the held-out set, and the emulator file. The same seed and solver give the same bytes.
 */

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PK_EMULATOR_DOMAIN, inDomainBox, PkEmulator, unitInputs, type PkEmulatorJSON } from '../cosmology/boltzmann/emulator.js';
import { Background } from '../cosmology/background.js';
import { cosmology } from '../cosmology/params.js';
import { LinearPower } from '../cosmology/power/linear.js';
import { domainCorners, fitPkEmulator, gridWavenumbers, PK_EMULATOR_FIXED, PK_EMULATOR_GRID, pkEmulatorDesign, pkEmulatorHeldOutDesign, PK_EMULATOR_TRAINING_DOMAIN, widenedBoxes, type DesignPoint } from '../data/pk-emulator-fit.js';
import { deriveSeed } from '../math/random.js';
import { writeFileAtomic } from '../io/atomic.js';
import { WorkerPool } from '../parallel/pool.js';
import { trainingSolver, type PkEmulatorTask, type PkEmulatorWorkerInit } from '../parallel/pk-emulator-worker.js';
import { VERSION } from '../version.js';

/** Cosmologies per checkpoint file (the solver takes ~1 s each: a block is a few seconds to minutes). */
const BLOCK = 4;

export interface TrainPkEmulatorOptions {
  out: string;
  points: number;
  /** Training cosmologies drawn inside the boxes widened by 3% (after the `points` over the padded envelope). */
  boxPoints?: number;
  testPoints: number;
  seed: number;
  threads?: number;
  method: 'gp' | 'mlp' | 'both';
  components?: number;
  standIn: boolean;
  log: (line: string) => void;
}

interface SolvedSet {
  points: DesignPoint[];
  /** [n x nk] targets and the solver's sigma8 at A_s = 2e-9. */
  Y: Float64Array;
  sigma8: Float64Array;
}

/** Solve a set through the pool, block by block, reusing checkpoint files whose points match. */
async function solveSet(name: string, points: DesignPoint[], dir: string, pool: () => WorkerPool<PkEmulatorTask, Float64Array>, log: (s: string) => void): Promise<SolvedSet> {
  const nk = PK_EMULATOR_GRID.nk;
  const n = points.length;
  const Y = new Float64Array(n * nk);
  const sigma8 = new Float64Array(n);
  const jobs: Promise<void>[] = [];
  let done = 0;
  let reused = 0;
  const nBlocks = Math.ceil(n / BLOCK);
  for (let b = 0; b < nBlocks; b++) {
    const block = points.slice(b * BLOCK, Math.min(n, (b + 1) * BLOCK));
    const file = join(dir, `${name}-${String(b).padStart(4, '0')}.json`);
    const put = (rows: Float64Array) => {
      block.forEach((_, i) => {
        Y.set(rows.subarray(i * (nk + 1), i * (nk + 1) + nk), (b * BLOCK + i) * nk);
        sigma8[b * BLOCK + i] = rows[i * (nk + 1) + nk];
      });
    };
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { points: DesignPoint[]; rows: number[] };
      if (JSON.stringify(saved.points) === JSON.stringify(block)) {
        put(Float64Array.from(saved.rows));
        reused++;
        continue;
      }
    }
    jobs.push(pool().run({ points: block, label: `${name} block ${b}` }).then((rows) => {
      writeFileAtomic(file, JSON.stringify({ points: block, rows: Array.from(rows) }));
      put(rows);
      done++;
      if (done % 5 === 0 || done === nBlocks - reused) log(`${name}: ${done + reused}/${nBlocks} blocks of ${BLOCK} solved`);
    }));
  }
  if (reused > 0) log(`${name}: ${reused} of ${nBlocks} blocks reused from ${dir}`);
  await Promise.all(jobs);
  return { points, Y, sigma8 };
}

export interface EmulatorValidation {
  points: number;
  /** Over k <= 50/Mpc of the grid: max and RMS of |P_emu / P_solver - 1|. */
  maxRelative: number;
  rmsRelative: number;
  /** The same per box of the domain (a point in both counts in both). */
  boxes: Record<string, { points: number; maxRelative: number; rmsRelative: number; maxSigma8Relative: number }>;
  /** max |sigma8_emu / sigma8_solver - 1| (sigma8 of the emulated spectrum by Cosmeta's integral). */
  maxSigma8Relative: number;
  worstPoint: DesignPoint;
  /** Median time of one emulator prediction of y(k) [ms]. */
  msPerPrediction: number;
}

/** Compare an emulator with a solved held-out set. */
export function validateEmulator(emulator: PkEmulator, set: SolvedSet): EmulatorValidation {
  const nk = PK_EMULATOR_GRID.nk;
  const boxes = emulator.json.domain.boxes ?? [];
  type Acc = { points: number; max: number; ss: number; count: number; maxS8: number };
  const fresh = (): Acc => ({ points: 0, max: 0, ss: 0, count: 0, maxS8: 0 });
  const all = fresh();
  const perBox = boxes.map(fresh);
  let worst = set.points[0];
  const times: number[] = [];
  const u = new Float64Array(3);
  const ratio = new Float64Array(nk);
  set.points.forEach((p, i) => {
    const t0 = performance.now();
    emulator.ratio(emulator.inputs(p, u), ratio);
    times.push(performance.now() - t0);
    const k = gridWavenumbers(p);
    const c = cosmology({ ...p, A_s: 2e-9, ...PK_EMULATOR_FIXED });
    const lin = new LinearPower(new Background(c, 0.01), emulator.shape());
    const s8 = Math.abs(lin.sigma8 / set.sigma8[i] - 1);
    const inBox = boxes.map((b) => inDomainBox(b, p));
    const accs = [all, ...perBox.filter((_, b) => inBox[b])];
    for (const a of accs) {
      a.points++;
      a.maxS8 = Math.max(a.maxS8, s8);
    }
    for (let j = 0; j < nk; j++) {
      if (k[j] > 50) continue;
      const d = Math.abs(ratio[j] / Math.exp(set.Y[i * nk + j]) - 1);
      if (d > all.max) worst = p;
      for (const a of accs) {
        a.max = Math.max(a.max, d);
        a.ss += d * d;
        a.count++;
      }
    }
  });
  times.sort((a, b) => a - b);
  const rms = (a: Acc) => Math.sqrt(a.ss / Math.max(1, a.count));
  return {
    points: set.points.length,
    maxRelative: all.max,
    rmsRelative: rms(all),
    boxes: Object.fromEntries(boxes.map((b, i) => [b.name, { points: perBox[i].points, maxRelative: perBox[i].max, rmsRelative: rms(perBox[i]), maxSigma8Relative: perBox[i].maxS8 }])),
    maxSigma8Relative: all.maxS8,
    worstPoint: worst,
    msPerPrediction: times[Math.floor(times.length / 2)],
  };
}

export async function trainPkEmulator(o: TrainPkEmulatorOptions): Promise<void> {
  const solver = trainingSolver(o.standIn);
  const dir = `${o.out}.blocks`;
  // The envelope design, then one in the (slightly widened) boxes, where every held-out point lies: the
  // envelope alone spends half its points outside both boxes.
  const train = [...pkEmulatorDesign(o.points, deriveSeed(o.seed, 1), PK_EMULATOR_TRAINING_DOMAIN), ...pkEmulatorHeldOutDesign(o.boxPoints ?? 0, deriveSeed(o.seed, 3), widenedBoxes(0.03))];
  const test = [...pkEmulatorHeldOutDesign(o.testPoints, deriveSeed(o.seed, 2)), ...domainCorners()];
  const init: PkEmulatorWorkerInit = { standIn: o.standIn };
  let pool: WorkerPool<PkEmulatorTask, Float64Array> | null = null;
  const getPool = () => (pool ??= new WorkerPool<PkEmulatorTask, Float64Array>(new URL('../parallel/pk-emulator-worker.js', import.meta.url), init, { size: o.threads ?? availableParallelism() }));
  let trainSet: SolvedSet;
  let testSet: SolvedSet;
  try {
    o.log(`solver ${solver.name}: ${train.length} training and ${test.length} held-out cosmologies, blocks in ${dir}`);
    trainSet = await solveSet('train', train, dir, getPool, o.log);
    testSet = await solveSet('test', test, dir, getPool, o.log);
  } finally {
    if (pool) await (pool as WorkerPool<PkEmulatorTask, Float64Array>).close();
  }
  const n = train.length;
  const U = new Float64Array(n * 3);
  train.forEach((p, i) => unitInputs(DEFAULT_PK_EMULATOR_DOMAIN, p, U.subarray(3 * i, 3 * i + 3)));
  const methods = o.method === 'both' ? (['gp', 'mlp'] as const) : ([o.method] as const);
  const candidates: Array<{ json: PkEmulatorJSON; v: EmulatorValidation }> = [];
  for (const method of methods) {
    o.log(`fitting the ${method.toUpperCase()} emulator`);
    const t0 = performance.now();
    const json = fitPkEmulator(U, trainSet.Y, n, {
      method,
      seed: o.seed,
      components: o.components,
      solver: solver.name,
      training: { cosmeta: VERSION, trainSeed: deriveSeed(o.seed, 1), boxPoints: o.boxPoints ?? 0, boxSeed: deriveSeed(o.seed, 3), testSeed: deriveSeed(o.seed, 2), target: 'ln(P_solver / P_EH98,no-wiggle,Poisson + epsilon) at z = 0 on x = ln(k r_s)' },
      log: o.log,
    });
    const seconds = (performance.now() - t0) / 1000;
    const v = validateEmulator(new PkEmulator(json), testSet);
    o.log(`${method}: fit ${seconds.toFixed(0)} s; held-out ${v.points}: max ${(100 * v.maxRelative).toFixed(4)}%, RMS ${(100 * v.rmsRelative).toFixed(4)}%, sigma8 max ${(100 * v.maxSigma8Relative).toFixed(4)}%, ${v.msPerPrediction.toFixed(3)} ms per prediction`);
    for (const [name, b] of Object.entries(v.boxes)) o.log(`  ${name} (${b.points} points): max ${(100 * b.maxRelative).toFixed(4)}%, RMS ${(100 * b.rmsRelative).toFixed(4)}%, sigma8 max ${(100 * b.maxSigma8Relative).toFixed(4)}%`);
    candidates.push({ json, v });
    writeFileAtomic(join(dir, `candidate-${method}.json`), `${JSON.stringify(json)}\n`);
  }
  // The more accurate (max error) wins; the comparison is recorded in the file. Timings are left out of
  // the file so that a rerun gives the same bytes.
  candidates.sort((a, b) => a.v.maxRelative - b.v.maxRelative);
  const best = candidates[0];
  const strip = (v: EmulatorValidation) => ({ points: v.points, maxRelative: v.maxRelative, rmsRelative: v.rmsRelative, maxSigma8Relative: v.maxSigma8Relative, worstPoint: v.worstPoint, boxes: v.boxes });
  best.json.validation = {
    heldOut: `${test.length - domainCorners().length} Latin-hypercube points (half per box) + ${domainCorners().length} box corners, k <= 50/Mpc`,
    chosen: best.json.method,
    ...Object.fromEntries(candidates.map((c) => [c.json.method, strip(c.v)])),
  };
  writeFileAtomic(o.out, `${JSON.stringify(best.json)}\n`);
  o.log(`wrote ${o.out} (${best.json.method}); the solver blocks stay in ${dir} for reruns (remove them when done)`);
}
