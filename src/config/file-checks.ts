// What load.ts found on disk, and the checks and values that follow from it: `cwd` and
// `env_file` must exist (SPEC §3), env_file contents are parsed as dotenv.
import { parse as parseDotenv } from 'dotenv';
import { type Problem, problem } from './diagnostics.js';
import type { AppDraft } from './normalize.js';

export type PathFact =
  | { readonly kind: 'dir' }
  | { readonly kind: 'file'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'other' }
  | { readonly kind: 'error'; readonly reason: string };

/** Facts about the absolute paths the drafts need: cwd directories and env files. */
export interface FileFacts {
  readonly dirs: ReadonlyMap<string, PathFact>;
  readonly envFiles: ReadonlyMap<string, PathFact>;
}

export const neededPaths = (drafts: readonly AppDraft[]): { dirs: string[]; envFiles: string[] } => ({
  dirs: [...new Set(drafts.map((d) => d.spec.cwd))],
  envFiles: [...new Set(drafts.flatMap((d) => (d.spec.envFile === undefined ? [] : [d.spec.envFile])))],
});

const written = (draft: AppDraft, key: 'cwd' | 'env_file'): string => {
  const v = (draft.merged.value as Record<string, unknown>)[key];
  return JSON.stringify(typeof v === 'string' ? v : '.');
};

export const checkFiles = (drafts: readonly AppDraft[], facts: FileFacts): Problem[] => {
  const out: Problem[] = [];
  for (const d of drafts) {
    const at = d.merged.origin;
    const dir = facts.dirs.get(d.spec.cwd) ?? { kind: 'missing' };
    if (dir.kind !== 'dir') out.push(problem(at('cwd'), 'value', `must be an existing directory, ${written(d, 'cwd')} ${whyNot(dir)}`));
    if (d.spec.envFile === undefined) continue;
    const file = facts.envFiles.get(d.spec.envFile) ?? { kind: 'missing' };
    if (file.kind !== 'file') out.push(problem(at('env_file'), 'value', `must be an existing file, ${written(d, 'env_file')} ${whyNot(file)}`));
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
export const envFileVariables = (draft: AppDraft, facts: FileFacts): Record<string, string> => {
  const fact = draft.spec.envFile === undefined ? undefined : facts.envFiles.get(draft.spec.envFile);
  return fact?.kind === 'file' ? parseDotenv(fact.text) : {};
};
