/**
 * A helper thread of the WebAssembly backend: instantiates the kernels on the shared memory, then waits
 * for matrix-product jobs on the control block (see wasm.ts), runs its rows and acknowledges.
 */

import { parentPort, workerData } from 'node:worker_threads';

interface Init {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
  index: number;
}

type Gemm = (r0: number, r1: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;

const ARGS = 16;
const { module, memory, ctrl, index } = workerData as Init;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, Gemm>;
const kernels: Gemm[] = [exports.gemm_nn, exports.gemm_nt, exports.gemm_tn];
const args = new Uint32Array(ctrl.buffer, (ARGS + 12 * index) * 4, 12);
parentPort?.postMessage('ready');

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
