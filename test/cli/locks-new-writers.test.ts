import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every command that writes an output takes OUT.lock first (src/io/lock.ts). Here a lock held by a live
// process (this test's runner, not the spawned command) sits beside each output: the command must exit
// 2 at once naming that pid, and leave no output. A command that skipped the lock would start its job
// and either write the output or fail differently, so each case can fail.
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const DES = join(ROOT, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-locks-'));

function holdLock(out: string): void {
  const holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: 'a test holding the lock' };
  writeFileSync(`${out}.lock`, JSON.stringify(holder));
}

function refused(args: string[], out: string): void {
  holdLock(out);
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`process ${process.pid}`);
  expect(existsSync(out)).toBe(false);
}

describe('the writers added with surveys, the P(k) emulator and field inference honour the output lock', () => {
  it('mcmc --config', () => {
    const yaml = readFileSync(join(ROOT, 'configs', 'des-y1.yaml'), 'utf8').replace('file: sacc_data.hdf5', `file: ${DES}`).replace('linear: boltzmann_emulated', 'linear: eisenstein_hu');
    const config = join(dir, 'des.yaml');
    writeFileSync(config, yaml);
    refused(['mcmc', '--config', config, '--out', join(dir, 'chain.h5'), '--no-progress'], join(dir, 'chain.h5'));
  }, 120_000);

  it('sacc convert', () => {
    refused(['sacc', 'convert', DES, join(dir, 'des.fits')], join(dir, 'des.fits'));
  }, 120_000);

  it('pk-emulator train', () => {
    refused(['pk-emulator', 'train', '--stand-in', '--points', '20', '--test-points', '0', '--out', join(dir, 'pk.json'), '--no-progress'], join(dir, 'pk.json'));
  }, 120_000);

  it('field wiener and field zeldovich', () => {
    refused(['field', 'wiener', '--grid', '16', '--seed', '1', '--samples', '10', '--out', join(dir, 'w.h5'), '--no-progress'], join(dir, 'w.h5'));
    refused(['field', 'zeldovich', '--grid', '8', '--seed', '1', '--samples', '10', '--out', join(dir, 'z.h5'), '--no-progress'], join(dir, 'z.h5'));
  }, 120_000);
});
