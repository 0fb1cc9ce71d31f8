import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CosmetaError } from '../../src/errors.js';
import { saccFromHdf5Bytes, type H5Wasm, type H5WasmModule } from '../../src/io/sacc-hdf5-bytes.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import { Random } from '../../src/math/random.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

// The web page's reader: h5wasm's browser (ESM) build, which also loads in Node, on a file's bytes in its
// in-memory file system; it must give what the command line's reader gives for the same file, to the bit.
const REF = join(__dirname, '..', 'reference', 'surveys');
const files = [join(REF, 'des-y1', 'sacc_data.hdf5'), join(REF, 'h5py-latest', 'sacc_xip_subset.hdf5')];

async function browserH5(): Promise<{ h5: H5Wasm; module: H5WasmModule }> {
  const h5 = (await import('h5wasm')).default;
  const module = await h5.ready;
  module.activate_throwing_error_handler();
  return { h5, module: module as unknown as H5WasmModule };
}

describe('SACC HDF5 from bytes (the page)', () => {
  it.each(files)('%s: the same points, tracers and covariance as the command line reads', async (path) => {
    const { h5, module } = await browserH5();
    const fromBytes = saccFromHdf5Bytes(h5, module, new Uint8Array(readFileSync(path)), 'upload.hdf5');
    expectSameTwoPoint(fromBytes, await readSaccHdf5(path), path);
  });

  it('truncated uploads (seeded offsets) are refused with one CosmetaError line naming the upload, and the in-memory file is removed', async () => {
    const { h5, module } = await browserH5();
    const bytes = new Uint8Array(readFileSync(files[0]));
    const rng = new Random(11);
    for (let i = 0; i < 8; i++) {
      const cut = Math.floor(rng.uniform() * bytes.length);
      let err: unknown = null;
      try {
        saccFromHdf5Bytes(h5, module, bytes.subarray(0, cut), 'cut.hdf5');
      } catch (e) {
        err = e;
      }
      expect(err, `cut at ${cut}`).toBeInstanceOf(CosmetaError);
      expect((err as Error).message, `cut at ${cut}`).toMatch(/^cut\.hdf5: /);
      expect((err as Error).message).not.toContain('\n');
    }
    const fs = (module as unknown as { FS: { readdir(p: string): string[] } }).FS;
    expect(fs.readdir('/').filter((n) => n.startsWith('upload-'))).toEqual([]);
  });
});
