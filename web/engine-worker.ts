/**
 * The page's engine, in a dedicated worker (so the page stays responsive and the kernels' helper
 * threads can use Atomics.wait): holds the WebAssembly backend, the shipped meta-emulator, the adapted
 * emulator and the last chain. Every step is a call into the library, exactly as `cosmeta adapt` and
 * `cosmeta mcmc` make it (src/cli/meta.ts, src/cli/mcmc.ts).
 */

import {
  accuracy,
  adaptMetaEmulatorAs,
  analysisSamplerSettings,
  browserPlatform,
  chainSamples,
  createBackendOn,
  DEFAULT_ADAPT,
  DEFAULT_LINEAR_MODEL,
  DEFAULT_MCMC,
  formatGetDist,
  GaussianLikelihood,
  gridDensity,
  latexLabel,
  metaEmulatorFromModel,
  modelFromExport,
  paperProblem,
  Posterior,
  quantileRange,
  sampleChain,
  SampleEmulator,
  STANDARD_DERIVED,
  summary,
  writeChainContent,
  writeModelContent,
  type Backend,
  type Chain,
  type DerivedParameter,
  type InferenceProblem,
  type MetaEmulator,
  type ModelExport,
} from '../src/browser.js';
import { linearOptions } from './linear.js';
import { loadH5Wasm } from './h5.js';
import { surveyAnalysis } from './survey.js';
import type { ContourFrame, EngineReply, EngineRequest } from './protocol.js';

declare const COSMETA_VERSION: string;

