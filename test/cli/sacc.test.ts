import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import { readTwoPointFile } from '../../src/io/two-point-file.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('cosmeta sacc', () => {
  it('info --json: the DES Y1 file holds 9 tracers, four data types with their counts and a 457 x 457 covariance', () => {
    const r = run('sacc', 'info', join(DES, 'sacc_data.hdf5'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('sacc-hdf5');
    expect(j.covariance).toEqual([457, 457]);
    expect(j.tracers.length).toBe(9);
    expect(Object.fromEntries(j.dataTypes.map((t: { name: string; points: number }) => [t.name, t.points]))).toEqual({
      galaxy_density_xi: 54, galaxy_shearDensity_xi_t: 176, galaxy_shear_xi_minus: 60, galaxy_shear_xi_plus: 167,
    });
  }, 60_000);

  it('convert HDF5 -> FITS -> HDF5 gives the same content; a name without a known extension and no --format exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-sacc-cli-'));
    const { main } = await import('../../src/cli/main.js');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err: string[] = [];
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      await main(['node', 'cosmeta', 'sacc', 'convert', join(DES, 'sacc_data.hdf5'), join(dir, 'a.fits')]);
      await main(['node', 'cosmeta', 'sacc', 'convert', join(dir, 'a.fits'), join(dir, 'b.out'), '--format', 'hdf5']);
      expect(process.exitCode ?? 0).toBe(0);
      await main(['node', 'cosmeta', 'sacc', 'convert', join(DES, 'sacc_data.hdf5'), join(dir, 'c.dat')]);
      expect(process.exitCode).toBe(2);
    } finally {
      out.mockRestore();
      se.mockRestore();
      process.exitCode = undefined;
    }
    expect(err).toEqual([`cosmeta: cannot tell the format of ${join(dir, 'c.dat')} from its name: give --format hdf5, fits or 2pt-fits\n`]);
    expect(existsSync(join(dir, 'c.dat'))).toBe(false);
    const [a, b] = [await readSaccHdf5(join(DES, 'sacc_data.hdf5')), await readTwoPointFile(join(dir, 'b.out'))];
    expectSameTwoPoint(a, b, 'HDF5 -> FITS -> HDF5');
  }, 60_000);
});
