/**
 * MAML's inner loop (a few full-batch optimiser steps on a task's support set, from the meta-weights) and
 * its exact derivative with respect to the meta-weights, which second-order MAML needs.
 *
 * Second-order MAML (Finn, Abbeel & Levine 2017, eq. 1) differentiates the query loss through the inner
 * steps. With the update theta_{k+1} = U_k(theta_k) and K steps, the meta-gradient is
 * J_0^T J_1^T ... J_{K-1}^T grad L_q(theta_K), J_k the Jacobian of U_k; it is accumulated backward from the
 * query gradient (reverse mode through the optimiser). The support loss enters J_k only through
 * Hessian-vector products H(theta_k) u, taken here by central differences of gradients,
 *   H u ~ [grad L(theta + e u) - grad L(theta - e u)] / (2 e),
 * with the step e set so that max |e u| = cbrt(machine epsilon) * (1 + max |theta|): the step that balances
 * the O(e^2) truncation error against the O(epsilon / e) rounding error of the gradients. (Pearlmutter
 * 1994 gives the exact product by a forward pass over the backward pass; the network engine is reverse
 * mode only.) Each product costs two gradients, so a second-order task costs 3K + 1 gradients instead of
 * the first-order K + 1.
 *
 * SGD: U(theta) = theta - a grad L(theta), so J = I - a H and the adjoint update is
 *   theta_bar += H (-a theta_bar).
 * Adam (bias-corrected as `adamStep`, step t = k + 1, a_t = a sqrt(1 - b2^t) / (1 - b1^t),
 * e_t = eps sqrt(1 - b2^t)): the moments are part of the state,
 *   m_{k+1} = b1 m_k + (1 - b1) g_k,   v_{k+1} = b2 v_k + (1 - b2) g_k^2,
 *   theta_{k+1} = theta_k - a_t m_{k+1} / (sqrt(v_{k+1}) + e_t),   g_k = grad L(theta_k),
 * and their adjoints are carried backward with theta's (elementwise, d = sqrt(v_{k+1}) + e_t):
 *   m~ = m_bar - a_t theta_bar / d,   v~ = v_bar + a_t theta_bar m_{k+1} / (2 sqrt(v_{k+1}) d^2),
 *   g_bar = (1 - b1) m~ + 2 (1 - b2) g_k v~,   theta_bar += H_k g_bar,   m_bar = b1 m~,   v_bar = b2 v~,
 * starting from theta_bar = grad L_q(theta_K), m_bar = v_bar = 0; theta_bar at k = 0 is the meta-gradient.
 * Each inner step's dropout masks are replayed exactly in its Hessian products (the random stream's state
 * is saved before the step), so the derivative is that of the very function the forward pass computed.
 */

import { Random } from '../math/random.js';
import type { Arr } from '../nn/backend.js';
import type { Sequential } from '../nn/model.js';
import { ADAM_DEFAULTS, adamState, adamStep, mse, type AdamState } from '../nn/train.js';

const { beta1: BETA1, beta2: BETA2, eps: EPS } = ADAM_DEFAULTS;

/** One inner step's record for the backward pass. */
interface StepRecord {
  theta: Arr;
  /** Support gradient at theta (Adam only). */
  g: Arr | null;
  /** Adam's moments after the step (Adam only). */
  m: Arr | null;
  v: Arr | null;
  rng: ReturnType<Random['getState']>;
}

/** Buffers for gradient steps on one model, reused across tasks. */
export class Stepper {
  readonly g: Arr;
  readonly dy: Arr;
  /** The inner optimiser's state, reset (not reallocated) at the start of every inner loop. */
  private readonly inner: AdamState;
  /** Records of the inner steps and work arrays of the second-order pass, allocated on first use. */
  private records: StepRecord[] = [];
  private work: { perturbed: Arr; gPlus: Arr; thetaBar: Float64Array; gBar: Float64Array; mBar: Float64Array; vBar: Float64Array } | null = null;

  constructor(
    readonly model: Sequential,
    maxRows: number,
  ) {
    this.g = model.backend.alloc(model.size);
    this.dy = model.backend.alloc(maxRows * model.outSize);
    this.inner = adamState(model.backend, model.size);
  }

  /** g = gradient of the MSE of rows [a, b) at p; returns the loss. */
  gradient(p: Arr, x: Arr, y: Arr, a: number, b: number, training: boolean, rng: Random): number {
    const m = this.model;
    const n = b - a;
    const { y: out, tape } = m.forward(p, x.subarray(a * m.inSize, b * m.inSize), n, { training, rng });
    const loss = mse(out, y.subarray(a * m.outSize, b * m.outSize), n * m.outSize, this.dy);
    this.g.fill(0);
    m.backward(p, tape, this.dy.subarray(0, n * m.outSize), this.g);
    return loss;
  }

  /** `steps` full-batch steps on rows [a, b) from p, in place, with a fresh optimiser. */
  descend(p: Arr, x: Arr, y: Arr, a: number, b: number, steps: number, lr: number, optimizer: 'adam' | 'sgd', training: boolean, rng: Random): void {
    this.run(p, x, y, a, b, steps, lr, optimizer, training, rng, false);
  }