const post = (m: EngineReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const platform = browserPlatform({ wasmBase: new URL('./wasm/', self.location.href), kernelWorker: new URL('./kernel-worker.js', self.location.href) });

let backend: Backend | null = null;
let meta: MetaEmulator | null = null;
let emulator: SampleEmulator | null = null;
let chain: Chain | null = null;
/** What the last chain sampled: its priors (GetDist ranges) and derived parameters. */
let sampled: { parameters: InferenceProblem['parameters']; derived: readonly DerivedParameter[] } | null = null;

/** Bins of the contour grid and its smoothing (bins), as the report's contours. */
const BINS = 40;

function contourFrame(c: Chain, derived: readonly DerivedParameter[] = STANDARD_DERIVED): ContourFrame | null {
  if (c.steps < 4) return null;
  const s = chainSamples(c, ['Omega_m', 'S8'], undefined, derived);
  const [xl, xh] = quantileRange([s.columns[0]], 0.002, 0.15);
  const [yl, yh] = quantileRange([s.columns[1]], 0.002, 0.15);
  return { lo: [xl, yl], hi: [xh, yh], bins: BINS, density: gridDensity(s.columns, [xl, yl], [xh, yh], BINS) };
}

async function handle(r: EngineRequest): Promise<void> {
  if (r.kind === 'init') {
    backend = await createBackendOn(platform, { threads: r.threads });
    const res = await fetch(r.metaUrl);
    if (!res.ok) throw new Error(`cannot load the meta-emulator ${r.metaUrl}: HTTP ${res.status}`);
    meta = metaEmulatorFromModel('models/meta-default.h5', modelFromExport(backend, (await res.json()) as ModelExport), backend);
    post({ kind: 'ready', backend: backend.name, nBins: meta.info.nBins, parameterNames: meta.info.parameterNames, ell: meta.info.ell });
    return;
  }
  if (!backend || !meta) throw new Error('the engine is not initialised');
  if (r.kind === 'adapt') {
    emulator?.dispose();
    emulator = null;
    chain = null;
    const { emulator: emu, validationRows } = adaptMetaEmulatorAs(SampleEmulator, meta, { x: r.x, y: r.y, n: r.n }, r.sample, { ...DEFAULT_ADAPT, seed: r.seed });
    emulator = emu;
    const P = meta.info.parameterNames.length;
    const first = r.n - validationRows;
    const pred = emu.predictSync(r.x.subarray(first * P), validationRows);
    const acc = accuracy(r.y.subarray(first * emu.dataSize), pred, validationRows, emu.dataSize);
    post({ kind: 'adapted', mape: acc.mape, f5: acc.f5, params: Float32Array.from(emu.params) });
    return;
  }
  if (r.kind === 'mcmc') {
    if (!emulator) throw new Error('adapt the emulator first');
    const t0 = performance.now();
    const problem = paperProblem({ sample: { z: r.sample.z, nz: r.sample.nz }, linearOptions: await linearOptions(DEFAULT_LINEAR_MODEL) });
    const posterior = new Posterior(problem.parameters, emulator, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
    const settings = { ...DEFAULT_MCMC, seed: r.seed, maxSteps: r.steps };
    let last = performance.now();
    const c = await sampleChain(posterior, settings, r.steps, async (ch, acceptance) => {
      const now = performance.now();
      if (now - last < 250) return;
      last = now;
      post({ kind: 'mcmc-progress', step: ch.steps, acceptance, frame: contourFrame(ch) });
    });
    c.config = { problem: 'paper', model: 'emulator (adapted in the browser)', sample: r.sample.name, ...c.config };
    chain = c;
    sampled = { parameters: problem.parameters, derived: STANDARD_DERIVED };
    const s = chainSamples(c, ['Omega_m', 'S8']);
    const accepted = c.state.accepted.reduce((a, b) => a + b, 0) / (c.steps * c.walkers);
    post({ kind: 'mcmc-done', Omega_m: summary(s.columns[0]), S8: summary(s.columns[1]), steps: c.steps, acceptance: accepted, seconds: (performance.now() - t0) / 1000, frame: contourFrame(c) as ContourFrame });
    return;
  }
  if (r.kind === 'survey') {
    // As `cosmeta mcmc --config` (src/cli/analysis.ts), for r.steps steps of the config's sampler.
    const t0 = performance.now();
    chain = null;
    const { config, problem, model } = await surveyAnalysis(r.bytes, r.name, r.config, r.threads);
    try {
      const settings = { ...analysisSamplerSettings(config, problem), seed: r.seed, maxSteps: r.steps };
      const posterior = new Posterior(problem.parameters, model, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
      let last = performance.now();
      const c = await sampleChain(posterior, settings, r.steps, async (ch, acceptance) => {
        const now = performance.now();
        if (now - last < 250) return;
        last = now;
        post({ kind: 'mcmc-progress', step: ch.steps, acceptance, frame: contourFrame(ch, problem.derived) });
      });
      c.config = { problem: r.name, config, model: 'theory', ...c.config };
      chain = c;
      sampled = { parameters: problem.parameters, derived: problem.derived };
      const s = chainSamples(c, ['Omega_m', 'S8'], undefined, problem.derived);
      const accepted = c.state.accepted.reduce((a, b) => a + b, 0) / (c.steps * c.walkers);
      post({ kind: 'mcmc-done', Omega_m: summary(s.columns[0]), S8: summary(s.columns[1]), steps: c.steps, acceptance: accepted, seconds: (performance.now() - t0) / 1000, frame: contourFrame(c, problem.derived) as ContourFrame });
    } finally {
      await model.close();
    }
    return;
  }
  if (r.kind === 'emulator-file') {
    const e = emulator;
    if (!e) throw new Error('adapt the emulator first');
    const bytes = await h5Bytes('emulator.h5', (f) => writeModelContent(f, { model: e.model, params: e.params, xScaler: e.xScaler, yScaler: e.yScaler, metadata: { kind: 'emulator', ...e.info } }, COSMETA_VERSION));
    post({ kind: 'files', files: [{ name: 'emulator.h5', bytes, type: 'application/x-hdf5' }] }, [bytes.buffer]);
    return;
  }
  if (r.kind === 'chain-h5') {
    if (!chain) throw new Error('run the sampler first');
    const c = chain;
    // The file `cosmeta mcmc` writes (readable by readChain and h5py), with the sampled problem's derived parameters.
    const bytes = await h5Bytes('chain.h5', (f) => writeChainContent(f, c, COSMETA_VERSION, sampled?.derived));
    post({ kind: 'files', files: [{ name: 'chain.h5', bytes, type: 'application/x-hdf5' }] }, [bytes.buffer]);
    return;
  }
  if (r.kind === 'chain-file') {
    if (!chain || !sampled) throw new Error('run the sampler first');
    const c = chain;
    const { parameters, derived } = sampled;
    const names = [...c.names, ...derived.filter((d) => !c.names.includes(d.name)).map((d) => d.name)];
    const burn = Math.min(c.burnIn, Math.floor(c.steps / 2));
    const s = chainSamples(c, names, burn, derived);
    const lp = c.logProb.subarray(burn * c.walkers, c.steps * c.walkers);
    const spec = (n: string) => parameters.find((p) => p.name === n);
    const g = formatGetDist(
      names.map((name, i) => {
        const p = spec(name);
        return { name, latex: latexLabel(name), derived: i >= c.names.length, values: s.columns[i], range: p?.prior.kind === 'flat' ? ([p.prior.min, p.prior.max] as [number, number]) : undefined };
      }),
      Float64Array.from(lp, (v) => -v),
    );
    const files = (['txt', 'paramnames', 'ranges'] as const).map((ext) => ({ name: `chain.${ext}`, bytes: new TextEncoder().encode(g[ext]), type: 'text/plain' }));
    post({ kind: 'files', files }, files.map((f) => f.bytes.buffer));
  }
}

/** An HDF5 file written by `fill` in h5wasm's in-memory file system, as bytes (h5wasm is loaded on first use: it is large). */
async function h5Bytes(name: string, fill: (f: InstanceType<typeof import('h5wasm').File>) => void): Promise<Uint8Array> {
  const { h5, module } = await loadH5Wasm();
  const f = new h5.File(name, 'w');
  try {
    fill(f);
  } finally {
    f.close();
  }
  const fs = module.FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
  const bytes = fs.readFile(name);
  fs.unlink(name);
  return bytes;
}

let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<EngineRequest>) => {
  queue = queue.then(() => handle(e.data)).catch((err: unknown) => post({ kind: 'error', message: (err as Error).message }));
};
