/**
 * Training an IMNN (Charnock, Lavaux & Wandelt 2018, arXiv:1802.03537) on Cosmeta's network engine: a
 * network maps a simulation to m summaries; it is trained at a fiducial point on a fixed set of n_s
 * fiducial simulations and, per parameter, n_d seed-matched pairs at theta_fid +- dtheta_a / 2 (the
 * authors' NumericalGradientIMNN), by full-batch Adam on the loss of imnn-loss.ts; every `validateEvery`
 * iterations det F is measured on a separate validation set, and the weights with the largest
 * validation det F are kept (the authors' early stopping on validation, with patience).
 *
 * Seed matching: pair k of the derivative set uses the seed of fiducial simulation k, so the difference
 * s(theta+) - s(theta-) carries the response to the parameter and almost none of the noise.
 *
 * All simulations of a set go through the network in one batch (n_s + 2 p n_d rows), and dL/d(outputs)
 * from imnnLoss is sent back through `backward` once per iteration.
 */

import { CosmetaError } from '../../errors.js';
import { deriveSeed, Random } from '../../math/random.js';
import type { Arr } from '../../nn/backend.js';
import type { Sequential } from '../../nn/model.js';
import { adamState, adamStep } from '../../nn/train.js';
import { imnnLoss, imnnStatistics, regularisationRate, scoreEstimate, type ImnnOutputs, type ImnnStatistics } from './imnn-loss.js';

/** A simulator whose noise is fixed by a seed, so the same seed at two parameter points is seed-matched. */
export interface SeededSimulator {
  readonly nParams: number;
  /** Length of one simulation as the network sees it. */
  readonly inSize: number;
  /** Write one simulation at theta, noise from `seed`, into out[offset .. offset + inSize). */
  simulate(theta: ArrayLike<number>, seed: number, out: Arr, offset: number): void;
}

/** Simulations stacked as one network batch: n_s fiducial rows, then per parameter n_d plus and n_d minus rows. */
export interface ImnnSet {
  x: Arr;
  nS: number;
  nD: number;
  p: number;
  rows: number;
}

/** Simulate a set. Seeds: fiducial simulation k uses deriveSeed(seed, k); derivative pair k the same. */
export function simulateSet(sim: SeededSimulator, thetaFid: ArrayLike<number>, delta: ArrayLike<number>, nS: number, nD: number, seed: number, alloc: (n: number) => Arr): ImnnSet {
  const p = sim.nParams;
  if (thetaFid.length !== p || delta.length !== p) throw new CosmetaError(`IMNN: the simulator has ${p} parameters; theta_fid has ${thetaFid.length}, the steps ${delta.length}`);
  if (!(nD >= 1 && nD <= nS)) throw new CosmetaError(`IMNN: n_d must be in [1, n_s = ${nS}] (derivative pairs reuse fiducial seeds), got ${nD}`);
  const rows = nS + 2 * p * nD;
  const x = alloc(rows * sim.inSize);
  for (let k = 0; k < nS; k++) sim.simulate(thetaFid, deriveSeed(seed, k), x, k * sim.inSize);
  for (let a = 0; a < p; a++) {
    const up = Float64Array.from(thetaFid);
    const down = Float64Array.from(thetaFid);
    up[a] += delta[a] / 2;
    down[a] -= delta[a] / 2;
    for (let k = 0; k < nD; k++) {
      const s = deriveSeed(seed, k);
      sim.simulate(up, s, x, (nS + 2 * a * nD + k) * sim.inSize);
      sim.simulate(down, s, x, (nS + (2 * a + 1) * nD + k) * sim.inSize);
    }
  }
  return { x, nS, nD, p, rows };
}

/** Views of a batch of network outputs y [rows x m] as the loss's inputs. */
export function outputsOf(y: Arr, set: ImnnSet, m: number): ImnnOutputs {
  const { nS, nD, p } = set;
  const plus: Arr[] = [];
  const minus: Arr[] = [];
  for (let a = 0; a < p; a++) {
    plus.push(y.subarray((nS + 2 * a * nD) * m, (nS + (2 * a + 1) * nD) * m));
    minus.push(y.subarray((nS + (2 * a + 1) * nD) * m, (nS + (2 * a + 2) * nD) * m));
  }
  return { fiducial: y.subarray(0, nS * m), nS, plus, minus, nD, m };
}

export interface ImnnTrainOptions {
  thetaFid: number[];
  /** theta+ - theta- per parameter. */
  delta: number[];
  /** Coupling strength lambda and closeness eps of the covariance regulariser (authors' example: 10, 0.1). */
  lambda: number;
  epsilon: number;
  lr: number;
  maxIterations: number;
  /** Stop after this many validation checks without a larger validation det F. */
  patience: number;
  validateEvery: number;
  seed: number;
  onProgress?: (p: { iteration: number; loss: number; detF: number; valDetF: number; lambda2: number }) => void;
}

