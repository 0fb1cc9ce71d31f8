import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanExit, filesUnder, killWhen, runCosmeta, sameBytes, sameJson, sameModel } from '../../bench/reliability/kill.js';
import { METHODS, pipelineFiles } from '../../src/pipeline/files.js';
import { reproduceScale } from '../../src/pipeline/scales.js';

// The built command (the tests' global setup builds dist/), at the tiny scale: every stage, in seconds.
// One uninterrupted run (beforeAll) is the reference; tests that change a run directory work on a copy,
// so no test depends on another having run first.
const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-reproduce-'));

/**
 * report.md without what measures this run's time: the date, the meta-training seconds, the chains' wall
 * times (last column of the posterior table: "n/a" for a chain finished by an earlier run) and the
 * run-time table.
 */
function reportWithoutTimings(md: string): string {
  return md
    .slice(0, md.indexOf('## Run time'))
    .replace(/ on \d{4}-\d\d-\d\d,/, ' on <date>,')
    .replace(/\(\d+ s\)\./g, '(<seconds>).')
    .split('\n')
    .map((l) => (/^\| (full theory|MAML|single-task|fresh) \| .*\|$/.test(l) && l.split('|').length === 12 ? l.replace(/\| [^|]* \|$/, '| <seconds> |') : l))
    .join('\n');
}

/** Every leaf of a JSON value with its path. */
function leaves(x: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(x)) return x.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (x !== null && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
  return [[path, x]];
}

