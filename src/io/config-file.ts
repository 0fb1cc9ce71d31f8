/** An analysis config file (YAML) read and validated; errors name the file and the key. */

import { parseConfig, type AnalysisConfig } from '../analysis/config.js';
import { readInputText } from './read-file.js';

export function readAnalysisConfig(path: string): AnalysisConfig {
  return parseConfig(readInputText(path), path);
}
