/**
 * Multi-dimensional discrete Fourier transforms of real and complex grids (2-D and 3-D), row-column on
 * top of fft.js's radix-4 1-D transform; every side must be a power of two >= 2.
 *
 * Conventions are numpy's `fft2`/`fftn`: the forward transform is unnormalised,
 * X_k = sum_x x_x exp(-2 pi i k.x / N) per axis, and the inverse carries the 1/(n_0 n_1 ...) factor, so
 * inverse(forward(x)) = x. Grids are row-major (the last axis fastest, as numpy's C order); complex
 * grids are interleaved [re, im] Float64Arrays of length 2 x size. Frequency index i on an axis of n
 * points means the integer wavenumber `frequency(i, n)` (numpy's fftfreq times n: 0, 1, ..., n/2 - 1,
 * -n/2, ..., -1).
 */

import FFT from 'fft.js';
import { CosmetaError } from '../errors.js';

/** Integer wavenumber of frequency index i on an axis of n points (numpy's fftfreq(n) * n). */
export function frequency(i: number, n: number): number {
  return i < n / 2 ? i : i - n;
}

/** Index of the frequency -k given the index i of k (numpy layout): (n - i) mod n. */
export function mirror(i: number, n: number): number {
  return i === 0 ? 0 : n - i;
}

export class FourierGrid {
  /** Number of grid points, prod(shape). */
  readonly size: number;
  private readonly ffts: FFT[];
  private readonly lineIn: Float64Array[];
  private readonly lineOut: Float64Array[];
  private readonly strides: number[];

  /** @param shape the sides [n0, n1] or [n0, n1, n2], each a power of two >= 2 */
  constructor(readonly shape: readonly number[]) {
    if (shape.length < 1 || shape.length > 3) throw new CosmetaError(`Fourier grid: 1 to 3 dimensions, got shape [${shape.join(', ')}]`);
    for (const n of shape) {
      if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
        throw new CosmetaError(`Fourier grid: every side must be a power of two >= 2, got shape [${shape.join(', ')}]`);
      }
    }
    this.size = shape.reduce((a, b) => a * b, 1);
    this.ffts = shape.map((n) => new FFT(n));
    this.lineIn = shape.map((n) => new Float64Array(2 * n));
    this.lineOut = shape.map((n) => new Float64Array(2 * n));
    this.strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  }

  /** A zeroed complex grid. */
  complex(): Float64Array {
    return new Float64Array(2 * this.size);
  }

  /** In-place forward (sign -1, unnormalised) or inverse (sign +1, 1/size) transform of a complex grid. */
  transformInPlace(c: Float64Array, inverse: boolean): Float64Array {
    if (c.length !== 2 * this.size) throw new CosmetaError(`Fourier grid: complex array of length ${c.length}, expected ${2 * this.size}`);
    const shape = this.shape;
    for (let d = 0; d < shape.length; d++) {
      const n = shape[d];
      const stride = this.strides[d];
      const fft = this.ffts[d];
      const a = this.lineIn[d];
      const b = this.lineOut[d];
      const outer = this.size / (n * stride);
      for (let o = 0; o < outer; o++) {
        for (let s = 0; s < stride; s++) {
          const base = o * n * stride + s;
          for (let i = 0; i < n; i++) {
            const j = 2 * (base + i * stride);
            a[2 * i] = c[j];
            a[2 * i + 1] = c[j + 1];
          }
          if (inverse) fft.inverseTransform(b, a);
          else fft.transform(b, a);
          for (let i = 0; i < n; i++) {
            const j = 2 * (base + i * stride);
            c[j] = b[2 * i];
            c[j + 1] = b[2 * i + 1];
          }
        }
      }
    }
    return c;
  }

  /** Forward transform of a real grid (numpy fftn), into `out` (a new complex grid by default). */
  forward(x: ArrayLike<number>, out: Float64Array = this.complex()): Float64Array {
    if (x.length !== this.size) throw new CosmetaError(`Fourier grid: real array of length ${x.length}, expected ${this.size}`);
    for (let i = 0; i < this.size; i++) {
      out[2 * i] = x[i];
      out[2 * i + 1] = 0;
    }
    return this.transformInPlace(out, false);
  }

  /**
   * Real part of the inverse transform of a complex grid (numpy ifftn(...).real), into `out`. The input
   * is left unchanged (a scratch copy is transformed).
   */
  inverseReal(c: Float64Array, out: Float64Array = new Float64Array(this.size), scratch: Float64Array = this.complex()): Float64Array {
    scratch.set(c);
    this.transformInPlace(scratch, true);
    for (let i = 0; i < this.size; i++) out[i] = scratch[2 * i];
    return out;
  }

  /**
   * Apply a real Fourier-space filter h_k (length size, numpy layout) to a real grid: F^-1[h F[x]].
   * The result is real when h_k = h_{-k}; the operator is then symmetric (its own adjoint).
   */
  filter(x: ArrayLike<number>, h: ArrayLike<number>, out: Float64Array = new Float64Array(this.size), scratch: Float64Array = this.complex()): Float64Array {
    this.forward(x, scratch);
    for (let i = 0; i < this.size; i++) {
      scratch[2 * i] *= h[i];
      scratch[2 * i + 1] *= h[i];
    }
    this.transformInPlace(scratch, true);
    for (let i = 0; i < this.size; i++) out[i] = scratch[2 * i];
    return out;
  }

  /**
   * Squared wavenumber magnitude |k|^2 (in integer units, per axis frequency(i, n)) and the integer
   * components, for every grid point in numpy layout: calls fn(index, kComponents).
   */
  forEachMode(fn: (index: number, k: readonly number[]) => void): void {
    const shape = this.shape;
    const k = new Array<number>(shape.length).fill(0);
    for (let idx = 0; idx < this.size; idx++) {
      let r = idx;
      for (let d = shape.length - 1; d >= 0; d--) {
        const i = r % shape[d];
        r = (r - i) / shape[d];
        k[d] = frequency(i, shape[d]);
      }
      fn(idx, k);
    }
  }

  /** Index of the mode -k for the mode at `index` (numpy layout). */
  mirrorIndex(index: number): number {
    const shape = this.shape;
    let r = index;
    let out = 0;
    let mul = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = r % shape[d];
      r = (r - i) / shape[d];
      out += mirror(i, shape[d]) * mul;
      mul *= shape[d];
    }
    return out;
  }
}
