/**
 * `node dist/bench/sacc.js [dir]`: read times of the DES Y1 SACC file in each format Cosmeta reads, as
 * the median of repeated reads, with the checks every reader ends with (Cholesky of the 457 x 457
 * covariance, n(z) and value scans) timed alone in the same run as the baseline: the ratio is what
 * survives a noisy machine. dir defaults to test/reference/surveys/des-y1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSaccFits, writeSaccFits } from '../src/io/sacc-fits.js';
import { readSaccHdf5 } from '../src/io/sacc-hdf5.js';
import { readTwoPointFits, writeTwoPointFits } from '../src/io/twopoint-fits.js';
import { checkTwoPoint } from '../src/io/two-point-checks.js';

const dir = process.argv[2] ?? join('test', 'reference', 'surveys', 'des-y1');
const REPEATS = 7;

async function median(fn: () => unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[REPEATS >> 1];
}

const hdf5 = join(dir, 'sacc_data.hdf5');
const fits = join(dir, 'legacy_sacc_data.fits');
const t0 = performance.now();
const des = await readSaccHdf5(hdf5);
const first = performance.now() - t0;
const tmp = mkdtempSync(join(tmpdir(), 'cosmeta-bench-'));
writeSaccFits(des, join(tmp, 'des.fits.gz'));
writeTwoPointFits(des, join(tmp, 'des_2pt.fits'));
const rows: [string, number, string][] = [];
const base = await median(() => checkTwoPoint(des, hdf5));
rows.push(['checks alone (baseline)', base, 'in memory']);
rows.push(['SACC HDF5 (h5wasm)', await median(() => readSaccHdf5(hdf5)), hdf5]);
rows.push(['SACC FITS', await median(() => readSaccFits(fits)), fits]);
rows.push(['SACC FITS, gzip', await median(() => readSaccFits(join(tmp, 'des.fits.gz'))), 'des.fits.gz (written by Cosmeta)']);
rows.push(['2pt-FITS', await median(() => readTwoPointFits(join(tmp, 'des_2pt.fits'))), 'des_2pt.fits (written by Cosmeta)']);
rmSync(tmp, { recursive: true, force: true });
process.stdout.write(`DES Y1 (457 points, 457 x 457 covariance, 9 n(z)), median of ${REPEATS} reads; first HDF5 read incl. WebAssembly start: ${first.toFixed(0)} ms\n`);
for (const [what, ms, file] of rows) process.stdout.write(`  ${what.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms  (${(ms / base).toFixed(1).padStart(5)} x baseline)  ${file}\n`);
