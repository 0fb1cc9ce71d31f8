/**
 * Sequential models over one flat parameter array, and the architectures Cosmeta uses: the paper's
 * FastWeightCNN (arXiv:2504.00552, docs/paper-settings.md section 4) and a configurable MLP
 * with an optional linear output basis. The model holds no parameters: `forward(p, ...)` and
 * `backward(p, ...)` take them, so any number of parameter sets (meta-parameters, adapted copies) share
 * one model and its scratch memory.
 */

import { CosmetaError } from '../errors.js';
import type { Random } from '../math/random.js';
import type { Arr, Backend } from './backend.js';
import { Basis, Conv3x3, Dense, Dropout, ReLU, Scratch, SiLU, type ForwardContext, type Layer, type LayerTape } from './layers.js';

export interface ForwardOptions {
  /** Dropout on (training and fine-tuning) or off (inference). */
  training?: boolean;
  rng?: Random;
}

/** What backward needs from a forward pass. */
export interface Tape {
  batch: number;
  tapes: LayerTape[];
  ctx: ForwardContext;
}

export class Sequential {
  readonly layers: Layer[];
  /** Start of each layer's parameters in the flat array. */
  readonly offsets: number[];
  /** Number of parameters. */
  readonly size: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly backend: Backend;
  private readonly scratch: Scratch;

  constructor(backend: Backend, layers: Layer[]) {
    if (layers.length === 0) throw new CosmetaError('a model needs at least one layer');
    for (let i = 1; i < layers.length; i++) {
      if (layers[i].inSize !== layers[i - 1].outSize) {
        throw new CosmetaError(`layer ${i} (${layers[i].kind}) takes ${layers[i].inSize} inputs but layer ${i - 1} gives ${layers[i - 1].outSize}`);
      }
    }
    this.backend = backend;
    this.layers = layers;
    this.offsets = [];
    let n = 0;
    for (const l of layers) {
      this.offsets.push(n);
      for (const p of l.params) n += p.shape.reduce((a, b) => a * b, 1);
    }
    this.size = n;
    this.inSize = layers[0].inSize;
    this.outSize = layers[layers.length - 1].outSize;
    this.scratch = new Scratch(backend);
  }

  private layerParams(p: Arr, i: number): Arr {
    const end = i + 1 < this.layers.length ? this.offsets[i + 1] : this.size;
    return p.subarray(this.offsets[i], end);
  }

  /** Named views of a parameter array: "3.weight" is layer 3's weight. */
  views(p: Arr): Map<string, Arr> {
    const out = new Map<string, Arr>();
    this.layers.forEach((l, i) => {
      let o = this.offsets[i];
      for (const spec of l.params) {
        const n = spec.shape.reduce((a, b) => a * b, 1);
        out.set(`${i}.${spec.name}`, p.subarray(o, o + n));
        o += n;
      }
    });
    return out;
  }

  /** Fresh parameters with PyTorch's default initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), seeded. */
  init(rng: Random): Arr {
    const p = this.backend.alloc(this.size);
    this.layers.forEach((l, i) => {
      let o = this.offsets[i];
      for (const spec of l.params) {
        const n = spec.shape.reduce((a, b) => a * b, 1);
        const bound = 1 / Math.sqrt(spec.fanIn);
        for (let j = 0; j < n; j++) p[o + j] = (2 * rng.uniform() - 1) * bound;
        o += n;
      }
    });
    return p;
  }

  /** Outputs [batch x outSize] for inputs x [batch x inSize]; the returned tape feeds `backward`. */
  forward(p: Arr, x: Arr, batch: number, options: ForwardOptions = {}): { y: Arr; tape: Tape } {
    if (p.length !== this.size) throw new CosmetaError(`parameter array has ${p.length} entries, the model ${this.size}`);
    if (x.length < batch * this.inSize) throw new CosmetaError(`input has ${x.length} numbers, need ${batch} x ${this.inSize}`);
    const ctx: ForwardContext = { backend: this.backend, training: options.training ?? false, rng: options.rng, scratch: this.scratch };
    const tapes: LayerTape[] = [];
    let h = x;
    this.layers.forEach((l, i) => {
      const t = l.forward(ctx, this.layerParams(p, i), h, batch, `L${i}`);
      tapes.push(t);
      h = t.y;
    });
    return { y: h, tape: { batch, tapes, ctx } };
  }

