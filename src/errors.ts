/**
 * Errors raised by Cosmeta for invalid input or impossible requests. The message names the offending
 * value and what would be valid; the CLI prints it on one line and exits with code 2.
 */
export class CosmetaError extends Error {
  constructor(message: string) {
    // One line always: control characters quoted from a damaged file (a newline inside a JSON parser's
    // excerpt, say) are escaped, so the CLI's message stays a single line.
    super(message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1)));
    this.name = 'CosmetaError';
  }
}

/** Throw a CosmetaError unless v is an integer >= min (the message names the setting and the value). */
export function requireInteger(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new CosmetaError(`${name} must be an integer >= ${min}, got ${v}`);
}
