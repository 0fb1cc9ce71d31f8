import { describe, expect, it } from 'vitest';
import { JsBackend } from '../../src/nn/backend.js';
import { Dense } from '../../src/nn/layers.js';
import { mlp, Sequential } from '../../src/nn/model.js';
import { adamState } from '../../src/nn/train.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adaptMetaEmulator, loadMetaEmulator, saveMetaEmulator } from '../../src/meta/meta-emulator.js';
import { pairOrder } from '../../src/cosmology/limber.js';
import { paperRanges } from '../../src/tasks/design.js';
import { paperEll } from '../../src/tasks/target.js';
import { Random } from '../../src/math/random.js';
import { adapt, adaptationLoss, metaTrain, metaUpdate, PAPER_MAML, Stepper, type Task } from '../../src/meta/maml.js';
import { generateInMemory } from '../../src/data/generate.js';
import { paperFamily } from '../../src/tasks/families.js';

/** Independent scalar Adam (Kingma & Ba 2015, bias-corrected, PyTorch defaults). */
function scalarAdam(p: number[], g: number[], s: { m: number[]; v: number[]; t: number }, lr: number): void {
  s.t++;
  for (let i = 0; i < p.length; i++) {
    s.m[i] = 0.9 * s.m[i] + 0.1 * g[i];
    s.v[i] = 0.999 * s.v[i] + 0.001 * g[i] * g[i];
    const mh = s.m[i] / (1 - 0.9 ** s.t);
    const vh = s.v[i] / (1 - 0.999 ** s.t);
    p[i] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
  }
}

/** Gradient of mean((w x + b - y)^2) over rows [a, b) with respect to (w, b). */
function lineGrad([w, b]: number[], x: number[], y: number[], lo: number, hi: number): number[] {
  let gw = 0;
  let gb = 0;
  for (let i = lo; i < hi; i++) {
    const r = w * x[i] + b - y[i];
    gw += (2 * r * x[i]) / (hi - lo);
    gb += (2 * r) / (hi - lo);
  }
  return [gw, gb];
}

