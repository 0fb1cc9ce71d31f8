/** Readers for the reference data copied into the repository (test/reference/, see its README). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTextTable } from '../../src/io/text-table.js';

export const REFERENCE = join(__dirname, '..', 'reference');

export function referenceTable(relative: string): number[][] {
  return parseTextTable(readFileSync(join(REFERENCE, relative), 'utf8'), relative);
}

export function referenceJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(join(REFERENCE, relative), 'utf8')) as T;
}

/** Largest |a/b - 1| over paired arrays. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] / b[i] - 1));
  return m;
}
