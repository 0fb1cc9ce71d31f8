import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFits, writeFits } from '../../src/io/fits.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { readTwoPointFileWithFormat } from '../../src/io/two-point-file.js';
import { readTwoPointFits, writeTwoPointFits } from '../../src/io/twopoint-fits.js';

const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-2pt-'));

/** The DES Y1 cosmic-shear part: the 227 shear points (covariance indices 230..456) and the source n(z). */
async function desShear(): Promise<TwoPointData> {
  const d = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
  const keep = d.points.map((p, i) => [p, i] as const).filter(([p]) => p.dataType.startsWith('galaxy_shear_xi'));
  const idx = keep.map(([, i]) => i);
  const n = d.points.length;
  const m = idx.length;
  const covariance = new Float64Array(m * m);
  idx.forEach((i, a) => idx.forEach((j, b) => (covariance[a * m + b] = d.covariance[i * n + j])));
  return { tracers: d.tracers.filter((t) => t.name.startsWith('src')), points: keep.map(([p]) => p), covariance, windows: [], metadata: {} };
}

describe('2pt-FITS (DES / CosmoSIS convention)', () => {
  it('the DES Y1 shear data written as 2pt-FITS read back: same points, theta [arcmin], n(z) and covariance to the bit', async () => {
    const d = await desShear();
    const path = join(dir, 'des_shear_2pt.fits');
    writeTwoPointFits(d, path);
    const { data: back, format } = await readTwoPointFileWithFormat(path);
    expect(format).toBe('2pt-fits');
    expect(back.points.length).toBe(227);
    expect(back.points.map(({ tags: _t, ...p }) => p)).toEqual(d.points.map(({ tags: _t, ...p }) => p));
    // ANGBIN counts the angles within each pair of bins.
    expect(back.points.slice(0, 3).map((p) => p.tags.angbin)).toEqual([0, 1, 2]);
    expect(Buffer.from(back.covariance.buffer).equals(Buffer.from(d.covariance.buffer))).toBe(true);
    expect(back.tracers.map((t) => [t.name, t.quantity])).toEqual(['src0', 'src1', 'src2', 'src3'].map((n) => [n, 'galaxy_shear']));
    back.tracers.forEach((t, i) => expect(Array.from(t.nz)).toEqual(Array.from(d.tracers[i].nz)));
  });

  it('the file has the 2point layout: COVMAT with STRT_i/NAME_i, 2PTDATA HDUs with QUANT/KERNEL, NZ_SOURCE with Z_LOW/Z_MID/Z_HIGH/BINi', async () => {
    const path = join(dir, 'des_shear_2pt.fits');
    writeTwoPointFits(await desShear(), path);
    const hdus = readFits(readFileSync(path), path);
    const byName = new Map(hdus.map((h) => [String(h.header.get('EXTNAME') ?? ''), h]));
    const cov = byName.get('COVMAT')!;
    expect(cov.kind).toBe('image');
    expect([cov.header.get('COVDATA'), cov.header.get('NAME_0'), cov.header.get('STRT_0'), cov.header.get('NAME_1'), cov.header.get('STRT_1')]).toEqual([true, 'xim', 0, 'xip', 60]);
    const xip = byName.get('xip')!;
    expect(['2PTDATA', 'QUANT1', 'QUANT2', 'KERNEL_1', 'KERNEL_2', 'WINDOWS', 'N_ZBIN_1', 'TUNIT5'].map((k) => xip.header.get(k))).toEqual([true, 'G+R', 'G+R', 'NZ_SOURCE', 'NZ_SOURCE', 'SAMPLE', 4, 'arcmin']);
    expect(xip.kind === 'bintable' && xip.columns.map((c) => c.name)).toEqual(['BIN1', 'BIN2', 'ANGBIN', 'VALUE', 'ANG']);
    const nz = byName.get('NZ_SOURCE')!;
    expect(nz.header.get('NZDATA')).toBe(true);
    expect(nz.kind === 'bintable' && nz.columns.map((c) => c.name)).toEqual(['Z_LOW', 'Z_MID', 'Z_HIGH', 'BIN1', 'BIN2', 'BIN3', 'BIN4']);
  });

  it('converts ANG given in degrees to arcmin, maps GPR/G+R to galaxy_shearDensity_xi_t with the source first, and checks STRT_i', () => {
    const row = (cols: [string, number[]][]) => cols.map(([name, v]) => ({ name, type: (['BIN1', 'BIN2', 'ANGBIN'].includes(name) ? 'K' : 'D') as 'K' | 'D', repeat: 1, values: Float64Array.from(v) }));
    const nz = (name: string) => ({
      kind: 'bintable' as const, keys: [['NZDATA', true], ['EXTNAME', name]] as [string, boolean | string][], nrows: 3,
      columns: row([['Z_LOW', [0, 0.5, 1]], ['Z_MID', [0.25, 0.75, 1.25]], ['Z_HIGH', [0.5, 1, 1.5]], ['BIN1', [0, 1, 0]]]),
    });
    const spectrum = {
      kind: 'bintable' as const,
      keys: [['TUNIT5', 'deg'], ['2PTDATA', true], ['EXTNAME', 'gammat'], ['QUANT1', 'GPR'], ['QUANT2', 'G+R'], ['KERNEL_1', 'NZ_LENS'], ['KERNEL_2', 'NZ_SOURCE'], ['WINDOWS', 'SAMPLE']] as [string, string | boolean][],
      nrows: 2,
      columns: row([['BIN1', [1, 1]], ['BIN2', [1, 1]], ['ANGBIN', [0, 1]], ['VALUE', [1e-3, 5e-4]], ['ANG', [0.5, 1]]]),
    };
    const file = (strt: number) => writeFits({ kind: 'image', keys: [], shape: [], data: new Float64Array(0) }, [
      { kind: 'image', keys: [['COVDATA', true], ['EXTNAME', 'COVMAT'], ['STRT_0', strt], ['NAME_0', 'gammat']], shape: [2, 2], data: Float64Array.of(1e-8, 0, 0, 1e-8) },
      spectrum, nz('NZ_LENS'), nz('NZ_SOURCE'),
    ]);
    writeFileSync(join(dir, 'gammat.fits'), file(0));
    const d = readTwoPointFits(join(dir, 'gammat.fits'));
    expect(d.points.map((p) => [p.dataType, ...p.tracers, p.theta])).toEqual([
      ['galaxy_shearDensity_xi_t', 'src0', 'lens0', 30],
      ['galaxy_shearDensity_xi_t', 'src0', 'lens0', 60],
    ]);
    expect(d.tracers.map((t) => [t.name, t.quantity])).toEqual([['lens0', 'galaxy_density'], ['src0', 'galaxy_shear']]);
    writeFileSync(join(dir, 'gammat-bad.fits'), file(1));
    expect(() => readTwoPointFits(join(dir, 'gammat-bad.fits'))).toThrow(/gammat-bad\.fits: covariance STRT_0 = 1 but the spectra before 'gammat' hold 0 points/);
  });
});
