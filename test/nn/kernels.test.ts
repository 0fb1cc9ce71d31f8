import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsBackend, type Arr, type Backend, type Layout } from '../../src/nn/backend.js';
import { createBackend, relaxedSimdAvailable, WasmBackend } from '../../src/nn/wasm.js';

// The kernels are the compiled WebAssembly in build/wasm and the helper threads run the build's
// src/nn/wasm-worker.js (worker threads run JavaScript only; see workerScript in src/paths.ts): the tests'
// global setup builds both when they are missing or stale.
const ref = new JsBackend('float64');
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [2, 3, 5], [7, 13, 17], [31, 33, 37], [4, 8, 300], [301, 257, 259], [16, 750, 64]];

function fill(a: Arr, seed: number): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.fround(Math.sin(seed + i * 1.618) * 1.5);
}

/** Max over C of |C - C_ref| / bound, bound = 8 eps_32 sum_p |A_ip B_pj| (float32 rounding of a k-term sum). */
function gemmError(be: Backend, L: Layout, m: number, n: number, k: number, acc: boolean): number {
  const A = be.alloc(m * k), B = be.alloc(k * n), C = be.alloc(m * n);
  fill(A, 1);
  fill(B, 2);
  fill(C, 3);
  const A64 = Float64Array.from(A), B64 = Float64Array.from(B), C64 = Float64Array.from(C);
  const absA = A64.map(Math.abs), absB = B64.map(Math.abs), bound = new Float64Array(m * n);
  be.gemm(L, m, n, k, A, B, C, acc);
  ref.gemm(L, m, n, k, A64, B64, C64, acc);
  ref.gemm(L, m, n, k, absA, absB, bound, false);
  let worst = 0;
  for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(C[i] - C64[i]) / (8 * 1.2e-7 * (bound[i] + (acc ? 1.5 : 0)) + 1e-30));
  for (const a of [A, B, C]) be.free(a);
  return worst;
}

