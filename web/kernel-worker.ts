/** A helper thread of the WebAssembly backend in the browser (the loop is src/nn/kernel-thread.ts). */

import { runKernelThread, type KernelThreadInit } from '../src/browser.js';

self.onmessage = (e: MessageEvent<KernelThreadInit>) => {
  runKernelThread(e.data, () => (self as unknown as Worker).postMessage('ready'));
};
