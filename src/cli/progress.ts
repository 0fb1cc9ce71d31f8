/** Progress bars on stderr: redrawn in place on a terminal, a line every `everyMs` otherwise (logs, CI). */

import cliProgress from 'cli-progress';

export function progressBar(format: string, everyMs: number, etaBuffer?: number): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, noTTYOutput: process.stderr.isTTY !== true, notTTYSchedule: everyMs, etaBuffer },
    cliProgress.Presets.shades_classic,
  );
}
