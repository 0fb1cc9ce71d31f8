/**
 * The WebAssembly backend under Node: nn/wasm-backend.ts on the Node platform (kernel files from
 * build/wasm, worker_threads helpers), which importing this module makes the current platform. Browser
 * code uses wasm-backend.ts with platform/browser.ts.
 */

import { setPlatform } from '../platform/platform.js';
import { nodePlatform, wasmBytesSync } from '../platform/node.js';
import type { Backend } from './backend.js';
import { createBackendOn, type WasmBackendOptions } from './wasm-backend.js';

setPlatform(nodePlatform);

export { WasmBackend, type WasmBackendOptions } from './wasm-backend.js';

/** Whether this runtime can run the FMA kernels (after enabling V8's relaxed-SIMD flag). */
export function relaxedSimdAvailable(): boolean {
  nodePlatform.enableRelaxedSimd();
  return WebAssembly.validate(wasmBytesSync('kernels-fma.wasm'));
}

/** Whether this runtime has WebAssembly SIMD at all. */
export function simdAvailable(): boolean {
  return WebAssembly.validate(wasmBytesSync('kernels-simd.wasm'));
}

/** The fastest backend this runtime supports: WebAssembly SIMD (with FMA when possible), else TypeScript. */
export function createBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  return createBackendOn(nodePlatform, options);
}
