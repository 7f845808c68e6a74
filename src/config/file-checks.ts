// What load.ts found on disk, and the checks and values that follow from it: `cwd` and
// `env_file` must exist (SPEC §3), env_file contents are parsed as dotenv, the script of a
// `node <script>` command must exist and the command must resolve (SPEC §9), in the words the
// supervisor uses when it cannot start one (`command not found: X`, `permission denied: X`).
import { isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { baseEnv } from './base-env.js';
import { type Problem, problem } from './diagnostics.js';
import type { Env } from './interpolate.js';
import { nodeScript } from './node-script.js';
import type { AppDraft } from './normalize.js';
import { isNodeCommand } from './run-command.js';

export type PathFact =
  | { readonly kind: 'dir' }
  | { readonly kind: 'file'; readonly text: string; readonly executable: boolean }
  | { readonly kind: 'missing' }
  | { readonly kind: 'other' }
  | { readonly kind: 'error'; readonly reason: string };

/** Facts about the absolute paths the drafts need. */
export interface FileFacts {
  /** cwd directories. */
  readonly dirs: ReadonlyMap<string, PathFact>;
  readonly envFiles: ReadonlyMap<string, PathFact>;
  /** Candidates for scripts and commands (programPaths): asked for once dirs and env files are known. */
  readonly programs: ReadonlyMap<string, PathFact>;
}

/** What the first step needs: cwd directories and env files. */
export const neededPaths = (drafts: readonly AppDraft[]): { dirs: string[]; envFiles: string[] } => ({
  dirs: [...new Set(drafts.flatMap((d) => (d.broken('cwd') ? [] : [d.spec.cwd])))],
  envFiles: [...new Set(drafts.flatMap((d) => (d.spec.envFile === undefined || d.broken('env_file') ? [] : [d.spec.envFile])))],
});

/** The PATH the supervisor looks in when the instance has none (src/supervisor/modes/spawn.ts). */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

interface Lookup {
  /** The word of `run` the message names. */
  readonly word: string;
  /** Absolute paths, in the order they are tried. */
  readonly candidates: readonly string[];
}

/** The script and the command of a draft to look for, where the draft's fields allow knowing them. */
const lookupsOf = (
  d: AppDraft,
  facts: Pick<FileFacts, 'dirs' | 'envFiles'>,
  callerEnv: Env,
): { script?: Lookup; command?: Lookup } => {
  const { spec } = d;
  const [first, ...args] = spec.command;
  if (spec.shell || first === undefined || d.broken('run') || d.broken('shell')) return {};
  const cwdKnown = !d.broken('cwd') && facts.dirs.get(spec.cwd)?.kind === 'dir';
  const out: { script?: Lookup; command?: Lookup } = {};
  const script = isNodeCommand(spec.command) ? nodeScript(args) : { kind: 'none' as const };
  if (script.kind === 'script' && script.script !== '' && (cwdKnown || isAbsolute(script.script))) {
    const abs = resolve(spec.cwd, script.script);
    // What node itself tries for its main module.
    out.script = { word: script.script, candidates: [abs, `${abs}.js`, `${abs}.json`, `${abs}.node`] };
  }
  // A cluster app runs node whatever `run` says; that rule is reported by app-checks.ts.
  const forkedByNode = spec.mode === 'cluster' || d.broken('mode');
  if (forkedByNode && !isNodeCommand(spec.command)) return out;
  if (first.includes('/')) {
    if (cwdKnown || isAbsolute(first)) out.command = { word: first, candidates: [resolve(spec.cwd, first)] };
    return out;
  }
  const path = appPath(d, facts, callerEnv);
  if (path !== undefined) {
    const dirs = path.split(':').filter((dir) => dir !== '' && (cwdKnown || isAbsolute(dir)));
    out.command = { word: first, candidates: dirs.map((dir) => resolve(spec.cwd, dir, first)) };
  }
  return out;
};

/** The instance's PATH, as spawn.ts composes its env; undefined while a field it comes from is broken. */
const appPath = (d: AppDraft, facts: Pick<FileFacts, 'envFiles'>, callerEnv: Env): string | undefined => {
  if (d.broken('env', 'PATH') || d.broken('env_file')) return undefined;
  if (d.spec.envFile !== undefined && facts.envFiles.get(d.spec.envFile)?.kind !== 'file') return undefined;
  const env = { ...baseEnv(callerEnv, d.inheritEnv), ...envFileVariables(d, facts), ...d.fileEnv };
  return env.PATH ?? DEFAULT_PATH;
};

/** The second step's paths: every candidate of every script and command. */
export const programPaths = (
  drafts: readonly AppDraft[],
  facts: Pick<FileFacts, 'dirs' | 'envFiles'>,
  callerEnv: Env,
): string[] => {
  const all = drafts.flatMap((d) => {
    const { script, command } = lookupsOf(d, facts, callerEnv);
    return [...(script?.candidates ?? []), ...(command?.candidates ?? [])];
  });
  return [...new Set(all)];
};

const written = (draft: AppDraft, key: 'cwd' | 'env_file'): string => {
  const v = (draft.merged.value as Record<string, unknown>)[key];
  return JSON.stringify(typeof v === 'string' ? v : '.');
};

export const checkFiles = (drafts: readonly AppDraft[], facts: FileFacts, callerEnv: Env): Problem[] => {
  const out: Problem[] = [];
  for (const d of drafts) {
    const at = d.merged.origin;
    const dir = facts.dirs.get(d.spec.cwd) ?? { kind: 'missing' };
    if (!d.broken('cwd') && dir.kind !== 'dir') {
      out.push(problem(at('cwd'), 'value', `must be an existing directory, ${written(d, 'cwd')} ${whyNot(dir)}`));
    }
    if (d.spec.envFile !== undefined && !d.broken('env_file')) {
      const file = facts.envFiles.get(d.spec.envFile) ?? { kind: 'missing' };
      if (file.kind !== 'file') out.push(problem(at('env_file'), 'value', `must be an existing file, ${written(d, 'env_file')} ${whyNot(file)}`));
    }
    const { script, command } = lookupsOf(d, facts, callerEnv);
    const fact = (p: string): PathFact => facts.programs.get(p) ?? { kind: 'missing' };
    if (script !== undefined) {
      const [main] = script.candidates;
      const found = script.candidates.some((p) => fact(p).kind === 'file') || (main !== undefined && fact(main).kind === 'dir');
      const from = isAbsolute(script.word) ? '' : ` (resolved from cwd ${d.spec.cwd})`;
      if (!found) out.push(problem(at('run'), 'value', `script not found: ${script.word}${from}`));
    }
    if (command !== undefined) {
      const files = command.candidates.map(fact).filter((f) => f.kind === 'file');
      if (!files.some((f) => f.executable)) {
        out.push(problem(at('run'), 'value', `${files.length > 0 ? 'permission denied' : 'command not found'}: ${command.word}`));
      }
    }
  }
  return out;
};

const whyNot = (fact: PathFact): string => {
  switch (fact.kind) {
    case 'missing':
      return 'does not exist';
    case 'dir':
      return 'is a directory';
    case 'error':
      return `cannot be read: ${fact.reason}`;
    default:
      return fact.kind === 'file' ? 'is a file' : 'is not a regular file or directory';
  }
};

/** The env_file's variables (after checkFiles passed). */
export const envFileVariables = (draft: AppDraft, facts: Pick<FileFacts, 'envFiles'>): Record<string, string> => {
  const fact = draft.spec.envFile === undefined ? undefined : facts.envFiles.get(draft.spec.envFile);
  return fact?.kind === 'file' ? parseDotenv(fact.text) : {};
};
