/**
 * Reading tomographic n(z) files (layouts: io/nz-parse.ts) and one-column grids of multipoles or
 * wavenumbers from files.
 */

import { readInputFile } from './read-file.js';
import { extname } from 'node:path';
import { CosmetaError } from '../errors.js';
import { parseRedshiftDistributions } from './nz-parse.js';
import { parseTextTable } from './text-table.js';

/** Read and validate an n(z) file in any supported layout (see io/nz-parse.ts). */
export function readRedshiftDistributions(path: string): { z: Float64Array; nz: Float64Array[] } {
  return parseRedshiftDistributions(readInputFile(path), path);
}

/** Read multipoles: a text file with one ell per line (or a single column), or a JSON array; finite, >= 1, increasing. */
export function readEll(path: string): Float64Array {
  return readGrid(path, { what: 'multipole', min: 1, inclusive: true });
}

/** Read wavenumbers [1/Mpc] in the same formats as readEll; finite, > 0, increasing. */
export function readWavenumbers(path: string): Float64Array {
  return readGrid(path, { what: 'wavenumber', min: 0, inclusive: false });
}

interface GridRule {
  /** The quantity, singular, for messages ("multipole"). */
  what: string;
  /** Smallest valid value, allowed itself when `inclusive`. */
  min: number;
  inclusive: boolean;
}

/** A one-column increasing grid: a text file with one value per line, or a JSON array of numbers. */
function readGrid(path: string, rule: GridRule): Float64Array {
  const bytes = readInputFile(path);
  if (extname(path).toLowerCase() === '.json') {
    let arr: unknown;
    try {
      arr = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new CosmetaError(`${path}: invalid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(arr) || !arr.every((v) => typeof v === 'number')) throw new CosmetaError(`${path}: expected a JSON array of numbers`);
    return checkGrid(Float64Array.from(arr as number[]), path, rule);
  }
  const rows = parseTextTable(bytes.toString('utf8'), path);
  if (rows[0].length !== 1) throw new CosmetaError(`${path}: expected one ${rule.what} per line, found ${rows[0].length} columns`);
  return checkGrid(Float64Array.from(rows, (r) => r[0]), path, rule);
}

function checkGrid(x: Float64Array, path: string, rule: GridRule): Float64Array {
  if (x.length === 0) throw new CosmetaError(`${path}: no ${rule.what}s`);
  const bound = rule.inclusive ? `>= ${rule.min}` : `> ${rule.min}`;
  for (let i = 0; i < x.length; i++) {
    const ok = Number.isFinite(x[i]) && (rule.inclusive ? x[i] >= rule.min : x[i] > rule.min);
    if (!ok) throw new CosmetaError(`${path}: ${rule.what} ${i} is ${x[i]}; expected finite values ${bound}`);
    if (i > 0 && !(x[i] > x[i - 1])) throw new CosmetaError(`${path}: ${rule.what}s must increase (entry ${i}: ${x[i]} after ${x[i - 1]})`);
  }
  return x;
}
