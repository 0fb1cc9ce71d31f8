/**
 * The Cosmeta model file's content, independent of where the file lives (written under Node by
 * nn/serialize.ts, in the browser into h5wasm's in-memory file system), and a JSON form of the same
 * content for places that have no HDF5 reader (the web page's copy of the shipped meta-emulator):
 *
 *   /params                    float32 [P]
 *   /x_mean, /x_std            float64 [in]    (when an input scaler is saved)
 *   /y_mean, /y_std            float64 [out]   (when an output scaler is saved)
 *   /basis_V, /basis_mean      float32 [out x components], [out] (fixed output basis only)
 *   attributes: format = "cosmeta-model", format_version = 1, architecture (JSON), metadata (JSON), cosmeta
 */

import type { File as H5File } from 'h5wasm';
import { CosmetaError } from '../errors.js';
import type { Arr, Backend } from './backend.js';
import { Basis } from './layers.js';
import { modelFromDescription, type Sequential } from './model.js';
import { StandardScaler } from './train.js';

export const MODEL_FORMAT = 'cosmeta-model';

export interface SavedModel {
  model: Sequential;
  params: Arr;
  xScaler?: StandardScaler;
  yScaler?: StandardScaler;
  metadata: Record<string, unknown>;
}

/** Write a model's datasets and attributes into an open, empty HDF5 file (`version`: the package's). */
export function writeModelContent(f: H5File, m: SavedModel, version: string): void {
  f.create_dataset({ name: 'params', data: Float32Array.from(m.params) });
  if (m.xScaler) {
    f.create_dataset({ name: 'x_mean', data: m.xScaler.mean });
    f.create_dataset({ name: 'x_std', data: m.xScaler.std });
  }
  if (m.yScaler) {
    f.create_dataset({ name: 'y_mean', data: m.yScaler.mean });
    f.create_dataset({ name: 'y_std', data: m.yScaler.std });
  }
  const basis = m.model.layers.find((l): l is Basis => l instanceof Basis && l.fixedV !== null);
  if (basis?.fixedV && basis.fixedMean) {
    f.create_dataset({ name: 'basis_V', data: Float32Array.from(basis.fixedV), shape: [basis.outSize, basis.inSize] });
    f.create_dataset({ name: 'basis_mean', data: Float32Array.from(basis.fixedMean) });
  }
  f.create_attribute('format', MODEL_FORMAT);
  f.create_attribute('format_version', 1);
  f.create_attribute('architecture', JSON.stringify(m.model.describe()));
  f.create_attribute('metadata', JSON.stringify(m.metadata));
  f.create_attribute('cosmeta', version);
}

/** A model file's content as JSON: float32 parameters base64-encoded, scalers as number arrays. */
export interface ModelExport {
  format: typeof MODEL_FORMAT;
  architecture: unknown;
  /** Little-endian float32 parameters, base64. */
  params: string;
  xScaler?: { mean: number[]; std: number[] };
  yScaler?: { mean: number[]; std: number[] };
  metadata: Record<string, unknown>;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
  }
  return s;
}

function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const v = (j: number) => (i + j < clean.length ? B64.indexOf(clean[i + j]) : 0);
    const n = (v(0) << 18) | (v(1) << 12) | (v(2) << 6) | v(3);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** The JSON form of a model without a fixed output basis (the default MLP's case). */
export function exportModel(m: SavedModel): ModelExport {
  if (m.model.layers.some((l) => l instanceof Basis && l.fixedV !== null)) throw new CosmetaError('a model with a fixed output basis has no JSON export');
  const f32 = Float32Array.from(m.params);
  const scaler = (s?: StandardScaler) => (s ? { mean: Array.from(s.mean), std: Array.from(s.std) } : undefined);
  return { format: MODEL_FORMAT, architecture: m.model.describe(), params: toBase64(new Uint8Array(f32.buffer)), xScaler: scaler(m.xScaler), yScaler: scaler(m.yScaler), metadata: m.metadata };
}

/** A model from its JSON form, with its parameters in `backend` memory (bit for bit the stored float32). */
export function modelFromExport(backend: Backend, e: ModelExport): SavedModel {
  if (e.format !== MODEL_FORMAT) throw new CosmetaError(`not a Cosmeta model export (format ${JSON.stringify(e.format)})`);
  const model = modelFromDescription(backend, e.architecture as Parameters<typeof modelFromDescription>[1]);
  const stored = new Float32Array(fromBase64(e.params).buffer);
  if (stored.length !== model.size) {
    model.dispose();
    throw new CosmetaError(`model export: ${stored.length} parameters for an architecture of ${model.size}`);
  }
  const params = backend.alloc(model.size);
  params.set(stored);
  const scaler = (s?: { mean: number[]; std: number[] }) => (s ? new StandardScaler(Float64Array.from(s.mean), Float64Array.from(s.std)) : undefined);
  return { model, params, xScaler: scaler(e.xScaler), yScaler: scaler(e.yScaler), metadata: e.metadata };
}
