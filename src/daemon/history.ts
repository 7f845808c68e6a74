// Generations: every apply (and rollback) is numbered and listed by `orch history`; `orch rollback N`
// applies one again. Bounded (SPEC §10): a project keeps ORCH_HISTORY_LIMIT generations, a no-op
// apply stores no copy, and listing reads only the small index (history/index.json), never the
// generations' desired states.
// WARNING: this runs on the daemon's event loop. Only async I/O here, and only one generation's
// file read at a time (for rollback), so a large history never delays another request.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { DesiredState } from '../config/desired.js';
import { OrchError } from '../errors.js';
import type { GenerationInfo, HistoryIndex, IndexEntry } from './history-retention.js';
import { emptyIndex, lookupGeneration, prunedMessage, repeatedGeneration, withGeneration } from './history-retention.js';

export type { GenerationInfo } from './history-retention.js';

export interface GenerationRecord {
  readonly info: GenerationInfo;
  readonly desired: DesiredState;
}

/** What `rollback N` finds: the full generation to apply (for a repeat entry, the one it repeats), or why not. */
export type RollbackSource =
  | { readonly kind: 'found'; readonly record: GenerationRecord }
  | { readonly kind: 'pruned'; readonly project: string | undefined; readonly limit: number }
  | { readonly kind: 'missing' };

export interface History {
  readonly limit: number;
  /** Records the generation `info.number`: a full copy of `desired`, or a repeat entry when nothing changed; prunes its project. */
  record(info: Omit<GenerationInfo, 'repeats'>, desired: DesiredState): Promise<GenerationInfo>;
  /** From the index alone, oldest first. */
  list(project?: string): Promise<GenerationInfo[]>;
  /** The only read of a generation's desired state. */
  rollbackSource(number: number, project?: string): Promise<RollbackSource>;
  /** Every project that has a listed generation. */
  projects(): Promise<Set<string>>;
  /** One more than the highest number ever listed (a lost state.json must not reuse numbers). */
  nextNumber(): Promise<number>;
}

export const historyDir = (home: string): string => join(home, 'history');
const indexFile = (home: string): string => join(historyDir(home), 'index.json');
const recordFile = (home: string, number: number): string => join(historyDir(home), `${String(number).padStart(6, '0')}.json`);
const contentHash = (desired: DesiredState): string => createHash('sha256').update(JSON.stringify(desired)).digest('hex');
const infoOf = ({ content: _content, ...info }: IndexEntry): GenerationInfo => info;

/**
 * Opens the history of `home`: loads its index, or builds it once from the generation files of an
 * older orch (asynchronously; requests wait for it, nothing else does). `warn` hears of damage.
 */
export const openHistory = (home: string, limit: number, warn: (message: string) => void): History => {
  let index: HistoryIndex = emptyIndex();
  let highest = 0;
  const loaded = loadIndex(home, warn).then((i) => {
    index = i;
    highest = Math.max(0, ...i.entries.map((e) => e.number), ...i.pruned.map((t) => t.number), ...Object.values(i.prunedThrough));
  });
  // Mutations in order, after the load; a failed one does not stop the next.
  let tail: Promise<unknown> = loaded;
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };

  return {
    limit,
    record: (info, desired) =>
      exclusive(async () => {
        const content = contentHash(desired);
        const repeats = repeatedGeneration(index.entries, info.project, content);
        const entry: IndexEntry = { ...info, ...(repeats === undefined ? {} : { repeats }), content };
        await mkdir(historyDir(home), { recursive: true, mode: 0o700 });
        // The file first, then the index that lists it: a crash between them leaves an orphan file, never a dangling entry.
        if (repeats === undefined) await writeFileAtomic(recordFile(home, info.number), JSON.stringify({ info, desired }), { mode: 0o600 });
        const next = withGeneration(index, entry, limit);
        await writeIndex(home, next.index);
        index = next.index;
        highest = Math.max(highest, info.number);
        await removeFiles(home, next.pruned.filter((e) => e.repeats === undefined).map((e) => e.number));
        return infoOf(entry);
      }),
    list: async (project) => {
      await loaded;
      return index.entries.filter((e) => project === undefined || e.project === project).map(infoOf);
    },
    rollbackSource: async (number, project) => {
      await loaded;
      const found = lookupGeneration(index, number, project);
      if (found.kind === 'missing') return found;
      if (found.kind === 'pruned') return { ...found, limit };
      const full = found.full;
      const record = full === undefined ? undefined : await readRecord(home, full.number);
      // A repeat entry's generation is kept while the entry is; only damage loses it.
      if (full === undefined || record === undefined) return { kind: 'missing' };
      return { kind: 'found', record: { info: infoOf(full), desired: record.desired } };
    },
    projects: async () => {
      await loaded;
      return new Set(index.entries.map((e) => e.project));
    },
    nextNumber: async () => {
      await loaded;
      return highest + 1;
    },
  };
};

