/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; files readable by h5py).
 *
 * HDF5 stamps object headers with the wall-clock time, so two runs writing the same content would
 * differ in a few bytes. `writeDeterministic` pins the clock the library sees (Date.now) to the Unix
 * epoch while it runs, so the same content always gives the same bytes.
 */

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
