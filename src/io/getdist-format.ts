/**
 * GetDist text chains as text (Lewis 2019, arXiv:1910.13970; getdist.readthedocs.io "Chain files"):
 *
 *   ROOT.txt         one row per sample: weight, -ln(posterior), then every parameter (sampled, then derived)
 *   ROOT.paramnames  one line per parameter, "name  latex"; derived parameters' names end with "*"
 *   ROOT.ranges      "name  min  max" for parameters with hard prior bounds ("N" for an open end)
 *
 * Ensemble samples are written with weight 1 in step-major order (all walkers of a step, then the next).
 * Files are io/getdist.ts (Node); the web page offers the same text as downloads.
 */

export interface GetDistColumn {
  name: string;
  latex: string;
  derived: boolean;
  values: ArrayLike<number>;
  /** Hard prior range (flat priors); omitted for unbounded parameters. */
  range?: [number, number];
}

const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(10) : String(x));

/** The three GetDist files' text for the given columns and -ln(posterior) of every row. */
export function formatGetDist(columns: readonly GetDistColumn[], minusLogPost: ArrayLike<number>): { txt: string; paramnames: string; ranges: string } {
  return { txt: [...getDistRows(columns, minusLogPost)].join(''), ...getDistHeaders(columns, minusLogPost) };
}

/** ROOT.paramnames and ROOT.ranges (after checking that every column has a row per -ln(posterior) value). */
export function getDistHeaders(columns: readonly GetDistColumn[], minusLogPost: ArrayLike<number>): { paramnames: string; ranges: string } {
  const n = minusLogPost.length;
  for (const c of columns) if (c.values.length !== n) throw new Error(`getdist: column ${c.name} has ${c.values.length} rows, expected ${n}`);
  const paramnames = columns.map((c) => `${c.name}${c.derived ? '*' : ''}\t${c.latex}`).join('\n') + '\n';
  const ranges = columns.filter((c) => c.range).map((c) => `${c.name}\t${num((c.range as [number, number])[0])}\t${num((c.range as [number, number])[1])}`).join('\n') + '\n';
  return { paramnames, ranges };
}

/**
 * ROOT.txt in pieces of `rowsPerPiece` rows, each piece ending in a newline: a long chain's text (about
 * 250 bytes a row, gigabytes for millions of rows) is written piece by piece instead of held as one string.
 */
export function* getDistRows(columns: readonly GetDistColumn[], minusLogPost: ArrayLike<number>, rowsPerPiece = 10_000): Generator<string> {
  const n = minusLogPost.length;
  for (let start = 0; start < n; start += rowsPerPiece) {
    const end = Math.min(n, start + rowsPerPiece);
    const lines: string[] = new Array(end - start);
    for (let r = start; r < end; r++) {
      let line = `1\t${num(minusLogPost[r])}`;
      for (const c of columns) line += `\t${num(c.values[r])}`;
      lines[r - start] = line;
    }
    yield lines.join('\n') + '\n';
  }
}