describe('matrix products against a float64 reference, odd shapes, three layouts', () => {
  const backends: Backend[] = [];
  beforeAll(async () => {
    backends.push(new JsBackend('float32'));
    backends.push(await WasmBackend.create({ fma: 'mul-add' }));
    backends.push(await WasmBackend.create({ fma: 'mul-add', threads: 2 }));
    if (relaxedSimdAvailable()) backends.push(await WasmBackend.create({ fma: 'fma', threads: 2 }));
  });
  afterAll(() => backends.forEach((b) => b.dispose()));

  it('every backend is within float32 rounding of the exact product (C = and C +=)', () => {
    expect(backends.length).toBeGreaterThanOrEqual(3);
    for (const be of backends) {
      for (const [m, n, k] of SHAPES) {
        for (const L of ['NN', 'NT', 'TN'] as const) {
          for (const acc of [false, true]) expect(gemmError(be, L, m, n, k, acc), `${be.name} ${L} ${m}x${n}x${k}`).toBeLessThan(1);
        }
      }
      // Every array was freed: the allocator must be back to nothing handed out.
      if (be instanceof WasmBackend) expect(be.allocatedBytes).toBe(0);
    }
  });

  it('the fused multiply-add and mul+add builds agree to float32 tolerance', async () => {
    if (!relaxedSimdAvailable()) return;
    const fma = await WasmBackend.create({ fma: 'fma' });
    const plain = await WasmBackend.create({ fma: 'mul-add' });
    expect(fma.fma).toBe(true);
    expect(plain.fma).toBe(false);
    const [m, n, k] = [37, 41, 300];
    const run = (be: WasmBackend) => {
      const A = be.alloc(m * k), B = be.alloc(n * k), C = be.alloc(m * n);
      fill(A, 4);
      fill(B, 5);
      be.gemm('NT', m, n, k, A, B, C, false);
      return Float64Array.from(C);
    };
    const a = run(fma), b = run(plain);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1));
    expect(worst).toBeLessThan(1e-5);
    expect(worst).toBeGreaterThan(0); // the two really are different code paths
    fma.dispose();
    plain.dispose();
  });

  it('elementwise kernels, Adam and im2col/col2im match the TypeScript reference', async () => {
    const w = await WasmBackend.create({});
    const n = 1031;
    const x = w.alloc(n), y = w.alloc(n), m = w.alloc(n), v = w.alloc(n), g = w.alloc(n);
    fill(x, 7);
    fill(g, 8);
    fill(m, 9);
    m.forEach((_, i) => (m[i] = Math.abs(m[i])));
    const X = Float64Array.from(x), G = Float64Array.from(g), M = Float64Array.from(m), V = Float64Array.from(v);
    w.adam(x, g, m, v, 1e-3, 0.9, 0.999, 1e-8);
    ref.adam(X, G, M, V, 1e-3, 0.9, 0.999, 1e-8);
    // Float32 moments and update: agreement to a few float32 units of the parameters.
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - X[i])).toBeLessThan(4e-7 * (1 + Math.abs(X[i])));
    w.relu(g, y);
    for (let i = 0; i < n; i++) expect(y[i]).toBe(Math.max(g[i], 0));
    // SiLU with the vectorised exponential: float32 accuracy (a few units in the last place: 2e-6).
    const big = w.alloc(n), sig = w.alloc(n), dx = w.alloc(n);
    big.forEach((_, i) => (big[i] = -40 + (80 * i) / n));
    const Y = new Float64Array(n), S = new Float64Array(n), DX = new Float64Array(n);
    w.silu(big, y, sig);
    ref.silu(Float64Array.from(big), Y, S);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(sig[i] - S[i])).toBeLessThan(2e-6 * S[i] + 1e-30);
      expect(Math.abs(y[i] - Y[i])).toBeLessThan(2e-6 * Math.abs(Y[i]) + 1e-30);
    }
    w.siluBackward(big, sig, g, dx);
    ref.siluBackward(Float64Array.from(big), S, Float64Array.from(g), DX);
    // 1 + x (1 - sig) cancels near x = -1: bound the error by the size of its terms, not of the result.
    for (let i = 0; i < n; i++) expect(Math.abs(dx[i] - DX[i])).toBeLessThan(2e-6 * Math.abs(g[i]) * S[i] * (1 + Math.abs(big[i])) + 1e-30);
    // im2col / col2im: C = 3 channels, 5 x 6 image, dilation 2.
    const [C, H, W, d] = [3, 5, 6, 2];
    const img = w.alloc(C * H * W), cols = w.alloc(C * 9 * H * W), back = w.alloc(C * H * W);
    fill(img, 11);
    const img64 = Float64Array.from(img), cols64 = new Float64Array(cols.length), back64 = new Float64Array(back.length);
    w.im2col3(img, cols, C, H, W, d);
    ref.im2col3(img64, cols64, C, H, W, d);
    expect(Array.from(cols)).toEqual(Array.from(cols64, Math.fround));
    w.col2im3(cols, back, C, H, W, d, false);
    ref.col2im3(cols64, back64, C, H, W, d, false);
    for (let i = 0; i < back.length; i++) expect(Math.abs(back[i] - back64[i])).toBeLessThan(1e-5);
    w.dispose();
  });

  it('refuses arrays outside its memory (a typed-array map makes a copy elsewhere)', async () => {
    const w = await WasmBackend.create({});
    const a = w.alloc(8);
    expect(() => w.relu(a.map((v) => v + 1), a)).toThrow(/not in the WebAssembly backend memory/);
    w.dispose();
  });

  it('createBackend picks the WebAssembly SIMD backend where the runtime has SIMD', async () => {
    const be = await createBackend();
    expect(be.name).toMatch(/^wasm-simd/);
    be.dispose();
  });

  it('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)> (float64, 1e-12)', () => {
    const [C, H, W, d] = [2, 7, 4, 3];
    const x = new Float64Array(C * H * W).map((_, i) => Math.sin(i));
    const c = new Float64Array(C * 9 * H * W).map((_, i) => Math.cos(i * 0.3));
    const cx = new Float64Array(c.length);
    const xc = new Float64Array(x.length);
    ref.im2col3(x, cx, C, H, W, d);
    ref.col2im3(c, xc, C, H, W, d, false);
    const lhs = cx.reduce((s, v, i) => s + v * c[i], 0);
    const rhs = x.reduce((s, v, i) => s + v * xc[i], 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.abs(lhs));
  });
});
