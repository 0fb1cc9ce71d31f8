import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGetDist, getDistRows, type GetDistColumn } from '../../src/io/getdist-format.js';
import { writeGetDist } from '../../src/io/getdist.js';
import { Random } from '../../src/math/random.js';

// 25,001 rows: three pieces of the streamed ROOT.txt (10,000 rows each by default), the last one short.
const N = 25_001;
const rng = new Random(7);
const col = (scale: number) => Float64Array.from({ length: N }, () => scale * (rng.uniform() - 0.5));
const columns: GetDistColumn[] = [
  { name: 'Omega_m', latex: '\\Omega_{\\rm m}', derived: false, values: col(1), range: [0.1, 0.9] },
  { name: 'A_s', latex: 'A_s', derived: false, values: col(1e-9) },
  { name: 'S8', latex: 'S_8', derived: true, values: col(2) },
];
const mlp = col(300);

describe('GetDist text chains', () => {
  it('the streamed ROOT.txt has the same bytes as the whole text, row for row, numbers to 10 significant digits', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'cosmeta-getdist-')), 'chain');
    writeGetDist(root, columns, mlp);
    const whole = formatGetDist(columns, mlp);
    const txt = readFileSync(`${root}.txt`, 'utf8');
    expect(txt).toBe(whole.txt);
    const rows = txt.trimEnd().split('\n');
    expect(rows).toHaveLength(N);
    for (const r of [0, 9_999, 10_000, 20_000, N - 1]) {
      const v = rows[r].split('\t').map(Number);
      expect(v[0]).toBe(1);
      expect(v[1]).toBeCloseTo(mlp[r], 6);
      for (const [i, c] of columns.entries()) expect(Math.abs(v[2 + i] - c.values[r])).toBeLessThanOrEqual(Math.abs(c.values[r]) * 1e-9);
    }
    expect(readFileSync(`${root}.paramnames`, 'utf8')).toBe('Omega_m\t\\Omega_{\\rm m}\nA_s\tA_s\nS8*\tS_8\n');
    expect(readFileSync(`${root}.ranges`, 'utf8')).toBe('Omega_m\t0.1000000000\t0.9000000000\n');
  });

  it('pieces end on row boundaries, and a column with the wrong number of rows is refused', () => {
    const pieces = [...getDistRows(columns, mlp, 10_000)];
    expect(pieces.map((p) => p.split('\n').length - 1)).toEqual([10_000, 10_000, 5_001]);
    expect(() => formatGetDist([{ ...columns[0], values: new Float64Array(3) }], mlp)).toThrow('getdist: column Omega_m has 3 rows, expected 25001');
  });
});
