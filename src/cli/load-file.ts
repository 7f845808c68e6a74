// Load the ecosystem file for a command, or report every error and stop with exit 2.
import type { DesiredState } from '../config/desired.js';
import { formatDiagnostic } from '../config/desired.js';
import { loadEcosystem } from '../config/load.js';
import { OrchError } from '../errors.js';

export const DEFAULT_FILE = 'ecosystem.yaml';

export const loadOrFail = async (file: string | undefined): Promise<DesiredState> => {
  const path = file ?? DEFAULT_FILE;
  const result = await loadEcosystem(path, { env: process.env });
  if (result.ok) return result.desired;
  const lines = result.errors.map(formatDiagnostic);
  const n = result.errors.length;
  throw new OrchError('ORCH_CONFIG_INVALID', `${lines.join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${path}; nothing was changed.`);
};
