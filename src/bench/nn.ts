/**
 * Neural-network engine benchmark: GEMM GFLOP/s for the three layouts at the shapes training meets, one
 * and two threads, FMA or not; training-step time (forward + backward + Adam) of FastWeightCNN and of the
 * default MLP at batch 300; forward throughput of the default MLP at batch 1, 100 and 10,000; one
 * meta-update of the default MLP with each meta-learning algorithm at the paper's settings (5 tasks of 500
 * spectra, support/query 300/200, 5 inner Adam steps).
 */

import { Random } from '../math/random.js';
import { META_ALGORITHMS, metaUpdate, PAPER_MAML, Stepper, type MetaAlgorithm, type SupportQuery } from '../meta/maml.js';
import type { Arr, Backend, Layout } from '../nn/backend.js';
import { defaultMlp, fastWeightCNN, type Sequential } from '../nn/model.js';
import { adamState, adamStep, mse } from '../nn/train.js';
import { relaxedSimdAvailable, WasmBackend } from '../nn/wasm.js';

export interface GemmFigure {
  layout: Layout;
  m: number;
  k: number;
  n: number;
  threads: 1 | 2;
  fma: boolean;
  gflops: number;
}

export interface NnBenchResult {
  gemm: GemmFigure[];
  trainStepMs: { fastWeightCNN: number; defaultMlp: number };
  evalsPerSecond: Record<'1' | '100' | '10000', number>;
  /** One meta-update (5 tasks) of the default MLP, ms. */
  metaUpdateMs: Record<MetaAlgorithm, number>;
  backend: string;
}

function timeIt(f: () => void, minSeconds: number): number {
  f();
  let reps = 0;
  const t0 = performance.now();
  let t = 0;
  do {
    f();
    reps++;
    t = (performance.now() - t0) / 1000;
  } while (t < minSeconds);
  return t / reps;
}

/** Normal deviates in backend memory (typed-array map would copy them out of it). */
function randomArray(be: Backend, n: number, rng: Random, scale: number): Arr {
  const a = be.alloc(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

function trainStepSeconds(model: Sequential, batch: number, minSeconds: number): number {
  const be = model.backend;
  const rng = new Random(1);
  const p = model.init(rng);
  const g = be.alloc(model.size);
  const state = adamState(be, model.size);
  const x = randomArray(be, batch * model.inSize, rng, 1);
  const y = randomArray(be, batch * model.outSize, rng, 1);
  const dy = be.alloc(batch * model.outSize);
  const s = timeIt(() => {
    const { y: out, tape } = model.forward(p, x, batch, { training: true, rng });
    mse(out, y, batch * model.outSize, dy);
    g.fill(0);
    model.backward(p, tape, dy, g);
    adamStep(be, p, g, state, { lr: 1e-3 });
  }, minSeconds);
  for (const a of [p, g, x, y, dy, state.m, state.v]) be.free(a);
  return s;
}

function metaUpdateSeconds(model: Sequential, algorithm: MetaAlgorithm, minSeconds: number): number {
  const be = model.backend;
  const rng = new Random(3);
  const params = model.init(rng);
  const n = 500;
  const batch: SupportQuery[] = Array.from({ length: PAPER_MAML.taskBatch }, () => ({
    x: randomArray(be, n * model.inSize, rng, 1),
    y: randomArray(be, n * model.outSize, rng, 1),
    n,
    nSupport: Math.floor(n * PAPER_MAML.supportFraction),
  }));
  const stepper = new Stepper(model, n);
  const outer = adamState(be, model.size);
  const G = be.alloc(model.size);
  const adapted = be.alloc(model.size);
  const s = timeIt(() => metaUpdate(stepper, params, outer, batch, { ...PAPER_MAML, algorithm }, rng, G, adapted), minSeconds);
  stepper.dispose();
  for (const a of [params, outer.m, outer.v, G, adapted, ...batch.flatMap((t) => [t.x, t.y])]) be.free(a);
  return s;
}

export async function benchNn(options: { quick?: boolean } = {}): Promise<NnBenchResult> {
  const minSeconds = options.quick ? 0.05 : 0.5;
  const fmaModes = relaxedSimdAvailable() ? [false, true] : [false];
  const gemm: GemmFigure[] = [];
  const shapes: Array<[number, number, number]> = [[300, 256, 256], [300, 256, 750], [300, 16384, 750]];
  for (const fma of fmaModes) {
    for (const threads of [1, 2] as const) {
      const be = await WasmBackend.create({ threads, fma: fma ? 'fma' : 'mul-add' });
      for (const [m, k, n] of shapes) {
        const A = be.alloc(m * k).fill(0.5);
        const B = be.alloc(k * n).fill(0.25);
        const C = be.alloc(m * n);
        for (const layout of ['NN', 'NT', 'TN'] as Layout[]) {
          const s = timeIt(() => be.gemm(layout, m, n, k, A, B, C, false), minSeconds);
          gemm.push({ layout, m, k, n, threads, fma, gflops: (2 * m * n * k) / s / 1e9 });
        }
        for (const a of [A, B, C]) be.free(a);
      }
      be.dispose();
    }
  }
  // Training steps and throughput on the fastest configuration.
  const be = await WasmBackend.create({ threads: 2 });
  const rng = new Random(2);
  const components = 64;
  const V = randomArray(be, 750 * components, rng, 1 / Math.sqrt(750));
  const mean = be.alloc(750);
  const cnn = fastWeightCNN(be);
  const cnnStep = trainStepSeconds(cnn, 300, options.quick ? 0.01 : 2);
  cnn.dispose();
  const net = defaultMlp(be, 10, 750, { V, mean, components });
  const mlpStep = trainStepSeconds(net, 300, minSeconds);
  const metaUpdateMs = {} as Record<MetaAlgorithm, number>;
  for (const algorithm of META_ALGORITHMS) metaUpdateMs[algorithm] = 1000 * metaUpdateSeconds(net, algorithm, options.quick ? 0.01 : 2);
  const p = net.init(rng);
  const evalsPerSecond = {} as Record<'1' | '100' | '10000', number>;
  for (const batch of [1, 100, 10000] as const) {
    const x: Arr = randomArray(be, batch * 10, rng, 1);
    const s = timeIt(() => net.forward(p, x, batch), minSeconds);
    evalsPerSecond[String(batch) as '1' | '100' | '10000'] = batch / s;
    be.free(x);
  }
  net.dispose();
  const name = be.name;
  be.dispose();
  return { gemm, trainStepMs: { fastWeightCNN: cnnStep * 1000, defaultMlp: mlpStep * 1000 }, evalsPerSecond, metaUpdateMs, backend: name };
}