export interface ImnnTrainResult {
  /** Network parameters with the largest validation det F. */
  params: Arr;
  bestIteration: number;
  /** det F on the validation set at the kept weights. */
  validationDetF: number;
  /** det F on the training set at the kept weights. */
  trainingDetF: number;
  iterations: number;
  seconds: number;
  history: Array<{ iteration: number; loss: number; detF: number; valDetF: number; lambda2: number }>;
}

function determinant(F: Float64Array, p: number): number {
  if (p === 1) return F[0];
  if (p === 2) return F[0] * F[3] - F[1] * F[2];
  let d = 1;
  const m = Float64Array.from(F);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r * p + c]) > Math.abs(m[piv * p + c])) piv = r;
    if (m[piv * p + c] === 0) return 0;
    if (piv !== c) {
      d = -d;
      for (let k = 0; k < p; k++) [m[c * p + k], m[piv * p + k]] = [m[piv * p + k], m[c * p + k]];
    }
    d *= m[c * p + c];
    for (let r = c + 1; r < p; r++) {
      const f = m[r * p + c] / m[c * p + c];
      for (let k = c; k < p; k++) m[r * p + k] -= f * m[c * p + k];
    }
  }
  return d;
}

/** F statistics of a trained network on a set of simulations. */
export function imnnFisher(model: Sequential, params: Arr, set: ImnnSet, delta: ArrayLike<number>): { stats: ImnnStatistics; detF: number } {
  const y = model.predict(params, set.x, set.rows);
  const stats = imnnStatistics(outputsOf(y, set, model.outSize), delta);
  model.backend.free(y);
  return { stats, detF: determinant(stats.F, stats.p) };
}

/** Train `model` (inputs sim.inSize, outputs m >= p summaries) from `params` (updated in place; best kept in the result). */
export function trainImnn(model: Sequential, params: Arr, training: ImnnSet, validation: ImnnSet, o: ImnnTrainOptions): ImnnTrainResult {
  const t0 = performance.now();
  const be = model.backend;
  const m = model.outSize;
  if (m < training.p) throw new CosmetaError(`IMNN: ${m} summaries cannot carry ${training.p} parameters' information (need m >= p)`);
  const alpha = regularisationRate(o.lambda, o.epsilon);
  const grad = be.alloc(model.size);
  const dy = be.alloc(training.rows * m);
  const dyF64 = new Float64Array(training.rows * m);
  const gradViews = outputsOf(dyF64 as unknown as Arr, training, m);
  const state = adamState(be, model.size);
  const best = be.alloc(model.size);
  best.set(params);
  let bestVal = -Infinity;
  let bestIteration = 0;
  let sinceBest = 0;
  const history: ImnnTrainResult['history'] = [];
  let iteration = 0;
  // Dropout is never used here; rng only satisfies the forward signature.
  const rng = new Random(o.seed);
  for (iteration = 1; iteration <= o.maxIterations; iteration++) {
    const { y, tape } = model.forward(params, training.x, training.rows, { training: false, rng });
    const value = imnnLoss(outputsOf(y, training, m), o.delta, o.lambda, alpha, {
      fiducial: gradViews.fiducial as Float64Array,
      plus: gradViews.plus as Float64Array[],
      minus: gradViews.minus as Float64Array[],
    });
    if (!Number.isFinite(value.loss)) throw new CosmetaError(`IMNN: the loss is not finite at iteration ${iteration} (det F ${Math.exp(value.lnDetF)}, Lambda_2 ${value.lambda2}); lower the learning rate`);
    dy.set(dyF64);
    grad.fill(0);
    model.backward(params, tape, dy, grad);
    adamStep(be, params, grad, state, { lr: o.lr });
    if (iteration % o.validateEvery === 0 || iteration === o.maxIterations) {
      const val = imnnFisher(model, params, validation, o.delta).detF;
      const entry = { iteration, loss: value.loss, detF: Math.exp(value.lnDetF), valDetF: val, lambda2: value.lambda2 };
      history.push(entry);
      o.onProgress?.(entry);
      if (val > bestVal) {
        bestVal = val;
        bestIteration = iteration;
        best.set(params);
        sinceBest = 0;
      } else if (++sinceBest >= o.patience) break;
    }
  }
  be.free(grad);
  be.free(dy);
  const trainingDetF = imnnFisher(model, best, training, o.delta).detF;
  return { params: best, bestIteration, validationDetF: bestVal, trainingDetF, iterations: Math.min(iteration, o.maxIterations), seconds: (performance.now() - t0) / 1000, history };
}

/** The compressed statistic of simulations x [n x inSize]: the score estimate theta_fid + F^-1 D^T C^-1 (s - mu). */
export function imnnEstimate(model: Sequential, params: Arr, stats: ImnnStatistics, thetaFid: ArrayLike<number>, x: Arr, n: number): Float64Array {
  const y = model.predict(params, x, n);
  const out = scoreEstimate(stats, thetaFid, y, n);
  model.backend.free(y);
  return out;
}
