/**
 * The page: choose a sample, adapt the shipped meta-emulator to it with spectra computed in Web Workers,
 * sample the posterior with live S8-Omega_m contours, or sample a survey's posterior from an uploaded SACC /
 * 2pt-FITS file and a config with the full theory engine; download the results. A thin shell: the theory
 * engine, adaptation and sampler are the library's (src/browser.ts), run in workers.
 */

import { contours } from 'd3-contour';
import { latinHypercube, multiPeakFamily, paperFamily, paperPriorRanges, parseRedshiftDistributions, Random, targetSample } from '../src/browser.js';
import type { ContourFrame, EngineReply, EngineRequest, Sample, TheoryJob, TheoryReply } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const errorBox = $<HTMLParagraphElement>('error');
const META_SOURCE = 'models/meta-default.h5';

const isolated = globalThis.crossOriginIsolated === true;
const cores = Math.max(1, navigator.hardwareConcurrency || 1);
const requested = Number(new URLSearchParams(location.search).get('threads'));
const kernelThreads = isolated ? (Number.isInteger(requested) && requested > 0 ? requested : cores) : 1;
$('threads').textContent = isolated
  ? `WebAssembly threads active: cross-origin isolated, ${kernelThreads} kernel thread(s), ${cores} theory worker(s).`
  : `One WebAssembly thread: the page is not cross-origin isolated (serve it with COOP/COEP headers for threads); ${cores} theory worker(s).`;

let sample: Sample | null = null;
/** The uploaded two-point file. */
let survey: { name: string; bytes: Uint8Array } | null = null;
let info: { nBins: number; parameterNames: string[]; ell: number[] } | null = null;
let busy = false;

const engine = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' });
let pending: { resolve: (m: EngineReply) => void; reject: (e: Error) => void; onProgress?: (m: EngineReply) => void } | null = null;
engine.onmessage = (e: MessageEvent<EngineReply>) => {
  const m = e.data;
  if (m.kind === 'mcmc-progress') return pending?.onProgress?.(m);
  const p = pending;
  pending = null;
  if (m.kind === 'error') p?.reject(new Error(m.message));
  else p?.resolve(m);
};
function ask(r: EngineRequest, onProgress?: (m: EngineReply) => void, transfer: Transferable[] = []): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    pending = { resolve, reject, onProgress };
    engine.postMessage(r, transfer);
  });
}

function showError(message: string): void {
  errorBox.textContent = message;
}

function enable(): void {
  const ready = info !== null && sample !== null && !busy;
  $<HTMLButtonElement>('adapt-button').disabled = !ready;
  $<HTMLButtonElement>('survey-button').disabled = !(info !== null && survey !== null && !busy);
}

// ---- the sample ----
function builtIn(name: string): Sample {
  if (name === 'target') return { name: 'the paper target sample', ...targetSample() };
  const family = name === 'multipeak' ? multiPeakFamily() : paperFamily();
  const s = family.sample(0, new Random(1));
  return { name: `${family.name} family, task 0 (seed 1)`, z: s.z, nz: s.nz };
}

function setSample(s: Sample): void {
  if (info && s.nz.length !== info.nBins) {
    throw new Error(`${s.name} has ${s.nz.length} tomographic bins but the meta-emulator ${META_SOURCE} was trained for ${info.nBins}`);
  }
  sample = s;
  $('sample-name').textContent = `Sample: ${s.name} (${s.nz.length} bins, ${s.z.length} redshifts)`;
  plotNz(s);
  enable();
}

const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

function plotNz(s: Sample): void {
  const svg = $('nz-plot') as unknown as SVGSVGElement;
  const W = 520;
  const H = 260;
  const m = { l: 40, r: 10, t: 10, b: 30 };
  const zMax = s.z[s.z.length - 1];
  const yMax = Math.max(...s.nz.map((b) => Math.max(...b)));
  const X = (z: number) => m.l + ((z - s.z[0]) / (zMax - s.z[0])) * (W - m.l - m.r);
  const Y = (v: number) => H - m.b - (v / yMax) * (H - m.t - m.b);
  const lines = s.nz.map((b, i) => `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${Array.from(b, (v, j) => `${X(s.z[j]).toFixed(1)},${Y(v).toFixed(1)}`).join(' ')}"/>`);
  svg.innerHTML = `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#444"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#444"/>
    <text x="${W / 2}" y="${H - 5}" text-anchor="middle" font-size="12">z (0 to ${zMax.toFixed(2)})</text><text x="12" y="${H / 2}" font-size="12" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">n(z)</text>${lines.join('')}`;
}

