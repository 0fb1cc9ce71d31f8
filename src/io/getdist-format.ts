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
  const n = minusLogPost.length;
  for (const c of columns) if (c.values.length !== n) throw new Error(`getdist: column ${c.name} has ${c.values.length} rows, expected ${n}`);
  const paramnames = columns.map((c) => `${c.name}${c.derived ? '*' : ''}\t${c.latex}`).join('\n') + '\n';
  const ranges = columns.filter((c) => c.range).map((c) => `${c.name}\t${num((c.range as [number, number])[0])}\t${num((c.range as [number, number])[1])}`).join('\n') + '\n';
  const lines: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    let line = `1\t${num(minusLogPost[r])}`;
    for (const c of columns) line += `\t${num(c.values[r])}`;
    lines[r] = line;
  }
  return { txt: lines.join('\n') + '\n', paramnames, ranges };
}
