/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; files readable by h5py).
 *
 * HDF5 stamps object headers with the wall-clock time, so two runs writing the same content would
 * differ in a few bytes. `writeDeterministic` pins the clock the library sees (Date.now) to the Unix
 * epoch while it runs, so the same content always gives the same bytes.
 */

import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import { CosmetaError } from '../errors.js';

export type H5 = typeof h5wasm;
export type H5File = InstanceType<H5['File']>;
export type H5Dataset = InstanceType<H5['Dataset']>;
export type H5Group = InstanceType<H5['Group']>;

let ready: Promise<unknown> | null = null;

/** The h5wasm module, once its WebAssembly has loaded. */
export async function loadH5(): Promise<H5> {
  ready ??= h5wasm.ready;
  await ready;
  return h5wasm;
}

/** Run synchronous HDF5 writes with the clock pinned to the epoch (see the module comment). */
export function writeDeterministic<T>(fn: () => T): T {
  const now = Date.now;
  Date.now = () => 0;
  try {
    return fn();
  } finally {
    Date.now = now;
  }
}

/** Create an empty chunked float64 dataset of the given shape (h5wasm needs data, so grow from zero). */
export function createFloat64(group: H5Group, name: string, shape: number[], chunks: number[]): H5Dataset {
  const empty = shape.map((n, i) => (i === 0 ? 0 : n));
  const d = group.create_dataset({ name, data: new Float64Array(0), shape: empty, maxshape: shape, chunks });
  d.resize(shape);
  return d;
}

/** Read a scalar or string attribute as a JS value. */
export function attribute(obj: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  const a = obj.attrs[name];
  return a === undefined ? undefined : a.value;
}

/** The dataset at `name` in a group; throws a CosmetaError if it is missing or not a dataset. */
export function datasetAt(group: H5Group, name: string): H5Dataset {
  const d = group.get(name);
  if (!(d instanceof h5wasm.Dataset)) throw new CosmetaError(`HDF5 file: no dataset "${name}" in group ${group.path}`);
  return d;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Open an existing HDF5 file for reading, with clear errors for a missing file or one that is not HDF5
 * (checked by its signature first, so the HDF5 library never prints diagnostics for it).
 */
export async function openForReading(path: string): Promise<H5File> {
  const h5 = await loadH5();
  if (!existsSync(path)) throw new CosmetaError(`${path}: no such file`);
  const head = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SIGNATURE)) throw new CosmetaError(`${path}: not an HDF5 file`);
  try {
    return new h5.File(path, 'r');
  } catch (err) {
    throw new CosmetaError(`cannot open ${path} as HDF5: ${(err as Error).message}`);
  }
}
