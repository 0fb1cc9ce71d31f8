/**
 * SACC 2 in FITS (sacc/sacc.py `save_fits` / `load_fits`): a primary HDU with `SACCFVER = 2`, then one
 * BINTABLE per table, named `type:class:name` by EXTNAME (data tables carry no EXTNAME), its header keys
 * as cards (astropy's `table_to_hdu`: strings as nA, float64 as D, int64 as K, vector columns as nD with
 * TDIM). Older files are read too: the covariance as an IMAGE HDU named `covariance` (SACCCLSS full or
 * block with BLOCKS/SIZE_i), or as a BINTABLE `variance` (diagonal); metadata as NMETA/KEYi/VALi cards.
 *
 * The reading half, free of Node (the web page reads uploaded files with it); sacc-fits.ts adds paths and writing.
 */

import { CosmetaError } from '../errors.js';
import type { FitsHdu, FitsTable } from './fits.js';
import { tablesToTwoPoint, type MetaValue, type SaccTable, type TableColumn } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

/** The SACCFVER sacc 2.x writes and the newest this reader understands. */
export const SACC_FITS_VERSION = 2;

const STRUCTURAL = /^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|T(TYPE|FORM|DIM|UNIT|NULL|SCAL|ZERO|DISP)\d+)$/;

function toSaccTable(t: FitsTable): SaccTable {
  const meta: Record<string, MetaValue> = {};
  for (const [k, v] of t.header) if (!STRUCTURAL.test(k)) meta[k] = v;
  const columns = t.columns.map((c): TableColumn => {
    const kind = c.type === 'A' ? 'string' : c.type === 'L' ? 'bool' : c.type === 'D' || c.type === 'E' ? 'float' : 'int';
    return { name: c.name, kind, width: c.type === 'A' ? 1 : c.repeat, values: c.values };
  });
  return { meta, columns, nrows: t.nrows };
}

/** The dense matrix of an old-style covariance HDU (sacc < 1: `BaseCovariance.from_hdu`). */
function legacyCovariance(hdu: FitsHdu, file: string): Float64Array {
  const cls = String(hdu.header.get('SACCCLSS') ?? '').toLowerCase();
  if (cls === 'diagonal' && hdu.kind === 'bintable') {
    const v = hdu.columns.find((c) => c.name === 'variance');
    if (v === undefined || !(v.values instanceof Float64Array)) throw new CosmetaError(`${file}: diagonal covariance HDU has no variance column`);
    const n = v.values.length;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = v.values[i];
    return out;
  }
  if (hdu.kind !== 'image') throw new CosmetaError(`${file}: covariance HDU of class "${cls}" is not an image`);
  if (cls === 'full') {
    const [a, b] = hdu.shape;
    if (hdu.shape.length !== 2 || a !== b) throw new CosmetaError(`${file}: full covariance image is [${hdu.shape}], not square`);
    return Float64Array.from(hdu.data);
  }
  if (cls === 'block') {
    const count = Number(hdu.header.get('BLOCKS'));
    const sizes = Array.from({ length: count }, (_, i) => Number(hdu.header.get(`SIZE_${i}`)));
    if (!Number.isInteger(count) || sizes.some((s) => !Number.isInteger(s) || s < 0)) throw new CosmetaError(`${file}: block covariance HDU has invalid BLOCKS/SIZE_i`);
    const n = sizes.reduce((a, b) => a + b, 0);
    if (sizes.reduce((a, b) => a + b * b, 0) !== hdu.data.length) throw new CosmetaError(`${file}: block covariance holds ${hdu.data.length} values, its blocks need ${sizes.reduce((a, b) => a + b * b, 0)}`);
    const out = new Float64Array(n * n);
    let at = 0;
    let start = 0;
    for (const b of sizes) {
      for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) out[(start + i) * n + start + j] = hdu.data[at++];
      start += b;
    }
    return out;
  }
  throw new CosmetaError(`${file}: covariance class "${cls}" is not one of full, block, diagonal`);
}

/** TwoPointData from the HDUs of a SACC FITS file (already parsed). */
export function saccFromFits(hdus: readonly FitsHdu[], file: string): TwoPointData {
  const version = Number(hdus[0].header.get('SACCFVER') ?? 1);
  if (version > SACC_FITS_VERSION) throw new CosmetaError(`${file}: SACCFVER ${version} is newer than the supported ${SACC_FITS_VERSION}`);
  const tables: SaccTable[] = [];
  let legacy: Float64Array | null = null;
  const nmeta = Number(hdus[0].header.get('NMETA') ?? 0);
  if (nmeta > 0) {
    const columns: TableColumn[] = [];
    for (let i = 0; i < nmeta; i++) {
      const k = String(hdus[0].header.get(`KEY${i}`));
      const v = hdus[0].header.get(`VAL${i}`) ?? '';
      columns.push(typeof v === 'number' ? { name: k, kind: 'float', width: 1, values: Float64Array.of(v) } : typeof v === 'boolean' ? { name: k, kind: 'bool', width: 1, values: [v] } : { name: k, kind: 'string', width: 1, values: [v] });
    }
    tables.push({ meta: { SACCTYPE: 'metadata' }, columns, nrows: 1 });
  }
  for (const hdu of hdus.slice(1)) {
    if (String(hdu.header.get('EXTNAME') ?? '').toLowerCase() === 'covariance') legacy = legacyCovariance(hdu, file);
    else if (hdu.kind === 'bintable' && hdu.header.has('SACCTYPE')) tables.push(toSaccTable(hdu));
  }
  if (!tables.some((t) => String(t.meta.SACCTYPE).toLowerCase() === 'data')) throw new CosmetaError(`${file}: no SACC data tables (HDUs with SACCTYPE = 'data')`);
  return checkTwoPoint(tablesToTwoPoint(tables, file, legacy), file);
}

