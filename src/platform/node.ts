/** The Node implementation of `Platform`: kernel files from build/wasm, worker_threads, V8 flags. */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { WASM_DIR, workerScript } from '../paths.js';
import type { KernelThreadInit, Platform, PlatformThread } from './platform.js';

/** The bytes of a kernel file, synchronously (Node only). */
export function wasmBytesSync(file: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(WASM_DIR, file)));
}

export const nodePlatform: Platform = {
  name: 'node',
  wasmBytes: async (file) => wasmBytesSync(file),
  enableRelaxedSimd: () => {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // Not V8, or flags are locked: rely on the runtime's defaults.
    }
  },
  sharedMemory: () => true,
  startKernelThread: async (init: KernelThreadInit): Promise<PlatformThread> => {
    const worker = new Worker(workerScript(new URL('../nn/wasm-worker.js', import.meta.url)), { workerData: init });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.unref();
    return { terminate: () => void worker.terminate() };
  },
  cores: () => availableParallelism(),
};
