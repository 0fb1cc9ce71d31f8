/**
 * SACC 2 in FITS (sacc/sacc.py `save_fits` / `load_fits`): a primary HDU with `SACCFVER = 2`, then one
 * BINTABLE per table, named `type:class:name` by EXTNAME (data tables carry no EXTNAME), its header keys
 * as cards (astropy's `table_to_hdu`: strings as nA, float64 as D, int64 as K, vector columns as nD with
 * TDIM). Older files are read too: the covariance as an IMAGE HDU named `covariance` (SACCCLSS full or
 * block with BLOCKS/SIZE_i), or as a BINTABLE `variance` (diagonal); metadata as NMETA/KEYi/VALi cards.
 */

import { readFileSync } from 'node:fs';
import { CosmetaError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readFits, writeFits, type FitsColumn, type FitsTableSpec } from './fits.js';
import { SACC_FITS_VERSION, saccFromFits } from './sacc-fits-read.js';
import { twoPointToTables, type SaccTable, type TableColumn } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

export { SACC_FITS_VERSION, saccFromFits } from './sacc-fits-read.js';

/** Read a SACC FITS file (.fits or .fits.gz) into `TwoPointData`, checked (see two-point-checks.ts). */
export function readSaccFits(path: string): TwoPointData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CosmetaError(`${path}: no such file or not readable`);
  }
  return saccFromFits(readFits(bytes, path), path);
}

function fitsColumn(c: TableColumn): FitsColumn {
  if (c.kind === 'string') {
    const s = c.values as readonly string[];
    return { name: c.name, type: 'A', repeat: Math.max(1, ...s.map((v) => v.length)), values: s };
  }
  const type = c.kind === 'float' ? 'D' : c.kind === 'int' ? 'K' : 'L';
  return { name: c.name, type, repeat: c.width, ...(c.width > 1 ? { dim: [c.width] } : {}), values: c.values };
}

/** SACC tables as FITS BINTABLE specifications (header keys in table order after the structure keys). */
export function saccTableHdus(tables: readonly SaccTable[]): FitsTableSpec[] {
  return tables.map((t) => ({ kind: 'bintable', keys: Object.entries(t.meta), nrows: t.nrows, columns: t.columns.map(fitsColumn) }));
}

/** The bytes of `data` as SACC 2 FITS, HDUs in the order sacc 2.x's `save_fits` writes them. */
export function saccFitsBytes(data: TwoPointData, gzip = false): Uint8Array {
  const primary = { kind: 'image' as const, keys: [['SACCFVER', SACC_FITS_VERSION]] as [string, number][], shape: [], data: new Float64Array(0) };
  return writeFits(primary, saccTableHdus(twoPointToTables(data)), gzip);
}

/** Write `data` as SACC 2 FITS atomically (gzip-compressed when the path ends in .gz). */
export function writeSaccFits(data: TwoPointData, path: string): void {
  checkTwoPoint(data, `${path} (to write)`);
  writeFileAtomic(path, saccFitsBytes(data, path.endsWith('.gz')));
}
