/** `npm run bench`: every benchmark, printed as figures. */
import { benchNn } from '../src/bench/nn.js';
import { benchTheory } from '../src/bench/theory.js';
import { formatNnBench, formatTheoryBench } from '../src/cli/bench.js';

const theory = await benchTheory();
process.stdout.write(`${formatTheoryBench(theory)}\n`);
const nn = await benchNn();
process.stdout.write(`${formatNnBench(nn)}\n`);
