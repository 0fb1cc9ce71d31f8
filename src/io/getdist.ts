/**
 * GetDist text chains as files (the layout and the text: io/getdist-format.ts). Each file is written
 * atomically, the .txt last (streamed in pieces: a long chain's text does not fit in one string), so a
 * reader that finds ROOT.txt finds the other two.
 */

import { writeFileAtomic, writeFileAtomicChunks } from './atomic.js';
import { getDistHeaders, getDistRows, type GetDistColumn } from './getdist-format.js';

export type { GetDistColumn } from './getdist-format.js';

export function writeGetDist(root: string, columns: readonly GetDistColumn[], minusLogPost: ArrayLike<number>): string[] {
  const { paramnames, ranges } = getDistHeaders(columns, minusLogPost);
  writeFileAtomic(`${root}.paramnames`, paramnames);
  writeFileAtomic(`${root}.ranges`, ranges);
  writeFileAtomicChunks(`${root}.txt`, getDistRows(columns, minusLogPost));
  return [`${root}.txt`, `${root}.paramnames`, `${root}.ranges`];
}
