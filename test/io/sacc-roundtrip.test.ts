import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadH5, type H5Dataset, type H5File, type H5Group } from '../../src/io/h5.js';
import { readFits } from '../../src/io/fits.js';
import { readSaccFits, saccFitsBytes, writeSaccFits } from '../../src/io/sacc-fits.js';
import { readSaccHdf5, writeSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { readTwoPointFile, writeSacc } from '../../src/io/two-point-file.js';
import { syntheticTwoPoint } from '../helpers/synthetic-two-point.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-sacc-'));
const python = (mods: string) => spawnSync('python3', ['-c', `import ${mods}`], { encoding: 'utf8' }).status === 0;
const H5PY = python('h5py');
const SACC = python('sacc');
const skipped = (ok: boolean, what: string) => (ok ? '' : ` [skipped: python3 has no ${what} here]`);

/** The points with windows removed (the HDF5 writer cannot store vector columns yet). */
function withoutWindows(d: TwoPointData): TwoPointData {
  return { ...d, windows: [], points: d.points.map(({ window: _w, ...p }) => p) };
}

describe('SACC write-then-read round trips', () => {
  it('DES Y1 content: HDF5 -> HDF5 and FITS -> FITS give identical TwoPointData', async () => {
    const des = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
    await writeSacc(des, join(dir, 'des.hdf5'), 'hdf5');
    expectSameTwoPoint(des, await readSaccHdf5(join(dir, 'des.hdf5')), 'HDF5 round trip');
    await writeSacc(des, join(dir, 'des.fits'), 'fits');
    expectSameTwoPoint(des, readSaccFits(join(dir, 'des.fits')), 'FITS round trip');
  });

  it('every SACC feature (own z grids, int/float/string tags with gaps, bandpower windows, metadata) round-trips through FITS and .fits.gz', async () => {
    const d = syntheticTwoPoint();
    writeSaccFits(d, join(dir, 'syn.fits'));
    const back = readSaccFits(join(dir, 'syn.fits'));
    expectSameTwoPoint(d, back, 'synthetic FITS');
    writeSaccFits(d, join(dir, 'syn.fits.gz'));
    expectSameTwoPoint(d, await readTwoPointFile(join(dir, 'syn.fits.gz')), 'synthetic FITS.gz');
    expect(back.points[12].tags).toEqual({ theta_min: 2.5 / 1.3, theta_max: 2.5 * 1.3, bin: 0, label: 'even0' });
    expect(back.points[13].tags).toEqual({ theta_min: 4.5 / 1.3, theta_max: 4.5 * 1.3, bin: 1 });
  });

  it('HDF5 (and .gz) round-trips the same minus windows, and refuses vector columns with a pointer to FITS', async () => {
    // h5wasm cannot create HDF5 enums (h5py's booleans), so a boolean is stored as int8 and reads back as 0/1.
    const d = withoutWindows(syntheticTwoPoint());
    await writeSaccHdf5(d, join(dir, 'syn.hdf5'));
    const hd = { ...d, metadata: { ...d.metadata, blinded: 0 } };
    expectSameTwoPoint(hd, await readSaccHdf5(join(dir, 'syn.hdf5')), 'synthetic HDF5');
    // sacc also reads gzip-compressed copies (.hdf5.gz); so does readTwoPointFile, by content.
    writeFileSync(join(dir, 'syn.sacc.gz'), gzipSync(readFileSync(join(dir, 'syn.hdf5'))));
    expectSameTwoPoint(hd, await readTwoPointFile(join(dir, 'syn.sacc.gz')), 'synthetic HDF5.gz');
    await expect(writeSaccHdf5(syntheticTwoPoint(), join(dir, 'win.hdf5'))).rejects.toThrow(/win\.hdf5: column weight of window 0 is a vector column.*--format fits/);
  });
});

