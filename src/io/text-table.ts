/**
 * Plain-text numeric tables: whitespace- or comma-separated columns, '#' comments, blank lines ignored.
 */

import { CosmetaError } from '../errors.js';

/** Parse a numeric table into rows; every row must have the same number of columns. */
export function parseTextTable(text: string, source = 'table'): number[][] {
  if (text.includes('\u0000')) throw new CosmetaError(`${source}: a binary file, not a text table`);
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].replace(/#.*$/, '').trim();
    if (line === '') continue;
    const fields = line.split(/[\s,]+/).filter((f) => f !== '');
    const row = fields.map((f) => Number(f));
    const bad = row.findIndex((v, i) => !Number.isFinite(v) || fields[i].trim() === '');
    if (bad >= 0) {
      throw new CosmetaError(`${source}: line ${li + 1}, column ${bad + 1}: ${JSON.stringify(fields[bad].length > 24 ? `${fields[bad].slice(0, 24)}...` : fields[bad])} is not a finite number`);
    }
    if (rows.length > 0 && row.length !== rows[0].length) {
      throw new CosmetaError(`${source}: line ${li + 1} has ${row.length} columns but earlier lines have ${rows[0].length}`);
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new CosmetaError(`${source}: no data rows`);
  return rows;
}

/** Column j of a parsed table. */
export function column(rows: number[][], j: number): Float64Array {
  return Float64Array.from(rows, (r) => r[j]);
}
