/**
 * Two-point data files by content: SACC 2 in HDF5 (the HDF5 signature), SACC 2 in FITS (a FITS file with
 * SACCTYPE keywords) or 2pt-FITS (a FITS file with 2PTDATA HDUs); gzip-compressed copies of any of them.
 * The file name's extension is not trusted. Writers: SACC in HDF5 or FITS, 2pt-FITS in twopoint-fits.ts.
 */

import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmetaError } from '../errors.js';
import { writeSaccFits } from './sacc-fits.js';
import { readSaccHdf5, writeSaccHdf5 } from './sacc-hdf5.js';
import type { TwoPointData } from './sacc-types.js';
import { containerOf, gunzipBytes, twoPointFromFitsBytes, type TwoPointFormat } from './two-point-bytes.js';

export type { TwoPointFormat };
export type SaccContainer = 'hdf5' | 'fits';

function head(path: string, n: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new CosmetaError(`${path}: no such file or not readable`);
  }
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

async function readFromBytes(bytes: Uint8Array, path: string): Promise<{ data: TwoPointData; format: TwoPointFormat }> {
  if (containerOf(bytes) === 'hdf5') {
    // h5wasm reads files, not buffers: a decompressed copy goes to a private temporary directory.
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-sacc-'));
    try {
      const tmp = join(dir, 'data.hdf5');
      writeFileSync(tmp, bytes);
      try {
        return { data: await readSaccHdf5(tmp), format: 'sacc-hdf5' };
      } catch (err) {
        if (err instanceof CosmetaError) throw new CosmetaError(err.message.split(tmp).join(path));
        throw err;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return twoPointFromFitsBytes(bytes, path);
}

/** Read any supported two-point file, with the format it was found to be. */
export async function readTwoPointFileWithFormat(path: string): Promise<{ data: TwoPointData; format: TwoPointFormat }> {
  const container = containerOf(head(path, 8));
  if (container === 'hdf5') return { data: await readSaccHdf5(path), format: 'sacc-hdf5' };
  if (container === 'gzip') return readFromBytes(gunzipBytes(readFileSync(path), path), path);
  if (container === 'fits') return readFromBytes(readFileSync(path), path);
  throw new CosmetaError(`${path}: neither HDF5 nor FITS (nor gzip of either): not a SACC or 2pt-FITS file`);
}

/** Read a SACC (HDF5 or FITS) or 2pt-FITS file, detected by content, into checked `TwoPointData`. */
export async function readTwoPointFile(path: string): Promise<TwoPointData> {
  return (await readTwoPointFileWithFormat(path)).data;
}

/** Write `data` as a SACC 2 file that Python's sacc reads (`Sacc.load_hdf5` / `Sacc.load_fits`), atomically. */
export async function writeSacc(data: TwoPointData, path: string, format: SaccContainer): Promise<void> {
  if (format === 'hdf5') await writeSaccHdf5(data, path);
  else if (format === 'fits') writeSaccFits(data, path);
  else throw new CosmetaError(`SACC format "${String(format)}" is not one of hdf5, fits`);
}
