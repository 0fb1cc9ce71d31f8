/**
 * GetDist text chains as files (the layout and the text: io/getdist-format.ts). Each file is written
 * atomically, the .txt last, so a reader that finds ROOT.txt finds the other two.
 */

import { writeFileAtomic } from './atomic.js';
import { formatGetDist, type GetDistColumn } from './getdist-format.js';

export type { GetDistColumn } from './getdist-format.js';

export function writeGetDist(root: string, columns: readonly GetDistColumn[], minusLogPost: ArrayLike<number>): string[] {
  const { txt, paramnames, ranges } = formatGetDist(columns, minusLogPost);
  writeFileAtomic(`${root}.paramnames`, paramnames);
  writeFileAtomic(`${root}.ranges`, ranges);
  writeFileAtomic(`${root}.txt`, txt);
  return [`${root}.txt`, `${root}.paramnames`, `${root}.ranges`];
}
