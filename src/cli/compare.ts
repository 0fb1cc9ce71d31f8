/** `cosmeta compare`: posterior distances and shifts of chains relative to a reference chain, and figures. */

import { basename } from 'node:path';
import { CosmetaError } from '../errors.js';
import { readChain } from '../inference/chain-file.js';
import { chainSamples, compareSamples, defaultBurnIn, summary, type Samples } from '../inference/compare.js';
import { cornerSpec, writeFigure } from '../report/figures.js';

export interface CompareCliOptions {
  params: string;
  plot?: string;
  labels?: string;
  burnIn?: string;
  json?: boolean;
}

export async function runCompare(ref: string, others: string[], o: CompareCliOptions): Promise<void> {
  const params = o.params.split(',').map((s) => s.trim()).filter(Boolean);
  if (params.length === 0) throw new CosmetaError('--params needs at least one parameter name');
  const files = [ref, ...others];
  const labels = o.labels ? o.labels.split(',').map((s) => s.trim()) : files.map((f) => basename(f).replace(/\.h5$/, ''));
  if (labels.length !== files.length) throw new CosmetaError(`--labels gives ${labels.length} names for ${files.length} chains`);
  const burnFlag = o.burnIn === undefined ? undefined : Number(o.burnIn);
  if (burnFlag !== undefined && !Number.isInteger(burnFlag)) throw new CosmetaError(`--burn-in ${o.burnIn} is not an integer`);
  const sets: Array<{ file: string; label: string; samples: Samples; burnIn: number; steps: number; converged: boolean }> = [];
  for (let i = 0; i < files.length; i++) {
    const chain = await readChain(files[i]);
    const burnIn = burnFlag ?? defaultBurnIn(chain);
    sets.push({ file: files[i], label: labels[i], samples: chainSamples(chain, params, burnIn), burnIn, steps: chain.steps, converged: chain.converged });
  }
  const reference = sets[0];
  const result = {
    params,
    reference: {
      chain: reference.file,
      steps: reference.steps,
      burnIn: reference.burnIn,
      converged: reference.converged,
      summary: Object.fromEntries(params.map((p, i) => [p, summary(reference.samples.columns[i])])),
    },
    chains: sets.slice(1).map((s) => ({
      chain: s.file,
      steps: s.steps,
      burnIn: s.burnIn,
      converged: s.converged,
      ...compareSamples(reference.samples, s.samples),
    })),
  };
  if (o.plot) await writeFigure(cornerSpec(sets, params), o.plot);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const fmt = (x: number) => x.toPrecision(4);
  const lines = [`reference ${reference.file}: ${params.map((p) => `${p} = ${fmt(result.reference.summary[p][0])} [${fmt(result.reference.summary[p][1])}, ${fmt(result.reference.summary[p][2])}]`).join(', ')}`];
  for (const c of result.chains) {
    lines.push(
      `${c.chain}: D_B = ${c.bhattacharyya.toFixed(4)} (Gaussian)` +
        (c.bhattacharyyaHistogram === null ? '' : `, ${c.bhattacharyyaHistogram.toFixed(4)} (histogram)`) +
        `; shifts ${params.map((p) => `${p} ${c.meanShiftSigma[p].toFixed(2)} sigma`).join(', ')}` +
        `; widths ${params.map((p) => `${p} x${c.widthRatio[p].toFixed(3)}`).join(', ')}`,
    );
  }
  if (o.plot) lines.push(`figure: ${o.plot}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
