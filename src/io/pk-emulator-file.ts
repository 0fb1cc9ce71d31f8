/**
 * Reading the `boltzmann_emulated` emulator (JSON, `PkEmulatorJSON`) and resolving linear-model names in
 * Node: `loadLinearModel(name)` is `linearModel(name)` with the shipped emulator supplied when the name
 * needs it (read once per thread). Files trained on a stand-in solver are refused as the shipped model.
 *
 * A file is checked whole before it is used: every field's type, every number finite, the domain's
 * boxes ordered, every array's length against the sizes it must match (grid points, components, GP
 * training points, layer widths), so a damaged or hand-edited file is refused with one line naming the
 * field and its value, and never allocates a claimed size or yields a non-finite P(k).
 */

import { z } from 'zod';
import { MAX_LN_RATIO, PkEmulator, PK_EMULATOR_FORMAT, type PkEmulatorJSON } from '../cosmology/boltzmann/emulator.js';
import { linearModel, type LinearModelOptions } from '../cosmology/transfer/index.js';
import type { LinearShape } from '../cosmology/transfer/model.js';
import { CosmetaError } from '../errors.js';
import { DEFAULT_PK_EMULATOR } from '../paths.js';
import { readInputText } from './read-file.js';

const finite = z.number().finite();
const positive = finite.positive();
const count = z.number().int().positive();
const box = z.tuple([finite, finite]).refine(([lo, hi]) => lo < hi, 'must be [low, high] with low < high');
const component = z.object({
  kernel: z.enum(['rbf', 'matern52']),
  lengthScales: z.array(positive).length(3),
  amplitude: positive,
  noise: finite.nonnegative(),
  meanDegree: z.union([z.literal(0), z.literal(1), z.literal(2), z.null()]),
  beta: z.array(finite),
  alpha: z.array(finite),
});
const schema = z.object({
  format: z.literal(PK_EMULATOR_FORMAT),
  version: z.literal(1),
  solver: z.string(),
  solverSettings: z.record(z.unknown()),
  fixed: z.object({ T_CMB: positive, Neff: finite.nonnegative() }),
  domain: z.object({
    omega_m: box,
    f_b: box,
    h: box,
    Omega_m: box,
    Omega_b: box,
    boxes: z.array(z.object({ name: z.string(), Omega_c: box.optional(), Omega_m: box.optional(), Omega_b: box, h: box }).refine((b) => (b.Omega_c === undefined) !== (b.Omega_m === undefined), 'a box bounds exactly one of Omega_c and Omega_m')).optional(),
  }),
  epsilon: finite.nonnegative().optional(),
  grid: z.object({ xMin: finite, xMax: finite, nk: count.min(2) }).refine((g) => g.xMin < g.xMax, 'xMin must be below xMax'),
  mean: z.array(finite),
  basis: z.array(z.array(finite)).min(1),
  method: z.enum(['gp', 'mlp']),
  gp: z.object({ X: z.array(finite), n: count, center: z.array(finite).length(3), scale: z.array(positive).length(3), components: z.array(component) }).optional(),
  mlp: z
    .object({
      sizes: z.array(count).min(2),
      layers: z.array(z.object({ W: z.array(finite), b: z.array(finite) })),
      outScale: z.array(finite),
      outShift: z.array(finite),
    })
    .optional(),
  training: z.record(z.unknown()),
  validation: z.record(z.unknown()).optional(),
});

/** Terms of the GP's polynomial mean of each degree in 3 inputs (polyBasis in the emulator). */
const BASIS_TERMS = { null: 0, 0: 1, 1: 4, 2: 10 } as const;