/**
 * The error for a `--project` orch has never heard of, naming the ones it has (`known`: projects
 * with a generation, persisted or running); undefined when `project` is known.
 */
export const unknownProjectError = (project: string, known: Iterable<string>): OrchError | undefined => {
  const names = [...new Set(known)].sort();
  if (names.includes(project)) return undefined;
  return new OrchError('ORCH_UNKNOWN_PROJECT', `no project named '${project}' (known: ${names.join(', ') || 'none'})`);
};

/** Checks `orch rollback N [-p P]`: generation N must exist (not pruned) and, with `project`, belong to it. */
export const rollbackTarget = (
  number: number,
  found: GenerationRecord | undefined | { readonly pruned: true; readonly project: string | undefined; readonly limit: number },
  project: string | undefined,
): { readonly ok: true; readonly record: GenerationRecord } | { readonly ok: false; readonly error: OrchError } => {
  if (found === undefined) return { ok: false, error: new OrchError('ORCH_UNKNOWN_GENERATION', `no generation ${number} (see 'orch history')`) };
  const owner = 'pruned' in found ? found.project : found.info.project;
  if (project !== undefined && owner !== undefined && owner !== project) {
    return { ok: false, error: new OrchError('ORCH_UNKNOWN_GENERATION', `generation ${number} belongs to project '${owner}', not '${project}'`) };
  }
  if ('pruned' in found) return { ok: false, error: new OrchError('ORCH_UNKNOWN_GENERATION', prunedMessage(number, owner ?? project, found.limit)) };
  return { ok: true, record: found };
};

/** rollbackTarget's view of what the history found. */
export const rollbackFound = (source: RollbackSource): Parameters<typeof rollbackTarget>[1] =>
  source.kind === 'found' ? source.record : source.kind === 'pruned' ? { pruned: true, project: source.project, limit: source.limit } : undefined;

const writeIndex = async (home: string, index: HistoryIndex): Promise<void> => {
  await writeFileAtomic(indexFile(home), JSON.stringify(index), { mode: 0o600 });
};

const readRecord = async (home: string, number: number): Promise<GenerationRecord | undefined> => {
  try {
    return JSON.parse(await readFile(recordFile(home, number), 'utf8')) as GenerationRecord;
  } catch {
    return undefined;
  }
};

const generationNumbers = async (home: string): Promise<number[]> => {
  try {
    return (await readdir(historyDir(home)))
      .filter((f) => /^\d+\.json$/.test(f))
      .map((f) => Number(f.slice(0, -'.json'.length)))
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
};

const loadIndex = async (home: string, warn: (message: string) => void): Promise<HistoryIndex> => {
  let text: string | undefined;
  try {
    text = await readFile(indexFile(home), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`history index ${indexFile(home)} unreadable (${(e as Error).message}); rebuilding it from the generation files`);
  }
  if (text !== undefined) {
    try {
      const index = JSON.parse(text) as HistoryIndex;
      if (index.version === 1 && Array.isArray(index.entries)) {
        await removeOrphans(home, index);
        return index;
      }
      warn(`history index ${indexFile(home)} has an unknown shape; rebuilding it from the generation files`);
    } catch {
      // write-file-atomic renames a complete file into place, so this is damage from outside orch.
      warn(`history index ${indexFile(home)} is damaged; rebuilding it from the generation files (no-op entries are lost)`);
    }
  }
  return migrate(home);
};

/** Builds the index from the generation files of an orch that had none: one file at a time. */
const migrate = async (home: string): Promise<HistoryIndex> => {
  const entries: IndexEntry[] = [];
  for (const number of await generationNumbers(home)) {
    const record = await readRecord(home, number);
    if (record?.info?.number !== number || record.desired === undefined) continue; // a damaged record is skipped, not fatal
    entries.push({ ...record.info, content: contentHash(record.desired) });
  }
  if (entries.length === 0) return emptyIndex();
  const index: HistoryIndex = { ...emptyIndex(), entries };
  await writeIndex(home, index);
  return index;
};

/** Files a prune listed in the index but did not get to delete (the daemon died in between). */
const removeOrphans = async (home: string, index: HistoryIndex): Promise<void> => {
  const listed = new Set(index.entries.map((e) => e.number));
  const newest = Math.max(0, ...listed);
  const orphans = (await generationNumbers(home)).filter((n) => !listed.has(n) && n < newest);
  await removeFiles(home, orphans);
};

/**
 * Deletes generation files a few at a time: a first prune of a large history removes hundreds,
 * and hundreds of unlinks in flight at once stall the event loop when they complete.
 */
const removeFiles = async (home: string, numbers: readonly number[]): Promise<void> => {
  const AT_ONCE = 8;
  for (let k = 0; k < numbers.length; k += AT_ONCE) {
    await Promise.all(
      numbers.slice(k, k + AT_ONCE).map((n) =>
        unlink(recordFile(home, n)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        }),
      ),
    );
  }
};
