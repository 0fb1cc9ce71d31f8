/** `cosmeta sacc info | convert`: what a SACC or 2pt-FITS file holds, and conversion between the formats. */

import { Command, Option } from 'commander';
import { CosmetaError } from '../errors.js';
import type { TwoPointData } from '../io/sacc-types.js';
import { withOutputLock } from '../io/lock.js';
import { readTwoPointFileWithFormat, writeSacc, type TwoPointFormat } from '../io/two-point-file.js';
import { writeTwoPointFits } from '../io/twopoint-fits.js';

/** Mean redshift of a tabulated n(z) (trapezoidal rule on its own grid); NaN for an empty n(z). */
function meanZ(z: Float64Array, nz: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 1; i < z.length; i++) {
    const h = z[i] - z[i - 1];
    num += (h * (z[i] * nz[i] + z[i - 1] * nz[i - 1])) / 2;
    den += (h * (nz[i] + nz[i - 1])) / 2;
  }
  return num / den;
}

export function saccSummary(file: string, format: TwoPointFormat, d: TwoPointData) {
  const types = new Map<string, { points: number; pairs: Set<string> }>();
  for (const p of d.points) {
    const t = types.get(p.dataType) ?? { points: 0, pairs: new Set<string>() };
    t.points++;
    t.pairs.add(p.tracers.join(','));
    types.set(p.dataType, t);
  }
  const n = Math.round(Math.sqrt(d.covariance.length));
  return {
    file,
    format,
    tracers: d.tracers.map((t) => ({ name: t.name, quantity: t.quantity, nzPoints: t.z.length, zMin: t.z[0], zMax: t.z[t.z.length - 1], meanZ: meanZ(t.z, t.nz) })),
    dataTypes: [...types].map(([name, t]) => ({ name, points: t.points, tracerPairs: t.pairs.size })),
    points: d.points.length,
    covariance: [n, n],
    windows: d.windows.length,
    metadata: d.metadata,
  };
}

async function runInfo(file: string, o: { json?: boolean }): Promise<void> {
  const { data, format } = await readTwoPointFileWithFormat(file);
  const s = saccSummary(file, format, data);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const lines = [`${file}: ${format}, ${s.points} data points, covariance ${s.covariance[0]} x ${s.covariance[1]}, ${s.windows} bandpower windows`, 'tracers:'];
  for (const t of s.tracers) lines.push(`  ${t.name.padEnd(10)} ${(t.quantity || '-').padEnd(16)} n(z) at ${t.nzPoints} z in [${t.zMin}, ${t.zMax}], mean z ${t.meanZ.toFixed(3)}`);
  lines.push('data types:');
  for (const t of s.dataTypes) lines.push(`  ${t.name.padEnd(28)} ${String(t.points).padStart(5)} points, ${t.tracerPairs} tracer pairs`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

type OutFormat = 'hdf5' | 'fits' | '2pt-fits';

function outFormat(out: string, flag: string | undefined): OutFormat {
  if (flag !== undefined) return flag as OutFormat;
  if (/\.(hdf5|h5)$/i.test(out)) return 'hdf5';
  if (/\.fits(\.gz)?$/i.test(out)) return 'fits';
  throw new CosmetaError(`cannot tell the format of ${out} from its name: give --format hdf5, fits or 2pt-fits`);
}

async function runConvert(input: string, output: string, o: { format?: string }): Promise<void> {
  const format = outFormat(output, o.format);
  const { data } = await readTwoPointFileWithFormat(input);
  await withOutputLock(output, async () => {
    if (format === '2pt-fits') writeTwoPointFits(data, output);
    else await writeSacc(data, output, format);
  });
  process.stdout.write(`${output}: ${data.points.length} points, ${data.tracers.length} tracers (${format})\n`);
}

export function registerSacc(cli: Command): void {
  const sacc = cli.command('sacc').description('SACC (HDF5, FITS) and 2pt-FITS two-point data files');
  sacc
    .command('info')
    .description('tracers, data types and counts, covariance size of a SACC or 2pt-FITS file (format found from content)')
    .argument('<file>', 'SACC HDF5, SACC FITS or 2pt-FITS file (optionally gzip-compressed)')
    .option('--json', 'print JSON')
    .action((file: string, o) => runInfo(file, o));
  sacc
    .command('convert')
    .description('read any supported two-point file and write it as SACC HDF5, SACC FITS or 2pt-FITS (atomically)')
    .argument('<in>', 'input file (format found from content)')
    .argument('<out>', 'output file')
    .addOption(new Option('--format <format>', 'output format (default: from the extension: .hdf5/.h5, .fits/.fits.gz)').choices(['hdf5', 'fits', '2pt-fits']))
    .action((input: string, output: string, o) => runConvert(input, output, o));
}
