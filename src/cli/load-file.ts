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
  throw invalid(path, result.errors.map(formatDiagnostic), warnings);
};

/**
 * The file's project, for commands that need nothing else of it (`orch down`): a file whose
 * scripts are gone, or with a typo elsewhere, can still be taken down. Its errors are printed as
 * a warning; only a file whose name cannot be read is refused.
 */
export const projectOrFail = async (file: string | undefined): Promise<string> => {
  const path = file ?? DEFAULT_FILE;
  const result = await loadEcosystem(path, { env: process.env });
  if (result.ok) return result.desired.project;
  if (result.project === undefined) throw invalid(path, result.errors.map(formatDiagnostic), result.warnings.map(formatWarning));
  const n = result.errors.length;
  eprintln(`warning: ${path} has ${n} error${n === 1 ? '' : 's'} (see orch validate); only its project name '${result.project}' is used.`);
  return result.project;
};

const invalid = (path: string, errors: readonly string[], warnings: readonly string[]): OrchError =>
  new OrchError('ORCH_CONFIG_INVALID', invalidFileReport(path, errors, warnings, 'nothing was changed'));

/**
 * The one report of an invalid file, as every command prints it: the errors, then the warnings,
 * then `N errors in FILE` and what follows from it (`nothing was changed`…).
 */
export const invalidFileReport = (path: string, errors: readonly string[], warnings: readonly string[], consequence?: string): string => {
  const n = errors.length;
  const summary = `${n} error${n === 1 ? '' : 's'} in ${path}${consequence === undefined ? '.' : `; ${consequence}.`}`;
  return [...errors, ...warnings, summary].join('\n');
};
