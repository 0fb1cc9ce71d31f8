/**
 * NumPy `.npy` arrays and `.npz` archives (a zip of `.npy` files), read without Python. Supports
 * little- and big-endian float64, float32, int64, int32 and C- or Fortran-ordered arrays.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

import { unzipSync } from 'fflate';
import { CosmetaError } from '../errors.js';

export interface NpyArray {
  /** Values in C (row-major) order, as float64. */
  data: Float64Array;
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse one `.npy` file. */
export function parseNpy(bytes: Uint8Array, source = 'npy'): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new CosmetaError(`${source}: not a NumPy .npy file (bad magic string)`);
  }
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new CosmetaError(`${source}: unsupported .npy format version ${major}`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new CosmetaError(`${source}: file is truncated (inside the header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < headerStart + headerLen) throw new CosmetaError(`${source}: file is truncated (inside the header)`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new CosmetaError(`${source}: unreadable .npy header: ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new CosmetaError(`${source}: unreadable .npy shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const little = descr[0] !== '>';
  const type = descr.slice(1);
  const sizes: Record<string, number> = { f8: 8, f4: 4, i8: 8, i4: 4, u1: 1 };
  const size = sizes[type];
  if (size === undefined) throw new CosmetaError(`${source}: unsupported dtype ${descr}; use float64, float32, int64 or int32`);
  const start = headerStart + headerLen;
  // Checked before allocating: a header claiming 10^12 elements is refused here, not by the allocator.
  if (bytes.length < start + count * size) throw new CosmetaError(`${source}: header claims ${count} elements (shape ${shape.join(' x ')}) but the file holds ${Math.max(0, bytes.length - start)} bytes of data (truncated or damaged)`);
  const raw = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = start + i * size;
    raw[i] =
      type === 'f8' ? view.getFloat64(o, little)
      : type === 'f4' ? view.getFloat32(o, little)
      : type === 'i8' ? Number(view.getBigInt64(o, little))
      : type === 'i4' ? view.getInt32(o, little)
      : view.getUint8(o);
  }
  if (!fortran || shape.length < 2) return { data: raw, shape };
  // Fortran order: transpose to C order.
  const data = new Float64Array(count);
  const strideF = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
  const strideC = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let c = 0; c < count; c++) {
    let f = 0;
    let rem = c;
    for (let d = 0; d < shape.length; d++) {
      const idx = Math.floor(rem / strideC[d]);
      rem -= idx * strideC[d];
      f += idx * strideF[d];
    }
    data[c] = raw[f];
  }
  return { data, shape };
}

/** Parse a `.npz` archive into named arrays (names without the `.npy` suffix). */
export function parseNpz(bytes: Uint8Array, source = 'npz'): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new CosmetaError(`${source}: not a readable .npz (zip) archive: ${(err as Error).message}`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [name, content] of Object.entries(files)) {
    if (!name.endsWith('.npy')) continue;
    out[name.slice(0, -4)] = parseNpy(content, `${source}:${name}`);
  }
  return out;
}

/** Row i of a 2-D array as a new Float64Array. */
export function row(a: NpyArray, i: number): Float64Array {
  const n = a.shape[1];
  return a.data.slice(i * n, (i + 1) * n);
}
