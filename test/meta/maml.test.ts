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

  it('a second-order MAML update with inner SGD equals the hand-computed (I - a H)^K product on a 2-parameter model', () => {
    // For y = w x + b and the MSE the support Hessian is constant, H = (2 / n) sum [[x^2, x], [x, 1]], so the
    // exact meta-gradient of a task is (I - a H)^K grad L_q(theta_K). Central differences of gradients are
    // exact for a quadratic up to rounding (~1e-11 relative here).
    const be = new JsBackend('float64');
    const model = new Sequential(be, [new Dense(1, 1)]);
    const tasks = [
      { x: [0.1, -0.5, 1.2, 0.7, -1.1], y: [0.3, -0.2, 1.1, 0.4, -0.9], nSupport: 3 },
      { x: [-0.3, 0.9, 0.2, -1.4, 0.5], y: [0.5, -0.7, 0.1, 1.3, -0.2], nSupport: 3 },
    ];
    const batch = tasks.map((t) => ({ x: Float64Array.from(t.x), y: Float64Array.from(t.y), n: 5, nSupport: t.nSupport }));
    const lr = 0.3; // large, so the second-order factor is far from the identity
    const config = { algorithm: 'maml' as const, innerSteps: 3, innerLr: lr, innerOptimizer: 'sgd' as const, outerLr: 0.01, dropout: false };
    const params = Float64Array.from([0.4, -0.1]);
    const stepper = new Stepper(model, 5);
    const outer = adamState(be, 2);
    const hand = [0.4, -0.1];
    const handOuter = { m: [0, 0], v: [0, 0], t: 0 };
    const firstOrder = [0, 0];
    for (let update = 0; update < 2; update++) {
      const meta = [0, 0];
      for (const t of tasks) {
        const q = [...hand];
        for (let s = 0; s < 3; s++) {
          const g = lineGrad(q, t.x, t.y, 0, t.nSupport);
          for (let i = 0; i < 2; i++) q[i] -= lr * g[i];
        }
        let v = lineGrad(q, t.x, t.y, t.nSupport, 5);
        if (update === 0) for (let i = 0; i < 2; i++) firstOrder[i] += v[i] / tasks.length;
        let hxx = 0;
        let hx = 0;
        for (let i = 0; i < t.nSupport; i++) {
          hxx += (2 * t.x[i] * t.x[i]) / t.nSupport;
          hx += (2 * t.x[i]) / t.nSupport;
        }
        const h11 = 2;
        for (let s = 0; s < 3; s++) v = [v[0] - lr * (hxx * v[0] + hx * v[1]), v[1] - lr * (hx * v[0] + h11 * v[1])];
        for (let i = 0; i < 2; i++) meta[i] += v[i] / tasks.length;
      }
      if (update === 0) {
        // The meta-gradient itself, before Adam's normalisation hides its scale.
        const G = be.alloc(2);
        const before = Float64Array.from(params);
        metaUpdate(stepper, Float64Array.from(params), adamState(be, 2), batch, config, new Random(1), G, be.alloc(2));
        expect(G[0]).toBeCloseTo(meta[0], 10);
        expect(G[1]).toBeCloseTo(meta[1], 10);
        expect(Math.abs(meta[0] - firstOrder[0]) + Math.abs(meta[1] - firstOrder[1])).toBeGreaterThan(0.05);
        expect(Array.from(params)).toEqual(Array.from(before));
      }
      scalarAdam(hand, meta, handOuter, 0.01);
      metaUpdate(stepper, params, outer, batch, config, new Random(1), be.alloc(2), be.alloc(2));
      expect(params[0]).toBeCloseTo(hand[0], 11);
      expect(params[1]).toBeCloseTo(hand[1], 11);
    }
  });

  it('the second-order meta-gradient equals finite differences of the whole inner loop (SiLU network, dropout, inner Adam and SGD)', () => {
    const be = new JsBackend('float64');
    const model = mlp(be, { inSize: 3, hidden: [6], outSize: 4, dropout: 0.25 });
    const theta = model.init(new Random(11));
    const rng = new Random(12);
    const n = 12;
    const x = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const y = Float64Array.from({ length: n * 4 }, (_, i) => Math.sin(x[Math.floor(i / 4) * 3 + (i % 3)]) + 0.1 * (i % 4));
    const task = { x, y, n, nSupport: 8 };
    const stepper = new Stepper(model, n);
    const seed = 13;
    for (const [optimizer, lr, steps] of [['adam', 0.05, 5], ['sgd', 0.3, 5]] as const) {
      // F(theta): the query loss after the inner steps, with every dropout mask fixed by the seed.
      const F = (p: Float64Array): number => {
        const q = Float64Array.from(p);
        const r = new Random(seed);
        stepper.descend(q, x, y, 0, task.nSupport, steps, lr, optimizer, true, r);
        return stepper.gradient(q, x, y, task.nSupport, n, true, r);
      };
      const so = new Float64Array(model.size);
      const loss = stepper.secondOrderGradient(theta, task, steps, lr, optimizer, true, new Random(seed), so);
      expect(loss).toBe(F(theta as Float64Array));
      const h = 1e-6; // central differences: truncation ~h^2, rounding ~1e-16 / h, both below 1e-9 relative
      const fd = new Float64Array(model.size);
      for (let i = 0; i < model.size; i++) {
        const p = Float64Array.from(theta);
        p[i] += h;
        const up = F(p);
        p[i] -= 2 * h;
        fd[i] = (up - F(p)) / (2 * h);
      }
      // First order: the query gradient at the adapted weights, for scale.
      const q = Float64Array.from(theta);
      const r = new Random(seed);
      stepper.descend(q, x, y, 0, task.nSupport, steps, lr, optimizer, true, r);
      stepper.gradient(q, x, y, task.nSupport, n, true, r);
      const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
      const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => norm(Array.from(a, (v, i) => v - b[i]));
      // Measured: 5e-10 (SGD) and 3e-8 (Adam, whose step amplifies the products' rounding) relative error.
      expect(diff(so, fd) / norm(fd)).toBeLessThan(1e-6);
      expect(diff(stepper.g, fd) / norm(fd)).toBeGreaterThan(0.05); // the second-order terms matter here
    }
    // float32 (the WebAssembly backend's type): the step set for float32 rounding keeps the meta-gradient
    // close to the float64 one.
    const be32 = new JsBackend('float32');
    const model32 = mlp(be32, { inSize: 3, hidden: [6], outSize: 4, dropout: 0.25 });
    const stepper32 = new Stepper(model32, n);
    const exact = new Float64Array(model.size);
    stepper.secondOrderGradient(theta, task, 5, 0.05, 'adam', true, new Random(seed), exact);
    const got = new Float64Array(model.size);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    stepper32.secondOrderGradient(f32(theta), { x: f32(x), y: f32(y), n, nSupport: 8 }, 5, 0.05, 'adam', true, new Random(seed), got);
    const err = Math.sqrt(got.reduce((s, v, i) => s + (v - exact[i]) ** 2, 0) / exact.reduce((s, v) => s + v * v, 0));
    expect(err).toBeLessThan(1e-3); // measured 2.8e-5
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
