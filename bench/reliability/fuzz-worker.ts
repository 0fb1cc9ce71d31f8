/** Worker thread of the hostile-file fuzz (fuzz.ts): reads one file per message with its own HDF5 library. */
import { parentPort } from 'node:worker_threads';
import { h5Aborted } from '../../src/io/h5.js';
import { attemptHere, readers } from './fuzz.js';

const byName = new Map(readers().map((r) => [r.name, r]));

parentPort?.on('message', async ({ reader, path }: { reader: string; path: string }) => {
  const r = byName.get(reader);
  const outcome = r ? await attemptHere(r, path) : `unknown reader ${reader}`;
  parentPort?.postMessage({ outcome, aborted: h5Aborted() });
});