describe('cosmeta reproduce --scale tiny', () => {
  const out = join(dir, 'run');
  const argsFor = (o: string) => ['reproduce', '--scale', 'tiny', '--seed', '3', '--threads', '2', '--no-progress', '--out-dir', o];
  const args = argsFor(out);
  /** A copy of the reference run to change. */
  const copyOf = (name: string) => {
    const to = join(dir, name);
    cpSync(out, to, { recursive: true });
    return to;
  };
  let first: ReturnType<typeof run>;
  beforeAll(() => {
    first = run(args);
  }, 600_000);
  const scale = reproduceScale('tiny');
  const F = pipelineFiles(scale);
  const files = [
    F.settings,
    F.stages,
    F.tasks,
    F.targetTrain,
    F.targetTest,
    F.singleTaskData,
    F.oodTrain,
    F.oodTest,
    F.meta,
    F.pretrained,
    ...METHODS.filter((m) => m !== 'fresh').map(F.emulator),
    ...scale.fresh.sizes.map(F.fresh),
    F.samplesStudy,
    F.freshStudy,
    F.theoryChain,
    ...METHODS.map(F.chain),
    F.summary,
    F.report,
    ...['nz', 'samples', 'fresh-ratio', 'contours', 'corner'].map(F.figure),
  ];

  it('writes every stage file and a summary whose every number is finite', () => {
    const r = first;
    expect(r.status, r.stderr).toBe(0);
    for (const f of files) expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, F.summary), 'utf8'));
    const all = leaves(summary);
    const bad = all.filter(([, v]) => v === null || (typeof v === 'number' && !Number.isFinite(v)));
    expect(bad).toEqual([]);
    // Every field the report needs is there (a missing field would make its table read "n/a").
    for (const m of ['maml', 'single-task', 'fresh']) {
      expect(summary.accuracy[m].mape, m).toBeGreaterThan(0);
      // f5 is a fraction of the test spectra: a count over the test spectra, at most 1.
      const f5 = summary.accuracy[m].f5;
      expect(f5).toBeLessThanOrEqual(1);
      expect(Math.abs(f5 * summary.accuracy.testSpectra - Math.round(f5 * summary.accuracy.testSpectra))).toBeLessThan(1e-6);
      // Two different chains (emulator and theory) are never at distance exactly 0.
      expect(summary.posteriors[m].bhattacharyya).toBeGreaterThan(0);
      expect(summary.posteriors[m].bhattacharyyaHistogram).toBeGreaterThan(0);
    }
    expect(summary.studies.samples).toHaveLength(2 * scale.study.sizes.length);
    expect(summary.studies.fresh.target).toHaveLength(scale.fresh.sizes.length);
    expect(summary.studies.fresh.outOfDistribution).toHaveLength(scale.ood.sizes.length);
    expect(summary.posteriors.theory.steps).toBe(scale.mcmc.maxSteps);
    // Even 200 steps of 24 walkers with the full theory put S8 within 0.01 of its fiducial value 0.850
    // (the posterior's width is 0.003; walkers start within 10% of the fiducial point).
    expect(Math.abs(summary.posteriors.theory.S8.median - 0.85)).toBeLessThan(0.01);
    // The report quotes the computed numbers, not constants.
    const report = readFileSync(join(out, F.report), 'utf8');
    expect(report).toContain(`| MAML | ${summary.accuracy.maml.mape.toFixed(3)} |`);
    expect(report).toContain(summary.posteriors.maml.bhattacharyya.toFixed(4));
    for (const name of ['nz', 'samples', 'fresh-ratio', 'contours', 'corner']) expect(statSync(join(out, F.figure(name))).size).toBeGreaterThan(10_000);
  });

  it('a rerun skips every finished stage and leaves their files untouched; a lost file is remade identically', () => {
    const o = copyOf('rerun');
    const chain = join(o, F.chain('maml'));
    const before = readFileSync(chain);
    const mtime = statSync(join(o, F.meta)).mtimeMs;
    rmSync(chain);
    const r = run(argsFor(o));
    expect(r.status, r.stderr).toBe(0);
    expect((r.stderr.match(/done already, skipped/g) ?? []).length).toBe(9);
    expect(statSync(join(o, F.meta)).mtimeMs).toBe(mtime);
    expect(Buffer.compare(readFileSync(chain), before)).toBe(0);
  });

  it('refuses to mix settings in one directory', () => {
    const r = run(['reproduce', '--scale', 'tiny', '--seed', '4', '--no-progress', '--out-dir', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds a run with other settings/);
  });

  it('bad input exits 2 naming the value, with nothing written', () => {
    const fresh = join(dir, 'never');
    const scaleBad = run(['reproduce', '--scale', 'huge', '--out-dir', fresh]);
    expect(scaleBad.status).toBe(2);
    expect(scaleBad.stderr).toMatch(/huge/);
    const seedBad = run(['reproduce', '--seed', '-1', '--out-dir', fresh]);
    expect(seedBad.status).toBe(2);
    expect(seedBad.stderr).toMatch(/--seed -1/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('a corrupted stage output is reported by name, not silently reused', () => {
    const o = copyOf('corrupted');
    writeFileSync(join(o, F.samplesStudy), '{"rows": ');
    const r = run(argsFor(o));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/studies\/samples\.json: not valid JSON/);
  });

  it('killed inside meta-training, pre-training, the emulators, study (i) and the emulator chains, resumes to the files of the uninterrupted run', async () => {
    // The data stages and the full-theory chain are taken from the reference run (the state of a run
    // interrupted after them; their own resume is generate's and mcmc's, tested in reliability.test.ts).
    // Then each run is SIGKILLed (its process group) as soon as a file of the stage it is in appears, and
    // the next run resumes; checkpoints are saved after every epoch so each kill lands after one.
    const o = join(dir, 'killed');
    mkdirSync(join(o, 'chains'), { recursive: true });
    for (const f of [F.settings, F.tasks, F.targetTrain, F.targetTest, F.singleTaskData, F.oodTrain, F.oodTest, F.theoryChain]) cpSync(join(out, f), join(o, f));
    const env = { COSMETA_CHECKPOINT_SECONDS: '0' };
    const triggers = [`${F.meta}.partial`, `${F.pretrained}.partial`, F.emulator('maml'), `${F.samplesStudy}.partial`, F.chain('maml')];
    for (const t of triggers) {
      const k = await killWhen(argsFor(o), dir, () => existsSync(join(o, t)), env);
      expect(k.killed, `kill at ${t}: ${k.run.stderr}`).toBe(true);
      // A kill leaves its lock (a dead holder, taken over by the next run) and never a torn output:
      // a stage output either exists whole (it is compared below) or not at all.
      expect(existsSync(`${o}.lock`)).toBe(true);
    }
    const r = runCosmeta(argsFor(o), dir, env);
    expect(r.status, r.stderr).toBe(0);
    expect(cleanExit(r)).toBe(true);
    expect(existsSync(`${o}.lock`), 'lock released').toBe(false);
    // The same files as the uninterrupted run: no checkpoint, temporary file or lock left inside.
    expect(filesUnder(o)).toEqual(filesUnder(out));
    for (const f of filesUnder(out)) {
      if (f.endsWith('.h5') && (f.startsWith('models/') || f.startsWith('emulators/'))) {
        // Weights and scalers bit for bit; metadata apart from the training wall time (and the run
        // directory in the recorded paths of the training data).
        expect(await sameModel(join(o, f), join(out, f), [o, out]), f).toBe(true);
      } else if (f === F.stages) {
        continue; // stage wall times only
      } else if (f.endsWith('.json')) {
        // Every value apart from run times and the date (keys matching /seconds|date/).
        expect(sameJson(join(o, f), join(out, f)), f).toBe(true);
      } else if (f === F.report) {
        expect(reportWithoutTimings(readFileSync(join(o, f), 'utf8'))).toBe(reportWithoutTimings(readFileSync(join(out, f), 'utf8')));
      } else {
        // Data sets, chains and figures: the same bytes.
        expect(sameBytes(join(o, f), join(out, f)), f).toBe(true);
      }
    }
  }, 600_000);
});
