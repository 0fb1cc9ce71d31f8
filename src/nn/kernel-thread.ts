/**
 * The loop of a WebAssembly backend helper thread (Node worker_threads or a browser Web Worker alike):
 * instantiate the kernels on the shared memory, then wait for matrix-product jobs on the control block
 * (see wasm-backend.ts), run this thread's rows and acknowledge. `ready` is called once instantiated.
 */

import type { KernelThreadInit } from '../platform/platform.js';

type Gemm = (r0: number, r1: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;

/** First control-block slot of the per-thread arguments (shared with wasm-backend.ts). */
export const CTRL_ARGS = 16;

export function runKernelThread({ module, memory, ctrl, index }: KernelThreadInit, ready: () => void): never {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, Gemm>;
  const kernels: Gemm[] = [exports.gemm_nn, exports.gemm_nt, exports.gemm_tn];
  const args = new Uint32Array(ctrl.buffer, (CTRL_ARGS + 12 * index) * 4, 12);
  ready();
  let last = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, last);
    const seq = Atomics.load(ctrl, 0);
    if (seq === last) continue;
    last = seq;
    const op = args[0];
    if (op < 3) kernels[op](args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11]);
    Atomics.store(ctrl, 1 + index, seq);
    Atomics.notify(ctrl, 1 + index);
  }
}
