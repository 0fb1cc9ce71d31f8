import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imnnEstimate, imnnFisher, simulateSet, trainImnn } from '../../src/inference/compression/imnn.js';
import { GaussianMeanVariance } from '../../src/inference/compression/imnn-toys.js';
import { Random } from '../../src/math/random.js';
import type { Backend } from '../../src/nn/backend.js';
import { mlp } from '../../src/nn/model.js';
import { WasmBackend } from '../../src/nn/wasm.js';

let be: Backend;
beforeAll(async () => {
  be = await WasmBackend.create({ threads: 1 });
});
afterAll(() => be.dispose());

describe('IMNN training on the Gaussian mean-and-variance toy (analytic det F = 50)', () => {
  it('a short schedule learns most of the information, measured on validation simulations', () => {
    const sim = new GaussianMeanVariance(10);
    const theta = [0, 1];
    const delta = [0.1, 0.1];
    const alloc = (n: number) => be.alloc(n);
    const training = simulateSet(sim, theta, delta, 1000, 1000, 11, alloc);
    const validation = simulateSet(sim, theta, delta, 2000, 2000, 12, alloc);
    const model = mlp(be, { inSize: 10, hidden: [32, 32], outSize: 2, activation: 'relu' });
    const p = model.init(new Random(1));
    const before = imnnFisher(model, p, validation, delta).detF;
    const r = trainImnn(model, p, training, validation, { thetaFid: theta, delta, lambda: 10, epsilon: 0.1, lr: 3e-2, maxIterations: 400, patience: 10, validateEvery: 20, seed: 1 });
    // A short schedule for the test budget (400 full-batch iterations, ~10 s): measured 32.3 on these
    // seeds, so the bar here is 25 = 0.5 x 50; the full bar (>= 0.95 x 50 on 5000 + 5000 validation
    // simulations) is met by `npm run bench:imnn` with 2000 training simulations and 2500 iterations.
    expect(before).toBeLessThan(5);
    expect(r.validationDetF).toBeGreaterThan(25);
    expect(r.validationDetF).toBeLessThan(50 * 1.1); // above the analytic value only by validation noise
    // The regulariser has set the summaries' covariance on the training set close to the identity
    // (Lambda_2 -> ~1e-2: r(Lambda_2) ~ lambda Lambda_2 there, so the penalty is small but still pulls).
    const train = imnnFisher(model, r.params, training, delta).stats;
    expect(Math.abs(train.C[0] - 1)).toBeLessThan(0.05);
    expect(Math.abs(train.C[3] - 1)).toBeLessThan(0.05);
    const { stats } = imnnFisher(model, r.params, validation, delta);
    // The score estimate of the validation fiducial simulations is centred on theta_fid (exactly, by construction).
    const est = imnnEstimate(model, r.params, stats, theta, validation.x, validation.nS);
    let m1 = 0;
    for (let k = 0; k < validation.nS; k++) m1 += est[2 * k + 1] / validation.nS;
    expect(Math.abs(m1 - 1)).toBeLessThan(1e-5); // float32 network outputs
  }, 60_000);
});
