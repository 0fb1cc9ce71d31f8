/**
 * Kill-point resume and concurrent-writer checks of the `cosmeta` commands, shared by the tests
 * (test/cli/reliability.test.ts, bounded) and `npm run soak` (many more cases). A job is started in its
 * own process group and SIGKILLed (the whole group) at seeded random moments; the same command is then
 * rerun until it completes, and its output is compared with an uninterrupted run's.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadH5 } from '../../src/io/h5.js';
import { Random } from '../../src/math/random.js';

/** bin/cosmeta.js, from the sources (bench/reliability) or from the build (dist/bench/reliability). */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), ...(import.meta.url.endsWith('.ts') ? ['..', '..'] : ['..', '..', '..']), 'bin', 'cosmeta.js');

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

/** Run `cosmeta args` to the end. */
export function runCosmeta(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

/** A running `cosmeta args` in its own process group; `kill()` SIGKILLs the group. */
export function startCosmeta(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.on('data', (d) => (stdout += String(d)));
  const exited = new Promise<Run>((resolve) => child.on('exit', (status, signal) => setImmediate(() => resolve({ status, signal, stderr, stdout }))));
  return {
    pid: child.pid as number,
    exited,
    stderr: () => stderr,
    kill: () => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clean errors: exit 0 or 2, and on 2 exactly one line on stderr starting "cosmeta: " (no stack trace). */
export function cleanExit(r: Run): boolean {
  if (r.status === 0) return !/\n\s+at /.test(r.stderr) && !r.stderr.includes('HDF5-DIAG');
  if (r.status !== 2) return false;
  const lines = r.stderr.trim().split('\n');
  return lines.length === 1 && lines[0].startsWith('cosmeta: ');
}

export interface KillPlan {
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Number of kills before the run may finish. */
  kills: number;
  /**
   * Kill after this many matches of `progress` on stderr (seeded in [1, maxEvents]) plus a random delay
   * of up to `jitterMs`; without `progress`, after a random delay in [minMs, minMs + jitterMs].
   */
  progress?: RegExp;
  maxEvents?: number;
  minMs?: number;
  jitterMs: number;
  seed: number;
}

export interface KillResult {
  /** Event counts (or ms) after which a kill landed (a run that finished first is not counted). */
  killedAfter: number[];
  /** The final, uninterrupted-to-the-end run. */
  final: Run;
  /** Runs that ended other than by our kill or cleanly (must be none). */
  unclean: Run[];
}

/** Kill `plan.args` at seeded moments, `plan.kills` times, then run it to completion. */
export async function killAndResume(plan: KillPlan): Promise<KillResult> {
  const rng = new Random(plan.seed);
  const killedAfter: number[] = [];
  const unclean: Run[] = [];
  for (let k = 0; k < plan.kills; k++) {
    const events = plan.progress ? 1 + rng.int(plan.maxEvents ?? 1) : Math.round(plan.minMs ?? 0);
    const jitter = rng.uniform() * plan.jitterMs;
    const job = startCosmeta(plan.args, plan.cwd, plan.env);
    let finished: Run | null = null;
    void job.exited.then((r) => (finished = r));
    const progress = plan.progress;
    if (progress) while (!finished && (job.stderr().match(new RegExp(progress.source, 'g'))?.length ?? 0) < events) await sleep(5);
    else await sleep(events);
    if (!finished) {
      await sleep(jitter);
      job.kill();
    }
    const r = await job.exited;
    if (r.signal === 'SIGKILL') killedAfter.push(Math.round(events + (progress ? 0 : jitter)));
    else if (!cleanExit(r)) unclean.push(r);
    else if (r.status === 0) break; // finished before the kill: nothing left to resume
  }
  const final = runCosmeta(plan.args, plan.cwd, plan.env);
  if (!cleanExit(final) || final.status !== 0) unclean.push(final);
  return { killedAfter, final, unclean };
}

/** Byte-equal files (both must exist). */
export function sameBytes(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
}

/**
 * Two model files (emulators, meta-emulators) hold the same weights and scalers bit for bit and the same
 * metadata apart from wall-clock times ("seconds"), which no rerun can reproduce. `sameDir` = [dirA, dirB]
 * treats paths under run directory dirA in a's metadata (e.g. its training data) as those under dirB.
 */
export async function sameModel(a: string, b: string, sameDir?: [string, string]): Promise<boolean> {
  const h5 = await loadH5();
  const strip = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds').map(([k, x]) => [k, strip(x)])) : v;
  const read = (p: string) => {
    const f = new h5.File(p, 'r');
    try {
      const arrays = f.keys().sort().map((k) => {
        const v = (f.get(k) as { value: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } }).value;
        return [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')];
      });
      const text = String(f.attrs.metadata.value);
      const metadata = sameDir && p === a ? text.replaceAll(JSON.stringify(sameDir[0]).slice(1, -1), JSON.stringify(sameDir[1]).slice(1, -1)) : text;
      return JSON.stringify({ arrays, metadata: strip(JSON.parse(metadata)), architecture: f.attrs.architecture.value });
    } finally {
      f.close();
    }
  };
  return existsSync(a) && existsSync(b) && read(a) === read(b);
}

/**
 * Start `cosmeta args` and SIGKILL its process group as soon as `when()` holds (polled every 5 ms), e.g.
 * once a checkpoint file appears: a kill inside a named stage rather than at a random moment. Returns the
 * run and whether the kill landed (false: the job ended first).
 */
export async function killWhen(args: string[], cwd: string, when: () => boolean, env: Record<string, string> = {}): Promise<{ run: Run; killed: boolean }> {
  const job = startCosmeta(args, cwd, env);
  let finished = false;
  void job.exited.then(() => (finished = true));
  while (!finished && !when()) await sleep(5);
  if (!finished) job.kill();
  const run = await job.exited;
  return { run, killed: run.signal === 'SIGKILL' };
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? join(rel, e.name) : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** Keys of run-time measurements and dates, which no rerun reproduces (compared as present, not by value). */
const TIMING_KEY = /seconds|^date$/i;

/** A JSON value with the values of timing keys replaced by a marker (their presence is still compared). */
export function withoutTimings(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, TIMING_KEY.test(k) ? '<timing>' : withoutTimings(x)]));
  return v;
}

/** Two JSON files hold the same values apart from timings (see withoutTimings). */
export function sameJson(a: string, b: string): boolean {
  const read = (p: string) => JSON.stringify(withoutTimings(JSON.parse(readFileSync(p, 'utf8'))));
  return existsSync(a) && existsSync(b) && read(a) === read(b);
}