describe('files Cosmeta writes have the layout sacc 2.x writes', () => {
  it('FITS: for the DES Y1 content every header keyword, value and data byte equals astropy-written legacy_sacc_data.fits', async () => {
    const ours = readFits(saccFitsBytes(await readSaccHdf5(join(DES, 'sacc_data.hdf5'))), 'ours');
    const theirs = readFits(readFileSync(join(DES, 'legacy_sacc_data.fits')), 'firecrown');
    expect(ours.length).toBe(theirs.length);
    ours.forEach((h, i) => {
      expect([...h.header], `HDU ${i}`).toEqual([...theirs[i].header]);
      expect(h.kind).toBe(theirs[i].kind);
      const t = theirs[i];
      if (h.kind === 'bintable' && t.kind === 'bintable') {
        const shape = (c: (typeof h.columns)[number]) => [c.name, c.type, c.repeat, c.dim];
        const content = (c: (typeof h.columns)[number]) => (c.values instanceof Float64Array ? Buffer.from(c.values.buffer).toString('hex') : JSON.stringify(c.values));
        expect(h.columns.map(shape), `HDU ${i}`).toEqual(t.columns.map(shape));
        expect(h.columns.map(content).join() === t.columns.map(content).join(), `HDU ${i} values`).toBe(true);
      }
    });
  });

  it('HDF5: the same datasets, attributes, column types and gzip-4 chunks as the h5py-written DES Y1 file (covariance as col_i)', async () => {
    const h5 = await loadH5();
    await writeSaccHdf5(await readSaccHdf5(join(DES, 'sacc_data.hdf5')), join(dir, 'layout.hdf5'));
    const describeFile = (f: H5File) => {
      const out: Record<string, unknown> = {};
      const visit = (g: H5Group, prefix: string) => {
        for (const k of g.keys()) {
          const o = g.get(k);
          if (o instanceof h5.Group) visit(o, `${prefix}${k}/`);
          else if (o instanceof h5.Dataset) {
            const d = o as H5Dataset;
            const attrs = Object.fromEntries(Object.entries(d.attrs).map(([n, a]) => [n, typeof a.value === 'bigint' ? Number(a.value) : a.value]));
            const dtype = k === 'covariance_cov' ? 'covariance' : JSON.stringify(d.dtype);
            const filters = JSON.stringify(d.filters);
            out[`${prefix}${k}`] = { attrs, dtype, shape: d.shape, filters: d.shape?.[0] ? filters : 'empty' };
          }
        }
      };
      visit(f, '');
      return out;
    };
    const ours = new h5.File(join(dir, 'layout.hdf5'), 'r');
    const theirs = new h5.File(join(DES, 'sacc_data.hdf5'), 'r');
    try {
      const a = describeFile(ours);
      const b = describeFile(theirs);
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(b)) {
        const [x, y] = [a[k] as { filters: string }, b[k] as { filters: string }];
        expect({ ...x, filters: undefined }, k).toEqual({ ...y, filters: undefined });
        // Tables are gzip level 4 as sacc's save_hdf5 writes them; sacc_hdf5_version is not compressed.
        expect(x.filters, k).toBe(y.filters);
        if (k.startsWith('tracer/') || k.startsWith('data/')) expect(x.filters, k).toBe('[{"id":1,"name":"deflate","cd_values":[4]}]');
      }
      const cov = ours.get('covariance_cov') as H5Dataset;
      expect((cov.dtype as [string, string][]).map((m) => m[0])).toEqual(Array.from({ length: 457 }, (_, i) => `col_${i}`));
    } finally {
      ours.close();
      theirs.close();
    }
  });

  it.skipIf(!H5PY)(`h5py reads our HDF5 tables${skipped(H5PY, 'h5py')}`, () => {
    const py = `import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(f['data/galaxy_shear_xi_plus'].shape[0], f['covariance_cov'].dtype.names[-1], f['tracer/src0'].attrs['SACCNAME'])`;
    const r = spawnSync('python3', ['-c', py, join(dir, 'des.hdf5')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('167 col_456 src0');
  });

  it.skipIf(!SACC)(`Python's sacc loads our HDF5 and FITS files${skipped(SACC, 'sacc')}`, () => {
    const py = `import sys, sacc\nfor p in sys.argv[1:]:\n    s = sacc.Sacc.load(p)\n    print(len(s.data), s.covariance.dense.shape[0], len(s.tracers), len(s.get_data_points('galaxy_shear_xi_plus')))`;
    const r = spawnSync('python3', ['-c', py, join(dir, 'des.hdf5'), join(dir, 'des.fits')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['457 457 9 167', '457 457 9 167']);
  });
});
