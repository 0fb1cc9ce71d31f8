/**
 * Reading SACC 2 HDF5 tables from a file h5wasm has open, shared by the command line (src/io/sacc-hdf5.ts,
 * h5wasm's Node build on real files) and the web page (h5wasm's browser build on an upload in its in-memory
 * file system): no Node API here. The layout is described in sacc-hdf5.ts.
 */

import type { Dataset, File, Group } from 'h5wasm';
import { CosmetaError } from '../errors.js';
import { quietly } from './h5-console.js';
import { tablesToTwoPoint, type MetaValue, type SaccTable, type TableColumn } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

type H5Dataset = Dataset;
type H5File = File;

/** The parts of an h5wasm build the reader uses: its classes, its loaded module, and how to word an error. */
export interface H5Lib {
  Dataset: abstract new (...args: never[]) => Dataset;
  Group: abstract new (...args: never[]) => Group;
  module: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
  reason(err: unknown): string;
}

const UTF8 = new TextDecoder('utf-8');

/** The `sacc_hdf5_version` sacc 2.x writes and the newest this reader understands. */
export const SACC_HDF5_VERSION = 1;
/** Deflate expands by at most 1032:1, so a dataset claiming more than this many bytes per file byte is a lie. */
export const MAX_EXPANSION = 1032;

// HDF5 type classes (H5T_class_t).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;
const H5T_ARRAY = 10;

interface TypeMeta {
  type: number;
  size: number;
  signed?: boolean;
  littleEndian?: boolean;
  vlen?: boolean;
  shape?: number[];
}

interface MemberMeta extends TypeMeta {
  name: string;
  offset: number;
  array_type?: TypeMeta;
}

interface DatasetIo {
  get_dataset_data(fileId: bigint, path: string, count: null, offset: null, stride: null, ptr: bigint): number;
}

/** One element of a fixed-size numeric HDF5 type at byte `at`. */
function numberAt(view: DataView, at: number, t: TypeMeta): number {
  const le = t.littleEndian !== false;
  if (t.type === H5T_FLOAT) return t.size === 8 ? view.getFloat64(at, le) : view.getFloat32(at, le);
  const signed = t.signed !== false;
  if (t.size === 8) return Number(signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le));
  if (t.size === 4) return signed ? view.getInt32(at, le) : view.getUint32(at, le);
  if (t.size === 2) return signed ? view.getInt16(at, le) : view.getUint16(at, le);
  return signed ? view.getInt8(at) : view.getUint8(at);
}

/**
 * Columns of a compound table decoded from its raw bytes (members at their HDF5 offsets): h5wasm's
 * `value` builds a JS array per row, which takes seconds for a 2000 x 2000 covariance. Returns null
 * when a member is a variable-length string (its bytes are heap pointers); `value` reads those.
 */
function rawColumns(lib: H5Lib, d: H5Dataset, size: number, nrows: number, members: MemberMeta[]): TableColumn[] | null {
  const Module = lib.module;
  if (members.some((m) => m.vlen || m.array_type?.vlen)) return null;
  const nbytes = size * nrows;
  const ptr = Module._malloc(Math.max(1, nbytes));
  let bytes: Uint8Array;
  try {
    (Module as unknown as DatasetIo).get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
    bytes = Module.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    Module._free(ptr);
  }
  const view = new DataView(bytes.buffer);
  return members.map((mem): TableColumn => {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    const width = mem.type === H5T_ARRAY ? (mem.array_type?.shape ?? []).reduce((a, b) => a * b, 1) : 1;
    if (base.type === H5T_STRING) {
      const out: string[] = [];
      for (let r = 0; r < nrows; r++) {
        const at = r * size + mem.offset;
        let end = at;
        while (end < at + mem.size && bytes[end] !== 0) end++;
        out.push(UTF8.decode(bytes.subarray(at, end)).replace(/ +$/, ''));
      }
      return { name: mem.name, kind: 'string', width: 1, values: out };
    }
    const values = new Float64Array(nrows * width);
    for (let r = 0; r < nrows; r++) {
      for (let k = 0; k < width; k++) values[r * width + k] = numberAt(view, r * size + mem.offset + k * base.size, base);
    }
    if (base.type === H5T_ENUM) return { name: mem.name, kind: 'bool', width, values: Array.from(values, (v) => v !== 0) };
    return { name: mem.name, kind: base.type === H5T_INTEGER ? 'int' : 'float', width, values };
  });
}

function claimedBytes(d: H5Dataset): number {
  const m = d.metadata as { shape: number[] | null; size: number };
  return (m.shape ?? []).reduce((a, b) => a * Number(b), 1) * m.size;
}

function scalar(v: unknown): MetaValue {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = v as ArrayLike<unknown>;
    if (a.length === 1) return scalar(a[0]);
  }
  return String(v);
}

function trimString(s: unknown): string {
  return String(s).replace(/[\0 ]+$/, '');
}

