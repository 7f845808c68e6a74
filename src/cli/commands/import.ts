// `orch import pm2 <file>`: a PM2 ecosystem file as an orch one (SPEC §11). The YAML goes to
// --out FILE or stdout; the fidelity table (every PM2 key: mapped, approximated, dropped) to
// stderr, or `--output json` on stdout:
// `{ file, out?, apps: string[], fidelity: [{ app, key, status, to?, note }], yaml?, valid?, errors? }`
// (`yaml` when there is no --out; `valid`/`errors` from validating the written file).
import { accessSync, closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { formatDiagnostic } from '../../config/desired.js';
import { loadEcosystem } from '../../config/load.js';
import { OrchError } from '../../errors.js';
import { type FidelityRow, mapPm2 } from '../../import/pm2-map.js';
import { readPm2File } from '../../import/read-pm2-file.js';
import { renderOrchYaml } from '../../import/render-orch-yaml.js';
import { eprintln, formatTable, type OutputFormat, printJson } from '../output.js';
import { schemaPath } from '../schema-path.js';
import { type Outcome } from '../exit-code.js';

export interface ImportOptions {
  readonly out?: string;
  readonly env?: string;
  readonly force?: boolean;
  readonly timeoutMs: number;
  readonly output: OutputFormat;
}

const hasCommand = (name: string): boolean =>
  (process.env.PATH ?? '').split(':').some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** PM2's test, roughly (lib/tools/isbinaryfile.js): an ELF header or a NUL byte in the first 512 bytes. */
const isBinary = (path: string): boolean | undefined => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    const bytes = head.subarray(0, n);
    return bytes.subarray(0, 4).toString('latin1') === '\x7fELF' || bytes.includes(0);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
};

export const importPm2 = async (file: string, opts: ImportOptions): Promise<Outcome> => {
  const out = opts.out === undefined ? undefined : resolve(opts.out);
  if (out !== undefined && existsSync(out) && opts.force !== true) {
    throw new OrchError('ORCH_FILE_EXISTS', `${opts.out} exists: orch import does not overwrite it without --force`);
  }
  const input = await readPm2File(file, { timeoutMs: opts.timeoutMs });
  const outDir = out === undefined ? process.cwd() : dirname(out);
  const mapped = mapPm2(input, {
    ...(opts.env === undefined ? {} : { envName: opts.env }),
    cpus: availableParallelism(),
    pm2Dir: dirname(resolve(file)),
    outDir,
    hasCommand,
    isBinary,
  });
  if (!mapped.ok) throw new OrchError('ORCH_IMPORT_FAILED', `cannot import ${file}: ${mapped.message}`);
  const schema = relative(outDir, schemaPath());
  const yaml = renderOrchYaml(mapped.document, mapped.comments, {
    schema: schema.startsWith('.') || schema.startsWith('/') ? schema : `./${schema}`,
    header: [
      `Imported from ${relative(outDir, resolve(file)) || file} by orch import pm2${opts.env === undefined ? '' : ` --env ${opts.env}`}.`,
      'A comment marks every key the import approximated; orch import lists what it dropped, and why.',
    ],
  });
  const apps = Object.keys(mapped.document.apps);
  let check: { valid: boolean; errors: string[] } | undefined;
  if (out !== undefined) {
    await writeFile(out, yaml);
    const result = await loadEcosystem(out, { env: process.env });
    check = result.ok ? { valid: true, errors: [] } : { valid: false, errors: result.errors.map(formatDiagnostic) };
  }
  if (opts.output === 'json') {
    printJson({
      file,
      ...(opts.out === undefined ? {} : { out: opts.out }),
      apps,
      fidelity: mapped.fidelity,
      ...(out === undefined ? { yaml } : {}),
      ...(check === undefined ? {} : check),
    });
  } else {
    if (out === undefined) process.stdout.write(yaml);
    eprintln(renderFidelity(mapped.fidelity));
    const counts = (s: FidelityRow['status']) => mapped.fidelity.filter((r) => r.status === s).length;
    eprintln(
      `${apps.length} app${apps.length === 1 ? '' : 's'}${opts.out === undefined ? '' : ` written to ${opts.out}`}: ` +
        `${counts('mapped')} keys mapped, ${counts('approximated')} approximated, ${counts('dropped')} dropped.`,
    );
  }
  if (check !== undefined && !check.valid) {
    if (opts.output !== 'json') for (const e of check.errors) eprintln(e);
    eprintln(`${opts.out ?? ''} was written but does not validate here (exit 2): fix the lines above, then orch validate it.`);
    return 'invalid';
  }
  return 'ok';
};

export const renderFidelity = (rows: readonly FidelityRow[]): string =>
  formatTable(
    ['APP', 'PM2 KEY', 'STATUS', 'ORCH', 'HOW / WHY'],
    rows.map((r) => [r.app, r.key, r.status, r.to ?? '-', r.note]),
  );
