/**
 * Two-point data from a file's bytes, free of Node (two-point-file.ts reads paths with it; the web page reads
 * uploaded files): the container by content (HDF5 signature, gzip magic, FITS `SIMPLE`), never by the name's
 * extension, and FITS files as SACC (SACCTYPE keywords) or 2pt-FITS (2PTDATA HDUs).
 */

import { gunzipSync } from 'fflate';
import { CosmetaError } from '../errors.js';
import { readFits } from './fits.js';
import { saccFromFits } from './sacc-fits-read.js';
import type { TwoPointData } from './sacc-types.js';
import { twoPointFromFits } from './twopoint-fits-read.js';

export type TwoPointFormat = 'sacc-hdf5' | 'sacc-fits' | '2pt-fits';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the first bytes of a file say it is. */
export function containerOf(b: Uint8Array): 'hdf5' | 'gzip' | 'fits' | null {
  if (b.length >= 8 && HDF5_SIGNATURE.every((v, i) => b[i] === v)) return 'hdf5';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 6 && String.fromCharCode(...b.subarray(0, 6)) === 'SIMPLE') return 'fits';
  return null;
}

/** Decompress a gzip stream; a damaged one is a CosmetaError naming `name`. */
export function gunzipBytes(bytes: Uint8Array, name: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new CosmetaError(`${name}: corrupt gzip stream (${(err as Error).message})`);
  }
}

/** A FITS file's two-point content (SACC or 2pt-FITS), checked (two-point-checks.ts). */
export function twoPointFromFitsBytes(bytes: Uint8Array, name: string): { data: TwoPointData; format: TwoPointFormat } {
  const hdus = readFits(bytes, name);
  if (hdus.some((h) => h.header.has('SACCTYPE'))) return { data: saccFromFits(hdus, name), format: 'sacc-fits' };
  if (hdus.some((h) => h.header.get('2PTDATA') === true)) return { data: twoPointFromFits(hdus, name), format: '2pt-fits' };
  throw new CosmetaError(`${name}: a FITS file with neither SACC tables (SACCTYPE) nor 2pt-FITS data (2PTDATA = T)`);
}