  /**
   * Second-order MAML for one task: from `theta0`, `steps` inner steps on rows [0, nSupport) (fresh
   * optimiser), then the gradient of the query loss on rows [nSupport, n) at the adapted weights,
   * differentiated back through the inner steps. Adds `scale` d(query loss)/d(theta0) to `acc` and
   * returns the query loss. `theta0` is not modified. Draws the same random numbers, in the same order, as
   * `descend` followed by `gradient` on the query rows.
   */
  secondOrderGradient(
    theta0: Arr,
    t: { x: Arr; y: Arr; n: number; nSupport: number },
    steps: number,
    lr: number,
    optimizer: 'adam' | 'sgd',
    training: boolean,
    rng: Random,
    acc: Arr,
    scale = 1,
  ): number {
    const be = this.model.backend;
    const size = this.model.size;
    const adam = optimizer === 'adam';
    while (this.records.length < steps) this.records.push({ theta: be.alloc(size), g: null, m: null, v: null, rng: rng.getState() });
    if (adam) {
      for (const r of this.records) {
        r.g ??= be.alloc(size);
        r.m ??= be.alloc(size);
        r.v ??= be.alloc(size);
      }
    }
    this.work ??= { perturbed: be.alloc(size), gPlus: be.alloc(size), thetaBar: new Float64Array(size), gBar: new Float64Array(size), mBar: new Float64Array(size), vBar: new Float64Array(size) };
    const { thetaBar, gBar, mBar, vBar } = this.work;
    mBar.fill(0);
    vBar.fill(0);
    const theta = this.work.perturbed; // the adapted weights, before the work array serves the products
    theta.set(theta0);
    this.run(theta, t.x, t.y, 0, t.nSupport, steps, lr, optimizer, training, rng, true);
    const loss = this.gradient(theta, t.x, t.y, t.nSupport, t.n, training, rng);

    // Backward through the inner steps.
    for (let i = 0; i < size; i++) thetaBar[i] = this.g[i];
    for (let k = steps - 1; k >= 0; k--) {
      const r = this.records[k];
      if (!adam) {
        for (let i = 0; i < size; i++) gBar[i] = -lr * thetaBar[i];
      } else {
        const { g, m, v } = r as { g: Arr; m: Arr; v: Arr };
        const step = k + 1;
        const c2 = Math.sqrt(1 - BETA2 ** step);
        const aT = (lr * c2) / (1 - BETA1 ** step);
        const eT = EPS * c2;
        for (let i = 0; i < size; i++) {
          const sv = Math.sqrt(v[i]);
          const d = sv + eT;
          const mt = mBar[i] - (aT * thetaBar[i]) / d;
          const vt = sv > 0 ? vBar[i] + (aT * thetaBar[i] * m[i]) / (2 * sv * d * d) : vBar[i];
          gBar[i] = (1 - BETA1) * mt + 2 * (1 - BETA2) * g[i] * vt;
          mBar[i] = BETA1 * mt;
          vBar[i] = BETA2 * vt;
        }
      }
      this.addHessianProduct(r, t, training, gBar, thetaBar);
    }
    for (let i = 0; i < size; i++) acc[i] += scale * thetaBar[i];
    return loss;
  }

  /** acc += H(record.theta) u, by central differences with the record's dropout masks. */
  private addHessianProduct(r: StepRecord, t: { x: Arr; y: Arr; nSupport: number }, training: boolean, u: Float64Array, acc: Float64Array): void {
    const { perturbed, gPlus } = this.work as NonNullable<Stepper['work']>;
    let uMax = 0;
    let thetaMax = 0;
    for (let i = 0; i < u.length; i++) {
      uMax = Math.max(uMax, Math.abs(u[i]));
      thetaMax = Math.max(thetaMax, Math.abs(r.theta[i]));
    }
    if (uMax === 0) return;
    const roundoff = this.model.backend.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
    const e = (Math.cbrt(roundoff) * (1 + thetaMax)) / uMax;
    for (let i = 0; i < u.length; i++) perturbed[i] = r.theta[i] + e * u[i];
    this.gradient(perturbed, t.x, t.y, 0, t.nSupport, training, Random.fromState(r.rng));
    gPlus.set(this.g);
    for (let i = 0; i < u.length; i++) perturbed[i] = r.theta[i] - e * u[i];
    this.gradient(perturbed, t.x, t.y, 0, t.nSupport, training, Random.fromState(r.rng));
    const inv = 1 / (2 * e);
    for (let i = 0; i < u.length; i++) acc[i] += (gPlus[i] - this.g[i]) * inv;
  }

  /** The inner loop, optionally recording each step for `secondOrderGradient`. */
  private run(p: Arr, x: Arr, y: Arr, a: number, b: number, steps: number, lr: number, optimizer: 'adam' | 'sgd', training: boolean, rng: Random, record: boolean): void {
    const be = this.model.backend;
    const s = this.inner;
    s.m.fill(0);
    s.v.fill(0);
    s.t = 0;
    for (let k = 0; k < steps; k++) {
      const r = record ? this.records[k] : null;
      if (r) {
        r.theta.set(p);
        r.rng = rng.getState();
      }
      this.gradient(p, x, y, a, b, training, rng);
      if (optimizer === 'adam') {
        r?.g?.set(this.g);
        adamStep(be, p, this.g, s, { lr });
        r?.m?.set(s.m);
        r?.v?.set(s.v);
      } else {
        for (let i = 0; i < p.length; i++) p[i] -= lr * this.g[i];
      }
    }
  }

  dispose(): void {
    const be = this.model.backend;
    const arrays = [this.g, this.dy, this.inner.m, this.inner.v];
    for (const r of this.records) for (const a of [r.theta, r.g, r.m, r.v]) if (a) arrays.push(a);
    if (this.work) arrays.push(this.work.perturbed, this.work.gPlus);
    for (const a of arrays) be.free(a);
    this.records = [];
    this.work = null;
  }
}
