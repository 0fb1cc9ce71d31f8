import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChain } from '../../src/inference/chain-file.js';

// These tests run the built command (npm test builds dist/ first).
const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-mcmc-cli-'));

describe('cosmeta mcmc (theory) and compare', () => {
  const args = (out: string, seed = '5') => ['mcmc', '--seed', seed, '--walkers', '20', '--chunk', '20', '--max-steps', '80', '--burn-in', '20', '--threads', '2', '--no-progress', '--out', out];

  it('after kill -9, the same command resumes and gives the same chain bytes as an uninterrupted run', async () => {
    const killed = join(dir, 'killed.h5');
    const child = spawn(process.execPath, [BIN, ...args(killed)], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let i = 0; i < 6000 && !existsSync(`${killed}.partial`); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(killed)).toBe(false);
    const partial = await readChain(`${killed}.partial`);
    expect(partial.steps).toBeGreaterThanOrEqual(20);
    expect(partial.steps).toBeLessThan(80);
    const resumed = run(args(killed));
    expect(resumed.status, resumed.stderr).toBe(0);
    const whole = join(dir, 'whole.h5');
    const r = run(args(whole));
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(killed), readFileSync(whole))).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.steps).toBe(80);
    // Omega_m median of a short chain near the fiducial 0.315 (the posterior width is ~0.017).
    expect(Math.abs(summary.summary.Omega_m[0] - 0.315)).toBeLessThan(0.05);
  }, 180_000);

  it('compare prints distances for each chain and writes a corner plot', () => {
    const other = join(dir, 'other.h5');
    expect(run(args(other, '6')).status).toBe(0);
    const png = join(dir, 'corner.png');
    const r = run(['compare', join(dir, 'whole.h5'), other, '--params', 'Omega_m,S8', '--plot', png, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.chains).toHaveLength(1);
    const c = j.chains[0];
    for (const key of ['bhattacharyya', 'bhattacharyyaHistogram']) expect(Number.isFinite(c[key])).toBe(true);
    expect(Object.keys(c.meanShiftSigma)).toEqual(['Omega_m', 'S8']);
    expect(c.summary.S8).toHaveLength(3);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const svg = join(dir, 'corner.svg');
    expect(run(['compare', join(dir, 'whole.h5'), other, '--params', 'Omega_m,S8,h', '--plot', svg]).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*<path/);
  }, 120_000);

  it('bad input fails with a clear message, exit 2 and no output file', () => {
    const out = join(dir, 'bad.h5');
    let r = run(['mcmc', '--seed', '1', '--model', join(dir, 'missing.h5'), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing\.h5: no such file \(give "theory" or an emulator \.h5 file\)/);
    r = run(['mcmc', '--seed', '1', '--walkers', '7', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/walkers must be an even integer >= 2 x 10 parameters = 20, got 7/);
    r = run(['mcmc', '--seed', 'x', '--out', out]);
    expect(r.stderr).toMatch(/--seed x is not an integer/);
    expect(existsSync(out)).toBe(false);
    const notChain = join(dir, 'not-chain.h5');
    writeFileSync(notChain, 'hello');
    r = run(['compare', notChain, notChain]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-chain\.h5/);
    r = run(['compare', join(dir, 'whole.h5'), join(dir, 'whole.h5'), '--params', 'Omega_x']);
    expect(r.stderr).toMatch(/unknown parameter "Omega_x"; available: Omega_c, .*Omega_m, S8/);
  }, 60_000);
});
