/**
 * Speed of the Boltzmann solver on an emulator's k grid: 128 k values logspace(-4, log10 50) /Mpc,
 * z = 0, 0.5, 1, 2, 3, normalised to sigma8 (which adds its own ~70-mode grid), for three cosmologies
 * of the CAMB reference set, on one thread; then the throughput of a 2-worker pool. The machine is
 * shared, so each figure is also given as a ratio to a fixed calibration workload run in the same
 * process (1000 dense 48 x 48 LU factorisations + solves, the size of one dense stage matrix).
 *
 *   node scripts/setup.mjs && node dist/bench/boltzmann.js [--workers 2] [--cosmologies 3]
 */
import { luFactor, luSolve } from '../src/math/lu.js';
import { solveBoltzmann } from '../src/cosmology/boltzmann/index.js';
import { WorkerPool } from '../src/parallel/pool.js';
import type { BoltzmannTask, BoltzmannTaskResult } from '../src/parallel/boltzmann-worker.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const workers = arg('--workers', 2);
const nCos = arg('--cosmologies', 3);

function calibration(): number {
  const n = 48;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = Math.sin(i * 1.3);
  for (let i = 0; i < n; i++) a[i * n + i] += 10;
  const g = new Float64Array(n * n);
  const piv = new Int32Array(n);
  const b = new Float64Array(n);
  const t0 = performance.now();
  for (let r = 0; r < 1000; r++) {
    g.set(a);
    luFactor(g, n, piv);
    b.fill(1);
    luSolve(g, n, piv, b);
  }
  return (performance.now() - t0) / 1000;
}

const nk = 128;
const k = Float64Array.from({ length: nk }, (_, i) => 1e-4 * (50 / 1e-4) ** (i / (nk - 1)));
const z = Float64Array.from([0, 0.5, 1, 2, 3]);
const cosmologies = [
  { Omega_c: 0.27, Omega_b: 0.045, h: 0.67, n_s: 0.96, sigma8: 0.83 },
  { Omega_c: 0.2607, Omega_b: 0.049, h: 0.6766, n_s: 0.9665, sigma8: 0.8102 },
  { Omega_c: 0.35, Omega_b: 0.06, h: 0.8, n_s: 1.0, sigma8: 0.9 },
  { Omega_c: 0.2, Omega_b: 0.035, h: 0.6, n_s: 0.92, sigma8: 0.75 },
].slice(0, Math.max(1, nCos));

solveBoltzmann({ ...cosmologies[0] }, [0.1], [0]); // warm up the JIT
const cal0 = calibration();
process.stdout.write(`calibration (1000 x dense LU 48): ${(cal0 * 1000).toFixed(0)} ms\n`);
process.stdout.write(`grid: ${nk} k in [1e-4, 50]/Mpc, ${z.length} z, sigma8-normalised\n`);
let total = 0;
for (const c of cosmologies) {
  const t0 = performance.now();
  const r = solveBoltzmann({ ...c }, k, z);
  const s = (performance.now() - t0) / 1000;
  total += s;
  process.stdout.write(`1 thread: ${JSON.stringify(c)}: ${s.toFixed(2)} s (${r.derived.steps} steps, ${(s / cal0).toFixed(1)} x calibration)\n`);
}
const cal1 = calibration();
process.stdout.write(`1 thread mean: ${(total / cosmologies.length).toFixed(2)} s per cosmology; calibration after: ${(cal1 * 1000).toFixed(0)} ms\n`);

if (workers > 1) {
  const pool = new WorkerPool<BoltzmannTask, BoltzmannTaskResult>(new URL('../src/parallel/boltzmann-worker.js', import.meta.url), null, { size: workers });
  const tasks = [...cosmologies, ...cosmologies].map((c) => ({ input: { ...c }, k, z }));
  await pool.map(tasks.slice(0, workers)); // start-up and JIT in each worker
  const t0 = performance.now();
  await pool.map(tasks);
  const s = (performance.now() - t0) / 1000;
  await pool.close();
  process.stdout.write(`${workers} workers: ${tasks.length} cosmologies in ${s.toFixed(2)} s = ${(tasks.length / s).toFixed(2)} cosmologies/s (${(s / tasks.length).toFixed(2)} s each)\n`);
}
