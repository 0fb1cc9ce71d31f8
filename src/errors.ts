/**
 * Errors raised by Cosmeta for invalid input or impossible requests. The message names the offending
 * value and what would be valid; the CLI prints it on one line and exits with code 2.
 */
export class CosmetaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CosmetaError';
  }
}
