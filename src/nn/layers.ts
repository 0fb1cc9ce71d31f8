/**
 * Layers with explicit forward and backward passes over a backend. Parameters are not owned by layers:
 * every call receives the flat parameter array (so MAML can run adapted copies - "fast weights" - with the
 * same code) and reads its own slices at the offsets the model assigned. Activations are laid out
 * [batch x features], row-major; convolutional features are (channel, row, column), as PyTorch's NCHW.
 */

import { CosmetaError } from '../errors.js';
import type { Random } from '../math/random.js';
import type { Arr, Backend } from './backend.js';

/** A parameter of a layer: its name, shape, and PyTorch-default initialisation bound 1/sqrt(fanIn). */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** Uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for Linear and Conv2d weights and biases. */
  fanIn: number;
}

/** Per-call state a layer needs for its backward pass. */
export interface LayerTape {
  x: Arr;
  y: Arr;
  aux?: Arr;
}

export interface ForwardContext {
  backend: Backend;
  training: boolean;
  /** Seeded stream for dropout masks (required when training with dropout). */
  rng?: Random;
  /** Scratch arrays by key, reused across calls with the same batch size. */
  scratch: Scratch;
}

/** Scratch memory: arrays cached by key and size, reused across calls. */
export class Scratch {
  private readonly arrays = new Map<string, Arr>();
  constructor(private readonly backend: Backend) {}
  get(key: string, n: number): Arr {
    const a = this.arrays.get(key);
    if (a && a.length === n) return a;
    if (a) this.backend.free(a);
    const b = this.backend.alloc(n);
    this.arrays.set(key, b);
    return b;
  }
  dispose(): void {
    for (const a of this.arrays.values()) this.backend.free(a);
    this.arrays.clear();
  }
}

export interface Layer {
  readonly kind: string;
  /** Per-sample input and output sizes. */
  readonly inSize: number;
  readonly outSize: number;
  readonly params: ParamSpec[];
  /** JSON description (for saving and rebuilding the architecture). */
  describe(): Record<string, unknown>;
  /**
   * y = f(x) for a batch; `p` holds this layer's parameters (in `params` order, concatenated).
   * `key` identifies the layer's scratch arrays.
   */
  forward(ctx: ForwardContext, p: Arr, x: Arr, batch: number, key: string): LayerTape;
  /** dx from dy; accumulates parameter gradients into g (same layout as p). dx may be null if unneeded. */
  backward(ctx: ForwardContext, p: Arr, g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string, needDx: boolean): Arr | null;
}

/** Fully connected layer y = x W^T + b with W [out x in] (PyTorch's Linear). */
export class Dense implements Layer {
  readonly kind = 'dense';
  readonly params: ParamSpec[];
  constructor(readonly inSize: number, readonly outSize: number) {
    if (!(inSize > 0 && outSize > 0)) throw new CosmetaError(`dense layer sizes must be positive (in=${inSize}, out=${outSize})`);
    this.params = [
      { name: 'weight', shape: [outSize, inSize], fanIn: inSize },
      { name: 'bias', shape: [outSize], fanIn: inSize },
    ];
  }
  describe() {
    return { kind: this.kind, in: this.inSize, out: this.outSize };
  }
  forward(ctx: ForwardContext, p: Arr, x: Arr, batch: number, key: string): LayerTape {
    const { inSize: I, outSize: O } = this;
    const y = ctx.scratch.get(`${key}.y`, batch * O);
    const W = p.subarray(0, O * I);
    const b = p.subarray(O * I, O * I + O);
    ctx.backend.gemm('NT', batch, O, I, x, W, y, false);
    ctx.backend.addRowBias(y, b, batch, O);
    return { x, y };
  }
  backward(ctx: ForwardContext, p: Arr, g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string, needDx: boolean): Arr | null {
    const { inSize: I, outSize: O } = this;
    const be = ctx.backend;
    be.gemm('TN', O, I, batch, dy, tape.x, g.subarray(0, O * I), true); // dW += dy^T x
    be.sumRows(dy, g.subarray(O * I, O * I + O), batch, O, true); // db += sum over the batch
    if (!needDx) return null;
    const dx = ctx.scratch.get(`${key}.dx`, batch * I);
    be.gemm('NN', batch, I, O, dy, p.subarray(0, O * I), dx, false); // dx = dy W
    return dx;
  }
}

