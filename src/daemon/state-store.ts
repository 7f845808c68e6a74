// The daemon's memory across its own death: the last applied desired state of every project.
// Written atomically (temp file, fsync, rename) before anything is acted on, with a checksum so
// a file cut short on disk is detected, and a copy of the previous good state to fall back to.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { DesiredState } from '../config/desired.js';

export interface PersistedState {
  readonly version: 1;
  /** Project name → the desired state last applied for it. */
  readonly projects: Readonly<Record<string, DesiredState>>;
  /** Apps stopped by `orch stop`, kept stopped across a daemon restart. */
  readonly stopped: readonly string[];
  /** Project name → the generation it runs. */
  readonly generations: Readonly<Record<string, number>>;
  /** The number the next recorded generation gets. */
  readonly nextGeneration: number;
}

export const emptyState = (): PersistedState => ({ version: 1, projects: {}, stopped: [], generations: {}, nextGeneration: 1 });

export type ReadStateResult =
  | { readonly ok: true; readonly state: PersistedState; readonly warning?: string }
  | { readonly ok: false; readonly reason: string };

const checksum = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Reads the state file; if it is corrupt or cut short, falls back to the previous good copy and says so. */
export const readState = (path: string): ReadStateResult => {
  const current = readOne(path);
  if (current.kind === 'ok') return { ok: true, state: current.state };
  if (current.kind === 'missing') return { ok: true, state: emptyState() };
  const previous = readOne(`${path}.prev`);
  if (previous.kind === 'ok') {
    return {
      ok: true,
      state: previous.state,
      warning: `state file ${path} is damaged (${current.reason}); using the previous good state from ${path}.prev — the last apply may need to be run again`,
    };
  }
  return { ok: false, reason: `state file ${path} is damaged (${current.reason}) and no previous good state exists` };
};

type ReadOne = { kind: 'ok'; state: PersistedState } | { kind: 'missing' } | { kind: 'bad'; reason: string };

const readOne = (path: string): ReadOne => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', reason: (e as Error).message };
  }
  try {
    const envelope = JSON.parse(text) as { sha256?: string; state?: string };
    if (typeof envelope.state !== 'string' || envelope.sha256 !== checksum(envelope.state)) {
      return { kind: 'bad', reason: 'checksum mismatch' };
    }
    const state = JSON.parse(envelope.state) as PersistedState;
    if (state.version !== 1) return { kind: 'bad', reason: `unknown version ${String(state.version)}` };
    return { kind: 'ok', state: { ...emptyState(), ...state } };
  } catch (e) {
    return { kind: 'bad', reason: `not valid JSON, probably cut short: ${(e as Error).message}` };
  }
};

const serialize = (state: PersistedState): string => {
  const body = JSON.stringify(state);
  return JSON.stringify({ sha256: checksum(body), state: body });
};

/** Writes `next`, keeping `previous` (known good) as the fallback copy. */
export const writeState = async (path: string, next: PersistedState, previous: PersistedState): Promise<void> => {
  await writeFileAtomic(`${path}.prev`, serialize(previous), { mode: 0o600 });
  await writeFileAtomic(path, serialize(next), { mode: 0o600 });
};

/**
 * `state` without `project`: its desired state, its generation pointer and the stopped marks of
 * its apps (those of its desired state and `alsoApps`, e.g. the ones the daemon runs for it).
 * `apps`: the names its desired state held, sorted; undefined when the state holds nothing of it.
 */
export const withoutProject = (
  state: PersistedState,
  project: string,
  alsoApps: readonly string[] = [],
): { readonly state: PersistedState; readonly apps: readonly string[] } | undefined => {
  const desired = state.projects[project];
  const apps = (desired?.apps ?? []).map((a) => a.name).sort();
  const names = new Set([...apps, ...alsoApps]);
  if (desired === undefined && state.generations[project] === undefined && !state.stopped.some((n) => names.has(n))) return undefined;
  const { [project]: _gone, ...projects } = state.projects;
  const { [project]: _generation, ...generations } = state.generations;
  return { state: { ...state, projects, generations, stopped: state.stopped.filter((n) => !names.has(n)) }, apps };
};
