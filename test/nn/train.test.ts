import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import type { Backend } from '../../src/nn/backend.js';
import { mlp } from '../../src/nn/model.js';
import { loadModel, saveModel } from '../../src/nn/serialize.js';
import { adamState, adamStep, fit, StandardScaler } from '../../src/nn/train.js';
import { WasmBackend } from '../../src/nn/wasm.js';

let be: Backend;
beforeAll(async () => {
  be = await WasmBackend.create({ threads: 1 });
});
afterAll(() => be.dispose());

/** y = (sin(2 x0) cos(x1), x0 x1, exp(-x0^2)) on [-1, 1]^2: a smooth 2 -> 3 regression. */
function problem(n: number, seed: number) {
  const rng = new Random(seed);
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rng.between(-1, 1);
    const b = rng.between(-1, 1);
    x.set([a, b], 2 * i);
    y.set([Math.sin(2 * a) * Math.cos(b), a * b, Math.exp(-a * a)], 3 * i);
  }
  return { x, y };
}

function train(seed: number) {
  const { x, y } = problem(512, 1);
  const xs = StandardScaler.fit(x, 512, 2);
  const ys = StandardScaler.fit(y, 512, 3);
  const X = xs.transform(x, 512, be.alloc(1024));
  const Y = ys.transform(y, 512, be.alloc(1536));
  const model = mlp(be, { inSize: 2, hidden: [32, 32], outSize: 3 });
  const p = model.init(new Random(seed));
  const r = fit(model, p, X, Y, 512, { lr: 3e-3, epochs: 400, batchSize: 64, seed });
  return { model, p, r, xs, ys, X, Y };
}

describe('training', () => {
  it('an MLP learns a smooth 2 -> 3 function to MSE < 1e-3 (in standardised units)', () => {
    const { r } = train(5);
    expect(r.trainLoss).toBeLessThan(1e-3);
  });

  it('the same seed gives identical weights; another seed does not', () => {
    const a = train(6).p;
    const b = train(6).p;
    const c = train(7).p;
    expect(Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(0);
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('Adam follows the bias-corrected update: first step moves every parameter by lr against its gradient sign', () => {
    const p = be.alloc(4);
    p.set([1, -2, 3, 0.5]);
    const g = be.alloc(4);
    g.set([0.3, -0.01, 5, -2]);
    const s = adamState(be, 4);
    adamStep(be, p, g, s, { lr: 0.1 });
    // m_hat = g, v_hat = g^2 after one step: delta = -lr g / (|g| + eps).
    expect(Array.from(p).map((v) => Number(v.toFixed(5)))).toEqual([0.9, -1.9, 2.9, 0.6]);
    expect(s.t).toBe(1);
  });

  it('early stopping restores the best validation weights', () => {
    const { x, y } = problem(64, 2);
    const xs = StandardScaler.fit(x, 64, 2);
    const ys = StandardScaler.fit(y, 64, 3);
    const X = xs.transform(x, 64, be.alloc(128));
    const Y = ys.transform(y, 64, be.alloc(192));
    const v = problem(64, 3);
    const VX = xs.transform(v.x, 64, be.alloc(128));
    const VY = ys.transform(v.y, 64, be.alloc(192));
    const model = mlp(be, { inSize: 2, hidden: [64, 64], outSize: 3 });
    const p = model.init(new Random(3));
    const losses: number[] = [];
    const r = fit(model, p, X, Y, 64, { lr: 3e-2, epochs: 300, seed: 3, validation: { x: VX, y: VY, n: 64 }, patience: 25, onEpoch: (_e, _t, val) => losses.push(val as number) });
    expect(r.epochs).toBeLessThan(300); // stopped early (a large learning rate on 64 points overfits)
    expect(r.bestValLoss).toBe(Math.min(...losses));
    // The parameters in place are the best epoch's: their validation loss is the best one.
    const { y: out } = model.forward(p, VX, 64);
    let s = 0;
    for (let i = 0; i < 192; i++) s += (out[i] - VY[i]) ** 2;
    expect(Math.abs(s / 192 - (r.bestValLoss as number))).toBeLessThan(1e-6);
  });

  it('save / load round trip: same bytes, same scalers, same predictions', async () => {
    const { model, p, xs, ys, X } = train(8);
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-model-'));
    const path = join(dir, 'm.h5');
    await saveModel(path, { model, params: p, xScaler: xs, yScaler: ys, metadata: { note: 'test' } });
    const back = await loadModel(path, be);
    expect(Array.from(back.params)).toEqual(Array.from(p));
    expect(Array.from(back.xScaler?.mean ?? [])).toEqual(Array.from(xs.mean));
    expect(Array.from(back.yScaler?.std ?? [])).toEqual(Array.from(ys.std));
    expect(back.metadata).toEqual({ note: 'test' });
    expect(back.model.describe()).toEqual(model.describe());
    const a = model.forward(p, X, 16).y.slice(0, 48);
    const b = back.model.forward(back.params, X, 16).y.slice(0, 48);
    expect(Array.from(b)).toEqual(Array.from(a));
    await saveModel(join(dir, 'again.h5'), { model, params: p, xScaler: xs, yScaler: ys, metadata: { note: 'test' } });
    expect(Buffer.compare(readFileSync(path), readFileSync(join(dir, 'again.h5')))).toBe(0);
  });
});