/** 3 x 3 convolution, stride 1, dilation d, zero padding d ('same'), on [C x H x W] images (im2col + GEMM). */
export class Conv3x3 implements Layer {
  readonly kind = 'conv3x3';
  readonly params: ParamSpec[];
  readonly inSize: number;
  readonly outSize: number;
  constructor(readonly cin: number, readonly cout: number, readonly height: number, readonly width: number, readonly dilation: number) {
    this.inSize = cin * height * width;
    this.outSize = cout * height * width;
    this.params = [
      { name: 'weight', shape: [cout, cin, 3, 3], fanIn: cin * 9 },
      { name: 'bias', shape: [cout], fanIn: cin * 9 },
    ];
  }
  describe() {
    return { kind: this.kind, cin: this.cin, cout: this.cout, height: this.height, width: this.width, dilation: this.dilation };
  }
  forward(ctx: ForwardContext, p: Arr, x: Arr, batch: number, key: string): LayerTape {
    const { cin, cout, height: H, width: W, dilation: d } = this;
    const HW = H * W;
    const K = cin * 9;
    const be = ctx.backend;
    const y = ctx.scratch.get(`${key}.y`, batch * cout * HW);
    // Columns of the whole batch are kept for the backward pass: [batch x (K x HW)].
    const cols = ctx.scratch.get(`${key}.cols`, batch * K * HW);
    const Wt = p.subarray(0, cout * K);
    const bias = p.subarray(cout * K, cout * K + cout);
    for (let s = 0; s < batch; s++) {
      const cs = cols.subarray(s * K * HW, (s + 1) * K * HW);
      be.im2col3(x.subarray(s * cin * HW, (s + 1) * cin * HW), cs, cin, H, W, d);
      const ys = y.subarray(s * cout * HW, (s + 1) * cout * HW);
      be.gemm('NN', cout, HW, K, Wt, cs, ys, false); // [cout x K] . [K x HW]
    }
    // Bias per channel: add to each (sample, channel) row of HW values.
    addChannelBias(be, y, bias, batch, cout, HW, ctx.scratch, key);
    return { x, y, aux: cols };
  }
  backward(ctx: ForwardContext, p: Arr, g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string, needDx: boolean): Arr | null {
    const { cin, cout, height: H, width: W, dilation: d } = this;
    const HW = H * W;
    const K = cin * 9;
    const be = ctx.backend;
    const cols = tape.aux as Arr;
    const gW = g.subarray(0, cout * K);
    const gb = g.subarray(cout * K, cout * K + cout);
    const Wt = p.subarray(0, cout * K);
    const dx = needDx ? ctx.scratch.get(`${key}.dx`, batch * cin * HW) : null;
    const dcols = needDx ? ctx.scratch.get(`${key}.dcols`, K * HW) : null;
    // Bias gradient: sum of dy over samples and pixels, per channel. dy viewed as [(batch*cout) x HW].
    const rowSums = ctx.scratch.get(`${key}.rowsums`, batch * cout);
    const ones = ctx.scratch.get(`ones.${HW}`, HW);
    if (ones[0] !== 1) ones.fill(1);
    be.gemm('NN', batch * cout, 1, HW, dy, ones, rowSums, false);
    be.sumRows(rowSums, gb, batch, cout, true);
    for (let s = 0; s < batch; s++) {
      const dys = dy.subarray(s * cout * HW, (s + 1) * cout * HW);
      const cs = cols.subarray(s * K * HW, (s + 1) * K * HW);
      be.gemm('NT', cout, K, HW, dys, cs, gW, true); // dW += dy_s . cols_s^T
      if (dx && dcols) {
        be.gemm('TN', K, HW, cout, Wt, dys, dcols, false); // dcols = W^T . dy_s
        be.col2im3(dcols, dx.subarray(s * cin * HW, (s + 1) * cin * HW), cin, H, W, d, false);
      }
    }
    return dx;
  }
}

/** y[s, c, :] += bias[c] via a rank-1 product: y [(batch*C) x HW] += (1 x bias rows) . ones. */
function addChannelBias(be: Backend, y: Arr, bias: Arr, batch: number, C: number, HW: number, scratch: Scratch, key: string): void {
  const ones = scratch.get(`ones.${HW}`, HW);
  if (ones[0] !== 1) ones.fill(1);
  const col = scratch.get(`${key}.biascol`, batch * C);
  for (let s = 0; s < batch; s++) col.set(bias, s * C);
  be.gemm('NN', batch * C, HW, 1, col, ones, y, true);
}

/** Shared parts of parameter-free elementwise layers (same input and output size). */
abstract class Elementwise {
  abstract readonly kind: string;
  readonly params: ParamSpec[] = [];
  readonly outSize: number;
  constructor(readonly inSize: number) {
    this.outSize = inSize;
  }
  describe(): Record<string, unknown> {
    return { kind: this.kind, size: this.inSize };
  }
}

/** Rectified linear unit. */
export class ReLU extends Elementwise implements Layer {
  readonly kind = 'relu';
  forward(ctx: ForwardContext, _p: Arr, x: Arr, batch: number, key: string): LayerTape {
    const y = ctx.scratch.get(`${key}.y`, batch * this.inSize);
    ctx.backend.relu(x, y);
    return { x, y };
  }
  backward(ctx: ForwardContext, _p: Arr, _g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string): Arr {
    const dx = ctx.scratch.get(`${key}.dx`, batch * this.inSize);
    ctx.backend.reluBackward(tape.y, dy, dx);
    return dx;
  }
}

