// What history keeps, as pure decisions over the index (SPEC §10): how many generations a project
// keeps, whether an apply repeats the project's newest full generation, which entries a new
// generation pushes out, and what became of a number that is no longer listed.

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
  /** Set when this generation re-applied an older one (the full generation it resolved to). */
  readonly rollbackOf?: number;
  /** Set when this apply changed nothing: the generation whose desired state it repeats (no copy is stored). */
  readonly repeats?: number;
}

/** One line of the index: a generation's info and the sha256 of its desired state's JSON. */
export interface IndexEntry extends GenerationInfo {
  readonly content: string;
}

/** A pruned generation, remembered so `rollback N` can say what became of N. */
export interface Tombstone {
  readonly number: number;
  readonly project: string;
}

export interface HistoryIndex {
  readonly version: 1;
  /** Oldest first. */
  readonly entries: readonly IndexEntry[];
  /** The most recent pruned generations, at most MAX_TOMBSTONES, oldest first. */
  readonly pruned: readonly Tombstone[];
  /** Project → the highest generation number it had pruned, for numbers older than the tombstones. */
  readonly prunedThrough: Readonly<Record<string, number>>;
}

export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_TOMBSTONES = 1000;

export const emptyIndex = (): HistoryIndex => ({ version: 1, entries: [], pruned: [], prunedThrough: {} });

/** ORCH_HISTORY_LIMIT: a whole number ≥ 1; anything else is the default, with a warning. */
export const historyLimit = (raw: string | undefined): { readonly limit: number; readonly warning?: string } => {
  if (raw === undefined || raw.trim() === '') return { limit: DEFAULT_HISTORY_LIMIT };
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n >= 1) return { limit: n };
  return { limit: DEFAULT_HISTORY_LIMIT, warning: `ORCH_HISTORY_LIMIT=${raw} is not a whole number ≥ 1; keeping ${DEFAULT_HISTORY_LIMIT} generations per project` };
};

/**
 * The generation a new apply of `project` with desired-state hash `content` repeats: the project's
 * newest full generation, when its content is the same. Undefined: store a full copy.
 */
export const repeatedGeneration = (entries: readonly IndexEntry[], project: string, content: string): number | undefined => {
  const newestFull = entries.findLast((e) => e.project === project && e.repeats === undefined);
  return newestFull?.content === content ? newestFull.number : undefined;
};

/**
 * Keeps the newest `limit` entries of `project` (other projects untouched). A full generation that
 * a kept entry repeats is kept too, past the limit: its file is the only copy of their desired state.
 */
export const pruneGenerations = (
  entries: readonly IndexEntry[],
  project: string,
  limit: number,
): { readonly kept: readonly IndexEntry[]; readonly pruned: readonly IndexEntry[] } => {
  const own = entries.filter((e) => e.project === project);
  const over = new Set(own.slice(0, Math.max(0, own.length - limit)).map((e) => e.number));
  const needed = new Set(own.filter((e) => !over.has(e.number) && e.repeats !== undefined).map((e) => e.repeats));
  const drop = (e: IndexEntry) => over.has(e.number) && !needed.has(e.number);
  return { kept: entries.filter((e) => !drop(e)), pruned: entries.filter(drop) };
};

/** The index after recording `entry`: appended, `entry.project` pruned to `limit`, the pruned remembered. */
export const withGeneration = (
  index: HistoryIndex,
  entry: IndexEntry,
  limit: number,
): { readonly index: HistoryIndex; readonly pruned: readonly IndexEntry[] } => {
  const { kept, pruned } = pruneGenerations([...index.entries, entry], entry.project, limit);
  const prunedThrough = { ...index.prunedThrough };
  for (const e of pruned) prunedThrough[e.project] = Math.max(prunedThrough[e.project] ?? 0, e.number);
  const tombstones = [...index.pruned, ...pruned.map((e) => ({ number: e.number, project: e.project }))].slice(-MAX_TOMBSTONES);
  return { index: { version: 1, entries: kept, pruned: tombstones, prunedThrough }, pruned };
};

export type GenerationLookup =
  | { readonly kind: 'listed'; readonly entry: IndexEntry; readonly full: IndexEntry | undefined }
  | { readonly kind: 'pruned'; readonly project: string | undefined }
  | { readonly kind: 'missing' };

/**
 * What became of generation `number`: listed (with the full generation holding its desired state),
 * pruned (by which project, when that can be told; `project` is the one the caller asked about),
 * or never recorded.
 */
export const lookupGeneration = (index: HistoryIndex, number: number, project?: string): GenerationLookup => {
  const entry = index.entries.find((e) => e.number === number);
  if (entry) {
    const full = entry.repeats === undefined ? entry : index.entries.find((e) => e.number === entry.repeats);
    return { kind: 'listed', entry, full };
  }
  const tomb = index.pruned.find((t) => t.number === number);
  if (tomb) return { kind: 'pruned', project: tomb.project };
  // Older than the tombstones: any project that pruned that far may have owned it.
  const owners = Object.entries(index.prunedThrough)
    .filter(([, through]) => through >= number)
    .map(([p]) => p);
  if (owners.length === 0) return { kind: 'missing' };
  if (project !== undefined && owners.includes(project)) return { kind: 'pruned', project };
  return { kind: 'pruned', project: owners.length === 1 ? owners[0] : undefined };
};

export const prunedMessage = (number: number, project: string | undefined, limit: number): string =>
  `generation ${number} was pruned (ORCH_HISTORY_LIMIT=${limit} keeps the newest ${limit} of ${project === undefined ? 'each project' : `project '${project}'`})`;
