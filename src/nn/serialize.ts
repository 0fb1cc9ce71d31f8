/**
 * Saving and loading models in HDF5 (readable by h5py): the architecture as JSON, the parameters as one
 * float32 vector in the model's layout, the input and output scalers, an optional fixed output basis and
 * free-form metadata. The file is written atomically and byte-reproducibly; loading gives back exactly the
 * same numbers.
 *
 *   /params                    float32 [P]
 *   /x_mean, /x_std            float64 [in]    (when an input scaler is saved)
 *   /y_mean, /y_std            float64 [out]   (when an output scaler is saved)
 *   /basis_V, /basis_mean      float32 [out x components], [out] (fixed output basis only)
 *   attributes: format = "cosmeta-model", format_version = 1, architecture (JSON), metadata (JSON), cosmeta
 */

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CosmetaError } from '../errors.js';
import { attribute, datasetAt, loadH5, openForReading, writeDeterministic } from '../io/h5.js';
import { VERSION } from '../version.js';
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

export async function saveModel(path: string, m: Omit<SavedModel, 'model'> & { model: Sequential }): Promise<void> {
  const h5 = await loadH5();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeDeterministic(() => {
      const f = new h5.File(tmp, 'w');
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
      f.create_attribute('cosmeta', VERSION);
      f.close();
    });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function loadModel(path: string, backend: Backend): Promise<SavedModel> {
  const f = await openForReading(path);
  try {
    if (attribute(f as never, 'format') !== MODEL_FORMAT) throw new CosmetaError(`${path}: not a Cosmeta model file (format attribute)`);
    const arch = JSON.parse(attribute(f as never, 'architecture') as string) as Array<Record<string, unknown>>;
    const keys = f.keys();
    let fixed: { V: Arr; mean: Arr } | undefined;
    if (keys.includes('basis_V')) {
      const V = backend.alloc((datasetAt(f, 'basis_V').value as Float32Array).length);
      V.set(datasetAt(f, 'basis_V').value as Float32Array);
      const mv = datasetAt(f, 'basis_mean').value as Float32Array;
      const mean = backend.alloc(mv.length);
      mean.set(mv);
      fixed = { V, mean };
    }
    const model = modelFromDescription(backend, arch, fixed);
    const stored = datasetAt(f, 'params').value as Float32Array;
    if (stored.length !== model.size) throw new CosmetaError(`${path}: ${stored.length} parameters for an architecture of ${model.size}`);
    const params = backend.alloc(model.size);
    params.set(stored);
    const scaler = (a: string, b: string) =>
      keys.includes(a) ? new StandardScaler(datasetAt(f, a).value as Float64Array, datasetAt(f, b).value as Float64Array) : undefined;
    return {
      model,
      params,
      xScaler: scaler('x_mean', 'x_std'),
      yScaler: scaler('y_mean', 'y_std'),
      metadata: JSON.parse(attribute(f as never, 'metadata') as string) as Record<string, unknown>,
    };
  } finally {
    f.close();
  }
}
