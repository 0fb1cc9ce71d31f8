/**
 * What the engine needs from its host, behind one small interface with a Node and a browser
 * implementation (after tfjs-core's `Platform`): the bytes of the compiled WebAssembly kernels, helper
 * threads for the kernels, and the number of cores. Modules that compute take a `Platform` argument and
 * import nothing of Node; `platform/node.ts` and `platform/browser.ts` are the two implementations.
 */

/** What a kernel helper thread is started with (see nn/kernel-thread.ts). */
export interface KernelThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
  index: number;
}

/** A started helper thread; `terminate` stops it. */
export interface PlatformThread {
  terminate(): void;
}

export interface Platform {
  /** 'node' or 'browser' (recorded in backend names and shown by the web page). */
  readonly name: 'node' | 'browser';
  /** The bytes of a compiled kernel file (`kernels-simd.wasm`, `kernels-fma.wasm`) from build/wasm. */
  wasmBytes(file: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Enable runtime features the FMA kernels need (Node 20: V8's relaxed-SIMD flag); may do nothing. */
  enableRelaxedSimd(): void;
  /** Whether memory can be shared with helper threads (SharedArrayBuffer; a browser needs cross-origin isolation). */
  sharedMemory(): boolean;
  /** Start a kernel helper thread on the shared memory; resolves once it is ready for jobs. */
  startKernelThread(init: KernelThreadInit): Promise<PlatformThread>;
  /** Logical cores available to this process or page. */
  cores(): number;
}

let current: Platform | null = null;

/** Make `p` the platform used when none is passed (the Node shells and the web page set it once). */
export function setPlatform(p: Platform): void {
  current = p;
}

/** The platform set by `setPlatform`; an error naming what to do when none is. */
export function currentPlatform(): Platform {
  if (!current) throw new Error('no Platform set: under Node import nn/wasm.js; in a browser call setPlatform(browserPlatform(...))');
  return current;
}
