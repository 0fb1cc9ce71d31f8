/** `cosmeta reproduce`: the paper's pipeline in one command, with a progress line per stage. */

import { reproduce, type PipelineUi } from '../pipeline/reproduce.js';
import { reproduceScale } from '../pipeline/scales.js';
import { integer } from './args.js';
import { progressBar } from './progress.js';

export interface ReproduceCliOptions {
  scale: string;
  seed: string;
  outDir: string;
  threads?: string;
  progress: boolean;
}

const elapsed = (seconds: number) => (seconds < 90 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`);

/** Stage lines and progress bars on stderr (bars only with progress on). */
export function terminalUi(progress: boolean): PipelineUi {
  const say = (s: string) => process.stderr.write(`cosmeta reproduce: ${s}\n`);
  return {
    stage: (i, n, name, skipped) => say(`[${i}/${n}] ${name}${skipped ? ': done already, skipped' : ''}`),
    stageDone: (_name, seconds) => say(`  finished in ${elapsed(seconds)}`),
    log: (line) => say(`  ${line}`),
    bar: (label, total) => {
      if (!progress) return { update: () => {}, stop: () => {} };
      const bar = progressBar(`  ${label} |{bar}| {value}/{total} {note}`, 15000);
      let started = false;
      return {
        update: (value, note = '') => {
          if (!started) {
            started = true;
            bar.start(total, value, { note });
          } else bar.update(value, { note });
        },
        stop: () => {
          if (started) bar.stop();
          started = false;
        },
      };
    },
  };
}

export async function runReproduce(o: ReproduceCliOptions): Promise<void> {
  const scale = reproduceScale(o.scale);
  const seed = integer('--seed', o.seed, 0);
  const threads = o.threads === undefined ? undefined : integer('--threads', o.threads, 1);
  await reproduce({ outDir: o.outDir, scale, seed, threads, ui: terminalUi(o.progress) });
}
