/** `npm run bench`: every benchmark, printed as figures. */
import { formatTheoryBench } from '../src/cli/bench.js';
import { benchTheory } from '../src/bench/theory.js';

const theory = await benchTheory();
process.stdout.write(`${formatTheoryBench(theory)}\n`);
