import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShearTheory } from '../../src/cosmology/theory.js';
import { eisensteinHu } from '../../src/cosmology/transfer/eisenstein_hu.js';
import { FIDUCIAL, paperEll, targetSample } from '../../src/tasks/target.js';

// These tests run the built command (npm test builds dist/ first).
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });

/** A NumPy .npy file (little-endian float64, C order). */
function npy(shape: number[], data: ArrayLike<number>): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) dv.setFloat64(i * 8, data[i], true);
  return out;
}

describe('cosmeta cl', () => {
  let dir: string;
  const sample = targetSample();
  const nPts = sample.z.length;
  const params = { ...FIDUCIAL, dz: [0.001, -0.002, 0, 0.003, 0], m: [0.01, 0, 0, 0, -0.01] };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cosmeta-cl-'));
    const rows = Array.from(sample.z, (z, j) => [z, ...sample.nz.map((n) => n[j])]);
    writeFileSync(join(dir, 'nz.txt'), `# z n1 n2 n3 n4 n5\n${rows.map((r) => r.join(' ')).join('\n')}\n`);
    writeFileSync(join(dir, 'nz.csv'), rows.map((r) => r.join(',')).join('\n'));
    writeFileSync(join(dir, 'nz.npy'), npy([nPts, 6], rows.flat()));
    writeFileSync(join(dir, 'nz.npz'), zipSync({ 'z.npy': npy([nPts], sample.z), 'nz.npy': npy([5, nPts], sample.nz.flatMap((n) => Array.from(n))) }));
    writeFileSync(join(dir, 'nz.json'), JSON.stringify({ z: Array.from(sample.z), nz: sample.nz.map((n) => Array.from(n)) }));
    writeFileSync(join(dir, 'ell.txt'), Array.from(paperEll()).join('\n'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify(params));
  });

  it('writes the documented JSON, equal to the library result, for text, CSV, .npy, .npz and .json n(z)', () => {
    const expected = new ShearTheory(sample, paperEll(), { linear: eisensteinHu }).compute(FIDUCIAL, { dz: params.dz, m: params.m });
    for (const f of ['nz.txt', 'nz.csv', 'nz.npy', 'nz.npz', 'nz.json']) {
      const out = join(dir, `cl-${f}.json`);
      const r = run(['cl', '--params', join(dir, 'p.json'), '--nz', join(dir, f), '--ell', join(dir, 'ell.txt'), '--linear', 'eisenstein_hu', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(readFileSync(out, 'utf8'));
      expect(j.pairs).toHaveLength(15);
      expect(j.pairs[1]).toEqual([0, 1]);
      expect(j.cl).toHaveLength(15);
      expect(j.cl[0]).toHaveLength(50);
      expect(j.config.linear).toBe('eisenstein_hu');
      expect(j.config.cosmeta).toMatch(/^cosmeta \d/);
      // Text formats round-trip the n(z) through decimal strings: agreement to 1e-12.
      for (let p = 0; p < 15; p++) for (let l = 0; l < 50; l++) expect(Math.abs(j.cl[p][l] / expected[p * 50 + l] - 1)).toBeLessThan(1e-12);
    }
  });

  it('--no-spin2 and --linear-only change the result as documented', () => {
    const a = JSON.parse(run(['cl', '--linear', 'bbks']).stdout);
    const b = JSON.parse(run(['cl', '--linear', 'bbks', '--no-spin2']).stdout);
    expect(a.cl[0][0] / b.cl[0][0]).toBeCloseTo(24 / 2.5 ** 4, 10);
    const lin = JSON.parse(run(['cl', '--linear', 'bbks', '--linear-only']).stdout);
    expect(lin.cl[14][49] / a.cl[14][49]).toBeLessThan(0.5); // halofit boosts ell = 5000 by > 2x
    expect(lin.config.nonlinear).toBe('none');
  });

  it('bad input: exit code 2, a one-line message naming the problem, and no output file', () => {
    const bad = readFileSync(join(dir, 'nz.txt'), 'utf8').split('\n');
    const cols = bad[40].split(' ');
    cols[3] = '-0.5';
    bad[40] = cols.join(' ');
    writeFileSync(join(dir, 'bad.txt'), bad.join('\n'));
    const cases: Array<[string[], RegExp]> = [
      [['--nz', join(dir, 'bad.txt')], /bin 2 at z=0\.52.*point 39.*negative/],
      [['--nz', join(dir, 'missing.txt')], /cannot read .*missing\.txt: ENOENT/],
      [['--linear', 'camb'], /argument 'camb' is invalid/],
      [['--params', join(dir, 'nz.json')], /Omega_c: Required|unrecognized/i],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'never.json');
      const r = run(['cl', ...args, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
