import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readChain } from '../../src/inference/chain-file.js';
import { saccFitsBytes } from '../../src/io/sacc-fits.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';

// These tests run the built command (npm test builds dist/ first).
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const DES = join(ROOT, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-analysis-cli-'));
const desYaml = readFileSync(join(ROOT, 'configs', 'des-y1.yaml'), 'utf8').replace('file: sacc_data.hdf5', `file: ${DES}`);

function config(name: string, text: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('cosmeta mcmc --config: bad input exits 2 naming the key or value, writing nothing', () => {
  beforeAll(async () => {
    // A file with a negative n(z). The writers refuse to write one, so a valid SACC FITS file is written
    // and the sign bit of one n(z) value of src2 (a big-endian float64 in its table) flipped.
    const data = await readSaccHdf5(DES);
    const bytes = saccFitsBytes(data);
    const value = data.tracers[7].nz[50];
    const be = Buffer.alloc(8);
    be.writeDoubleBE(value);
    const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(be);
    expect(at).toBeGreaterThan(0);
    bytes[at] |= 0x80;
    writeFileSync(join(dir, 'negative-nz.fits'), bytes);
  }, 60_000);

  // One case per stage that can refuse (config schema, problem building, file reading); every kind of
  // bad input is checked at the library level in test/analysis/analysis.test.ts, and all of them are
  // refused before anything is written.
  const cases: Array<[string, () => string, RegExp]> = [
    ['unknown key', () => desYaml.replace('sampler:', 'samplr: {walkers: 4}\nsampler:'), /unknown key "samplr"/],
    ["prior outside the theory's domain", () => desYaml.replace('Omega_b: {prior: {flat: [0.03, 0.07]}', 'Omega_b: {prior: {flat: [-0.03, 0.07]}'), /parameters\.Omega_b\.prior \(at Omega_b = -0\.03\)/],
    ['negative n(z)', () => desYaml.replace(DES, join(dir, 'negative-nz.fits')), /negative-nz\.fits.*src2.*negative n\(z\) = -/],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      const name = what.replace(/\W+/g, '-');
      const out = join(dir, `${name}.h5`);
      const r = run(['mcmc', '--config', config(name, text()), '--out', out, '--getdist', join(dir, `gd-${name}`), '--no-progress']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(readdirSync(dir).filter((f) => (f.startsWith(name) && !f.endsWith('.yaml')) || f.startsWith(`gd-${name}`))).toEqual([]);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('cosmeta mcmc --config on the real DES Y1 file', () => {
  it('a few steps: JSON summary with S8, the chain records the config, GetDist files parse back', async () => {
    const smoke = desYaml.replace(/sampler: .*/, 'sampler: {walkers: 32, max_steps: 6, chunk: 3, burn_in: 2, seed: 7}');
    const out = join(dir, 'des.h5');
    const root = join(dir, 'des_gd');
    const r = run(['mcmc', '--config', config('des-smoke', smoke), '--out', out, '--getdist', root, '--threads', '2', '--no-progress']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.data.points).toBe(227);
    for (const name of ['S8', 'sigma8', 'Omega_m', 'A_s', 'm_4', 'dz_1', 'A_IA']) {
      expect(s[name], name).toHaveLength(3);
      const [med, lo, hi] = s[name];
      expect(lo <= med && med <= hi, name).toBe(true);
    }
    // The start ball is narrow (S8 ~ 0.80 at the start values), so a 6-step chain stays near it.
    expect(Math.abs(s.S8[0] - 0.8)).toBeLessThan(0.1);
    const chain = await readChain(out);
    expect(chain.steps).toBe(6);
    expect((chain.config.config as { data: { file: string } }).data.file).toBe(DES);
    // GetDist: weight, -ln posterior, 15 sampled and 2 derived parameters (sigma8*, S8*) per row.
    const names = readFileSync(`${root}.paramnames`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(names.map((n) => n[0])).toEqual([...chain.names, 'sigma8*', 'S8*']);
    expect(names.find((n) => n[0] === 'S8*')?.[1]).toBe('S_8');
    const rows = readFileSync(`${root}.txt`, 'utf8').trim().split('\n').map((l) => l.split('\t').map(Number));
    const burn = 2;
    expect(rows).toHaveLength((6 - burn) * 32);
    expect(rows.every((row) => row.length === 2 + 17 && row[0] === 1)).toBe(true);
    // -ln posterior column equals the chain's log_prob (10 significant digits written).
    const lp = chain.logProb[burn * 32];
    expect(Math.abs(rows[0][1] + lp) / Math.abs(lp)).toBeLessThan(1e-9);
    // S8 column = sigma8 sqrt(Omega_m / 0.3) row by row.
    const iOm = chain.names.indexOf('Omega_m') + 2;
    for (const row of rows) expect(Math.abs(row[18] / (row[17] * Math.sqrt(row[iOm] / 0.3)) - 1)).toBeLessThan(1e-8);
    const ranges = readFileSync(`${root}.ranges`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(ranges.find((x) => x[0] === 'Omega_m')?.slice(1).map(Number)).toEqual([0.1, 0.9]);
    expect(ranges.some((x) => x[0] === 'm_1')).toBe(false); // Gaussian priors have no hard range
  }, 120_000);
});
