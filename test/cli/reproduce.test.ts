import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHODS, pipelineFiles } from '../../src/pipeline/files.js';
import { reproduceScale } from '../../src/pipeline/scales.js';

// The built command (npm test builds dist/ first), at the tiny scale: every stage, in seconds.
const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-reproduce-'));

/** Every leaf of a JSON value with its path. */
function leaves(x: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(x)) return x.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (x !== null && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
  return [[path, x]];
}

describe('cosmeta reproduce --scale tiny', () => {
  const out = join(dir, 'run');
  const args = ['reproduce', '--scale', 'tiny', '--seed', '3', '--threads', '2', '--no-progress', '--out-dir', out];
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
    const r = run(args);
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
    const chain = join(out, F.chain('maml'));
    const before = readFileSync(chain);
    const mtime = statSync(join(out, F.meta)).mtimeMs;
    rmSync(chain);
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    expect((r.stderr.match(/done already, skipped/g) ?? []).length).toBe(9);
    expect(statSync(join(out, F.meta)).mtimeMs).toBe(mtime);
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
    writeFileSync(join(out, F.samplesStudy), '{"rows": ');
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/studies\/samples\.json: not valid JSON/);
  });
});
