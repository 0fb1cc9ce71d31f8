import { describe, expect, it } from 'vitest';
import { writeFits, type FitsImageSpec, type FitsTableSpec } from '../../src/io/fits.js';
import { saccFromFits, saccTableHdus } from '../../src/io/sacc-fits.js';
import { readFits } from '../../src/io/fits.js';
import { twoPointToTables, type SaccTable } from '../../src/io/sacc-tables.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { syntheticTwoPoint } from '../helpers/synthetic-two-point.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

/** Block-diagonal version of the synthetic covariance: blocks of 12 (C_ell) and 5 (xi_plus) points. */
function blockDiagonal(d: TwoPointData, sizes: number[]): TwoPointData {
  const n = d.points.length;
  const c = new Float64Array(n * n);
  let s = 0;
  for (const b of sizes) {
    for (let i = s; i < s + b; i++) for (let j = s; j < s + b; j++) c[i * n + j] = d.covariance[i * n + j];
    s += b;
  }
  return { ...d, covariance: c };
}

function read(primaryKeys: [string, string | number][], hdus: (FitsTableSpec | FitsImageSpec)[]): TwoPointData {
  const bytes = writeFits({ kind: 'image', keys: primaryKeys, shape: [], data: new Float64Array(0) }, hdus);
  return saccFromFits(readFits(bytes, 'legacy.fits'), 'legacy.fits');
}

const withoutCovariance = (tables: SaccTable[]) => tables.filter((t) => t.meta.SACCTYPE !== 'covariance');

describe('older SACC FITS layouts', () => {
  const d = blockDiagonal(syntheticTwoPoint(), [12, 5]);
  const n = d.points.length;

  it('block covariance as tables block_0, block_1 (SACCBCNT, SACCBIDX, SACCBSZE, block_row), as sacc 2 writes block covariances', () => {
    const tables = withoutCovariance(twoPointToTables(d));
    let start = 0;
    [12, 5].forEach((b, k) => {
      const rows = new Float64Array(b * b);
      for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) rows[i * b + j] = d.covariance[(start + i) * n + start + j];
      tables.push({
        meta: { SIZE: n, SACCBIDX: k, SACCBCNT: 2, SACCBSZE: b, SACCTYPE: 'covariance', SACCCLSS: 'block', SACCNAME: 'cov', SACCPART: `block_${k}`, EXTNAME: `covariance:block:cov` },
        columns: [{ name: 'block_row', kind: 'float', width: b, values: rows }],
        nrows: b,
      });
      start += b;
    });
    expectSameTwoPoint(d, read([['SACCFVER', 2]], saccTableHdus(tables)), 'block tables');
  });

  it('diagonal covariance as a variance table; full covariance as col_i columns', () => {
    const diag = Float64Array.from({ length: n }, (_, i) => d.covariance[i * n + i]);
    const dd = { ...d, covariance: new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? diag[k / (n + 1)] : 0)) };
    const tables = withoutCovariance(twoPointToTables(dd));
    tables.push({ meta: { SIZE: n, SACCTYPE: 'covariance', SACCCLSS: 'diagonal', SACCNAME: 'cov' }, columns: [{ name: 'variance', kind: 'float', width: 1, values: diag }], nrows: n });
    expectSameTwoPoint(dd, read([['SACCFVER', 2]], saccTableHdus(tables)), 'diagonal table');
    const cols = withoutCovariance(twoPointToTables(d));
    cols.push({
      meta: { SIZE: n, SACCTYPE: 'covariance', SACCCLSS: 'full', SACCNAME: 'cov' },
      columns: Array.from({ length: n }, (_, j) => ({ name: `col_${j}`, kind: 'float' as const, width: 1, values: d.covariance.slice(j * n, (j + 1) * n) })),
      nrows: n,
    });
    expectSameTwoPoint(d, read([['SACCFVER', 2]], saccTableHdus(cols)), 'col_i table');
  });

  it('sacc 1: covariance as an IMAGE HDU named covariance (full, or block with BLOCKS/SIZE_i), metadata as NMETA/KEYi/VALi, no sacc_ordering', () => {
    // sacc < 1 wrote no sacc_ordering: the rows of the data tables, in file order, are the covariance order.
    const tables = withoutCovariance(twoPointToTables(d))
      .filter((t) => t.meta.SACCTYPE !== 'metadata')
      .map((t) => ({ ...t, columns: t.columns.filter((c) => c.name !== 'sacc_ordering') }));
    const full: FitsImageSpec = { kind: 'image', keys: [['EXTNAME', 'covariance'], ['SACCCLSS', 'full']], shape: [n, n], data: d.covariance };
    const meta: [string, string | number][] = [['NMETA', 2], ['KEY0', 'creator'], ['VAL0', 'cosmeta test'], ['KEY1', 'n_real'], ['VAL1', 100]];
    const back = read(meta, [...saccTableHdus(tables), full]);
    expectSameTwoPoint({ ...d, metadata: { creator: 'cosmeta test', n_real: 100 } }, back, 'legacy full image');
    const blocks = new Float64Array(12 * 12 + 5 * 5);
    let at = 0;
    for (const [s, b] of [[0, 12], [12, 5]]) for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) blocks[at++] = d.covariance[(s + i) * n + s + j];
    const block: FitsImageSpec = { kind: 'image', keys: [['EXTNAME', 'covariance'], ['SACCCLSS', 'block'], ['BLOCKS', 2], ['SIZE_0', 12], ['SIZE_1', 5]], shape: [blocks.length], data: blocks };
    expect(Buffer.from(read([], [...saccTableHdus(tables), block]).covariance.buffer).equals(Buffer.from(d.covariance.buffer))).toBe(true);
  });
});
