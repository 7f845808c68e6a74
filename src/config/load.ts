// The ecosystem-file loader (SPEC §3). The only module of src/config that does I/O: it reads
// the file, asks the pure core what else it needs (cwd directories, env files, then the
// candidates of scripts and commands), looks at those, and hands everything back to the core. It never throws for user input: every problem
// of the file, including an unreadable one, is a Diagnostic.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { analyzeEcosystem, completeEcosystem, programsNeeded } from './core.js';
import type { LoadResult } from './desired.js';
import type { FileFacts, PathFact } from './file-checks.js';

export interface LoadOptions {
  /** Environment for `${VAR}` and the instances' base environment. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** CPUs for `instances: max`. Default: os.availableParallelism(). */
  readonly cpus?: number;
}

export const loadEcosystem = async (file: string, options: LoadOptions = {}): Promise<LoadResult> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return {
      ok: false,
      errors: [{ file, line: 0, col: 0, path: '', message: `cannot read the file: ${reason(e)}` }],
      warnings: [],
    };
  }
  const analysis = analyzeEcosystem({
    file,
    absFile: resolve(file),
    text: bytes.toString('utf8').replace(/^\uFEFF/, ''),
    hash: createHash('sha256').update(bytes).digest('hex'),
    env: options.env ?? process.env,
    cpus: options.cpus ?? availableParallelism(),
  });
  const lookAll = async (paths: readonly string[], read: boolean): Promise<Map<string, PathFact>> =>
    new Map(await Promise.all(paths.map(async (p) => [p, await lookAt(p, read)] as const)));
  const needs = analysis.done ? { dirs: [], envFiles: [] } : analysis.needs;
  const [dirs, envFiles] = await Promise.all([lookAll(needs.dirs, false), lookAll(needs.envFiles, true)]);
  // Second step: which scripts and commands to look for depends on cwd and env_file (its PATH).
  const facts: FileFacts = { dirs, envFiles, programs: await lookAll(programsNeeded(analysis, { dirs, envFiles }), false) };
  return completeEcosystem(analysis, facts);
};

const lookAt = async (path: string, read: boolean): Promise<PathFact> => {
  try {
    const s = await stat(path);
    if (s.isDirectory()) return { kind: 'dir' };
    if (!s.isFile()) return { kind: 'other' };
    // Any execute bit, as execve wants (even for root).
    const executable = (s.mode & 0o111) !== 0;
    return { kind: 'file', text: read ? await readFile(path, 'utf8') : '', executable };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'error', reason: reason(e) };
  }
};

const reason = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
};
