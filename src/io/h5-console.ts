/**
 * The HDF5 library (h5wasm, compiled with Emscripten) prints its complaints through `console.error`,
 * which it binds once, when it loads. This module is imported before h5wasm (by src/io/h5.ts) and puts a
 * switch in between: while `quiet` is above zero (during every HDF5 call Cosmeta makes) the lines are
 * kept in `captured` instead of printed, so a damaged file gives one CosmetaError line and nothing else.
 */

const print = console.error;

export const h5Console = {
  quiet: 0,
  /** The last lines the library tried to print while quiet. */
  captured: [] as string[],
};

console.error = (...args: unknown[]): void => {
  if (h5Console.quiet > 0) {
    h5Console.captured.push(args.map(String).join(' '));
    if (h5Console.captured.length > 20) h5Console.captured.shift();
    return;
  }
  print.apply(console, args);
};

/** Run `fn` with the library's printing switched off. */
export function quietly<T>(fn: () => T): T {
  h5Console.quiet++;
  try {
    return fn();
  } finally {
    h5Console.quiet--;
  }
}

/** The most specific reason in an HDF5 error stack (its innermost "in F(): reason" line), or the message's first line. */
export function h5ErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const reasons = [...text.matchAll(/ in [A-Za-z0-9_]+\(\): (.+)/g)].map((m) => m[1].trim());
  const first = text.split('\n')[0].trim();
  return reasons.at(-1) ?? (first.length > 200 ? `${first.slice(0, 200)}...` : first);
}
