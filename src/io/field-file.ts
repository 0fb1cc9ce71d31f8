/**
 * Field-level inference results as HDF5 (readable by h5py): named float64 datasets with their shapes,
 * scalar attributes, written deterministically (h5.ts) to a temporary file renamed over the destination.
 */

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CosmetaError } from '../errors.js';
import { VERSION } from '../version.js';
import { attribute, datasetAt, loadH5, openForReading, writeDeterministic } from './h5.js';

export interface FieldDataset {
  name: string;
  data: Float64Array;
  shape: number[];
}

export const FIELD_FORMAT = 'cosmeta-field-1';

/** Write datasets and attributes (numbers or strings) to `path` atomically. */
export async function writeFieldFile(path: string, datasets: readonly FieldDataset[], attrs: Record<string, number | string>): Promise<void> {
  const h5 = await loadH5();
  for (const d of datasets) {
    const n = d.shape.reduce((a, b) => a * b, 1);
    if (n !== d.data.length) throw new CosmetaError(`dataset ${d.name}: ${d.data.length} values for shape [${d.shape.join(', ')}]`);
  }
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.cosmeta-tmp-${basename(path)}-${process.pid}`);
  try {
    writeDeterministic(() => {
      const f = new h5.File(tmp, 'w');
      for (const d of datasets) f.create_dataset({ name: d.name, data: d.data, shape: d.shape });
      f.create_attribute('format', FIELD_FORMAT);
      f.create_attribute('cosmeta', VERSION);
      for (const [k, v] of Object.entries(attrs)) f.create_attribute(k, v);
      f.close();
    });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Read named datasets (as Float64Array with shapes) and the attributes of a field file. */
export async function readFieldFile(path: string, names: readonly string[], attrNames: readonly string[] = []): Promise<{ datasets: Record<string, FieldDataset>; attrs: Record<string, unknown> }> {
  const f = await openForReading(path);
  try {
    if (attribute(f as never, 'format') !== FIELD_FORMAT) throw new CosmetaError(`${path}: not a Cosmeta field file (attribute format is not "${FIELD_FORMAT}")`);
    const datasets: Record<string, FieldDataset> = {};
    for (const name of names) {
      const d = datasetAt(f, name);
      datasets[name] = { name, data: Float64Array.from(d.value as ArrayLike<number>), shape: [...(d.shape ?? [])] };
    }
    const attrs: Record<string, unknown> = {};
    for (const a of attrNames) attrs[a] = attribute(f as never, a);
    return { datasets, attrs };
  } finally {
    f.close();
  }
}
