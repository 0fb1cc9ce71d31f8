import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetSample } from '../../src/tasks/target.js';

// These tests run the built command (npm test builds dist/ first).
const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-meta-cli-'));

describe('cosmeta meta-train, adapt, evaluate', () => {
  it('meta-trains on a small dataset, adapts to the target sample and evaluates the result', () => {
    const data = join(dir, 'tasks.h5');
    expect(run(['generate', '--tasks', '7', '--samples', '60', '--seed', '1', '--out', data]).status).toBe(0);
    const meta = join(dir, 'meta.h5');
    let r = run(['meta-train', '--data', data, '--tasks', '6', '--samples', '60', '--epochs', '2', '--validation-samples', '30', '--seed', '2', '--out', meta]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(2);
    // Second-order MAML through the command: another meta-gradient, so other validation losses.
    const so = run(['meta-train', '--data', data, '--tasks', '6', '--samples', '60', '--epochs', '2', '--validation-samples', '30', '--seed', '2', '--algorithm', 'maml', '--out', join(dir, 'meta-so.h5')]);
    expect(so.status, so.stderr).toBe(0);
    expect(JSON.parse(so.stdout).bestValidationLoss).not.toBe(JSON.parse(r.stdout).bestValidationLoss);

    const s = targetSample();
    const nz = join(dir, 'target.txt');
    writeFileSync(nz, Array.from(s.z, (z, j) => [z, ...s.nz.map((b) => b[j])].join(' ')).join('\n'));
    const emu = join(dir, 'emu.h5');
    r = run(['adapt', '--meta', meta, '--nz', nz, '--samples', '40', '--seed', '3', '--out', emu]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    for (const k of ['mape', 'f5', 'seconds']) expect(Number.isFinite(summary[k])).toBe(true);
    expect(summary.validation).toBe(8);

    const test = join(dir, 'test.h5');
    expect(run(['generate', '--nz', nz, '--samples', '30', '--seed', '4', '--out', test]).status).toBe(0);
    r = run(['evaluate', '--emu', emu, '--test', test]);
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.n).toBe(30);
    // A barely trained emulator: finite, positive errors, and the failure rate is a fraction.
    expect(e.mape).toBeGreaterThan(0);
    expect(e.maxApe).toBeGreaterThanOrEqual(e.mape);
    expect(e.f5).toBeGreaterThanOrEqual(0);
    expect(e.f5).toBeLessThanOrEqual(1);
  }, 180_000);

  it('adapt uses the meta-emulator shipped in the package when --meta is not given', () => {
    const s = targetSample();
    const nz = join(dir, 'target-default.txt');
    writeFileSync(nz, Array.from(s.z, (z, j) => [z, ...s.nz.map((b) => b[j])].join(' ')).join('\n'));
    const r = run(['adapt', '--nz', nz, '--samples', '30', '--steps', '20', '--seed', '1', '--out', join(dir, 'from-default.h5')]);
    expect(r.status, r.stderr).toBe(0);
    // 24 fine-tuning spectra and 20 steps: rough, but a meta-learned start is already within a few percent.
    expect(JSON.parse(r.stdout).mape).toBeLessThan(10);
  }, 60_000);

  it('bad inputs fail clearly: wrong number of bins, missing files', () => {
    const nz3 = join(dir, 'three-bins.txt');
    writeFileSync(nz3, Array.from({ length: 50 }, (_, j) => `${j * 0.05} ${Math.exp(-j / 10)} ${Math.exp(-j / 20)} ${Math.exp(-j / 30)}`).join('\n'));
    const out = join(dir, 'never.h5');
    let r = run(['adapt', '--meta', join(dir, 'meta.h5'), '--nz', nz3, '--seed', '1', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/three-bins\.txt has 3 tomographic bins but the meta-emulator .* was trained for 5/);
    r = run(['adapt', '--meta', join(dir, 'nope.h5'), '--nz', nz3, '--seed', '1', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--meta .*nope\.h5: no such file/);
    r = run(['evaluate', '--emu', join(dir, 'meta.h5'), '--test', join(dir, 'tasks.h5')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not an emulator/);
    expect(existsSync(out)).toBe(false);
    // The data-volume study needs a task file large enough for its grid, and says so before any work.
    const studyDir = join(dir, 'volume');
    r = run(['study', 'volume', '--seed', '1', '--out-dir', studyDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--data <file> is required/);
    r = run(['study', 'volume', '--data', join(dir, 'tasks.h5'), '--seed', '1', '--out-dir', studyDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds 7 tasks x 60 spectra; the small grid needs 101 x 500/);
    expect(existsSync(studyDir)).toBe(false);
  }, 60_000);
});