/** The value at `path` in `obj`, shortened for a message. */
function valueAt(obj: unknown, path: ReadonlyArray<string | number>): string {
  let v: unknown = obj;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  const text = v === undefined ? 'missing' : Array.isArray(v) ? `an array of ${v.length}` : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Check a parsed emulator file (see the module comment); returns it typed, or throws a CosmetaError
 * "SOURCE: FIELD: what is wrong (got VALUE)".
 */
export function checkPkEmulatorJson(json: unknown, source: string): PkEmulatorJSON {
  const r = schema.safeParse(json);
  const fail = (where: string, what: string, got: string): never => {
    throw new CosmetaError(`${source}: ${where}: ${what} (got ${got})`);
  };
  if (!r.success) {
    const issue = r.error.issues[0];
    fail(issue.path.length ? issue.path.join('.') : '(top level)', issue.message, valueAt(json, issue.path));
  }
  const j = json as PkEmulatorJSON;
  const { nk } = j.grid;
  const nc = j.basis.length;
  if (j.mean.length !== nk) fail('mean', `must hold grid.nk = ${nk} values`, `${j.mean.length}`);
  j.basis.forEach((row, c) => row.length !== nk && fail(`basis.${c}`, `must hold grid.nk = ${nk} values`, `${row.length}`));
  if (j.method === 'gp') {
    const g = j.gp;
    if (!g) return fail('gp', 'method gp needs the GP', 'missing');
    if (g.X.length !== 3 * g.n) fail('gp.X', `must hold 3 x gp.n = ${3 * g.n} inputs`, `${g.X.length}`);
    if (g.components.length !== nc) fail('gp.components', `must hold one GP per basis component (${nc})`, `${g.components.length}`);
    g.components.forEach((c, i) => {
      if (c.alpha.length !== g.n) fail(`gp.components.${i}.alpha`, `must hold gp.n = ${g.n} values`, `${c.alpha.length}`);
      const terms = BASIS_TERMS[String(c.meanDegree) as keyof typeof BASIS_TERMS];
      if (c.beta.length !== terms) fail(`gp.components.${i}.beta`, `a degree-${c.meanDegree} mean has ${terms} coefficients`, `${c.beta.length}`);
    });
  } else {
    const m = j.mlp;
    if (!m) return fail('mlp', 'method mlp needs the network', 'missing');
    const s = m.sizes;
    if (s[0] !== 3) fail('mlp.sizes.0', 'the network takes 3 inputs', `${s[0]}`);
    if (s[s.length - 1] !== nc) fail(`mlp.sizes.${s.length - 1}`, `the network needs one output per basis component (${nc})`, `${s[s.length - 1]}`);
    if (m.layers.length !== s.length - 1) fail('mlp.layers', `must hold ${s.length - 1} layers (mlp.sizes)`, `${m.layers.length}`);
    m.layers.forEach((l, i) => {
      if (l.W.length !== s[i] * s[i + 1]) fail(`mlp.layers.${i}.W`, `must hold ${s[i + 1]} x ${s[i]} weights`, `${l.W.length}`);
      if (l.b.length !== s[i + 1]) fail(`mlp.layers.${i}.b`, `must hold ${s[i + 1]} biases`, `${l.b.length}`);
    });
    if (m.outScale.length !== nc) fail('mlp.outScale', `must hold ${nc} values`, `${m.outScale.length}`);
    if (m.outShift.length !== nc) fail('mlp.outShift', `must hold ${nc} values`, `${m.outShift.length}`);
  }
  return j;
}

/**
 * The emulator's ln(P / P_ref) at the centre and the 8 corners of its unit cube must be finite and within
 * MAX_LN_RATIO: finite but extreme weights (1e12, 1e308) pass the schema and would overflow exp(y); such a
 * file is refused here (and, at other inputs, by the emulator's prepare), never giving an infinite P(k).
 */
function checkPredictions(e: PkEmulator, source: string): void {
  const points = [[0.5, 0.5, 0.5], ...Array.from({ length: 8 }, (_, i) => [i & 1, (i >> 1) & 1, (i >> 2) & 1])];
  for (const u of points) {
    const y = e.lnRatio(u);
    const bad = y.findIndex((v) => !(Math.abs(v) <= MAX_LN_RATIO));
    if (bad >= 0) throw new CosmetaError(`${source}: predicts ln(P / P_ref) = ${y[bad]} at grid point ${bad} for unit-cube inputs (${u.join(', ')}), beyond +/-${MAX_LN_RATIO}; the file is damaged`);
  }
}

/** Read an emulator file; `allowStandIn` accepts files trained on a stand-in solver (tests only). */
export function readPkEmulator(path: string, options: { allowStandIn?: boolean } = {}): PkEmulator {
  const text = readInputText(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CosmetaError(`${path}: not a P(k) emulator file (invalid JSON: ${(err as Error).message.split('\n')[0]})`);
  }
  const json = checkPkEmulatorJson(parsed, path);
  if (json.solver !== 'boltzmann' && !options.allowStandIn) {
    throw new CosmetaError(`${path} was trained on "${json.solver}", not on the Boltzmann solver; it cannot serve as boltzmann_emulated`);
  }
  const emulator = new PkEmulator(json);
  checkPredictions(emulator, path);
  return emulator;
}

let shipped: PkEmulator | null = null;

/** The emulator shipped in models/pk-emulator.json (read on first use). */
export function shippedPkEmulator(): PkEmulator {
  if (!shipped) shipped = readPkEmulator(DEFAULT_PK_EMULATOR);
  return shipped;
}

/** The options that let `linearModel(name, ...)` resolve `name` in Node: the shipped emulator when it needs one. */
export function nodeLinearOptions(name: string): LinearModelOptions {
  return name === 'boltzmann_emulated' ? { pkEmulator: shippedPkEmulator() } : {};
}

/** `linearModel(name, options)` with the shipped emulator when `name` is boltzmann_emulated. */
export function loadLinearModel(name: string, options: LinearModelOptions = {}): LinearShape {
  if (name === 'boltzmann_emulated' && !options.pkEmulator) return linearModel(name, { ...options, pkEmulator: shippedPkEmulator() });
  return linearModel(name, options);
}
