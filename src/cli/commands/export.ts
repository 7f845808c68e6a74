// `orch export kubernetes|systemd|compose` (SPEC §13): the file, loaded as apply loads it,
// written for another engine, with the fidelity report of every field of every app.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EXPORTERS } from '../../export/exporters.js';
import { renderFidelity } from '../../export/fidelity.js';
import type { ExportTarget } from '../../export/input.js';
import { readEnvFiles } from '../../export/read-env-files.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { eprintln, printJson } from '../output.js';
import { type Outcome } from '../exit-code.js';

export interface ExportOptions {
  readonly output: OutputFormat;
  readonly out?: string;
  readonly image?: string;
  readonly user?: boolean;
}

/**
 * `--output json` shape: `{ "target", "project", "out": string | null,
 *   "files": [{ "path" }], "stream"?: string (only without --out),
 *   "fidelity": [{ "app", "field", "fidelity": "mapped"|"approximated"|"dropped", "to", "note" }] }`.
 * Exit 0, or 2 when the file is invalid or an app has no image for a container engine.
 */
export const exportFile = async (target: ExportTarget, file: string, opts: ExportOptions): Promise<Outcome> => {
  const desired = await loadOrFail(file);
  const result = EXPORTERS[target]({
    project: desired.project,
    apps: desired.apps,
    envFiles: await readEnvFiles(desired),
    ...(opts.image === undefined ? {} : { image: opts.image }),
    ...(opts.user === undefined ? {} : { user: opts.user }),
  });
  if (opts.out !== undefined) {
    for (const f of result.files) {
      const path = join(opts.out, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text);
    }
  }
  if (opts.output === 'json') {
    printJson({
      target,
      project: desired.project,
      out: opts.out ?? null,
      files: result.files.map((f) => ({ path: f.path })),
      ...(opts.out === undefined ? { stream: result.stream } : {}),
      fidelity: result.fidelity,
    });
  } else {
    // WARNING: with --out nothing of the files goes to stdout (a Secret's values stay in the file).
    if (opts.out === undefined) process.stdout.write(result.stream);
    eprintln(renderFidelity(result.fidelity));
    if (opts.out !== undefined) eprintln(`wrote ${result.files.length} files to ${opts.out}`);
  }
  return 'ok';
};
