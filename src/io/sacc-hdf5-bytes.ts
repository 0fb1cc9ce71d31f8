/**
 * A SACC HDF5 file's two-point content from its bytes, for the web page: the bytes go into h5wasm's
 * in-memory file system, are read by the same table reader as the command line (sacc-hdf5-read.ts), and
 * are removed again. No Node API: the caller passes the h5wasm build it has loaded (the page imports
 * 'h5wasm' on first use, it is large).
 */

import type { Dataset, File, Group } from 'h5wasm';
import { CosmetaError } from '../errors.js';
import { h5ErrorText, quietly } from './h5-console.js';
import { MAX_EXPANSION, readSaccTables } from './sacc-hdf5-read.js';
import { tablesToTwoPoint } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

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
    const tables = quietly(() => {
      let f: File;
      try {
        f = new h5.File(path, 'r');
      } catch (err) {
        throw new CosmetaError(`${name}: cannot open as HDF5: ${h5ErrorText(err)} (truncated or corrupt file?)`);
      }
      try {
        return readSaccTables({ Dataset: h5.Dataset, Group: h5.Group, module, reason: h5ErrorText }, f, name, limit);
      } catch (err) {
        if (err instanceof CosmetaError) throw err;
        throw new CosmetaError(`${name}: cannot read as SACC HDF5: ${h5ErrorText(err)} (truncated or corrupt file?)`);
      } finally {
        try {
          f.close();
        } catch {
          // closing a damaged file can fail too; the read error above is the one to report
        }
      }
    });
    return checkTwoPoint(tablesToTwoPoint(tables, name), name);
  } finally {
    module.FS.unlink(path);
  }
}
