// Generations: every apply (and rollback) records the desired state it applied, numbered, so
// `orch history` can list them and `orch rollback N` can apply one again.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { DesiredState } from '../config/desired.js';
import { OrchError } from '../errors.js';

export interface GenerationInfo {
  readonly number: number;
  readonly project: string;
  /** Epoch ms. */
  readonly time: number;
  readonly file: string;
  /** sha256 of the ecosystem file's bytes. */
  readonly hash: string;
  /** The git commit of the file's work tree, when it is in one; `dirty` when the file differs from it. */
  readonly commit?: string;
  readonly dirty?: boolean;
  readonly summary: { readonly create: number; readonly change: number; readonly delete: number };
  /** Set when this generation re-applied an older one. */
  readonly rollbackOf?: number;
}

export interface GenerationRecord {
  readonly info: GenerationInfo;
  readonly desired: DesiredState;
}

/** At most this many generations are kept per project; older ones are not listed. */
export const KEPT_GENERATIONS = 50;

export const historyDir = (home: string): string => join(home, 'history');

export const recordGeneration = async (home: string, record: GenerationRecord): Promise<void> => {
  mkdirSync(historyDir(home), { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(historyDir(home), recordFile(record.info.number)), JSON.stringify(record), { mode: 0o600 });
};

export const listGenerations = (home: string, project?: string): GenerationInfo[] => {
  const all = readRecords(home).map((r) => r.info);
  const wanted = project === undefined ? all : all.filter((g) => g.project === project);
  const byProject = new Map<string, GenerationInfo[]>();
  for (const g of wanted) byProject.set(g.project, [...(byProject.get(g.project) ?? []), g]);
  return [...byProject.values()].flatMap((gs) => gs.slice(-KEPT_GENERATIONS)).sort((a, b) => a.number - b.number);
};

export const readGeneration = (home: string, number: number): GenerationRecord | undefined => {
  try {
    return JSON.parse(readFileSync(join(historyDir(home), recordFile(number)), 'utf8')) as GenerationRecord;
  } catch {
    return undefined;
  }
};

/** Every project that has a recorded generation. */
export const projectsWithGenerations = (home: string): Set<string> => new Set(readRecords(home).map((r) => r.info.project));

/**
 * The error for a `--project` orch has never heard of, naming the ones it has (`known`: projects
 * with a generation, persisted or running); undefined when `project` is known.
 */
export const unknownProjectError = (project: string, known: Iterable<string>): OrchError | undefined => {
  const names = [...new Set(known)].sort();
  if (names.includes(project)) return undefined;
  return new OrchError('ORCH_UNKNOWN_PROJECT', `no project named '${project}' (known: ${names.join(', ') || 'none'})`);
};

/** Checks `orch rollback N [-p P]`: generation N must exist and, with `project`, belong to it. */
export const rollbackTarget = (
  number: number,
  record: GenerationRecord | undefined,
  project: string | undefined,
): { readonly ok: true; readonly record: GenerationRecord } | { readonly ok: false; readonly error: OrchError } => {
  if (record === undefined) return { ok: false, error: new OrchError('ORCH_UNKNOWN_GENERATION', `no generation ${number} (see 'orch history')`) };
  if (project !== undefined && record.info.project !== project) {
    return {
      ok: false,
      error: new OrchError('ORCH_UNKNOWN_GENERATION', `generation ${number} belongs to project '${record.info.project}', not '${project}'`),
    };
  }
  return { ok: true, record };
};

const recordFile = (number: number): string => `${String(number).padStart(6, '0')}.json`;

const readRecords = (home: string): GenerationRecord[] => {
  let files: string[];
  try {
    files = readdirSync(historyDir(home)).filter((f) => /^\d+\.json$/.test(f)).sort();
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(historyDir(home), f), 'utf8')) as GenerationRecord];
    } catch {
      return []; // a damaged record is skipped, not fatal
    }
  });
};