describe('MAML', () => {
  it('a first-order MAML update equals a hand-computed one on a 2-parameter model (inner Adam and SGD)', () => {
    const be = new JsBackend('float64');
    const model = new Sequential(be, [new Dense(1, 1)]); // y = w x + b: parameters [w, b]
    const tasks = [
      { x: [0.1, -0.5, 1.2, 0.7, -1.1], y: [0.3, -0.2, 1.1, 0.4, -0.9], nSupport: 3 },
      { x: [-0.3, 0.9, 0.2, -1.4, 0.5], y: [0.5, -0.7, 0.1, 1.3, -0.2], nSupport: 3 },
    ];
    const batch = tasks.map((t) => ({ x: Float64Array.from(t.x), y: Float64Array.from(t.y), n: 5, nSupport: t.nSupport }));
    for (const innerOptimizer of ['adam', 'sgd'] as const) {
      const config = { algorithm: 'fomaml' as const, innerSteps: 3, innerLr: 0.05, innerOptimizer, outerLr: 0.01, dropout: false };
      const params = Float64Array.from([0.4, -0.1]);
      const outer = adamState(be, 2);
      const stepper = new Stepper(model, 5);
      const G = be.alloc(2);
      const adapted = be.alloc(2);
      // By hand: two meta-updates; a fresh inner optimiser per task, one outer Adam carried across updates.
      const hand = [0.4, -0.1];
      const handOuter = { m: [0, 0], v: [0, 0], t: 0 };
      for (let update = 0; update < 2; update++) {
        const meta = [0, 0];
        for (const t of tasks) {
          const q = [...hand];
          const inner = { m: [0, 0], v: [0, 0], t: 0 };
          for (let s = 0; s < 3; s++) {
            const g = lineGrad(q, t.x, t.y, 0, t.nSupport);
            if (innerOptimizer === 'adam') scalarAdam(q, g, inner, 0.05);
            else for (let i = 0; i < 2; i++) q[i] -= 0.05 * g[i];
          }
          const gq = lineGrad(q, t.x, t.y, t.nSupport, 5);
          for (let i = 0; i < 2; i++) meta[i] += gq[i] / tasks.length;
        }
        scalarAdam(hand, meta, handOuter, 0.01);
        metaUpdate(stepper, params, outer, batch, config, new Random(1), G, adapted);
        expect(params[0]).toBeCloseTo(hand[0], 13);
        expect(params[1]).toBeCloseTo(hand[1], 13);
      }
      expect(Math.abs(params[0] - 0.4)).toBeGreaterThan(0.015); // it moved: two outer steps of ~lr each
    }
  });

  it('adaptation never modifies the meta-weights', () => {
    const be = new JsBackend('float32');
    const model = mlp(be, { inSize: 3, hidden: [16], outSize: 4, dropout: 0.2 });
    const meta = model.init(new Random(2));
    const before = Float32Array.from(meta);
    const rng = new Random(3);
    const n = 40;
    const x = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const y = Float64Array.from({ length: n * 4 }, (_, i) => Math.exp(0.3 * x[Math.floor(i / 4) * 3 + (i % 3)]));
    const a = adapt(model, meta, { x, y, n }, { steps: 20, lr: 1e-2, validationFraction: 0.2, dropout: true, seed: 1 });
    expect(Array.from(meta)).toEqual(Array.from(before));
    expect(Array.from(a.params)).not.toEqual(Array.from(before));
    expect(a.validationLoss).not.toBeNull();
  });

  it('a tiny meta-training run beats a random initialisation after adaptation on held-out tasks', () => {
    const data = generateInMemory({ tasks: 11, samples: 120, seed: 7, family: paperFamily() });
    const tasks: Task[] = data.inputs.map((x, t) => ({ x, y: data.spectra[t], n: 120 }));
    const train = tasks.slice(0, 8);
    const validation = tasks[8];
    const heldOut = tasks.slice(9);
    const be = new JsBackend('float32');
    const model = mlp(be, { inSize: 10, hidden: [32, 32], outSize: 750 });
    const random = model.init(new Random(4));
    const params = Float32Array.from(random);
    const config = { ...PAPER_MAML, taskBatch: 4, epochs: 15, patience: 15, innerLr: 1e-3, outerLr: 1e-2, validation: { samples: 40, steps: 16, lr: 1e-3 }, seed: 5, dropout: false };
    const r = metaTrain(model, params, train, validation, config);
    expect(r.history.length).toBeGreaterThan(1);
    // Post-adaptation loss (40 spectra, 16 Adam steps) on tasks never seen in meta-training.
    for (const task of heldOut) {
      const fromMeta = adaptationLoss(model, params, task, 40, 16, 1e-3, false, 9);
      const fromRandom = adaptationLoss(model, random, task, 40, 16, 1e-3, false, 9);
      expect(fromMeta).toBeLessThan(0.5 * fromRandom);
    }
  }, 120_000);

  it('global scalers: fitted once on all training tasks, kept by adaptation and by the meta-emulator file', async () => {
    const data = generateInMemory({ tasks: 6, samples: 40, seed: 3, family: paperFamily() });
    const tasks: Task[] = data.inputs.map((x, t) => ({ x, y: data.spectra[t], n: 40 }));
    const be = new JsBackend('float64');
    const model = mlp(be, { inSize: 10, hidden: [8], outSize: 750 });
    const params = model.init(new Random(1));
    const config = { ...PAPER_MAML, taskBatch: 5, epochs: 1, validation: { samples: 20, steps: 2, lr: 1e-3 }, scalers: 'global' as const, seed: 2 };
    const r = metaTrain(model, params, tasks.slice(0, 5), tasks[5], config);
    const s = r.scalers;
    if (!s) throw new Error('no global scalers returned');
    // Reference: the scalers of all training rows concatenated (ln C_ell for the outputs).
    const allX = new Float64Array(5 * 40 * 10);
    const allY = new Float64Array(5 * 40 * 750);
    tasks.slice(0, 5).forEach((t, i) => {
      allX.set(t.x, i * 40 * 10);
      allY.set(t.y.map(Math.log), i * 40 * 750);
    });
    // Column mean and population standard deviation, computed directly.
    const column = (a: Float64Array, d: number, j: number) => {
      const c = Array.from({ length: a.length / d }, (_, i) => a[i * d + j]);
      const mean = c.reduce((u, v) => u + v, 0) / c.length;
      return { mean, std: Math.sqrt(c.reduce((u, v) => u + (v - mean) ** 2, 0) / c.length) };
    };
    for (let j = 0; j < 10; j++) {
      expect(s.xScaler.mean[j]).toBeCloseTo(column(allX, 10, j).mean, 12);
      expect(s.xScaler.std[j] / column(allX, 10, j).std).toBeCloseTo(1, 10);
    }
    for (let j = 0; j < 750; j += 37) {
      expect(s.yScaler.mean[j]).toBeCloseTo(column(allY, 750, j).mean, 10);
      expect(s.yScaler.std[j] / column(allY, 750, j).std).toBeCloseTo(1, 10);
    }
    // Adaptation keeps them instead of fitting its own on the fine-tuning rows.
    const a = adapt(model, params, tasks[5], { steps: 3, lr: 1e-3, validationFraction: 0.2, dropout: false, seed: 1, scalers: s });
    expect(a.xScaler).toBe(s.xScaler);
    expect(a.yScaler).toBe(s.yScaler);
    const own = adapt(model, params, tasks[5], { steps: 3, lr: 1e-3, validationFraction: 0.2, dropout: false, seed: 1 });
    expect(own.yScaler.mean[0]).not.toBeCloseTo(s.yScaler.mean[0], 6);
    // The meta-emulator file stores them; adaptation of the loaded one uses them.
    const file = join(mkdtempSync(join(tmpdir(), 'cosmeta-global-')), 'meta.h5');
    const info = { parameterNames: Object.keys(paperRanges()), ell: Array.from(paperEll()), pairs: pairOrder(5), nBins: 5, training: {} };
    await saveMetaEmulator(file, { model, params, info, scalers: s });
    const loaded = await loadMetaEmulator(file, be);
    expect(Array.from(loaded.scalers?.yScaler.std ?? [])).toEqual(Array.from(s.yScaler.std));
    const { emulator } = adaptMetaEmulator(loaded, tasks[5], data.samples[5], { steps: 3, lr: 1e-3, validationFraction: 0.2, dropout: false, seed: 1 });
    expect(Array.from(emulator.yScaler.mean)).toEqual(Array.from(s.yScaler.mean));
  });
});
