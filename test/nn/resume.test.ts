import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { metaTrain, PAPER_MAML, type MetaTrainState, type Task } from '../../src/meta/maml.js';
import { JsBackend } from '../../src/nn/backend.js';
import { mlp } from '../../src/nn/model.js';
import { fit, type Checkpointer, type FitState } from '../../src/nn/train.js';

/** A checkpointer in memory that makes the job "die" (throw) after `dieAfter` saves, like a kill. */
function dying<T>(dieAfter: number, copy: (s: T) => T): Checkpointer<T> & { saves: number; revive(n: number): void } {
  let saved: T | null = null;
  let left = dieAfter;
  return {
    saves: 0,
    load: () => (saved ? copy(saved) : null),
    save(s: T) {
      saved = copy(s);
      this.saves++;
      if (--left === 0) throw new Error('killed');
    },
    revive(n: number) {
      left = n;
    },
  };
}

const copyFit = (s: FitState): FitState => ({ ...s, params: s.params.slice(), best: s.best?.slice() ?? null, adam: { m: s.adam.m.slice(), v: s.adam.v.slice(), t: s.adam.t }, order: s.order.slice(), rng: { ...s.rng, words: [...s.rng.words] as typeof s.rng.words } });
const copyMeta = (s: MetaTrainState): MetaTrainState => ({ ...s, params: s.params.slice(), best: s.best.slice(), adam: { m: s.adam.m.slice(), v: s.adam.v.slice(), t: s.adam.t }, order: s.order.slice(), history: [...s.history], rng: { ...s.rng, words: [...s.rng.words] as typeof s.rng.words } });

describe('resume from a checkpoint gives the weights of an uninterrupted run, bit for bit', () => {
  const be = new JsBackend('float32');
  const rng = new Random(3);
  const n = 60;
  const x = be.alloc(n * 2);
  const y = be.alloc(n * 3);
  for (let i = 0; i < n * 2; i++) x[i] = rng.uniform() * 2 - 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) y[i * 3 + j] = Math.sin((j + 1) * x[i * 2]) * x[i * 2 + 1];

  it('fit (mini-batches, dropout, early stopping on validation), killed after seeded numbers of epochs', () => {
    const model = mlp(be, { inSize: 2, hidden: [16, 16], outSize: 3, activation: 'silu', dropout: 0.1 });
    const options = { lr: 3e-3, epochs: 40, batchSize: 16, seed: 9, patience: 8, validation: { x: x.subarray(40 * 2), y: y.subarray(40 * 3), n: 20 } };
    const whole = model.init(new Random(1));
    const r0 = fit(model, whole, x.subarray(0, 80), y.subarray(0, 120), 40, options);
    for (const killAt of [1 + new Random(5).int(10), 17, 33]) {
      const p = model.init(new Random(1));
      const ck = dying<FitState>(killAt, copyFit);
      expect(() => fit(model, p, x.subarray(0, 80), y.subarray(0, 120), 40, { ...options, checkpoint: ck })).toThrow('killed');
      ck.revive(-1);
      const fresh = model.init(new Random(1)); // a new process starts from scratch weights
      const r = fit(model, fresh, x.subarray(0, 80), y.subarray(0, 120), 40, { ...options, checkpoint: ck });
      expect(Array.from(fresh)).toEqual(Array.from(whole));
      expect([r.epochs, r.bestEpoch, r.bestValLoss]).toEqual([r0.epochs, r0.bestEpoch, r0.bestValLoss]);
    }
  });

  it('meta-training (FO-MAML, dropout), killed after seeded numbers of epochs', () => {
    const model = mlp(be, { inSize: 2, hidden: [12], outSize: 3, activation: 'silu', dropout: 0.1 });
    const tasks: Task[] = Array.from({ length: 7 }, (_, t) => {
      const xs = Float64Array.from({ length: 30 * 2 }, (_, i) => ((i * 7 + t * 3) % 17) / 17);
      const ys = Float64Array.from({ length: 30 * 3 }, (_, i) => Math.exp(-xs[Math.floor(i / 3) * 2] * (1 + (i % 3)) * (1 + 0.1 * t)) + 0.1);
      return { x: xs, y: ys, n: 30 };
    });
    const config = { ...PAPER_MAML, epochs: 6, taskBatch: 3, patience: 3, validation: { samples: 10, steps: 5, lr: 1e-3 }, seed: 4 };
    const whole = model.init(new Random(2));
    const r0 = metaTrain(model, whole, tasks.slice(0, 6), tasks[6], config);
    for (const killAt of [1, 2 + new Random(6).int(3)]) {
      const ck = dying<MetaTrainState>(killAt, copyMeta);
      expect(() => metaTrain(model, model.init(new Random(2)), tasks.slice(0, 6), tasks[6], config, undefined, ck)).toThrow('killed');
      ck.revive(-1);
      const p = model.init(new Random(2));
      const r = metaTrain(model, p, tasks.slice(0, 6), tasks[6], config, undefined, ck);
      expect(Array.from(p)).toEqual(Array.from(whole));
      expect(r.history.map((e) => e.validationLoss)).toEqual(r0.history.map((e) => e.validationLoss));
      expect(r.bestEpoch).toBe(r0.bestEpoch);
    }
  });
});