$<HTMLSelectElement>('sample-select').addEventListener('change', (e) => {
  showError('');
  try {
    setSample(builtIn((e.target as HTMLSelectElement).value));
  } catch (err) {
    showError((err as Error).message);
  }
});

$<HTMLInputElement>('nz-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  showError('');
  try {
    const d = parseRedshiftDistributions(new Uint8Array(await file.arrayBuffer()), file.name);
    setSample({ name: file.name, z: d.z, nz: d.nz });
  } catch (err) {
    sample = null;
    enable();
    showError((err as Error).message);
  }
});

// ---- adaptation ----
function integerInput(id: string, flag: string, min: number): number {
  const text = $<HTMLInputElement>(id).value;
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) throw new Error(`${flag} ${text} is not an integer >= ${min}`);
  return v;
}

const eta = (done: number, total: number, t0: number) => {
  const s = (performance.now() - t0) / 1000;
  return done > 0 && done < total ? `${done}/${total}, about ${((s / done) * (total - done)).toFixed(0)} s left` : `${done}/${total}`;
};

/** Spectra of the design rows, split evenly over Web Workers as TheoryModel splits them over threads. */
async function spectra(x: Float64Array, n: number, s: Sample, names: string[], ell: Float64Array, onDone: (k: number) => void): Promise<Float64Array> {
  const P = names.length;
  const parts = Math.min(cores, n);
  const jobs = Array.from({ length: parts }, (_, k) => {
    const a = Math.floor((k * n) / parts);
    const b = Math.floor(((k + 1) * n) / parts);
    return new Promise<Float64Array>((resolve, reject) => {
      const w = new Worker(new URL('./theory-worker.js', import.meta.url), { type: 'module' });
      w.onmessage = (e: MessageEvent<TheoryReply>) => {
        const m = e.data;
        if (m.kind === 'progress') onDone(m.done);
        else {
          w.terminate();
          if (m.kind === 'done') resolve(m.spectra);
          else reject(new Error(m.message));
        }
      };
      w.onerror = (e) => reject(new Error(`theory worker: ${e.message}`));
      const job: TheoryJob = { z: s.z, nz: s.nz, ell, names, rows: x.slice(a * P, b * P), first: a };
      w.postMessage(job);
    });
  });
  const results = await Promise.all(jobs);
  const out = new Float64Array(results.reduce((t, p) => t + p.length, 0));
  let at = 0;
  for (const p of results) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

$<HTMLButtonElement>('adapt-button').addEventListener('click', async () => {
  if (!info || !sample || busy) return;
  showError('');
  const t0 = performance.now();
  let n: number;
  let seed: number;
  try {
    n = integerInput('samples-input', '--samples', 5);
    seed = integerInput('seed-input', '--seed', 0);
  } catch (err) {
    return showError((err as Error).message);
  }
  busy = true;
  enable();
  $<HTMLButtonElement>('mcmc-button').disabled = true;
  // A new emulator: the last chain's downloads no longer describe it.
  for (const id of ['emulator-download', 'chain-download', 'chain-h5-download']) $<HTMLButtonElement>(id).disabled = true;
  $('adapt-result').textContent = '';
  const bar = $<HTMLProgressElement>('adapt-progress');
  bar.max = n + 1;
  bar.value = 0;
  try {
    const names = info.parameterNames;
    // As `cosmeta adapt`: a Latin hypercube over the paper's inference prior from the seed.
    const x = latinHypercube(names, paperPriorRanges(names, info.nBins), n, new Random(seed));
    let done = 0;
    const y = await spectra(x, n, sample, names, Float64Array.from(info.ell), (k) => {
      done += k;
      bar.value = done;
      $('adapt-eta').textContent = `spectra ${eta(done, n, t0)}`;
    });
    $('adapt-eta').textContent = `spectra ${n}/${n}; fine-tuning...`;
    const r = await ask({ kind: 'adapt', sample, x, y, n, seed });
    if (r.kind !== 'adapted') throw new Error('unexpected reply');
    bar.value = n + 1;
    $('adapt-eta').textContent = 'done';
    $('adapt-result').textContent = JSON.stringify({ mape: r.mape, f5: r.f5, seconds: (performance.now() - t0) / 1000 });
    (window as unknown as { cosmetaEmulatorParams: Float32Array }).cosmetaEmulatorParams = r.params;
    $<HTMLButtonElement>('emulator-download').disabled = false;
    $<HTMLButtonElement>('mcmc-button').disabled = false;
  } catch (err) {
    showError((err as Error).message);
  } finally {
    busy = false;
    enable();
  }
});

// ---- sampling ----
/** Density levels enclosing 68% and 95% of the grid's mass. */
function levels(d: Float64Array): number[] {
  const sorted = Float64Array.from(d).sort().reverse();
  const total = sorted.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (const q of [0.95, 0.68]) {
    let acc = 0;
    let i = 0;
    while (i < sorted.length && acc < q * total) acc += sorted[i++];
    out.push(sorted[Math.max(0, i - 1)]);
  }
  return out;
}

function drawContours(f: ContourFrame, id = 'contours'): void {
  const svg = $(id) as unknown as SVGSVGElement;
  const W = 420;
  const H = 380;
  const m = { l: 55, r: 10, t: 10, b: 40 };
  const sx = (W - m.l - m.r) / f.bins;
  const sy = (H - m.t - m.b) / f.bins;
  const polys = contours().size([f.bins, f.bins]).thresholds(levels(f.density))(Array.from(f.density));
  const path = polys
    .map((p, i) => {
      const d = p.coordinates.map((poly) => poly.map((ring) => `M${ring.map(([x, y]) => `${(m.l + x * sx).toFixed(1)},${(H - m.b - y * sy).toFixed(1)}`).join('L')}Z`).join('')).join('');
      return `<path d="${d}" fill="${i === 0 ? '#9ecae1' : '#3182bd'}" fill-opacity="0.8" stroke="#08519c"/>`;
    })
    .join('');
  const tick = (v: number) => v.toFixed(3);
  svg.innerHTML = `${path}<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>
    <text x="${m.l}" y="${H - 22}" font-size="11">${tick(f.lo[0])}</text><text x="${W - m.r}" y="${H - 22}" font-size="11" text-anchor="end">${tick(f.hi[0])}</text>
    <text x="${(m.l + W - m.r) / 2}" y="${H - 6}" font-size="13" text-anchor="middle">Omega_m</text>
    <text x="${m.l - 4}" y="${H - m.b}" font-size="11" text-anchor="end">${tick(f.lo[1])}</text><text x="${m.l - 4}" y="${m.t + 10}" font-size="11" text-anchor="end">${tick(f.hi[1])}</text>
    <text x="14" y="${H / 2}" font-size="13" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">S8</text>`;
}

/**
 * Run the engine's sampler from one of the page's sections (`mcmc`: the paper's problem with the adapted
 * emulator; `survey`: an uploaded file with the full theory), with its steps input, progress bar, ETA,
 * result and contours; the chain downloads are enabled on success.
 */
async function runSampler(section: 'mcmc' | 'survey', minSteps: number, request: (steps: number, seed: number) => { r: EngineRequest; transfer?: Transferable[] }): Promise<void> {
  showError('');
  let steps: number;
  let seed: number;
  try {
    steps = integerInput(`${section}-steps-input`, '--max-steps', minSteps);
    seed = integerInput('seed-input', '--seed', 0);
  } catch (err) {
    return showError((err as Error).message);
  }
  const svg = section === 'mcmc' ? 'contours' : 'survey-contours';
  const button = $<HTMLButtonElement>(`${section}-button`);
  busy = true;
  enable();
  button.disabled = true;
  $(`${section}-result`).textContent = '';
  const bar = $<HTMLProgressElement>(`${section}-progress`);
  bar.max = steps;
  bar.value = 0;
  const t0 = performance.now();
  try {
    const { r: req, transfer } = request(steps, seed);
    const r = await ask(
      req,
      (m) => {
        if (m.kind !== 'mcmc-progress') return;
        bar.value = m.step;
        $(`${section}-eta`).textContent = `steps ${eta(m.step, steps, t0)}, acceptance ${m.acceptance.toFixed(3)}`;
        if (m.frame) drawContours(m.frame, svg);
      },
      transfer,
    );
    if (r.kind !== 'mcmc-done') throw new Error('unexpected reply');
    bar.value = steps;
    drawContours(r.frame, svg);
    $(`${section}-eta`).textContent = `${r.steps} steps in ${r.seconds.toFixed(1)} s (${(r.steps / r.seconds).toFixed(0)} steps/s), acceptance ${r.acceptance.toFixed(3)}`;
    $(`${section}-result`).textContent = JSON.stringify({ S8: r.S8, Omega_m: r.Omega_m, steps: r.steps, seconds: r.seconds });
    $<HTMLButtonElement>('chain-download').disabled = false;
    $<HTMLButtonElement>('chain-h5-download').disabled = false;
  } catch (err) {
    showError((err as Error).message);
  } finally {
    busy = false;
    enable();
    if (section === 'mcmc') button.disabled = false;
  }
}

$<HTMLButtonElement>('mcmc-button').addEventListener('click', () => {
  const s = sample;
  if (!s || busy) return;
  void runSampler('mcmc', 10, (steps, seed) => ({ r: { kind: 'mcmc', sample: s, steps, seed } }));
});

// ---- a survey's data ----
$<HTMLInputElement>('survey-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  showError('');
  survey = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
  $('survey-name').textContent = `File: ${file.name} (${survey.bytes.length} bytes)`;
  enable();
});

