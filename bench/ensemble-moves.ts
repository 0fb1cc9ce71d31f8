/**
 * Autocorrelation times of the ensemble sampler's moves on a 17-D correlated Gaussian (the dimension of the
 * DES Y1 analysis), with and without a banana in two of its whitened coordinates: the stretch move alone,
 * the DE move mixed 0.8 / 0.2 with it, and DE alone; 64 walkers, the last 80% of the steps. Prints one line
 * per move: acceptance, the largest and the median tau (emcee's estimator, src/inference/autocorr.ts).
 *
 *   npx vite-node bench/ensemble-moves.ts [STEPS]        # default 10000 steps
 *   COSMETA_BANANA=1 npx vite-node bench/ensemble-moves.ts
 */
import { integratedTime } from '../src/inference/autocorr.js';
import { type EnsembleMoves, EnsembleSampler } from '../src/inference/ensemble.js';
import type { ParameterSpec } from '../src/inference/priors.js';
import { Random } from '../src/math/random.js';

const dim = 17;
const walkers = 64;
const steps = Number(process.argv[2] ?? 10000);
const banana = process.env.COSMETA_BANANA === '1';
// x = L v with v ~ N(0, I) (before the banana): L lower triangular, diagonal 1..17, off-diagonal 0.8 N(0, 1)
const rng0 = new Random(7);
const L = new Float64Array(dim * dim);
for (let i = 0; i < dim; i++) for (let j = 0; j <= i; j++) L[i * dim + j] = i === j ? 1 + i : 0.8 * rng0.normal();
const logProb = async (pts: Float64Array, n: number): Promise<Float64Array> => {
  const out = new Float64Array(n);
  const v = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dim; i++) {
      let s = pts[r * dim + i];
      for (let j = 0; j < i; j++) s -= L[i * dim + j] * v[j];
      v[i] = s / L[i * dim + i];
    }
    let q = 0;
    for (let i = 0; i < dim; i++) q += v[i] * v[i];
    out[r] = -0.5 * q - (banana ? 5 * (v[1] - 0.3 * v[0] * v[0]) ** 2 : 0);
  }
  return out;
};
const specs: ParameterSpec[] = Array.from({ length: dim }, (_, i) => ({ name: `p${i}`, prior: { kind: 'flat' as const, min: -1e9, max: 1e9 }, fiducial: 0, startSpread: 0.1 }));
for (const moves of [undefined, { de: 0.8, stretch: 0.2 }, { de: 1 }] as (EnsembleMoves | undefined)[]) {
  const sampler = new EnsembleSampler(logProb, walkers, dim, 2, moves);
  const rng = new Random(3);
  const state = await sampler.initialState(specs, rng);
  const chain = new Float64Array(steps * walkers * dim);
  for (let t = 0; t < steps; t++) {
    await sampler.step(state, rng);
    chain.set(state.positions, t * walkers * dim);
  }
  const burn = Math.floor(steps / 5);
  const tau = Array.from(integratedTime(chain.subarray(burn * walkers * dim), steps - burn, walkers, dim)).sort((a, b) => a - b);
  const acceptance = state.accepted.reduce((a, b) => a + b, 0) / (walkers * steps);
  process.stdout.write(`${JSON.stringify({ moves: moves ?? { stretch: 1 }, banana, steps, acceptance: Number(acceptance.toFixed(3)), tauMax: Number(tau[dim - 1].toFixed(1)), tauMedian: Number(tau[dim >> 1].toFixed(1)) })}\n`);
}
