import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { Emulator } from '../../src/meta/emulator.js';
import { adapt } from '../../src/meta/maml.js';
import { accuracy } from '../../src/meta/metrics.js';
import { draw, evaluateAdapted, samplesStudy, volumeStudy } from '../../src/meta/studies.js';
import { JsBackend } from '../../src/nn/backend.js';
import { mlp } from '../../src/nn/model.js';

describe('study helpers and metrics', () => {
  const P = 2;
  const D = 3;
  const n = 50;
  const rng = new Random(1);
  const x = Float64Array.from({ length: n * P }, () => rng.uniform());
  const y = Float64Array.from({ length: n * D }, (_, i) => Math.exp(x[Math.floor(i / D) * P] * (1 + (i % D))));
  const pool = { x, y, n };

  it('draws distinct rows, the same for the same seed', () => {
    const a = draw(pool, 20, 7, P, D);
    const b = draw(pool, 20, 7, P, D);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    const firsts = new Set(Array.from({ length: 20 }, (_, r) => a.x[r * P]));
    expect(firsts.size).toBe(20);
    expect(Array.from(draw(pool, 20, 8, P, D).x)).not.toEqual(Array.from(a.x));
    expect(() => draw(pool, 51, 1, P, D)).toThrow(/cannot draw 51 spectra from a pool of 50/);
  });

  it('evaluating adapted weights agrees with the same weights saved as an Emulator', () => {
    const be = new JsBackend('float64');
    const model = mlp(be, { inSize: P, hidden: [8], outSize: D });
    const a = adapt(model, model.init(new Random(2)), pool, { steps: 30, lr: 1e-2, validationFraction: 0.2, dropout: false, seed: 3 });
    const direct = evaluateAdapted(model, a, pool);
    const emu = new Emulator(be, model, a.params, a.xScaler, a.yScaler, { parameterNames: ['a', 'b'], ell: [1, 2, 3], pairs: [[0, 0]], z: [0, 1], nz: [[1, 1]], training: {} });
    const viaEmu = accuracy(y, emu.predictSync(x, n), n, D);
    expect(direct.mape).toBeCloseTo(viaEmu.mape, 12);
    expect(direct.f5).toBe(viaEmu.f5);
  });

  it('the data-volume study visits each valid grid point once and scores what meta-training returned', async () => {
    const be = new JsBackend('float64');
    const options = { steps: 10, lr: 1e-2, validationFraction: 0.2, dropout: false };
    const init = (b: number, t: number, s: number) => {
      const model = mlp(be, { inSize: P, hidden: [8], outSize: D });
      return { model, params: model.init(new Random(b * 10000 + t * 100 + s)) };
    };
    const calls: string[] = [];
    const rows = await volumeStudy(
      { taskBatch: [2, 5], tasks: [3, 10], samples: [20] },
      async (b, t, s) => {
        calls.push(`${b}/${t}/${s}`);
        return { ...init(b, t, s), epochsRun: 4, bestEpoch: 2, seconds: 0.5 };
      },
      pool,
      pool,
      20,
      [1, 2],
      options,
    );
    // Task batch 5 > 3 tasks is skipped.
    expect(calls).toEqual(['2/3/20', '2/10/20', '5/10/20']);
    expect(rows.map((r) => [r.taskBatch, r.tasks, r.samples, r.epochsRun, r.bestEpoch])).toEqual([
      [2, 3, 20, 4, 2],
      [2, 10, 20, 4, 2],
      [5, 10, 20, 4, 2],
    ]);
    const { model, params } = init(5, 10, 20);
    const direct = samplesStudy(model, { maml: params }, pool, pool, [20], [1, 2], options)[0];
    expect(rows[2].mape.values).toEqual(direct.mape.values);
    expect(rows[0].mape.values).not.toEqual(direct.mape.values);
  });

  it('MAPE, f5 and max APE as the paper defines them, on a hand-made case', () => {
    // Sample 1: APEs 1% and 3% -> mean 2%; sample 2: 10% and 2% -> mean 6% (> 5%: a failure).
    const acc = accuracy([100, 100, 10, 50], [101, 97, 11, 49], 2, 2);
    expect(acc.mape).toBeCloseTo(4, 12);
    expect(acc.f5).toBe(0.5);
    expect(acc.maxApe).toBeCloseTo(6, 12);
  });
});
