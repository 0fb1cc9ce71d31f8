import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CosmetaError } from '../../src/errors.js';
import { createFloat64, loadH5, writeDeterministic } from '../../src/io/h5.js';
import { saccFitsBytes } from '../../src/io/sacc-fits.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { readTwoPointFile } from '../../src/io/two-point-file.js';

const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');
const HDF5 = readFileSync(join(DES, 'sacc_data.hdf5'));
const FITS = readFileSync(join(DES, 'legacy_sacc_data.fits'));
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let des: TwoPointData;

beforeAll(async () => {
  des = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
});

/** The error a read gives: a CosmetaError whose message is one line starting with the file's path. */
async function failure(path: string): Promise<string> {
  try {
    await readTwoPointFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(CosmetaError);
    const msg = (err as Error).message;
    expect(msg.includes('\n'), msg).toBe(false);
    expect(msg.startsWith(`${path}: `), msg).toBe(true);
    return msg.slice(path.length + 2);
  }
  throw new Error(`${path} was read without error`);
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('hostile two-point files give one CosmetaError line naming the file', () => {
  it('HDF5 truncated at 8, 100, 2000, 50000, 800000 bytes and 1000 bytes short', async () => {
    for (const cut of [8, 100, 2000, 50000, 800000, HDF5.length - 1000]) {
      expect(await failure(file(`cut-${cut}.hdf5`, HDF5.subarray(0, cut)))).toMatch(/cannot open as HDF5: .*(truncated|address)/);
    }
  });

  it('FITS truncated at 100, 50000, 800000 bytes and 1000 bytes short', async () => {
    expect(await failure(file('cut-100.fits', FITS.subarray(0, 100)))).toMatch(/less than one 2880-byte FITS block/);
    expect(await failure(file('cut-50000.fits', FITS.subarray(0, 50000)))).toMatch(/no END card/);
    expect(await failure(file('cut-800000.fits', FITS.subarray(0, 800000)))).toMatch(/HDU 10 header \(NAXIS1=3656 NAXIS2=457\) claims 1670792 bytes of data but only 690560 remain/);
    expect(await failure(file('cut-end.fits', FITS.subarray(0, FITS.length - 1000)))).toMatch(/header block is cut short/);
  });

  it('corrupt bytes inside an HDF5 data chunk', async () => {
    const bad = Buffer.from(HDF5);
    bad.fill(0x55, 600000, 600400);
    expect(await failure(file('corrupt.hdf5', bad))).toMatch(/cannot read \/covariance_cov: .*\(corrupt file\?\)$/);
  });

  it('wrong magic: neither HDF5 nor FITS, and an HDF5 signature on junk', async () => {
    expect(await failure(file('text.sacc', Buffer.from('z nz\n0.1 1.0\n')))).toMatch(/neither HDF5 nor FITS/);
    expect(await failure(file('junk.hdf5', Buffer.concat([HDF5.subarray(0, 8), Buffer.alloc(4096, 7)])))).toMatch(/cannot open as HDF5/);
  });

  it('a FITS header claiming NAXIS2 = 10^12 rows, and an HDF5 dataset claiming 10^12 elements, refused before allocating', async () => {
    const bad = Buffer.from(FITS);
    const at = bad.toString('latin1').indexOf(`NAXIS2  = ${'167'.padStart(20)}`);
    bad.write(`NAXIS2  = ${'1000000000000'.padStart(20)}`, at, 'latin1');
    expect(await failure(file('big.fits', bad))).toMatch(/NAXIS2=1000000000000\) claims 32000000000000 bytes of data but only \d+ remain/);
    // A chunked dataset with no chunks written: a 10^12-element claim in a file of a few kB.
    const h5 = await loadH5();
    const path = join(dir, 'big.hdf5');
    writeDeterministic(() => {
      const f = new h5.File(path, 'w');
      const d = createFloat64(f.create_group('data'), 'galaxy_shear_xi_plus', [1e12], [1024]);
      d.create_attribute('SACCTYPE', 'data');
      f.close();
    });
    expect(await failure(path)).toMatch(/dataset \/data\/galaxy_shear_xi_plus claims 8000000000000 bytes, impossible for a file of this size/);
  });

  it('a covariance that is not positive definite, not symmetric, or does not match the data; negative n(z)', async () => {
    const n = des.points.length;
    const c = Float64Array.from(des.covariance);
    c[1] = c[n] = 10 * Math.sqrt(c[0] * c[n + 1]); // |correlation| = 10 > 1
    expect(await failure(file('nonpd.fits', saccFitsBytes({ ...des, covariance: c })))).toMatch(/^the covariance is not positive definite \(pivot 1 = -/);
    const asym = Float64Array.from(des.covariance);
    asym[5] *= 2;
    expect(await failure(file('asym.fits', saccFitsBytes({ ...des, covariance: asym })))).toMatch(/^the covariance is not symmetric at \(5, 0\)/);
    expect(await failure(file('short.fits', saccFitsBytes({ ...des, points: des.points.slice(1) })))).toMatch(/the covariance is 457 x 457 but the file has 456 data points/);
    const src0 = des.tracers.find((t) => t.name === 'src0')!;
    const nz = Float64Array.from(src0.nz);
    nz[40] = -0.25;
    const tracers = des.tracers.map((t) => (t === src0 ? { ...t, nz } : t));
    expect(await failure(file('negnz.fits', saccFitsBytes({ ...des, tracers })))).toMatch(/^tracer src0 has negative n\(z\) = -0.25 at z = 0.4051/);
  });

  it('the CLI prints that one line on stderr, exit code 2, and nothing from the HDF5 library', async () => {
    // In process (the HDF5 library's diagnostics would come through process.stderr.write too).
    const { main } = await import('../../src/cli/main.js');
    const corrupt = Buffer.from(HDF5);
    corrupt.fill(0x55, 600000, 600400);
    const files = [file('cli-cut.hdf5', HDF5.subarray(0, 800000)), file('cli-corrupt.hdf5', corrupt), file('cli-cut.fits', FITS.subarray(0, 800000))];
    for (const bad of files) {
      const out: string[] = [];
      const err: string[] = [];
      const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
      const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
      const ce = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
      const cw = vi.spyOn(console, 'warn').mockImplementation((...a) => void err.push(a.join(' ')));
      try {
        await main(['node', 'cosmeta', 'sacc', 'info', bad]);
      } finally {
        for (const s of [so, se, ce, cw]) s.mockRestore();
      }
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
      expect(out).toEqual([]);
      expect(err.length, err.join('')).toBe(1);
      expect(err[0].startsWith(`cosmeta: ${bad}: `) && err[0].endsWith('\n') && err[0].split('\n').length === 2, err[0]).toBe(true);
    }
    // The HDF5 library writes its diagnostics to file descriptor 2 directly, which no spy sees: read the
    // bad files in a child process and require its stderr to be empty. A plain `node` child runs
    // JavaScript only, so it imports the build (the tests' global setup builds dist/ when missing or stale).
    const script = `import { readTwoPointFile } from ${JSON.stringify(pathToFileURL(join(__dirname, '..', '..', 'dist', 'src', 'io', 'two-point-file.js')).href)};
for (const f of process.argv.slice(1)) await readTwoPointFile(f).then(() => console.log('read'), (e) => console.log(e.name));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, files[0], files[1]], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n'), r.stderr).toEqual(['CosmetaError', 'CosmetaError']);
    expect(r.stderr).toBe('');
  });
});
