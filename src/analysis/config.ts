/**
 * The analysis config: a YAML file naming the data, statistics, scale cuts, theory options, parameters
 * with priors, sampler and output, validated with a zod schema. Every error names the key path
 * (e.g. `parameters.Omega_m.prior`) and what is valid. Parsing reads text; the CLI reads the file.
 *
 *   data:        file (SACC HDF5/FITS or 2pt-FITS) or synthetic: paper; statistics; tracers; scale_cuts
 *   theory:      linear, nonlinear, intrinsic_alignments (nla | none), z_pivot, photo_z_shift
 *                (additive | paper), hankel (ell_max, ell_per_decade, bin_average, method: flat | fullsky)
 *   parameters:  name: {prior: {flat: [min, max]} | {gaussian: [mean, sigma]}, start, spread, latex}
 *                or name: {value: x} (fixed)
 *   sampler:     walkers, tau_factor, max_steps, seed, chunk, burn_in, tau_tolerance, moves ({stretch, de}
 *                weights; default the stretch move only)
 *   output:      chain, getdist (paths; the command line's --out and --getdist take precedence)
 */

import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_LINEAR_MODEL } from '../cosmology/transfer/index.js';
import { CosmetaError } from '../errors.js';

export const STATISTICS = ['xi_plus', 'xi_minus', 'cl_ee'] as const;
export type Statistic = (typeof STATISTICS)[number];

const finite = z.number().finite();
const range = z.tuple([finite, finite]);

const priorConfig = z.union([
  z.object({ flat: range.refine((r) => r[1] > r[0], 'a flat prior needs [min, max] with max > min') }).strict(),
  z.object({ gaussian: z.tuple([finite, finite.positive('the Gaussian width must be > 0')]) }).strict(),
]);

const parameterConfig = z
  .object({
    prior: priorConfig.optional(),
    value: finite.optional(),
    start: finite.optional(),
    spread: finite.positive().optional(),
    latex: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.prior === undefined && p.value === undefined) ctx.addIssue({ code: 'custom', message: 'needs a prior (sampled) or a value (fixed)' });
    if (p.prior !== undefined && p.value !== undefined) ctx.addIssue({ code: 'custom', message: 'give a prior or a value, not both' });
  });

export const configSchema = z
  .object({
    data: z
      .object({
        file: z.string().min(1).optional(),
        synthetic: z.enum(['paper']).optional(),
        statistics: z.array(z.enum(STATISTICS)).min(1),
        tracers: z.array(z.string().min(1)).min(1).optional(),
        scale_cuts: z.record(z.enum(STATISTICS), z.record(z.string(), range)).optional(),
      })
      .strict()
      .superRefine((d, ctx) => {
        if ((d.file === undefined) === (d.synthetic === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of file or synthetic' });
      }),
    theory: z
      .object({
        linear: z.string().default(DEFAULT_LINEAR_MODEL),
        nonlinear: z.boolean().default(true),
        intrinsic_alignments: z.enum(['nla', 'none']).default('none'),
        z_pivot: finite.nonnegative().default(0.62),
        photo_z_shift: z.enum(['additive', 'paper']).default('additive'),
        hankel: z
          .object({
            ell_max: finite.positive().default(1e5),
            ell_per_decade: finite.positive().default(20),
            bin_average: z.boolean().default(false),
            method: z.enum(['flat', 'fullsky']).default('flat'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    parameters: z.record(z.string(), parameterConfig),
    sampler: z
      .object({
        walkers: z.number().int().min(2).default(64),
        tau_factor: finite.positive().default(50),
        max_steps: z.number().int().min(1).default(100_000),
        seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
        chunk: z.number().int().min(1).default(1000),
        burn_in: z.number().int().min(0).optional(),
        tau_tolerance: finite.positive().default(0.05),
        moves: z
          .object({ stretch: finite.nonnegative().optional(), de: finite.nonnegative().optional() })
          .strict()
          .refine((m) => (m.stretch ?? 0) + (m.de ?? 0) > 0, 'give at least one move a weight > 0, e.g. {de: 0.8, stretch: 0.2}')
          .optional(),
      })
      .strict()
      .default({}),
    output: z.object({ chain: z.string().optional(), getdist: z.string().optional() }).strict().default({}),
  })
  .strict();

export type AnalysisConfig = z.infer<typeof configSchema>;
export type ParameterConfig = z.infer<typeof parameterConfig>;

/** `a.b.c` from a zod issue path ("(top level)" for the root). */
function keyPath(path: ReadonlyArray<string | number>): string {
  return path.length === 0 ? '(top level)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/** Validate a parsed config object; throws a CosmetaError naming the first offending key. */
export function validateConfig(raw: unknown, source = 'config'): AnalysisConfig {
  const r = configSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${keyPath(issue.path)}.` : '';
    throw new CosmetaError(`${source}: unknown key ${issue.keys.map((k) => `"${where}${k}"`).join(', ')}`);
  }
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'prior') {
    throw new CosmetaError(`${source}: ${keyPath(issue.path)} must be {flat: [min, max]} with max > min or {gaussian: [mean, sigma]} with sigma > 0`);
  }
  throw new CosmetaError(`${source}: ${keyPath(issue.path)}: ${issue.message}`);
}

/** Parse YAML text and validate it. */
export function parseConfig(text: string, source = 'config'): AnalysisConfig {
  let raw: unknown;
  try {
    // logLevel 'silent': the library's warnings (an unresolved tag, say) would go to stderr; a config
    // that draws any warning or error is refused instead, in one line.
    const doc = parseDocument(text, { logLevel: 'silent', prettyErrors: false });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    raw = doc.toJS();
  } catch (err) {
    throw new CosmetaError(`${source}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object') throw new CosmetaError(`${source}: expected a mapping with keys data, theory, parameters, sampler`);
  return validateConfig(raw, source);
}
