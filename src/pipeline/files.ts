/** Where `cosmeta reproduce` puts each stage's output, relative to its output directory. */

import type { ReproduceScale } from './scales.js';

/** The labels of the compared emulators (and their chains). */
export const METHODS = ['maml', 'single-task', 'fresh'] as const;
export type Method = (typeof METHODS)[number];

/** Every file the pipeline writes, relative to its output directory. */
export function pipelineFiles(scale: ReproduceScale) {
  const n = scale.fineTune;
  return {
    settings: 'reproduce.json',
    stages: 'stages.json',
    tasks: 'data/tasks.h5',
    targetTrain: 'data/target-train.h5',
    targetTest: 'data/target-test.h5',
    singleTaskData: 'data/single-task.h5',
    oodTrain: 'data/ood-train.h5',
    oodTest: 'data/ood-test.h5',
    meta: 'models/meta.h5',
    pretrained: 'models/single-task.h5',
    emulator: (m: Method) => `emulators/${m}-${n}.h5`,
    fresh: (size: number) => `emulators/fresh-${size}.h5`,
    samplesStudy: 'studies/samples.json',
    freshStudy: 'studies/fresh.json',
    theoryChain: 'chains/theory.h5',
    chain: (m: Method) => `chains/${m}-${n}.h5`,
    summary: 'summary.json',
    report: 'report.md',
    figure: (name: string) => `figures/${name}.png`,
  };
}
