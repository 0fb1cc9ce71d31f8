/**
 * `npm run soak` (minutes to an hour; not in CI): the reliability checks of the tests, many more times.
 *   concurrent writers  two `generate` / `mcmc` on one output: the second must exit 2 naming the first,
 *                       the first's output must equal an uninterrupted run's bytes
 *   kill points         generate, mcmc, mcmc --config (the DES Y1 analysis), meta-train, pk-emulator train and
 *                       adapt SIGKILLed (the process group) at seeded moments, rerun to completion, compared with
 *                       an uninterrupted run
 *   hostile files       every reader (in-process fuzz) and five commands on damaged files (exit 2, one line)
 * For each: the count of lost or corrupted outputs and of unclean errors (stack traces, exit codes other
 * than 0 and 2, library output), all of which must be 0.
 *
 *   npm run soak -- [--rounds 3] [--fuzz 200] [--cli 20] [--seed 1]
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzReaders, mutations } from './reliability/fuzz.js';
import { cleanExit, killAndResume, runCosmeta, sameBytes, sameModel, startCosmeta, type KillPlan } from './reliability/kill.js';
import { Random } from '../src/math/random.js';
import { DEFAULT_META_EMULATOR, PACKAGE_ROOT } from '../src/paths.js';
import { targetSample } from '../src/tasks/target.js';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = flag('rounds', 3);
const fuzzCount = flag('fuzz', 200);
const cliCount = flag('cli', 20);
const seed = flag('seed', 1);
const t0 = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-soak-'));
const say = (s: string) => process.stderr.write(`soak: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  what: string;
  cases: number;
  lost: number;
  unclean: number;
}
const rows: Row[] = [];

const generateArgs = (out: string) => ['generate', '--tasks', '2', '--samples', '300', '--seed', '5', '--block', '20', '--threads', '1', '--out', out];
const mcmcArgs = (out: string) => ['mcmc', '--seed', '3', '--walkers', '24', '--max-steps', '24', '--chunk', '6', '--burn-in', '6', '--threads', '1', '--no-progress', '--out', out];

// The DES Y1 cosmic-shear analysis (the shipped config and SACC file, 17 parameters, full theory engine) with a
// sampler short enough to finish in seconds: 34 walkers, 48 steps in checkpointed chunks of 8, with the shipped
// config's DE/stretch move mixture (whose per-step move draw must resume exactly too).
const desSacc = join(PACKAGE_ROOT, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');
const desConfig = (data: string) =>
  readFileSync(join(PACKAGE_ROOT, 'configs', 'des-y1.yaml'), 'utf8')
    .replace('file: sacc_data.hdf5', `file: ${JSON.stringify(data)}`)
    .replace(/^sampler: .*$/m, 'sampler: {walkers: 34, tau_factor: 50, max_steps: 48, chunk: 8, burn_in: 8, seed: 1, moves: {de: 0.8, stretch: 0.2}}');
writeFileSync(join(dir, 'des-y1.yaml'), desConfig(desSacc));
writeFileSync(join(dir, 'bad-des-y1.yaml'), desConfig(join(dir, 'bad.hdf5')));
const surveyArgs = (out: string) => ['mcmc', '--config', 'des-y1.yaml', '--threads', '1', '--no-progress', '--out', out];

// References: uninterrupted runs.
say(`working in ${dir}`);
for (const [name, args] of [['gen-ref.h5', generateArgs], ['mcmc-ref.h5', mcmcArgs], ['survey-ref.h5', surveyArgs]] as const) {
  const r = runCosmeta(args(name), dir);
  if (r.status !== 0) throw new Error(`reference run failed: ${r.stderr}`);
}
const data = runCosmeta(['generate', '--tasks', '7', '--samples', '40', '--seed', '2', '--threads', '2', '--out', 'data.h5'], dir);
if (data.status !== 0) throw new Error(data.stderr);
const s = targetSample();
writeFileSync(join(dir, 'nz.txt'), Array.from(s.z, (z, j) => [z, ...s.nz.map((n) => n[j])].join(' ')).join('\n'));
const metaArgs = ['meta-train', '--data', '../data.h5', '--tasks', '5', '--samples', '30', '--seed', '1', '--epochs', '6', '--validation-samples', '10', '--out', 'meta.h5'];
const adaptArgs = ['adapt', '--meta', DEFAULT_META_EMULATOR, '--nz', '../nz.txt', '--train-data', '../data.h5', '--samples', '40', '--steps', '50', '--seed', '4', '--out', 'emu.h5'];
const trainEnv = { COSMETA_CHECKPOINT_SECONDS: '0.2' };
// The P(k) emulator's training set and fit, on the EH stand-in solver (the blocks and resume are the real code).
const pkArgs = (out: string) => ['pk-emulator', 'train', '--stand-in', '--points', '24', '--test-points', '8', '--seed', '3', '--threads', '1', '--method', 'gp', '--no-progress', '--out', out];
{
  const r = runCosmeta(pkArgs('pk-ref.json'), dir);
  if (r.status !== 0) throw new Error(`reference run failed: ${r.stderr}`);
}
for (const [sub, args] of [['meta-ref', metaArgs], ['adapt-ref', adaptArgs]] as const) {
  mkdirSync(join(dir, sub));
  const r = runCosmeta(args, join(dir, sub), trainEnv);
  if (r.status !== 0) throw new Error(r.stderr);
}
say(`references done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

// Concurrent writers.
for (const [name, args, ref] of [['generate', generateArgs, 'gen-ref.h5'], ['mcmc', mcmcArgs, 'mcmc-ref.h5']] as const) {
  const row: Row = { what: `concurrent writers: ${name}`, cases: 0, lost: 0, unclean: 0 };
  for (let i = 0; i < rounds; i++) {
    const out = `${name}-concurrent-${i}.h5`;
    const first = startCosmeta(args(out), dir);
    for (let w = 0; w < 1000 && !existsSync(join(dir, `${out}.lock`)); w++) await sleep(5);
    let firstDone = false;
    void first.exited.then(() => (firstDone = true));
    await sleep(0);
    if (firstDone) continue; // finished before a second writer could meet it: not a concurrent case
    const second = runCosmeta(args(out), dir);
    const r = await first.exited;
    row.cases++;
    if (second.status !== 2 || !cleanExit(second) || !second.stderr.includes(`process ${first.pid}`)) row.unclean++;
    if (!cleanExit(r) || r.status !== 0) row.unclean++;
    if (!sameBytes(join(dir, out), join(dir, ref))) row.lost++;
  }
  rows.push(row);
  say(`${row.what}: ${row.cases} cases`);
}

// Kill points.
const plans: Array<[string, (i: number) => { plan: KillPlan; check: () => Promise<boolean> }]> = [
  ['generate', (i) => ({ plan: { args: generateArgs(`gen-kill-${i}.h5`), cwd: dir, kills: 3, minMs: 300, jitterMs: 2000, seed: seed * 1000 + i }, check: async () => sameBytes(join(dir, `gen-kill-${i}.h5`), join(dir, 'gen-ref.h5')) })],
  ['mcmc', (i) => ({ plan: { args: mcmcArgs(`mcmc-kill-${i}.h5`), cwd: dir, kills: 3, minMs: 500, jitterMs: 2000, seed: seed * 2000 + i }, check: async () => sameBytes(join(dir, `mcmc-kill-${i}.h5`), join(dir, 'mcmc-ref.h5')) })],
  ['mcmc --config (DES Y1)', (i) => ({ plan: { args: surveyArgs(`survey-kill-${i}.h5`), cwd: dir, kills: 3, minMs: 500, jitterMs: 2500, seed: seed * 6000 + i }, check: async () => sameBytes(join(dir, `survey-kill-${i}.h5`), join(dir, 'survey-ref.h5')) })],
  [
    'meta-train',
    (i) => {
      const sub = join(dir, `meta-kill-${i}`);
      mkdirSync(sub);
      return { plan: { args: metaArgs, cwd: sub, env: trainEnv, kills: 3, progress: /meta-train: epoch \d+/, maxEvents: 2, jitterMs: 200, seed: seed * 3000 + i }, check: () => sameModel(join(sub, 'meta.h5'), join(dir, 'meta-ref', 'meta.h5')) };
    },
  ],
  ['pk-emulator train', (i) => ({ plan: { args: pkArgs(`pk-kill-${i}.json`), cwd: dir, kills: 3, minMs: 150, jitterMs: 2500, seed: seed * 5000 + i }, check: async () => sameBytes(join(dir, `pk-kill-${i}.json`), join(dir, 'pk-ref.json')) })],
  [
    'adapt',
    (i) => {
      const sub = join(dir, `adapt-kill-${i}`);
      mkdirSync(sub);
      return { plan: { args: adaptArgs, cwd: sub, env: trainEnv, kills: 2, minMs: 800, jitterMs: 1500, seed: seed * 4000 + i }, check: () => sameModel(join(sub, 'emu.h5'), join(dir, 'adapt-ref', 'emu.h5')) };
    },
  ],
];
for (const [name, make] of plans) {
  const row: Row = { what: `kill points: ${name}`, cases: 0, lost: 0, unclean: 0 };
  for (let i = 0; i < rounds; i++) {
    const { plan, check } = make(i);
    const k = await killAndResume(plan);
    row.cases += k.killedAfter.length;
    row.unclean += k.unclean.length;
    if (!(await check())) row.lost++;
  }
  rows.push(row);
  say(`${row.what}: ${row.cases} kills (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

// Hostile files, in-process readers.
const fuzz = await fuzzReaders(join(dir, 'fuzz'), seed, fuzzCount);
for (const [name, st] of Object.entries(fuzz.stats)) {
  rows.push({ what: `hostile files: ${name} (${st.accepted} still valid, ${st.clean} refused)`, cases: st.tried, lost: 0, unclean: st.unclean });
  for (const e of st.examples) say(`unclean ${name}: ${e}`);
}
say(`fuzz done: ${fuzz.libraryAborts} HDF5 library aborts survived (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

// Hostile files through the commands: exit 2 with one line, and no output left behind.
const chain = join(dir, 'mcmc-ref.h5');
const model = join(dir, 'adapt-ref', 'emu.h5');
const commands: Array<[string, string, (bad: string) => string[]]> = [
  ['evaluate --emu', model, (bad) => ['evaluate', '--emu', bad, '--test', 'data.h5']],
  ['mcmc --model', model, (bad) => ['mcmc', '--model', bad, '--seed', '1', '--max-steps', '2', '--out', 'never.h5']],
  ['compare', chain, (bad) => ['compare', chain, bad, '--json']],
  ['generate --nz', join(dir, 'nz.txt'), (bad) => ['generate', '--nz', bad, '--samples', '2', '--seed', '1', '--out', 'never.h5']],
  // bad-des-y1.yaml names bad.hdf5: the damaged SACC file
  ['mcmc --config (SACC data)', desSacc, () => ['mcmc', '--config', 'bad-des-y1.yaml', '--threads', '1', '--no-progress', '--out', 'never.h5']],
];
for (const [name, good, args] of commands) {
  const row: Row = { what: `hostile files via cosmeta ${name}`, cases: 0, lost: 0, unclean: 0 };
  const bytes = readFileSync(good);
  const ext = good.slice(good.lastIndexOf('.'));
  for (const { label, bytes: b } of mutations(bytes, new Random(seed + row.what.length), cliCount)) {
    const bad = join(dir, `bad${ext}`);
    writeFileSync(bad, b);
    const r = runCosmeta(args(bad), dir);
    row.cases++;
    if (!cleanExit(r)) {
      row.unclean++;
      say(`unclean ${name} (${label}): exit ${r.status}, ${r.stderr.slice(0, 200)}`);
    }
    // A refused input must leave no output behind (a mutation that left a valid file may write one).
    if (r.status !== 0 && existsSync(join(dir, 'never.h5'))) row.lost++;
    rmSync(join(dir, 'never.h5'), { force: true });
  }
  rows.push(row);
}

const seconds = (performance.now() - t0) / 1000;
const width = Math.max(...rows.map((r) => r.what.length));
process.stdout.write(`cosmeta soak (seed ${seed}, ${rounds} rounds, ${fuzzCount} mutations per reader, ${cliCount} per command): ${(seconds / 60).toFixed(1)} min\n`);
process.stdout.write(`${'check'.padEnd(width)}  cases  lost/corrupted  unclean\n`);
for (const r of rows) process.stdout.write(`${r.what.padEnd(width)}  ${String(r.cases).padStart(5)}  ${String(r.lost).padStart(14)}  ${String(r.unclean).padStart(7)}\n`);
const bad = rows.reduce((a, r) => a + r.lost + r.unclean, 0);
process.stdout.write(`total: ${rows.reduce((a, r) => a + r.cases, 0)} cases, ${bad} lost, corrupted or unclean\n`);
process.exitCode = bad === 0 ? 0 : 1;
