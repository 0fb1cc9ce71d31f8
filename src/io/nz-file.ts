/**
 * Reading tomographic n(z) files. Layouts (every format gives one redshift grid shared by all bins):
 * - text (.txt, .dat, .csv, anything else): columns z, n_1(z), ..., n_N(z); whitespace or commas; '#' comments.
 * - .npy: a 2-D float array of shape (n_points, 1 + N), columns as in the text layout.
 * - .npz: arrays `z` (n_points) and `nz` (N, n_points).
 * - .json: {"z": [...], "nz": [[...], ...]} with nz[bin][point].
 */

import { readInputFile } from './read-file.js';
import { extname } from 'node:path';
import type { RedshiftDistributions } from '../cosmology/redshift.js';
import { validateDistributions } from '../cosmology/redshift.js';
import { CosmetaError } from '../errors.js';
import { parseNpy, parseNpz } from './npy.js';
import { parseTextTable } from './text-table.js';

function fromColumns(rows: number[][], source: string): { z: Float64Array; nz: Float64Array[] } {
  if (rows[0].length < 2) throw new CosmetaError(`${source}: needs a z column and at least one n(z) column, found ${rows[0].length} column(s)`);
  const z = Float64Array.from(rows, (r) => r[0]);
  const nz = Array.from({ length: rows[0].length - 1 }, (_, b) => Float64Array.from(rows, (r) => r[b + 1]));
  return { z, nz };
}

/** Read and validate an n(z) file in any supported layout. */
export function readRedshiftDistributions(path: string): { z: Float64Array; nz: Float64Array[] } {
  const ext = extname(path).toLowerCase();
  const bytes = readInputFile(path);
  let d: { z: Float64Array; nz: Float64Array[] };
  if (ext === '.npy') {
    const a = parseNpy(new Uint8Array(bytes), path);
    if (a.shape.length !== 2) throw new CosmetaError(`${path}: expected a 2-D array (n_points, 1 + n_bins), got shape (${a.shape.join(', ')})`);
    const [n, cols] = a.shape;
    d = fromColumns(Array.from({ length: n }, (_, i) => Array.from(a.data.subarray(i * cols, (i + 1) * cols))), path);
  } else if (ext === '.npz') {
    const arrays = parseNpz(new Uint8Array(bytes), path);
    if (!arrays.z || !arrays.nz) {
      throw new CosmetaError(`${path}: expected arrays "z" and "nz", found: ${Object.keys(arrays).join(', ') || 'none'}`);
    }
    const { z, nz } = arrays;
    if (z.shape.length !== 1 || nz.shape.length !== 2 || nz.shape[1] !== z.shape[0]) {
      throw new CosmetaError(`${path}: "z" must have shape (n_points) and "nz" (n_bins, n_points); got (${z.shape}) and (${nz.shape})`);
    }
    const n = z.shape[0];
    d = { z: z.data, nz: Array.from({ length: nz.shape[0] }, (_, b) => nz.data.slice(b * n, (b + 1) * n)) };
  } else if (ext === '.json') {
    let obj: unknown;
    try {
      obj = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new CosmetaError(`${path}: invalid JSON (${(err as Error).message})`);
    }
    const o = obj as { z?: unknown; nz?: unknown };
    if (!Array.isArray(o.z) || !Array.isArray(o.nz) || !o.nz.every(Array.isArray)) {
      throw new CosmetaError(`${path}: expected {"z": [...], "nz": [[...], ...]}`);
    }
    const num = (v: unknown, where: string) => {
      if (typeof v !== 'number') throw new CosmetaError(`${path}: ${where} is ${JSON.stringify(v)}, not a number`);
      return v;
    };
    d = {
      z: Float64Array.from(o.z as unknown[], (v, j) => num(v, `z[${j}]`)),
      nz: (o.nz as unknown[][]).map((row, b) => Float64Array.from(row, (v, j) => num(v, `nz[${b}][${j}]`))),
    };
  } else {
    d = fromColumns(parseTextTable(bytes.toString('utf8'), path), path);
  }
  try {
    validateDistributions(d as RedshiftDistributions);
  } catch (err) {
    if (err instanceof CosmetaError) throw new CosmetaError(`${path}: ${err.message}`);
    throw err;
  }
  return d;
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
