/**
 * The WebAssembly backend: AssemblyScript kernels (f32x4 SIMD) over one shared WebAssembly.Memory.
 *
 * - Fused multiply-add (relaxed SIMD) is used when the runtime accepts it; Node 20 needs V8's
 *   `--experimental-wasm-relaxed-simd`, which this module turns on for the process before compiling, and
 *   falls back to the mul+add build when the FMA module still does not validate.
 * - Extra threads are worker_threads instantiating the same module on the same shared memory; a matrix
 *   product large enough to pay is split by rows of C, the calling thread taking its share, and the call
 *   returns when all parts are done (Atomics.wait / notify on a small control block, no messages).
 * - Arrays are Float32Array views of the shared memory handed out by a first-fit allocator; kernels get
 *   their byte offsets, so subarrays work as well.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { CosmetaError } from '../errors.js';
import { WASM_DIR, workerScript } from '../paths.js';
import type { Arr, Backend, Layout } from './backend.js';

interface Kernels {
  gemm_nn(r0: number, r1: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
  gemm_nt(r0: number, r1: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
  gemm_tn(r0: number, r1: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
  relu(x: number, y: number, n: number): void;
  silu(x: number, y: number, sig: number, n: number): void;
  silu_backward(x: number, sig: number, dy: number, dx: number, n: number): void;
  relu_backward(y: number, dy: number, dx: number, n: number): void;
  add_row_bias(x: number, bias: number, rows: number, cols: number): void;
  sum_rows(x: number, g: number, rows: number, cols: number, acc: number): void;
  mul(x: number, m: number, y: number, n: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, lrT: number, b1: number, c1: number, b2: number, c2: number, epsT: number): void;
  im2col3(x: number, cols: number, C: number, H: number, W: number, d: number): void;
  col2im3(dcols: number, dx: number, C: number, H: number, W: number, d: number, acc: number): void;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
/** First byte the allocator hands out (the kernels keep no data of their own below it). */
const HEAP_BASE = PAGE;
const ALIGN = 64;
/** A product is split over threads when it has at least this many multiply-adds and rows. */
const PARALLEL_MIN_MADDS = 1 << 20;
const PARALLEL_MIN_ROWS = 16;
const OPS: Record<Layout, number> = { NN: 0, NT: 1, TN: 2 };

// Control block layout (Int32Array): [0] job sequence number, [1 + w] done sequence of worker w,
// then per worker 12 arguments at ARGS + 12 w: op, r0, r1, n, k, a, lda, b, ldb, c, ldc, acc.
const ARGS = 16;

export interface WasmBackendOptions {
  /** Threads including the calling one (default 1). */
  threads?: number;
  /** 'auto' (default): FMA if the runtime accepts relaxed SIMD; 'fma' requires it; 'mul-add' never uses it. */
  fma?: 'auto' | 'fma' | 'mul-add';
  /** Initial memory in MiB (grows on demand up to 4 GiB). */
  initialMiB?: number;
}

/** Whether this runtime can run the FMA kernels (after enabling V8's relaxed-SIMD flag). */
export function relaxedSimdAvailable(): boolean {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // Not V8, or flags are locked: rely on the runtime's defaults.
  }
  return WebAssembly.validate(readFileSync(join(WASM_DIR, 'kernels-fma.wasm')));
}

/** Whether this runtime has WebAssembly SIMD at all. */
export function simdAvailable(): boolean {
  return WebAssembly.validate(readFileSync(join(WASM_DIR, 'kernels-simd.wasm')));
}

export class WasmBackend implements Backend {
  readonly name: string;
  readonly dtype = 'float32' as const;
  readonly fma: boolean;
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array;
  private readonly args: Uint32Array;
  private seq = 0;
  // Allocator: sorted free blocks and the sizes of live blocks, in bytes.
  private free_: Array<{ off: number; size: number }>;
  private readonly live = new Map<number, number>();
  /** Every ArrayBuffer object the memory has had (growing replaces it): arrays must view one of them. */
  private readonly buffers = new Set<ArrayBufferLike>();