  /** Gradients of sum(dy * y) with respect to the parameters, added into g (zero it first for a plain gradient). */
  backward(p: Arr, tape: Tape, dy: Arr, g: Arr): void {
    let d: Arr | null = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const needDx = i > 0;
      d = this.layers[i].backward(tape.ctx, this.layerParams(p, i), this.layerParams(g, i), tape.tapes[i], d as Arr, tape.batch, `L${i}`, needDx);
    }
  }

  /** Inference in chunks (dropout off): y [n x outSize] for x [n x inSize]. */
  predict(p: Arr, x: Arr, n: number, chunk = 4096): Arr {
    const out = this.backend.alloc(n * this.outSize);
    const xin = this.backend.alloc(Math.min(n, chunk) * this.inSize);
    for (let s = 0; s < n; s += chunk) {
      const b = Math.min(chunk, n - s);
      const xs = xin.subarray(0, b * this.inSize);
      xs.set(x.subarray(s * this.inSize, (s + b) * this.inSize));
      const { y } = this.forward(p, xs, b);
      out.set(y.subarray(0, b * this.outSize), s * this.outSize);
    }
    this.backend.free(xin);
    return out;
  }

  describe(): Array<Record<string, unknown>> {
    return this.layers.map((l) => l.describe());
  }

  dispose(): void {
    this.scratch.dispose();
  }
}

/**
 * The paper's FastWeightCNN: Linear in -> 256, ReLU, reshape 1 x 16 x 16; three 3 x 3 convolutions
 * 1 -> 16 -> 32 -> 64 with dilations 1, 2, 4 and 'same' padding, each followed by ReLU and Dropout(0.2);
 * flatten (channel, row, column) to 16384; Linear 16384 -> out. 12,314,862 parameters for 10 -> 750.
 */
export function fastWeightCNN(backend: Backend, inSize = 10, outSize = 750, dropout = 0.2): Sequential {
  const hw = 16 * 16;
  return new Sequential(backend, [
    new Dense(inSize, 256),
    new ReLU(256),
    new Conv3x3(1, 16, 16, 16, 1),
    new ReLU(16 * hw),
    new Dropout(16 * hw, dropout),
    new Conv3x3(16, 32, 16, 16, 2),
    new ReLU(32 * hw),
    new Dropout(32 * hw, dropout),
    new Conv3x3(32, 64, 16, 16, 4),
    new ReLU(64 * hw),
    new Dropout(64 * hw, dropout),
    new Dense(64 * hw, outSize),
  ]);
}

export interface MlpOptions {
  inSize: number;
  hidden: number[];
  outSize: number;
  activation?: 'silu' | 'relu';
  dropout?: number;
  /** Linear output basis: components, fixed (V, mean given) or trainable (initialised randomly). */
  basis?: { components: number; fixed?: { V: Arr; mean: Arr } };
}

/** A multilayer perceptron, optionally ending in a linear output basis. */
export function mlp(backend: Backend, o: MlpOptions): Sequential {
  const layers: Layer[] = [];
  let width = o.inSize;
  for (const h of o.hidden) {
    layers.push(new Dense(width, h));
    layers.push(o.activation === 'relu' ? new ReLU(h) : new SiLU(h));
    if (o.dropout) layers.push(new Dropout(h, o.dropout));
    width = h;
  }
  if (o.basis) {
    layers.push(new Dense(width, o.basis.components));
    layers.push(new Basis(o.basis.components, o.outSize, o.basis.fixed ?? null));
  } else {
    layers.push(new Dense(width, o.outSize));
  }
  return new Sequential(backend, layers);
}

/** Rebuild a model from `describe()` output (fixed bases are supplied separately). */
export function modelFromDescription(backend: Backend, desc: Array<Record<string, unknown>>, fixedBasis?: { V: Arr; mean: Arr }): Sequential {
  const layers = desc.map((d): Layer => {
    const n = (k: string) => d[k] as number;
    switch (d.kind) {
      case 'dense':
        return new Dense(n('in'), n('out'));
      case 'conv3x3':
        return new Conv3x3(n('cin'), n('cout'), n('height'), n('width'), n('dilation'));
      case 'relu':
        return new ReLU(n('size'));
      case 'silu':
        return new SiLU(n('size'));
      case 'dropout':
        return new Dropout(n('size'), n('rate'));
      case 'basis':
        if (!d.trainable && !fixedBasis) throw new CosmetaError('this model has a fixed output basis: supply it');
        return new Basis(n('components'), n('out'), d.trainable ? null : (fixedBasis ?? null));
      default:
        throw new CosmetaError(`unknown layer kind "${String(d.kind)}" in a model description`);
    }
  });
  return new Sequential(backend, layers);
}

/**
 * The default emulator network: 3 hidden layers of 256 SiLU units, and either a dense output layer or,
 * given a basis (e.g. principal components of the training spectra), a dense layer to its coefficients
 * followed by the fixed basis.
 */
export function defaultMlp(backend: Backend, inSize: number, outSize: number, basis?: { V: Arr; mean: Arr; components: number }): Sequential {
  return mlp(backend, {
    inSize,
    hidden: [256, 256, 256],
    outSize,
    activation: 'silu',
    basis: basis ? { components: basis.components, fixed: { V: basis.V, mean: basis.mean } } : undefined,
  });
}
