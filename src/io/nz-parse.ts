/**
 * Parsing tomographic n(z) files from their content (so the web page reads exactly what the CLI reads,
 * with the same messages). Layouts (every format gives one redshift grid shared by all bins):
 * - text (.txt, .dat, .csv, anything else): columns z, n_1(z), ..., n_N(z); whitespace or commas; '#' comments.
 * - .npy: a 2-D float array of shape (n_points, 1 + N), columns as in the text layout.
 * - .npz: arrays `z` (n_points) and `nz` (N, n_points).
 * - .json: {"z": [...], "nz": [[...], ...]} with nz[bin][point].
 */

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

/** The lower-case extension of a file name, with its dot ('' when it has none), as node:path's extname. */
function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/**
 * Parse and validate the content of an n(z) file in any supported layout; `path` (its name) chooses the
 * layout by extension and names the file in messages.
 */
export function parseRedshiftDistributions(content: Uint8Array, path: string): { z: Float64Array; nz: Float64Array[] } {
  const ext = extensionOf(path);
  const bytes = content;
  const text = () => new TextDecoder('utf-8').decode(bytes);
  let d: { z: Float64Array; nz: Float64Array[] };
  if (ext === '.npy') {
    const a = parseNpy(bytes, path);
    if (a.shape.length !== 2) throw new CosmetaError(`${path}: expected a 2-D array (n_points, 1 + n_bins), got shape (${a.shape.join(', ')})`);
    const [n, cols] = a.shape;
    d = fromColumns(Array.from({ length: n }, (_, i) => Array.from(a.data.subarray(i * cols, (i + 1) * cols))), path);
  } else if (ext === '.npz') {
    const arrays = parseNpz(bytes, path);
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
      obj = JSON.parse(text());
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
    d = fromColumns(parseTextTable(text(), path), path);
  }
  try {
    validateDistributions(d as RedshiftDistributions);
  } catch (err) {
    if (err instanceof CosmetaError) throw new CosmetaError(`${path}: ${err.message}`);
    throw err;
  }
  return d;
}
