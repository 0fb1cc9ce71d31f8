import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzReaders } from '../../bench/reliability/fuzz.js';

describe('hostile files: every reader refuses damage with one line naming the file', () => {
  it('seeded mutations of real files (truncation, bit flips, header edits, NaN/Inf, 10^12-element headers, empty, directory)', async () => {
    // Bounded for npm test: 25 mutations per reader; `npm run soak` runs many more.
    const { stats, libraryAborts } = await fuzzReaders(mkdtempSync(join(tmpdir(), 'cosmeta-fuzz-')), 20261202, 25);
    const tried = Object.values(stats).reduce((a, s) => a + s.tried, 0);
    console.log(`hostile files tried: ${tried}, HDF5 library aborts survived: ${libraryAborts} (${Object.entries(stats).map(([k, s]) => `${k} ${s.tried}`).join(', ')})`);
    for (const [name, s] of Object.entries(stats)) {
      expect(s.examples, name).toEqual([]);
      expect(s.unclean, name).toBe(0);
      // Most mutations must be refused: a reader that accepted everything would not be checking.
      if (name !== '10^12-element headers') expect(s.clean, name).toBeGreaterThan(s.tried / 3);
    }
    expect(stats['10^12-element headers'].clean).toBe(2);
  }, 120_000);
});
