import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { JsBackend, type Arr } from '../../src/nn/backend.js';
import { Basis, Conv3x3, Dense, Dropout, ReLU, SiLU, type Layer } from '../../src/nn/layers.js';
import { fastWeightCNN, mlp, Sequential } from '../../src/nn/model.js';

// Gradients are checked in float64 (the TypeScript backend) against central differences, where the
// comparison is exact to ~1e-8 relative; the float32 kernels are checked against this same code elsewhere.
const be = new JsBackend('float64');

/** Loss = sum(w * y) for a fixed random w; returns loss and, via backward, dL/dp and dL/dx. */
function check(model: Sequential, batch: number, seed: number, paramsToCheck?: number[], dropoutSeed?: number) {
  const rng = new Random(seed);
  const p = model.init(rng);
  const x = be.alloc(batch * model.inSize).map(() => rng.normal());
  const w = be.alloc(batch * model.outSize).map(() => rng.normal());
  const loss = (pp: Arr, xx: Arr) => {
    const opts = dropoutSeed === undefined ? {} : { training: true, rng: new Random(dropoutSeed) };
    const { y } = model.forward(pp, xx, batch, opts);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * y[i];
    return s;
  };
  const opts = dropoutSeed === undefined ? {} : { training: true, rng: new Random(dropoutSeed) };
  const { tape } = model.forward(p, x, batch, opts);
  const g = be.alloc(model.size);
  model.backward(p, tape, w, g);
  const idx = paramsToCheck ?? Array.from({ length: model.size }, (_, i) => i);
  let worst = 0;
  const h = 1e-5; // the loss is linear in each parameter of the last two layers: roundoff, not truncation, sets h
  for (const i of idx) {
    const save = p[i];
    p[i] = save + h;
    const up = loss(p, x);
    p[i] = save - h;
    const dn = loss(p, x);
    p[i] = save;
    const fd = (up - dn) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - g[i]) / (Math.abs(fd) + Math.abs(g[i]) + 1e-6));
  }
  return worst;
}

function single(layer: Layer): Sequential {
  // A dense layer in front makes the checked layer's input gradient part of the parameter gradients.
  return new Sequential(be, [new Dense(layer.inSize, layer.inSize), layer]);
}

describe('gradients against central finite differences (float64; relative tolerance 1e-6)', () => {
  it('dense', () => expect(check(single(new Dense(5, 3)), 4, 1)).toBeLessThan(1e-6));
  it('3x3 convolution with dilation 2 and same padding', () => expect(check(single(new Conv3x3(2, 3, 5, 6, 2)), 2, 2)).toBeLessThan(1e-6));
  it('ReLU (inputs away from the kink)', () => expect(check(single(new ReLU(7)), 3, 3)).toBeLessThan(1e-6));
  it('SiLU', () => expect(check(single(new SiLU(7)), 3, 4)).toBeLessThan(1e-6));
  it('dropout with a fixed mask', () => expect(check(single(new Dropout(9, 0.3)), 3, 5, undefined, 77)).toBeLessThan(1e-6));
  it('trainable and fixed output bases', () => {
    expect(check(single(new Basis(4, 6, null)), 3, 6)).toBeLessThan(1e-6);
    const V = be.alloc(24).map((_, i) => Math.sin(i));
    const mean = be.alloc(6).map((_, i) => i);
    expect(check(single(new Basis(4, 6, { V, mean })), 3, 7)).toBeLessThan(1e-6);
  });
  it('MLP with SiLU, dropout and a trainable basis', () => {
    const m = mlp(be, { inSize: 4, hidden: [8, 8], outSize: 10, dropout: 0.1, basis: { components: 3 } });
    expect(check(m, 5, 8, undefined, 9)).toBeLessThan(1e-6);
  });
  it("the paper's FastWeightCNN: 12,314,862 parameters; 40 sampled gradients (dropout on)", () => {
    const m = fastWeightCNN(be);
    expect(m.size).toBe(12_314_862);
    const rng = new Random(10);
    // Parameters from every layer: first dense, each convolution, last dense.
    const picks = [0, 100, 2600, 2820, 2900, 3100, 5000, 10000, 20000, 25000];
    for (let i = 0; i < 30; i++) picks.push(26112 + rng.int(m.size - 26112));
    expect(check(m, 2, 11, picks, 12)).toBeLessThan(1e-6);
  }, 60_000);
});
