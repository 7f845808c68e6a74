// Load the ecosystem file for a command, or report every error and stop with exit 2. Warnings
// go to stderr either way (stdout may be JSON) and change no exit code.
import type { DesiredState } from '../config/desired.js';
import { formatDiagnostic, formatWarning } from '../config/desired.js';
import { loadEcosystem } from '../config/load.js';
import { OrchError } from '../errors.js';
import { eprintln } from './output.js';

export const DEFAULT_FILE = 'ecosystem.yaml';

export const loadOrFail = async (file: string | undefined): Promise<DesiredState> => {
  const path = file ?? DEFAULT_FILE;
  const result = await loadEcosystem(path, { env: process.env });
  const warnings = result.warnings.map(formatWarning);
  if (result.ok) {
    for (const w of warnings) eprintln(w);
    return result.desired;
  }
  // As `orch validate` prints them: the errors, then the warnings, then the count.
  const lines = [...result.errors.map(formatDiagnostic), ...warnings];
  const n = result.errors.length;
  throw new OrchError('ORCH_CONFIG_INVALID', `${lines.join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${path}; nothing was changed.`);
};
