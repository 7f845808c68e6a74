import { formatDiagnostic, formatWarning } from '../../config/desired.js';
import { loadEcosystem } from '../../config/load.js';
import type { OutputFormat } from '../output.js';
import { eprintln, printJson, println } from '../output.js';
import { type Outcome } from '../exit-code.js';
import { invalidFileReport } from '../load-file.js';

/**
 * `orch validate --output json` shape:
 * `{ "valid": boolean, "file": string, "project"?: string, "apps"?: string[],
 *    "errors": [{ "file", "line", "col", "path", "message" }], "warnings": [same as errors] }`.
 * Warnings never make a file invalid: exit 0 valid, 2 invalid.
 */
export const validate = async (file: string, opts: { output: OutputFormat }): Promise<Outcome> => {
  const result = await loadEcosystem(file, { env: process.env });
  const { warnings } = result;
  if (opts.output === 'json') {
    printJson(
      result.ok
        ? { valid: true, file, project: result.desired.project, apps: result.desired.apps.map((a) => a.name), errors: [], warnings }
        : { valid: false, file, errors: result.errors, warnings },
    );
  } else if (result.ok) {
    for (const d of warnings) eprintln(formatWarning(d));
    const n = result.desired.apps.length;
    println(`${file} is valid: project "${result.desired.project}", ${n} app${n === 1 ? '' : 's'}.`);
  } else {
    eprintln(invalidFileReport(file, result.errors.map(formatDiagnostic), warnings.map(formatWarning)));
  }
  return result.ok ? 'ok' : 'invalid';
};