/** SiLU (swish) x sigmoid(x): smooth, so second derivatives exist (Elfwing et al. 2018). */
export class SiLU extends Elementwise implements Layer {
  readonly kind = 'silu';
  forward(ctx: ForwardContext, _p: Arr, x: Arr, batch: number, key: string): LayerTape {
    const n = batch * this.inSize;
    const y = ctx.scratch.get(`${key}.y`, n);
    const sig = ctx.scratch.get(`${key}.sig`, n);
    ctx.backend.silu(x.subarray(0, n), y, sig);
    return { x, y, aux: sig };
  }
  backward(ctx: ForwardContext, _p: Arr, _g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string): Arr {
    const n = batch * this.inSize;
    const dx = ctx.scratch.get(`${key}.dx`, n);
    ctx.backend.siluBackward(tape.x.subarray(0, n), tape.aux as Arr, dy, dx);
    return dx;
  }
}

/** Elementwise dropout with probability `rate`, scaled by 1/(1 - rate) in training; identity otherwise. */
export class Dropout extends Elementwise implements Layer {
  readonly kind = 'dropout';
  constructor(inSize: number, readonly rate: number) {
    super(inSize);
    if (!(rate >= 0 && rate < 1)) throw new CosmetaError(`dropout rate must be in [0, 1), got ${rate}`);
  }
  override describe() {
    return { ...super.describe(), rate: this.rate };
  }
  forward(ctx: ForwardContext, _p: Arr, x: Arr, batch: number, key: string): LayerTape {
    if (!ctx.training || this.rate === 0) return { x, y: x };
    if (!ctx.rng) throw new CosmetaError('dropout in training needs a seeded random stream');
    const n = batch * this.inSize;
    const mask = ctx.scratch.get(`${key}.mask`, n);
    const keep = 1 / (1 - this.rate);
    const threshold = Math.floor(this.rate * 4294967296);
    const rng = ctx.rng;
    for (let i = 0; i < n; i++) mask[i] = rng.nextUint32() >= threshold ? keep : 0;
    const y = ctx.scratch.get(`${key}.y`, n);
    ctx.backend.mul(x, mask, y);
    return { x, y, aux: mask };
  }
  backward(ctx: ForwardContext, _p: Arr, _g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string): Arr {
    if (!tape.aux) return dy;
    const dx = ctx.scratch.get(`${key}.dx`, batch * this.inSize);
    ctx.backend.mul(dy, tape.aux, dx);
    return dx;
  }
}

/**
 * Fixed or trainable linear output basis: y = mean + z V^T, with V [out x components] (e.g. principal
 * components of training spectra). Fixed bases keep V and mean out of the trainable parameters.
 */
export class Basis implements Layer {
  readonly kind = 'basis';
  readonly params: ParamSpec[];
  readonly fixedV: Arr | null;
  readonly fixedMean: Arr | null;
  constructor(readonly inSize: number, readonly outSize: number, fixed: { V: Arr; mean: Arr } | null) {
    this.fixedV = fixed ? fixed.V : null;
    this.fixedMean = fixed ? fixed.mean : null;
    this.params = fixed
      ? []
      : [
          { name: 'weight', shape: [outSize, inSize], fanIn: inSize },
          { name: 'bias', shape: [outSize], fanIn: inSize },
        ];
  }
  describe() {
    return { kind: this.kind, components: this.inSize, out: this.outSize, trainable: this.fixedV === null };
  }
  private parts(p: Arr): { V: Arr; mean: Arr } {
    if (this.fixedV && this.fixedMean) return { V: this.fixedV, mean: this.fixedMean };
    const n = this.outSize * this.inSize;
    return { V: p.subarray(0, n), mean: p.subarray(n, n + this.outSize) };
  }
  forward(ctx: ForwardContext, p: Arr, x: Arr, batch: number, key: string): LayerTape {
    const y = ctx.scratch.get(`${key}.y`, batch * this.outSize);
    const { V, mean } = this.parts(p);
    ctx.backend.gemm('NT', batch, this.outSize, this.inSize, x, V, y, false);
    ctx.backend.addRowBias(y, mean, batch, this.outSize);
    return { x, y };
  }
  backward(ctx: ForwardContext, p: Arr, g: Arr, tape: LayerTape, dy: Arr, batch: number, key: string, needDx: boolean): Arr | null {
    const { V } = this.parts(p);
    const n = this.outSize * this.inSize;
    if (!this.fixedV) {
      ctx.backend.gemm('TN', this.outSize, this.inSize, batch, dy, tape.x, g.subarray(0, n), true);
      ctx.backend.sumRows(dy, g.subarray(n, n + this.outSize), batch, this.outSize, true);
    }
    if (!needDx) return null;
    const dx = ctx.scratch.get(`${key}.dx`, batch * this.inSize);
    ctx.backend.gemm('NN', batch, this.inSize, this.outSize, dy, V, dx, false);
    return dx;
  }
}