  private constructor(module: WebAssembly.Module, fma: boolean, memory: WebAssembly.Memory, workers: Worker[], ctrl: Int32Array) {
    this.fma = fma;
    this.memory = memory;
    this.workers = workers;
    this.ctrl = ctrl;
    this.args = new Uint32Array(ctrl.buffer);
    this.threads = workers.length + 1;
    this.name = `wasm-simd-${fma ? 'fma' : 'mul-add'} (${this.threads} thread${this.threads > 1 ? 's' : ''})`;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.k = instance.exports as unknown as Kernels;
    this.free_ = [{ off: HEAP_BASE, size: memory.buffer.byteLength - HEAP_BASE }];
    this.buffers.add(memory.buffer);
  }

  /** Byte offset of an array in the kernels' memory; refuses arrays that live elsewhere. */
  private ptr(a: Arr): number {
    if (!this.buffers.has(a.buffer)) {
      throw new CosmetaError('array is not in the WebAssembly backend memory: allocate it with backend.alloc (typed-array map/slice make copies outside it)');
    }
    return a.byteOffset;
  }

  static async create(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    const threads = Math.max(1, Math.floor(options.threads ?? 1));
    const want = options.fma ?? 'auto';
    const canFma = want !== 'mul-add' && relaxedSimdAvailable();
    if (want === 'fma' && !canFma) throw new CosmetaError('fused multiply-add (relaxed SIMD) is not available in this runtime');
    if (!simdAvailable()) throw new CosmetaError('this runtime has no WebAssembly SIMD; use the JavaScript backend');
    const bytes = readFileSync(join(WASM_DIR, canFma ? 'kernels-fma.wasm' : 'kernels-simd.wasm'));
    const module = await WebAssembly.compile(bytes);
    const initialPages = Math.ceil(((options.initialMiB ?? 64) * 1024 * 1024) / PAGE);
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * (ARGS + 12 * threads)));
    const workers: Worker[] = [];
    for (let w = 0; w < threads - 1; w++) {
      const worker = new Worker(workerScript(new URL('./wasm-worker.js', import.meta.url)), { workerData: { module, memory, ctrl, index: w } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      worker.unref();
      workers.push(worker);
    }
    return new WasmBackend(module, canFma, memory, workers, ctrl);
  }

  alloc(n: number): Float32Array {
    const bytes = Math.max(ALIGN, Math.ceil((n * 4) / ALIGN) * ALIGN);
    let i = this.free_.findIndex((b) => b.size >= bytes);
    if (i < 0) {
      const last = this.free_[this.free_.length - 1];
      const end = this.memory.buffer.byteLength;
      const tail = last && last.off + last.size === end ? last.size : 0;
      const pages = Math.ceil((bytes - tail) / PAGE);
      if (end / PAGE + pages > MAX_PAGES) throw new CosmetaError(`out of WebAssembly memory allocating ${n} floats (4 GiB limit)`);
      this.memory.grow(pages);
      this.buffers.add(this.memory.buffer);
      if (tail > 0) last.size += pages * PAGE;
      else this.free_.push({ off: end, size: pages * PAGE });
      i = this.free_.findIndex((b) => b.size >= bytes);
    }
    const block = this.free_[i];
    const off = block.off;
    if (block.size === bytes) this.free_.splice(i, 1);
    else {
      block.off += bytes;
      block.size -= bytes;
    }
    this.live.set(off, bytes);
    const a = new Float32Array(this.memory.buffer, off, n);
    a.fill(0);
    return a;
  }

  free(a: Arr): void {
    const size = this.live.get(a.byteOffset);
    if (size === undefined) return;
    this.live.delete(a.byteOffset);
    const off = a.byteOffset;
    let i = 0;
    while (i < this.free_.length && this.free_[i].off < off) i++;
    this.free_.splice(i, 0, { off, size });
    // Coalesce with neighbours.
    if (i + 1 < this.free_.length && off + size === this.free_[i + 1].off) {
      this.free_[i].size += this.free_[i + 1].size;
      this.free_.splice(i + 1, 1);
    }
    if (i > 0 && this.free_[i - 1].off + this.free_[i - 1].size === off) {
      this.free_[i - 1].size += this.free_[i].size;
      this.free_.splice(i, 1);
    }
  }

  /** Bytes currently handed out. */
  get allocatedBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  gemm(layout: Layout, m: number, n: number, k: number, A: Arr, B: Arr, C: Arr, acc: boolean): void {
    const lda = layout === 'TN' ? m : k;
    const ldb = layout === 'NT' ? k : n;
    const a = this.ptr(A);
    const b = this.ptr(B);
    const c = this.ptr(C);
    const f = layout === 'NN' ? this.k.gemm_nn : layout === 'NT' ? this.k.gemm_nt : this.k.gemm_tn;
    const accI = acc ? 1 : 0;
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!acc) C.fill(0, 0, m * n);
      return;
    }
    const T = this.threads;
    if (T === 1 || m < PARALLEL_MIN_ROWS || m * n * k < PARALLEL_MIN_MADDS) {
      f(0, m, n, k, a, lda, b, ldb, c, n, accI);
      return;
    }
    // Rows of C split in multiples of 4 (the register tile); the calling thread takes the first part.
    const per = Math.ceil(m / T / 4) * 4;
    const seq = ++this.seq;
    let parts = 0;
    for (let w = 0; w < this.workers.length; w++) {
      const r0 = Math.min(m, per * (w + 1));
      const r1 = Math.min(m, per * (w + 2));
      if (r0 >= r1) {
        this.args[ARGS + 12 * w] = 255; // nothing for this worker
        continue;
      }
      this.args.set([OPS[layout], r0, r1, n, k, a, lda, b, ldb, c, n, accI], ARGS + 12 * w);
      parts = w + 1;
    }
    Atomics.store(this.ctrl, 0, seq);
    Atomics.notify(this.ctrl, 0);
    f(0, Math.min(m, per), n, k, a, lda, b, ldb, c, n, accI);
    for (let w = 0; w < parts; w++) {
      // Wait on the value just read: re-reading it for the wait could see `seq` and block forever.
      for (let v = Atomics.load(this.ctrl, 1 + w); v !== seq; v = Atomics.load(this.ctrl, 1 + w)) Atomics.wait(this.ctrl, 1 + w, v);
    }
  }

  relu(x: Arr, y: Arr): void {
    this.k.relu(this.ptr(x), this.ptr(y), x.length);
  }

  silu(x: Arr, y: Arr, sig: Arr): void {
    this.k.silu(this.ptr(x), this.ptr(y), this.ptr(sig), x.length);
  }

  siluBackward(x: Arr, sig: Arr, dy: Arr, dx: Arr): void {
    this.k.silu_backward(this.ptr(x), this.ptr(sig), this.ptr(dy), this.ptr(dx), x.length);
  }

  reluBackward(y: Arr, dy: Arr, dx: Arr): void {
    this.k.relu_backward(this.ptr(y), this.ptr(dy), this.ptr(dx), y.length);
  }

  addRowBias(x: Arr, bias: Arr, rows: number, cols: number): void {
    this.k.add_row_bias(this.ptr(x), this.ptr(bias), rows, cols);
  }

  sumRows(x: Arr, g: Arr, rows: number, cols: number, acc: boolean): void {
    this.k.sum_rows(this.ptr(x), this.ptr(g), rows, cols, acc ? 1 : 0);
  }

  mul(x: Arr, m: Arr, y: Arr): void {
    this.k.mul(this.ptr(x), this.ptr(m), this.ptr(y), x.length);
  }

  adam(p: Arr, g: Arr, m: Arr, v: Arr, lrT: number, b1: number, b2: number, epsT: number): void {
    this.k.adam(this.ptr(p), this.ptr(g), this.ptr(m), this.ptr(v), p.length, lrT, b1, 1 - b1, b2, 1 - b2, epsT);
  }

  im2col3(x: Arr, cols: Arr, C: number, H: number, W: number, d: number): void {
    this.k.im2col3(this.ptr(x), this.ptr(cols), C, H, W, d);
  }

  col2im3(dcols: Arr, dx: Arr, C: number, H: number, W: number, d: number, acc: boolean): void {
    this.k.col2im3(this.ptr(dcols), this.ptr(dx), C, H, W, d, acc ? 1 : 0);
  }

  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** The fastest backend this runtime supports: WebAssembly SIMD (with FMA when possible), else TypeScript. */
export async function createBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  try {
    return await WasmBackend.create(options);
  } catch (err) {
    if (options.fma === 'fma') throw err;
    const { JsBackend } = await import('./backend.js');
    return new JsBackend('float32');
  }
}
