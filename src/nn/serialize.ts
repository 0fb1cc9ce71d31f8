/**
 * Saving and loading models in HDF5 files under Node (readable by h5py): the architecture as JSON, the
 * parameters as one float32 vector in the model's layout, the input and output scalers, an optional fixed
 * output basis and free-form metadata (the layout is nn/model-file.ts). The file is written atomically
 * and byte-reproducibly; loading gives back exactly the same numbers.
 */

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CosmetaError } from '../errors.js';
import { attribute, guardH5, jsonAttribute, loadH5, openForReading, readDataset, writeH5 } from '../io/h5.js';
import { VERSION } from '../version.js';
import type { Arr, Backend } from './backend.js';
import { MODEL_FORMAT, writeModelContent, type SavedModel } from './model-file.js';
import { modelFromDescription, type Sequential } from './model.js';
import { StandardScaler } from './train.js';

export { MODEL_FORMAT, type SavedModel } from './model-file.js';

export async function saveModel(path: string, m: Omit<SavedModel, 'model'> & { model: Sequential }): Promise<void> {
  const h5 = await loadH5();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeH5(path, () => {
      const f = new h5.File(tmp, 'w');
      writeModelContent(f, m, VERSION);
      f.close();
    });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const LAYER_FIELDS: Record<string, string[]> = {
  dense: ['in', 'out'],
  conv3x3: ['cin', 'cout', 'height', 'width', 'dilation'],
  relu: ['size'],
  silu: ['size'],
  dropout: ['size'],
  basis: ['components', 'out'],
};

/** Refuse an architecture that is not a list of known layers with sizes in [1, 65536] (before allocating). */
function checkArchitecture(arch: unknown, path: string): asserts arch is Array<Record<string, unknown>> {
  if (!Array.isArray(arch) || arch.length === 0) throw new CosmetaError(`${path}: attribute "architecture" is not a list of layers`);
  for (const [i, layer] of arch.entries()) {
    const fields = layer && typeof layer === 'object' ? LAYER_FIELDS[String((layer as Record<string, unknown>).kind)] : undefined;
    if (!fields) throw new CosmetaError(`${path}: layer ${i} of the architecture is not a known layer`);
    for (const f of fields) {
      const v = (layer as Record<string, unknown>)[f];
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65536) throw new CosmetaError(`${path}: layer ${i} (${String((layer as Record<string, unknown>).kind)}) has ${f} = ${JSON.stringify(v)}; expected an integer in [1, 65536]`);
    }
  }
}

/** Load a model file; a damaged or foreign file gives one CosmetaError naming it (see io/h5.ts). */
export async function loadModel(path: string, backend: Backend): Promise<SavedModel> {
  const f = await openForReading(path);
  const allocated: Arr[] = [];
  try {
    return guardH5(path, () => {
      if (attribute(f as never, 'format') !== MODEL_FORMAT) throw new CosmetaError(`${path}: not a Cosmeta model file (format attribute)`);
      const arch = jsonAttribute<unknown>(f as never, 'architecture', path);
      checkArchitecture(arch, path);
      const metadata = jsonAttribute<unknown>(f as never, 'metadata', path);
      if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new CosmetaError(`${path}: attribute "metadata" is not a JSON object`);
      const keys = f.keys();
      const stored = readDataset(f, 'params', path, { kind: 'float', shape: [-1] }) as Float32Array;
      let fixed: { V: Arr; mean: Arr } | undefined;
      if (keys.includes('basis_V')) {
        const vv = readDataset(f, 'basis_V', path, { kind: 'float', shape: [-1, -1] }) as Float32Array;
        const mv = readDataset(f, 'basis_mean', path, { kind: 'float', shape: [-1] }) as Float32Array;
        const b = arch.find((l) => l.kind === 'basis' && !l.trainable);
        if (!b || vv.length !== (b.out as number) * (b.components as number) || mv.length !== b.out) throw new CosmetaError(`${path}: the stored output basis does not match the architecture's basis layer`);
        const V = backend.alloc(vv.length);
        allocated.push(V);
        V.set(vv);
        const mean = backend.alloc(mv.length);
        allocated.push(mean);
        mean.set(mv);
        fixed = { V, mean };
      }
      const model = modelFromDescription(backend, arch, fixed);
      if (stored.length !== model.size) {
        model.dispose();
        throw new CosmetaError(`${path}: ${stored.length} parameters for an architecture of ${model.size}`);
      }
      const params = backend.alloc(model.size);
      params.set(stored);
      const scaler = (a: string, b: string, size: number) => {
        if (!keys.includes(a)) return undefined;
        const mean = readDataset(f, a, path, { kind: 'float', shape: [size] }) as Float64Array;
        const std = readDataset(f, b, path, { kind: 'float', shape: [size] }) as Float64Array;
        const bad = std.findIndex((v) => !(v > 0));
        if (bad >= 0) throw new CosmetaError(`${path}: dataset "${b}" entry ${bad} is ${std[bad]}; a scale must be positive`);
        return new StandardScaler(Float64Array.from(mean), Float64Array.from(std));
      };
      return { model, params, xScaler: scaler('x_mean', 'x_std', model.inSize), yScaler: scaler('y_mean', 'y_std', model.outSize), metadata: metadata as Record<string, unknown> };
    });
  } catch (err) {
    for (const a of allocated) backend.free(a);
    throw err;
  } finally {
    try {
      guardH5(path, () => f.close());
    } catch {
      // closing a damaged file may fail too; the first error is the one to report
    }
  }
}
