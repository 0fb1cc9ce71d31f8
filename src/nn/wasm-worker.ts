/** A helper thread of the WebAssembly backend under Node (worker_threads); the loop is nn/kernel-thread.ts. */

import { parentPort, workerData } from 'node:worker_threads';
import type { KernelThreadInit } from '../platform/platform.js';
import { runKernelThread } from './kernel-thread.js';

runKernelThread(workerData as KernelThreadInit, () => parentPort?.postMessage('ready'));
