import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetReader } from '../../src/data/dataset-file.js';
import { targetSample } from '../../src/tasks/target.js';

const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('cosmeta generate', () => {
  it('after kill -9, the same command resumes and produces the same bytes as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-resume-'));
    const args = (out: string) => ['generate', '--tasks', '2', '--samples', '2000', '--seed', '4', '--block', '40', '--threads', '2', '--out', out];
    const killed = join(dir, 'killed.h5');
    const child = spawn(process.execPath, [BIN, ...args(killed)], { stdio: 'ignore' });
    const partial = `${killed}.partial`;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Kill once a few blocks are checkpointed (of 100).
    for (let i = 0; i < 2000; i++) {
      if (existsSync(partial) && readdirSync(partial).filter((f) => f.endsWith('.f64')).length >= 5) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(killed)).toBe(false);
    const kept = readdirSync(partial).filter((f) => f.endsWith('.f64')).length;
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThan(100);
    const resumed = run(args(killed));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming, \d+ of 4000 spectra already computed/);
    const whole = join(dir, 'whole.h5');
    expect(run(args(whole)).status).toBe(0);
    expect(Buffer.compare(readFileSync(killed), readFileSync(whole))).toBe(0);
    expect(existsSync(partial)).toBe(false);
  }, 120_000);

  it('--nz makes a one-task set for a given sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-nz-'));
    const s = targetSample();
    writeFileSync(join(dir, 'nz.txt'), Array.from(s.z, (z, j) => [z, ...s.nz.map((n) => n[j])].join(' ')).join('\n'));
    const out = join(dir, 'test.h5');
    const r = run(['generate', '--nz', join(dir, 'nz.txt'), '--samples', '20', '--seed', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const d = await DatasetReader.open(out);
    expect([d.header.tasks, d.header.samples]).toEqual([1, 20]);
    expect(Array.from(d.sample(0).nz[3])).toEqual(Array.from(s.nz[3]).map((v) => Number(String(v))));
    d.close();
  });

  it('--parent bins a tabulated parent n(z) into one task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-parent-'));
    const rows = Array.from({ length: 300 }, (_, j) => {
      const z = 0.05 + (3.45 * j) / 299;
      return `${z} ${z * z * Math.exp(-Math.pow(z / 0.13, 0.78))}`;
    });
    writeFileSync(join(dir, 'parent.txt'), rows.join('\n'));
    const out = join(dir, 'p.h5');
    const r = run(['generate', '--parent', join(dir, 'parent.txt'), '--samples', '4', '--seed', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const d = await DatasetReader.open(out);
    // The tabulated Smail parent binned like the target sample reproduces it (linear interpolation of
    // the parent on 300 points: 2e-3 of each bin's peak).
    const t = targetSample();
    for (let b = 0; b < 5; b++) {
      const nz = d.sample(0).nz[b];
      const peak = Math.max(...t.nz[b]);
      for (let j = 0; j < 300; j++) expect(Math.abs(nz[j] - t.nz[b][j]) / peak).toBeLessThan(2e-3);
    }
    d.close();
  });

  it('bad configurations: exit 2, a one-line message, no file and no checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-bad-'));
    writeFileSync(join(dir, 'inverted.json'), JSON.stringify({ h: [0.9, 0.5] }));
    const cases: Array<[string[], RegExp]> = [
      [['--tasks', '0', '--samples', '5', '--seed', '1'], /tasks must be an integer in \[1/],
      [['--tasks', '2', '--samples', '5', '--seed', '1', '--ranges', join(dir, 'inverted.json')], /range of h is inverted/],
      [['--tasks', '2', '--samples', '5', '--seed', '1', '--family', 'lsst'], /unknown task family "lsst"/],
      [['--tasks', '2', '--samples', '5', '--seed', '1', '--linear', 'symbolic'], /outside the validity range/],
      [['--tasks', '2', '--samples', '5', '--seed', 'x'], /--seed x is not an integer/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'never.h5');
      const r = run(['generate', ...args, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.partial`)).toBe(false);
    }
  });
});
