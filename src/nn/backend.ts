/**
 * The kernel contract of the neural-network engine. A backend owns the memory of every array the engine
 * computes with (so the WebAssembly backend can hand kernels raw pointers) and implements the few kernels
 * training needs. Layers are written once against this interface; the backends (WebAssembly SIMD with
 * fused multiply-add, WebAssembly SIMD with mul+add, plain TypeScript in float32 or float64) are chosen
 * at construction and pass the same conformance tests.
 *
 * Matrices are row-major. `gemm(layout, m, n, k, A, B, C, acc)` computes C[m x n] = op(A) op(B), or
 * C += ... when acc: 'NN' A [m x k] . B [k x n]; 'NT' A [m x k] . B^T with B [n x k]; 'TN' A^T . B with
 * A [k x m] and B [k x n]. Arrays may be subarrays of backend arrays.
 */

export type Arr = Float32Array | Float64Array;
export type Layout = 'NN' | 'NT' | 'TN';

export interface Backend {
  /** e.g. "wasm-simd-fma (2 threads)", "js-float64". */
  readonly name: string;
  readonly dtype: 'float32' | 'float64';
  /** A zeroed array of n numbers in the backend's memory. */
  alloc(n: number): Arr;
  /** Give an array back (optional for garbage-collected backends). */
  free(a: Arr): void;
  gemm(layout: Layout, m: number, n: number, k: number, A: Arr, B: Arr, C: Arr, acc: boolean): void;
  /** y = max(x, 0) (may alias). */
  relu(x: Arr, y: Arr): void;
  /** dx = y > 0 ? dy : 0 with y the ReLU output (may alias dy). */
  reluBackward(y: Arr, dy: Arr, dx: Arr): void;
  /** SiLU: y = x sigmoid(x), sig = sigmoid(x) (kept for the backward pass). */
  silu(x: Arr, y: Arr, sig: Arr): void;
  /** dx = dy sig (1 + x (1 - sig)). */
  siluBackward(x: Arr, sig: Arr, dy: Arr, dx: Arr): void;
  /** x[r, :] += bias for rows x cols. */
  addRowBias(x: Arr, bias: Arr, rows: number, cols: number): void;
  /** g (+)= column sums of x [rows x cols]. */
  sumRows(x: Arr, g: Arr, rows: number, cols: number, acc: boolean): void;
  /** y = x * m elementwise (may alias). */
  mul(x: Arr, m: Arr, y: Arr): void;
  /** One bias-corrected Adam step on p with gradient g and moments m, v (see `adam` in ops). */
  adam(p: Arr, g: Arr, m: Arr, v: Arr, lrT: number, b1: number, b2: number, epsT: number): void;
  /** 3x3 dilated 'same' im2col of one image x [C x H x W] into cols [(C*9) x (H*W)]. */
  im2col3(x: Arr, cols: Arr, C: number, H: number, W: number, d: number): void;
  /** Adjoint of im2col3 into dx [C x H x W]. */
  col2im3(dcols: Arr, dx: Arr, C: number, H: number, W: number, d: number, acc: boolean): void;
  /** Release threads and memory. */
  dispose(): void;
}

/** Plain TypeScript kernels over Float32Array or Float64Array: the reference and the no-SIMD fallback. */
export class JsBackend implements Backend {
  readonly name: string;
  readonly dtype: 'float32' | 'float64';

  constructor(dtype: 'float32' | 'float64' = 'float32') {
    this.dtype = dtype;
    this.name = `js-${dtype}`;
  }

  alloc(n: number): Arr {
    return this.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  }

  free(): void {}

  dispose(): void {}

  gemm(layout: Layout, m: number, n: number, k: number, A: Arr, B: Arr, C: Arr, acc: boolean): void {
    if (!acc) C.fill(0, 0, m * n);
    if (layout === 'NN') {
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const a = A[i * k + p];
          if (a === 0) continue;
          const bo = p * n;
          const co = i * n;
          for (let j = 0; j < n; j++) C[co + j] += a * B[bo + j];
        }
      }
    } else if (layout === 'NT') {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          const ao = i * k;
          const bo = j * k;
          for (let p = 0; p < k; p++) s += A[ao + p] * B[bo + p];
          C[i * n + j] += s;
        }
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let i = 0; i < m; i++) {
          const a = A[p * m + i];
          if (a === 0) continue;
          const bo = p * n;
          const co = i * n;
          for (let j = 0; j < n; j++) C[co + j] += a * B[bo + j];
        }
      }
    }
  }

  relu(x: Arr, y: Arr): void {
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  }

  reluBackward(y: Arr, dy: Arr, dx: Arr): void {
    for (let i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
  }

  silu(x: Arr, y: Arr, sig: Arr): void {
    for (let i = 0; i < x.length; i++) {
      const s = 1 / (1 + Math.exp(-x[i]));
      sig[i] = s;
      y[i] = x[i] * s;
    }
  }

  siluBackward(x: Arr, sig: Arr, dy: Arr, dx: Arr): void {
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] * sig[i] * (1 + x[i] * (1 - sig[i]));
  }

  addRowBias(x: Arr, bias: Arr, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) x[r * cols + j] += bias[j];
  }

  sumRows(x: Arr, g: Arr, rows: number, cols: number, acc: boolean): void {
    if (!acc) g.fill(0, 0, cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) g[j] += x[r * cols + j];
  }

  mul(x: Arr, m: Arr, y: Arr): void {
    for (let i = 0; i < x.length; i++) y[i] = x[i] * m[i];
  }

  adam(p: Arr, g: Arr, m: Arr, v: Arr, lrT: number, b1: number, b2: number, epsT: number): void {
    for (let i = 0; i < p.length; i++) {
      const gg = g[i];
      const mm = b1 * m[i] + (1 - b1) * gg;
      const vv = b2 * v[i] + (1 - b2) * gg * gg;
      m[i] = mm;
      v[i] = vv;
      p[i] -= (lrT * mm) / (Math.sqrt(vv) + epsT);
    }
  }

  im2col3(x: Arr, cols: Arr, C: number, H: number, W: number, d: number): void {
    const HW = H * W;
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const row = (c * 9 + ky * 3 + kx) * HW;
          for (let y = 0; y < H; y++) {
            const sy = y + (ky - 1) * d;
            for (let xx = 0; xx < W; xx++) {
              const sx = xx + (kx - 1) * d;
              cols[row + y * W + xx] = sy >= 0 && sy < H && sx >= 0 && sx < W ? x[(c * H + sy) * W + sx] : 0;
            }
          }
        }
      }
    }
  }

  col2im3(dcols: Arr, dx: Arr, C: number, H: number, W: number, d: number, acc: boolean): void {
    const HW = H * W;
    if (!acc) dx.fill(0, 0, C * HW);
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const row = (c * 9 + ky * 3 + kx) * HW;
          for (let y = 0; y < H; y++) {
            const sy = y + (ky - 1) * d;
            if (sy < 0 || sy >= H) continue;
            for (let xx = 0; xx < W; xx++) {
              const sx = xx + (kx - 1) * d;
              if (sx >= 0 && sx < W) dx[(c * H + sy) * W + sx] += dcols[row + y * W + xx];
            }
          }
        }
      }
    }
  }
}