function readTable(lib: H5Lib, d: H5Dataset, file: string, limit: number): SaccTable {
  const meta: Record<string, MetaValue> = {};
  for (const [k, a] of Object.entries(d.attrs)) meta[k] = scalar(a.value);
  const bytes = claimedBytes(d);
  if (!(bytes <= limit)) throw new CosmetaError(`${file}: dataset ${d.path} claims ${bytes} bytes, impossible for a file of this size`);
  const m = d.metadata as { type: number; size: number; shape: number[] | null; compound_type?: { members: MemberMeta[] } };
  const shape = (m.shape ?? []).map(Number);
  if (m.type !== H5T_COMPOUND) {
    if (shape.reduce((a, b) => a * b, 1) === 0) return { meta, columns: [], nrows: 0 };
    throw new CosmetaError(`${file}: dataset ${d.path} is not a table (compound dataset)`);
  }
  if (shape.length !== 1) throw new CosmetaError(`${file}: table ${d.path} has shape [${shape}], expected one dimension`);
  const nrows = shape[0];
  const members = m.compound_type?.members ?? [];
  for (const mem of members) {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    if (base.type !== H5T_INTEGER && base.type !== H5T_FLOAT && base.type !== H5T_ENUM && base.type !== H5T_STRING) {
      throw new CosmetaError(`${file}: column ${mem.name} of ${d.path} has an unsupported HDF5 type class ${base.type}`);
    }
  }
  let rows: unknown[][] = [];
  try {
    const raw = nrows === 0 ? null : rawColumns(lib, d, m.size, nrows, members);
    if (raw !== null) return { meta, columns: raw, nrows };
    rows = (nrows === 0 ? [] : d.value) as unknown[][];
  } catch (err) {
    throw new CosmetaError(`${file}: cannot read ${d.path}: ${lib.reason(err)} (corrupt file?)`);
  }
  const columns: TableColumn[] = members.map((mem, j): TableColumn => {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    const width = mem.type === H5T_ARRAY ? (mem.array_type?.shape ?? []).reduce((a, b) => a * b, 1) : 1;
    if (base.type === H5T_STRING) return { name: mem.name, kind: 'string', width: 1, values: rows.map((r) => trimString(r[j])) };
    const values = new Float64Array(nrows * width);
    for (let r = 0; r < nrows; r++) {
      const cell = rows[r][j];
      if (width === 1) values[r] = Number(cell);
      else {
        const arr = cell as ArrayLike<number | bigint>;
        for (let k = 0; k < width; k++) values[r * width + k] = Number(arr[k]);
      }
    }
    if (base.type === H5T_ENUM) return { name: mem.name, kind: 'bool', width, values: Array.from(values, (v) => v !== 0) };
    return { name: mem.name, kind: base.type === H5T_INTEGER ? 'int' : 'float', width, values };
  });
  return { meta, columns, nrows };
}

function isDataset(lib: H5Lib, o: unknown): o is H5Dataset {
  return o instanceof lib.Dataset;
}


/**
 * Every table of an open SACC HDF5 file, each dataset's claimed size checked against `limit` bytes before
 * it is read. Library failures not already CosmetaErrors propagate (the caller names the file).
 */
export function readSaccTables(lib: H5Lib, f: H5File, path: string, limit: number): SaccTable[] {
  const version = f.get('sacc_hdf5_version');
  if (isDataset(lib, version)) {
    const v = Number((version.value as ArrayLike<number>)[0]);
    if (v > SACC_HDF5_VERSION) throw new CosmetaError(`${path}: sacc_hdf5_version ${v} is newer than the supported ${SACC_HDF5_VERSION}`);
  }
  const tables: SaccTable[] = [];
  for (const key of f.keys()) {
    if (key === 'sacc_hdf5_version') continue;
    const item = f.get(key);
    if (isDataset(lib, item)) tables.push(readTable(lib, item, path, limit));
    else if (item instanceof lib.Group) {
      for (const sub of item.keys()) {
        const d = item.get(sub);
        if (isDataset(lib, d)) tables.push(readTable(lib, d, path, limit));
      }
    }
  }
  if (!tables.some((t) => String(t.meta.SACCTYPE ?? '').toLowerCase() === 'data')) {
    throw new CosmetaError(`${path}: no SACC data tables (datasets with SACCTYPE=data) in this HDF5 file`);
  }
  return tables;
}

/**
 * The checked two-point content of the SACC HDF5 file at `path` in the library's file system (a real path
 * under Node, MEMFS in a page); errors are one CosmetaError naming `name`.
 */
export function readSaccHdf5Data(lib: H5Lib & { File: new (path: string, mode: 'r') => H5File }, path: string, name: string, limit: number): TwoPointData {
  const tables = quietly(() => {
    let f: H5File;
    try {
      f = new lib.File(path, 'r');
    } catch (err) {
      throw new CosmetaError(`${name}: cannot open as HDF5: ${lib.reason(err)} (truncated or corrupt file?)`);
    }
    try {
      return readSaccTables(lib, f, name, limit);
    } catch (err) {
      if (err instanceof CosmetaError) throw err;
      throw new CosmetaError(`${name}: cannot read as SACC HDF5: ${lib.reason(err)} (truncated or corrupt file?)`);
    } finally {
      try {
        f.close();
      } catch {
        // closing a damaged file can fail too; the read error above is the one to report
      }
    }
  });
  return checkTwoPoint(tablesToTwoPoint(tables, name), name);
}
