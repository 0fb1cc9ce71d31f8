/**
 * A SACC HDF5 file's two-point content from its bytes, for the web page: the bytes go into h5wasm's
 * in-memory file system, are read by the same reader as the command line (readSaccHdf5Data), and
 * are removed again. No Node API: the caller passes the h5wasm build it has loaded (the page imports
 * 'h5wasm' on first use, it is large).
 */

import type { Dataset, File, Group } from 'h5wasm';
import { h5ErrorText } from './h5-console.js';
import { MAX_EXPANSION, readSaccHdf5Data } from './sacc-hdf5-read.js';
import type { TwoPointData } from './sacc-types.js';

/** The loaded h5wasm build (its default export after `ready`) and its module (what `ready` resolves to). */
export interface H5Wasm {
  File: new (name: string, mode: 'r') => File;
  Dataset: abstract new (...args: never[]) => Dataset;
  Group: abstract new (...args: never[]) => Group;
}
export interface H5WasmModule {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
}

let serial = 0;

/** Read SACC 2 HDF5 bytes (checked as readSaccHdf5 checks a file); errors are one CosmetaError naming `name`. */
export function saccFromHdf5Bytes(h5: H5Wasm, module: H5WasmModule, bytes: Uint8Array, name: string): TwoPointData {
  const path = `/upload-${++serial}.h5`;
  const limit = Math.max(bytes.length * MAX_EXPANSION, 1 << 20);
  module.FS.writeFile(path, bytes);
  try {
    return readSaccHdf5Data({ File: h5.File, Dataset: h5.Dataset, Group: h5.Group, module, reason: h5ErrorText }, path, name, limit);
  } finally {
    module.FS.unlink(path);
  }
}
