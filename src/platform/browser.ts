/**
 * The browser implementation of `Platform`: kernel files fetched from a base URL (the built web folder's
 * `wasm/`), helper threads as module Web Workers. Helper threads need shared memory, which a page has
 * only when it is cross-origin isolated (COOP same-origin + COEP require-corp); otherwise one thread.
 */

import type { KernelThreadInit, Platform, PlatformThread } from './platform.js';

export interface BrowserPlatformOptions {
  /** Where `kernels-*.wasm` are (a URL ending in '/'). */
  wasmBase: URL;
  /** The module worker script that runs nn/kernel-thread.ts (web/kernel-worker.ts in the built folder). */
  kernelWorker: URL;
}

interface WorkerScope {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

export function browserPlatform(o: BrowserPlatformOptions): Platform {
  const scope = globalThis as unknown as WorkerScope;
  return {
    name: 'browser',
    wasmBytes: async (file) => {
      const url = new URL(file, o.wasmBase);
      const r = await fetch(url);
      if (!r.ok) throw new Error(`cannot load ${url.href}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    },
    enableRelaxedSimd: () => undefined,
    sharedMemory: () => scope.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
    startKernelThread: (init: KernelThreadInit): Promise<PlatformThread> =>
      new Promise((resolve, reject) => {
        const w = new Worker(o.kernelWorker, { type: 'module' });
        w.onmessage = () => resolve({ terminate: () => w.terminate() });
        w.onerror = (e) => reject(new Error(`kernel thread failed to start: ${e.message}`));
        w.postMessage(init);
      }),
    cores: () => Math.max(1, scope.navigator?.hardwareConcurrency ?? 1),
  };
}