$<HTMLButtonElement>('survey-button').addEventListener('click', () => {
  const u = survey;
  if (!u || busy) return;
  // A copy goes to the engine, so the upload can be analysed again with another config.
  void runSampler('survey', 2, (steps, seed) => {
    const bytes = u.bytes.slice();
    return { r: { kind: 'survey', name: u.name, bytes, config: $<HTMLTextAreaElement>('survey-config').value, steps, seed, threads: cores }, transfer: [bytes.buffer] };
  });
});

// ---- downloads ----
async function download(kind: 'emulator-file' | 'chain-file' | 'chain-h5'): Promise<void> {
  try {
    const r = await ask({ kind });
    if (r.kind !== 'files') throw new Error('unexpected reply');
    for (const f of r.files) {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([f.bytes as BlobPart], { type: f.type }));
      a.download = f.name;
      document.body.append(a);
      a.click();
      a.remove();
    }
  } catch (err) {
    showError((err as Error).message);
  }
}
$<HTMLButtonElement>('emulator-download').addEventListener('click', () => void download('emulator-file'));
$<HTMLButtonElement>('chain-download').addEventListener('click', () => void download('chain-file'));
$<HTMLButtonElement>('chain-h5-download').addEventListener('click', () => void download('chain-h5'));

// ---- start ----
// The survey section's default config: DES Y1 cosmic shear, as shipped in configs/.
fetch(new URL('./des-y1.yaml', location.href))
  .then(async (res) => {
    if (res.ok) $<HTMLTextAreaElement>('survey-config').value = await res.text();
  })
  .catch(() => undefined);

ask({ kind: 'init', metaUrl: new URL('./meta-default.json', location.href).href, threads: kernelThreads })
  .then((r) => {
    if (r.kind !== 'ready') throw new Error('unexpected reply');
    info = r;
    $('threads').textContent += ` Backend: ${r.backend}.`;
    setSample(builtIn('target'));
    document.body.dataset.ready = 'true';
  })
  .catch((err: unknown) => showError((err as Error).message));
