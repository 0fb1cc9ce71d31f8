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
import { pythonWith, skipNote } from '../helpers/python.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-sacc-'));
const H5PY = pythonWith('h5py');
const ASTROPY = pythonWith('astropy');
const SACC = pythonWith('sacc');

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

  it.skipIf(H5PY === null)(`h5py reads our HDF5 tables: names, column types, attributes, covariance rows${skipNote(H5PY, 'h5py')}`, async () => {
    const path = join(dir, 'h5py.hdf5');
    await writeSaccHdf5(await readSaccHdf5(join(DES, 'sacc_data.hdf5')), path);
    const py = [
      'import sys, json, h5py, numpy as np',
      'f = h5py.File(sys.argv[1], "r")',
      'x = f["data/galaxy_shear_xi_plus"]; c = f["covariance_cov"]; t = f["tracer/src0"]',
      'a = c[()]; cov = np.array([a["col_%d" % i] for i in range(c.attrs["SIZE"])])',
      'print(json.dumps({"keys": sorted(f.keys()), "xip": [x.shape[0], str(x.dtype)], "attrs": {k: (v if isinstance(v, str) else int(v)) for k, v in x.attrs.items()},',
      '  "src0": [t.attrs["SACCNAME"], t.attrs["SACCQTTY"], float(t["nz"][100])], "cov": [cov.shape[0], float(cov[230, 231]), bool((cov == cov.T).all())], "version": int(f["sacc_hdf5_version"][0])}))',
    ].join('\n');
    const r = spawnSync(H5PY as string, ['-c', py, path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const des = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
    expect(j.keys).toEqual(['covariance_cov', 'data', 'metadata', 'sacc_hdf5_version', 'tracer']);
    expect(j.xip).toEqual([167, "[('tracer_0', 'S4'), ('tracer_1', 'S4'), ('value', '<f8'), ('theta', '<f8'), ('sacc_ordering', '<i8')]"]);
    expect(j.attrs).toEqual({ NTRACER: 2, SACCTYPE: 'data', SACCNAME: 'galaxy_shear_xi_plus' });
    expect(j.src0).toEqual(['src0', 'generic', des.tracers.find((t) => t.name === 'src0')!.nz[100]]);
    expect(j.cov).toEqual([457, des.covariance[230 * 457 + 231], true]);
    expect(j.version).toBe(1);
  });

  it.skipIf(ASTROPY === null)(`astropy reads our SACC FITS: HDU names, table columns, header keys, vector covariance rows${skipNote(ASTROPY, 'astropy')}`, async () => {
    const path = join(dir, 'astropy.fits');
    writeSaccFits(syntheticTwoPoint(), path);
    const py = [
      'import sys, json, warnings',
      'from astropy.io import fits',
      'from astropy.table import Table',
      'f = fits.open(sys.argv[1])',
      'w = Table.read(f["window:Bandpower:0"]); c = Table.read(f["covariance:full:cov"]); d = Table.read(f[5])',
      'print(json.dumps({"names": [h.name for h in f], "fver": f[0].header["SACCFVER"], "weight": list(w["weight"].shape), "row": list(c["row"].shape),',
      '  "data": [d.meta["SACCNAME"], int(d.meta["NTRACER"]), d.colnames, [str(d[c].dtype) for c in d.colnames]]}))',
    ].join('\n');
    const r = spawnSync(ASTROPY as string, ['-W', 'ignore', '-c', py, path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.names).toEqual(['PRIMARY', 'tracer:NZ:src0', 'tracer:NZ:src1', 'window:Bandpower:0', 'covariance:full:cov', '', '', 'metadata:metadata:metadata']);
    expect(j.fver).toBe(2);
    expect(j.weight).toEqual([99, 4]);
    expect(j.row).toEqual([17, 17]);
    expect(j.data).toEqual(['galaxy_shear_cl_ee', 2, ['tracer_0', 'tracer_1', 'value', 'ell', 'window', 'window_ind', 'sacc_ordering'], ['<U4', '<U4', '>f8', '>f8', '>i8', '>i8', '>i8']]);
  });

  it.skipIf(SACC === null)(`Python's sacc loads our HDF5 and FITS files${skipNote(SACC, 'sacc')}`, () => {
    const py = `import sys, sacc\nfor p in sys.argv[1:]:\n    s = sacc.Sacc.load(p)\n    print(len(s.data), s.covariance.dense.shape[0], len(s.tracers), len(s.get_data_points('galaxy_shear_xi_plus')))`;
    const r = spawnSync(SACC as string, ['-c', py, join(dir, 'des.hdf5'), join(dir, 'des.fits')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['457 457 9 167', '457 457 9 167']);
  });
});
