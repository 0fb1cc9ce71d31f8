/**
 * Unconstrained minimisation by limited-memory BFGS (Nocedal 1980; Nocedal & Wright 2006, Numerical
 * Optimization, Algorithm 7.4 for the two-loop recursion, Algorithm 3.1 for the backtracking Armijo line
 * search). Used for Gaussian-process hyperparameters, where the objective is smooth, cheap in its
 * dimension (a handful of log hyperparameters) and may be undefined (a failed Cholesky factorisation):
 * a non-finite value is treated as "too far" and the step is halved.
 */

export interface ValueAndGradient {
  value: number;
  grad: Float64Array;
}

export interface LbfgsOptions {
  /** Maximum iterations (default 200). */
  maxIter?: number;
  /** Stored correction pairs (default 8). */
  memory?: number;
  /** Stop when the gradient's max-norm falls below this (default 1e-6). */
  gradTol?: number;
  /** Stop when the relative decrease of f over one iteration falls below this (default 1e-10). */
  fTol?: number;
  /** Largest step length in the max-norm of x (default 2; in log hyperparameters a factor e^2). */
  maxStep?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
}

/** Minimise f from x0; f returns its value and gradient (the gradient may be reused by the caller). */
export function minimizeLbfgs(f: (x: Float64Array) => ValueAndGradient, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 200;
  const m = options.memory ?? 8;
  const gradTol = options.gradTol ?? 1e-6;
  const fTol = options.fTol ?? 1e-10;
  const maxStep = options.maxStep ?? 2;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let cur = f(x);
  let evaluations = 1;
  if (!Number.isFinite(cur.value)) return { x, value: cur.value, iterations: 0, evaluations };
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i] * b[i];
    return s;
  };
  let iter = 0;
  for (; iter < maxIter; iter++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(cur.grad[i]));
    if (gmax < gradTol) break;
    // two-loop recursion: d = -H g
    const q = Float64Array.from(cur.grad);
    const alpha = new Float64Array(sList.length);
    for (let k = sList.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(sList[k], q);
      for (let i = 0; i < n; i++) q[i] -= alpha[k] * yList[k][i];
    }
    const last = sList.length - 1;
    const gamma = last >= 0 ? dot(sList[last], yList[last]) / dot(yList[last], yList[last]) : 1 / Math.max(gmax, 1);
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let k = 0; k < sList.length; k++) {
      const beta = rho[k] * dot(yList[k], q);
      for (let i = 0; i < n; i++) q[i] += sList[k][i] * (alpha[k] - beta);
    }
    const d = q.map((v) => -v);
    let slope = dot(d, cur.grad);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      sList.length = yList.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -cur.grad[i] / Math.max(gmax, 1);
      slope = dot(d, cur.grad);
    }
    let dmax = 0;
    for (let i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(d[i]));
    let t = dmax > maxStep ? maxStep / dmax : 1;
    let next: ValueAndGradient | null = null;
    let xn = new Float64Array(n);
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + t * d[i];
      const trial = f(xn);
      evaluations++;
      if (Number.isFinite(trial.value) && trial.value <= cur.value + 1e-4 * t * slope) {
        next = trial;
        break;
      }
      t *= 0.5;
    }
    if (next === null) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = next.grad[i] - cur.grad[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
      if (sList.length > m) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    const decrease = cur.value - next.value;
    x = xn;
    xn = new Float64Array(n);
    cur = next;
    if (decrease <= fTol * Math.max(1, Math.abs(cur.value))) {
      iter++;
      break;
    }
  }
  return { x, value: cur.value, iterations: iter, evaluations };
}
